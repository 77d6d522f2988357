"""Headless Chromium against the running app: what a shopper and an officer actually see.

Skipped, with the reason printed in the test header and summary, when Chromium is not
installed (.ci/run installs it).
"""

import os
import shutil

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


@pytest.fixture(scope="session")
def live_server(django_db_setup, live_server):
    """pytest-django's live server, started after the test database exists so that it stops
    (and closes its connection) before the database is dropped."""
    return live_server


@pytest.fixture
def browser():
    """Headless Chromium.

    Known wart: on PostgreSQL one database connection opened while Playwright's event loop is
    alive outlives the test, so pytest-django warns that it cannot drop the test database;
    .ci/run drops it WITH (FORCE) afterwards.
    """
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the sync Playwright API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.django_db(transaction=True)
def test_a_shopper_sees_the_live_status_in_vietnamese_and_english(live_server, records, officer_b, browser):
    from datetime import date

    from ocop.registry import services

    services.recognition_revoke(
        user=officer_b,
        recognition=records.r_q,
        revoked_on=date(2025, 10, 1),
        reason="Vi phạm an toàn thực phẩm",
    )
    page = browser.new_page(locale="vi-VN")
    page.goto(f"{live_server.url}/products/{records.p_recognised.pk}/")
    banner = page.locator(".status-banner")
    assert "★★★★" in banner.inner_text()
    assert "valid" in banner.get_attribute("class")
    assert page.locator("h1").inner_text() == "Bánh tráng phơi sương"

    page.goto(f"{live_server.url}/products/{records.q_recognised.pk}/")
    banner = page.locator(".status-banner")
    assert "revoked" in banner.get_attribute("class")
    assert "01/10/2025" in banner.inner_text()
    assert "Vi phạm an toàn thực phẩm" in banner.inner_text()
    assert "Đã bị thu hồi công nhận OCOP" in banner.inner_text()

    # Switch the interface to English with the language buttons.
    page.locator("form.lang button[value=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "OCOP recognition revoked" in page.locator(".status-banner").inner_text()


@pytest.mark.django_db(transaction=True)
def test_an_officer_signs_in_and_filters_the_producer_list(live_server, records, officer_a, browser):
    page = browser.new_page()
    page.goto(f"{live_server.url}/manage/producers/")
    # Sent to the sign-in page first.
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "officer_a")
    page.fill("input[name=password]", "pw-officer_a")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/manage/producers/")
    rows = page.locator("#table tbody tr")
    assert rows.count() == 1
    assert records.p.name in rows.first.inner_text()
    assert records.q.name not in page.content()  # province B is not theirs

    # Filtering by type reloads the table in place (htmx), keeping the page.
    page.select_option("select[name=kind]", "enterprise")
    page.locator("#table tbody td[colspan]").wait_for()
    assert records.p.name not in page.locator("#table").inner_text()
    assert "kind=enterprise" in page.url
