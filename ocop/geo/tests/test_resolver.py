"""Reading free-text addresses (ocop.geo.resolver).

Expected codes come from the statistics-office data in ``vietnam-provinces`` and the
committed succession table; each row names a real commune, district and province.
"""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ocop.geo import gazetteer as gz
from ocop.geo.gazetteer import COMMUNE, CURRENT, LEGACY
from ocop.geo.resolver import (
    AMBIGUOUS,
    PROVINCE_ALIASES,
    RESOLVED,
    UNKNOWN,
    Resolution,
    _index_for,
    reason_text,
    resolve,
    resolve_many,
)
from ocop.vntext import fold, match_key

L, C = LEGACY, CURRENT
GAZ = gz.gazetteer()


def code(unit):
    return unit.code if unit else None


def summary(r: Resolution):
    return (
        r.status,
        r.era,
        code(r.province),
        code(r.district),
        code(r.commune),
        code(r.current_province),
        code(r.current_commune),
    )


# (address, era, province, district, commune, current province, current commune)
ADDRESSES = [
    # Old three-level addresses, written every way people write them.
    ("Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinh", L, "84", "846", "29347", "86", "29341"),
    ("xa phu can, huyen tieu can, tinh tra vinh", L, "84", "846", "29347", "86", "29341"),
    ("XÃ PHÚ CẦN - HUYỆN TIỂU CẦN - TỈNH TRÀ VINH", L, "84", "846", "29347", "86", "29341"),
    ("Ấp Chợ, X. Phú Cần, H. Tiểu Cần, T. Trà Vinh", L, "84", "846", "29347", "86", "29341"),
    ("Phú Cần Tiểu Cần Trà Vinh", L, "84", "846", "29347", "86", "29341"),
    ("Xã Phú Cần, Tỉnh Vĩnh Long", L, "84", "846", "29347", "86", "29341"),  # old commune, new province
    ("Phường Hiệp Tân, Thị xã Hòa Thành, Tỉnh Tây Ninh", L, "72", "709", "25633", "80", "25633"),
    ("Phường Hiệp Tân, TX. Hòa Thành, Tây Ninh", L, "72", "709", "25633", "80", "25633"),
    ("Thị trấn Tân Trụ, Huyện Tân Trụ, Long An", L, "80", "805", "28075", "80", "28075"),
    ("TT NT Mộc Châu, H. Mộc Châu, Sơn La", L, "14", "123", "03982", "14", "03982"),
    ("Thị trấn Nông trường Mộc Châu, Mộc Châu, Sơn La", L, "14", "123", "03982", "14", "03982"),
    ("Xã Long Hậu, H. Cần Giuộc, T. Long An", L, "80", "807", "28168", "80", "28159"),
    ("xa duc hoa ha - duc hoa - long an", L, "80", "802", "27985", "80", "27937"),
    ("Xã Mường Chiềng, Huyện Đà Bắc, Tỉnh Hoà Bình", L, "17", "150", "04846", "25", "04846"),
    ("Thôn 3, Xã Mường Chiềng, Đà Bắc, Hòa Bình, Việt Nam", L, "17", "150", "04846", "25", "04846"),
    ("P. Thịnh Lang, TP. Hòa Bình, Hòa Bình", L, "17", "148", "04795", "25", "04795"),
    ("Xã Ea Kao, Thành phố Buôn Ma Thuột, Đắc Lắc", L, "66", "643", "24169", "66", "24169"),
    ("Phường Dương Đông, TP Phú Quốc, Kiên Giang", L, "91", "911", "31078", "91", "31078"),
    ("Xã Vĩnh Hòa Hưng Bắc, Huyện Gò Quao, Tỉnh Kiên Giang", L, "91", "907", "30955", "91", "30970"),
    ("Xã Thạnh Lộc, Huyện Châu Thành, Kiên Giang", L, "91", "905", "30901", "91", "30886"),
    ("Phường Bến Nghé, Quận 1, TP.HCM", L, "79", "760", "26740", "79", "26740"),
    ("Số 12 Lê Lợi, P. Bến Nghé, Q.1, TPHCM", L, "79", "760", "26740", "79", "26740"),
    ("P.14, Q.Bình Thạnh, Tp Hồ Chí Minh", L, "79", "765", "26935", "79", "26929"),
    ("Phường 14 - Quận Bình Thạnh - Sài Gòn", L, "79", "765", "26935", "79", "26929"),
    ("p14, q binh thanh, hcm", L, "79", "765", "26935", "79", "26929"),
    ("Phường Ngọc Hà, Quận Ba Đình, Hà Nội", L, "01", "001", "00016", "01", "00004"),
    ("Phường Nghĩa Đô, Quận Cầu Giấy, Thành phố Hà Nội", L, "01", "005", "00157", "01", "00160"),
    ("Xã Bát Tràng, Huyện Gia Lâm, Hà Nội", L, "01", "018", "00583", "01", "00577"),
    ("Xã Hương Sơn, Huyện Mỹ Đức, TP. Hà Nội", L, "01", "282", "10489", "01", "10489"),
    ("Xã Hương Hòa, Huyện Phú Lộc, Thừa Thiên Huế", L, "46", "482", "20176", "46", "20179"),
    ("Phường Thủy Xuân, Quận Thuận Hóa, TP Huế", L, "46", "474", "19813", "46", "19813"),
    ("Xã Láng Lớn, Huyện Châu Đức, BR-VT", L, "77", "750", "26602", "79", "26608"),
    ("Phường Phước Hưng, Thành phố Bà Rịa, Bà Rịa - Vũng Tàu", L, "77", "748", "26548", "79", "26560"),
    ("Xã Ninh Xuân, Thị xã Ninh Hoà, Tỉnh Khánh Hoà", L, "56", "572", "22555", "56", "22576"),
    ("Xa Cam Thanh Bac, Huyen Cam Lam, Khanh Hoa", L, "56", "570", "22462", "56", "22453"),
    ("Phường Hòa Khánh Bắc, Quận Liên Chiểu, Đà Nẵng", L, "48", "490", "20197", "48", "20197"),
    ("Xã Tả Van, Thị xã Sa Pa, Tỉnh Lào Cai", L, "10", "088", "03040", "15", "03037"),
    ("Thị trấn Cát Bà, Huyện Cát Hải, Hải Phòng", L, "31", "317", "11914", "31", "11914"),
    ("TT Chợ Lách, H. Chợ Lách, Bến Tre", L, "83", "832", "28870", "86", "28870"),
    ("Thị trấn Đồng Văn, Huyện Đồng Văn, Hà Giang", L, "02", "026", "00721", "08", "00721"),
    ("Xã Vĩnh Long, Huyện Vĩnh Lộc, Thanh Hóa", L, "38", "393", "15361", "38", "15361"),
    # Old districts: the commune is not known; an island district is a special zone now.
    ("Phù Mỹ, Bình Định", L, "52", "545", None, "52", None),
    ("Huyện Tiểu Cần, Tỉnh Vĩnh Long", L, "84", "846", None, "86", None),
    ("Côn Đảo, Bà Rịa - Vũng Tàu", L, "77", "755", None, "79", "26732"),
    ("123 Xã Đàn, Đống Đa, Hà Nội", L, "01", "006", None, "01", None),
    # New two-level addresses.
    ("Xã Tiểu Cần, Tỉnh Vĩnh Long", C, "86", None, "29341", "86", "29341"),
    ("xa tieu can, vinh long", C, "86", None, "29341", "86", "29341"),
    ("Phường Điện Bàn Bắc, TP Đà Nẵng", C, "48", None, "20557", "48", "20557"),
    ("Phường Mỹ Tho, Đồng Tháp", C, "82", None, "28261", "82", "28261"),
    ("Phường Quy Nhơn, Gia Lai", C, "52", None, "21583", "52", "21583"),
    ("Phường Cửa Lò, Tỉnh Nghệ An", C, "40", None, "16732", "40", "16732"),
    ("Đặc khu Phú Quốc, An Giang", C, "91", None, "31078", "91", "31078"),
    ("Phường Sài Gòn, Thành phố Hồ Chí Minh", C, "79", None, "26740", "79", "26740"),
    ("Phường Bình Thạnh, TP HCM", C, "79", None, "26929", "79", "26929"),
    ("Phường Ba Đình, Hà Nội", C, "01", None, "00004", "01", "00004"),
    ("Xã Cát Tiên 2, Lâm Đồng", C, "68", None, "25180", "68", "25180"),
    ("Xã Đức Nhàn, Tỉnh Phú Thọ", C, "25", None, "04846", "25", "04846"),
    ("Xã Tân Trụ, Tây Ninh", C, "80", None, "28075", "80", "28075"),
    ("xa dong van, tuyen quang", C, "08", None, "00721", "08", "00721"),
    ("Phường Ea Kao, Đắk Lắk", C, "66", None, "24169", "66", "24169"),
    # Old and new unit of the same name that are the same unit today: resolved, as the new one.
    ("Phường Sa Pa, Lào Cai", C, "15", None, "03006", "15", "03006"),
    ("Xã Tả Van, Lào Cai", C, "15", None, "03037", "15", "03037"),
    ("Xã Bát Tràng, Hà Nội", C, "01", None, "00577", "01", "00577"),
    ("Xã Hương Sơn, Hà Nội", C, "01", None, "10489", "01", "10489"),
    ("Phường Thuỷ Xuân, Huế", C, "46", None, "19813", "46", "19813"),
    # Provinces alone, by name and by alias.
    ("Tây Ninh", C, "80", None, None, "80", None),
    ("Long An", L, "80", None, None, "80", None),
    ("Hoà Bình", L, "17", None, None, "25", None),
    ("Tỉnh Trà Vinh", L, "84", None, None, "86", None),
    ("Kiên Giang", L, "91", None, None, "91", None),
    ("TP.HCM", C, "79", None, None, "79", None),
    ("tphcm", C, "79", None, None, "79", None),
    ("Sài Gòn", C, "79", None, None, "79", None),
    ("Thừa Thiên Huế", C, "46", None, None, "46", None),
    ("Huế", C, "46", None, None, "46", None),
    ("BR-VT", L, "77", None, None, "79", None),
    ("Bà Rịa - Vũng Tàu", L, "77", None, None, "79", None),
    ("Đắc Lắc", C, "66", None, None, "66", None),
    ("Dak Lak", C, "66", None, None, "66", None),
    ("Ha Noi", C, "01", None, None, "01", None),
    ("Bắc Giang", L, "24", None, None, "24", None),
]


