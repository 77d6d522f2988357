"""Every catalogue page costs a fixed number of queries however many products it lists."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from ocop.market import models, services
from ocop.registry.models import Certification, Product, Recognition

pytestmark = pytest.mark.django_db


@pytest.fixture
def grow(records, geo, day, settings):
    """Adds products to P (Tây Ninh) and Q (Phú Thọ) with everything a page may show."""
    point = models.PointOfSale.objects.create(
        name="Điểm OCOP",
        kind="ocop_point",
        address="1 Hùng Vương",
        province=geo.province_a,
        latitude=Decimal("10.5"),
        longitude=Decimal("106.4"),
    )
    fair = models.Fair.objects.create(
        name="Hội chợ",
        starts_on=day,
        ends_on=day + timedelta(days=2),
        province=geo.province_a,
        organiser_province=geo.province_a,
    )

    def add(count):
        for index in range(count):
            producer = records.p if index % 2 else records.q
            product = Product.objects.create(
                producer=producer, name_vi=f"Bánh tráng số {Product.objects.count()}", group="food"
            )
            Recognition.objects.create(
                product=product,
                stars=3 + index % 3,
                level="province",
                recognised_on=day - timedelta(days=30),
                valid_until=day + timedelta(days=900),
            )
            Certification.objects.create(product=product, kind="vietgap")
            models.SupplyCapacity.objects.create(product=product, volume=Decimal(10), volume_unit="kg")
            models.Stock.objects.create(point=point, product=product)
            models.SalesChannel.objects.create(
                producer=producer,
                product=product,
                kind="ecommerce",
                partner="Shopee",
                url="https://s.example",
                started_on=day,
            )
            models.PointOfSale.objects.create(
                name=f"Cửa hàng {index}",
                kind="specialty_shop",
                address="x",
                province=geo.province_a,
                latitude=Decimal("10.6"),
                longitude=Decimal("106.5"),
            )
            participant, _ = models.FairParticipant.objects.get_or_create(fair=fair, producer=producer)
            participant.products.add(product)
            models.Stock.objects.create(point=models.PointOfSale.objects.latest("pk"), product=product)
            enquiry = models.Enquiry.objects.create(
                producer=records.p,
                product=product if producer == records.p else None,
                buyer_kind="shop",
                buyer_organisation=f"Cửa hàng {index}",
                buyer_name="Người mua",
                buyer_email="mua@example.com",
                key=f"k{index}",
            )
            models.EnquiryMessage.objects.create(enquiry=enquiry, side="buyer", body="Xin báo giá sỉ ạ.")
        services.catalogue_refresh()

    add.point, add.fair = point, fair
    return add


def _queries(client, url, **headers) -> int:
    client.get(url, **headers)  # the process keeps the provinces' and product sets' choices a while
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


PAGES = [
    # (url, queries): count, page of entries (with their places), the cards' facts (the
    # products' recognitions, first photos and where they are sold, in one query)
    ("/catalogue/", 3),
    ("/catalogue/?q=banh+trang", 3),
    ("/catalogue/?q=bahn+trag", 5),  # + the vocabulary, + the readings counted
    (
        "/catalogue/?q=banh&province=80&status=all&sold=online&certification=vietgap&stars=4&sort=name",
        4,
    ),  # + communes
    ("/api/v1/market/catalogue?q=banh+trang", 3),
    ("/catalogue/points-of-sale/?province=80", 3),  # provinces, count, page
    ("/catalogue/points-of-sale/?province=80&view=map", 2),
    ("/catalogue/points-of-sale/coverage/", 3),
    ("/catalogue/fairs/", 3),
    ("/api/v1/market/open/products", 3),
    ("/api/v1/market/open/producers", 3),
    ("/api/v1/market/open/points-of-sale", 2),
    ("/api/v1/market/points-of-sale?province=80", 2),
    ("/api/v1/market/coverage", 3),
]


@pytest.mark.parametrize(("url", "expected"), PAGES, ids=[p[0] for p in PAGES])
def test_lists_cost_a_fixed_number_of_queries(client, grow, url, expected):
    grow(3)
    few = _queries(client, url)
    grow(30)
    many = _queries(client, url)
    assert (few, many) == (expected, expected), url


MANAGED = [
    # (who, page, queries), whatever the number of products, points, participants, enquiries
    # and channels they list. Signed-in pages begin with the session, the user and the grants.
    ("officer_a", "/manage/market/", 7),  # + own producers, open enquiries, points, participations
    ("officer_a", "/manage/market/points-of-sale/", 5),  # + count, page
    ("officer_a", "/manage/market/points-of-sale/{point}/edit/", 7),  # + point, provinces, communes, stock
    ("officer_a", "/manage/market/fairs/", 6),  # + count, participations, page
    ("officer_a", "/manage/market/fairs/{fair}/edit/", 9),  # + fair, provinces (3), participants, products
    ("owner_a", "/manage/market/", 6),  # + own producers, open enquiries, participations
    ("owner_a", "/manage/market/enquiries/", 5),  # + count, page
    ("owner_a", "/manage/market/producers/{producer}/channels/", 6),  # + producer, channels, products
]


@pytest.mark.parametrize(("who", "url", "expected"), MANAGED, ids=[f"{m[0]} {m[1]}" for m in MANAGED])
def test_managing_lists_cost_a_fixed_number_of_queries(client, records, grow, request, who, url, expected):
    client.force_login(request.getfixturevalue(who))
    url = url.format(point=grow.point.pk, fair=grow.fair.pk, producer=records.p.pk)
    grow(3)
    few = _queries(client, url)
    grow(30)
    many = _queries(client, url)
    assert (few, many) == (expected, expected), url


def test_detail_pages_cost_a_fixed_number_of_queries(client, records, grow):
    grow(3)
    pages = [
        f"/catalogue/products/{records.p_recognised.pk}/banh-trang-phoi-suong/",
        f"/catalogue/producers/{records.p.pk}/",
        f"/catalogue/points-of-sale/{grow.point.pk}/",
        f"/catalogue/fairs/{grow.fair.pk}/",
        f"/api/v1/market/products/{records.p_recognised.pk}",
    ]
    few = [_queries(client, url) for url in pages]
    grow(30)
    many = [_queries(client, url) for url in pages]
    # product: the product with its producer, places and supply; recognitions, certifications,
    # IP rights, photos; where to buy (2); fairs; other products; whether it takes enquiries.
    # producer: reach, producer, the catalogue's count and page, cards, channels, fairs,
    # enquiries. point: point, stock, recognitions. fair: fair, participants, their products,
    # totals. API product: as the page, without fairs, other products and enquiries.
    assert few == many == [10, 8, 3, 4, 7]


def test_where_to_buy_for_other_apps_costs_two_queries(records, grow):
    grow(10)
    product = Product.objects.select_related("producer").get(
        pk=Product.objects.filter(stocked_at__isnull=False).first().pk
    )
    with CaptureQueriesContext(connection) as captured:
        html = render_to_string("market/_where_to_buy.html", {"product": product})
    assert len(captured) == 2
    assert "Điểm OCOP" in html and "Shopee" in html


def test_checking_an_unchanged_index_costs_a_fixed_number_of_queries(records, grow):
    grow(3)
    with CaptureQueriesContext(connection) as captured:
        report = services.catalogue_refresh()
    assert not report.changed
    # lock the state row, fingerprint, existing entries, stale stamps, save the state; and the
    # transaction's savepoint and its release (inside the test's transaction)
    assert len(captured) == 7, [q["sql"][:70] for q in captured.captured_queries]


def test_counts_are_kept_per_version_of_the_index(
    client, records, officer_a, settings, django_capture_on_commit_callbacks
):
    from ocop.registry import services as registry_services

    with django_capture_on_commit_callbacks(execute=True):
        services.catalogue_refresh()
    assert cache.get(services.VERSION_KEY) is not None
    client.get("/catalogue/")
    assert _queries(client, "/catalogue/") == 2  # the count comes from the cache
    assert "2 products with a valid OCOP recognition" in client.get("/catalogue/").content.decode()
    registry_services.recognition_revoke(
        user=officer_a, recognition=records.r_p, revoked_on=records.r_p.recognised_on, reason="Vi phạm"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.catalogue_refresh()  # a new version: counted afresh
    assert "1 product with a valid OCOP recognition" in client.get("/catalogue/").content.decode()


def test_readings_of_misspelt_queries_are_kept_per_version_of_the_index(
    client, records, officer_a, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.catalogue_refresh()
    # Asked again: the count of the words as typed and their reading come from the cache.
    assert _queries(client, "/catalogue/?q=bahn+trang") == 2  # the page and its cards
    page = client.get("/catalogue/?q=bahn+trang").content.decode()
    assert "showing results for “banh trang”" in page and "1 product found" in page
    from ocop.registry import services as registry_services

    registry_services.recognition_revoke(
        user=officer_a, recognition=records.r_p, revoked_on=records.r_p.recognised_on, reason="Vi phạm"
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.catalogue_refresh()  # a new version: read afresh
    assert "No OCOP product matches" in client.get("/catalogue/?q=bahn+trang").content.decode()


def test_a_page_asked_again_is_read_by_id_and_never_with_stale_stars(
    client, records, officer_a, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.catalogue_refresh()
    first = client.get("/catalogue/?q=banh").content.decode()
    assert _queries(client, "/catalogue/?q=banh") == 2  # the entries by id, and their cards
    again = client.get("/catalogue/?q=banh").content.decode()
    assert re.findall(r'data-product="(\d+)"', again) == re.findall(r'data-product="(\d+)"', first)
    assert "★★★★" in first
    from ocop.registry import services as registry_services

    # Revoked while the index waits for its next check: the kept page still lists the product,
    # as a revoked one.
    registry_services.recognition_revoke(
        user=officer_a, recognition=records.r_p, revoked_on=records.r_p.recognised_on, reason="Vi phạm"
    )
    kept = client.get("/catalogue/?q=banh").content.decode()
    card = kept[kept.index(f'data-product="{records.p_recognised.pk}"') :]
    card = card[: card.index("</article>")]
    assert "★" not in card and "revoked" in card
