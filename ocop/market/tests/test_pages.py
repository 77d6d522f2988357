"""The catalogue's pages as shoppers, buyers, officers and producers use them."""

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client

from ocop.accounts.models import AuditEvent
from ocop.concurrency import token
from ocop.market import services
from ocop.market.models import Fair, FairParticipant, PointOfSale, SalesChannel, Stock, SupplyCapacity
from ocop.registry.models import Certification

pytestmark = pytest.mark.django_db


def _json_ld(page: str) -> dict:
    return json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))


@pytest.fixture
def shop(records, registry):
    point = registry.point(
        "Điểm giới thiệu và bán sản phẩm OCOP Tân An",
        opening_hours=[{"days": [0, 1, 2, 3, 4, 5, 6], "opens": "07:30", "closes": "21:00"}],
    )
    Stock.objects.create(point=point, product=records.p_recognised)
    return point


def test_the_product_page_has_its_story_supply_channels_and_where_to_buy(client, records, shop, day):
    product = records.p_recognised
    product.name_en, product.description_en = (
        "Dew-dried rice paper",
        "Thin rice paper dried in the night dew.",
    )
    product.description_vi, product.gtin = "Bánh tráng phơi sương truyền thống.", "08938505974194"
    product.save()
    Certification.objects.create(
        product=product, kind="vietgap", number="VG-1", expires_on=day + timedelta(days=90)
    )
    SupplyCapacity.objects.create(
        product=product,
        volume=Decimal(1500),
        volume_unit="kg",
        period="month",
        minimum_order=Decimal(50),
        minimum_order_unit="kg",
        lead_time_days=7,
    )
    SalesChannel.objects.create(
        producer=records.p,
        kind="ecommerce",
        partner="Shopee",
        url="https://shopee.example/phucan",
        started_on=day,
    )
    SalesChannel.objects.create(
        producer=records.p, kind="export", partner="Nhật Bản", country="JP", started_on=day
    )
    SalesChannel.objects.create(
        producer=records.p,
        kind="supermarket_chain",
        partner="Co.opmart",
        started_on=day - timedelta(days=400),
        ended_on=day - timedelta(days=1),
    )

    old = client.get(f"/catalogue/products/{product.pk}/")
    assert old.status_code == 301 and old.url == f"/catalogue/products/{product.pk}/banh-trang-phoi-suong/"
    page = client.get(old.url).content.decode()
    assert "<h1>Dew-dried rice paper</h1>" in page  # English where the producer gave it
    assert "Thin rice paper dried in the night dew." in page
    # Grouped the English way on an English page ("1.500 kg" would read as one and a half).
    assert "Volume: 1,500 kg per month" in page and "Minimum order: 50 kg" in page
    assert "Delivered within 7 days of the order" in page
    where = page[page.index('id="where-to-buy"') :]
    assert "Điểm giới thiệu và bán sản phẩm OCOP Tân An" in where and "Every day: 07:30-21:00" in where
    assert 'href="https://shopee.example/phucan" rel="nofollow noopener ugc"' in where
    # The export market typed "Nhật Bản" (JP) is "Japan" to an English reader.
    assert "<li>Japan</li>" in where and "Co.opmart" not in where  # that channel has ended
    assert 'property="og:title" content="Dew-dried rice paper — OCOP 4★"' in page
    assert 'rel="canonical"' in page
    data = _json_ld(page)
    assert data["@type"] == "Product" and data["name"] == "Dew-dried rice paper"
    assert data["alternateName"] == "Bánh tráng phơi sương" and data["gtin14"] == "08938505974194"
    assert data["additionalProperty"][0] == {"@type": "PropertyValue", "name": "OCOP stars", "value": 4}
    assert data["hasCertification"][0]["name"] == "VietGAP"
    assert data["manufacturer"]["name"] == records.p.name

    vi = Client(HTTP_ACCEPT_LANGUAGE="vi").get(old.url).content.decode()
    assert "<h1>Bánh tráng phơi sương</h1>" in vi and "Bánh tráng phơi sương truyền thống." in vi
    assert "<li>Nhật Bản</li>" in vi
    assert "1.500 kg" in vi  # and the Vietnamese way on a Vietnamese one