@pytest.mark.parametrize(
    ("text", "era", "province", "district", "commune", "current_province", "current_commune"), ADDRESSES
)
def test_real_addresses(text, era, province, district, commune, current_province, current_commune):
    assert summary(resolve(text)) == (
        RESOLVED,
        era,
        province,
        district,
        commune,
        current_province,
        current_commune,
    )


def test_there_are_at_least_fifty_real_addresses():
    assert len(ADDRESSES) >= 50
    assert len({row[0] for row in ADDRESSES}) == len(ADDRESSES)


def test_tra_vinh_commune_became_tieu_can_in_vinh_long():
    r = resolve("Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinh")
    assert r.commune.name == "Xã Phú Cần"
    assert r.district.name == "Huyện Tiểu Cần"
    assert r.province.name == "Tỉnh Trà Vinh"
    assert r.current_commune.name == "Xã Tiểu Cần"
    assert r.current_province.name == "Tỉnh Vĩnh Long"
    assert r.reason is None
    assert r.reason_code is None
    assert r.level == COMMUNE


def test_split_commune_gives_primary_and_all_successors():
    r = resolve("Phường Nghĩa Đô, Quận Cầu Giấy, Thành phố Hà Nội")
    assert code(r.current_commune) == "00160"
    assert [u.code for u in r.current_communes] == ["00160", "00008", "00103"]
    assert r.split is True


