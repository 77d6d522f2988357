"""The scoring engine on the shipped sheets: worked examples with exact points, stars and reasons."""

from decimal import Decimal
from fractions import Fraction

import pytest

from ocop.criteria.engine import AnswerError, Choice, band, parse_answers, points_given, reason_text, score
from ocop.criteria.schema import DEFAULT_BANDS, load_text

from .sheets import MINIMAL, SHEET_76, best, sheet, with_answers


def problems(criteria_set, answers, checks=None) -> list[tuple[str, str | None]]:
    with pytest.raises(AnswerError) as caught:
        score(criteria_set, answers, checks)
    return [(p.code, p.criterion) for p in caught.value.problems]


# --- the example and the bands ----------------------------------------------------------


def test_the_best_148_sheet_is_100_points_and_5_stars():
    result = score(sheet("148/I.1.a"), best("148/I.1.a"))
    assert result.as_dict() == {
        "set": "148/I.1.a",
        "parts": {"A": 40, "B": 25, "C": 35},
        "total": 100,
        "band_stars": 5,
        "stars": 5,
        "disqualified": False,
        "reasons": [],
    }
    assert result.recognised and result.stopped_at is None
    assert dict(result.sections) == {
        "1": 18, "2": 10, "3": 12, "4": 13, "5": 12, "6": 13, "7": 2, "8": 5, "9": 5, "10": 5, "11": 2, "12": 3,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("total", "stars"),
    [
        (100, 5), (90, 5), (Decimal("89.99"), 4), (70, 4), (Fraction(6999, 100), 3), (69.99, 3),
        (50, 3), (Decimal("49.999"), 2), (30, 2), (29, 1), (0, 1),
    ],
)  # fmt: skip
def test_bands_are_lower_bound_inclusive(total, stars):
    assert band(total, DEFAULT_BANDS) == stars


# --- markers -------------------------------------------------------------------------------------


def test_76_points_capped_to_3_stars_by_an_unmet_4_star_marker():
    """The header of the 148 sheet: a 76-point sheet rated 3 stars, 2.a below its **** option."""
    result = score(sheet("148/I.1.a"), SHEET_76)
    assert (result.total, dict(result.parts), result.band_stars, result.stars) == (
        76,
        {"A": 30, "B": 20, "C": 26},
        4,
        3,
    )
    assert [r.as_dict() for r in result.reasons] == [
        {
            "code": "below_star_minimum",
            "params": {"stars": 4, "criterion": "2.a", "points": 3, "minimum": 4},
            "message": "Not 4 stars: criterion 2.a scores 3, below the 4-star minimum of 4.",
        }
    ]
    assert result.recognised is True
    assert [u.criterion for u in result.unmet[4]] == ["2.a"]
    assert result.unmet[3] == ()


def test_the_cap_is_a_switch_on_the_set():
    result = score(sheet("148/I.1.a"), SHEET_76, markers_cap_stars=False)
    assert (result.band_stars, result.stars, result.reasons) == (4, 4, ())
    assert [(n.code, dict(n.params)) for n in result.notices] == [
        ("star_minimum_ignored", {"stars": 4, "criterion": "2.a", "points": 3, "minimum": 4})
    ]


def test_the_source_apps_contradiction_is_decided_by_our_rule():
    """The source sheet also scored 0 on criterion 10 (its *** option is 2 points) and was still
    rated 3 stars. Here 3-star markers cap too (3-star mandatory criteria exist in 148, [C2]): 2 stars.
    Without the cap the band's 4 stars stand."""
    answers = with_answers(SHEET_76, {"10": 1, "6.c": 4, "6.d": 4, "12": 2})  # still 76 points
    result = score(sheet("148/I.1.a"), answers)
    assert (result.total, result.band_stars, result.stars, result.recognised) == (76, 4, 2, False)
    assert [(r.code, dict(r.params)) for r in result.reasons] == [
        ("below_star_minimum", {"stars": 3, "criterion": "10", "points": 0, "minimum": 2}),
        ("below_star_minimum", {"stars": 4, "criterion": "2.a", "points": 3, "minimum": 4}),
    ]
    assert score(sheet("148/I.1.a"), answers, markers_cap_stars=False).stars == 4


