"""Every dashboard figure against a count made here from the raw rows, and every figure's link
against the figure: the list behind a number has exactly that many rows."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, timedelta

import pytest

from ocop.geo.gazetteer import CURRENT, LEGACY
from ocop.geo.models import Commune
from ocop.monitoring import figures
from ocop.monitoring.dashboard import dashboard, quarter_span
from ocop.monitoring.units import Unit

from . import oracle

DAY = timedelta(days=1)
AFTER = date(2026, 5, 20)  # after the reform
BEFORE = date(2025, 3, 31)  # before it: historical boundaries are the old provinces


@pytest.fixture
def world(units, registry, django_user_model):
    """A seeded registry over new Tây Ninh (old Tây Ninh and Long An) and Vĩnh Long, with
    producers with and without their old units on record, and recognitions of every fate."""
    from ocop.accounts.models import Grant

    rng = random.Random(8)
    places = [
        dict(province=units.tay_ninh, commune=units.long_an_ward, historical_commune=units.old_tan_an_5),
        dict(province=units.tay_ninh, commune=units.long_an_ward),  # placed by its commune
        dict(province=units.tay_ninh, commune=units.tan_ninh_ward, historical_province=units.old_tay_ninh),
        dict(province=units.tay_ninh),  # no commune: the lowest-coded old province of Tây Ninh
        dict(province=units.vinh_long, commune=units.tra_vinh_ward, historical_commune=units.old_tra_vinh_1),
        dict(province=units.vinh_long, commune=units.tra_vinh_ward),
    ]
    kinds = ["cooperative", "cooperative_group", "enterprise", "household"]
    groups = ["food", "drinks", "herbal", "handicraft", "ornamental", "tourism"]
    for i in range(30):
        producer = registry.producer(kind=rng.choice(kinds), **places[i % len(places)])
        for _j in range(rng.randint(1, 3)):
            product = registry.product(producer, rng.choice(groups))
            on = date(2020, 1, 1) + rng.randint(0, 2300) * DAY
            stars = rng.choice([2, 3, 3, 4, 4, 5])
            fate = rng.random()
            until = on + 1095 * DAY
            if fate < 0.15:
                registry.recognise(product, stars, on, until=until, revoked=on + rng.randint(10, 900) * DAY)
            elif fate < 0.35:
                later = on + rng.randint(200, 1000) * DAY
                registry.recognise(product, stars, on, until=until, superseded=later)
                registry.recognise(
                    product, min(5, stars + rng.choice([0, 1])), later, until=later + 1095 * DAY
                )
            else:
                registry.recognise(product, stars, on, until=until)
    central = django_user_model.objects.create_user("central_dash", password="x")
    Grant.objects.create(user=central, role="central")
    return central


# --------------------------------------------------------------------------------------------
# The independent count
# --------------------------------------------------------------------------------------------


def _rows():
    from ocop.registry.models import Producer, Product, Recognition

    producers = {p["id"]: p for p in Producer.objects.values()}
    products = {p["id"]: p for p in Product.objects.values()}
    recognitions = list(Recognition.objects.values())
    return producers, products, recognitions


def _in_unit(producer: dict, unit: Unit) -> bool:
    if unit.province is None:
        return True
    if unit.era == CURRENT:
        if unit.commune is not None:
            return producer["commune_id"] == unit.commune.pk
        return producer["province_id"] == unit.province.pk
    return oracle.legacy_province_of(producer) == unit.province.pk


def _deciding(recognitions, day):
    """product id -> the recognition that decides it on ``day`` (3 stars or more only)."""
    by_product = defaultdict(list)
    for rec in recognitions:
        if oracle.valid_on(rec, day):
            by_product[rec["product_id"]].append(rec)
    out = {}
    for product_id, recs in by_product.items():
        latest = max(recs, key=lambda r: (r["recognised_on"], r["id"]))
        if latest["stars"] >= 3:
            out[product_id] = latest
    return out


def _expired_in(rec, start, end):
    until = rec["valid_until"]
    return (
        start <= until <= end
        and (rec["revoked_on"] is None or rec["revoked_on"] > until)
        and (rec["superseded_on"] is None or rec["superseded_on"] > until)
    )


def expected(unit: Unit, day: date, boundaries: str) -> dict:
    producers, products, recognitions = _rows()

    def owner(rec):
        return producers[products[rec["product_id"]]["producer_id"]]

    mine = [rec for rec in recognitions if _in_unit(owner(rec), unit)]
    deciding = {p: r for p, r in _deciding(recognitions, day).items() if _in_unit(owner(r), unit)}
    out = {
        "products": len(deciding),
        "stars": {s: sum(1 for r in deciding.values() if r["stars"] == s) for s in (3, 4, 5)},
        "groups": defaultdict(int),
        "producers": len({products[p]["producer_id"] for p in deciding}),
        "expiring": sum(1 for r in deciding.values() if r["valid_until"] <= day + 90 * DAY),
    }
    for product_id in deciding:
        out["groups"][products[product_id]["group"]] += 1
    ocop = [r for r in mine if r["stars"] >= 3]
    out["new_by_year"] = defaultdict(int)
    for rec in ocop:
        if rec["recognised_on"] <= day:
            out["new_by_year"][(rec["recognised_on"].year, rec["stars"])] += 1
    out["stock"] = {}
    for year in range(2019, day.year + 1):
        year_end = min(date(year, 12, 31), day)
        stock = {p: r for p, r in _deciding(recognitions, year_end).items() if _in_unit(owner(r), unit)}
        out["stock"][year] = {s: sum(1 for r in stock.values() if r["stars"] == s) for s in (3, 4, 5)}
    out["quarters"] = {}
    for year in range(2019, day.year + 1):
        for quarter in (1, 2, 3, 4):
            start, end = quarter_span(year, quarter)
            end = min(end, day)
            out["quarters"][(year, quarter)] = {
                "new": sum(1 for r in ocop if start <= r["recognised_on"] <= end),
                "expired": sum(1 for r in ocop if _expired_in(r, start, end)),
                "revoked": sum(1 for r in ocop if r["revoked_on"] and start <= r["revoked_on"] <= end),
            }
    return out


UNITS = [
    ("country today", lambda u: Unit(era=CURRENT), AFTER, "current"),
    ("new Tây Ninh", lambda u: Unit(era=CURRENT, province=u.tay_ninh), AFTER, "current"),
    ("new Tây Ninh before it existed", lambda u: Unit(era=CURRENT, province=u.tay_ninh), BEFORE, "current"),
    ("old Long An", lambda u: Unit(era=LEGACY, province=u.old_long_an), BEFORE, "historical"),
    ("old Tây Ninh", lambda u: Unit(era=LEGACY, province=u.old_tay_ninh), BEFORE, "historical"),
    ("country, old boundaries", lambda u: Unit(era=LEGACY), BEFORE, "historical"),
    (
        "a ward of today",
        lambda u: Unit(era=CURRENT, province=u.tay_ninh, commune=u.long_an_ward),
        AFTER,
        "current",
    ),
]


@pytest.mark.parametrize("name,make_unit,day,boundaries", UNITS, ids=[u[0] for u in UNITS])
def test_every_figure_matches_a_count_from_the_raw_rows(world, units, name, make_unit, day, boundaries):
    unit = make_unit(units)
    board = dashboard(unit=unit, as_of=day, boundaries=boundaries, user=world)
    want = expected(unit, day, boundaries)

    assert board.products.value == want["products"] > 0
    assert {s: n.value for s, n in board.by_stars.items()} == want["stars"]
    assert {g: n.value for g, n in board.by_group.items() if n.value} == dict(want["groups"])
    assert board.producers == want["producers"]
    assert board.expiring.value == want["expiring"]
    for period in board.years:
        year = int(period.label)
        assert {s: n.value for s, n in period.counts.items()} == want["stock"][year], period.label
    for period in board.new_by_year:
        year = int(period.label)
        assert {s: n.value for s, n in period.counts.items()} == {
            s: want["new_by_year"][(year, s)] for s in (3, 4, 5)
        }, period.label
    assert len(board.quarters) == 8
    for period in board.quarters:
        roman, year = period.label.split("/")
        quarter = {"I": 1, "II": 2, "III": 3, "IV": 4}[roman]
        counts = {k: n.value for k, n in period.counts.items()}
        assert counts == want["quarters"][(int(year), quarter)], period.label


@pytest.mark.parametrize("name,make_unit,day,boundaries", UNITS, ids=[u[0] for u in UNITS])
def test_every_figure_links_to_exactly_the_rows_it_counts(world, units, name, make_unit, day, boundaries):
    unit = make_unit(units)
    board = dashboard(unit=unit, as_of=day, boundaries=boundaries, user=world)
    numbers = [board.products, board.expiring, *board.by_stars.values(), *board.by_group.values()]
    for period in [*board.years, *board.new_by_year, *board.quarters]:
        numbers.extend(period.counts.values())
    for sub in board.subunits:
        numbers.extend([sub.products, *sub.by_stars.values()])
    for row in board.targets:
        numbers.append(
            type(board.products)(
                row.numerator if row.denominator is not None else int(row.progress.actual), row.figure
            )
        )
    checked = 0
    for number in numbers:
        # The figure travels as URL parameters: read it back as the list page does.
        figure = figures.from_params(number.figure.params())
        assert figure == number.figure
        assert figures.rows(figure).count() == number.value, figure
        checked += 1
    assert checked > 40


def test_subunits_add_up_to_the_unit(world, units):
    board = dashboard(unit=Unit(era=LEGACY), as_of=BEFORE, boundaries="historical", user=world)
    assert sum(s.products.value for s in board.subunits) == board.products.value
    assert len(board.subunits) == 63  # every old province listed, zeros included
    province = dashboard(
        unit=Unit(era=CURRENT, province=units.tay_ninh), as_of=AFTER, boundaries="current", user=world
    )
    communes = Commune.objects.filter(province=units.tay_ninh).count()
    assert len(province.subunits) == communes
    # Producers with no commune on record count in the province but in no commune's row.
    assert sum(s.products.value for s in province.subunits) < province.products.value


def test_the_dashboard_refuses_a_unit_of_the_wrong_era(world, units):
    with pytest.raises(ValueError):
        dashboard(
            unit=Unit(era=LEGACY, province=units.old_long_an),
            as_of=AFTER,
            boundaries="historical",
            user=world,
        )