def test_whole_commune_has_one_successor():
    r = resolve("Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinh")
    assert [u.code for u in r.current_communes] == ["29341"]
    assert r.split is False


def test_current_commune_of_a_current_address_is_itself():
    r = resolve("Xã Tiểu Cần, Tỉnh Vĩnh Long")
    assert r.current_communes == (GAZ.commune(CURRENT, "29341"),)
    assert [(c.era, c.unit.code) for c in r.candidates] == [(CURRENT, "29341")]


def test_old_and_new_reading_of_the_same_unit_are_both_candidates():
    r = resolve("Phường Sa Pa, Lào Cai")
    assert r.status == RESOLVED
    assert sorted((c.era, c.unit.code) for c in r.candidates) == [(CURRENT, "03006"), (LEGACY, "03001")]


def test_two_old_units_with_one_name_in_one_district_agree_on_today():
    # The data lists two "Xã Đông Khê" in Thành phố Thanh Hóa (one merged into the other);
    # both are Phường Đông Sơn today, so that much is certain but the old commune is not.
    r = resolve("Xã Đông Khê, Thành phố Thanh Hóa, Tỉnh Thanh Hóa")
    assert summary(r) == (RESOLVED, L, "38", "380", None, "38", "16378")
    assert sorted(c.unit.code for c in r.candidates) == ["16387", "16408"]


