"""Current and historical boundaries across the 1 July 2025 merger, by province and by commune."""

from datetime import date

import pytest

from ocop.geo.models import Commune, CommuneSuccession, Province
from ocop.monitoring import selectors

from . import oracle
from .conftest import AFTER, AS_OF


def _entry(result, code):
    (entry,) = [e for e in result["provinces"] if e["province"]["code"] == code]
    return entry


def _totals(entry):
    return entry["products"]["total"], entry["producers"]["total"]


@pytest.fixture
def merger(units, registry):
    """Producers on both sides of the merger, each with products valid on both days."""
    r = registry
    s = type("Merger", (), {})()
    # Addresses read before the reform: the old units are on record.
    s.long_an = r.producer(
        province=units.tay_ninh,
        commune=units.long_an_ward,
        historical_province=units.old_long_an,
        historical_commune=units.old_tan_an_4,
        kind="cooperative",
    )
    r.recognised_product(s.long_an, 3, group="food")
    s.tay_ninh = r.producer(
        province=units.tay_ninh,
        commune=units.tan_ninh_ward,
        historical_province=units.old_tay_ninh,
        historical_commune=units.old_tay_ninh_1,
        kind="enterprise",
    )
    r.recognised_product(s.tay_ninh, 4, group="drinks")
    s.tra_vinh = r.producer(
        province=units.vinh_long,
        commune=units.tra_vinh_ward,
        historical_province=units.old_tra_vinh,
        historical_commune=units.old_tra_vinh_1,
        kind="household",
    )
    r.recognised_product(s.tra_vinh, 3, group="herbal")
    r.recognised_product(s.tra_vinh, 5, group="herbal")
    # Registered after the reform with a new-style address: no old units on record.
    s.new_in_long_an_ward = r.producer(province=units.tay_ninh, commune=units.long_an_ward, kind="household")
    r.recognised_product(s.new_in_long_an_ward, 4, group="handicraft")
    s.new_without_commune = r.producer(province=units.vinh_long, kind="cooperative_group")
    r.recognised_product(s.new_without_commune, 3, group="tourism")
    # Only the old commune on record.
    s.old_commune_only = r.producer(
        province=units.vinh_long, commune=units.tra_vinh_ward, historical_commune=units.old_tra_vinh_1
    )
    r.recognised_product(s.old_commune_only, 4, group="food")
    return s


@pytest.mark.django_db
def test_current_boundaries_count_by_todays_provinces(units, merger):
    result = selectors.programme_stats(as_of=AS_OF, boundaries="current")

    assert [e["province"]["code"] for e in result["provinces"]] == sorted(
        Province.objects.current().values_list("code", flat=True)
    )
    assert len(result["provinces"]) == 34
    # New Tây Ninh: the Long An and Tây Ninh producers and the new one in the Long An ward.
    assert _totals(_entry(result, "80")) == (3, 3)
    assert _entry(result, "80")["products"]["by_stars"] == {"3": 1, "4": 2, "5": 0}
    # New Vĩnh Long: Trà Vinh (2 products), the one without a commune, the one with an old commune only.
    assert _totals(_entry(result, "86")) == (4, 3)
    assert _totals(_entry(result, "25")) == (0, 0)
    assert _totals(result) == (7, 6)


@pytest.mark.django_db
def test_historical_boundaries_before_the_reform_count_by_the_old_provinces(units, merger):
    result = selectors.programme_stats(as_of=AS_OF, boundaries="historical")

    assert result["boundaries"] == "historical"
    assert len(result["provinces"]) == 63
    assert [e["province"]["code"] for e in result["provinces"]] == sorted(
        Province.objects.of_era("pre-2025-07").values_list("code", flat=True)
    )
    assert _entry(result, "80")["province"] == {"code": "80", "name": "Tỉnh Long An"}
    # Long An: its producer, and the new producer whose ward was formed from Long An communes.
    assert _totals(_entry(result, "80")) == (2, 2)
    assert _totals(_entry(result, "72")) == (1, 1)  # old Tây Ninh
    # Trà Vinh: its producer (2 products) and the one known only by its old commune.
    assert _totals(_entry(result, "84")) == (3, 2)
    # Without a commune: the lowest-coded old province that became new Vĩnh Long, Bến Tre (83).
    assert _totals(_entry(result, "83")) == (1, 1)
    assert _totals(_entry(result, "86")) == (0, 0)
    assert _totals(result) == (7, 6)
    for entry in result["provinces"]:
        province = Province.objects.get(era_id="pre-2025-07", code=entry["province"]["code"])
        assert {k: entry[k] for k in ("products", "producers")} == oracle.figures(
            AS_OF, "historical", province_id=province.pk
        )


@pytest.mark.django_db
def test_on_and_after_the_reform_historical_is_current(units, merger):
    for day in (date(2025, 7, 1), AFTER):
        historical = selectors.programme_stats(as_of=day, boundaries="historical")
        current = selectors.programme_stats(as_of=day, boundaries="current")
        assert historical["boundaries"] == "historical"
        assert {k: v for k, v in historical.items() if k != "boundaries"} == {
            k: v for k, v in current.items() if k != "boundaries"
        }
        assert len(historical["provinces"]) == 34
    # The day before, the old provinces.
    assert len(selectors.programme_stats(as_of=date(2025, 6, 30), boundaries="historical")["provinces"]) == 63


