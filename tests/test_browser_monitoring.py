"""Headless Chromium on the monitoring dashboards: the central office opens the national
dashboard, a province officer theirs; both are photographed, and the photographs must show the
charts and the map drawn.

Set OCOP_SCREENSHOTS=some/dir to keep the screenshots (the README's picture is made this way).
Skipped, with the reason printed, when Chromium is not installed (.ci/run installs it).
"""

import os
import shutil
from datetime import date, timedelta

import pytest
from PIL import Image

from tests.test_browser import CHROMIUM, FLAGS, browser, live_server  # noqa: F401 (fixtures)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"),
]
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def registry_data(db):
    """Producers with products of 3 to 5 stars in several provinces, over several years."""
    from ocop.geo.models import Commune, Province
    from ocop.registry.models import Producer, Product, Recognition

    day = date(2021, 3, 1)
    for index, code in enumerate(["01", "80", "80", "86", "25", "79", "48"]):
        province = Province.objects.current().get(code=code)
        commune = Commune.objects.filter(province=province).order_by("code")[index]
        producer = Producer.objects.create(
            name=f"Hợp tác xã Thử nghiệm {index}",
            kind="cooperative",
            address="—",
            province=province,
            commune=commune,
        )
        for stars in (3, 3, 4, 5)[: 2 + index % 3]:
            product = Product.objects.create(
                producer=producer, name_vi=f"Sản phẩm {index}-{stars}", group="food"
            )
            on = day + timedelta(days=200 * index + 30 * stars)
            Recognition.objects.create(
                product=product,
                stars=stars,
                level="province",
                recognised_on=on,
                valid_until=on + timedelta(days=1095),
            )


def _user(django_user_model, name, **grant):
    from ocop.accounts.models import Grant

    user = django_user_model.objects.create_user(name, password="pw-" + name)
    Grant.objects.create(user=user, **grant)
    return user


def _sign_in(page, base, name):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", "pw-" + name)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _photograph(page, tmp_path, name) -> Image.Image:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("OCOP_SCREENSHOTS")
    if keep:
        os.makedirs(keep, exist_ok=True)
        shutil.copy(path, os.path.join(keep, f"{name}.png"))
    return Image.open(path)


def _coloured(image: Image.Image, box, colour) -> int:
    """Pixels of ``colour`` (within a small tolerance) inside ``box``."""
    region = image.convert("RGB").crop(box)
    r0, g0, b0 = colour
    counts = region.getcolors(maxcolors=region.width * region.height) or []
    return sum(n for n, (r, g, b) in counts if abs(r - r0) < 8 and abs(g - g0) < 8 and abs(b - b0) < 8)


@pytest.mark.django_db(transaction=True)
def test_the_national_and_a_provincial_dashboard_show_charts_and_map(
    live_server,  # noqa: F811 (the fixture imported above)
    browser,  # noqa: F811
    registry_data,
    django_user_model,
    tmp_path,
):
    from ocop.geo.models import Province

    _user(django_user_model, "trunguong", role="central")
    _user(
        django_user_model,
        "tayninh",
        role="province_officer",
        province=Province.objects.current().get(code="80"),
    )
    page = browser.new_page(viewport=DESKTOP)

    _sign_in(page, live_server.url, "trunguong")
    page.goto(f"{live_server.url}/manage/dashboard/")
    assert page.locator("h1").inner_text().endswith(("Việt Nam", "Viet Nam"))
    assert page.locator("figure.chart svg").count() == 7
    assert page.locator("figure.map svg path.area").count() == 34
    assert page.locator("figure.chart svg rect").count() > 20  # bars drawn
    first_bar = page.locator("figure.chart svg rect").first.bounding_box()
    assert first_bar["width"] > 2 and first_bar["height"] > 2
    the_map = page.locator("figure.map svg").bounding_box()
    assert the_map["width"] > 200 and the_map["height"] > 300
    shot = _photograph(page, tmp_path, "dashboard-national")
    assert shot.width == DESKTOP["width"] and shot.height > 2000
    # The map's area on the screenshot is coloured by the choropleth's greens.
    box = (
        int(the_map["x"]),
        int(the_map["y"]),
        int(the_map["x"] + the_map["width"]),
        int(the_map["y"] + the_map["height"]),
    )
    assert (
        _coloured(shot, box, (0xE5, 0xF5, 0xE0))
        + _coloured(shot, box, (0x00, 0x6D, 0x2C))
        + _coloured(shot, box, (0xA1, 0xD9, 0x9B))
        + _coloured(shot, box, (0x74, 0xC4, 0x76))
        + _coloured(shot, box, (0x31, 0xA3, 0x54))
        > 500
    )

    # A province's figure links to its dashboard; a bar links to the list behind it.
    page.click('figure.map a[href^="/manage/dashboard/province/80/"]')
    page.wait_for_load_state()
    assert "Tây Ninh" in page.locator("h1").inner_text()

    officer = browser.new_page(viewport=DESKTOP)
    _sign_in(officer, live_server.url, "tayninh")
    officer.goto(f"{live_server.url}/manage/dashboard/")
    assert officer.url.startswith(f"{live_server.url}/manage/dashboard/province/80/")
    assert officer.locator("figure.map svg path.area").count() > 50  # the communes of Tây Ninh
    assert officer.locator("figure.chart svg").count() == 7
    _photograph(officer, tmp_path, "dashboard-province")
    bar = officer.locator('figure.chart svg a[href*="/manage/dashboard/rows/"]').first
    href = bar.get_attribute("href")
    officer.goto(live_server.url + href)
    assert officer.locator("table tbody tr").count() >= 1