@pytest.mark.parametrize(
    ("day", "era", "commune", "current"),
    [
        (date(2024, 5, 1), L, "00016", "00004"),
        (date(2025, 6, 30), L, "00016", "00004"),
        (date(2025, 7, 1), C, "00008", "00008"),
    ],
)
def test_on_picks_the_era_in_force(day, era, commune, current):
    r = resolve("Phường Ngọc Hà, Hà Nội", on=day)
    assert (r.status, r.era, code(r.commune), code(r.current_commune)) == (RESOLVED, era, commune, current)


def test_on_prefers_but_does_not_require_its_era():
    # An old-style address written after the reform still resolves to the old units.
    r = resolve("Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinh", on=date(2026, 1, 1))
    assert summary(r) == (RESOLVED, L, "84", "846", "29347", "86", "29341")


def test_on_before_the_reform_reads_a_province_as_the_old_one():
    r = resolve("Tây Ninh", on=date(2024, 1, 1))
    assert summary(r) == (RESOLVED, L, "72", None, None, "80", None)


# -- diacritics ---------------------------------------------------------------------------
def test_diacritics_are_respected_when_typed():
    # "Phú Mỹ" is not "Phù Mỹ": Bình Định has Huyện Phù Mỹ but no Phú Mỹ.
    r = resolve("Phú Mỹ, Bình Định")
    assert (r.status, r.reason_code) == (UNKNOWN, "commune_not_in_province")
    assert r.reason_params["within"] == "Tỉnh Bình Định (old)"


def test_diacritics_are_folded_when_absent():
    assert summary(resolve("Phu My, Binh Dinh")) == (RESOLVED, L, "52", "545", None, "52", None)


def test_unaccented_name_in_an_accented_part_is_taken_as_written():
    # "Thanh An" (not "Thạnh An"): the part carries diacritics, so the name is exact.
    r = resolve("Xã Thanh An, Thành phố Hồ Chí Minh", on=date(2025, 8, 1))
    assert summary(r) == (RESOLVED, C, "79", None, "25807", "79", "25807")


# -- ambiguous ----------------------------------------------------------------------------
def candidate_codes(r):
    return sorted((c.era, c.unit.code) for c in r.candidates)


def test_ambiguous_same_commune_name_in_three_districts_of_one_old_province():
    r = resolve("Xã Minh Tân, Tỉnh Thái Bình")
    assert r.status == AMBIGUOUS
    assert r.reason_code == "ambiguous_commune"
    assert candidate_codes(r) == [(L, "12670"), (L, "12721"), (L, "13177")]
    assert r.reason == (
        "Xã Minh Tân exists in 3 districts of Tỉnh Thái Bình (old) (Huyện Hưng Hà, Huyện Kiến Xương,"
        " Huyện Đông Hưng); add the district."
    )
    assert r.reason_params["options"] == ["Huyện Hưng Hà", "Huyện Kiến Xương", "Huyện Đông Hưng"]
    assert (r.commune, r.current_commune, r.era) == (None, None, None)


def test_ambiguous_without_diacritics_in_three_districts():
    r = resolve("Xa Tan Thanh, Long An")
    assert r.status == AMBIGUOUS
    assert candidate_codes(r) == [(L, "27823"), (L, "27850"), (L, "28042")]
    for district in ("Huyện Mộc Hóa", "Huyện Tân Thạnh", "Huyện Thủ Thừa"):
        assert district in r.reason


