"""Open data: downloads round-trip (the CSV parses and matches the API), a stated licence, and
``changes_since`` for those who mirror the data."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from ocop.market import opendata, selectors, services
from ocop.market.models import PointOfSale, Stock
from ocop.registry import services as registry_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(records, registry, geo):
    records.p.representative, records.p.phone, records.p.email = (
        "Nguyễn Văn Ba",
        "0909 000 111",
        "p@example.vn",
    )
    records.p.save()
    records.expired = registry.product(
        records.p, "Nước mắm cốt", stars=4, state="expired", gtin="08938505974194"
    )
    records.revoked = registry.product(
        records.q, "Trà hoa vàng", stars=3, state="revoked", name_en="Golden camellia tea"
    )
    records.point = registry.point(
        "Điểm OCOP Tân An",
        opening_hours=[{"days": [0, 1, 2, 3, 4], "opens": "07:30", "closes": "21:00"}],
        phone="0272 382 1234",
    )
    records.shop = PointOfSale.objects.create(
        name="Cửa hàng đặc sản", kind="specialty_shop", address="Chợ", province=geo.province_b
    )
    Stock.objects.create(point=records.point, product=records.p_recognised)
    return records


def _csv(client, dataset, query=""):
    response = client.get(f"/open-data/{dataset}.csv{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _api(client, dataset, query=""):
    response = client.get(f"/api/v1/market/open/{dataset}?page_size=1000{query}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize("dataset", ["products", "producers", "points-of-sale"])
def test_the_csv_parses_and_matches_the_api(client, world, dataset):
    rows = _csv(client, dataset)
    api = _api(client, dataset)
    assert api["licence"]["name"] == "CC-BY-4.0" and api["count"] == len(rows) > 0
    assert list(rows[0]) == opendata.DATASETS[dataset].names
    assert [{k: str(opendata.cell(v)) for k, v in item.items()} for item in api["items"]] == rows
    download = json.loads(client.get(f"/open-data/{dataset}.json").content)
    assert download["items"] == api["items"] and download["licence"] == api["licence"]


def test_the_products_file_tells_the_live_status_and_stars_only_when_valid(client, world):
    rows = {int(r["id"]): r for r in _csv(client, "products")}
    assert set(rows) == {world.p_recognised.pk, world.q_recognised.pk, world.expired.pk, world.revoked.pk}
    assert (rows[world.p_recognised.pk]["status"], rows[world.p_recognised.pk]["stars"]) == ("valid", "4")
    assert (rows[world.expired.pk]["status"], rows[world.expired.pk]["stars"]) == ("expired", "")
    assert (rows[world.revoked.pk]["status"], rows[world.revoked.pk]["stars"]) == ("revoked", "")
    assert rows[world.revoked.pk]["revoked_on"] == str(world.revoked.recognitions.get().revoked_on)
    assert rows[world.expired.pk]["gtin"] == "08938505974194"
    assert [int(r["id"]) for r in _csv(client, "products", "?status=valid")] == sorted(
        [world.p_recognised.pk, world.q_recognised.pk]
    )
    assert {r["province_code"] for r in _csv(client, "products", "?province=25")} == {"25"}


def test_a_name_that_looks_like_a_formula_is_text_in_the_csv_and_exact_in_json(client, world, registry):
    name = '=HYPERLINK("http://x","y")'
    product = registry.product(world.p, name, stars=3)
    rows = {int(r["id"]): r for r in _csv(client, "products")}
    assert rows[product.pk]["name_vi"] == "'" + name  # a spreadsheet shows it, never runs it
    items = {item["id"]: item for item in _api(client, "products")["items"]}
    assert items[product.pk]["name_vi"] == name


def test_no_personal_data_in_the_producers_file(client, world):
    text = client.get("/open-data/producers.csv").content.decode("utf-8-sig")
    for secret in ("Nguyễn Văn Ba", "0909 000 111", "p@example.vn", "0100233488"):
        assert secret not in text
    assert "Hợp tác xã Nông nghiệp Phú Cần" in text


def test_the_licence_is_stated_in_the_page_the_files_and_the_package(client, world):
    page = client.get("/open-data/").content.decode()
    assert "Creative Commons Attribution 4.0 International" in page and 'rel="license"' in page
    package = client.get("/open-data/datapackage.json").json()
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert [r["name"] for r in package["resources"]] == ["products", "producers", "points-of-sale"]
    assert [f["name"] for f in package["resources"][0]["schema"]["fields"]] == opendata.PRODUCTS.names


def test_changes_since_gives_what_a_mirror_must_fetch_again(
    client, world, officer_a, officer_b, registry, geo
):
    untouched = _api(client, "products")["generated_at"]
    assert _api(client, "products", f"&changes_since={untouched}")["count"] == 0

    registry_services.product_update(
        user=officer_a, product=world.p_recognised, data={"name_vi": "Bánh tráng phơi sương Trảng Bàng"}
    )
    # Revoked today with a date in the past: the mirror must learn of it anyway.
    registry_services.recognition_revoke(
        user=officer_b,
        recognition=world.r_q,
        revoked_on=world.r_q.recognised_on + timedelta(days=30),
        reason="Không tái đánh giá",
    )
    registry_services.recognition_record(
        user=officer_a, product=world.p_draft, stars=3, recognised_on=timezone.localdate(), level="province"
    )
    changed = _api(client, "products", f"&changes_since={untouched}")
    assert {i["id"] for i in changed["items"]} == {
        world.p_recognised.pk,
        world.q_recognised.pk,
        world.p_draft.pk,
    }
    assert changed["changes_since"] is not None
    csv_ids = {
        int(r["id"]) for r in _csv(client, "products", f"?changes_since={untouched.replace('+', '%2B')}")
    }
    assert csv_ids == {i["id"] for i in changed["items"]}
    producers = _api(client, "producers", f"&changes_since={untouched}")
    assert {i["id"] for i in producers["items"]} == {world.p.pk, world.q.pk}

    # Points: edited, or given a product.
    services.stock_add(user=officer_b, point=world.shop, product=world.q_recognised)
    points = _api(client, "points-of-sale", f"&changes_since={untouched}")
    assert [i["id"] for i in points["items"]] == [world.shop.pk]


def test_a_recognition_ending_with_time_is_a_change(world):
    recognition = world.r_p
    since = timezone.now()
    ended = recognition.valid_until + timedelta(days=1)
    assert world.p_recognised.pk not in selectors.changed_product_ids(since, day=recognition.valid_until)
    assert world.p_recognised.pk in selectors.changed_product_ids(since, day=ended)


def test_a_bad_changes_since_is_refused(client, world):
    assert client.get("/open-data/products.csv?changes_since=yesterday").status_code == 400
    response = client.get("/api/v1/market/open/products?changes_since=yesterday")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "changes_since"]


def test_dates_alone_are_midnight_in_viet_nam():
    since = opendata.parse_since("2026-01-31")
    assert since.isoformat() == "2026-01-31T00:00:00+07:00"
    assert opendata.parse_since("2026-01-31T08:00:00 07:00").isoformat() == "2026-01-31T08:00:00+07:00"
    assert opendata.parse_since("") is None