def test_a_revoked_products_page_claims_no_stars_anywhere(client, records, officer_b):
    from ocop.registry import services as registry_services

    registry_services.recognition_revoke(
        user=officer_b, recognition=records.r_q, revoked_on=records.r_q.recognised_on, reason="Vi phạm"
    )
    page = client.get(f"/catalogue/products/{records.q_recognised.pk}/che-xanh-long-coc/").content.decode()
    banner = page[page.index("status-banner") : page.index("</section>")]
    assert "OCOP recognition revoked" in banner and "★" not in banner
    data = _json_ld(page)
    assert "award" not in data and "additionalProperty" not in data
    assert "OCOP" not in re.search(r'og:title" content="([^"]*)"', page).group(1)


def test_a_revocation_to_come_shortens_the_validity_everywhere(client, records, officer_b, day):
    """Revoked from a day still to come: the stars hold until then, and every surface says the
    recognition ends the day before, not on its original expiry."""
    from ocop.registry import services as registry_services

    registry_services.recognition_revoke(
        user=officer_b, recognition=records.r_q, revoked_on=day + timedelta(days=10), reason="Vi phạm"
    )
    services.catalogue_refresh()
    last = day + timedelta(days=9)
    page = client.get(f"/catalogue/products/{records.q_recognised.pk}/che-xanh-long-coc/").content.decode()
    banner = page[page.index("status-banner") : page.index("</section>")]
    assert "★" in banner and f"valid until {last:%d/%m/%Y}" in banner
    data = _json_ld(page)
    assert data["additionalProperty"][1]["value"] == last.isoformat() and last.isoformat() in data["award"]
    api = client.get(f"/api/v1/market/products/{records.q_recognised.pk}").json()
    assert (api["stars"], api["valid_until"]) == (records.r_q.stars, last.isoformat())
    item = client.get("/api/v1/market/catalogue?q=che+xanh").json()["items"][0]
    assert item["valid_until"] == last.isoformat()


def test_unrecognised_products_are_not_in_the_catalogue(client, records):
    assert client.get(f"/catalogue/products/{records.p_draft.pk}/mut-dua-non/").status_code == 404
    assert client.get(f"/api/v1/market/products/{records.p_draft.pk}").status_code == 404


def test_the_producer_page_shows_products_and_channels_but_no_contacts(client, records, registry, day):
    records.p.phone, records.p.email, records.p.representative = (
        "0909 123 456",
        "p@example.vn",
        "Nguyễn Văn Ba",
    )
    records.p.description_en = "A cooperative of rice-paper makers."
    records.p.save()
    registry.product(records.p, "Bánh tráng dẻo", state="expired")
    SalesChannel.objects.create(producer=records.p, kind="livestream", partner="TikTok Shop", started_on=day)
    services.catalogue_refresh()
    page = client.get(f"/catalogue/producers/{records.p.pk}/").content.decode()
    assert "Bánh tráng phơi sương" in page and "Bánh tráng dẻo" in page and "Mứt dừa non" not in page
    assert "A cooperative of rice-paper makers." in page and "TikTok Shop" in page
    for secret in ("0909 123 456", "p@example.vn", "Nguyễn Văn Ba", "0100233488"):
        assert secret not in page
    assert "Ask for a quote" in page
    assert f'<link rel="canonical" href="http://testserver/catalogue/producers/{records.p.pk}/">' in page
    assert 'property="og:description" content="Cooperative, ' in page
    data = _json_ld(page)
    assert (data["@type"], data["name"]) == ("Organization", records.p.name)
    assert data["description"] == "A cooperative of rice-paper makers."
    offered = [offer["itemOffered"]["name"] for offer in data["makesOffer"]]
    assert offered == ["Bánh tráng dẻo", "Bánh tráng phơi sương"]  # no stars claimed here
    assert "★" not in json.dumps(data, ensure_ascii=False)


