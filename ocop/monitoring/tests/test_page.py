"""/manage/stats/: the figures as a table, with links to the product list where it can show them."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.utils import timezone

from ocop.monitoring import selectors


class _Table(HTMLParser):
    """Rows of the statistics table as [(text, href), ...], tbody and tfoot."""

    def __init__(self):
        super().__init__()
        self.rows, self.part, self.cell, self.href = {"tbody": [], "tfoot": []}, None, None, None

    def handle_starttag(self, tag, attrs):
        if tag in ("tbody", "tfoot"):
            self.part = tag
        elif tag == "tr" and self.part:
            self.rows[self.part].append([])
        elif tag in ("td", "th") and self.part:
            self.cell, self.href = "", None
        elif tag == "a" and self.cell is not None:
            self.href = dict(attrs)["href"]

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.part and self.cell is not None:
            self.rows[self.part][-1].append((self.cell.strip(), self.href))
            self.cell = None
        elif tag in ("tbody", "tfoot"):
            self.part = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def _listed(client, href) -> set[int]:
    page = client.get(href).content.decode()
    return {int(pk) for pk in re.findall(r'href="/manage/products/(\d+)/"', page)}


def table(response):
    parser = _Table()
    parser.feed(response.content.decode())
    return parser.rows


@pytest.fixture
def en_client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def more(records, registry, geo):
    """Besides the shared records (P's 4★ product in A = Tây Ninh 80, Q's 3★ in B = Phú Thọ 25):
    another producer in A with a 5★ herbal product and a 1★ one (not counted)."""
    today = timezone.localdate()
    producer = registry.producer(province=geo.province_a, commune=geo.a2, kind="enterprise")
    registry.recognised_product(producer, 5, on=today - timedelta(days=30), group="herbal")
    registry.recognised_product(producer, 1, on=today - timedelta(days=30), group="food")
    return producer


@pytest.mark.django_db
def test_the_country_table_for_the_central_office_links_every_figure(en_client, central, records, more):
    en_client.force_login(central)
    response = en_client.get("/manage/stats/")

    assert response.status_code == 200
    rows = table(response)
    assert len(rows["tbody"]) == 34
    (tay_ninh,) = [row for row in rows["tbody"] if row[0][0] == "80"]
    # code, name, products total, 3★ 4★ 5★, six groups, producers total, four types
    assert [text for text, _ in tay_ninh] == [
        "80", "Tỉnh Tây Ninh", "2", "0", "1", "1", "1", "0", "1", "0", "0", "0",
        "2", "1", "0", "1", "0",
    ]  # fmt: skip
    assert tay_ninh[1][1].startswith("?") and "province=80" in tay_ninh[1][1]  # drill down
    assert tay_ninh[4][1] == "/manage/products/?province=80&min_stars=3&stars=4"
    assert tay_ninh[8][1] == "/manage/products/?province=80&min_stars=3&group=herbal"
    assert tay_ninh[15][1] == "/manage/products/?province=80&min_stars=3&producer_kind=enterprise"
    assert tay_ninh[3][1] is None  # no link behind a zero
    (total,) = rows["tfoot"]
    assert [text for text, _ in total][2:] == [
        "3",
        "1",
        "1",
        "1",
        "2",
        "0",
        "1",
        "0",
        "0",
        "0",
        "3",
        "1",
        "0",
        "2",
        "0",
    ]
    assert total[2][1] == "/manage/products/?min_stars=3"

    # The star links lead to exactly the products the figures count.
    listed = {column: _listed(en_client, tay_ninh[column][1]) for column in (2, 4, 5, 8, 15)}
    herbal = more.products.get(group="herbal")
    assert listed[4] == {records.p_recognised.pk}
    assert listed[5] == listed[8] == {herbal.pk}
    # Exactly what the figures count: the 1★ product is not among them.
    assert listed[2] == listed[4] | listed[5]
    assert listed[15] == {herbal.pk}


@pytest.mark.django_db
def test_a_province_officer_gets_links_for_their_province_only(en_client, officer_a, more):
    en_client.force_login(officer_a)
    rows = table(en_client.get("/manage/stats/"))

    linked = {row[0][0] for row in rows["tbody"] if any(href for _, href in row[2:])}
    assert linked == {"80"}
    assert all(href is None for _, href in rows["tfoot"][0][2:])  # the country is not theirs
    assert "whose records you manage" not in en_client.get("/manage/stats/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["commune_officer_a", "owner_a", "council_member"])
def test_others_see_the_figures_without_links(en_client, request, more, actor):
    en_client.force_login(request.getfixturevalue(actor))
    response = en_client.get("/manage/stats/")
    rows = table(response)

    assert len(rows["tbody"]) == 34
    assert all(href is None for row in rows["tbody"] for _, href in row[2:])
    assert [text for text, _ in rows["tfoot"][0]][2] == "3"


@pytest.mark.django_db
def test_a_province_shows_its_communes_with_a_linked_total(en_client, central, records, more, geo):
    en_client.force_login(central)
    response = en_client.get("/manage/stats/?province=T%C3%A2y+Ninh")
    rows = table(response)

    from ocop.geo.models import Commune

    assert len(rows["tbody"]) == Commune.objects.filter(province=geo.province_a).count()
    by_code = {row[0][0]: row for row in rows["tbody"]}
    assert by_code[geo.a1.code][2][0] == "1" and by_code[geo.a2.code][2][0] == "1"
    # Commune figures link to the product list filtered by commune, to exactly the products counted.
    a1_link = by_code[geo.a1.code][2][1]
    assert a1_link == f"/manage/products/?province=80&commune={geo.a1.code}&min_stars=3"
    assert _listed(en_client, a1_link) == {records.p_recognised.pk}
    assert by_code[geo.a1.code][3][1] is None  # zero 3-star products: no link
    total = rows["tfoot"][0]
    assert (
        total[0][0] == "80"
        and total[1][0] == "Tỉnh Tây Ninh"
        and total[2]
        == (
            "2",
            "/manage/products/?province=80&min_stars=3",
        )
    )
    page = response.content.decode()
    assert 'href="?as_of=' in page  # back to the whole country
    assert "/api/v1/stats/?as_of=" in page and "by=commune" in page


@pytest.mark.django_db
def test_another_day_cannot_be_linked(en_client, central, more):
    en_client.force_login(central)
    day = timezone.localdate() - timedelta(days=1)
    response = en_client.get(f"/manage/stats/?as_of={day.isoformat()}&boundaries=current")
    rows = table(response)

    assert all(href is None for row in [*rows["tbody"], *rows["tfoot"]] for _, href in row[2:])
    assert "do not link to the product list: it shows today's status only" in response.content.decode()


@pytest.mark.django_db
def test_historical_boundaries_list_the_old_provinces(en_client, central, more):
    en_client.force_login(central)
    rows = table(en_client.get("/manage/stats/?as_of=2025-02-19&boundaries=historical"))
    assert len(rows["tbody"]) == 63


@pytest.mark.django_db
def test_the_page_and_the_api_show_the_same_figures(en_client, central, more):
    en_client.force_login(central)
    rows = table(en_client.get("/manage/stats/?province=80"))
    data = en_client.get("/api/v1/stats/?province=80&by=commune").json()
    total = [int(text) for text, _ in rows["tfoot"][0][2:]]
    assert total == [
        data["products"]["total"],
        *data["products"]["by_stars"].values(),
        *data["products"]["by_group"].values(),
        data["producers"]["total"],
        *data["producers"]["by_type"].values(),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?province=Atlantis", "Unknown province “Atlantis”"),
        ("?province=Tr%C3%A0+Vinh", "since then it is part of Tỉnh Vĩnh Long"),
        ("?as_of=not-a-day", "Enter a valid date."),
    ],
)
def test_refusals_are_shown_on_the_page(en_client, central, query, message):
    en_client.force_login(central)
    response = en_client.get(f"/manage/stats/{query}")

    assert response.status_code == 200
    assert message in response.content.decode()
    assert table(response) == {"tbody": [], "tfoot": []}


@pytest.mark.django_db
def test_htmx_gets_the_table_alone(en_client, central, more):
    en_client.force_login(central)
    response = en_client.get("/manage/stats/?province=80", headers={"HX-Request": "true"})

    page = response.content.decode()
    assert "<html" not in page
    assert '<datalist id="stats-provinces">' in page
    assert len(table(response)["tbody"]) > 0


@pytest.mark.django_db
def test_the_form_offers_the_provinces_of_the_era(en_client, central):
    en_client.force_login(central)
    current = en_client.get("/manage/stats/").content.decode()
    legacy = en_client.get("/manage/stats/?as_of=2025-02-19&boundaries=historical").content.decode()
    assert current.count("<option value=") == 34 + 2  # provinces, and the two boundary choices
    assert legacy.count("<option value=") == 63 + 2
    assert '<option value="Trà Vinh">84 · Tỉnh Trà Vinh</option>' in legacy


@pytest.mark.django_db
def test_the_page_needs_a_sign_in(client):
    response = client.get("/manage/stats/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    assert selectors.CURRENT_BOUNDARIES == "current"