def test_ambiguous_numbered_ward_in_three_towns():
    r = resolve("Phường 5, Tiền Giang")
    assert r.reason_code == "ambiguous_commune"
    assert candidate_codes(r) == [(L, "28249"), (L, "28306"), (L, "28440")]
    for district in ("Thành phố Mỹ Tho", "Thành phố Gò Công", "Thị xã Cai Lậy"):
        assert district in r.reason


def test_ambiguous_name_in_many_provinces_without_province():
    r = resolve("Xã Tân Tiến")
    assert r.status == AMBIGUOUS
    assert r.reason_code == "ambiguous_commune"
    assert r.reason_params["scope"] == "province"
    assert len(r.candidates) == 20
    assert {c.unit.name for c in r.candidates} == {"Xã Tân Tiến"}
    assert r.reason_params["count"] == 19
    assert r.reason.startswith("Xã Tân Tiến exists in 19 provinces (")
    assert r.reason.endswith("and 11 more); add the province.")


def test_ambiguous_old_and_new_unit_of_the_same_name():
    r = resolve("Phường Ngọc Hà, Hà Nội")
    assert r.status == AMBIGUOUS
    assert r.reason_code == "ambiguous_era"
    assert candidate_codes(r) == [(C, "00008"), (L, "00016")]
    assert r.reason == (
        "Phường Ngọc Hà fits both the new Phường Ngọc Hà (Thành phố Hà Nội) and the old Phường Ngọc Hà"
        " (Quận Ba Đình, Thành phố Hà Nội (old)), now part of Phường Ba Đình; add the old district for an"
        " old address, or give the date of the address."
    )


def test_ambiguous_old_district_and_new_ward():
    r = resolve("Ba Đình, Hà Nội")
    assert r.reason_code == "ambiguous_level"
    assert candidate_codes(r) == [(C, "00004"), (L, "001")]
    assert "Quận Ba Đình (Thành phố Hà Nội (old))" in r.reason
    assert "Phường Ba Đình (Thành phố Hà Nội)" in r.reason


def test_ambiguous_names_that_differ_only_by_diacritics():
    r = resolve("thon 8, xa nghi van, huyen nghi loc, tinh nghe an")
    assert r.reason_code == "ambiguous_commune"
    assert r.reason_params["scope"] == "diacritics"
    assert candidate_codes(r) == [(L, "17830"), (L, "17911")]
    assert "(Xã Nghi Văn, Xã Nghi Vạn); type the name with its diacritics." in r.reason


def test_ambiguous_district_name_without_province():
    r = resolve("Huyện Châu Thành")
    assert r.reason_code == "ambiguous_district"
    assert len(r.candidates) == 10
    assert r.reason.startswith(
        "Huyện Châu Thành exists in 10 provinces (Tỉnh An Giang (old), Tỉnh Bến Tre (old),"
    )


def test_ambiguous_candidates_carry_their_current_units():
    r = resolve("Xã Minh Tân, Tỉnh Thái Bình")
    assert sorted((c.unit.code, c.current_commune.code, c.current_province.code) for c in r.candidates) == [
        ("12670", "12676", "33"),
        ("12721", "12754", "33"),
        ("13177", "13183", "33"),
    ]


# -- unknown ------------------------------------------------------------------------------
def test_misspelt_province():
    r = resolve("Xã Phú Cần, Huyện Tiểu Cần, Tỉnh Trà Vinhh")
    assert (r.status, r.reason_code) == (UNKNOWN, "unknown_province")
    assert r.reason_params["suggestions"] == ("Tỉnh Trà Vinh (old)",)
    assert (
        r.reason == "'Trà Vinhh' is not the name of a province, old or new; did you mean Tỉnh Trà Vinh (old)?"
    )
    assert (r.province, r.commune, r.current_commune) == (None, None, None)


def test_unknown_province_without_suggestion():
    r = resolve("Tỉnh Xyz")
    assert r.reason_code == "unknown_province"
    assert r.reason == "'Xyz' is not the name of a province, old or new."


