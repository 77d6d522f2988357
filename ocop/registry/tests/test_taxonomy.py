"""The product taxonomies (data/taxonomy.yaml) and the group-name matcher. No database."""

import subprocess
import sys
from collections import Counter
from datetime import date

import pytest
import yaml

from ocop.registry import taxonomy
from ocop.registry.choices import ProductGroup
from ocop.registry.taxonomy import (
    CANONICAL_GROUPS,
    DEFAULT_PATH,
    TaxonomyError,
    group_for_name,
    load_taxonomies,
    taxonomy_on,
)


@pytest.fixture(scope="module")
def taxonomies():
    return {t.code: t for t in load_taxonomies()}


# --- the shipped file ----------------------------------------------------------------------------


def test_shipped_file_loads_both_taxonomies_in_order(taxonomies):
    assert list(taxonomies) == ["1048", "148"]
    old, new = taxonomies["1048"], taxonomies["148"]
    assert (old.effective_from, old.effective_until, old.superseded_by) == (
        date(2019, 8, 21),
        date(2023, 2, 23),
        "148",
    )
    assert (new.effective_from, new.effective_until, new.superseded_by) == (date(2023, 2, 24), None, None)
    assert "1048/QĐ-TTg" in old.legal_basis and "781/QĐ-TTg" in old.legal_basis
    assert "148/QĐ-TTg" in new.legal_basis


def test_taxonomy_is_a_pure_core():
    code = "import sys, ocop.registry.taxonomy; sys.exit('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_canonical_groups_are_the_models_choices():
    assert set(CANONICAL_GROUPS) == set(ProductGroup.values)
    assert len(CANONICAL_GROUPS) == 6


def test_148_has_26_sets_with_exact_counts_per_group(taxonomies):
    sets = taxonomies["148"].product_sets
    assert len(sets) == 26
    assert Counter(s.group for s in sets) == {
        "food": 13,
        "drinks": 4,
        "herbal": 3,
        "handicraft": 2,
        "ornamental": 3,
        "tourism": 1,
    }
    assert [s.code for s in sets] == [
        "I.1.a", "I.1.b", "I.2.a", "I.2.b", "I.3.a", "I.3.b", "I.3.c", "I.3.d", "I.4.a", "I.4.b",
        "I.5.a", "I.5.b", "I.6",
        "II.1.a", "II.1.b", "II.2.a", "II.2.b",
        "III.1", "III.2", "III.3",
        "IV.1", "IV.2",
        "V.1", "V.2", "V.3",
        "VI.1",
    ]  # fmt: skip
    assert [s.code for s in taxonomies["148"].sections] == ["I", "II", "III", "IV", "V", "VI"]
    assert sum(len(s.groups) for s in taxonomies["148"].sections) == 17


def test_148_set_fields(taxonomies):
    processed_veg = taxonomies["148"].product_set("I.3.c")
    assert processed_veg.name_vi == "Chế biến từ rau, củ, quả, hạt"
    assert processed_veg.path_vi == "Thực phẩm › Thực phẩm chế biến"
    assert (processed_veg.group, processed_veg.lead_ministry, processed_veg.confidence) == (
        "food",
        "NN&PTNT",
        "C",
    )
    assert processed_veg.maps_to == ()
    coffee = taxonomies["148"].product_set("I.6")  # a group without subgroups is the set
    assert (coffee.name_vi, coffee.path_vi) == ("Cà phê, ca cao", "Thực phẩm")
    water = taxonomies["148"].product_set("II.2.a")
    assert (water.group, water.lead_ministry, water.confidence) == ("drinks", "Y tế", "S")
    assert taxonomies["148"].product_set("IV.2").group == "handicraft"
    assert taxonomies["148"].product_set("X.9") is None


