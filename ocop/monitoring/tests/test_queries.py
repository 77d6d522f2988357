"""The figures cost a fixed number of queries, whatever the size of the registry."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ocop.monitoring import selectors

from .conftest import AS_OF


def grow(registry, units, producers: int):
    places = [
        dict(province=units.tay_ninh, commune=units.long_an_ward, historical_province=units.old_long_an),
        dict(province=units.tay_ninh, commune=units.long_an_ward),
        dict(province=units.vinh_long),
        dict(province=units.phu_tho),
    ]
    for index in range(producers):
        producer = registry.producer(**places[index % len(places)])
        for stars in (2, 3, 4, 5)[: 1 + index % 4]:
            registry.recognised_product(producer, stars)


def queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        selectors.programme_stats(as_of=AS_OF, **kwargs)
    return len(captured)


REQUESTS = [
    # (arguments, queries): every province (both eras, 97 rows) and one aggregate; by historical
    # boundaries, the predecessors of the communes of producers without old units on record;
    # by commune, the communes of the province.
    (dict(), 2),
    (dict(boundaries="historical"), 3),
    (dict(province="Tây Ninh"), 2),
    (dict(province="Long An", boundaries="historical"), 3),
    (dict(province="80", by="commune"), 3),
    (dict(province="Long An", boundaries="historical", by="commune"), 4),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("kwargs", "expected"), REQUESTS, ids=[str(r[0]) for r in REQUESTS])
def test_a_fixed_number_of_queries(units, registry, kwargs, expected):
    grow(registry, units, 4)
    small = queries(**kwargs)
    grow(registry, units, 40)
    large = queries(**kwargs)
    assert small == large == expected


@pytest.mark.django_db
def test_the_whole_country_in_two_queries(units, registry, django_assert_num_queries):
    grow(registry, units, 12)
    with django_assert_num_queries(2):
        result = selectors.programme_stats(as_of=AS_OF)
    # Producers get 1, 2, 3, 4 products in turn (2★, 3★, 4★, 5★): 0 + 1 + 2 + 3 count, three times.
    assert result["products"]["total"] == 18
    assert result["producers"]["total"] == 9


@pytest.mark.django_db
def test_the_page_and_the_api_in_a_fixed_number_of_queries(client, central, units, registry):
    client.force_login(central)
    counts = []
    for producers in (4, 40):
        grow(registry, units, producers)
        with CaptureQueriesContext(connection) as page:
            assert client.get("/manage/stats/").status_code == 200
        with CaptureQueriesContext(connection) as api:
            assert client.get("/api/v1/stats/").status_code == 200
        counts.append((len(page), len(api)))
    assert counts[0] == counts[1]
