"""Headless Chromium: a council member scores a dossier on the tablet screen, answer by answer
(each tick saved at once with htmx), and submits the sheet.

Skipped, with the reason printed, when Chromium is not installed.
"""

import os
import shutil

import pytest

# The cycle's shared records (a round of province A, its council and a planned sitting).
from ocop.evaluation.tests.conftest import criteria_set, cycle, fresh_products, members  # noqa: F401

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
    return live_server


@pytest.fixture
def browser():
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def open_sitting(cycle, owner_a, commune_officer_a, officer_a):  # noqa: F811
    from ocop.evaluation import services
    from ocop.evaluation.tests.conftest import forwarded_dossier

    dossier = forwarded_dossier(owner_a, commune_officer_a, cycle.records.p_draft, cycle.round)
    cycle.assignment = services.assignment_add(user=officer_a, sitting=cycle.sitting, dossier=dossier)
    services.sitting_open(user=officer_a, sitting=cycle.sitting)
    return cycle


@pytest.mark.django_db(transaction=True)
def test_a_member_scores_a_dossier_on_the_tablet_screen(live_server, open_sitting, browser):
    from ocop.evaluation.models import Sheet
    from ocop.evaluation.tests.helpers import ANSWERS_76

    state = open_sitting
    page = browser.new_page(viewport={"width": 1024, "height": 768}, has_touch=True, locale="en-GB")
    page.goto(f"{live_server.url}/accounts/login/?next=/cycle/sittings/{state.sitting.pk}/")
    page.fill("input[name=username]", "council_member")
    page.fill("input[name=password]", "pw-council_member")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url(f"**/cycle/sittings/{state.sitting.pk}/")
    page.get_by_role("link", name="Score this dossier").click()
    page.wait_for_url("**/sheet/")
    assert "0 of 32 criteria" in page.locator("#progress").inner_text()

    # Tick one option per criterion; each tick is saved at once and the progress follows.
    codes = list(ANSWERS_76)
    for index, code in enumerate(codes, start=1):
        option = page.locator(f'input[name="c:{code}"][value="1:{ANSWERS_76[code]}"]')
        option.scroll_into_view_if_needed()
        option.locator("xpath=..").click()  # the whole row is the touch target
        page.wait_for_function(
            "n => document.querySelector('#progress').innerText.includes(n + ' of 32 criteria')", arg=index
        )
    assert "76 points" in page.locator("#progress").inner_text()
    sheet = Sheet.objects.get(assignment=state.assignment, seat__user__username="council_member")
    assert (sheet.status, sheet.total, sheet.answers) == ("draft", 76, ANSWERS_76)

    # Touch targets are big enough for a finger.
    box = page.locator("label.option").first.bounding_box()
    assert box["height"] >= 48

    page.get_by_role("button", name="Submit the sheet").click()
    page.wait_for_load_state()
    # Asked first, with the points: nothing is handed in until the member confirms.
    assert "This cannot be undone." in page.content()
    assert "<dt>Points</dt><dd>76</dd>" in page.content()
    sheet.refresh_from_db()
    assert sheet.status == "draft"
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert "Sheet submitted" in page.content()
    sheet.refresh_from_db()
    assert (sheet.status, sheet.total, sheet.frozen) == ("submitted", 76, False)
    # Submitted: nothing can be ticked any more.
    assert page.locator('input[name="c:1.a"]').first.is_disabled()