def test_1048_has_26_sets_in_six_sections(taxonomies):
    old = taxonomies["1048"]
    assert len(old.product_sets) == 26
    assert sum(len(s.groups) for s in old.sections) == 16
    assert [s.name_vi for s in old.sections] == [
        "Thực phẩm",
        "Đồ uống",
        "Thảo dược",
        "Vải và may mặc",
        "Lưu niệm - nội thất - trang trí",
        "Dịch vụ du lịch nông thôn và bán hàng",
    ]
    assert Counter(s.group for s in old.product_sets) == {
        "food": 14,
        "drinks": 4,
        "herbal": 4,
        "handicraft": 3,
        "tourism": 1,
    }
    # Only secondary sources were found for the 1048 list: nothing may claim more.
    assert {s.confidence for s in old.product_sets} == {"S"}


def test_every_1048_set_maps_to_existing_148_sets_of_the_same_group(taxonomies):
    new = taxonomies["148"]
    for old_set in taxonomies["1048"].product_sets:
        assert old_set.maps_to, old_set.code
        for code in old_set.maps_to:
            target = new.product_set(code)
            assert target is not None, (old_set.code, code)
            # No exceptions are documented in the data (no `cross_group`), so groups must agree.
            assert target.group == old_set.group, (old_set.code, code)


def test_1048_to_148_mapping_follows_the_merges(taxonomies):
    maps = {s.code: s.maps_to for s in taxonomies["1048"].product_sets}
    names = {s.code: s.name_vi for s in taxonomies["1048"].product_sets}
    assert (names["1.3.d"], maps["1.3.d"]) == ("Chế biến từ thịt, trứng, sữa", ("I.3.d",))
    assert (names["1.3.e"], maps["1.3.e"]) == ("Chế biến từ thủy, hải sản", ("I.3.d",))
    assert maps["1.2.b"] == ("I.2.b", "I.3.d")  # honey: raw and processed split in 148
    assert maps["5.1"] == maps["5.2"] == ("IV.1",)  # the two craft sets merged
    assert (names["4.1"], maps["4.1"]) == ("Vải, may mặc", ("IV.2",))
    assert (names["2.2.a"], maps["2.2.a"]) == ("Nước khoáng thiên nhiên, nước uống tinh khiết", ("II.2.a",))
    dropped = taxonomies["1048"].product_set("3.3")
    assert dropped.name_vi == "Trang thiết bị, dụng cụ y tế"
    assert dropped.maps_to == ("III.3",) and "148" in dropped.note
    # Every 148 set has a 1048 predecessor except the three ornamental sets 148 introduced.
    reached = {code for codes in maps.values() for code in codes}
    new_codes = {s.code for s in taxonomies["148"].product_sets}
    assert new_codes - reached == {"V.1", "V.2", "V.3"}


def test_taxonomy_on_picks_the_version_in_force():
    assert taxonomy_on(date(2019, 8, 20)) is None
    assert taxonomy_on(date(2019, 8, 21)).code == "1048"
    assert taxonomy_on(date(2023, 2, 23)).code == "1048"
    assert taxonomy_on(date(2023, 2, 24)).code == "148"
    assert taxonomy_on(date(2026, 11, 1)).code == "148"


