"""Fixtures for traceability tests: GTINs on the shared products, batches, tokens, and EPCIS
documents written like GS1's published examples (EPCIS 2.0 §9.6 and the ratified examples:
the standard @context, bare CBV words, readPoint objects, a user extension ``example:myField``)."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal

import pytest

from ocop.trace import digitallink as dl

CONTEXT = [
    "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
    {"example": "http://ns.example.com/epcis/"},
]


def gtin(body13: str) -> str:
    return body13 + dl.check_digit(body13)


GTIN_P = gtin("0893500123456")  # producer P's recognised product
GTIN_Q = gtin("0893500765432")  # producer Q's product


def gs1_document(*events, creation="2025-11-20T08:00:00Z") -> dict:
    return {
        "@context": copy.deepcopy(CONTEXT),
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": creation,
        "epcisBody": {"eventList": [copy.deepcopy(e) for e in events]},
    }


def urn(gtin14: str, serial: str, prefix_length: int = 9) -> str:
    return dl.link_to_urn(dl.build("01", gtin14, [("21", serial)]), prefix_length)


def lgtin(gtin14: str, lot: str, prefix_length: int = 9) -> str:
    return dl.link_to_urn(dl.build("01", gtin14, [("10", lot)]), prefix_length)


def object_event(gtin14=GTIN_P, **extra) -> dict:
    """Like GS1's Example 9.6.1: items observed while shipping, with a purchase order."""
    event = {
        "type": "ObjectEvent",
        "eventTime": "2025-11-03T20:33:31.116-06:00",
        "eventTimeZoneOffset": "-06:00",
        "eventID": "urn:uuid:0f1e0c1a-6b7b-4c9e-9d6e-000000000001",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "epcList": [urn(gtin14, "2017"), urn(gtin14, "2018")],
        "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
        "bizTransactionList": [{"type": "po", "bizTransaction": "http://transaction.acme.com/po/12345678"}],
        "example:myField": "Example of a vendor/user extension",
    }
    event.update(extra)
    return event


def aggregation_event(gtin14=GTIN_P, **extra) -> dict:
    """Like GS1's Example 9.6.3: items packed into a case (SSCC)."""
    event = {
        "type": "AggregationEvent",
        "eventTime": "2025-11-04T11:00:00.000+07:00",
        "eventTimeZoneOffset": "+07:00",
        "eventID": "urn:uuid:0f1e0c1a-6b7b-4c9e-9d6e-000000000002",
        "parentID": "urn:epc:id:sscc:0614141.1234567890",
        "childEPCs": [urn(gtin14, "2017"), urn(gtin14, "2018")],
        "action": "ADD",
        "bizStep": "packing",
        "disposition": "in_progress",
        "readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0"},
    }
    event.update(extra)
    return event


def transaction_event(gtin14=GTIN_P, **extra) -> dict:
    event = {
        "type": "TransactionEvent",
        "eventTime": "2025-11-05T09:00:00Z",
        "eventTimeZoneOffset": "+07:00",
        "eventID": "urn:uuid:0f1e0c1a-6b7b-4c9e-9d6e-000000000003",
        "bizTransactionList": [{"type": "inv", "bizTransaction": "urn:epcglobal:cbv:bt:0614141073467:1152"}],
        "parentID": "urn:epc:id:sscc:0614141.1234567890",
        "epcList": [urn(gtin14, "2017")],
        "action": "ADD",
        "bizStep": "shipping",
        "disposition": "in_transit",
    }
    event.update(extra)
    return event


