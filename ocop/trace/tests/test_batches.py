"""Producers record batches and steps in plain words; the platform writes the EPCIS events."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ocop.accounts.models import AuditEvent
from ocop.trace import codes, epcis, services
from ocop.trace.models import Batch, Event, EventIdentifier

from .conftest import GTIN_P

pytestmark = pytest.mark.django_db


def test_recording_a_batch_writes_its_commissioning_event(batch_p, owner_a):
    event = Event.objects.get(batch=batch_p)
    document = event.document
    assert (event.event_type, event.action, event.biz_step, event.disposition) == (
        "ObjectEvent",
        "ADD",
        "commissioning",
        "active",
    )
    assert document["quantityList"] == [
        {"epcClass": f"https://id.gs1.org/01/{GTIN_P}/10/L2511-01", "quantity": 500, "uom": "XPA"}
    ]
    assert document["ilmd"] == {
        "cbvmda:lotNumber": "L2511-01",
        "ocop:productionDate": batch_p.produced_on.isoformat(),
        "cbvmda:itemExpirationDate": batch_p.expires_on.isoformat(),
        "ocop:rawMaterialArea": "Ấp Bình Hòa, xã A1",
    }
    assert epcis.check_event(document, 0) == []  # a valid EPCIS 2.0 event
    assert list(EventIdentifier.objects.filter(event=event).values_list("role", "key")) == [
        ("class", f"https://id.gs1.org/01/{GTIN_P}/10/L2511-01")
    ]
    assert event.producer_id == batch_p.product.producer_id
    assert (
        AuditEvent.objects.filter(action="batch.create", object_id=str(batch_p.pk), actor=owner_a).count()
        == 1
    )


def test_a_product_without_gtin_gets_a_platform_identifier(batch_draft, records):
    code = codes.encode(records.p_draft.pk)
    document = Event.objects.get(batch=batch_draft).document
    assert document["quantityList"][0]["epcClass"] == f"https://ocop.example.vn/t/{code}/10/MD-01"
    assert EventIdentifier.objects.get(event__batch=batch_draft).key == f"ocop:t/{code}/10/MD-01"
    assert services.label_uri(batch_draft, 5) == f"https://ocop.example.vn/t/{code}/10/MD-01/21/5"
    assert records.p_draft.gtin is None  # no GTIN is ever invented


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"lot": "Lô 1"}, "lot", "Use only letters without accents"),
        ({"lot": "L" * 21}, "lot", "at most 20 characters"),
        ({"lot": "L2511-01"}, "lot", "already has a batch with lot number L2511-01"),
        ({"produced_on": date.today() + timedelta(days=2)}, "produced_on", "in the future"),
        ({"expires_on": date.today() - timedelta(days=400)}, "expires_on", "before the production date"),
        ({"quantity": Decimal(0)}, "quantity", "above zero"),
    ],
)
def test_batches_are_validated_before_saving(batch_p, owner_a, changes, field, message):
    data = {
        "product": batch_p.product,
        "lot": "L2",
        "produced_on": date.today() - timedelta(days=1),
        "quantity": Decimal(5),
    } | changes
    before = (Batch.objects.count(), Event.objects.count())
    with pytest.raises(ValidationError) as error:
        services.batch_create(user=owner_a, **data)
    assert any(message in m for m in error.value.message_dict[field])
    assert (Batch.objects.count(), Event.objects.count()) == before


@pytest.mark.parametrize("actor", ["owner_b", "officer_a", "commune_officer_a", "council_member"])
def test_only_the_producers_staff_and_the_centre_record_batches(request, gtins, actor):
    with pytest.raises(PermissionDenied):
        services.batch_create(
            user=request.getfixturevalue(actor),
            product=gtins.p_recognised,
            lot="X1",
            produced_on=date.today(),
            quantity=Decimal(1),
        )


@pytest.mark.parametrize(
    ("kind", "biz_step", "disposition"),
    [
        ("harvest", "other", "active"),
        ("processing", "other", "in_progress"),
        ("packing", "packing", "in_progress"),
        ("shipping", "shipping", "in_transit"),
    ],
)
def test_each_step_becomes_a_standard_event(batch_p, owner_a, geo, kind, biz_step, disposition):
    event = services.batch_step_record(
        user=owner_a,
        batch=batch_p,
        kind=kind,
        happened_at=timezone.now(),
        place="Cửa hàng A",
        province=geo.province_a,
        quantity=Decimal(24),
    )
    assert (event.biz_step, event.disposition, event.action) == (biz_step, disposition, "OBSERVE")
    assert event.document["ocop:step"] == kind
    assert event.document["ocop:province"] == "80"
    assert event.document["quantityList"][0]["quantity"] == 24
    assert epcis.check_event(event.document, 0) == []


def test_steps_are_checked_and_only_the_producer_records_them(batch_p, owner_a, officer_a):
    with pytest.raises(ValidationError) as error:
        services.batch_step_record(user=owner_a, batch=batch_p, kind="shipping", happened_at=timezone.now())
    assert "Name the shop" in error.value.message_dict["place"][0]
    with pytest.raises(ValidationError):
        services.batch_step_record(
            user=owner_a, batch=batch_p, kind="packing", happened_at=timezone.now() + timedelta(days=1)
        )
    with pytest.raises(PermissionDenied):
        services.batch_step_record(user=officer_a, batch=batch_p, kind="packing", happened_at=timezone.now())


def test_label_serials_are_issued_once_in_sequence(batch_p, owner_a):
    assert list(services.labels_issue(user=owner_a, batch=batch_p, count=3)) == [11, 12, 13]
    assert list(services.labels_issue(user=owner_a, batch=batch_p, count=2)) == [14, 15]
    batch_p.refresh_from_db()
    assert batch_p.labels_issued == 15
    with pytest.raises(ValidationError):
        services.labels_issue(user=owner_a, batch=batch_p, count=0)


# ---------------------------------------------------------------------------------------------
# Pages (a phone is the producer's computer)
# ---------------------------------------------------------------------------------------------


def test_a_producer_records_a_batch_and_a_step_from_the_pages(client, gtins, owner_a, geo):
    client.force_login(owner_a)
    form = client.get("/trace/batches/new/")
    assert form.status_code == 200
    options = form.content.decode()
    assert gtins.p_recognised.name_vi in options and gtins.q_recognised.name_vi not in options
    response = client.post(
        "/trace/batches/new/",
        {
            "product": gtins.p_recognised.pk,
            "lot": "L2512",
            "produced_on": date.today().isoformat(),
            "quantity": "120",
            "unit": "XBO",
            "raw_material_area": "Vườn dừa ấp 2",
        },
    )
    batch = Batch.objects.get(lot="L2512")
    assert response.status_code == 302 and response["Location"] == f"/trace/batches/{batch.pk}/"
    response = client.post(
        f"/trace/batches/{batch.pk}/steps/",
        {
            "kind": "shipping",
            "happened_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "place": "Siêu thị Co.opmart Tân An",
            "province": geo.province_a.pk,
        },
    )
    assert response.status_code == 302
    page = client.get(f"/trace/batches/{batch.pk}/").content.decode()
    assert "Shipped to a shop" in page and "Siêu thị Co.opmart Tân An" in page
    assert f"/01/{GTIN_P}/10/L2512/21/1" in page


def test_the_batch_list_costs_the_same_queries_whatever_its_length(client, batch_p, owner_a):
    client.force_login(owner_a)
    client.get("/trace/")
    with CaptureQueriesContext(connection) as one:
        assert client.get("/trace/").status_code == 200
    for n in range(5):
        services.batch_create(
            user=owner_a, product=batch_p.product, lot=f"N{n}", produced_on=date.today(), quantity=Decimal(1)
        )
    with CaptureQueriesContext(connection) as six:
        page = client.get("/trace/")
    assert page.content.decode().count("/trace/batches/") >= 6
    assert len(six) == len(one)


def test_an_officer_sees_batches_in_the_jurisdiction_but_records_nothing(
    client, batch_p, officer_a, officer_b
):
    client.force_login(officer_a)
    assert "L2511-01" in client.get("/trace/").content.decode()
    assert client.get(f"/trace/batches/{batch_p.pk}/").status_code == 200
    assert client.post(f"/trace/batches/{batch_p.pk}/steps/", {"kind": "packing"}).status_code == 404
    client.force_login(officer_b)
    assert "L2511-01" not in client.get("/trace/").content.decode()
    assert client.get(f"/trace/batches/{batch_p.pk}/").status_code == 404


# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------


def test_the_api_records_batches_and_steps(client, gtins, owner_a):
    client.force_login(owner_a)
    response = client.post(
        "/api/v1/trace/batches",
        {
            "product_id": gtins.p_recognised.pk,
            "lot": "API-1",
            "produced_on": date.today().isoformat(),
            "quantity": "10",
            "unit": "KGM",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["label_uri"] == f"https://ocop.example.vn/01/{GTIN_P}/10/API-1"
    step = client.post(
        f"/api/v1/trace/batches/{body['id']}/steps",
        {"kind": "packing", "happened_at": timezone.now().isoformat(), "province_code": "80"},
        content_type="application/json",
    )
    assert step.status_code == 201, step.content
    assert step.json()["label"] == "Packed"
    detail = client.get(f"/api/v1/trace/batches/{body['id']}").json()
    assert [s["label"] for s in detail["steps"]] == ["Produced", "Packed"]
    listing = client.get("/api/v1/trace/batches").json()
    assert [b["lot"] for b in listing["items"]] == ["API-1"]
    bad = client.post(
        "/api/v1/trace/batches",
        {
            "product_id": gtins.p_recognised.pk,
            "lot": "Lô 1",
            "produced_on": date.today().isoformat(),
            "quantity": "1",
        },
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["loc"] == ["body", "lot"]
