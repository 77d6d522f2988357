"""The data version the dashboards' cache is keyed by: it changes with every committed write to
what the dashboards count, and writers never queue on it (issue 11, finding 8)."""

from __future__ import annotations

import importlib
import threading

import pytest
from django.db import OperationalError, connection, connections, transaction

from ocop.geo.models import Province
from ocop.monitoring.models import DataVersion
from ocop.monitoring.services import DATA_TABLES, data_version_compact
from ocop.registry.models import Producer

pytestmark = pytest.mark.django_db


def _producer(name: str) -> Producer:
    province = Province.objects.current().get(code="80")
    return Producer.objects.create(name=name, kind="cooperative", address="Ấp 1", province=province)


def test_every_write_changes_the_version_and_folding_the_changes_keeps_it():
    before = DataVersion.current()
    _producer("Hợp tác xã Một")
    written = DataVersion.current()
    assert written > before
    assert data_version_compact() >= 0
    assert DataVersion.current() == written  # folding the changes into the row changes nothing
    Producer.objects.filter(name="Hợp tác xã Một").update(address="Ấp 2")
    assert DataVersion.current() > written


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer at a time whatever the version does; PostgreSQL lets writers run together",
)
def test_writers_of_different_records_do_not_wait_for_each_other():
    """This test's own transaction writes a producer and stays open; another connection writes
    another producer meanwhile. With one version row updated by every write, the second would
    wait for the first to commit (here: fail at its lock timeout)."""
    _producer("Hợp tác xã của phiên này")  # uncommitted until the test ends
    outcome: list[str] = []

    def other_writer():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '3s'")
                _producer("Hợp tác xã của phiên khác")
                outcome.append("written")
                transaction.set_rollback(True)
        except OperationalError as exc:
            outcome.append(f"waited: {exc}")
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_writer)
    thread.start()
    thread.join()
    assert outcome == ["written"]


def test_the_counted_tables_are_those_the_first_triggers_watched():
    first = importlib.import_module("ocop.monitoring.migrations.0002_data_version")
    assert sorted(DATA_TABLES) == sorted(first.WATCHED)
    assert len(DATA_TABLES) == 7


@pytest.mark.parametrize("table", DATA_TABLES)
def test_every_counted_table_keeps_its_triggers_after_the_migrations(table):
    """SQLite drops a table's triggers when a migration rebuilds it (adding the edit version to
    producers did): the dashboards would then be cached past a write."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
            names = sorted(row[0] for row in cursor.fetchall())
            assert names == [
                f"monitoring_version_{table}_{event}" for event in ("delete", "insert", "update")
            ]
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal", [table]
            )
            assert [row[0] for row in cursor.fetchall()] == [f"monitoring_version_{table}"]
