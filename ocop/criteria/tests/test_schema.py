"""Criteria set files: the shipped sheets, and the validator's errors. No database."""

import json
import subprocess
import sys
from datetime import date

import pytest

from ocop.criteria import schema
from ocop.criteria.schema import CriteriaSetError, derive_minimums, load_text, parse_set, plain, read_yaml

from .sheets import FILES, MINIMAL, sheet

# --- the shipped sheets -------------------------------------------------------------------------


def test_the_four_sheets_load_with_their_codes_and_product_sets():
    found = {
        code: (s.decision, s.taxonomy, s.product_set, s.aliases) for code in FILES for s in [sheet(code)]
    }
    assert found == {
        "148/I.1.a": ("148", "148", "I.1.a", ()),
        "1048/I.3.c": ("1048", "1048", "1.3.c", ("1048/1.3.c",)),
        "1048/I.3.b": ("1048", "1048", "1.3.b", ("1048/1.3.b",)),
        "1048/VI.1": ("1048", "1048", "6.1", ("1048/6.1",)),
    }


def test_parts_sections_and_criteria_add_up_as_in_the_sources():
    s148, s1048 = sheet("148/I.1.a"), sheet("1048/I.3.c")
    assert [(p.code, p.max_points) for p in s148.parts] == [("A", 40), ("B", 25), ("C", 35)]
    assert [(p.code, p.max_points) for p in s1048.parts] == [("A", 35), ("B", 25), ("C", 40)]
    assert [(s.code, s.max_points) for s in s148.sections] == [
        ("1", 18), ("2", 10), ("3", 12), ("4", 13), ("5", 12), ("6", 13),
        ("7", 2), ("8", 5), ("9", 5), ("10", 5), ("11", 2), ("12", 3),
    ]  # fmt: skip
    assert [len(sheet(code).criteria) for code in FILES] == [32, 31, 31, 32]
    for code in FILES:
        data = sheet(code)
        assert sum(c.max_points for c in data.criteria) == data.max_total == 100


def test_148_keeps_its_confidence_sources_and_validity_visible():
    data = sheet("148/I.1.a")
    assert (data.confidence, data.effective_from, data.effective_until) == ("S", date(2023, 2, 24), None)
    assert data.source.startswith("https://github.com/quyenncph25762/OCOP_SCORE")
    assert "CHƯA đối chiếu với Phụ lục III gốc" in data.confidence_note
    assert data.markers_cap_stars is True and data.none_option is True
    assert dict(data.bands) == {5: 90, 4: 70, 3: 50, 2: 30}
    old = sheet("1048/VI.1")
    assert (old.effective_from, old.effective_until, old.markers_cap_stars) == (
        date(2020, 6, 8),
        date(2023, 2, 23),
        False,
    )


def test_star_markers_become_minimums_with_lower_stars_carried_up():
    data = sheet("148/I.1.a")
    minimums = {c.code: dict(c.blocks[0].min_points_for_star) for c in data.criteria if c.has_markers}
    assert minimums == {
        "1.b": {5: 3},
        "1.c": {4: 2, 5: 3},
        "1.d": {4: 2, 5: 3},
        "1.đ": {4: 1, 5: 1},  # two options marked ****: the lower one is the minimum
        "2.a": {4: 4, 5: 4},
        "2.b": {5: 3},
        "2.c": {4: 3, 5: 3},
        "3.d": {4: 2, 5: 2},
        "3.e": {4: 1, 5: 1},  # the whole criterion is marked ****
        "4.a": {5: 5},
        "5.b": {3: 3, 4: 5, 5: 5},
        "5.c": {5: 2},
        "6.a": {4: 2, 5: 2},
        "6.b": {4: 3, 5: 3},
        "9.a": {3: 2, 4: 2, 5: 2},
        "10": {3: 2, 4: 3, 5: 5},
        "11": {5: 2},
    }
    assert data.criterion("3.e").marker == 4


def test_gates_conditions_bonus_cases_and_checks_of_the_sheets():
    s148, rice, veg, tourism = (sheet(c) for c in ("148/I.1.a", "1048/I.3.b", "1048/I.3.c", "1048/VI.1"))
    assert [(c.code, c.effect, c.criterion) for c in s148.checks] == [
        ("D1", "disqualify", None),
        ("D2", "disqualify", None),
        ("D3", "disqualify", None),
        ("D4", "disqualify", "2.a"),
        ("G1", "stop", "6.a"),
        ("G2", "stop", "10"),
    ]
    assert all(c.inferred for c in s148.checks if c.code in {"D4", "G1", "G2"})
    assert s148.criterion("5.b").applies_if == schema.Condition(
        "5.a", 1, "'Có câu chuyện' = tiêu chí 5.a trên phương án 0 điểm [U]"
    )
    assert s148.criterion("3.b").bonus.startswith("Điểm khuyến khích")
    assert veg.criterion("6.1").gate == schema.Gate(stops_below=1)
    assert [(c.code, c.effect, c.criterion) for c in rice.checks] == [
        ("D1", "disqualify", "1.1"),
        ("G1", "stop", "6.1"),
        ("G2", "stop", "9"),
    ]
    assert [b.code for b in veg.criterion("3.2").blocks] == ["to_chuc", "ho_kinh_doanh"]
    assert [b.max_points for b in veg.criterion("3.2").blocks] == [2, 1]
    grouped = [c.code for c in tourism.criteria if c.case_group == "loai_hinh_du_lich"]
    assert grouped == ["9", "10", "16"]
    assert tourism.criterion("9").blocks[1].inferred == "suy luận: áp dụng cho điểm du lịch [U]"
    # The rice sheet's acknowledged data error: two options of 6.2 give 3 points.
    assert [o.points for o in rice.criterion("6.2").blocks[0].options] == [0, 1, 3, 3]
    assert "nghi lỗi chép dữ liệu" in rice.criterion("6.2").data_notes[0]