def test_commune_not_in_the_named_province():
    r = resolve("Xã Phú Cần, Tỉnh Bắc Giang")
    assert (r.status, r.reason_code) == (UNKNOWN, "commune_not_in_province")
    assert r.reason == (
        "Xã Phú Cần is not in Tỉnh Bắc Giang (old); it exists in Xã Phú Cần (Huyện Krông Pa, Tỉnh Gia Lai (old)),"
        " Xã Phú Cần (Huyện Tiểu Cần, Tỉnh Trà Vinh (old))."
    )
    assert [c.unit.code for c in r.candidates] == ["24"]  # what was read: the province


def test_commune_not_in_the_named_district():
    r = resolve("Xã Phú Cần, Huyện Càng Long, Tỉnh Trà Vinh")
    assert r.reason_code == "commune_not_in_district"
    assert r.reason_params["within"] == "Huyện Càng Long, Tỉnh Trà Vinh (old)"


def test_misspelt_commune_gets_a_suggestion():
    r = resolve("Xã Phú Cầnn, Huyện Tiểu Cần, Tỉnh Trà Vinh")
    assert r.reason_code == "unknown_commune"
    assert r.reason_params["suggestions"] == ("Xã Phú Cần",)


def test_unknown_district():
    r = resolve("Huyện Abc, Tỉnh Trà Vinh")
    assert r.reason_code == "unknown_district"
    assert r.reason == "There is no district 'Abc' in Tỉnh Trà Vinh (old)."


def test_district_not_in_the_named_province():
    r = resolve("Huyện Tiểu Cần, Tỉnh Bắc Giang")
    assert r.reason_code == "district_not_in_province"
    assert r.reason_params["options"] == ["Huyện Tiểu Cần (Tỉnh Trà Vinh (old))"]


def test_unknown_commune_alone():
    r = resolve("Xa Abc")
    assert (r.status, r.reason_code, r.reason) == (UNKNOWN, "unknown_commune", "There is no commune 'Abc'.")


@pytest.mark.parametrize("text", ["", "   ", " , - ,", "Việt Nam"])
def test_empty(text):
    r = resolve(text)
    assert (r.status, r.reason_code, r.reason, r.candidates) == (
        UNKNOWN,
        "empty",
        "The address is empty.",
        (),
    )


@pytest.mark.parametrize(
    "text", ["Số 5 đường Lê Lợi, Tỉnh Trà Vinh", "Số 5 đường Lê Lợi Trà Vinh", "Lô 3, 120 m², Trà Vinh 87000"]
)
def test_street_before_a_province_is_ignored(text):
    assert summary(resolve(text)) == (RESOLVED, L, "84", None, None, "86", None)


# -- reasons ------------------------------------------------------------------------------
def test_reason_text_is_rebuilt_from_code_and_params():
    for text in (
        "Xã Minh Tân, Tỉnh Thái Bình",
        "Phường Ngọc Hà, Hà Nội",
        "Xã Phú Cần, Tỉnh Bắc Giang",
        "Tỉnh Xyz",
    ):
        r = resolve(text)
        assert reason_text(r.reason_code, r.reason_params) == r.reason


def test_reason_text_refuses_unknown_codes():
    with pytest.raises(ValueError, match="unknown reason code"):
        reason_text("nonsense", {})


# -- aliases, batches, caching ----------------------------------------------------------------
def test_every_alias_names_a_province():
    short_names = {u.short_name for u in GAZ.provinces.values()}
    assert set(PROVINCE_ALIASES) <= short_names
    for name, aliases in PROVINCE_ALIASES.items():
        for alias in aliases:
            r = resolve(alias)
            assert r.status == RESOLVED, alias
            assert r.province.short_name == name, alias


def test_resolve_many_keeps_order_and_resolves_repeats_once():
    texts = ["Tây Ninh", "Xã Tiểu Cần, Tỉnh Vĩnh Long", "Tây Ninh", "Tỉnh Xyz"]
    results = resolve_many(texts)
    assert [summary(r)[:5] for r in results] == [
        (RESOLVED, C, "80", None, None),
        (RESOLVED, C, "86", None, "29341"),
        (RESOLVED, C, "80", None, None),
        (UNKNOWN, None, None, None, None),
    ]
    assert results[0] is results[2]


def test_index_is_built_once_per_gazetteer():
    assert _index_for(GAZ) is _index_for(GAZ)


