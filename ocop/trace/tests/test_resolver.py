"""The resolver: valid and invalid Digital Link URIs, the redirect and the linkset, counting scans."""

import json

import pytest

from ocop.trace import codes, scans
from ocop.trace.models import ScanCount, ScanFlag

from .conftest import GTIN_P

pytestmark = pytest.mark.django_db

VOC = "https://gs1.org/voc/"


def test_a_label_redirects_to_the_scan_page_of_its_batch(client, batch_p):
    response = client.get(f"/01/{GTIN_P}/10/L2511-01/21/3?17=261231")
    assert response.status_code == 307
    # The query string travels with the redirect (GS1-Conformant Resolver).
    assert response["Location"] == f"/scan/b/{batch_p.pk}/?s=3&17=261231"
    assert response["Cache-Control"] == "public, max-age=300"
    assert "Accept" in response["Vary"]
    assert response["Link"] == (
        f"<http://testserver/01/{GTIN_P}/10/L2511-01/21/3?linkType=linkset>; "
        'rel="linkset"; type="application/linkset+json"'
    )
    assert response["Access-Control-Allow-Origin"] == "*"
    # ... but not over the scan page's own parameters, which only the code decides.
    forged = client.get(f"/01/{GTIN_P}/10/L2511-01/21/3?s=99&unknown=serial&foo=bar")
    assert forged["Location"] == f"/scan/b/{batch_p.pk}/?s=3&foo=bar"
    # A GTIN-13 written without its leading zero is the same product.
    assert client.get(f"/01/{GTIN_P[1:]}/10/L2511-01")["Location"] == f"/scan/b/{batch_p.pk}/"


def test_a_trailing_slash_changes_nothing(client, batch_p):
    plain, slashed = (
        client.get(f"/01/{GTIN_P}/10/L2511-01/21/3"),
        client.get(f"/01/{GTIN_P}/10/L2511-01/21/3/"),
    )
    assert (plain.status_code, plain["Location"]) == (slashed.status_code, slashed["Location"])


