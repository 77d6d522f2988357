"""The public front: the home page is the catalogue's (one search, with its corrections, counts
and pages), shows products spread over provinces and groups, and the registry's old product
page moved for good to the catalogue's."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ocop.market import services
from ocop.market.selectors.front import spread
from ocop.registry.models import Recognition

pytestmark = pytest.mark.django_db


@pytest.fixture
def vi_client():
    return Client(HTTP_ACCEPT_LANGUAGE="vi")


@pytest.fixture
def stalls(registry, geo):
    """Many products of one cooperative in province A, recognised lately, named first in the
    alphabet; fewer and older in province B, of other groups."""
    a = registry.producer("Hợp tác xã Bánh tráng Trảng Bàng")
    b = registry.producer("Công ty TNHH Ong Vàng", province=geo.province_b, kind="enterprise")
    products = [registry.product(a, f"Bánh tráng số {n:02d}", stars=4) for n in range(26)]
    products += [
        registry.product(b, "Xoài sấy dẻo", stars=4, group="food"),
        registry.product(b, "Rượu mật ong rừng", stars=5, group="drinks"),
        registry.product(b, "Trà hoa vàng", stars=4, group="herbal"),
    ]
    today = registry.today
    for age, product in enumerate(products):
        # The bánh tráng the newest; province B's products the oldest.
        Recognition.objects.filter(product=product).update(recognised_on=today - timedelta(days=10 + age))
    services.catalogue_refresh()
    return products


def test_a_misspelt_search_on_the_home_page_is_the_catalogues_with_its_count_and_pages(stalls, client):
    response = client.get("/", {"q": "bahn trang"}, follow=True)
    assert response.redirect_chain == [("/catalogue/?q=bahn+trang", 302)]
    page = response.content.decode()
    assert "Bánh tráng số 00" in page
    assert "showing results for “banh trang”" in page
    assert "26 products found" in page
    assert "Page 1 of 2" in page
    # The next page's link carries its number (it once read "page=" with none).
    assert 'href="?q=bahn+trang&page=2"' in page
    assert len(response.context["cards"]) == 24


def test_the_home_page_search_submits_to_the_catalogue(stalls, vi_client):
    page = vi_client.get("/").content.decode()
    assert 'action="/catalogue/"' in page and 'name="q"' in page


def test_featured_products_come_from_several_provinces_and_groups(stalls, vi_client, geo):
    front = vi_client.get("/").context["front"]
    featured = front.featured
    assert len(featured) == 8
    provinces = {card.entry.province_id for card in featured}
    assert provinces == {geo.province_a.pk, geo.province_b.pk}
    assert {card.entry.group for card in featured} >= {"food", "herbal"}
    # Not the first eight in alphabetical order (all "Bánh tráng"), nor the newest eight.
    assert [c.name for c in featured] != sorted(c.name for c in featured)[:8] or len(provinces) > 1
    # The newest 5-star product has its own block and is not repeated among the featured.
    assert [card.name for card in front.new_five_star] == ["Rượu mật ong rừng"]
    assert "Rượu mật ong rừng" not in {card.name for card in featured}
    assert front.total == 29 and front.five_star_total == 1


def test_the_front_speaks_vietnamese_and_maps_the_provinces(stalls, vi_client, geo):
    page = vi_client.get("/").content.decode()
    assert '<html lang="vi">' in page
    assert "Sản phẩm 5 sao mới công nhận" in page
    assert f'href="/catalogue/?province={geo.province_a.code}"' in page
    assert f"{geo.province_a.name}: 26 sản phẩm" in page
    # The cards link to the catalogue's product page.
    assert f'href="/catalogue/products/{stalls[-2].pk}/ruou-mat-ong-rung/"' in page


def test_spreading_takes_new_provinces_and_groups_first():
    rows = [(1, 10, "food"), (2, 10, "food"), (3, 10, "drinks"), (4, 20, "food"), (5, 30, "herbal")]
    assert spread(rows, 3) == [1, 5, 4]
    assert spread(rows, 5) == [1, 5, 4, 2, 3]
    assert spread(rows, 9) == [1, 5, 4, 2, 3]


def test_the_old_product_page_moved_for_good_to_the_catalogues_keeping_the_language(stalls, client):
    product = stalls[-2]
    response = client.get(f"/products/{product.pk}/", {"lang": "en"})
    assert response.status_code == 301
    assert response.url == f"/catalogue/products/{product.pk}/ruou-mat-ong-rung/?lang=en"
    assert (
        client.get(f"/products/{product.pk}/").url == f"/catalogue/products/{product.pk}/ruou-mat-ong-rung/"
    )


def test_an_old_address_of_a_product_not_in_the_catalogue_is_still_not_found(registry, client):
    draft = registry.product(registry.producer(), "Mứt dừa non", state=None)
    assert client.get(f"/products/{draft.pk}/").status_code == 404
    assert client.get("/products/999999/").status_code == 404


def test_the_front_reads_a_fixed_number_of_queries_however_many_products(stalls, registry, client):
    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    queries()  # the provinces' names, kept by the process for minutes
    few = queries()
    more = registry.producer("HTX Thêm", province=stalls[-1].producer.province)
    for n in range(10):
        registry.product(more, f"Mắm tôm {n}", stars=5)
    services.catalogue_refresh()
    # Counts of the valid and the 5-star products, the newest 5-star page, the featured pool
    # and rows, the cards of both lists (one query), the provinces' numbers.
    assert few == queries() == 7
    # Once the index's version is known (an index refresh committed), the counts, the pages'
    # ids, the featured ids and the provinces' numbers are kept: the rows and cards are read.
    cache.set(services.VERSION_KEY, 1)
    queries()
    assert queries() == 3