def transformation_event(gtin14=GTIN_P, **extra) -> dict:
    """Like GS1's Example 9.6.4: inputs (by class and quantity) turned into outputs, with ILMD."""
    event = {
        "type": "TransformationEvent",
        "eventTime": "2025-11-01T14:58:56.591Z",
        "eventTimeZoneOffset": "+07:00",
        "eventID": "urn:uuid:0f1e0c1a-6b7b-4c9e-9d6e-000000000004",
        "inputQuantityList": [
            {"epcClass": "urn:epc:class:lgtin:4012345.011111.4444", "quantity": 10, "uom": "KGM"},
            {"epcClass": "urn:epc:idpat:sgtin:4012345.066666.*", "quantity": 220},
        ],
        "outputQuantityList": [{"epcClass": lgtin(gtin14, "L2511"), "quantity": 500, "uom": "H87"}],
        "bizStep": "commissioning",
        "disposition": "in_progress",
        "readPoint": {"id": "urn:epc:id:sgln:4012345.00001.0"},
        "ilmd": {"example:bestBeforeDate": "2026-12-10", "example:batch": "XYZ"},
    }
    event.update(extra)
    return event


def association_event(gtin14=GTIN_P, **extra) -> dict:
    """Like GS1's AssociationEvent examples: a sensor device associated with a returnable asset."""
    event = {
        "type": "AssociationEvent",
        "eventTime": "2025-11-06T10:00:00+07:00",
        "eventTimeZoneOffset": "+07:00",
        "eventID": "urn:uuid:0f1e0c1a-6b7b-4c9e-9d6e-000000000005",
        "parentID": "urn:epc:id:grai:4012345.55555.987",
        "childEPCs": ["urn:epc:id:giai:4000001.12345"],
        "childQuantityList": [{"epcClass": lgtin(gtin14, "L2511"), "quantity": 24, "uom": "H87"}],
        "action": "ADD",
        "bizStep": "assembling",
        "readPoint": {"id": "urn:epc:id:sgln:4012345.00001.0"},
    }
    event.update(extra)
    return event


ALL_EVENTS = [object_event, aggregation_event, transaction_event, transformation_event, association_event]


@pytest.fixture
def gtins(records):
    """GTINs on P's recognised product and Q's."""
    records.p_recognised.gtin = GTIN_P
    records.p_recognised.save(update_fields=["gtin"])
    records.q_recognised.gtin = GTIN_Q
    records.q_recognised.save(update_fields=["gtin"])
    return records


@pytest.fixture
def batch_p(gtins, owner_a):
    """A batch of P's recognised product (with a GTIN), 10 labels issued."""
    from ocop.trace import services

    batch = services.batch_create(
        user=owner_a,
        product=gtins.p_recognised,
        lot="L2511-01",
        produced_on=date.today() - timedelta(days=20),
        expires_on=date.today() + timedelta(days=300),
        quantity=Decimal(500),
        unit="XPA",
        raw_material_area="Ấp Bình Hòa, xã A1",
    )
    services.labels_issue(user=owner_a, batch=batch, count=10)
    batch.refresh_from_db()
    return batch


@pytest.fixture
def batch_draft(records, owner_a):
    """A batch of P's product that has no GTIN and no recognition (platform code)."""
    from ocop.trace import services

    return services.batch_create(
        user=owner_a,
        product=records.p_draft,
        lot="MD-01",
        produced_on=date.today() - timedelta(days=3),
        quantity=Decimal(40),
        unit="KGM",
    )


@pytest.fixture
def token_a(owner_a):
    from ocop.accounts.models import ApiToken

    _token, raw = ApiToken.issue(user=owner_a, name="epcis")
    return raw


@pytest.fixture
def token_central(central):
    from ocop.accounts.models import ApiToken

    _token, raw = ApiToken.issue(user=central, name="epcis")
    return raw


@pytest.fixture(autouse=True)
def _fresh_trace_state(settings):
    """Each test starts with an empty cache and scan buffer; the background tick (which tests
    run themselves: periodic.run_local) writes the buffer at once."""
    from django.core.cache import cache

    from ocop.trace import scans

    settings.OCOP_PUBLIC_URL = "https://ocop.example.vn"
    settings.OCOP_TRACE_SCAN_FLUSH_SECONDS = 0
    cache.clear()
    scans.RECORDER.counts.clear()
    scans.RECORDER.flags.clear()
    yield
    cache.clear()
