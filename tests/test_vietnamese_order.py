"""Lists sorted by a name are in Vietnamese alphabetical order on SQLite and PostgreSQL alike
("Bắc" before "Bình", "Đà" after "Dung", "Ơ" after "Ô", "Ư" after "U"), never in byte order,
which puts "Bình" before "Bắc" and every "Đ" last."""

from __future__ import annotations

import random
import re

import pytest
from django.test import Client
from django.utils import timezone

from ocop.collation import by_name
from ocop.geo.models import Province
from ocop.market import services as market_services
from ocop.registry.models import Producer, Product, Recognition
from ocop.vntext import sort_key

# In Vietnamese order; byte order would give Bình, Bắc, ..., Ông, Đà, Ơn, Ưng.
NAMES = [
    "An Khang",
    "Bắc Hà",
    "Bình Minh",
    "Dung Quất",
    "Đà Lạt",
    "Ông Bảy",
    "Ơn Trời",
    "Uyên Ương",
    "Ưng Hoà",
]


def test_the_sort_key_follows_the_vietnamese_alphabet_then_the_tones():
    shuffled = NAMES[:]
    random.Random(14).shuffle(shuffled)
    assert sorted(shuffled, key=sort_key) == NAMES
    assert sorted(["Bạ", "Bá", "Bà", "Ba", "Bã", "Bả"], key=sort_key) == ["Ba", "Bà", "Bả", "Bã", "Bá", "Bạ"]
    assert sorted(["Ân", "Ăn", "an", "An"], key=sort_key) == ["an", "An", "Ăn", "Ân"]
    assert sorted(["Phường 10", "Phường 2", "Phường 1"], key=sort_key) == [
        "Phường 1",
        "Phường 2",
        "Phường 10",
    ]
    # Decomposed input (as some keyboards send it) sorts with its composed spelling.
    assert sort_key("Bắc") == sort_key("Ba\u0306\u0301c")


def _positions(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=page.index)


@pytest.mark.django_db
def test_the_database_orders_names_like_the_sort_key():
    """The collation "vi" (ICU on PostgreSQL, sort_key on SQLite) agrees with sort_key on every
    current province's and commune's name, so the two engines give one order."""
    from ocop.geo.models import Commune

    provinces = Province.objects.current()
    for name in NAMES:  # names carried by no unit, with the letters that byte order misplaces
        Producer.objects.create(name=name, kind="cooperative", address="Ấp 1", province=provinces.first())
    ordered = list(Commune.objects.current().order_by(*by_name("name"), "pk").values_list("name", flat=True))
    assert ordered == sorted(ordered, key=sort_key)
    producers = list(Producer.objects.order_by(*by_name("name")).values_list("name", flat=True))
    assert producers == NAMES
    assert len(ordered) > 3000


@pytest.mark.django_db
def test_provinces_in_a_dropdown_are_in_vietnamese_order_of_their_names(client):
    page = client.get("/catalogue/").content.decode()
    select = re.search(r'<select name="province".*?</select>', page, re.S).group(0)
    labels = [label.strip() for label in re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select)]
    expected = [p.name for p in Province.objects.current().alphabetical()]
    assert labels == expected and len(labels) == 34
    short = [p.short_name for p in Province.objects.current().alphabetical()]
    assert short[:11] == [
        "An Giang",
        "Bắc Ninh",
        "Cà Mau",
        "Cao Bằng",
        "Cần Thơ",
        "Đà Nẵng",
        "Đắk Lắk",
        "Điện Biên",
        "Đồng Nai",
        "Đồng Tháp",
        "Gia Lai",
    ]


@pytest.mark.django_db
def test_the_producer_list_and_the_catalogue_sort_by_name_in_vietnamese_order(geo, central):
    today = timezone.localdate()
    for name in reversed(NAMES):
        producer = Producer.objects.create(
            name=f"HTX {name}", kind="cooperative", address="Ấp 1", province=geo.province_a, commune=geo.a1
        )
        product = Product.objects.create(producer=producer, name_vi=f"Trà {name}", group="food")
        Recognition.objects.create(
            product=product,
            stars=3,
            level="province",
            recognised_on=today.replace(year=today.year - 1),
            valid_until=today.replace(year=today.year + 2),
        )
    market_services.catalogue_refresh()

    officer = Client(HTTP_ACCEPT_LANGUAGE="vi")
    officer.force_login(central)
    producers = officer.get("/manage/producers/").content.decode()
    assert _positions(producers, [f"HTX {n}" for n in NAMES]) == [f"HTX {n}" for n in NAMES]
    products = officer.get("/manage/products/").content.decode()
    assert _positions(products, [f"Trà {n}" for n in NAMES]) == [f"Trà {n}" for n in NAMES]

    catalogue = Client(HTTP_ACCEPT_LANGUAGE="vi").get("/catalogue/?sort=name").content.decode()
    assert _positions(catalogue, [f"Trà {n}" for n in NAMES]) == [f"Trà {n}" for n in NAMES]