# --- group_for_name ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "group"),
    [
        # 148 section names, as on decisions and without diacritics / in capitals
        ("Thực phẩm", "food"),
        ("THỰC PHẨM", "food"),
        ("thuc pham", "food"),
        ("Đồ uống", "drinks"),
        ("Do uong", "drinks"),
        ("Dược liệu và sản phẩm từ dược liệu", "herbal"),
        ("Hàng thủ công mỹ nghệ", "handicraft"),
        ("Sinh vật cảnh", "ornamental"),
        ("Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch", "tourism"),
        ("DICH VU DU LICH CONG DONG, DU LICH SINH THAI VA DIEM DU LICH", "tourism"),
        ("SẢN PHẨM DỊCH VỤ DU LỊCH CỘNG ĐỒNG, DU LỊCH SINH THÁI VÀ ĐIỂM DU LỊCH", "tourism"),
        # 148 group and set names, including old-style tone marks and "Nhóm:" prefixes
        ("Thực phẩm chế biến", "food"),
        ("Thực phẩm thô, sơ chế", "food"),
        ("Gia vị", "food"),
        ("Chè", "food"),
        ("Cà phê, ca cao", "food"),
        ("Cà phê - Ca cao", "food"),
        ("Đồ uống có cồn", "drinks"),
        ("Phân nhóm: Rượu trắng", "drinks"),
        ("Nhóm sản phẩm đồ uống", "drinks"),
        ("Thịt, thuỷ sản, trứng, sữa tươi", "food"),  # "thuỷ" (old style) = "thủy"
        ("Tinh dầu và dược liệu khác", "herbal"),
        ("Cây cảnh", "ornamental"),
        ("Thủ công mĩ nghệ", "handicraft"),  # mĩ / mỹ
        ("Thực phẩm › Thực phẩm chế biến", "food"),
        # 1048 names
        ("Vải và may mặc", "handicraft"),
        ("Vải, may mặc", "handicraft"),
        ("Lưu niệm - nội thất - trang trí", "handicraft"),
        ("Lưu niệm – Nội thất – Trang trí", "handicraft"),
        ("Thảo dược", "herbal"),
        ("THAO DUOC", "herbal"),
        ("Dịch vụ du lịch nông thôn và bán hàng", "tourism"),
        ("Dịch vụ du lịch cộng đồng và điểm du lịch", "tourism"),
        ("Chế biến từ thủy, hải sản", "food"),
        ("Nước khoáng thiên nhiên, nước uống tinh khiết", "drinks"),
        ("Trang thiết bị, dụng cụ y tế", "herbal"),
        # codes and English
        ("I.3.c", "food"),
        ("i.3.c", "food"),
        ("II.2.a", "drinks"),
        ("V.2", "ornamental"),
        ("VI.1", "tourism"),
        ("I.3.c - Chế biến từ rau, củ, quả, hạt", "food"),
        ("food", "food"),
        ("handicraft", "handicraft"),
        ("Beverages", "drinks"),
        ("Herbs and herbal products", "herbal"),
        ("Ornamental plants and animals", "ornamental"),
        ("Community tourism and tourist spots", "tourism"),
        ("Textiles, garments", "handicraft"),
    ],
)
def test_group_for_name(written, group):
    assert group_for_name(written) == group


@pytest.mark.parametrize(
    "written",
    [
        None,
        3,
        "",
        "   ",
        "Khác",
        "Other",
        "Nông sản",
        "Thủy sản",
        "Hoà",  # folds to "hoa" (flowers) but its tone mark says otherwise
        "3 sao",
        "I",  # a section code alone is not taken
        "11",
        "I.9.z",
        "I.3.f",  # no such subgroup, even though I.3 exists
        "II.1.a - Chè",  # code and name disagree
    ],
)
def test_group_for_name_unknown_is_none(written):
    assert group_for_name(written) is None


def test_group_for_name_builds_its_lookup_once():
    taxonomy._default_index.cache_clear()
    group_for_name("Thực phẩm")
    group_for_name("Đồ uống")
    assert taxonomy._default_index.cache_info().misses == 1


# --- validation ----------------------------------------------------------------------------------


def _shipped():
    return yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))


def _taxonomy(raw, code):
    return next(t for t in raw["taxonomies"] if t["code"] == code)


def _node(raw, taxonomy_code, code):
    for section in _taxonomy(raw, taxonomy_code)["sections"]:
        if section["code"] == code:
            return section
        for group in section["groups"]:
            if group["code"] == code:
                return group
            for product_set in group.get("sets", []):
                if product_set["code"] == code:
                    return product_set
    raise KeyError(code)


def _load_broken(tmp_path, raw):
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    with pytest.raises(TaxonomyError) as excinfo:
        load_taxonomies(path)
    message = str(excinfo.value)
    assert str(path) in message
    return message


def test_a_valid_copy_loads_from_another_path(tmp_path):
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(_shipped(), allow_unicode=True), encoding="utf-8")
    assert [t.code for t in load_taxonomies(path)] == ["1048", "148"]


