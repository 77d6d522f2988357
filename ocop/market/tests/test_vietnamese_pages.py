"""Public pages read in Vietnamese hold no English left untranslated: no message of the catalogue
appears in its English form, and the strings people found in English (the catalogue's "where
sold" chips, the open data's descriptions, the resolver's check digit) are translated."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client

from ocop.market import services
from ocop.market.models import PointOfSale, SalesChannel, Stock
from tests.test_translations import po_entries

pytestmark = pytest.mark.django_db


class _Text(HTMLParser):
    """What a reader sees: text outside scripts and styles, and labels read aloud or shown on hover."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def _seen(html: str) -> str:
    reader = _Text()
    reader.feed(html)
    return " ".join(" ".join(reader.parts).split())


def _english_messages() -> list[str]:
    """Messages of the catalogue whose Vietnamese differs, long enough (two words or more, no
    placeholder) to be told from a name or a code on a page."""
    found = []
    for msgid, msgstr, _fuzzy, plural in po_entries():
        if plural is not None or "\x04" in msgid or msgid == msgstr or "%" in msgid or "{" in msgid:
            continue
        text = " ".join(re.sub(r"<[^>]+>", " ", msgid).split())
        if len(text.split()) >= 2 and re.search(r"[a-z]{3}", text):
            found.append(text)
    return found


@pytest.fixture
def shelves(records, geo, day):
    supermarket = PointOfSale.objects.create(
        name="Siêu thị Co.op", kind="supermarket", address="x", province=geo.province_b
    )
    shop = PointOfSale.objects.create(
        name="Cửa hàng OCOP", kind="ocop_point", address="y", province=geo.province_b
    )
    Stock.objects.create(point=supermarket, product=records.q_recognised)
    Stock.objects.create(point=shop, product=records.q_recognised)
    SalesChannel.objects.create(
        producer=records.q, kind="export", partner="Nhật Bản", country="JP", started_on=day
    )
    services.catalogue_refresh()
    return records


def test_public_pages_in_vietnamese_hold_no_english_message(shelves):
    vietnamese = Client(HTTP_ACCEPT_LANGUAGE="vi")
    wrong_check_digit = "/01/08934567000018"  # 0893456700001 7 is right
    pages = {
        "/catalogue/": 200,
        f"/catalogue/producers/{shelves.q.pk}/": 200,
        "/open-data/": 200,
        wrong_check_digit: 400,
        "/catalogue/producers/999999/": 404,
    }
    english = _english_messages()
    assert len(english) > 300
    seen = {}
    for url, status in pages.items():
        response = vietnamese.get(url, follow=True)
        assert response.status_code == status, url
        seen[url] = _seen(response.content.decode())
        left = [message for message in english if message in seen[url]]
        assert left == [], (url, left)
    # The strings found in English before, each where it was found.
    assert "Tại cửa hàng" in seen["/catalogue/"] and "Siêu thị" in seen["/catalogue/"]
    assert "Tại cửa hàng" in seen[f"/catalogue/producers/{shelves.q.pk}/"]
    assert "Mã định danh cố định của sản phẩm trên nền tảng" in seen["/open-data/"]
    assert "(01) GTIN 08934567000018: số kiểm tra phải là 7, không phải 8." in seen[wrong_check_digit]
    for text in ("In shops", "Supermarkets", "Stable identifier", "check digit should be", "No such unit"):
        assert not any(text in page for page in seen.values()), text
