"""Headless Chromium on the catalogue: a shopper searches on a phone and on a desktop, opens a
product and finds where to buy it.

Skipped, with the reason printed, when Chromium is not installed (.ci/run installs it).
"""

import os
import shutil
from decimal import Decimal

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"),
]

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started after the test database exists (see test_browser)."""
    return live_server


@pytest.fixture
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the sync Playwright API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def stocked(records, geo):
    """The recognised bánh tráng sold at an OCOP point of sale and online; the index built."""
    from datetime import date

    from django.core.cache import cache

    from ocop.market import services
    from ocop.market.models import PointOfSale, SalesChannel, Stock

    point = PointOfSale.objects.create(
        name="Điểm giới thiệu và bán sản phẩm OCOP Tân An",
        kind="ocop_point",
        address="12 Hùng Vương",
        province=geo.province_a,
        commune=geo.a1,
        latitude=Decimal("10.53586"),
        longitude=Decimal("106.40587"),
        opening_hours=[{"days": [0, 1, 2, 3, 4, 5, 6], "opens": "07:30", "closes": "21:00"}],
    )
    Stock.objects.create(point=point, product=records.p_recognised)
    SalesChannel.objects.create(
        producer=records.p,
        kind="ecommerce",
        partner="Postmart",
        url="https://postmart.example/p",
        started_on=date(2025, 1, 1),
    )
    cache.clear()
    services.catalogue_refresh()
    return point


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_shopper_searches_opens_a_product_and_finds_where_to_buy_it(
    live_server, stocked, records, browser, viewport
):
    context = browser.new_context(
        viewport=viewport, locale="vi-VN", extra_http_headers={"Accept-Language": "en"}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/catalogue/")
    filters = page.locator("details.filters-panel")
    assert (filters.get_attribute("open") is None) == (viewport is PHONE)  # folded on a phone

    # Typed without diacritics and with a typo; htmx replaces the results in place.
    search = page.locator("input[type=search][name=q]")
    search.fill("banh trag")
    search.press("Enter")
    page.locator(".note").wait_for()  # "showing results for ..."
    assert "q=banh" in page.url and "province=" not in page.url  # the address can be shared
    card = page.locator(".pcard", has_text="Bánh tráng phơi sương")
    card.wait_for()
    assert "banh trang" in page.locator(".note").inner_text()
    assert "★★★★" in card.inner_text()
    assert page.locator(".pcard", has_text="Mứt dừa non").count() == 0  # never recognised
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]  # fits the screen

    card.locator("h3 a").click()
    page.wait_for_url("**/catalogue/products/**")
    assert page.locator("h1").inner_text() == "Bánh tráng phơi sương"
    assert "★★★★" in page.locator(".status-banner").inner_text()
    where = page.locator("#where-to-buy")
    where.scroll_into_view_if_needed()
    assert where.is_visible()
    assert "Postmart" in where.inner_text()
    where.get_by_role("link", name="Điểm giới thiệu và bán sản phẩm OCOP Tân An").click()
    page.wait_for_url(f"**/catalogue/points-of-sale/{stocked.pk}/")
    assert "Bánh tráng phơi sương" in page.locator("ul.stocked").inner_text()
    assert "07:30-21:00" in page.content()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_map_of_a_province_shows_its_points(live_server, stocked, browser):
    page = browser.new_page(viewport=PHONE)
    # From the country's map to the province's, by its outline.
    page.goto(f"{live_server.url}/catalogue/points-of-sale/?view=map")
    assert page.locator("svg path.unit").count() == 34
    page.locator('svg a[href="?province=80&view=map"] path').click()
    page.wait_for_url("**/points-of-sale/?province=80&view=map")
    svg = page.locator("#map svg").bounding_box()
    assert svg["x"] >= 0 and svg["x"] + svg["width"] <= PHONE["width"]  # fits the phone
    marker = page.locator("svg circle.pt.ocop_point")
    assert marker.count() == 1
    box = marker.bounding_box()
    assert box is not None and box["width"] > 0
    marker.click()
    page.wait_for_url(f"**/catalogue/points-of-sale/{stocked.pk}/")


@pytest.mark.django_db(transaction=True)
def test_the_home_page_is_the_catalogues_front_in_vietnamese(live_server, stocked, browser):
    for viewport in (PHONE, DESKTOP):
        page = browser.new_page(viewport=viewport, extra_http_headers={"Accept-Language": "vi"})
        page.goto(f"{live_server.url}/")
        assert page.locator("html").get_attribute("lang") == "vi"
        # Nothing wider than the screen; the featured products and the provinces' map are there.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert page.locator("#featured-title").inner_text() == "Sản phẩm OCOP tiêu biểu của các tỉnh"
        assert page.locator(".pcard", has_text="Bánh tráng phơi sương").count() == 1  # 4 stars
        assert page.locator(".front-map svg path.unit").count() == 34
        # The home page's search is the catalogue's: misspelt, it is corrected and counted.
        search = page.locator("input[type=search][name=q]")
        search.fill("bahn trang")
        search.press("Enter")
        page.wait_for_url("**/catalogue/?q=bahn+trang")
        assert "banh trang" in page.locator(".note").inner_text()
        assert page.locator(".result-head h2").inner_text() == "Tìm thấy 1 sản phẩm"
        assert page.locator(".pcard", has_text="Bánh tráng phơi sương").count() == 1
        page.close()
