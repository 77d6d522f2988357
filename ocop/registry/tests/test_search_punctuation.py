"""Searching with punctuation: what people paste or type by mistake ("-", "_", ".", "*", "%").

One rule for every registry search box (the officers' lists, the API; the home page hands its search to the catalogue), the one the
catalogue already follows: punctuation is not searched, so a query with no letter or digit is no
query at all and lists what an empty box lists; punctuation between words only separates them.
"""

from urllib.parse import urlencode

import pytest

from ocop.registry.models import Producer, Product

NO_LETTERS = ["-", "_", ".", "*", "%", "\\", "'", '"', "( )", "- _ .", "~^|&!?#@$"]


def _api_ids(client, query: str, **headers) -> list[int]:
    response = client.get("/api/v1/products", {"q": query}, **headers)
    assert response.status_code == 200, (query, response.content)
    return [row["id"] for row in response.json()["items"]]


@pytest.mark.django_db
def test_the_api_lists_everything_for_a_query_without_letters(client, records):
    everything = _api_ids(client, "")
    assert everything == [records.p_recognised.pk, records.q_recognised.pk]
    for query in NO_LETTERS:
        assert _api_ids(client, query) == everything, query


@pytest.mark.django_db
def test_an_officers_product_and_producer_lists_ignore_a_query_without_letters(client, records, central):
    client.force_login(central)
    products = [p.pk for p in client.get("/manage/products/").context["page"]]
    producers = [p.pk for p in client.get("/manage/producers/").context["page"]]
    assert len(products) == Product.objects.count() == 3
    assert len(producers) == Producer.objects.count() == 2
    for query in NO_LETTERS:
        response = client.get("/manage/products/", {"q": query})
        assert response.status_code == 200, query
        assert [p.pk for p in response.context["page"]] == products, query
        # The box keeps what was typed, so the person sees what was (not) searched.
        assert response.context["form"]["q"].value() == query
        response = client.get("/manage/producers/", {"q": query})
        assert [p.pk for p in response.context["page"]] == producers, query


@pytest.mark.django_db
def test_the_home_page_hands_a_query_without_letters_to_the_catalogue_as_typed(client):
    # The catalogue's search is the one search of the public: it lists everything for these.
    for query in NO_LETTERS:
        response = client.get("/", {"q": query})
        assert response.status_code == 302, query
        assert response.url == "/catalogue/?" + urlencode({"q": query}), query


@pytest.mark.django_db
def test_punctuation_between_words_separates_them(client, records, central):
    records.p_draft.name_vi = "Rượu nếp 40% Phú Cần"
    records.p_draft.save()
    client.force_login(central)
    for query in ("bánh-tráng", "banh_trang.", "*banh* (trang)", "- bánh -"):
        assert _api_ids(client, query) == [records.p_recognised.pk], query
    found = client.get("/manage/products/", {"q": "rượu 40%"}).context["page"]
    assert [p.pk for p in found] == [records.p_draft.pk]
    found = client.get("/manage/producers/", {"q": "hợp-tác-xã"}).context["page"]
    assert [p.pk for p in found] == [records.p.pk]
