"""Which products and producers count on a day, and under which stars (REGISTRY-FORMAT.md)."""

import random
from datetime import date, timedelta

import pytest
from django.utils import timezone

from ocop.geo.models import Commune, CommuneSuccession, Province
from ocop.monitoring import selectors

from . import oracle
from .conftest import AS_OF

D = AS_OF
DAY = timedelta(days=1)
LONG_AGO = date(2022, 3, 1)


def _figures(result):
    return {"products": result["products"], "producers": result["producers"]}


# name, recognitions as (stars, recognised_on, valid_until, revoked_on, superseded_on), expected stars
CASES = [
    ("recognised on the day", [(3, D, D + 900 * DAY, None, None)], 3),
    ("valid until the day", [(4, D - 1095 * DAY, D, None, None)], 4),
    ("expired the day before", [(4, D - 1095 * DAY, D - DAY, None, None)], None),
    ("recognised the day after", [(5, D + DAY, D + 900 * DAY, None, None)], None),
    ("revoked on the day", [(3, LONG_AGO, D + 900 * DAY, D, None)], None),
    ("revoked the day after", [(3, LONG_AGO, D + 900 * DAY, D + DAY, None)], 3),
    ("revoked the day before", [(5, LONG_AGO, D + 900 * DAY, D - DAY, None)], None),
    ("two stars", [(2, LONG_AGO, D + 900 * DAY, None, None)], None),
    ("one star", [(1, LONG_AGO, D + 900 * DAY, None, None)], None),
    (
        "superseded on the day by a re-rating",
        [(3, LONG_AGO, D + 900 * DAY, None, D), (4, D, D + 1095 * DAY, None, None)],
        4,
    ),
    (
        "superseded later: the old rating still decides",
        [(3, LONG_AGO, D + 900 * DAY, None, D + 10 * DAY), (5, D + 10 * DAY, D + 1095 * DAY, None, None)],
        3,
    ),
    (
        "re-rated up without superseding",
        [(3, LONG_AGO, D + 300 * DAY, None, None), (4, D - 10 * DAY, D + 1000 * DAY, None, None)],
        4,
    ),
    (
        "re-rated down to 2 stars without superseding",
        [(4, LONG_AGO, D + 300 * DAY, None, None), (2, D - 10 * DAY, D + 1000 * DAY, None, None)],
        None,
    ),
    (
        "re-rated down from 5 to 3",
        [(5, LONG_AGO, D + 300 * DAY, None, None), (3, D - 10 * DAY, D + 1000 * DAY, None, None)],
        3,
    ),
    (
        "two on the same day: the higher pk decides (3 then 5)",
        [(3, D - 5 * DAY, D + 1000 * DAY, None, None), (5, D - 5 * DAY, D + 1000 * DAY, None, None)],
        5,
    ),
    (
        "two on the same day: the higher pk decides (5 then 3)",
        [(5, D - 5 * DAY, D + 1000 * DAY, None, None), (3, D - 5 * DAY, D + 1000 * DAY, None, None)],
        3,
    ),
    (
        "the latest was revoked: the older valid one decides",
        [(4, LONG_AGO, D + 100 * DAY, None, None), (3, D - 500 * DAY, D + 600 * DAY, D - 10 * DAY, None)],
        4,
    ),
    (
        "a newer 2-star one not yet in force",
        [(4, LONG_AGO, D + 100 * DAY, None, None), (2, D + DAY, D + 1000 * DAY, None, None)],
        4,
    ),
    ("never recognised", [], None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "recognitions", "stars"), CASES, ids=[c[0] for c in CASES])
def test_one_product(units, registry, name, recognitions, stars):
    producer = registry.producer(province=units.tay_ninh, kind="household")
    product = registry.product(producer, group="drinks")
    for n, on, until, revoked, superseded in recognitions:
        registry.recognise(product, n, on, until=until, revoked=revoked, superseded=superseded)

    result = selectors.programme_stats(as_of=D, province="80")

    expected = oracle.zero()
    if stars is not None:
        expected["products"].update(total=1, by_stars={"3": 0, "4": 0, "5": 0} | {str(stars): 1})
        expected["products"]["by_group"]["drinks"] = 1
        expected["producers"] = {
            "total": 1,
            "by_type": {"cooperative": 0, "cooperative_group": 0, "enterprise": 0, "household": 1},
        }
    assert _figures(result) == expected


@pytest.mark.django_db
def test_all_cases_together_and_producers_counted_once(units, registry):
    """Every case above as a product of one of three producers, counted together."""
    kinds = ["cooperative", "enterprise", "household"]
    producers = [registry.producer(province=units.tay_ninh, kind=kind) for kind in kinds]
    groups = ["food", "drinks", "herbal", "handicraft", "ornamental", "tourism"]
    expected_stars = {"3": 0, "4": 0, "5": 0}
    expected_groups = dict.fromkeys(groups, 0)
    counted_producers = set()
    for index, (_name, recognitions, stars) in enumerate(CASES):
        producer = producers[index % 3]
        group = groups[index % 6]
        product = registry.product(producer, group=group)
        for n, on, until, revoked, superseded in recognitions:
            registry.recognise(product, n, on, until=until, revoked=revoked, superseded=superseded)
        if stars is not None:
            expected_stars[str(stars)] += 1
            expected_groups[group] += 1
            counted_producers.add(index % 3)

    result = selectors.programme_stats(as_of=D)

    assert result["products"] == {
        "total": sum(1 for c in CASES if c[2] is not None),
        "by_stars": expected_stars,
        "by_group": expected_groups,
    }
    assert result["products"]["total"] == 11
    assert result["producers"] == {
        "total": 3,
        "by_type": {"cooperative": 1, "cooperative_group": 0, "enterprise": 1, "household": 1},
    }
    assert counted_producers == {0, 1, 2}
    assert _figures(result) == oracle.figures(D)


