"""Headless Chromium under the Content-Security-Policy: pages run their scripts from static
files, the browser reports no violation, and what the scripts do still happens."""

import pytest

from tests.test_browser import CHROMIUM, browser, live_server  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"),
]


def _watch(page) -> list[str]:
    """What the policy refused, script errors, and files that failed to load (the browser's own
    favicon.ico request aside)."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if "Content Security Policy" in message.text
            or (message.type == "error" and not message.text.startswith("Failed to load resource"))
            else None
        ),
    )
    page.on("pageerror", lambda error: refused.append(str(error)))
    page.on(
        "response",
        lambda response: (
            refused.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    return refused


def _sign_in(page, url, username):
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_an_officers_pages_run_under_the_policy(live_server, records, officer_a, geo, browser):  # noqa: F811
    page = browser.new_page()
    refused = _watch(page)
    _sign_in(page, live_server.url, "officer_a")

    # The producer form reloads the commune list when the province changes (registry's script).
    page.goto(f"{live_server.url}/manage/producers/new/")
    page.select_option("#id_province", str(geo.province_a.pk))
    page.locator(f"#id_commune option[value='{geo.a1.pk}']").wait_for(state="attached")
    assert page.locator("#id_commune option").count() > 2

    # A select that submits its form on change (ocop.js), without an onchange attribute.
    page.goto(f"{live_server.url}/cycle/ideas/")
    with page.expect_navigation():
        page.select_option("select[name=status]", index=1)
    assert "status=" in page.url

    # The criteria sheet's print button is wired by ocop.js.
    page.goto(f"{live_server.url}/criteria/148/I.1.a/")
    assert page.locator("button[data-print]").count() == 1

    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .info").wait_for()
    assert refused == []


@pytest.mark.django_db(transaction=True)
def test_a_shoppers_pages_run_under_the_policy(live_server, records, browser):  # noqa: F811
    from ocop.market import services

    services.catalogue_refresh()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    refused = _watch(page)
    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/catalogue/")
    # Filtering replaces the results in place, and the address keeps only the filters set
    # (the catalogue's own script drops the empty ones).
    page.select_option("select[name=stars]", "4")
    page.wait_for_url("**stars=4**")
    assert "q=" not in page.url and "province=" not in page.url
    assert records.p_recognised.name_vi in page.locator("#catalogue-results").inner_text()
    assert refused == []
