"""Page numbers of any size, on every paginated API operation and page.

A page past the last is empty on the API (its count still says how many rows there are) and the
last page on the pages (Django's Paginator), however large its number: 40 digits once made an
offset SQLite could not bind (a 500 on every list of the API).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from ocop.api import api

HUGE = "9" * 40

API_LISTS = sorted(
    path
    for path, operations in api.get_openapi_schema(path_prefix="/api/v1")["paths"].items()
    for method, operation in operations.items()
    if method == "get" and any(p["name"] == "page" for p in operation.get("parameters", []))
)

# (URL name, other parameters, the page's name in the template's context)
PAGES = [
    ("registry:producer_list", {}, "page"),
    ("registry:product_list", {}, "page"),
    ("evaluation:idea_list", {}, "page"),
    ("evaluation:dossier_list", {}, "page"),
    ("evaluation:round_list", {}, "page"),
    ("market:catalogue", {}, "page"),
    ("market:point_list", {}, "page"),
    ("market:manage_points", {}, "page"),
    ("market:manage_enquiries", {}, "page"),
    ("market:manage_fairs", {}, "fairs"),
    ("monitoring:figure_rows", {"kind": "counted", "day": "2026-01-01"}, "page"),
    ("monitoring:craft_villages", {}, "page"),
    ("trace:batch_list", {}, "page"),
    ("trace:flag_list", {}, "page"),
    ("trace:report_list", {}, "page"),
]


def test_the_paginated_api_operations_are_these():
    assert API_LISTS == [
        "/api/v1/evaluation/dossiers",
        "/api/v1/evaluation/rounds",
        "/api/v1/market/catalogue",
        "/api/v1/market/open/points-of-sale",
        "/api/v1/market/open/producers",
        "/api/v1/market/open/products",
        "/api/v1/market/points-of-sale",
        "/api/v1/producers",
        "/api/v1/products",
        "/api/v1/trace/batches",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("path", API_LISTS)
def test_a_page_past_the_last_is_empty_on_the_api(client, records, central, path):
    client.force_login(central)
    first = client.get(path, {"page_size": 1})
    assert first.status_code == 200
    for page in ("2000000", HUGE):
        response = client.get(path, {"page": page, "page_size": 1})
        assert response.status_code == 200, (path, page, response.content)
        body = response.json()
        assert body["items"] == []
        assert body["count"] == first.json()["count"]


@pytest.mark.django_db
def test_lists_with_rows_have_them_on_page_one_and_none_past_the_end(client, records):
    body = client.get("/api/v1/products", {"page": HUGE}).json()
    assert (body["count"], body["items"]) == (2, [])
    assert len(client.get("/api/v1/products", {"page": 1}).json()["items"]) == 2


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "query", "key"), PAGES, ids=[p[0] for p in PAGES])
def test_a_page_past_the_last_shows_the_last_page(client, records, central, name, query, key):
    client.force_login(central)
    for page in (HUGE, "9" * 5000, "-1", "x"):
        response = client.get(reverse(name), {**query, "page": page})
        assert response.status_code == 200, (name, page[:10])
        shown = response.context[key]
        assert shown.number == shown.paginator.num_pages, (name, page[:10])