def test_points_of_sale_list_map_coverage_and_detail(client, records, shop, geo):
    PointOfSale.objects.create(
        name="Siêu thị Phú Thọ", kind="supermarket", address="Việt Trì", province=geo.province_b
    )
    listing = client.get("/catalogue/points-of-sale/?province=80").content.decode()
    assert "Điểm giới thiệu và bán sản phẩm OCOP Tân An" in listing and "Siêu thị Phú Thọ" not in listing
    drawn = client.get("/catalogue/points-of-sale/?province=80&view=map").content.decode()
    assert re.search(r'<circle class="pt ocop_point" cx="[\d.]+" cy="[\d.]+"', drawn)
    assert "Tân An</text>" in drawn  # the province's centre, from ocop/geo/data/province_centres.csv
    assert drawn.count('<path class="unit" d="M') == 1  # its outline, from the geography data
    country = client.get("/catalogue/points-of-sale/?view=map").content.decode()
    # Every province drawn, each a link to its own map.
    assert len(re.findall(r'<a href="\?province=\d\d&amp;view=map"><path class="unit"', country)) == 34
    coverage = client.get("/catalogue/points-of-sale/coverage/").content.decode()
    assert "1 of 34 provinces have at least one OCOP introduction and sales point" in coverage
    detail = client.get(f"/catalogue/points-of-sale/{shop.pk}/").content.decode()
    assert "Bánh tráng phơi sương" in detail and "★★★★" in detail and "07:30-21:00" in detail


def test_an_officer_registers_a_point_from_its_address_and_lists_products(client, records, officer_a, geo):
    client.force_login(officer_a)
    response = client.post(
        "/manage/market/points-of-sale/new/",
        {
            "name": "Cửa hàng OCOP Tân An",
            "kind": "ocop_point",
            "address": "5 Nguyễn Huệ",
            "commune": geo.a1.pk,
            "hours_text": "T2-T7 7:00-21:00; CN 8h-12h",
            "latitude": "10.54",
            "longitude": "106.41",
        },
    )
    point = PointOfSale.objects.get(name="Cửa hàng OCOP Tân An")
    assert response.status_code == 302 and (point.province, point.commune) == (geo.province_a, geo.a1)
    assert point.opening_hours[1] == {"days": [6], "opens": "08:00", "closes": "12:00"}
    assert AuditEvent.objects.filter(action="point.create", object_id=str(point.pk)).count() == 1

    client.post(
        f"/manage/market/points-of-sale/{point.pk}/stock/",
        {"product": f"/catalogue/products/{records.q_recognised.pk}/x/"},
    )
    client.post(f"/manage/market/points-of-sale/{point.pk}/stock/", {"product": str(records.p_draft.pk)})
    assert list(point.stock.values_list("product", flat=True)) == [records.q_recognised.pk]
    # Bad hours are explained on the form; nothing is saved.
    bad = client.post(
        f"/manage/market/points-of-sale/{point.pk}/edit/",
        {
            "name": point.name,
            "kind": "ocop_point",
            "address": point.address,
            "hours_text": "T9 8-17",
            "version": token(PointOfSale.objects.get(pk=point.pk)),
        },
    )
    assert "a day is not understood" in bad.content.decode()


def test_an_officer_cannot_place_a_point_in_another_province(client, officer_a, geo):
    client.force_login(officer_a)
    response = client.post(
        "/manage/market/points-of-sale/new/",
        {"name": "Siêu thị", "kind": "supermarket", "address": "Việt Trì", "province": geo.province_b.pk},
    )
    assert response.status_code == 200 and not PointOfSale.objects.exists()