def test_options_and_head_are_answered_for_any_web_application(client, batch_p):
    options = client.options(f"/01/{GTIN_P}/10/L2511-01/21/3")
    assert options.status_code == 204
    assert options["Access-Control-Allow-Origin"] == "*"
    assert options["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    head = client.head(f"/01/{GTIN_P}/10/L2511-01/21/3")
    assert (head.status_code, head["Location"], head.content) == (307, f"/scan/b/{batch_p.pk}/?s=3", b"")
    assert client.post(f"/01/{GTIN_P}/10/L2511-01/21/3").status_code == 405


def test_the_resolver_describes_itself(client, gtins):
    response = client.get("/.well-known/gs1resolver")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {
        "name": "OCOP platform resolver",
        "resolverRoot": "https://ocop.example.vn",
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": [{"namespace": "https://gs1.org/voc/", "prefix": "gs1:"}],
        "linkTypeDefaultCanBeLinkset": False,
        "jsonLdContextLocation": "https://ref.gs1.org/standards/resolver/linkset-context",
        "contact": {"fn": "OCOP platform"},
    }


def test_a_product_level_code_redirects_to_the_product(client, gtins):
    response = client.get(f"/01/{GTIN_P}")
    assert (response.status_code, response["Location"]) == (307, f"/scan/p/{gtins.p_recognised.pk}/")


def test_the_platforms_own_codes_resolve_the_same_way(client, batch_draft, records):
    code = codes.encode(records.p_draft.pk)
    response = client.get(f"/t/{code.lower()}/10/MD-01/21/1")
    assert response.status_code == 307
    assert response["Location"] == f"/scan/b/{batch_draft.pk}/?s=1&unknown=serial"  # no labels issued yet
    assert client.get(f"/t/{code}")["Location"] == f"/scan/p/{records.p_draft.pk}/"
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert client.get(f"/t/{wrong}/10/MD-01").status_code == 400


@pytest.mark.parametrize(
    ("path", "status", "text"),
    [
        (f"/01/{GTIN_P[:-1]}{(int(GTIN_P[-1]) + 1) % 10}/10/L2511-01", 400, "check digit"),
        (f"/01/{GTIN_P}/21/3/10/L2511-01", 400, "the order is"),
        (f"/01/{GTIN_P}/99/3", 400, "(99) is not an application identifier"),
        (f"/01/{GTIN_P}/254/3", 400, "cannot qualify (01)"),
        (f"/01/{GTIN_P}/10/" + "L" * 21, 400, "at most 20"),
        ("/01/08935009999999", 404, "No product on the OCOP platform"),
        (f"/01/{GTIN_P}?17=261399", 400, "does not exist"),
    ],
)
def test_invalid_digital_links_get_a_clear_error(client, gtins, path, status, text):
    page = client.get(path)
    assert page.status_code == status
    assert text in page.content.decode()
    assert "<script" not in page.content.decode()
    problem = client.get(path, HTTP_ACCEPT="application/json")
    assert problem.status_code == status
    assert problem["Content-Type"] == "application/problem+json"
    assert text in problem.json()["detail"]


def test_the_linkset_names_the_gs1_link_types(client, batch_p):
    response = client.get(
        f"/01/{GTIN_P}/10/L2511-01/21/3", HTTP_ACCEPT="application/linkset+json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/linkset+json"
    assert "Accept-Language" in response["Vary"]
    assert response["Link"] == (
        "<https://ref.gs1.org/standards/resolver/linkset-context>; "
        'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
    )
    (entry,) = response.json()["linkset"]
    assert entry["anchor"] == f"https://id.gs1.org/01/{GTIN_P}/10/L2511-01/21/3"
    rels = {k.removeprefix(VOC) for k in entry if k != "anchor"}
    assert rels == {"defaultLink", "pip", "certificationInfo", "traceability", "masterData"}
    status = entry[VOC + "certificationInfo"][0]
    assert status["href"] == f"http://testserver/api/v1/trace/products/{batch_p.product_id}/status"
    assert status["type"] == "application/json"
    # The default link: one, with a title and no other attribute.
    assert entry[VOC + "defaultLink"] == [
        {
            "href": f"http://testserver/scan/b/{batch_p.pk}/?s=3",
            "title": "Bánh tráng phơi sương: what the label says and whether it is true",
        }
    ]
    assert entry[VOC + "pip"][0]["hreflang"] == ["en"]
    assert "EPCIS events" in entry[VOC + "traceability"][1]["title"]
    for links in (v for k, v in entry.items() if k != "anchor"):
        for link in links:  # the members GS1's linkset schema allows
            assert set(link) <= {"href", "title", "type", "hreflang"} and isinstance(link["title"], str)
    vietnamese = client.get(f"/01/{GTIN_P}/10/L2511-01?linkType=linkset", HTTP_ACCEPT_LANGUAGE="vi")
    assert vietnamese.status_code == 200
    assert vietnamese.json()["linkset"][0][VOC + "pip"][0]["hreflang"] == ["vi"]
    # The name the standard used before 1.0 still works.
    old_name = client.get(f"/01/{GTIN_P}/10/L2511-01?linkType=all", HTTP_ACCEPT_LANGUAGE="vi")
    assert old_name.json() == vietnamese.json()


def test_a_link_type_asked_for_is_followed(client, batch_p):
    response = client.get(f"/01/{GTIN_P}/10/L2511-01?linkType=gs1:certificationInfo")
    assert response.status_code == 307
    assert response["Location"] == (
        f"http://testserver/api/v1/trace/products/{batch_p.product_id}/status?linkType=gs1:certificationInfo"
    )
    # A browser gets the page among the links of that type; the full URI of the type works too.
    page = client.get(
        f"/01/{GTIN_P}/10/L2511-01?linkType=https://gs1.org/voc/certificationInfo",
        HTTP_ACCEPT="text/html,application/xhtml+xml;q=0.9",
    )
    assert page["Location"] == (
        f"http://testserver/scan/b/{batch_p.pk}/?linkType=https://gs1.org/voc/certificationInfo#status"
    )
    missing = client.get(f"/01/{GTIN_P}?linkType=gs1:recipeInfo")
    assert (missing.status_code, missing["Access-Control-Allow-Origin"]) == (404, "*")


def test_the_status_link_answers_the_live_status(client, batch_p, officer_a, records):
    from datetime import date

    from ocop.registry import services as registry

    url = f"/api/v1/trace/products/{batch_p.product_id}/status"
    body = client.get(url).json()
    assert (body["status"], body["stars"], body["valid_until"]) == (
        "valid",
        4,
        records.r_p.valid_until.isoformat(),
    )
    registry.recognition_revoke(
        user=officer_a, recognition=records.r_p, revoked_on=date.today(), reason="Vi phạm ATTP"
    )
    body = client.get(url).json()
    assert (body["status"], body["stars"], body["revocation_reason"]) == ("revoked", None, "Vi phạm ATTP")


def test_scans_are_counted_per_batch_and_day_without_personal_data(client, batch_p):
    for serial in (1, 2, 2):
        client.get(f"/01/{GTIN_P}/10/L2511-01/21/{serial}", REMOTE_ADDR="203.0.113.9")
    client.get(f"/01/{GTIN_P}/10/L2511-01", HTTP_ACCEPT="application/linkset+json")  # not a shopper's scan
    scans.RECORDER.flush()
    (row,) = ScanCount.objects.all()
    assert (row.batch_id, row.province_id, row.count) == (batch_p.pk, None, 3)
    stored = json.dumps(list(ScanCount.objects.values()), default=str) + json.dumps(
        list(ScanFlag.objects.values()), default=str
    )
    assert "203.0.113.9" not in stored


def test_codes_never_issued_are_flagged(client, batch_p):
    assert (
        client.get(f"/01/{GTIN_P}/10/L2511-01/21/11")["Location"]
        == f"/scan/b/{batch_p.pk}/?s=11&unknown=serial"
    )
    unknown_lot = client.get(f"/01/{GTIN_P}/10/FAKE-LOT/21/1")
    assert unknown_lot["Location"] == f"/scan/p/{batch_p.product_id}/?unknown=lot"
    assert unknown_lot["Cache-Control"] == "public, max-age=30"
    client.get(f"/01/{GTIN_P}/10/L2511-01/21/10")  # issued: no flag
    scans.RECORDER.flush()
    flags = sorted(ScanFlag.objects.values_list("kind", "code", "count"))
    assert flags == [
        ("never_issued", f"/01/{GTIN_P}/10/FAKE-LOT/21/1", 1),
        ("never_issued", f"/01/{GTIN_P}/10/L2511-01/21/11", 1),
    ]


def test_scans_of_revoked_or_expired_products_are_flagged_within_the_cache_time(
    client, batch_p, officer_a, records, settings
):
    from datetime import date

    from django.core.cache import cache

    from ocop.registry import services as registry

    # What the resolver caches about a code expires in 30 seconds by default.
    assert settings.OCOP_TRACE_RESOLVE_CACHE_SECONDS <= 30
    client.get(f"/01/{GTIN_P}/10/L2511-01/21/1")
    registry.recognition_revoke(
        user=officer_a, recognition=records.r_p, revoked_on=date.today(), reason="Thu hồi"
    )
    cache.clear()  # what 30 seconds do
    client.get(f"/01/{GTIN_P}/10/L2511-01/21/2")
    client.get(f"/01/{GTIN_P}/10/L2511-01/21/3")
    scans.RECORDER.flush()
    (flag,) = ScanFlag.objects.all()
    assert (flag.kind, flag.batch_id, flag.count) == ("revoked", batch_p.pk, 2)


def test_a_lot_with_an_encoded_slash_is_read_from_the_raw_address(client, gtins, owner_a):
    from datetime import date
    from decimal import Decimal

    from ocop.trace import services

    batch = services.batch_create(
        user=owner_a, product=gtins.p_recognised, lot="A/B", produced_on=date.today(), quantity=Decimal(1)
    )
    response = client.get(f"/01/{GTIN_P}/10/A/B", RAW_URI=f"/01/{GTIN_P}/10/A%2FB")
    assert response["Location"] == f"/scan/b/{batch.pk}/"