def test_the_stored_json_reads_back_to_the_same_set():
    for code, name in FILES.items():
        text = (schema.DEFAULT_DIR / name).read_text()
        again = parse_set(json.loads(json.dumps(plain(read_yaml(text, source=name)))), source=name)
        assert again == sheet(code)


def test_the_schema_is_a_pure_core():
    code = (
        "import sys, ocop.criteria.schema, ocop.criteria.engine, ocop.criteria.council, ocop.criteria.advisor; "
        "sys.exit('django' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# --- the validator -------------------------------------------------------------------------------


def _errors(text: str, source: str = "thu.yaml") -> list[str]:
    with pytest.raises(CriteriaSetError) as caught:
        load_text(text, source=source)
    return caught.value.lines()


def test_a_minimal_set_is_valid():
    data = load_text(MINIMAL, source="thu.yaml")
    assert (data.code, data.max_total, [c.code for c in data.criteria]) == ("900/I.1.b", 10, ["1.a", "1.b"])


def test_option_above_the_criterion_maximum_names_file_and_path():
    text = MINIMAL.replace('{points: 3, label: "Nhiều", marker: 4}', '{points: 5, label: "Nhiều", marker: 4}')
    assert _errors(text, "148-rau-cu-qua-hat-tuoi.yaml") == [
        "148-rau-cu-qua-hat-tuoi.yaml: part A, section 1, criterion 1.a: option 3 points 5 exceed the criterion maximum 3",
    ]
    text = MINIMAL.replace('{points: 3, label: "Nhiều", marker: 4}', '{points: 2, label: "Nhiều", marker: 4}')
    assert _errors(text) == [
        "thu.yaml: part A, section 1, criterion 1.a: no option reaches the criterion maximum 3 (the highest gives 2)",
    ]


def test_maxima_must_add_up_at_every_level():
    text = MINIMAL.replace("max: 7\n", "max: 6\n").replace("{points: 7, label", "{points: 6, label")
    assert _errors(text) == [
        "thu.yaml: part A, section 1: criterion maxima add up to 9, not the section maximum 10",
    ]
    text = MINIMAL.replace("    max: 10\n    sections", "    max: 11\n    sections")
    assert _errors(text) == [
        "thu.yaml: part A: section maxima add up to 10, not the part maximum 11",
        "thu.yaml: parts: part maxima add up to 11, not max_total 10",
    ]


def test_codes_must_be_unique():
    text = MINIMAL.replace('code: "1.b"', 'code: "1.a"')
    assert _errors(text) == ["thu.yaml: part A, section 1, criterion 1.a: criterion code 1.a is used twice"]


def test_markers_must_rise_with_points_and_match_explicit_minimums():
    text = MINIMAL.replace('{points: 1, label: "Ít"}', '{points: 1, label: "Ít", marker: 5}')
    assert _errors(text) == [
        "thu.yaml: part A, section 1, criterion 1.a: star markers out of order: option 2 (1 points) is marked "
        "for 5 stars but option 3 (3 points) only for 4"
    ]
    text = MINIMAL.replace(
        '              - {points: 3, label: "Nhiều", marker: 4}\n',
        '              - {points: 3, label: "Nhiều", marker: 4}\n            min_points_for_star: {4: 1, 5: 1}\n',
    )
    assert _errors(text) == [
        "thu.yaml: part A, section 1, criterion 1.a: min_points_for_star {4: 1, 5: 1} does not match the star "
        "markers, which give {4: 3, 5: 3}"
    ]


def test_duplicate_points_need_an_acknowledged_data_warning():
    text = MINIMAL.replace('{points: 1, label: "Ít"}', '{points: 0, label: "Ít"}')
    assert _errors(text) == [
        "thu.yaml: part A, section 1, criterion 1.a: options 1 and 2 both give 0 points (add a 'data_warning' to "
        "the criterion if the source really says so)"
    ]
    acknowledged = text.replace('name: "Một"', 'name: "Một"\n            data_warning: "nguồn ghi vậy"')
    assert load_text(acknowledged, source="thu.yaml").criterion("1.a").data_notes == ("nguồn ghi vậy",)


def test_conditions_gates_and_checks_must_point_at_criteria():
    text = MINIMAL.replace(
        'name: "Một"', 'name: "Một"\n            applies_if: {criterion: "1.b", at_least: 1}'
    )
    text = text.replace('name: "Hai"', 'name: "Hai"\n            gate: {stops_below: 9}')
    text += 'checks:\n  - {code: G1, effect: stop, text: "Dừng"}\n  - {code: D1, effect: ban, text: "Loại", criterion: "9"}\n'
    assert _errors(text) == [
        "thu.yaml: part A, section 1, criterion 1.b, gate: stops_below 9 is above the criterion maximum 7",
        "thu.yaml: part A, section 1, criterion 1.a, applies_if: criterion 1.b must come before 1.a on the sheet",
        "thu.yaml: check G1: a 'stop' check must name the criterion after which the evaluation stops",
        "thu.yaml: check D1: effect must be one of disqualify, stop, got 'ban'",
        "thu.yaml: check D1: no criterion 9 on this sheet",
    ]


def test_a_bare_gate_true_is_refused_with_a_hint():
    text = MINIMAL.replace('name: "Hai"', 'name: "Hai"\n            gate: true')
    (line,) = _errors(text)
    assert line.startswith("thu.yaml: part A, section 1, criterion 1.b, gate: say when the evaluation stops")


def test_unknown_fields_duplicate_keys_and_bad_yaml_are_errors():
    assert _errors(MINIMAL.replace('name: "Hai"', 'name: "Hai"\n            pionts: 3')) == [
        "thu.yaml: part A, section 1, criterion 1.b: unknown field(s) pionts (allowed: applies_if, blocks, bonus, "
        "case_group, code, data_note, data_warning, gate, inferred, marker, max, min_points_for_star, name, note, "
        "notes, options)"
    ]
    (line,) = _errors(MINIMAL.replace('name: "Hai"', 'name: "Hai"\n            name: "Ba"'))
    assert line.startswith("thu.yaml: line ") and "duplicate key 'name'" in line
    (line,) = _errors("meta: [\n")
    assert line.startswith("thu.yaml: line 2: not valid YAML")


def test_bands_codes_and_meta_are_checked():
    text = MINIMAL.replace("{5: 9, 4: 7, 3: 5, 2: 3}", "{5: 11, 4: 7, 3: 7, 2: 3}")
    text = text.replace("confidence: U", "confidence: X").replace(
        'decision: "900"', 'decision: "900"\n  code: "901/I.1.b"'
    )
    assert _errors(text) == [
        "thu.yaml: meta: code '901/I.1.b' must be DECISION/PRODUCT_SET, starting with 900/",
        "thu.yaml: meta, star_bands: the 4-star bound 7 must be above the 3-star bound 7",
        "thu.yaml: meta, star_bands: the 5-star bound 11 exceeds max_total 10",
        "thu.yaml: meta: confidence must be one of C, S, U (C, S or U), got 'X'",
    ]


def test_two_blocks_of_a_criterion_and_their_case_group():
    text = MINIMAL.replace(
        """            options:
              - {points: 2, label: "Có"}
              - {points: 7, label: "Rất có", marker: 5}
""",
        """            case_group: loai
            blocks:
              - code: mot
                label: "Một"
                options:
                  - {points: 2, label: "Có"}
                  - {points: 7, label: "Rất có", marker: 5}
              - code: hai
                label: "Hai"
                options:
                  - {points: 1, label: "Có"}
                  - {points: 9, label: "Quá"}
""",
    )
    assert _errors(text) == [
        "thu.yaml: part A, section 1, criterion 1.b, case 2: option 2 points 9 exceed the criterion maximum 7",
    ]
    valid = text.replace('{points: 9, label: "Quá"}', '{points: 3, label: "Quá"}')
    criterion = load_text(valid, source="thu.yaml").criterion("1.b")
    assert [(b.position, b.code, b.max_points) for b in criterion.blocks] == [(1, "mot", 7), (2, "hai", 3)]
    assert dict(criterion.blocks[0].min_points_for_star) == {5: 7}
    assert dict(criterion.blocks[1].min_points_for_star) == {}
    assert _errors(valid.replace("code: hai", "code: mot")) == [
        "thu.yaml: part A, section 1, criterion 1.b, case 2: case code mot is used twice",
    ]


def test_derive_minimums():
    options = [schema.Option(1, 0, "a"), schema.Option(2, 2, "b", 3), schema.Option(3, 3, "c", 5)]
    assert derive_minimums(options) == {3: 2, 4: 2, 5: 3}
    assert derive_minimums([options[0], schema.Option(2, 1, "x")], criterion_marker=4) == {4: 1, 5: 1}