@pytest.mark.django_db
def test_a_producer_counts_once_however_many_products_count(units, registry):
    big = registry.producer(province=units.tay_ninh, kind="cooperative")
    for stars in (3, 3, 4, 5):
        registry.recognised_product(big, stars)
    small = registry.producer(province=units.tay_ninh, kind="cooperative")
    registry.recognised_product(small, 4)
    registry.recognised_product(small, 2)  # does not count, the producer does through the other
    none = registry.producer(province=units.tay_ninh, kind="enterprise")
    registry.recognised_product(none, 2)
    registry.recognised_product(none, 4, revoked=date(2024, 6, 1))

    result = selectors.programme_stats(as_of=D, province="Tây Ninh")

    assert result["products"]["total"] == 5
    assert result["products"]["by_stars"] == {"3": 2, "4": 2, "5": 1}
    assert result["producers"] == {
        "total": 2,
        "by_type": {"cooperative": 2, "cooperative_group": 0, "enterprise": 0, "household": 0},
    }


@pytest.mark.django_db
def test_random_registries_agree_with_the_rules_on_every_day(units, registry):
    """A registry drawn at random around the reform, checked on many days against the oracle."""
    rng = random.Random(20250219)
    no_predecessor = (
        Commune.objects.current()
        .exclude(pk__in=CommuneSuccession.objects.values("successor_id"))
        .select_related("province")
        .order_by("code")
        .first()
    )
    places = [
        dict(province=units.tay_ninh, commune=units.long_an_ward, historical_province=units.old_long_an),
        dict(province=units.tay_ninh, commune=units.tan_ninh_ward, historical_province=units.old_tay_ninh),
        dict(province=units.tay_ninh, commune=units.long_an_ward),
        dict(province=units.vinh_long, commune=units.tra_vinh_ward, historical_commune=units.old_tra_vinh_1),
        dict(province=units.vinh_long),
        dict(province=units.phu_tho),
        # A commune that no old commune became (there are a few): placed by its province.
        dict(province=no_predecessor.province, commune=no_predecessor),
    ]
    kinds = ["cooperative", "cooperative_group", "enterprise", "household"]
    groups = ["food", "drinks", "herbal", "handicraft", "ornamental", "tourism"]
    start = date(2023, 1, 1)
    for _ in range(25):
        producer = registry.producer(kind=rng.choice(kinds), **rng.choice(places))
        for _ in range(rng.randint(1, 3)):
            product = registry.product(producer, group=rng.choice(groups))
            for _ in range(rng.randint(0, 3)):
                on = start + timedelta(days=rng.randint(0, 1000))
                until = on + timedelta(days=rng.randint(0, 1100))
                revoked = on + timedelta(days=rng.randint(0, 800)) if rng.random() < 0.2 else None
                superseded = on + timedelta(days=rng.randint(0, 800)) if rng.random() < 0.2 else None
                registry.recognise(
                    product, rng.randint(1, 5), on, until=until, revoked=revoked, superseded=superseded
                )

    days = [date(2023, 6, 30), date(2024, 2, 29), D, date(2025, 6, 30), date(2025, 7, 1), date(2026, 1, 1)]
    for day in days:
        for boundaries in ("current", "historical"):
            result = selectors.programme_stats(as_of=day, boundaries=boundaries)
            assert _figures(result) == oracle.figures(day, boundaries), (day, boundaries)
            for entry in result["provinces"]:
                if entry["products"]["total"]:
                    era = "2025-07" if boundaries == "current" or day >= oracle.REFORM else "pre-2025-07"
                    pk = Province.objects.get(era_id=era, code=entry["province"]["code"]).pk
                    assert _figures(entry) == oracle.figures(day, boundaries, province_id=pk), (
                        day,
                        boundaries,
                        entry["province"],
                    )
                    # The same province asked for alone, and by commune: the same figures, and
                    # communes that add up to them.
                    alone = selectors.programme_stats(
                        as_of=day, boundaries=boundaries, province=entry["province"]["code"], by="commune"
                    )
                    assert _figures(alone) == _figures(entry)
                    for key in ("products", "producers"):
                        assert sum(c[key]["total"] for c in alone["communes"]) == entry[key]["total"]
    assert oracle.figures(D)["products"]["total"] > 5  # the draw is not trivially empty


@pytest.mark.django_db
def test_as_of_defaults_to_today(units, registry):
    today = timezone.localdate()
    producer = registry.producer(province=units.tay_ninh)
    registry.recognised_product(producer, 4, on=today)
    registry.recognised_product(producer, 3, on=today + DAY)

    result = selectors.programme_stats()

    assert result["as_of"] == today.isoformat()
    assert result["products"]["by_stars"] == {"3": 0, "4": 1, "5": 0}