def test_each_criterion_is_named_once_at_the_lowest_star_it_misses():
    answers = with_answers(best("148/I.1.a"), {"2.a": 3, "4.a": 1})  # 95 points
    result = score(sheet("148/I.1.a"), answers)
    assert (result.total, result.band_stars, result.stars) == (95, 5, 3)
    assert [(r.params["stars"], r.params["criterion"]) for r in result.reasons] == [(4, "2.a"), (5, "4.a")]


# --- conditions ----------------------------------------------------------------------------------


def test_a_criterion_that_applies_only_with_a_story():
    """148 5.b and 5.c apply only when 5.a (the story) scores above 0."""
    answers = with_answers(SHEET_76, {"5.a": 1})  # no story: 5.a 0 points
    result = score(sheet("148/I.1.a"), answers)
    assert [(c.code, c.points, c.status) for c in result.criteria if c.section == "5"] == [
        ("5.a", 0, "scored"),
        ("5.b", 0, "not_applicable"),
        ("5.c", 0, "not_applicable"),
    ]
    assert (result.total, result.band_stars, result.stars) == (67, 3, 2)
    assert [(r.code, dict(r.params)) for r in result.reasons] == [
        (
            "star_minimum_not_applicable",
            {"stars": 3, "criterion": "5.b", "minimum": 3, "condition": "5.a", "at_least": 1},
        )
    ]
    assert [n.code for n in result.notices] == ["answer_ignored_not_applicable"] * 2
    # Not applicable: no answer is needed.
    trimmed = {k: v for k, v in answers.items() if k not in {"5.b", "5.c"}}
    assert score(sheet("148/I.1.a"), trimmed).total == 67
    # The 1048 sheets have the same condition on 5.2 and 5.3.
    veg = score(sheet("1048/I.3.c"), with_answers(best("1048/I.3.c"), {"5.1": 1}))
    assert (veg.total, veg.criterion("5.2").status, veg.criterion("5.3").status) == (
        90,
        "not_applicable",
        "not_applicable",
    )


# --- gates, disqualification, bonus -------------------------------------------------------------


def test_a_gate_at_zero_points_stops_the_evaluation():
    """1048 processed vegetables, 6.1 'Tạp chất lạ': 'Nếu bị 0 Điểm, sẽ không đánh giá các bước tiếp theo'."""
    data = sheet("1048/I.3.c")
    before_gate = {
        k: v
        for k, v in best("1048/I.3.c").items()
        if data.criterion(k).position < data.criterion("6.1").position
    }
    result = score(data, {**before_gate, "6.1": 1})
    assert result.as_dict() == {
        "set": "1048/I.3.c",
        "parts": {"A": 35, "B": 25, "C": 0},
        "total": 60,
        "band_stars": 3,
        "stars": None,
        "disqualified": False,
        "reasons": [
            {
                "code": "stopped_by_points",
                "params": {"criterion": "6.1", "points": 0, "stops_below": 1},
                "message": "Evaluation stopped at criterion 6.1: it scores 0, below 1; the criteria after it are "
                "not evaluated and there are no stars.",
            }
        ],
    }
    assert result.stopped_at == "6.1"
    assert [c.status for c in result.criteria].count("not_evaluated") == 10
    # Answers after the gate are allowed, and ignored.
    full = score(data, with_answers(best("1048/I.3.c"), {"6.1": 1}))
    assert (full.total, full.stars, len(full.notices)) == (60, None, 10)
    # One point is enough to go on.
    assert score(data, with_answers(best("1048/I.3.c"), {"6.1": 2})).as_dict()["stars"] == 5


def test_a_stop_check_ends_the_evaluation_after_its_criterion():
    result = score(sheet("1048/I.3.c"), best("1048/I.3.c"), {"G2": True})
    assert (result.total, dict(result.parts), result.band_stars, result.stars, result.stopped_at) == (
        95,
        {"A": 35, "B": 25, "C": 35},
        5,
        None,
        "9",
    )
    assert [(r.code, r.params["check"]) for r in result.reasons] == [("stopped_by_check", "G2")]
    assert score(sheet("1048/I.3.c"), best("1048/I.3.c"), {"G2": False}).stars == 5


