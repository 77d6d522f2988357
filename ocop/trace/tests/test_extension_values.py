"""Extension fields hold whatever their senders wrote (EPCIS lets any JSON value stand under a
user's field name): the pages and the API that show a batch's events read them as text, and no
value of any type breaks them."""

import html
import re
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from ocop.trace.models import Event

from .conftest import GTIN_P, gs1_document, lgtin, object_event
from .test_capture import job_of, post

pytestmark = pytest.mark.django_db

NAMESPACE = "https://ocop.example.vn/ns/epcis/"

# value written in every ocop: field -> how a page shows it (place up to 200 characters)
VALUES = {
    "list": (["80"], '["80"]'),
    "object": ({"code": "80", "name": "Tây Ninh"}, '{"code": "80", "name": "Tây Ninh"}'),
    "null": (None, ""),
    "integer": (80, "80"),
    "float": (1.5, "1.5"),
    "boolean": (True, "true"),
    "empty": ("", ""),
    "nested": ([[[["deep"]]]], '[[[["deep"]]]]'),
    "huge-string": ("x" * 100_000, "x" * 199 + "…"),
}


def _shipped(batch, value):
    return object_event(
        eventID="urn:uuid:extension-1",
        epcList=[],
        quantityList=[{"epcClass": lgtin(GTIN_P, batch.lot), "quantity": 5, "uom": "KGM"}],
        **{"ocop:place": value, "ocop:province": value, "ocop:note": value, "ocop:step": value},
    )


def _capture(client, token, event):
    document = gs1_document(event)
    document["@context"].append({"ocop": NAMESPACE})
    job = job_of(client, post(client, document, token), token)
    assert (job["success"], job["errors"]) == (True, [])


def _chain_item(page: str, label: str) -> str:
    chain = re.search(r'<ol class="chain">(.*?)</ol>', page, re.S).group(1)
    (item,) = [li for li in re.findall(r"<li>(.*?)</li>", chain, re.S) if f"<b>{label}</b>" in li]
    return item


@pytest.mark.parametrize(("value", "shown"), list(VALUES.values()), ids=list(VALUES))
def test_any_extension_value_is_shown_as_text(client, batch_p, token_a, owner_a, value, shown):
    _capture(client, token_a, _shipped(batch_p, value))
    assert Event.objects.get(event_id="urn:uuid:extension-1").batch_id == batch_p.pk

    scan = client.get(f"/scan/b/{batch_p.pk}/")
    assert scan.status_code == 200
    item = _chain_item(scan.content.decode(), "Shipped")
    # the place as text, never a province name (a province is named by its code, a string)
    expected_place = f" · {html.escape(shown, quote=True)}" if shown else ""
    assert re.sub(r"^.*</time>", "", item, flags=re.S).split("<div")[0] == expected_place

    client.force_login(owner_a)
    page = client.get(f"/trace/batches/{batch_p.pk}/")
    assert page.status_code == 200
    assert "Shipped" in page.content.decode()

    api = client.get(f"/api/v1/trace/batches/{batch_p.pk}")
    assert api.status_code == 200, api.content
    (step,) = [s for s in api.json()["steps"] if s["label"] == "Shipped"]
    note = shown if len(shown) < 200 else "x" * 499 + "…"
    assert (step["place"], step["province"], step["note"], step["quantity"]) == (
        shown,
        "",
        note,
        "5 kilograms",
    )


def test_a_province_code_still_names_its_province(client, batch_p, token_a, geo):
    _capture(client, token_a, _shipped(batch_p, "80"))
    item = _chain_item(client.get(f"/scan/b/{batch_p.pk}/").content.decode(), "Shipped")
    assert item.endswith(f' · 80, {geo.province_a.name}<div class="muted">5 kilograms</div>')


# Rows an older version may have stored, or written by hand: shapes the schema refuses today.
STORED = {
    "quantity-beyond-a-float": (
        {"quantityList": [{"quantity": 10**400, "uom": "KGM"}]},
        "1" + "0" * 38 + "… kilograms",
    ),
    "quantity-as-text": ({"quantityList": [{"quantity": "năm", "uom": ["KGM"]}]}, 'năm ["KGM"]'),
    "quantity-list-as-object": ({"quantityList": {"quantity": 5}}, ""),
    "quantity-list-as-text": ({"quantityList": "quantity"}, ""),
    "quantity-item-as-list": ({"quantityList": [["quantity", 5]]}, ""),
    "unit-as-object": ({"quantityList": [{"quantity": 2, "uom": {"u": 1}}]}, '2 {"u": 1}'),
}


def _stored(batch, document):
    """A shipping event of ``batch`` stored as older versions may have stored it."""
    Event.objects.create(
        event_type="ObjectEvent",
        event_time=datetime(2025, 11, 3, 2, 30, tzinfo=UTC),
        timezone="+07:00",
        record_time=timezone.now(),
        biz_step="shipping",
        batch=batch,
        producer_id=batch.product.producer_id,
        document=document,
    )


@pytest.mark.parametrize(("document", "quantity"), list(STORED.values()), ids=list(STORED))
def test_stored_events_of_any_shape_leave_the_pages_standing(client, batch_p, owner_a, document, quantity):
    _stored(batch_p, {"type": "ObjectEvent", **document})
    item = _chain_item(client.get(f"/scan/b/{batch_p.pk}/").content.decode(), "Shipped")
    assert item.endswith(f'<div class="muted">{html.escape(quantity)}</div>' if quantity else "</time>")
    client.force_login(owner_a)
    assert client.get(f"/trace/batches/{batch_p.pk}/").status_code == 200
    (step,) = [
        s
        for s in client.get(f"/api/v1/trace/batches/{batch_p.pk}").json()["steps"]
        if s["label"] == "Shipped"
    ]
    assert step["quantity"] == quantity


@pytest.mark.parametrize("document", [["not", "an", "object"], "text", 7], ids=["list", "text", "number"])
def test_a_stored_event_that_is_not_an_object_is_shown_by_its_columns(client, batch_p, owner_a, document):
    _stored(batch_p, document)
    item = _chain_item(client.get(f"/scan/b/{batch_p.pk}/").content.decode(), "Shipped")
    assert item.endswith("03/11/2025 09:30</time>")
    client.force_login(owner_a)
    assert client.get(f"/trace/batches/{batch_p.pk}/").status_code == 200
    assert client.get(f"/api/v1/trace/batches/{batch_p.pk}").status_code == 200
    assert client.get("/epcis/events").status_code == 200


@pytest.mark.parametrize(("value", "shown"), list(VALUES.values()), ids=list(VALUES))
def test_an_events_step_and_place_read_as_text(value, shown):
    event = Event(document={"ocop:step": value, "ocop:place": value})
    assert event.step == (value if isinstance(value, str) else "")  # the platform's words are strings
    assert event.place == (shown if len(shown) < 200 else "x" * 299 + "…")
    assert Event(document=["ocop:place"]).place == Event(document="ocop:step").step == ""
