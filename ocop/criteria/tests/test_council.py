"""Councils' arithmetic: the mean of the members' totals, quorum, spread and rounding as configuration."""

from decimal import Decimal
from fractions import Fraction

import pytest

from ocop.criteria.council import CouncilRules, council_score
from ocop.criteria.engine import AnswerError

from .sheets import SHEET_76, best, sheet, with_answers

S148 = "148/I.1.a"
# 77 points: SHEET_76 with 12 (export opportunities) one point higher.
SHEET_77 = with_answers(SHEET_76, {"12": 2})
SHEET_80 = with_answers(SHEET_76, {"2.a": 4, "1.đ": 3, "12": 3})  # 2.a at its 4-star option: 81 points
LOW = with_answers(SHEET_76, {"4.a": 1, "8": 1, "1.a": 1, "6.b": 2})  # 61 points


def test_the_score_is_the_mean_of_the_members_totals():
    result = council_score(
        sheet(S148), {"An": SHEET_76, "Bình": SHEET_77, "Chi": SHEET_80}, members=4, chair="An"
    )
    assert {name: sheet.total for name, sheet in result.members.items()} == {"An": 76, "Bình": 77, "Chi": 81}
    assert (result.mean, result.score, result.band_stars) == (Fraction(234, 3), Decimal("78.00"), 4)
    # 2.a: 3, 3 and 4 points — a mean of 10/3 is below the 4-star minimum of 4.
    assert result.stars == 3
    assert [(r.code, dict(r.params)) for r in result.reasons] == [
        ("council_below_star_minimum", {"stars": 4, "criterion": "2.a", "basis": "mean"})
    ]
    assert (result.quorum.present, result.quorum.required, result.quorum.met, result.final) == (
        3,
        3,
        True,
        True,
    )
    assert (result.spread.spread, result.spread.over_limit) == (5, False)


def test_how_markers_apply_to_several_sheets_is_configuration():
    sheets = {"An": SHEET_80, "Bình": SHEET_80, "Chi": SHEET_76}
    stars = {
        basis: council_score(
            sheet(S148), sheets, members=3, chair="An", rules=CouncilRules(marker_basis=basis)
        ).stars
        for basis in ("mean", "majority", "every_member")
    }
    # 2.a: 4, 4 and 3 -> mean 11/3 < 4; two of three sheets reach it; not every sheet.
    assert stars == {"mean": 3, "majority": 4, "every_member": 3}


def test_quorum_counts_the_chair_and_needs_them():
    sheets = {"An": SHEET_76, "Bình": SHEET_77}
    short = council_score(sheet(S148), sheets, members=4, chair="An")
    assert (short.quorum.required, short.quorum.met, short.final) == (3, False, False)
    assert [r.code for r in short.reasons] == ["quorum_not_met", "council_below_star_minimum"]
    assert short.reasons[0].message == "No quorum: 2 of 4 members scored, 3 are needed."
    no_chair = council_score(sheet(S148), {**sheets, "Chi": SHEET_80}, members=4, chair="Dũng")
    assert (no_chair.quorum.present, no_chair.quorum.chair_present, no_chair.quorum.met) == (3, False, False)
    assert "chair_absent" in [r.code for r in no_chair.reasons]
    lenient = CouncilRules(quorum=Fraction(1, 2), chair_required=False)
    assert council_score(sheet(S148), sheets, members=4, chair=None, rules=lenient).quorum.met