def test_a_disqualifying_check_leaves_no_stars():
    result = score(sheet("148/I.1.a"), best("148/I.1.a"), ["D2"])
    assert (result.total, result.band_stars, result.stars, result.disqualified, result.recognised) == (
        100,
        5,
        None,
        True,
        False,
    )
    assert [r.as_dict() for r in result.reasons] == [
        {
            "code": "disqualified",
            "params": {
                "check": "D2",
                "text": "Hồ sơ tự công bố sản phẩm hoặc ghi nhãn sản phẩm không đúng quy định",
                "criterion": None,
            },
            "message": "Disqualified: D2 (Hồ sơ tự công bố sản phẩm hoặc ghi nhãn sản phẩm không đúng quy định).",
        }
    ]
    veg = score(sheet("1048/I.3.c"), best("1048/I.3.c"), {"D1": True})
    assert (veg.stars, veg.disqualified, veg.reasons[0].params["criterion"]) == (None, True, "1.1")


def test_bonus_points_count_within_the_maxima():
    """148 3.b: 1 bonus point (điểm khuyến khích) when the legal representative is a woman or from an
    ethnic minority; counted in section 3 (12) and part A (40) as on the source sheet."""
    with_bonus = score(sheet("148/I.1.a"), with_answers(SHEET_76, {"3.b": 2}))
    assert (with_bonus.points("3.b"), with_bonus.sections["3"], with_bonus.parts["A"], with_bonus.total) == (
        1,
        10,
        31,
        77,
    )
    assert sheet("148/I.1.a").criterion("3.b").bonus


# --- two cases -----------------------------------------------------------------------------------


def test_a_criterion_with_two_cases():
    """1048 3.2: organisation (1 or 2 points) or household business (0 or 1)."""
    data = sheet("1048/I.3.c")
    organisation = score(data, best("1048/I.3.c"))
    household = score(data, with_answers(best("1048/I.3.c"), {"3.2": {"case": 2, "option": 2}}))
    assert (organisation.points("3.2"), household.points("3.2"), household.total) == (2, 1, 99)
    assert household.criterion("3.2").choice == Choice(2, 2)
    assert problems(data, with_answers(best("1048/I.3.c"), {"3.2": 2})) == [("case_required", "3.2")]
    assert problems(data, with_answers(best("1048/I.3.c"), {"3.2": {"case": 1, "option": 3}})) == [
        ("unknown_option", "3.2")
    ]
    assert problems(data, with_answers(best("1048/I.3.c"), {"3.2": {"case": 3, "option": 1}})) == [
        ("unknown_case", "3.2")
    ]


def test_an_option_of_another_case_is_an_error():
    text = MINIMAL.replace(
        """            options:
              - {points: 2, label: "Có"}
              - {points: 7, label: "Rất có", marker: 5}
""",
        """            blocks:
              - code: to_chuc
                label: "Tổ chức"
                options:
                  - {points: 2, label: "Có"}
                  - {points: 7, label: "Rất có"}
              - code: ho
                label: "Hộ"
                options:
                  - {points: 0, label: "Không"}
                  - {points: 1, label: "Có"}
                  - {points: 7, label: "Rất có"}
""",
    )
    data = load_text(text, source="thu.yaml")
    with pytest.raises(AnswerError) as caught:
        score(data, {"1.a": 1, "1.b": {"case": 1, "option": 3}})
    assert [(p.code, p.message) for p in caught.value.problems] == [
        (
            "option_not_in_case",
            "criterion 1.b, case 1 (to_chuc), has options 1 to 2; option 3 belongs to case 2 (ho), not to this one",
        )
    ]
    assert score(data, {"1.a": 1, "1.b": {"case": 2, "option": 3}}).total == 7


