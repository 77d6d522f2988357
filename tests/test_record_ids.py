"""Ids no record can have, in every URL that takes one: "not found", never a server error.

Primary keys are signed 64-bit integers; 2**63 and beyond once reached SQLite, which cannot bind
them (a 500 on the catalogue's producer pages and the API's sales channels). Every route with an
id is walked, pages and API alike, as the central office (who reaches everything there is).
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from ocop.api import api
from ocop.web.edge import MAX_ID

IMPOSSIBLE = [str(MAX_ID + 1), str(2**64), "9" * 40, "9" * 5000]


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


PAGE_ROUTES = sorted({r for r in _routes(get_resolver().url_patterns) if "<id:" in r})
API_ROUTES = sorted(
    {
        (method, path)
        for path, view in api.get_openapi_schema(path_prefix="/api/v1")["paths"].items()
        for method, operation in view.items()
        if any(
            p["in"] == "path" and p["schema"].get("maximum") == MAX_ID
            for p in operation.get("parameters", [])
        )
    }
)


def test_every_id_in_a_url_is_matched_by_the_bounded_converter():
    plain = [r for r in _routes(get_resolver().url_patterns) if "<int:" in r]
    assert plain == []
    assert len(PAGE_ROUTES) == 89
    assert len(API_ROUTES) == 26


@pytest.mark.django_db
@pytest.mark.parametrize("route", PAGE_ROUTES)
def test_a_page_with_an_impossible_id_is_not_found(client, records, central, route):
    client.force_login(central)
    for number in IMPOSSIBLE:
        url = "/" + re.sub(r"<id:\w+>", number, route)
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 404, (method.__name__, url)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), API_ROUTES)
def test_an_api_path_with_an_impossible_id_is_not_found(client, records, central, method, path):
    client.force_login(central)
    for number in IMPOSSIBLE[:3]:
        url = re.sub(r"\{\w+_id\}", number, path)
        response = client.generic(method.upper(), url, "{}", content_type="application/json")
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."}), (method, url)
