"""Sales channels: counted over time for the share of producers in modern channels, and used by
the catalogue's "where sold" filter."""

from datetime import timedelta

import pytest

from ocop.market import selectors, services
from ocop.market.models import PointOfSale, SalesChannel, Stock

pytestmark = pytest.mark.django_db


@pytest.fixture
def sellers(records, registry, geo, day):
    """Four producers with valid products (P, Q, R, S) and one whose product expired (T)."""
    r = registry.producer("HTX R", province=geo.province_b)
    s = registry.producer("HTX S")
    t = registry.producer("HTX T")
    registry.product(r, "Sản phẩm R")
    registry.product(s, "Sản phẩm S")
    registry.product(t, "Sản phẩm T", state="expired")
    ago = day - timedelta(days=200)
    SalesChannel.objects.bulk_create(
        [
            SalesChannel(
                producer=records.p,
                kind="ecommerce",
                partner="Shopee",
                url="https://s.example",
                started_on=ago,
            ),
            SalesChannel(producer=records.p, kind="supermarket_chain", partner="GO!", started_on=ago),
            SalesChannel(producer=records.q, kind="export", partner="Nhật Bản", country="JP", started_on=ago),
            SalesChannel(
                producer=r,
                kind="livestream",
                partner="TikTok Shop",
                started_on=ago,
                ended_on=day - timedelta(days=10),
            ),
            SalesChannel(
                producer=s,
                product=None,
                kind="convenience_chain",
                partner="Circle K",
                started_on=day + timedelta(days=5),
            ),
            SalesChannel(
                producer=t, kind="ecommerce", partner="Tiki", url="https://t.example", started_on=ago
            ),
        ]
    )
    return type("Sellers", (), {"r": r, "s": s, "t": t})


def test_the_share_of_ocop_producers_in_modern_channels(sellers, day, geo):
    share = selectors.modern_channel_share(day=day)
    # OCOP producers today: P, Q, R, S (T's product expired). In a modern channel today: only P
    # (Q exports, R's livestream ended, S starts next week, T is not an OCOP producer now).
    assert (share.producers, share.modern) == (4, 1)
    assert share.share == 0.25
    assert share.by_kind == {"ecommerce": 1, "supermarket_chain": 1, "export": 1}
    earlier = selectors.modern_channel_share(day=day - timedelta(days=20))
    assert earlier.modern == 2  # R's livestream was running then
    later = selectors.modern_channel_share(day=day + timedelta(days=6))
    assert later.modern == 2  # S has started
    assert selectors.modern_channel_share(day=day, province=geo.province_b).producers == 2


def test_the_api_gives_the_share(client, sellers):
    data = client.get("/api/v1/market/channel-share?province=80").json()
    assert (data["producers"], data["modern"], data["share"]) == (2, 1, 0.5)
    assert client.get("/api/v1/market/channel-share?province=99").status_code == 422


def test_the_catalogue_filters_by_where_products_are_sold(client, records, sellers, geo, day):
    point = PointOfSale.objects.create(
        name="Siêu thị", kind="supermarket", address="x", province=geo.province_b
    )
    Stock.objects.create(point=point, product=records.q_recognised)
    services.catalogue_refresh()

    def found(sold):
        results = selectors.catalogue_search(selectors.CatalogueFilters(sold=sold), user=None)
        return {e.product.name_vi for e in results.entries.select_related("product")}

    assert found("online") == {"Bánh tráng phơi sương"}
    assert found("supermarket") == {"Bánh tráng phơi sương", "Chè xanh Long Cốc"}
    assert found("export") == {"Chè xanh Long Cốc"}
    assert found("point_of_sale") == {"Chè xanh Long Cốc"}
    page = client.get("/catalogue/?sold=online").content.decode()
    assert "Bánh tráng phơi sương" in page and "Online</span>" in page


def test_each_card_says_where_it_is_sold_as_the_filter_finds_it(client, records, sellers, geo, day):
    """The cards' chips and the "where sold" filter are computed apart (one query for a page
    of cards, conditions for the filter): they must agree, product by product."""
    supermarket = PointOfSale.objects.create(
        name="Siêu thị", kind="supermarket", address="x", province=geo.province_b
    )
    closed = PointOfSale.objects.create(
        name="Cửa hàng đã đóng",
        kind="ocop_point",
        address="y",
        province=geo.province_a,
        closed_on=day - timedelta(days=1),
    )
    Stock.objects.create(point=supermarket, product=records.q_recognised)
    Stock.objects.create(point=closed, product=records.p_recognised)
    services.catalogue_refresh()
    items = client.get("/api/v1/market/catalogue?page_size=100").json()["items"]
    sold = {item["id"]: set(item["sold"]) for item in items}
    # P sells everything online and through a supermarket chain; its shop closed yesterday.
    assert sold[records.p_recognised.pk] == {"online", "supermarket"}
    assert sold[records.q_recognised.pk] == {"export", "point_of_sale", "supermarket"}
    for flag in ("point_of_sale", "supermarket", "online", "export"):
        results = selectors.catalogue_search(selectors.CatalogueFilters(sold=flag), user=None)
        found = set(results.entries.values_list("product_id", flat=True))
        assert found == {pid for pid, flags in sold.items() if flag in flags}, flag


def test_a_card_shows_the_first_photo(client, records):
    from ocop.registry.models import ProductPhoto

    ProductPhoto.objects.create(product=records.p_recognised, image="photos/second.jpg", position=2)
    ProductPhoto.objects.create(product=records.p_recognised, image="photos/first.jpg", position=1)
    ProductPhoto.objects.create(product=records.p_recognised, image="photos/also-first.jpg", position=1)
    services.catalogue_refresh()
    page = client.get("/catalogue/").content.decode()
    card = page[page.index(f'data-product="{records.p_recognised.pk}"') :]
    card = card[: card.index("</article>")]
    assert 'src="/media/photos/first.jpg"' in card