def test_duplicate_code_is_refused(tmp_path):
    raw = _shipped()
    _node(raw, "148", "I.3.b")["code"] = "I.3.a"
    message = _load_broken(tmp_path, raw)
    assert "taxonomy 148, entry I.3.a: duplicate code" in message


def test_unknown_group_is_refused(tmp_path):
    raw = _shipped()
    _node(raw, "148", "V")["group"] = "flowers"
    message = _load_broken(tmp_path, raw)
    assert "taxonomy 148, section V: unknown group 'flowers'" in message


def test_dangling_maps_to_is_refused(tmp_path):
    raw = _shipped()
    _node(raw, "1048", "1.3.e")["maps_to"] = ["I.3.e"]
    message = _load_broken(tmp_path, raw)
    assert "taxonomy 1048, set 1.3.e: maps_to 'I.3.e': no such set in taxonomy 148" in message


def test_missing_maps_to_is_refused(tmp_path):
    raw = _shipped()
    del _node(raw, "1048", "6.1")["maps_to"]
    message = _load_broken(tmp_path, raw)
    assert "taxonomy 1048, set 6.1" in message and "maps_to" in message


def test_maps_to_another_group_needs_a_reason(tmp_path):
    raw = _shipped()
    _node(raw, "1048", "3.3")["maps_to"] = ["IV.1"]
    message = _load_broken(tmp_path, raw)
    assert "taxonomy 1048, set 3.3: maps_to 'IV.1' is in group 'handicraft'" in message
    _node(raw, "1048", "3.3")["cross_group"] = "massage tools are wooden crafts"
    path = tmp_path / "with_reason.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert load_taxonomies(path)[0].product_set("3.3").maps_to == ("IV.1",)


def test_counts_per_group_are_checked(tmp_path):
    raw = _shipped()
    ornamental = _node(raw, "148", "V")
    ornamental["groups"] = ornamental["groups"][:2]  # drop V.3
    message = _load_broken(tmp_path, raw)
    assert "taxonomy 148, expected_counts: ornamental: 2 product sets, expected 3" in message


def test_bad_confidence_is_refused(tmp_path):
    raw = _shipped()
    _node(raw, "148", "I.4.a")["confidence"] = "probably"
    message = _load_broken(tmp_path, raw)
    assert "taxonomy 148, set I.4.a: confidence must be one of C, S, U" in message


def test_alias_meaning_another_group_is_refused(tmp_path):
    raw = _shipped()
    _taxonomy(raw, "1048")["aliases"]["Rượu"] = "food"
    message = _load_broken(tmp_path, raw)
    assert "taxonomy 1048, alias 'Rượu'" in message and "'drinks'" in message


def test_duplicate_yaml_key_is_refused(tmp_path):
    path = tmp_path / "taxonomy.yaml"
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    text = text.replace("      Trà: food\n", "      Trà: food\n      Trà: drinks\n", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TaxonomyError) as excinfo:
        load_taxonomies(path)
    assert str(path) in str(excinfo.value)
    assert "duplicate key 'Trà'" in str(excinfo.value)


def test_overlapping_periods_are_refused(tmp_path):
    raw = _shipped()
    _taxonomy(raw, "1048")["effective_until"] = "2023-03-01"
    message = _load_broken(tmp_path, raw)
    assert "taxonomy 1048: in force until 2023-03-01, overlapping taxonomy 148" in message


def test_unreadable_file(tmp_path):
    with pytest.raises(TaxonomyError, match="cannot read"):
        load_taxonomies(tmp_path / "missing.yaml")


def test_only_official_codes_are_matched(taxonomies):
    # 1048's numbering in the data is ours, so "1.3.e" written in a list means nothing.
    assert taxonomies["1048"].official_codes is False
    assert taxonomies["148"].official_codes is True
    assert group_for_name("1.3.e") is None
    assert group_for_name("I.3.d") == "food"
