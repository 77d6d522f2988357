"""EPCIS capture into PostgreSQL: 100,000 events, next to a raw COPY of the same rows.

The document set is ten EPCIS documents of 10,000 events each (the per-capture limit), written
like GS1's examples: ObjectEvents with two serialised items and a purchase order, packing
AggregationEvents, and TransformationEvents with quantities, all naming one producer's GTIN, so
every event is checked against the schema, its identifiers parsed, its product looked up and
permitted, and it is attached to its producer. Each document goes through what
``POST /epcis/capture`` does after reading the body: parse the JSON, validate (the compiled
schema), normalise, authorise, check event IDs for duplicates, store (COPY) — timed as a whole
and phase by phase.

Baseline, same run, same tables: the same rows (events and identifier rows, already built)
written with COPY and nothing else. Target: 10,000 events per second or more.

    python -m bench.bench_trace_capture [--keep]    (OCOP_BENCH_PG names the server)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time

from bench import trace_pg

DOCUMENTS, PER_DOCUMENT = 10, 10_000
TARGET = 10_000


def make_documents() -> list[bytes]:
    from ocop.trace import digitallink as dl

    gtin = trace_pg.GTIN
    documents = []
    n = 0
    for d in range(DOCUMENTS):
        events = []
        for i in range(PER_DOCUMENT):
            n += 1
            serials = [dl.link_to_urn(dl.build("01", gtin, [("21", str(2 * n + k))]), 9) for k in (0, 1)]
            kind = i % 10
            base = {
                "eventTime": f"2025-{1 + d:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:00.000+07:00",
                "eventTimeZoneOffset": "+07:00",
                "eventID": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
            }
            if kind < 7:
                events.append(
                    base
                    | {
                        "type": "ObjectEvent",
                        "action": "OBSERVE",
                        "bizStep": "shipping",
                        "disposition": "in_transit",
                        "epcList": serials,
                        "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
                        "bizTransactionList": [
                            {"type": "po", "bizTransaction": f"http://transaction.acme.com/po/{n}"}
                        ],
                        "example:myField": "Example of a vendor/user extension",
                    }
                )
            elif kind < 9:
                events.append(
                    base
                    | {
                        "type": "AggregationEvent",
                        "action": "ADD",
                        "bizStep": "packing",
                        "disposition": "in_progress",
                        "parentID": f"urn:epc:id:sscc:0614141.{n:010d}",
                        "childEPCs": serials,
                        "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"},
                    }
                )
            else:
                events.append(
                    base
                    | {
                        "type": "TransformationEvent",
                        "bizStep": "commissioning",
                        "inputQuantityList": [
                            {
                                "epcClass": "urn:epc:class:lgtin:4012345.011111.4444",
                                "quantity": 10,
                                "uom": "KGM",
                            }
                        ],
                        "outputQuantityList": [
                            {
                                "epcClass": dl.link_to_urn(dl.build("01", gtin, [("10", f"L{d}")]), 9),
                                "quantity": 500,
                            }
                        ],
                        "ilmd": {"cbvmda:lotNumber": f"L{d}"},
                    }
                )
        document = {
            "@context": [
                "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
                {"example": "http://ns.example.com/epcis/"},
            ],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": "2025-11-20T08:00:00Z",
            "epcisBody": {"eventList": events},
        }
        documents.append(json.dumps(document).encode())
    return documents


def truncate():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE trace_eventidentifier, trace_event CASCADE")


def capture_phases(document_bytes: bytes, user, phases: dict) -> int:
    """The steps of a capture one after the other (same functions), for the breakdown; the
    capture itself runs them in one pass, storing while checking."""
    from django.db import transaction
    from django.utils import timezone

    from ocop.trace import epcis, services

    t = time.perf_counter()
    document = json.loads(document_bytes)
    phases["parse JSON"] += time.perf_counter() - t
    t = time.perf_counter()
    events, problems = epcis.validate_document(document)
    phases["validate (schema, identifiers)"] += time.perf_counter() - t
    assert not problems, problems[:3]
    t = time.perf_counter()
    scheme = services.platform_scheme()
    items = [epcis.normalise(e, i, platform=scheme) for i, e in enumerate(events)]
    phases["normalise"] += time.perf_counter() - t
    t = time.perf_counter()
    attributor = services.capture._Attributor(events, user, scheme)
    stored_ids = services.capture._stored_event_ids(events)
    attributed = [(item, attributor(item)[0]) for item in items]
    phases["authorise, attribute, duplicates"] += time.perf_counter() - t
    assert not stored_ids and all(a is not None for _i, a in attributed)
    t = time.perf_counter()
    with transaction.atomic():
        stored = services.copy_stream(
            ((i, a.producer_id, a.batch_id) for i, a in attributed),
            count=len(items),
            record_time=timezone.now(),
        )
    phases["store (COPY)"] += time.perf_counter() - t
    return stored


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--keep", action="store_true", help="reuse (and keep) the benchmark database")
    args = parser.parse_args()
    migrate = trace_pg.prepare(keep=args.keep)
    trace_pg.setup_django()
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from ocop.trace import epcis, services
    from ocop.trace.models import CaptureJob

    settings.OCOP_EPCIS_CAPTURE_INLINE_EVENTS = PER_DOCUMENT
    settings.OCOP_EPCIS_CAPTURE_MAX_BYTES = 64 * 1024 * 1024
    user, _product = trace_pg.world()
    print(f"PostgreSQL {connection.pg_version // 10000}; database migrated in {migrate:.1f} s")
    t = time.perf_counter()
    documents = make_documents()
    total = DOCUMENTS * PER_DOCUMENT
    print(
        f"{DOCUMENTS} documents x {PER_DOCUMENT:,} events = {total:,} events, {sum(map(len, documents)) / 1e6:.1f} MB of JSON (made in {time.perf_counter() - t:.1f} s)"
    )

    # Baseline rows: the same events, built once, written with COPY only.
    scheme = services.platform_scheme()
    rows, identifiers = [], []
    now = timezone.now()
    producer_id = _product.producer_id
    for body in documents:
        for i, event in enumerate(json.loads(body)["epcisBody"]["eventList"]):
            item = epcis.normalise(event, i, platform=scheme)
            item.document["recordTime"] = epcis.format_time(now)
            rows.append(services.event_row(item, producer_id, None, None, now))
            identifiers.append(item.identifiers)
    truncate()
    t = time.perf_counter()
    with transaction.atomic():
        services.copy_rows(rows, identifiers)
    raw = time.perf_counter() - t
    identifier_rows = sum(map(len, identifiers))
    truncate()

    # The capture itself, document by document, as POST /epcis/capture does it (one pass:
    # each event checked, then written while the next is checked).
    times = []
    load_before = os.getloadavg()[0]
    cpu = time.process_time()
    for body in documents:
        capture = CaptureJob.objects.create(owner=user, event_count=PER_DOCUMENT)
        t = time.perf_counter()
        done = services.capture_run(capture, document=json.loads(body))
        times.append(time.perf_counter() - t)
        assert done.captured == PER_DOCUMENT and not done.errors, done.errors[:3]
    captured = sum(times)
    cpu = time.process_time() - cpu
    load_after = os.getloadavg()[0]

    # The same again, phase by phase (into emptied tables).
    truncate()
    phases = dict.fromkeys(
        [
            "parse JSON",
            "validate (schema, identifiers)",
            "normalise",
            "authorise, attribute, duplicates",
            "store (COPY)",
        ],
        0.0,
    )
    for body in documents:
        capture_phases(body, user, phases)

    print()
    print(f"{'':44}{'seconds':>9}{'events/s':>12}")
    print(
        f"{'raw COPY of the same rows (baseline)':44}{raw:9.2f}{total / raw:12,.0f}   ({identifier_rows:,} identifier rows too)"
    )
    print(
        f"{'capture (parse, validate, authorise, store)':44}{captured:9.2f}{total / captured:12,.0f}   x{captured / raw:.1f} the raw COPY"
    )
    print(f"{'  per document of 10,000 (median)':44}{statistics.median(times):9.2f}")
    print(
        f"{'  CPU time of this process (Python side)':44}{cpu:9.2f}{total / cpu:12,.0f}   "
        f"load average {load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} cores"
    )
    print("  phases:")
    for name, seconds in phases.items():
        print(f"    {name:40}{seconds:9.2f}{total / seconds if seconds else 0:12,.0f}")
    verdict = "met" if total / captured >= TARGET else "NOT MET"
    print(f"\ntarget: {TARGET:,} events/s or more: {verdict} ({total / captured:,.0f} events/s)")
    if not args.keep:
        from django.db import connections

        connections.close_all()
        trace_pg.drop()


if __name__ == "__main__":
    main()
