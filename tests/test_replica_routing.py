"""The replica's routing rule (ocop/dbrouter.py): which reads may go to a streaming replica."""

from __future__ import annotations

import pytest
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