def test_explicit_gazetteer_is_used():
    assert summary(resolve("Long An", GAZ)) == (RESOLVED, L, "80", None, None, "80", None)


# -- properties -------------------------------------------------------------------------------
def _unique(units, key):
    """The units no other unit of the same district (old) or province (new) shares a key with."""
    seen: dict[tuple[str, str], int] = {}
    for u in units:
        seen[(u.district_code or u.province_code, key(u))] = (
            seen.get((u.district_code or u.province_code, key(u)), 0) + 1
        )
    return [u for u in units if seen[(u.district_code or u.province_code, key(u))] == 1]


LEGACY_COMMUNES = sorted(GAZ.units(LEGACY, COMMUNE), key=lambda u: u.code)
CURRENT_COMMUNES = sorted(GAZ.units(CURRENT, COMMUNE), key=lambda u: u.code)
LEGACY_UNIQUE = _unique(LEGACY_COMMUNES, lambda u: match_key(u.name))
LEGACY_UNIQUE_FOLDED = _unique(LEGACY_COMMUNES, lambda u: match_key(u.name, diacritics=False))
CURRENT_UNIQUE_FOLDED = _unique(CURRENT_COMMUNES, lambda u: match_key(u.short_name, diacritics=False))


def test_names_are_unique_in_their_district_or_province_but_for_a_few():
    assert len(LEGACY_COMMUNES) - len(LEGACY_UNIQUE) == 2  # the two Xã Đông Khê
    assert len(LEGACY_COMMUNES) - len(LEGACY_UNIQUE_FOLDED) == 46
    assert len(CURRENT_COMMUNES) - len(CURRENT_UNIQUE_FOLDED) == 20


def legacy_address(unit):
    district = GAZ.district(unit.district_code)
    return f"{unit.name}, {district.name}, {GAZ.province(LEGACY, unit.province_code).name}"


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(LEGACY_UNIQUE))
def test_full_old_address_gives_exactly_that_commune(unit):
    r = resolve(legacy_address(unit))
    assert (r.status, r.era, r.commune) == (RESOLVED, LEGACY, unit)
    assert r.current_commune == GAZ.current_commune_of(unit.code)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(LEGACY_UNIQUE_FOLDED))
def test_full_old_address_without_diacritics_gives_exactly_that_commune(unit):
    r = resolve(fold(legacy_address(unit)).upper())
    assert (r.status, r.era, r.commune) == (RESOLVED, LEGACY, unit)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CURRENT_COMMUNES))
def test_current_name_and_province_gives_that_commune(unit):
    province = GAZ.province(CURRENT, unit.province_code)
    r = resolve(f"{unit.name}, {province.name}", on=date(2025, 7, 1))
    assert (r.status, r.era, r.commune, r.current_commune) == (RESOLVED, CURRENT, unit, unit)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(CURRENT_UNIQUE_FOLDED))
def test_current_short_name_and_province_without_diacritics(unit):
    province = GAZ.province(CURRENT, unit.province_code)
    r = resolve(fold(f"{unit.short_name} - {province.short_name}"), on=date(2025, 8, 1))
    assert (r.status, r.commune) == (RESOLVED, unit)


@settings(max_examples=500, deadline=None)
@given(
    st.text(max_size=80)
    | st.lists(
        st.sampled_from(
            [
                "Xã",
                "Phường",
                "P.",
                "Q1",
                "Huyện",
                "Tỉnh",
                "TP.",
                "Tân Tiến",
                "Phú Cần",
                "Tiểu Cần",
                "Trà Vinh",
                "Hà Nội",
                "Việt Nam",
                ",",
                "-",
                "12",
                "02",
            ]
        ),
        max_size=8,
    ).map(" ".join)
)
def test_any_text_gets_an_answer(text):
    r = resolve(text)
    if r.status == RESOLVED:
        assert r.current_province is not None
        assert (r.reason, r.reason_code) == (None, None)
        assert r.candidates
    else:
        assert r.status in (AMBIGUOUS, UNKNOWN)
        assert r.reason == reason_text(r.reason_code, r.reason_params)
        assert (r.era, r.province, r.commune, r.current_commune) == (None, None, None, None)
