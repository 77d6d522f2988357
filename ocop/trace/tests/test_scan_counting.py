"""Scans are counted in memory and written by the process's background thread, never in the
scan's own request; numbers the database could not take are kept for the next turn."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext

from ocop.jobs import periodic
from ocop.trace import scans
from ocop.trace.models import ScanCount

from .conftest import GTIN_P

pytestmark = pytest.mark.django_db


def _writes(captured) -> list[str]:
    return [
        q["sql"] for q in captured.captured_queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}
    ]


def test_a_scan_writes_nothing_and_the_background_tick_writes_its_count(client, batch_p):
    with CaptureQueriesContext(connection) as captured:
        for serial in (1, 2):
            assert client.get(f"/01/{GTIN_P}/10/L2511-01/21/{serial}").status_code == 307
    assert _writes(captured) == []
    assert not ScanCount.objects.exists()
    periodic.run_local()  # the background thread's tick (OCOP_TRACE_SCAN_FLUSH_SECONDS is 0 here)
    assert list(ScanCount.objects.values_list("batch_id", "count")) == [(batch_p.pk, 2)]


def test_counts_the_database_could_not_take_are_written_at_the_next_turn(client, batch_p, monkeypatch):
    client.get(f"/01/{GTIN_P}/10/L2511-01/21/1")
    write = scans._write

    def busy(counts, flags):
        raise OperationalError("database is locked")

    monkeypatch.setattr(scans, "_write", busy)
    scans.RECORDER.flush()
    assert not ScanCount.objects.exists()
    client.get(f"/01/{GTIN_P}/10/L2511-01/21/2")  # scanned meanwhile
    monkeypatch.setattr(scans, "_write", write)
    scans.RECORDER.flush()
    assert list(ScanCount.objects.values_list("batch_id", "count")) == [(batch_p.pk, 2)]
