"""Storing EPCIS events: the times they may state, and their rows and identifier rows, written
with the ORM's bulk insert or, for large sets on PostgreSQL, with COPY.

Whoever wrote an event (a partner's capture, the platform for a producer's step, the demo), it
is stored here, so the repository holds one kind of event.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .. import epcis
from ..models import CaptureJob, Event, EventIdentifier

# The columns of an event row, in the model's order (``id`` first, ``document`` last): what
# :func:`event_row` builds and COPY writes.
EVENT_COLUMNS = [field.column for field in Event._meta.concrete_fields]
_ATTRIBUTES = [field.attname for field in Event._meta.concrete_fields]
COPY_THRESHOLD = 500  # below this, the ORM's bulk insert is as fast


def event_time_bounds(now: datetime | None = None) -> epcis.TimeBounds:
    """The times events may state, captured or recorded (``OCOP_EPCIS_EARLIEST_YEAR``,
    ``OCOP_EPCIS_FUTURE_HOURS``)."""
    now = now or timezone.now()
    return epcis.TimeBounds(
        earliest=datetime(settings.OCOP_EPCIS_EARLIEST_YEAR, 1, 1, tzinfo=UTC),
        latest=now + timedelta(hours=settings.OCOP_EPCIS_FUTURE_HOURS),
        future_hours=settings.OCOP_EPCIS_FUTURE_HOURS,
    )


def event_row(item: epcis.NormalisedEvent, producer_id, batch_id, capture_id, record_time) -> list:
    """An event's row in :data:`EVENT_COLUMNS` order, its id left None."""
    return [
        None,
        item.event_id[:300],
        item.event_type[:100],
        item.event_time,
        item.timezone,
        record_time,
        item.action,
        item.biz_step[:200],
        item.disposition[:200],
        item.read_point[:300],
        item.biz_location[:300],
        item.error_declaration,
        batch_id,
        producer_id,
        capture_id,
        item.document,
    ]


def events_store(items, *, record_time: datetime, capture: CaptureJob | None = None) -> list[Event] | int:
    """Store normalised events ``[(event, producer_id, batch_id)]`` with their identifiers.

    Large sets on PostgreSQL go through COPY (see :func:`copy_stream`); otherwise the ORM's bulk
    insert. Call inside a transaction: either every event is stored or none. Returns the stored
    events (ORM path) or their number (COPY path).
    """
    capture_id = capture.pk if capture else None
    if connection.vendor == "postgresql" and len(items) >= COPY_THRESHOLD:
        return copy_stream(items, count=len(items), record_time=record_time, capture_id=capture_id)
    stamp = epcis.format_time(record_time)
    events = []
    for item, producer, batch in items:
        item.document["recordTime"] = stamp
        row = event_row(item, producer, batch, capture_id, record_time)
        events.append(Event(**dict(zip(_ATTRIBUTES, row, strict=True))))
    Event.objects.bulk_create(events, batch_size=1000)
    EventIdentifier.objects.bulk_create(
        [
            EventIdentifier(event_id=event.pk, role=role, key=key[:300])
            for event, (item, _p, _b) in zip(events, items, strict=True)
            for role, key in item.identifiers
        ],
        batch_size=5000,
    )
    return events


def _copy(rows, count: int) -> int:
    """Write ``(row, identifiers)`` pairs with COPY as they come (PostgreSQL): each event row
    with an id taken from the table's sequence (``count`` of them, first, in one statement),
    then the identifier rows in a second COPY. Returns how many events were written."""
    table, id_table = Event._meta.db_table, EventIdentifier._meta.db_table
    identifier_rows = []
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, max(count, 1)],
        )
        ids = iter([r[0] for r in cursor.fetchall()])
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for row, identifiers in rows:
                row[0] = next(ids)
                row[-1] = json.dumps(row[-1], ensure_ascii=False, separators=(",", ":"))
                copy.write_row(row)
                identifier_rows.extend((row[0], role, key[:300]) for role, key in identifiers)
                written += 1
        if identifier_rows:
            with raw.copy(f"COPY {id_table} (event_id, role, key) FROM STDIN") as copy:
                for values in identifier_rows:
                    copy.write_row(values)
    return written


def copy_rows(rows: list[list], identifiers: list[list[tuple[str, str]]]) -> int:
    """Write event rows already built (:func:`event_row`) and their identifiers with COPY."""
    if not rows:
        return 0
    return _copy(zip(rows, identifiers, strict=True), len(rows))


def copy_stream(items, *, count: int, record_time: datetime, capture_id=None) -> int:
    """Write normalised events ``(event, producer_id, batch_id)`` with COPY as they come
    (PostgreSQL): the database stores each row while the next events are checked."""
    stamp = epcis.format_time(record_time)

    def rows():
        for item, producer, batch in items:
            item.document["recordTime"] = stamp
            yield event_row(item, producer, batch, capture_id, record_time), item.identifiers

    return _copy(rows(), count)