@pytest.mark.django_db
def test_one_province_named_in_the_era_counted(units, merger):
    current = selectors.programme_stats(as_of=AS_OF, province="Tây Ninh")
    historical = selectors.programme_stats(as_of=AS_OF, boundaries="historical", province="Tây Ninh")
    long_an = selectors.programme_stats(as_of=AS_OF, boundaries="historical", province="long an")
    code_80_then = selectors.programme_stats(as_of=AS_OF, boundaries="historical", province="80")
    tra_vinh = selectors.programme_stats(as_of=AS_OF, boundaries="historical", province="Trà Vinh")

    assert current["province"] == {"code": "80", "name": "Tỉnh Tây Ninh"}
    assert _totals(current) == (3, 3)
    assert historical["province"] == {"code": "72", "name": "Tỉnh Tây Ninh"}
    assert _totals(historical) == (1, 1)
    assert long_an["province"] == {"code": "80", "name": "Tỉnh Long An"}
    assert _totals(long_an) == (2, 2)
    # Codes too are read in the era counted: 80 was Long An's code before the reform.
    assert code_80_then["province"] == long_an["province"]
    assert tra_vinh["province"] == {"code": "84", "name": "Tỉnh Trà Vinh"}
    assert tra_vinh["products"]["by_stars"] == {"3": 1, "4": 1, "5": 1}
    assert tra_vinh["products"]["by_group"]["herbal"] == 2
    assert tra_vinh["producers"]["by_type"] == {
        "cooperative": 1,
        "cooperative_group": 0,
        "enterprise": 0,
        "household": 1,
    }
    assert "provinces" not in current and "communes" not in current


@pytest.mark.django_db
def test_by_commune_with_current_boundaries(units, merger, registry):
    # A counted producer with no commune on record is listed apart, so the list adds up.
    registry.recognised_product(registry.producer(province=units.tay_ninh, kind="enterprise"), 5)

    result = selectors.programme_stats(as_of=AS_OF, province="80", by="commune")

    communes = result["communes"]
    expected_codes = list(
        Commune.objects.filter(province=units.tay_ninh).order_by("code").values_list("code", flat=True)
    )
    assert [c["commune"]["code"] for c in communes[:-1]] == expected_codes
    assert communes[-1]["commune"] == {"code": None, "name": None}
    assert _totals(communes[-1]) == (1, 1)
    by_code = {c["commune"]["code"]: c for c in communes}
    assert by_code[units.long_an_ward.code]["commune"]["name"] == units.long_an_ward.name
    assert _totals(by_code[units.long_an_ward.code]) == (2, 2)
    assert _totals(by_code[units.tan_ninh_ward.code]) == (1, 1)
    assert sum(c["products"]["total"] for c in communes) == result["products"]["total"] == 4
    assert sum(c["producers"]["total"] for c in communes) == result["producers"]["total"] == 4
    assert sum(1 for c in communes if c["products"]["total"]) == 3


@pytest.mark.django_db
def test_by_commune_with_historical_boundaries_lists_the_old_communes(units, merger):
    result = selectors.programme_stats(as_of=AS_OF, boundaries="historical", province="Long An", by="commune")

    communes = result["communes"]
    assert len(communes) == Commune.objects.filter(province=units.old_long_an).count()
    assert all(c["commune"]["code"] is not None for c in communes)  # everyone placed
    counted = {c["commune"]["code"]: _totals(c) for c in communes if c["products"]["total"]}
    # The new producer, with no old commune on record, goes to the primary predecessor of its
    # ward with the lowest code: Phường 5 (27685), before Phường 4 (27691) where the other is.
    rows = CommuneSuccession.objects.filter(successor=units.long_an_ward).select_related("predecessor")
    primaries = sorted(s.predecessor.code for s in rows if s.is_primary)
    assert primaries[0] == units.old_tan_an_5.code < units.old_tan_an_4.code
    assert counted == {units.old_tan_an_4.code: (1, 1), units.old_tan_an_5.code: (1, 1)}
    assert _totals(result) == (2, 2)


@pytest.mark.django_db
def test_predecessors_in_several_old_provinces_primary_then_lowest_code(units, registry):
    """A ward formed from communes of two old provinces goes to the primary predecessor with
    the lowest code (here made up: Phường 1 of old Tây Ninh joins Long An's ward)."""
    producer = registry.producer(province=units.tay_ninh, commune=units.long_an_ward)
    registry.recognised_product(producer, 3)
    # A part of old Tây Ninh's Phường 1, not its primary successor: Long An still decides.
    CommuneSuccession.objects.create(predecessor=units.old_tay_ninh_1, successor=units.long_an_ward)
    result = selectors.programme_stats(as_of=AS_OF, boundaries="historical")
    assert _totals(_entry(result, "80")) == (1, 1)
    assert _totals(_entry(result, "72")) == (0, 0)

    # Primary for both: the lowest code wins (25456 in Tây Ninh before 27685 in Long An).
    CommuneSuccession.objects.filter(predecessor=units.old_tay_ninh_1).delete()
    CommuneSuccession.objects.create(
        predecessor=units.old_tay_ninh_1, successor=units.long_an_ward, is_primary=True
    )
    result = selectors.programme_stats(as_of=AS_OF, boundaries="historical")
    assert _totals(_entry(result, "72")) == (1, 1)
    assert _totals(_entry(result, "80")) == (0, 0)
