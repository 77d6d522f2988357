"""The scoring engine: one member's answers on one sheet -> points, stars and the reasons.

A pure core: no Django, no database. Every surface that computes a score (the ``score``
command, the API, the scoring page, councils, the upgrade advisor) calls :func:`score`.

Rules, in the order they are applied:

1. **Answers.** Each criterion is answered with the 1-based position of the chosen option, and of
   the case for criteria with alternative cases (``{"case": 2, "option": 1}``). Position 0 means
   "no option applies" (0 points) and is accepted only where the set allows it (``none_option``)
   and the criterion has no 0-point option. Unknown criteria, malformed answers, options outside
   the chosen case and missing answers are errors (:class:`AnswerError`), never zeros. Criteria of
   one ``case_group`` must be answered for the same case.
2. **Conditions.** A criterion with ``applies_if`` scores 0 when its condition fails; it needs no
   answer then (a given answer is ignored, with a notice).
3. **Gates.** A criterion scoring below its gate's ``stops_below``, or a ``stop`` check answered
   yes, stops the evaluation after that criterion: the criteria after it are not evaluated (their
   answers are optional and ignored), the total is what was evaluated, and there are no stars.
4. **Disqualification.** A ``disqualify`` check answered yes: no stars.
5. **Band.** ``band_stars`` from the total: the highest star whose lower bound the total reaches
   (90/70/50/30 by default, lower bound inclusive, upper exclusive; 1 star below 30).
6. **Markers.** For N stars every criterion must reach its N-star minimum (derived from the star
   markers, lower stars' requirements carried up; a criterion that does not apply has not reached
   it). With ``markers_cap_stars`` on, ``stars`` is the highest N up to the band whose minimums are
   all met; with it off, ``stars`` is the band and unmet minimums are reported as notices.

Reasons have a stable ``code``, ``params`` and an English ``message`` (:func:`reason_text`);
pages translate them from the code and parameters (:mod:`ocop.criteria.messages`).

Public API: :func:`score`, :func:`parse_answers`, :func:`parse_checks`, :func:`band`,
:func:`points_given`, :func:`reason_text`, :class:`Choice`, :class:`SheetResult`, :class:`Reason`, :class:`AnswerError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

from .schema import MARKER_STARS, CriteriaSet, Criterion, nfc

Number = int | Decimal | Fraction | float

SCORED, NOT_APPLICABLE, NOT_EVALUATED = "scored", "not_applicable", "not_evaluated"


@dataclass(frozen=True, slots=True, order=True)
class Choice:
    """An answer: 1-based case (1 when the criterion has no alternative cases) and option (0 = none)."""

    case: int
    option: int

    def as_json(self, has_cases: bool) -> int | dict:
        return {"case": self.case, "option": self.option} if has_cases else self.option


@dataclass(frozen=True, slots=True)
class Reason:
    """Why the stars are what they are (or a notice about the answers), in stable terms."""

    code: str
    params: Mapping[str, Any]
    message: str

    def as_dict(self) -> dict:
        return {"code": self.code, "params": dict(self.params), "message": self.message}


def reason(code: str, **params: Any) -> Reason:
    return Reason(code, MappingProxyType(params), reason_text(code, params))


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    """A problem with the answers: a stable ``code`` and ``params`` (what surfaces word in the
    reader's language, ``ocop.criteria.messages.problem``) and the English ``message``."""

    code: str
    criterion: str | None
    message: str
    params: Mapping[str, Any] = field(default_factory=dict)


class AnswerError(ValueError):
    """The answers cannot be scored on this sheet; ``problems`` says where and why."""

    def __init__(self, problems: Iterable[AnswerProblem]):
        self.problems = tuple(problems)
        super().__init__("; ".join(p.message for p in self.problems))


@dataclass(frozen=True, slots=True)
class Unmet:
    """A criterion below its minimum for a number of stars."""

    criterion: str
    stars: int
    points: int
    minimum: int
    applies: bool


@dataclass(frozen=True, slots=True)
class CriterionResult:
    code: str
    part: str
    section: str
    points: int
    max_points: int
    status: str  # scored, not_applicable, not_evaluated
    choice: Choice | None


@dataclass(frozen=True, slots=True)
class SheetResult:
    set_code: str
    criteria: tuple[CriterionResult, ...]
    sections: Mapping[str, int]
    parts: Mapping[str, int]
    total: int
    max_total: int
    band_stars: int
    stars: int | None
    disqualified: bool
    stopped_at: str | None
    markers_cap_stars: bool
    recognised: bool
    unmet: Mapping[int, tuple[Unmet, ...]]
    reasons: tuple[Reason, ...]
    notices: tuple[Reason, ...] = ()
    answers: Mapping[str, Choice] = field(default_factory=dict)
    _by_code: Mapping[str, CriterionResult] = field(default_factory=dict, repr=False, compare=False)

    def criterion(self, code: str) -> CriterionResult:
        return self._by_code[nfc(code)]

    def points(self, code: str) -> int:
        return self._by_code[nfc(code)].points

    def as_dict(self) -> dict:
        """The summary printed by ``ocop score --format json`` and returned by the API."""
        return {
            "set": self.set_code,
            "parts": dict(self.parts),
            "total": self.total,
            "band_stars": self.band_stars,
            "stars": self.stars,
            "disqualified": self.disqualified,
            "reasons": [r.as_dict() for r in self.reasons],
        }


# --- bands -------------------------------------------------------------------------------------


def band(total: Number, bands: Mapping[int, int]) -> int:
    """Stars of the band ``total`` falls in: lower bound inclusive (70 -> 4, 69.99 -> 3)."""
    for star in sorted(bands, reverse=True):
        if total >= bands[star]:
            return star
    return 1


# --- answers -----------------------------------------------------------------------------------


def _choice_text(criterion: Criterion) -> str:
    cases = ", ".join(f"{b.position} {b.code}" for b in criterion.blocks)
    return f'criterion {criterion.code} has {len(criterion.blocks)} alternative cases ({cases}): answer {{"case": N, "option": M}}'


def parse_answers(criteria_set: CriteriaSet, raw: Mapping[str, Any]) -> dict[str, Choice]:
    """Check answers against the sheet; raise :class:`AnswerError` listing every problem.

    Only the form of each answer is checked here; which answers are required depends on
    conditions and gates and is checked by :func:`score`.
    """
    choices, problems = _parse_answers(criteria_set, raw)
    if problems:
        raise AnswerError(problems)
    return choices


def _parse_answers(
    criteria_set: CriteriaSet, raw: Mapping[str, Any]
) -> tuple[dict[str, Choice], list[AnswerProblem]]:
    problems: list[AnswerProblem] = []
    choices: dict[str, Choice] = {}
    if not isinstance(raw, Mapping):
        return {}, [AnswerProblem("malformed_answers", None, "answers must map criterion codes to options")]
    for key, value in raw.items():
        code = nfc(str(key))
        criterion = criteria_set.criterion(code)
        if criterion is None:
            problems.append(
                AnswerProblem(
                    "unknown_criterion",
                    code,
                    f"criterion {code} is not on sheet {criteria_set.code}",
                    {"sheet": criteria_set.code},
                )
            )
            continue
        choice = _parse_one(criteria_set, criterion, value, problems)
        if choice is not None:
            choices[criterion.code] = choice
    groups: dict[str, tuple[str, int]] = {}
    for criterion in criteria_set.criteria:
        choice = choices.get(criterion.code)
        if choice is None or criterion.case_group is None:
            continue
        first = groups.setdefault(criterion.case_group, (criterion.code, choice.case))
        if first[1] != choice.case:
            other = criteria_set.criterion(first[0])
            problems.append(
                AnswerProblem(
                    "case_group_mismatch",
                    criterion.code,
                    f"criterion {criterion.code} is answered for case {choice.case} "
                    f"({criterion.blocks[choice.case - 1].code}) but criterion {other.code} for case "
                    f"{first[1]} ({other.blocks[first[1] - 1].code}); a product is one or the other",
                    {
                        "case": choice.case,
                        "case_code": criterion.blocks[choice.case - 1].code,
                        "other": other.code,
                        "other_case": first[1],
                        "other_case_code": other.blocks[first[1] - 1].code,
                    },
                )
            )
    return choices, problems


def _parse_one(criteria_set: CriteriaSet, criterion: Criterion, value: Any, problems: list) -> Choice | None:
    code = criterion.code
    if isinstance(value, Choice):
        case, option = value.case, value.option
    elif isinstance(value, Mapping):
        if set(value) != {"case", "option"}:
            problems.append(
                AnswerProblem(
                    "malformed_answer",
                    code,
                    f'criterion {code}: answer {{"case": N, "option": M}}, got {value!r}',
                    {"value": repr(value)},
                )
            )
            return None
        case, option = value["case"], value["option"]
    elif criterion.has_cases and _is_int(value):
        cases = ", ".join(f"{b.position} {b.code}" for b in criterion.blocks)
        problems.append(AnswerProblem("case_required", code, _choice_text(criterion), {"cases": cases}))
        return None
    else:
        case, option = 1, value
    if not (_is_int(case) and _is_int(option)):
        problems.append(
            AnswerProblem(
                "malformed_answer",
                code,
                f"criterion {code}: positions must be whole numbers, got {value!r}",
                {"value": repr(value)},
            )
        )
        return None
    block = criterion.block(case)
    if block is None:
        if not criterion.has_cases:
            problems.append(
                AnswerProblem(
                    "unknown_case",
                    code,
                    f"criterion {code} has no alternative cases; got case {case}",
                    {"case": case, "cases": 1},
                )
            )
        else:
            problems.append(
                AnswerProblem(
                    "unknown_case",
                    code,
                    f"criterion {code} has cases 1 to {len(criterion.blocks)}; got case {case}",
                    {"case": case, "cases": len(criterion.blocks)},
                )
            )
        return None
    if option == 0:
        if criteria_set.none_option and not block.has_zero:
            return Choice(case, 0)
        why = (
            "it has a 0-point option; choose that one"
            if block.has_zero
            else "this set requires one of the options"
        )
        problems.append(
            AnswerProblem(
                "none_not_allowed",
                code,
                f"criterion {code}: option 0 (no option applies) is not allowed: {why}",
                {"has_zero": block.has_zero},
            )
        )
        return None
    if block.option(option) is None:
        where = f"criterion {code}" + (f", case {case} ({block.code})," if criterion.has_cases else "")
        elsewhere = [b for b in criterion.blocks if b is not block and b.option(option) is not None]
        if elsewhere:
            problems.append(
                AnswerProblem(
                    "option_not_in_case",
                    code,
                    f"{where} has options 1 to {len(block.options)}; option {option} belongs to case "
                    f"{elsewhere[0].position} ({elsewhere[0].code}), not to this one",
                    {"options": len(block.options), "option": option, "other_case": elsewhere[0].position},
                )
            )
        else:
            problems.append(
                AnswerProblem(
                    "unknown_option",
                    code,
                    f"{where} has options 1 to {len(block.options)}; got {option}",
                    {"options": len(block.options), "option": option},
                )
            )
        return None
    return Choice(case, option)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_checks(criteria_set: CriteriaSet, raw: Mapping[str, Any] | Iterable[str] | None) -> frozenset[str]:
    """The codes of the checks answered "yes". Accepts ``{"D1": true}`` or ``["D1"]``."""
    if raw is None:
        return frozenset()
    items = raw.items() if isinstance(raw, Mapping) else ((code, True) for code in raw)
    problems, yes = [], set()
    for code, value in items:
        code = nfc(str(code))
        if criteria_set.check(code) is None:
            known = ", ".join(c.code for c in criteria_set.checks) or "none"
            problems.append(
                AnswerProblem(
                    "unknown_check",
                    None,
                    f"check {code} is not on this sheet (checks: {known})",
                    {"check": code, "known": known},
                )
            )
        elif not isinstance(value, bool):
            problems.append(
                AnswerProblem(
                    "malformed_check",
                    None,
                    f"check {code} must be true or false, got {value!r}",
                    {"check": code, "value": repr(value)},
                )
            )
        elif value:
            yes.add(code)
    if problems:
        raise AnswerError(problems)
    return frozenset(yes)


# --- scoring -----------------------------------------------------------------------------------


def _points(criterion: Criterion, choice: Choice) -> int:
    if choice.option == 0:
        return 0
    return criterion.blocks[choice.case - 1].options[choice.option - 1].points


def points_given(criteria_set: CriteriaSet, answers: Mapping[str, Any]) -> int:
    """The points of the options ticked so far, as ticked: before conditions, gates and checks,
    and an answer that cannot be read counts nothing. The running figure of a sheet being filled
    in (and of one criterion, given one answer); :func:`score` gives the result."""
    choices, _problems = _parse_answers(criteria_set, answers)
    return sum(_points(criteria_set.criterion(code), choice) for code, choice in choices.items())


def minimum_for(criterion: Criterion, stars: int, choice: Choice | None) -> int | None:
    """The least points ``criterion`` must score for ``stars`` (None: no requirement)."""
    if choice is not None:
        return criterion.blocks[choice.case - 1].min_points_for_star.get(stars)
    required = [b.min_points_for_star[stars] for b in criterion.blocks if stars in b.min_points_for_star]
    return min(required) if required else None


def score(
    criteria_set: CriteriaSet,
    answers: Mapping[str, Any],
    checks: Mapping[str, Any] | Iterable[str] | None = None,
    *,
    markers_cap_stars: bool | None = None,
) -> SheetResult:
    """Score one sheet. Raises :class:`AnswerError` for answers that cannot be scored."""
    # Every problem is reported at once: malformed answers, unknown checks and missing answers.
    choices, problems = _parse_answers(criteria_set, answers)
    try:
        yes = parse_checks(criteria_set, checks)
    except AnswerError as exc:
        problems.extend(exc.problems)
        yes = frozenset()
    cap = criteria_set.markers_cap_stars if markers_cap_stars is None else markers_cap_stars
    answered = {nfc(str(code)) for code in answers} if isinstance(answers, Mapping) else set()

    results: list[CriterionResult] = []
    points_by_code: dict[str, int] = {}
    notices: list[Reason] = []
    stop: Reason | None = None
    stopped_at: str | None = None
    for criterion in criteria_set.criteria:
        choice = choices.get(criterion.code)
        if stopped_at is not None:
            if choice is not None:
                notices.append(
                    reason("answer_ignored_after_stop", criterion=criterion.code, stopped_at=stopped_at)
                )
            results.append(_result(criterion, 0, NOT_EVALUATED, None))
            continue
        condition = criterion.applies_if
        if condition is not None and points_by_code.get(condition.criterion, 0) < condition.at_least:
            if choice is not None:
                notices.append(
                    reason(
                        "answer_ignored_not_applicable",
                        criterion=criterion.code,
                        condition=condition.criterion,
                        at_least=condition.at_least,
                    )
                )
            points_by_code[criterion.code] = 0
            results.append(_result(criterion, 0, NOT_APPLICABLE, None))
        elif choice is None:
            if criterion.code not in answered:  # else its answer is malformed, already reported
                problems.append(
                    AnswerProblem(
                        "missing_answer", criterion.code, f"criterion {criterion.code} has no answer"
                    )
                )
            points_by_code[criterion.code] = 0
            results.append(_result(criterion, 0, SCORED, None))
        else:
            points = _points(criterion, choice)
            points_by_code[criterion.code] = points
            results.append(_result(criterion, points, SCORED, choice))
        points = points_by_code[criterion.code]
        # A gate counts only when its criterion was answered and applies (a missing answer is
        # reported, and the answers after it still checked).
        if (
            criterion.gate is not None
            and results[-1].choice is not None
            and points < criterion.gate.stops_below
        ):
            stopped_at = criterion.code
            stop = reason(
                "stopped_by_points",
                criterion=criterion.code,
                points=points,
                stops_below=criterion.gate.stops_below,
            )
        for check in criteria_set.checks_at(criterion.code, "stop"):
            if stopped_at is None and check.code in yes:
                stopped_at = criterion.code
                stop = reason("stopped_by_check", criterion=criterion.code, check=check.code, text=check.text)
    if problems:
        raise AnswerError(problems)

    sections = {s.code: 0 for s in criteria_set.sections}
    parts = {p.code: 0 for p in criteria_set.parts}
    for result in results:
        sections[result.section] += result.points
        parts[result.part] += result.points
    total = sum(parts.values())
    band_stars = band(total, criteria_set.bands)

    disqualifying = [c for c in criteria_set.checks if c.effect == "disqualify" and c.code in yes]
    reasons: list[Reason] = [
        reason("disqualified", check=c.code, text=c.text, criterion=c.criterion) for c in disqualifying
    ]
    if stop is not None:
        reasons.append(stop)

    unmet = _unmet(criteria_set, results, choices) if stopped_at is None else {s: () for s in MARKER_STARS}
    if disqualifying or stopped_at is not None:
        stars = None
    else:
        reached = 1
        for star in MARKER_STARS:
            if unmet[star]:
                break
            reached = star
        stars = min(band_stars, reached) if cap else band_stars
        # Each criterion is named once, at the lowest star it misses (its minimum for higher stars is
        # at least as high, so it misses those too).
        named: set[str] = set()
        for star in MARKER_STARS:
            if star > band_stars:
                break
            for miss in unmet[star]:
                if miss.criterion in named:
                    continue
                if cap and star > stars:
                    named.add(miss.criterion)
                    reasons.append(_unmet_reason(criteria_set, miss))
                elif not cap:
                    named.add(miss.criterion)
                    notices.append(
                        reason(
                            "star_minimum_ignored",
                            stars=star,
                            criterion=miss.criterion,
                            points=miss.points,
                            minimum=miss.minimum,
                        )
                    )
    by_code = {r.code: r for r in results}
    return SheetResult(
        set_code=criteria_set.code,
        criteria=tuple(results),
        sections=MappingProxyType(sections),
        parts=MappingProxyType(parts),
        total=total,
        max_total=criteria_set.max_total,
        band_stars=band_stars,
        stars=stars,
        disqualified=bool(disqualifying),
        stopped_at=stopped_at,
        markers_cap_stars=cap,
        recognised=stars is not None and stars >= criteria_set.recognised_from_stars,
        unmet=MappingProxyType(unmet),
        reasons=tuple(reasons),
        notices=tuple(notices),
        answers=MappingProxyType(choices),
        _by_code=MappingProxyType(by_code),
    )


def _result(criterion: Criterion, points: int, status: str, choice: Choice | None) -> CriterionResult:
    return CriterionResult(
        code=criterion.code,
        part=criterion.part,
        section=criterion.section,
        points=points,
        max_points=criterion.max_points,
        status=status,
        choice=choice,
    )


def _unmet(
    criteria_set: CriteriaSet, results: list[CriterionResult], choices: Mapping[str, Choice]
) -> dict[int, tuple[Unmet, ...]]:
    unmet: dict[int, list[Unmet]] = {star: [] for star in MARKER_STARS}
    for criterion, result in zip(criteria_set.criteria, results, strict=True):
        if not criterion.has_markers:
            continue
        applies = result.status == SCORED
        choice = result.choice if applies else None
        for star in MARKER_STARS:
            minimum = minimum_for(criterion, star, choice)
            if minimum is not None and (not applies or result.points < minimum):
                unmet[star].append(Unmet(criterion.code, star, result.points, minimum, applies))
    return {star: tuple(items) for star, items in unmet.items()}


def _unmet_reason(criteria_set: CriteriaSet, miss: Unmet) -> Reason:
    if miss.applies:
        return reason(
            "below_star_minimum",
            stars=miss.stars,
            criterion=miss.criterion,
            points=miss.points,
            minimum=miss.minimum,
        )
    condition = criteria_set.criterion(miss.criterion).applies_if
    return reason(
        "star_minimum_not_applicable",
        stars=miss.stars,
        criterion=miss.criterion,
        minimum=miss.minimum,
        condition=condition.criterion,
        at_least=condition.at_least,
    )


# --- words -------------------------------------------------------------------------------------


def reason_text(code: str, params: Mapping[str, Any]) -> str:
    """The English sentence for a reason code and its parameters; the only place they are worded."""
    p = dict(params)
    match code:
        case "below_star_minimum":
            return (
                f"Not {p['stars']} stars: criterion {p['criterion']} scores {p['points']}, "
                f"below the {p['stars']}-star minimum of {p['minimum']}."
            )
        case "star_minimum_not_applicable":
            return (
                f"Not {p['stars']} stars: criterion {p['criterion']} does not apply (criterion {p['condition']} "
                f"scores below {p['at_least']}), so its {p['stars']}-star minimum of {p['minimum']} is not met."
            )
        case "star_minimum_ignored":
            return (
                f"Criterion {p['criterion']} scores {p['points']}, below the {p['stars']}-star minimum of "
                f"{p['minimum']}; this set does not cap stars by its markers."
            )
        case "stopped_by_points":
            return (
                f"Evaluation stopped at criterion {p['criterion']}: it scores {p['points']}, below "
                f"{p['stops_below']}; the criteria after it are not evaluated and there are no stars."
            )
        case "stopped_by_check":
            return (
                f"Evaluation stopped after criterion {p['criterion']}: {p['check']} ({p['text']}); "
                "the criteria after it are not evaluated and there are no stars."
            )
        case "disqualified":
            return f"Disqualified: {p['check']} ({p['text']})."
        case "answer_ignored_not_applicable":
            return (
                f"The answer to criterion {p['criterion']} is ignored: it applies only when criterion "
                f"{p['condition']} scores at least {p['at_least']}."
            )
        case "answer_ignored_after_stop":
            return (
                f"The answer to criterion {p['criterion']} is ignored: the evaluation stopped at "
                f"criterion {p['stopped_at']}."
            )
        case "quorum_not_met":
            return f"No quorum: {p['present']} of {p['members']} members scored, {p['required']} are needed."
        case "chair_absent":
            return "No quorum: the chair has not scored."
        case "spread_over_limit":
            criteria = ", ".join(p["criteria"]) or "none"
            return (
                f"Members' totals differ by {p['spread']} points, more than the {p['limit']} allowed: "
                f"{', '.join(p['high_members'])} (highest) and {', '.join(p['low_members'])} (lowest); "
                f"agreeing on criteria {criteria} would bring it within the limit. The members discuss and "
                "score again."
            )
        case "member_sheet":
            return f"Sheet of {p['member']}: {p['reason']}"
        case "council_below_star_minimum":
            return (
                f"Not {p['stars']} stars: the members' sheets do not reach the {p['stars']}-star minimum "
                f"of criterion {p['criterion']} ({p['basis']} of the sheets)."
            )
    raise ValueError(f"unknown reason code {code!r}")
