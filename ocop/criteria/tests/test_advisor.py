"""The upgrade advisor on the shipped sheets: exact plans for worked examples."""

import pytest

from ocop.criteria.advisor import advise
from ocop.criteria.engine import score
from ocop.criteria.schema import load_text

from .sheets import MINIMAL, SHEET_76, best, sheet, with_answers


def steps(plan) -> list[tuple]:
    return [(i.criterion, i.from_points, i.to_points, i.required) for i in plan.improvements]


def test_the_76_point_sheet_needs_its_4_star_marker_only():
    advice = advise(sheet("148/I.1.a"), SHEET_76)
    assert (
        advice.total,
        advice.stars,
        advice.target_stars,
        advice.points_needed,
        advice.criteria_needed,
    ) == (
        76,
        3,
        4,
        0,
        1,
    )
    assert [steps(p) for p in advice.plans] == [[("2.a", 3, 4, True)]]
    (plan,) = advice.plans
    assert (plan.gain, plan.total, plan.stars) == (1, 77, 4)
    assert advice.complete


def test_a_missing_story_is_advised_through_its_condition():
    """No story (5.a at 0): 5.b does not apply, so its 3-star minimum fails. Telling the story
    (5.a up to 1 point) makes 5.b apply with the answer already given (5 points)."""
    answers = with_answers(SHEET_76, {"5.a": 1})
    advice = advise(sheet("148/I.1.a"), answers)
    assert (advice.stars, advice.target_stars, advice.criteria_needed) == (2, 3, 1)
    assert [steps(p) for p in advice.plans] == [[("5.a", 0, 1, False)]]
    assert (advice.plans[0].gain, advice.plans[0].total, advice.plans[0].stars) == (7, 74, 3)
    # Without any answer for 5.b and 5.c, the plan writes their lowest options, then raises 5.b.
    bare = {k: v for k, v in answers.items() if k not in {"5.b", "5.c"}}
    advice = advise(sheet("148/I.1.a"), bare)
    assert [steps(p) for p in advice.plans] == [[("5.a", 0, 1, False), ("5.b", 0, 3, True)]]
    plan = advice.plans[0]
    assert (plan.answers["5.c"].option, score(sheet("148/I.1.a"), plan.answers).stars) == (1, 3)


def test_points_short_of_the_band_are_found_with_the_fewest_criteria():
    """89 points with every 5-star minimum met: one more point on any single criterion that has
    one. The bonus criterion 3.b (legal representative) is never suggested."""
    answers = with_answers(best("148/I.1.a"), {"3.b": 1, "1.e": 1, "4.c": 1, "6.c": 1, "7": 2, "12": 2})
    result = score(sheet("148/I.1.a"), answers)
    assert (result.total, result.band_stars, result.stars) == (89, 4, 4)
    advice = advise(sheet("148/I.1.a"), answers)
    assert (advice.target_stars, advice.points_needed, advice.criteria_needed, advice.complete) == (
        5,
        1,
        1,
        True,
    )
    assert [steps(p) for p in advice.plans] == [
        [("1.e", 0, 1, False)],
        [("4.c", 0, 1, False)],
        [("6.c", 0, 1, False)],
        [("7", 1, 2, False)],
        [("12", 2, 3, False)],
    ]
    assert all(p.total == 90 and p.stars == 5 for p in advice.plans)


def test_plans_are_limited_and_say_when_more_exist():
    answers = {c.code: 1 for c in sheet("1048/I.3.c").criteria} | {"3.2": {"case": 1, "option": 1}, "6.1": 2}
    result = score(sheet("1048/I.3.c"), answers)
    assert (result.total, result.stars) == (9, 1)
    advice = advise(sheet("1048/I.3.c"), answers, limit=3)
    assert (advice.target_stars, advice.points_needed, advice.criteria_needed, advice.complete) == (
        2,
        21,
        4,
        False,
    )
    # Telling the story (5.1 up to 5) also makes 5.3 apply with its answer: 1 point more.
    assert [steps(p) for p in advice.plans] == [
        [("4.2", 0, 5, False), ("4.3", 0, 5, False), ("5.1", 0, 5, False), ("6.4", 0, 5, False)],
        [("4.2", 0, 5, False), ("4.3", 0, 5, False), ("5.1", 0, 5, False), ("6.5", 0, 5, False)],
        [("4.2", 0, 5, False), ("4.3", 0, 5, False), ("5.1", 0, 5, False), ("7", 0, 5, False)],
    ]
    for plan in advice.plans:
        assert (plan.gain, plan.total, score(sheet("1048/I.3.c"), plan.answers).stars) == (21, 30, 2)


def test_a_target_further_away():
    """5 stars from the 76-point sheet: the 8 criteria below their 5-star minimum (raised to their
    maximum, 85 points) and 3 more criteria for the last 5 points (no single one has more than 2)."""
    advice = advise(sheet("148/I.1.a"), SHEET_76, target_stars=5)
    assert (advice.target_stars, advice.points_needed, advice.criteria_needed) == (5, 14, 11)
    assert steps(advice.plans[0]) == [
        ("1.b", 2, 3, True),
        ("1.c", 2, 3, True),
        ("1.d", 2, 3, True),
        ("1.đ", 1, 3, False),
        ("2.a", 3, 4, True),
        ("2.b", 2, 3, True),
        ("3.a", 2, 3, False),
        ("5.a", 3, 5, False),
        ("5.c", 1, 2, True),
        ("10", 3, 5, True),
        ("11", 1, 2, True),
    ]
    assert all((p.gain, p.total, p.stars) == (14, 90, 5) for p in advice.plans)
    assert len(advice.plans) == 5 and not advice.complete
    with pytest.raises(ValueError, match="above the current 3 stars"):
        advise(sheet("148/I.1.a"), SHEET_76, target_stars=3)


def test_no_advice_for_a_stopped_or_disqualified_sheet_or_a_top_one():
    stopped = advise(sheet("1048/I.3.c"), with_answers(best("1048/I.3.c"), {"6.1": 1}))
    assert (stopped.target_stars, stopped.plans, [r.code for r in stopped.blocked_by]) == (
        None,
        (),
        ["stopped_by_points"],
    )
    disqualified = advise(sheet("148/I.1.a"), best("148/I.1.a"), {"D3": True})
    assert [r.code for r in disqualified.blocked_by] == ["disqualified"]
    top = advise(sheet("148/I.1.a"), best("148/I.1.a"))
    assert (top.stars, top.target_stars, top.plans, top.criteria_needed) == (5, None, (), 0)


def test_an_unreachable_target_has_no_plans():
    """Only the bonus criterion could add points: it is a fact about the producer, not advice."""
    data = load_text(
        MINIMAL.replace('name: "Hai"', 'name: "Hai"\n            bonus: true'), source="thu.yaml"
    )
    answers = {"1.a": 3, "1.b": 1}
    assert (score(data, answers).total, score(data, answers).stars) == (5, 3)
    advice = advise(data, answers)
    assert (advice.target_stars, advice.points_needed, advice.criteria_needed, advice.plans) == (
        4,
        2,
        None,
        (),
    )
