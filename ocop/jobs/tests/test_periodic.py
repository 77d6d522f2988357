"""Periodic work: each turn is claimed by one process with a conditional update, failures are
recorded and tried again, and the apps' maintenance is registered here instead of running in
the requests that read."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from ocop.jobs import periodic
from ocop.jobs.models import Schedule

pytestmark = pytest.mark.django_db

TURNS: list[str] = []


def count_a_turn():
    TURNS.append("turn")


def fail():
    raise RuntimeError("the mail server is away")


@pytest.fixture
def work():
    TURNS.clear()
    periodic.register("test.count", f"{__name__}.count_a_turn", every=60)
    periodic.register("test.fail", f"{__name__}.fail", every="OCOP_CATALOGUE_REFRESH_SECONDS")
    yield
    periodic.SHARED.pop("test.count")
    periodic.SHARED.pop("test.fail")


def test_each_turn_is_run_by_one_process(work):
    start = timezone.now()
    assert periodic.run_due(now=start, names=["test.count"]) == ["test.count"]
    # Another process ticking at the same moment, or a little later, finds the turn taken.
    assert periodic.run_due(now=start, names=["test.count"]) == []
    assert periodic.run_due(now=start + timedelta(seconds=59), names=["test.count"]) == []
    assert periodic.run_due(now=start + timedelta(seconds=60), names=["test.count"]) == ["test.count"]
    assert TURNS == ["turn", "turn"]
    row = Schedule.objects.get(name="test.count")
    assert (row.due_at, row.started_at, row.error) == (
        start + timedelta(seconds=120),
        start + timedelta(seconds=60),
        "",
    )


def test_a_failed_turn_is_recorded_and_tried_again_at_the_next(work, settings):
    settings.OCOP_CATALOGUE_REFRESH_SECONDS = 30
    start = timezone.now()
    assert periodic.run_due(now=start, names=["test.fail"]) == ["test.fail"]
    row = Schedule.objects.get(name="test.fail")
    assert "RuntimeError: the mail server is away" in row.error
    assert row.due_at == start + timedelta(seconds=30)  # read from the setting at each turn
    assert periodic.run_due(now=start + timedelta(seconds=30), names=["test.fail"]) == ["test.fail"]


def test_maintenance_that_pages_once_did_is_periodic_work():
    from ocop.trace.scans import RECORDER

    assert periodic.SHARED["market.catalogue_refresh"] == periodic.Periodic(
        "market.catalogue_refresh",
        "ocop.market.services.catalogue_refresh_if_stale",
        "OCOP_CATALOGUE_REFRESH_SECONDS",
    )
    assert periodic.SHARED["monitoring.data_version_compact"].every == 60
    assert RECORDER.flush_due in periodic.LOCAL


def test_tests_start_no_background_thread(client, settings):
    assert settings.OCOP_BACKGROUND_THREAD is False
    client.get("/")
    assert periodic._started_in is None