def test_a_spread_over_the_limit_names_the_members_and_criteria():
    result = council_score(
        sheet(S148), {"An": best(S148), "Bình": SHEET_76, "Chi": LOW}, members=3, chair="An"
    )
    spread = result.spread
    assert (spread.spread, spread.limit, spread.over_limit) == (39, Decimal(10), True)
    assert (spread.high_members, spread.low_members) == (("An",), ("Chi",))
    # The largest differences between An (100) and Chi (61) first; these cover the 29 points too many.
    assert spread.causes == ("8", "1.a", "4.a", "6.b", "1.đ", "5.a", "10", "12", "1.b", "1.c", "1.d", "2.a")
    first = spread.criteria[0]
    assert (first.criterion, first.low, first.high, first.low_members, first.high_members, first.gap) == (
        "8", 0, 5, ("Chi",), ("An", "Bình"), 5,
    )  # fmt: skip
    assert result.final is False
    (reason,) = [r for r in result.reasons if r.code == "spread_over_limit"]
    assert reason.message.startswith(
        "Members' totals differ by 39 points, more than the 10 allowed: An (highest) and Chi (lowest); "
        "agreeing on criteria 8, 1.a, 4.a"
    )
    assert (
        council_score(
            sheet(S148),
            {"An": best(S148), "Chi": LOW},
            members=2,
            chair="An",
            rules=CouncilRules(max_spread=None),
        ).spread.over_limit
        is False
    )
    # Exactly at the limit is allowed.
    at_limit = council_score(
        sheet(S148), {"An": SHEET_76, "Bình": with_answers(SHEET_76, {"1.a": 1, "8": 1})}, members=2, chair="An",
        rules=CouncilRules(max_spread=Decimal(9)),
    )  # fmt: skip
    assert (at_limit.spread.spread, at_limit.spread.over_limit) == (9, False)


def test_rounding_and_reading_the_band_are_configuration():
    four = with_answers(SHEET_76, {"2.a": 4})  # 77 points, every 4-star minimum met
    sheets = {
        "An": with_answers(four, {"1.a": 1, "4.c": 1, "7": 2}),  # 69
        "Bình": with_answers(four, {"1.a": 1, "4.c": 1}),  # 70
    }
    exact = council_score(sheet(S148), sheets, members=2, chair="An", rules=CouncilRules(decimals=0))
    assert (exact.mean, exact.score, exact.band_stars, exact.stars) == (Fraction(139, 2), Decimal(70), 3, 3)
    rounded = council_score(
        sheet(S148), sheets, members=2, chair="An", rules=CouncilRules(decimals=0, band_on_rounded=True)
    )
    assert (rounded.score, rounded.band_stars, rounded.stars) == (Decimal(70), 4, 4)
    two_places = council_score(sheet(S148), sheets, members=2, chair="An")
    assert (two_places.score, two_places.as_dict()["mean"], two_places.as_dict()["score"]) == (
        Decimal("69.50"),
        "139/2",
        "69.50",
    )
    assert CouncilRules(decimals=0, rounding="half_even").round(Fraction(137, 2)) == Decimal(68)
    assert CouncilRules(decimals=0, rounding="half_up").round(Fraction(137, 2)) == Decimal(69)


def test_members_sheets_that_stop_or_disqualify_block_the_stars():
    result = council_score(
        sheet(S148),
        {"An": SHEET_76, "Bình": SHEET_76, "Chi": SHEET_76},
        checks={"Chi": {"D1": True}},
        members=3,
        chair="An",
    )
    assert (result.stars, result.final) == (None, False)
    assert [r.message for r in result.reasons if r.code == "member_sheet"] == [
        "Sheet of Chi: Disqualified: D1 (Giả mạo hồ sơ, hoặc không tuân thủ đầy đủ quy định về giấy chứng nhận "
        "cơ sở đủ điều kiện ATTP (hoặc tương đương))."
    ]


def test_invalid_sheets_name_the_member():
    with pytest.raises(AnswerError) as caught:
        council_score(sheet(S148), {"An": SHEET_76, "Bình": {"1.a": 9}}, members=3, chair="An")
    assert caught.value.problems[0].message == "Bình: criterion 1.a has options 1 to 3; got 9"
    with pytest.raises(ValueError, match="quorum"):
        CouncilRules(quorum=Fraction(0))
    with pytest.raises(ValueError, match="2 sheets but only 1 members"):
        council_score(sheet(S148), {"An": SHEET_76, "Bình": SHEET_76}, members=1, chair="An")
