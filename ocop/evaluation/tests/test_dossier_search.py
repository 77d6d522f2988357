"""Searching the dossier list (page and API) the way the registry's search boxes read a query:
words begin words of the product's or producer's name, typed with or without diacritics, and
punctuation alone is no query (it once reached the database as a substring, NUL and all)."""

from __future__ import annotations

import pytest

from ocop.evaluation.models import Dossier

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossiers(cycle):
    records = cycle.records
    made = {}
    for product in (records.p_draft, records.q_recognised):
        made[product.pk] = Dossier.objects.create(
            product=product,
            round=cycle.round,
            kind="first",
            criteria_set=product.product_set.criteria_sets.get(is_current=True),
            level="province",
            status="submitted",
        )
    return made


def _page_ids(client, query) -> list[int]:
    response = client.get("/cycle/", {"q": query})
    assert response.status_code == 200, query
    return [d.pk for d in response.context["page"]]


def _api_ids(client, query) -> list[int]:
    response = client.get("/api/v1/evaluation/dossiers", {"q": query})
    assert response.status_code == 200, query
    return [d["id"] for d in response.json()["items"]]


def test_a_dossier_is_found_by_words_of_its_names_with_or_without_diacritics(
    client, central, dossiers, cycle
):
    client.force_login(central)
    mut = dossiers[cycle.records.p_draft.pk].pk
    che = dossiers[cycle.records.q_recognised.pk].pk
    for query in ("mứt dừa", "mut dua", "MUT-DUA", "phu can"):  # the product's, the producer's name
        assert _page_ids(client, query) == [mut], query
        assert _api_ids(client, query) == [mut], query
    assert _page_ids(client, "chè long") == _api_ids(client, "che long") == [che]
    assert _page_ids(client, "ong coc") == []  # "ong" begins no word of "Long Cốc"


@pytest.mark.parametrize("query", ["-", "_", "%", "*"])
def test_a_query_without_letters_lists_every_dossier(client, central, dossiers, query):
    client.force_login(central)
    everything = _page_ids(client, "")
    assert sorted(everything) == sorted(d.pk for d in dossiers.values())
    assert _page_ids(client, query) == everything
    assert _api_ids(client, query) == _api_ids(client, "")


def test_a_nul_character_lists_every_dossier_on_the_page_and_is_refused_by_the_api(client, central, dossiers):
    client.force_login(central)
    assert _page_ids(client, "\x00") == _page_ids(client, "")
    response = client.get("/api/v1/evaluation/dossiers", {"q": "mứt\x00"})
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["query", "q"]]
