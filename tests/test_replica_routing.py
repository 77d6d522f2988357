"""The replica's routing rule (ocop/dbrouter.py): which reads may go to a streaming replica."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from ocop import dbrouter
from ocop.dbrouter import ReplicaReadsMiddleware, ReplicaRouter, may_read_from_replica


@pytest.mark.parametrize(
    ("method", "path", "signed_in", "lag", "replica"),
    [
        ("GET", "/catalogue/", False, 0.0, True),
        ("HEAD", "/open-data/products.csv", False, 5.0, True),  # at the bound
        ("GET", "/catalogue/", False, 5.1, False),  # too far behind
        ("GET", "/catalogue/", False, None, False),  # lag unknown: replica away or not streaming
        ("GET", "/catalogue/", True, 0.0, False),  # signed in: may be looking at their own write
        ("POST", "/catalogue/producers/1/enquire/", False, 0.0, False),
        ("GET", "/catalogue/enquiries/abc/", False, 0.0, False),  # a thread just written to
        ("GET", "/scan/b/1/", False, 0.0, False),  # must show a revocation at once
        ("GET", "/products/1/", False, 0.0, False),
        ("GET", "/01/08935001234562/10/L1", False, 0.0, False),
        ("GET", "/manage/dashboard/", False, 0.0, False),
    ],
)
def test_which_requests_read_from_the_replica(method, path, signed_in, lag, replica):
    assert may_read_from_replica(method, path, signed_in=signed_in, lag_seconds=lag) is replica


class FakeReplica:
    """The replica's connection as the middleware sees it: whether a query on it failed."""

    errors_occurred = False
    closed = False

    def close_if_unusable_or_obsolete(self):
        self.closed = True


@pytest.fixture(autouse=True)
def replica(monkeypatch):
    fake = FakeReplica()
    monkeypatch.setattr(dbrouter, "connections", {dbrouter.REPLICA: fake})
    monkeypatch.setitem(dbrouter._lag, "at", -1e9)
    monkeypatch.setitem(dbrouter._lag, "value", None)
    return fake


def _route_during(request, *, write=False):
    """The database a read inside the request goes to (after a write, if asked)."""
    router = ReplicaRouter()

    def view(request):
        if write:
            router.db_for_write(None)
        return router.db_for_read(None)

    return ReplicaReadsMiddleware(view)(request)


def test_the_middleware_routes_a_public_read_and_forgets_it_after(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_lag", lambda: 0.5)
    factory = RequestFactory()
    assert _route_during(factory.get("/catalogue/")) == "replica"
    assert ReplicaRouter().db_for_read(None) == "default"  # outside a request: the primary
    assert _route_during(factory.get("/scan/b/1/")) == "default"
    signed_in = factory.get("/catalogue/")
    signed_in.COOKIES["sessionid"] = "x"
    assert _route_during(signed_in) == "default"


def test_a_write_sends_the_rest_of_the_request_to_the_primary(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_lag", lambda: 0.0)
    assert _route_during(RequestFactory().get("/catalogue/"), write=True) == "default"


def test_a_lagging_replica_is_not_used(monkeypatch):
    monkeypatch.setattr(dbrouter, "replica_lag", lambda: 60.0)
    assert _route_during(RequestFactory().get("/catalogue/")) == "default"


def test_migrations_run_only_on_the_primary():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "registry") is True
    assert router.allow_migrate("replica", "registry") is False


def test_a_replica_failing_during_a_request_sends_it_again_to_the_primary(monkeypatch, replica):
    """Stopped between two lag checks (they are a second apart): the page is read again from
    the primary rather than answered with the replica's error, and the replica is left alone
    until the next check."""
    monkeypatch.setattr(dbrouter, "replica_lag", lambda: 0.0)
    routed = []

    def view(request):
        routed.append(ReplicaRouter().db_for_read(None))
        if routed[-1] == "replica":
            replica.errors_occurred = True  # as Django marks a connection whose query failed
            return HttpResponse(status=503)
        return HttpResponse("from the primary")

    response = ReplicaReadsMiddleware(view)(RequestFactory().get("/catalogue/"))
    assert routed == ["replica", "default"]
    assert response.status_code == 200
    assert replica.closed
    assert dbrouter._lag["value"] is None  # the next requests read the primary until a check


def test_a_request_the_replica_served_is_not_sent_again(monkeypatch, replica):
    monkeypatch.setattr(dbrouter, "replica_lag", lambda: 0.0)
    replica.errors_occurred = True  # left over from an earlier request: not this one's
    calls = []
    ReplicaReadsMiddleware(lambda request: calls.append(1) or HttpResponse())(
        RequestFactory().get("/catalogue/")
    )
    assert calls == [1]
