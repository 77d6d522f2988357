"""Invariants of the engine and the advisor, on the shipped sheets and on generated sheets (hypothesis).

* totals never exceed the maxima of criteria, sections, parts and the sheet;
* band boundaries are exact (lower bound inclusive);
* capping by markers never raises a star;
* every plan of the advisor, applied to the sheet, reaches the star it promises, and no plan with
  fewer criteria exists (checked against an exhaustive search on small generated sheets).
"""

from __future__ import annotations

import itertools
from fractions import Fraction

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from ocop.criteria.advisor import advise
from ocop.criteria.engine import NOT_APPLICABLE, Choice, band, score
from ocop.criteria.schema import MARKER_STARS, CriteriaSet, parse_set

from .sheets import FILES, sheet

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def answers_for(draw, criteria_set: CriteriaSet) -> dict[str, Choice]:
    """Valid answers: one option per criterion, the same case within a case group, option 0 where allowed."""
    answers, group_case = {}, {}
    for criterion in criteria_set.criteria:
        if criterion.case_group:
            case = group_case.setdefault(criterion.case_group, draw(st.integers(1, len(criterion.blocks))))
        else:
            case = draw(st.integers(1, len(criterion.blocks)))
        block = criterion.blocks[case - 1]
        lowest = 0 if criteria_set.none_option and not block.has_zero else 1
        answers[criterion.code] = Choice(case, draw(st.integers(lowest, len(block.options))))
    return answers


@st.composite
def real_sheets(draw):
    criteria_set = sheet(draw(st.sampled_from(sorted(FILES))))
    answers = draw(answers_for(criteria_set))
    checks = (
        draw(st.sets(st.sampled_from([c.code for c in criteria_set.checks])))
        if criteria_set.checks
        else set()
    )
    # Mostly sheets without a stop or disqualification, so the stars are there to check.
    if draw(st.integers(0, 3)):
        checks = set()
    return criteria_set, answers, checks


@SETTINGS
@given(real_sheets())
def test_totals_never_exceed_the_maxima(case):
    criteria_set, answers, checks = case
    result = score(criteria_set, answers, checks)
    for criterion, outcome in zip(criteria_set.criteria, result.criteria, strict=True):
        assert 0 <= outcome.points <= criterion.max_points
        if outcome.status == NOT_APPLICABLE:
            assert outcome.points == 0
    for section in criteria_set.sections:
        assert 0 <= result.sections[section.code] <= section.max_points
    for part in criteria_set.parts:
        assert 0 <= result.parts[part.code] <= part.max_points
        assert result.parts[part.code] == sum(result.sections[s.code] for s in part.sections)
    assert result.total == sum(result.parts.values()) == sum(c.points for c in result.criteria)
    assert 0 <= result.total <= criteria_set.max_total
    assert result.band_stars == band(result.total, criteria_set.bands)


@SETTINGS
@given(real_sheets())
def test_capping_never_raises_a_star(case):
    criteria_set, answers, checks = case
    capped = score(criteria_set, answers, checks, markers_cap_stars=True)
    free = score(criteria_set, answers, checks, markers_cap_stars=False)
    assert capped.total == free.total and capped.band_stars == free.band_stars
    if capped.stopped_at or capped.disqualified:
        assert capped.stars is None and free.stars is None
        return
    assert free.stars == free.band_stars
    assert 1 <= capped.stars <= capped.band_stars
    # The capped star is the highest one up to the band whose minimums all hold.
    for star in MARKER_STARS:
        if star <= capped.stars:
            assert capped.unmet[star] == ()
    if capped.stars < capped.band_stars:
        assert capped.unmet[capped.stars + 1]
        assert capped.reasons


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(sorted(FILES)),
    st.fractions(min_value=0, max_value=100, max_denominator=1000),
)
def test_band_boundaries_are_exact(code, total):
    bands = sheet(code).bands
    stars = band(total, bands)
    if stars > 1:
        assert total >= bands[stars]
    if stars < 5:
        assert total < bands[stars + 1]
    for star, bound in bands.items():
        assert band(Fraction(bound), bands) == star
        assert band(Fraction(bound) - Fraction(1, 10**9), bands) == star - 1


@SETTINGS
@given(real_sheets())
def test_advice_applied_to_the_sheet_reaches_the_promised_star(case):
    criteria_set, answers, checks = case
    before = score(criteria_set, answers, checks)
    advice = advise(criteria_set, answers, checks)
    if before.stars is None:
        assert advice.plans == () and advice.blocked_by
        return
    if before.stars == 5:
        assert advice.target_stars is None
        return
    assert advice.target_stars == before.stars + 1
    assert advice.plans, "on the shipped sheets every next star is reachable"
    for plan in advice.plans:
        after = score(criteria_set, plan.answers, checks)
        assert after.stars == plan.stars >= advice.target_stars
        assert after.total == plan.total == before.total + plan.gain
        assert len(plan.improvements) == advice.criteria_needed
        assert all(i.to_points > i.from_points for i in plan.improvements)
        changed = {code for code in plan.answers if plan.answers[code] != before.answers.get(code)}
        assert {i.criterion for i in plan.improvements} <= changed
        assert not any(criteria_set.criterion(i.criterion).bonus for i in plan.improvements)
    assert [p.gain for p in advice.plans] == sorted(p.gain for p in advice.plans)


