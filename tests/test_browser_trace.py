"""Headless Chromium on a phone-sized screen: a shopper scans a label and reads the truth.

Skipped, with the reason printed in the test header and summary, when Chromium is not
installed (.ci/run installs it).
"""

import os
import shutil
from datetime import date, timedelta
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
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started after the test database exists."""
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


@pytest.mark.django_db(transaction=True)
def test_a_shopper_scans_a_label_on_a_phone_and_sees_the_live_status(
    live_server, records, owner_a, officer_a, browser
):
    from ocop.registry import services as registry
    from ocop.trace import digitallink as dl
    from ocop.trace import services

    gtin = "0893500123456" + dl.check_digit("0893500123456")
    records.p_recognised.gtin = gtin
    records.p_recognised.save(update_fields=["gtin"])
    batch = services.batch_create(
        user=owner_a,
        product=records.p_recognised,
        lot="L2511-01",
        produced_on=date.today() - timedelta(days=10),
        quantity=Decimal(200),
        raw_material_area="Ấp Bình Hòa",
    )
    services.labels_issue(user=owner_a, batch=batch, count=5)
    label = f"{live_server.url}/01/{gtin}/10/L2511-01/21/3"

    # A phone that runs no script at all: the page must be readable without it.
    context = browser.new_context(viewport=PHONE, locale="en-US", java_script_enabled=False, is_mobile=True)
    page = context.new_page()
    page.goto(label)
    assert page.url == f"{live_server.url}/scan/b/{batch.pk}/?s=3"
    status = page.locator("#status")
    assert "valid" in status.get_attribute("class")
    assert "OCOP 4-star product" in status.inner_text()
    assert "★★★★" in status.inner_text()
    box = status.bounding_box()
    assert box["y"] < 120 and box["width"] <= PHONE["width"]  # stated plainly at the top
    assert page.locator("h1").inner_text() == "Bánh tráng phơi sương"
    assert page.locator("ol.chain li").count() == 1  # produced

    registry.recognition_revoke(
        user=officer_a, recognition=records.r_p, revoked_on=date.today(), reason="Vi phạm an toàn thực phẩm"
    )
    page.reload()
    status = page.locator("#status")
    assert "revoked" in status.get_attribute("class")
    assert "OCOP recognition revoked" in status.inner_text()
    assert "Vi phạm an toàn thực phẩm" in status.inner_text()
    assert "★" not in status.inner_text()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_scan_page_fits_a_360_pixel_screen(live_server, records, owner_a, browser):
    from ocop.trace import services

    batch = services.batch_create(
        user=owner_a,
        product=records.p_recognised,
        lot="L-LONG-LOT-NUMBER-01",
        produced_on=date.today(),
        quantity=Decimal(1),
    )
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/scan/b/{batch.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("html").get_attribute("lang") == "vi"
    context.close()


@pytest.mark.django_db(transaction=True)
def test_a_producer_records_a_batch_and_a_step_on_a_phone(live_server, records, owner_a, browser):
    from ocop.trace.models import Batch, Event

    context = browser.new_context(viewport=PHONE, locale="en-US", is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/trace/batches/new/")
    page.fill("input[name=username]", "owner_a")
    page.fill("input[name=password]", "pw-owner_a")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/trace/batches/new/")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.select_option("select[name=product]", str(records.p_recognised.pk))
    page.fill("input[name=lot]", "L2511-07")
    page.fill("input[name=produced_on]", (date.today() - timedelta(days=2)).isoformat())
    page.fill("input[name=quantity]", "120")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/trace/batches/*/")
    batch = Batch.objects.get(lot="L2511-07")
    # The batch page, with its long label address, fits the screen too.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.select_option("select[name=kind]", "packing")
    page.locator("form[action$='/steps/'] button[type=submit]").click()
    page.wait_for_url(f"**/trace/batches/{batch.pk}/")
    assert "Packed" in page.locator("ul.timeline").inner_text()
    assert list(Event.objects.filter(batch=batch).values_list("biz_step", flat=True)) == [
        "commissioning",
        "packing",
    ]
    context.close()
