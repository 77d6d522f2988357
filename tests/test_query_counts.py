"""Lists cost a fixed number of queries however many rows they show (no N+1)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ocop.registry.models import Certification, Product, Recognition


def _add_products(producer, count):
    for index in range(count):
        product = Product.objects.create(producer=producer, name_vi=f"Sản phẩm {index:03d}", group="food")
        Recognition.objects.create(
            product=product,
            stars=3 + index % 2,
            level="province",
            recognised_on=date(2024, 1, 1),
            valid_until=date(2026, 12, 31),
        )
        Certification.objects.create(product=product, kind="food_safety")


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


URLS = [
    "/manage/products/",
    "/manage/products/?q=san+pham&status=valid&stars=3",
    "/manage/producers/",
    "/api/v1/products",
    "/api/v1/products?managed=true&status=expired",
    "/api/v1/producers",
    "/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", URLS)
def test_list_queries_do_not_grow_with_rows(client, records, central, url):
    client.force_login(central)
    _add_products(records.p, 3)
    _queries(client, url)  # what a process reads once (the front's map outlines) is not per row
    few = _queries(client, url)
    _add_products(records.q, 25)
    many = _queries(client, url)
    assert few == many, f"{url}: {few} queries with few rows, {many} with many"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # session, user, grants, count, page, recognitions (prefetch)
        ("/manage/products/", 7),
        ("/api/v1/products", 6),
    ],
)
def test_exact_query_budget(client, records, central, url, expected):
    client.force_login(central)
    _add_products(records.p, 10)
    assert _queries(client, url) == expected


@pytest.mark.django_db
def test_the_old_public_product_page_is_one_read_then_a_redirect(client, records):
    # Whether the product may be shown, its id and name: its address.
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/products/{records.p_recognised.pk}/")
    assert response.status_code == 301
    assert len(ctx.captured_queries) == 1
