"""The header stays on one line from a phone to a desktop, for the account with the most
items (the central office); what does not fit is under "Menu", which opens without JavaScript.

Skipped, with the reason printed in the test header and summary, when Chromium is not
installed (.ci/run installs it).
"""

import pytest

from tests.test_browser import CHROMIUM
from tests.test_browser import browser as browser  # the fixtures, shared
from tests.test_browser import live_server as live_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"),
]

ONE_LINE = 60  # px: the header's 52 px row; a second row of items would make it 80 or more

ROW = """() => {
  const header = document.querySelector('header.site');
  const shown = [...header.querySelectorAll('.wrap > *, nav.primary > a')]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
    .map(el => el.getBoundingClientRect());
  return {
    height: header.getBoundingClientRect().height,
    middles: shown.map(r => Math.round(r.top + r.height / 2)),
    inline: header.querySelectorAll('nav.primary > a').length,
    scroll: document.documentElement.scrollWidth,
  };
}"""


@pytest.mark.django_db(transaction=True)
def test_the_central_offices_header_is_one_line_at_every_width(live_server, central, browser):
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/manage/dashboard/")
    page.fill("input[name=username]", "central")
    page.fill("input[name=password]", "pw-central")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/manage/dashboard/**")
    for width in (360, 820, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        row = page.evaluate(ROW)
        assert row["height"] <= ONE_LINE, (width, row)
        assert max(row["middles"]) - min(row["middles"]) <= 6, (width, row)  # all on one row
        assert row["scroll"] == width, (width, row)  # nothing pushed off the screen
    # On a phone the items are under "Menu", which opens with no script at all.
    page.set_viewport_size({"width": 360, "height": 800})
    menu = page.locator("header.site details.menu")
    assert not menu.locator("text=Hàng đợi công việc").is_visible()
    menu.locator("summary").click()
    assert menu.locator("text=Hàng đợi công việc").is_visible()
    assert menu.locator("button", has_text="Đăng xuất").is_visible()
    context.close()
