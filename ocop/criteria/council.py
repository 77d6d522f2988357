"""Councils' arithmetic: members' sheets -> the product's score, stars and what blocks them.

A pure core: no Django. The product's score is the mean of the members' totals (QĐ 148,
"tổng điểm trung bình", OCOP.md §3.5 [C2]). What a council's own rules (quy chế hoạt động) decide
is configuration, :class:`CouncilRules`: the quorum (share of the members present, chair
included), the largest allowed spread between members' totals, how the mean is rounded and
whether the band is read before or after rounding, and how star markers apply to several sheets.
The defaults are the provincial rules seen in the 1048 era (≥ 3/4 present with the chair, no more
than 10 points between members), not confirmed for 148 [U].

Public API: :func:`council_score` -> :class:`CouncilResult`; :class:`CouncilRules`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from . import engine
from .engine import Reason, SheetResult, band
from .schema import MARKER_STARS, CriteriaSet

ROUNDINGS = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN}
MARKER_BASES = ("mean", "every_member", "majority")


@dataclass(frozen=True, slots=True)
class CouncilRules:
    """A council's rules, as configuration.

    quorum: least share of the council's members whose sheets count, the chair among them.
    chair_required: the sitting is valid only with the chair present (and scoring).
    max_spread: largest allowed difference between the highest and lowest member totals
        (inclusive: 10 allows 10); None for no limit.
    decimals, rounding: how the mean is rounded for display and the record ("half_up", "half_even").
    band_on_rounded: read the star band from the rounded mean (True) or the exact mean (False).
    marker_basis: when a criterion meets its star minimum across several sheets — "mean" (the
        members' mean points for it reach the minimum), "every_member", or "majority" (more
        than half of the sheets). [U]: the decision does not say.
    """

    quorum: Fraction = Fraction(3, 4)
    chair_required: bool = True
    max_spread: Decimal | None = Decimal(10)
    decimals: int = 2
    rounding: str = "half_up"
    band_on_rounded: bool = False
    marker_basis: str = "mean"

    def __post_init__(self):
        if not 0 < self.quorum <= 1:
            raise ValueError("quorum must be a share above 0 and at most 1")
        if self.max_spread is not None and self.max_spread < 0:
            raise ValueError("max_spread must not be negative")
        if not 0 <= self.decimals <= 4:
            raise ValueError("decimals must be between 0 and 4")
        if self.rounding not in ROUNDINGS:
            raise ValueError(f"rounding must be one of {', '.join(ROUNDINGS)}")
        if self.marker_basis not in MARKER_BASES:
            raise ValueError(f"marker_basis must be one of {', '.join(MARKER_BASES)}")

    def round(self, value: Fraction) -> Decimal:
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        return exact.quantize(Decimal(1).scaleb(-self.decimals), rounding=ROUNDINGS[self.rounding])


@dataclass(frozen=True, slots=True)
class Quorum:
    members: int  # seats on the council
    present: int  # sheets received
    required: int  # least sheets for a valid sitting
    chair_present: bool
    met: bool


@dataclass(frozen=True, slots=True)
class CriterionSpread:
    """How members disagree on one criterion."""

    criterion: str
    low: int
    high: int
    low_members: tuple[str, ...]
    high_members: tuple[str, ...]
    gap: int  # points between the highest-total and lowest-total members on this criterion


@dataclass(frozen=True, slots=True)
class Spread:
    spread: int
    limit: Decimal | None
    over_limit: bool
    high_members: tuple[str, ...]  # members with the highest total
    low_members: tuple[str, ...]
    criteria: tuple[CriterionSpread, ...]  # where members disagree, most to blame first
    # The fewest criteria whose difference between the highest and lowest sheets exceeds the
    # excess over the limit: agreeing on these alone would bring the spread within it.
    causes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CouncilResult:
    set_code: str
    members: Mapping[str, SheetResult]
    mean: Fraction  # exact mean of the members' totals
    score: Decimal  # rounded per the rules
    band_stars: int
    stars: int | None
    final: bool  # quorum met, spread within the limit, stars given
    quorum: Quorum
    spread: Spread
    reasons: tuple[Reason, ...]
    rules: CouncilRules = field(repr=False)

    def as_dict(self) -> dict:
        return {
            "set": self.set_code,
            "members": {name: sheet.total for name, sheet in self.members.items()},
            "mean": _fraction_text(self.mean),
            "score": str(self.score),
            "band_stars": self.band_stars,
            "stars": self.stars,
            "final": self.final,
            "quorum": {
                "members": self.quorum.members,
                "present": self.quorum.present,
                "required": self.quorum.required,
                "chair_present": self.quorum.chair_present,
                "met": self.quorum.met,
            },
            "spread": {
                "spread": self.spread.spread,
                "limit": None if self.spread.limit is None else str(self.spread.limit),
                "over_limit": self.spread.over_limit,
                "high_members": list(self.spread.high_members),
                "low_members": list(self.spread.low_members),
                "causes": list(self.spread.causes),
                "criteria": [
                    {
                        "criterion": c.criterion,
                        "low": c.low,
                        "high": c.high,
                        "low_members": list(c.low_members),
                        "high_members": list(c.high_members),
                        "gap": c.gap,
                    }
                    for c in self.spread.criteria
                ],
            },
            "reasons": [r.as_dict() for r in self.reasons],
        }


def council_score(
    criteria_set: CriteriaSet,
    sheets: Mapping[str, Mapping[str, Any]],
    *,
    members: int,
    chair: str | None,
    rules: CouncilRules | None = None,
    checks: Mapping[str, Mapping[str, Any]] | None = None,
) -> CouncilResult:
    """Combine the members' answers (member name -> answers) into the product's result.

    ``members`` is the number of seats on the council; ``chair`` names the chair's sheet (None if
    the chair did not score). ``checks`` optionally maps a member to their yes/no checks. Raises
    :class:`engine.AnswerError` (naming the member) for a sheet that cannot be scored.
    """
    rules = rules or CouncilRules()
    if not sheets:
        raise ValueError("a council result needs at least one member's sheet")
    if members < len(sheets):
        raise ValueError(f"{len(sheets)} sheets but only {members} members on the council")
    results: dict[str, SheetResult] = {}
    for name, answers in sheets.items():
        try:
            results[name] = engine.score(criteria_set, answers, (checks or {}).get(name))
        except engine.AnswerError as exc:
            problems = [
                engine.AnswerProblem(
                    p.code, p.criterion, f"{name}: {p.message}", {**p.params, "member": name}
                )
                for p in exc.problems
            ]
            raise engine.AnswerError(problems) from None

    totals = {name: r.total for name, r in results.items()}
    mean = Fraction(sum(totals.values()), len(totals))
    rounded = rules.round(mean)
    band_stars = band(rounded if rules.band_on_rounded else mean, criteria_set.bands)

    required = _ceil(rules.quorum * members)
    chair_present = chair is not None and chair in results
    quorum = Quorum(
        members=members,
        present=len(results),
        required=required,
        chair_present=chair_present,
        met=len(results) >= required and (chair_present or not rules.chair_required),
    )
    spread = _spread(criteria_set, results, rules.max_spread)

    reasons: list[Reason] = []
    if len(results) < required:
        reasons.append(
            engine.reason("quorum_not_met", present=len(results), required=required, members=members)
        )
    if rules.chair_required and not chair_present:
        reasons.append(engine.reason("chair_absent"))
    if spread.over_limit:
        reasons.append(
            engine.reason(
                "spread_over_limit",
                spread=spread.spread,
                limit=str(spread.limit),
                high_members=list(spread.high_members),
                low_members=list(spread.low_members),
                criteria=list(spread.causes),
            )
        )
    blocked = False
    for name, sheet in results.items():
        if sheet.disqualified or sheet.stopped_at is not None:
            blocked = True
            for why in sheet.reasons:
                if why.code in {"disqualified", "stopped_by_points", "stopped_by_check"}:
                    reasons.append(engine.reason("member_sheet", member=name, reason=why.message))
    stars: int | None = None
    if not blocked:
        stars = band_stars
        if criteria_set.markers_cap_stars:
            for star in MARKER_STARS:
                if star > band_stars:
                    break
                missing = _unmet_for_council(criteria_set, results, star, rules.marker_basis)
                if missing:
                    stars = star - 1
                    for code in missing:
                        reasons.append(
                            engine.reason(
                                "council_below_star_minimum",
                                stars=star,
                                criterion=code,
                                basis=rules.marker_basis,
                            )
                        )
                    break
    return CouncilResult(
        set_code=criteria_set.code,
        members=results,
        mean=mean,
        score=rounded,
        band_stars=band_stars,
        stars=stars,
        final=quorum.met and not spread.over_limit and stars is not None,
        quorum=quorum,
        spread=spread,
        reasons=tuple(reasons),
        rules=rules,
    )


def _fraction_text(value: Fraction) -> str:
    """The exact mean: "76" or "227/3"."""
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def _ceil(value: Fraction) -> int:
    return -(-value.numerator // value.denominator)


def _spread(criteria_set: CriteriaSet, results: Mapping[str, SheetResult], limit: Decimal | None) -> Spread:
    totals = {name: r.total for name, r in results.items()}
    high, low = max(totals.values()), min(totals.values())
    high_members = tuple(n for n, t in totals.items() if t == high)
    low_members = tuple(n for n, t in totals.items() if t == low)
    # The pair that sets the spread: the first member with the highest and with the lowest total.
    top, bottom = results[high_members[0]], results[low_members[0]]
    criteria = []
    for criterion in criteria_set.criteria:
        points = {name: r.points(criterion.code) for name, r in results.items()}
        lo, hi = min(points.values()), max(points.values())
        if lo == hi:
            continue
        criteria.append(
            CriterionSpread(
                criterion=criterion.code,
                low=lo,
                high=hi,
                low_members=tuple(n for n, p in points.items() if p == lo),
                high_members=tuple(n for n, p in points.items() if p == hi),
                gap=top.points(criterion.code) - bottom.points(criterion.code),
            )
        )
    criteria.sort(key=lambda c: (-c.gap, -(c.high - c.low), criteria_set.criterion(c.criterion).position))
    spread = high - low
    over = limit is not None and spread > limit
    causes: list[str] = []
    if over:
        covered = 0
        for item in criteria:  # largest gaps first: the shortest list that covers the excess
            if item.gap <= 0 or covered >= spread - limit:
                break
            causes.append(item.criterion)
            covered += item.gap
    return Spread(
        spread=spread,
        limit=limit,
        over_limit=over,
        high_members=high_members,
        low_members=low_members,
        criteria=tuple(criteria),
        causes=tuple(causes),
    )


def _unmet_for_council(
    criteria_set: CriteriaSet, results: Mapping[str, SheetResult], star: int, basis: str
) -> list[str]:
    """Criteria whose ``star`` minimum the council's sheets do not meet, on the chosen basis."""
    missing = []
    for criterion in criteria_set.criteria:
        if not criterion.has_markers:
            continue
        misses = [any(u.criterion == criterion.code for u in sheet.unmet[star]) for sheet in results.values()]
        if not any(misses):
            continue
        if basis == "every_member":
            failed = any(misses)
        elif basis == "majority":
            failed = sum(not m for m in misses) * 2 <= len(misses)
        else:  # mean points against the least minimum any member's case asks
            minimums = [
                engine.minimum_for(criterion, star, sheet.criterion(criterion.code).choice)
                for sheet in results.values()
            ]
            minimum = min(m for m in minimums if m is not None)
            mean_points = Fraction(sum(s.points(criterion.code) for s in results.values()), len(results))
            not_applicable = all(
                s.criterion(criterion.code).status == engine.NOT_APPLICABLE for s in results.values()
            )
            failed = not_applicable or mean_points < minimum
        if failed:
            missing.append(criterion.code)
    return missing
