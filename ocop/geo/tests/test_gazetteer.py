"""The administrative units and where the old communes went (ocop.geo.gazetteer)."""

import csv
from collections import Counter
from datetime import date

import pytest

from ocop.geo import gazetteer as gz
from ocop.geo.gazetteer import COMMUNE, CURRENT, DISTRICT, LEGACY, PROVINCE


@pytest.fixture(scope="module")
def gaz():
    return gz.gazetteer()


@pytest.fixture(scope="module")
def package_only():
    return gz.Gazetteer.from_package(succession_csv=None)


def table_rows():
    with gz.SUCCESSION_CSV.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def test_unit_counts(gaz):
    counts = Counter(
        (u.era, u.level) for t in (gaz.provinces, gaz.districts, gaz.communes) for u in t.values()
    )
    assert counts == {
        (CURRENT, PROVINCE): 34,
        (CURRENT, COMMUNE): 3321,
        (LEGACY, PROVINCE): 63,
        (LEGACY, DISTRICT): 696,
        (LEGACY, COMMUNE): 10051,
    }


def test_every_old_commune_has_a_successor(gaz):
    missing = [u.code for u in gaz.units(LEGACY, COMMUNE) if gaz.current_commune_of(u.code) is None]
    assert missing == []
    assert len(gaz.commune_successions) == 10051


def test_package_alone_leaves_out_28_old_communes(package_only):
    missing = sorted(
        u.code for u in package_only.units(LEGACY, COMMUNE) if u.code not in package_only.commune_successions
    )
    assert len(missing) == 28
    assert "26935" in missing  # Phường 14, Quận Bình Thạnh
    assert sum(s.partial for s in package_only.commune_successions.values()) == 440


def test_succession_table_header_credits_vietnamadminunits_and_says_how_to_regenerate():
    comments = [
        line for line in gz.SUCCESSION_CSV.read_text(encoding="utf-8").splitlines() if line.startswith("#")
    ]
    text = "\n".join(comments)
    assert "vietnamadminunits 1.0.4" in text
    assert "MIT" in text
    assert "python scripts/build_geo_succession.py" in text


def test_succession_table_rows(package_only):
    rows = table_rows()
    assert len(rows) == 468
    split = [r for r in rows if r["note"].startswith("split")]
    assert len(split) == 440
    for row in split:  # the default new ward is one of the package's successors
        assert row["current_code"] in package_only.commune_successions[row["legacy_code"]].current_codes
    left_out = {r["legacy_code"] for r in rows if not r["note"].startswith("split")}
    assert left_out == {u.code for u in package_only.units(LEGACY, COMMUNE)} - set(
        package_only.commune_successions
    )


def test_split_commune_puts_the_default_new_ward_first(gaz, package_only):
    # Phường Điện Biên (Quận Ba Đình) was divided among four new wards; the table says
    # Phường Ba Đình took most of it.
    assert set(package_only.commune_successions["00019"].current_codes) == {
        "00004",
        "00070",
        "00190",
        "00226",
    }
    succession = gaz.commune_successions["00019"]
    assert succession.current_codes[0] == "00004"
    assert set(succession.current_codes) == {"00004", "00070", "00190", "00226"}
    assert succession.partial is True
    assert succession.source.startswith("split; default new ward in vietnamadminunits 1.0.4")


def test_left_out_commune_goes_where_its_host_went(gaz):
    # Phường 14 (26935) was merged into Phường 24 (26929), renamed Phường 14, before the reform.
    assert gaz.current_commune_of("26935").code == "26929"
    assert gaz.current_commune_of("26935").name == "Phường Bình Thạnh"
    assert gaz.commune_successions["26935"].partial is False
    assert "merged before 2025 into Phường 14 (26929)" in gaz.commune_successions["26935"].source


def test_commune_successor_is_a_current_commune(gaz):
    assert gaz.current_commune_of("29347") == gaz.commune(CURRENT, "29341")  # Phú Cần -> Tiểu Cần


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("72", "80"),  # Tây Ninh
        ("80", "80"),  # Long An -> Tây Ninh
        ("17", "25"),  # Hòa Bình -> Phú Thọ
        ("84", "86"),  # Trà Vinh -> Vĩnh Long
        ("91", "91"),  # Kiên Giang -> An Giang
        ("77", "79"),  # Bà Rịa - Vũng Tàu -> Hồ Chí Minh
        ("46", "46"),  # Huế
    ],
)
def test_province_successions(gaz, old, new):
    assert gaz.current_province_of(old).code == new


def test_current_province_names(gaz):
    assert gaz.province(CURRENT, "80").name == "Tỉnh Tây Ninh"
    assert gaz.province(CURRENT, "91").name == "Tỉnh An Giang"
    assert gaz.province(LEGACY, "17").name == "Tỉnh Hoà Bình"


def test_current_of(gaz):
    assert gaz.current_of(gaz.province(LEGACY, "84")) == gaz.province(CURRENT, "86")
    assert gaz.current_of(gaz.commune(LEGACY, "29347")) == gaz.commune(CURRENT, "29341")
    assert gaz.current_of(gaz.district("846")) is None
    assert gaz.current_of(gaz.commune(CURRENT, "29341")) == gaz.commune(CURRENT, "29341")


def test_units_are_keyed_by_era_and_code(gaz):
    assert gaz.commune(CURRENT, "00004").name == "Phường Ba Đình"
    assert gaz.commune(LEGACY, "00004").name == "Phường Trúc Bạch"
    assert gaz.commune(LEGACY, "29347").district_code == "846"
    assert gaz.district("846").name == "Huyện Tiểu Cần"
    assert gaz.district("846").province_code == "84"


@pytest.mark.parametrize(
    ("name", "division_type", "short"),
    [
        ("Tỉnh Cao Bằng", "tỉnh", "Cao Bằng"),
        ("Thành phố Hà Nội", "thành phố trung ương", "Hà Nội"),
        ("Thị xã Hòa Thành", "thị xã", "Hòa Thành"),
        ("Phường 14", "phường", "14"),
        ("Đặc khu Côn Đảo", "đặc khu", "Côn Đảo"),
    ],
)
def test_short_name(name, division_type, short):
    assert gz.short_name(name, division_type) == short


def test_era_on():
    assert gz.era_on(date(2025, 6, 30)) == LEGACY
    assert gz.era_on(date(2025, 7, 1)) == CURRENT
    assert gz.era_on(date(2019, 1, 1)) == LEGACY


def test_bad_succession_row_is_refused(tmp_path, package_only):
    bad = tmp_path / "succession.csv"
    bad.write_text("# comment\nlegacy_code,current_code,note\n29347,99999,typo\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown commune code"):
        package_only._apply_succession_table(bad)