def test_producers_keep_their_supply_figures_and_channels(client, records, owner_a, day):
    client.force_login(owner_a)
    product = records.p_recognised
    saved = client.post(
        f"/manage/market/products/{product.pk}/supply/",
        {
            "volume": "2000",
            "volume_unit": "kg",
            "period": "season",
            "season_from_month": "5",
            "season_to_month": "8",
            "minimum_order": "100",
            "minimum_order_unit": "kg",
            "lead_time_days": "10",
            "accepts_enquiries": "on",
        },
    )
    assert saved.status_code == 302
    assert (product.supply.volume, product.supply.season_to_month) == (Decimal(2000), 8)
    half = client.post(
        f"/manage/market/products/{product.pk}/supply/",
        {"volume": "5", "period": "season", "season_from_month": "5", "version": token(product.supply)},
    )
    assert "Give both months of the season" in half.content.decode()

    added = client.post(
        f"/manage/market/producers/{records.p.pk}/channels/",
        {"kind": "ecommerce", "partner": "Shopee", "url": "shopee.vn/phucan", "started_on": str(day)},
    )
    assert added.status_code == 302
    channel = SalesChannel.objects.get()
    assert channel.url == "https://shopee.vn/phucan"
    no_link = client.post(
        f"/manage/market/producers/{records.p.pk}/channels/", {"kind": "webshop", "partner": "Web"}
    )
    assert "Give the link to the shop." in no_link.content.decode()
    client.post(f"/manage/market/channels/{channel.pk}/end/")
    channel.refresh_from_db()
    assert channel.ended_on == day
    # Another producer's staff reach neither.
    assert client.get(f"/manage/market/producers/{records.q.pk}/channels/").status_code == 404
    assert client.get(f"/manage/market/products/{records.q_recognised.pk}/supply/").status_code == 404


def test_a_fair_with_participants_and_sales_reported_after(client, records, officer_a, owner_a, geo, day):
    client.force_login(officer_a)
    created = client.post(
        "/manage/market/fairs/new/",
        {
            "name": "Hội chợ OCOP Tây Ninh",
            "kind": "fair",
            "starts_on": str(day - timedelta(days=3)),
            "ends_on": str(day - timedelta(days=1)),
            "province": geo.province_a.pk,
            "organiser_province": geo.province_a.pk,
            "is_published": "on",
        },
    )
    fair = Fair.objects.get()
    assert created.status_code == 302
    client.post(
        f"/manage/market/fairs/{fair.pk}/participants/",
        {"producer": records.p.pk, "booth": "B01", "products": str(records.p_recognised.pk)},
    )
    client.post(f"/manage/market/fairs/{fair.pk}/participants/", {"producer": records.q.pk, "booth": "B01"})
    participant = FairParticipant.objects.get()  # booth B01 was taken for the second
    assert list(participant.products.all()) == [records.p_recognised]

    client.force_login(owner_a)  # the participant reports its own sales
    reported = client.post(
        f"/manage/market/participants/{participant.pk}/sales/", {"sales_vnd": "45000000", "contracts": "3"}
    )
    assert reported.status_code == 302
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/catalogue/fairs/{fair.pk}/").content.decode()
    assert "45,000,000 ₫" in page and "sales reported by 1 participant" in page and "B01" in page
    assert (
        "45.000.000 ₫"
        in Client(HTTP_ACCEPT_LANGUAGE="vi").get(f"/catalogue/fairs/{fair.pk}/").content.decode()
    )
    assert client.get(f"/manage/market/fairs/{fair.pk}/edit/").status_code == 404  # not theirs to edit


def test_the_htmx_catalogue_returns_only_the_results(client, records):
    services.catalogue_refresh()
    partial = client.get("/catalogue/?q=banh+trang&province=80", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and "Bánh tráng phơi sương" in partial
    assert 'hx-swap-oob="outerHTML:#id_commune"' in partial  # the commune list follows the province
    full = client.get("/catalogue/?q=banh+trang").content.decode()
    assert "<html" in full and 'placeholder="Product, producer or place' in full
