"""``--province`` as officials type it: a code or a name, read in the era of the boundaries counted."""

from datetime import date

import pytest

from ocop.geo.gazetteer import CURRENT, LEGACY
from ocop.geo.models import Province
from ocop.monitoring import selectors
from ocop.monitoring.selectors import StatsError, find_province


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "era", "code", "name"),
    [
        ("80", CURRENT, "80", "Tỉnh Tây Ninh"),
        ("Tây Ninh", CURRENT, "80", "Tỉnh Tây Ninh"),
        ("tinh tay ninh", CURRENT, "80", "Tỉnh Tây Ninh"),
        ("  TỈNH TÂY NINH ", CURRENT, "80", "Tỉnh Tây Ninh"),
        ("1", CURRENT, "01", "Thành phố Hà Nội"),
        ("Thành phố Hà Nội", CURRENT, "01", "Thành phố Hà Nội"),
        ("tp ha noi", CURRENT, "01", "Thành phố Hà Nội"),
        ("ho chi minh", CURRENT, "79", "Thành phố Hồ Chí Minh"),
        ("Vĩnh Long", CURRENT, "86", "Tỉnh Vĩnh Long"),
        ("Tây Ninh", LEGACY, "72", "Tỉnh Tây Ninh"),
        ("80", LEGACY, "80", "Tỉnh Long An"),
        ("Trà Vinh", LEGACY, "84", "Tỉnh Trà Vinh"),
        ("tra vinh", LEGACY, "84", "Tỉnh Trà Vinh"),
        ("Vĩnh Long", LEGACY, "86", "Tỉnh Vĩnh Long"),
    ],
)
def test_names_and_codes(text, era, code, name):
    province = find_province(text, era=era)
    assert (province.era_id, province.code, province.name) == (era, code, name)


@pytest.mark.django_db
def test_an_old_province_on_current_boundaries_is_refused_naming_its_successor():
    with pytest.raises(StatsError) as error:
        find_province("Trà Vinh", era=CURRENT)
    assert error.value.field == "province"
    assert str(error.value) == (
        "Tỉnh Trà Vinh (84) is a province of the boundaries before 1 July 2025; since then it is part "
        "of Tỉnh Vĩnh Long. Ask for Tỉnh Vĩnh Long, or use historical boundaries with a date before "
        "1 July 2025."
    )
    with pytest.raises(StatsError, match=r"Tỉnh Long An .* part of Tỉnh Tây Ninh"):
        find_province("Long An", era=CURRENT)
    with pytest.raises(StatsError, match=r"Tỉnh Trà Vinh \(84\) is a province of the boundaries before"):
        find_province("84", era=CURRENT)


def _province(era, code, name, short_name, pk):
    return Province(pk=pk, era_id=era, code=code, name=name, short_name=short_name)


def test_a_province_formed_in_2025_asked_for_before_the_reform():
    """Every current province kept an old name and code, so this needs made-up units."""
    new = _province(CURRENT, "99", "Tỉnh Sông Mới", "Sông Mới", 1)
    old_a = _province(LEGACY, "97", "Tỉnh Sông A", "Sông A", 2)
    old_b = _province(LEGACY, "98", "Tỉnh Sông B", "Sông B", 3)
    old_a.successor, old_b.successor = new, new
    with pytest.raises(StatsError) as error:
        find_province("song moi", era=LEGACY, provinces=[new, old_a, old_b])
    assert str(error.value) == (
        "Tỉnh Sông Mới (99) is a province of the boundaries since 1 July 2025 and did not exist on that "
        "date. It was formed from Tỉnh Sông A (97), Tỉnh Sông B (98): ask for one of those, or use "
        "current boundaries."
    )


def test_ambiguous_names_ask_for_the_code():
    provinces = [
        _province(CURRENT, "01", "Tỉnh Hòa Bình", "Hòa Bình", 1),
        _province(CURRENT, "02", "Thành phố Hòa Bình", "Hòa Bình", 2),
    ]
    with pytest.raises(StatsError) as error:
        find_province("hoa binh", era=CURRENT, provinces=provinces)
    assert str(error.value) == (
        "“hoa binh” is ambiguous: Tỉnh Hòa Bình (01), Thành phố Hòa Bình (02). Give the province's code."
    )
    assert find_province("tinh hoa binh", era=CURRENT, provinces=provinces).code == "01"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Atlantis", "Unknown province “Atlantis”: give a code (e.g. 80) or a name (e.g. Tây Ninh)."),
        ("99", "Unknown province “99”: give a code (e.g. 80) or a name (e.g. Tây Ninh)."),
        ("Tây", "Unknown province “Tây”; did you mean Tỉnh Tây Ninh (80)?"),
        (
            "ninh",
            "Unknown province “ninh”; did you mean Thành phố Quảng Ninh (22), Thành phố Bắc Ninh (24), "
            "Tỉnh Ninh Bình (37), Tỉnh Tây Ninh (80)?",
        ),
        ("", "Unknown province “”: give a code (e.g. 80) or a name (e.g. Tây Ninh)."),
    ],
)
def test_unknown_names(text, message):
    with pytest.raises(StatsError) as error:
        find_province(text, era=CURRENT)
    assert str(error.value) == message
    assert error.value.field == "province"


@pytest.mark.django_db
def test_the_selector_reads_names_in_the_era_of_the_day_and_boundaries(units):
    before, after = date(2025, 6, 30), date(2025, 7, 1)
    assert selectors.programme_stats(as_of=before, boundaries="historical", province="Trà Vinh")[
        "province"
    ] == {
        "code": "84",
        "name": "Tỉnh Trà Vinh",
    }
    # On the day of the reform the historical boundaries are today's: Trà Vinh is gone.
    with pytest.raises(StatsError, match="part of Tỉnh Vĩnh Long"):
        selectors.programme_stats(as_of=after, boundaries="historical", province="Trà Vinh")
    with pytest.raises(StatsError, match="part of Tỉnh Vĩnh Long"):
        selectors.programme_stats(as_of=before, boundaries="current", province="Trà Vinh")


@pytest.mark.django_db
def test_other_inputs_are_refused():
    with pytest.raises(StatsError) as error:
        selectors.programme_stats(by="commune")
    assert (error.value.field, str(error.value)) == ("by", "Figures by commune need a province.")
    with pytest.raises(StatsError) as error:
        selectors.programme_stats(province="80", by="district")
    assert error.value.field == "by"
    with pytest.raises(StatsError) as error:
        selectors.programme_stats(boundaries="ancient")
    assert error.value.field == "boundaries"


@pytest.mark.parametrize("text", ["2025-02-30", "19/02/2025", "2025-2-19", "20250219", "yesterday", ""])
def test_dates_must_be_iso(text):
    with pytest.raises(StatsError) as error:
        selectors.parse_day(text)
    assert error.value.field == "as_of"
    assert str(error.value) == f"Invalid date “{text}”: write it as YYYY-MM-DD, e.g. 2025-02-19."


def test_iso_dates():
    assert selectors.parse_day(" 2025-02-19 ") == date(2025, 2, 19)
    assert selectors.parse_day("2024-02-29") == date(2024, 2, 29)