# --- exhaustive check of minimality on small generated sheets ------------------------------------


@st.composite
def small_sheets(draw):
    """A one-part sheet of 3 to 6 criteria with consistent markers, maybe a condition and a bonus."""
    count = draw(st.integers(3, 6))
    criteria = []
    for index in range(count):
        # Small steps (as on real sheets, 1 to 5 points), so that a star often takes several criteria.
        top = draw(st.integers(1, 4))
        points = sorted(draw(st.sets(st.integers(0, top - 1), max_size=3)) | {top})
        marks = draw(st.lists(st.booleans(), min_size=len(points), max_size=len(points)))
        stars = sorted(draw(st.lists(st.sampled_from([3, 4, 5]), min_size=len(points), max_size=len(points))))
        options = [
            {"points": p, "label": f"o{p}", **({"marker": s} if m else {})}
            for p, m, s in zip(points, marks, stars, strict=True)
        ]
        criteria.append({"code": f"c{index}", "name": f"c{index}", "max": points[-1], "options": options})
    if draw(st.booleans()):
        child = draw(st.integers(1, count - 1))
        parent = draw(st.integers(0, child - 1))
        at_least = draw(st.integers(1, criteria[parent]["max"]))
        criteria[child]["applies_if"] = {"criterion": f"c{parent}", "at_least": at_least}
    if draw(st.booleans()):
        criteria[draw(st.integers(0, count - 1))]["bonus"] = True
    total = sum(c["max"] for c in criteria)
    assume(total >= 4)
    # Bands spread like 30/50/70/90 %, or anywhere.
    spread = sorted({max(1, round(total * share)) for share in (0.3, 0.5, 0.7, 0.9)})
    if len(spread) == 4 and draw(st.integers(0, 3)):
        bounds = spread
    else:
        bounds = sorted(draw(st.sets(st.integers(1, total), min_size=4, max_size=4)))
    data = {
        "schema": 1,
        "meta": {
            "decision": "T",
            "product_set": {"taxonomy": "148", "code": "I.1.a"},
            "name_vi": "thử",
            "legal_basis": "thử",
            "effective_from": "2026-01-01",
            "confidence": "U",
            "source": "hypothesis",
            "max_total": total,
            "star_bands": dict(zip([2, 3, 4, 5], bounds, strict=True)),
            "markers_cap_stars": draw(st.booleans()),
            "none_option": draw(st.booleans()),
        },
        "parts": [{"code": "A", "name": "A", "max": total, "sections": [
            {"code": "1", "name": "1", "max": total, "criteria": criteria}
        ]}],
    }  # fmt: skip
    criteria_set = parse_set(data, source="generated.yaml")
    # Mostly low answers, so that reaching the next star takes several criteria.
    answers = {}
    for criterion in criteria_set.criteria:
        block = criterion.blocks[0]
        lowest = 0 if criteria_set.none_option and not block.has_zero else 1
        answers[criterion.code] = Choice(1, draw(st.integers(lowest, min(len(block.options), lowest + 1))))
    return criteria_set, answers


def _exhaustive(criteria_set: CriteriaSet, answers: dict[str, Choice], target: int):
    """Fewest changed criteria (and the least gain for it) reaching ``target``, trying every raise."""
    current = {}
    per_criterion = []
    for criterion in criteria_set.criteria:
        choice = answers[criterion.code]
        points = 0 if choice.option == 0 else criterion.blocks[0].options[choice.option - 1].points
        current[criterion.code] = points
        raises = [] if criterion.bonus else [o for o in criterion.blocks[0].options if o.points > points]
        per_criterion.append([None, *raises])
    base_total = score(criteria_set, answers).total
    best = None
    for combo in itertools.product(*per_criterion):
        changed = {
            c.code: Choice(1, o.position) for c, o in zip(criteria_set.criteria, combo, strict=True) if o
        }
        result = score(criteria_set, {**answers, **changed})
        if result.stars is not None and result.stars >= target:
            key = (len(changed), result.total - base_total)
            best = key if best is None or key < best else best
    return best


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(small_sheets(), st.data())
def test_the_advisor_finds_the_fewest_criteria(case, data):
    criteria_set, answers = case
    before = score(criteria_set, answers)
    assume(before.stars is not None and before.stars < 5)
    target = data.draw(st.integers(before.stars + 1, 5), label="target")
    advice = advise(criteria_set, answers, target_stars=target)
    expected = _exhaustive(criteria_set, answers, target)
    event(f"reachable with {expected[0]} changes" if expected else "unreachable")
    event("with a condition" if any(c.applies_if for c in criteria_set.criteria) else "no condition")
    if expected is None:
        assert advice.criteria_needed is None and advice.plans == ()
        return
    assert (advice.criteria_needed, advice.plans[0].gain) == expected
    for plan in advice.plans:
        assert score(criteria_set, plan.answers).stars >= target