def test_cases_of_one_group_must_agree():
    """Tourism 9, 10, 16: a product is community tourism or a tourist spot, on all three."""
    answers = with_answers(best("1048/VI.1"), {"10": {"case": 2, "option": 2}})
    with pytest.raises(AnswerError) as caught:
        score(sheet("1048/VI.1"), answers)
    assert [p.message for p in caught.value.problems] == [
        "criterion 10 is answered for case 2 (diem_du_lich) but criterion 9 for case 1 (du_lich_cong_dong); "
        "a product is one or the other"
    ]
    spot = best("1048/VI.1", case=2)
    assert score(sheet("1048/VI.1"), spot).total == 100


# --- invalid answers are errors, not zeros -------------------------------------------------------


def test_invalid_answers_are_all_reported():
    data = sheet("148/I.1.a")
    answers = with_answers(SHEET_76, {"9.z": 1, "1.b": 4, "1.c": True, "1.d": 0, "2.a": "4"})
    del answers["1.e"]
    assert problems(data, answers) == [  # in the order answered, then the missing ones
        ("unknown_option", "1.b"),
        ("malformed_answer", "1.c"),
        ("none_not_allowed", "1.d"),
        ("malformed_answer", "2.a"),
        ("unknown_criterion", "9.z"),
        ("missing_answer", "1.e"),
    ]
    assert problems(data, SHEET_76, {"D9": True, "D1": "yes"}) == [
        ("unknown_check", None),
        ("malformed_check", None),
    ]
    assert problems(data, {}) == [
        ("missing_answer", c.code) for c in data.criteria if c.code not in {"5.b", "5.c"}
    ]


def test_no_option_applies_only_where_the_set_allows_it():
    """148 (none_option: true): 1.a has no 0-point option, so 0 = 'none applies' = 0 points.
    1048 sheets ask for one of the options."""
    result = score(sheet("148/I.1.a"), with_answers(SHEET_76, {"1.a": 0}))
    assert (result.points("1.a"), result.total, result.criterion("1.a").choice) == (0, 71, Choice(1, 0))
    assert problems(sheet("1048/I.3.c"), with_answers(best("1048/I.3.c"), {"1.1": 0})) == [
        ("none_not_allowed", "1.1")
    ]


def test_codes_are_read_in_any_unicode_normal_form():
    decomposed = "1.d\u0335"  # not "đ": an unknown code
    assert problems(sheet("148/I.1.a"), with_answers(SHEET_76, {decomposed: 1})) == [
        ("unknown_criterion", decomposed)
    ]
    choices = parse_answers(sheet("148/I.1.a"), {"1.đ": 1})
    assert choices == {"1.đ": Choice(1, 1)}


def test_reason_codes_have_words():
    assert reason_text("below_star_minimum", {"stars": 4, "criterion": "2.a", "points": 3, "minimum": 4}) == (
        "Not 4 stars: criterion 2.a scores 3, below the 4-star minimum of 4."
    )
    with pytest.raises(ValueError, match="unknown reason code"):
        reason_text("nope", {})


# --- the running figure of a sheet being filled in ---------------------------------------------


def test_points_given_add_up_the_options_ticked_so_far():
    """The figure a member sees while scoring: the chosen options' points, whatever is missing."""
    data = sheet("148/I.1.a")
    assert points_given(data, {"1.a": 3, "1.b": 2}) == 5 + 2
    assert points_given(data, {}) == 0
    # Before conditions: 5.b counts as ticked even though 5.a (no story) makes it not apply.
    assert points_given(data, {"5.a": 1, "5.b": 3}) == 0 + 3
    # Every answer of a complete sheet without conditions or gates met: the total.
    assert points_given(data, SHEET_76) == score(data, SHEET_76).total == 76


def test_points_given_count_nothing_for_what_cannot_be_read():
    data = sheet("1048/I.3.c")
    assert points_given(data, {"3.2": {"case": 2, "option": 2}}) == 1  # a case of a criterion with two
    assert points_given(data, {"3.2": 2, "nope": 1, "1.1": "x", "1.2": 99}) == 0
    assert points_given(data, "not answers") == 0
