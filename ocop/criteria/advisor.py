"""The upgrade advisor: the smallest sets of criterion improvements that reach the next star.

A pure core: no Django. From a scored sheet, :func:`advise` finds the plans with the **fewest
criteria changed** that make the engine give the target star (the next one by default), and among
those the ones that **gain the fewest points** (the smallest steps), each criteria set once, at its
smallest options. Every plan is applied to the answers and scored by :func:`engine.score` before
it is returned, so "what the advisor promises" is "what the engine gives".

Rules it respects:

* Only a criterion's own higher options count, within the case it was answered for (the case is a
  fact about the producer, not an improvement). Bonus criteria (a woman / ethnic-minority legal
  representative) are not suggested. Options giving the same points are one step.
* With ``markers_cap_stars`` on, every criterion below its minimum for the target star *must* be
  raised at least to that minimum; without it, markers do not bind.
* A criterion that applies only under a condition (5.b "only if the product has a story") can be
  raised only together with the criterion of its condition; once it applies it scores its answer
  (or its lowest option if it had none, which the plan writes into the answers without counting
  it as an improvement).
* Sheets stopped by a gate or disqualified get no plans: the reasons say what blocks them.

Algorithm (exact, bounded). The criteria become *units*: one per criterion, or one per criterion
whose condition is unmet together with its dependents. Each unit has a short list of *choices*
(stay, or each higher option; for a condition group, the combinations), each with the number of
criteria it changes and the points it gains. A table ``reach[i][c]`` — a bitset of the gains that
units ``i..`` can add with exactly ``c`` changes — is filled from the last unit to the first
(``units x changes x choices`` bit operations, at most a few thousand on a real sheet). The least
``c`` whose bitset has a gain at or above the points needed is the minimum number of changes. Plans
are then enumerated for that ``c`` and gains in increasing order by a depth-first walk that only
enters branches the table proves feasible, so every leaf is a plan and the walk stops after
``limit`` distinct criteria sets (or ``MAX_STEPS`` steps, reported as ``complete=False``).
Measured: a few milliseconds per sheet on the real sheets (``bench/bench_criteria.py``).

Public API: :func:`advise` -> :class:`Advice` (with :class:`Plan` and :class:`Improvement`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product
from typing import Any

from . import engine
from .engine import NOT_APPLICABLE, Choice, Reason, SheetResult
from .schema import CriteriaSet, Criterion

MAX_STEPS = 200_000
DEFAULT_LIMIT = 5


@dataclass(frozen=True, slots=True)
class Improvement:
    """Raise one criterion from one option to a higher one."""

    criterion: str
    case: int
    from_option: int | None  # None when the criterion did not apply before
    to_option: int
    from_points: int
    to_points: int
    required: bool  # below its minimum for the target star: every plan raises it

    @property
    def gain(self) -> int:
        return self.to_points - self.from_points

    def as_dict(self) -> dict:
        return {
            "criterion": self.criterion,
            "case": self.case,
            "from_option": self.from_option,
            "to_option": self.to_option,
            "from_points": self.from_points,
            "to_points": self.to_points,
            "gain": self.gain,
            "required": self.required,
        }


@dataclass(frozen=True, slots=True)
class Plan:
    improvements: tuple[Improvement, ...]
    gain: int
    total: int  # the total after the plan
    stars: int  # the stars the engine gives after the plan
    answers: Mapping[str, Choice] = field(repr=False)  # the whole sheet after the plan

    def as_dict(self, criteria_set: CriteriaSet) -> dict:
        return {
            "improvements": [i.as_dict() for i in self.improvements],
            "gain": self.gain,
            "total": self.total,
            "stars": self.stars,
            "answers": {
                code: choice.as_json(criteria_set.criterion(code).has_cases)
                for code, choice in self.answers.items()
            },
        }


@dataclass(frozen=True, slots=True)
class Advice:
    set_code: str
    total: int
    stars: int | None
    target_stars: int | None
    points_needed: int  # to reach the target's band
    criteria_needed: int | None  # the fewest criteria any plan changes; None: unreachable
    plans: tuple[Plan, ...]
    complete: bool  # False when more plans of the same size exist than were returned
    blocked_by: tuple[Reason, ...] = ()  # gate or disqualification: no plans

    def as_dict(self, criteria_set: CriteriaSet) -> dict:
        return {
            "set": self.set_code,
            "total": self.total,
            "stars": self.stars,
            "target_stars": self.target_stars,
            "points_needed": self.points_needed,
            "criteria_needed": self.criteria_needed,
            "plans": [p.as_dict(criteria_set) for p in self.plans],
            "complete": self.complete,
            "blocked_by": [r.as_dict() for r in self.blocked_by],
        }


@dataclass(frozen=True, slots=True)
class _Choice:
    count: int
    gain: int
    improvements: tuple[Improvement, ...]
    assumed: tuple[tuple[str, Choice], ...] = ()  # answers written, not counted


def advise(
    criteria_set: CriteriaSet,
    answers: Mapping[str, Any],
    checks: Mapping[str, Any] | Iterable[str] | None = None,
    *,
    target_stars: int | None = None,
    limit: int = DEFAULT_LIMIT,
    markers_cap_stars: bool | None = None,
) -> Advice:
    """Plans reaching ``target_stars`` (default: one more than the sheet has now).

    Raises :class:`engine.AnswerError` for invalid answers, ``ValueError`` for a target that is
    not above the current stars or not a star.
    """
    result = engine.score(criteria_set, answers, checks, markers_cap_stars=markers_cap_stars)
    if result.stars is None:
        return Advice(result.set_code, result.total, None, None, 0, None, (), True, result.reasons)
    if target_stars is None:
        if result.stars >= 5:
            return Advice(result.set_code, result.total, result.stars, None, 0, 0, (), True)
        target_stars = result.stars + 1
    if target_stars not in (2, 3, 4, 5) or target_stars <= result.stars:
        raise ValueError(f"target_stars must be above the current {result.stars} stars and at most 5")
    if limit < 1:
        raise ValueError("limit must be at least 1")

    needed = max(0, criteria_set.bands[target_stars] - result.total)
    units = _units(criteria_set, result, target_stars)
    reach = _reach_table(units)
    counts = [c for c in range(len(reach[0])) if reach[0][c] >> needed]
    if not counts:
        return Advice(result.set_code, result.total, result.stars, target_stars, needed, None, (), True)
    fewest = counts[0]
    found, complete = _enumerate(units, reach, fewest, needed, limit)

    plans = []
    base = dict(result.answers)
    for picks in found:
        new_answers = dict(base)
        improvements = []
        for choice in picks:
            improvements.extend(choice.improvements)
            new_answers.update(choice.assumed)
        for improvement in improvements:
            new_answers[improvement.criterion] = Choice(improvement.case, improvement.to_option)
        after = engine.score(criteria_set, new_answers, checks, markers_cap_stars=markers_cap_stars)
        if after.stars is None or after.stars < target_stars:  # pragma: no cover - the table says otherwise
            raise AssertionError(f"advisor plan {improvements} does not reach {target_stars} stars")
        improvements.sort(key=lambda i: criteria_set.criterion(i.criterion).position)
        plans.append(
            Plan(
                improvements=tuple(improvements),
                gain=after.total - result.total,
                total=after.total,
                stars=after.stars,
                answers=dict(
                    sorted(new_answers.items(), key=lambda kv: criteria_set.criterion(kv[0]).position)
                ),
            )
        )
    plans.sort(key=lambda p: (p.gain, [criteria_set.criterion(i.criterion).position for i in p.improvements]))
    return Advice(
        set_code=result.set_code,
        total=result.total,
        stars=result.stars,
        target_stars=target_stars,
        points_needed=needed,
        criteria_needed=fewest,
        plans=tuple(plans),
        complete=complete,
    )


# --- units and their choices -------------------------------------------------------------------


def _floor(criterion: Criterion, target: int, case: int | None, cap: bool) -> int | None:
    if not cap:
        return None
    if case is not None:
        return criterion.blocks[case - 1].min_points_for_star.get(target)
    return engine.minimum_for(criterion, target, None)


def _raises(criterion: Criterion, case: int, above: int, floor: int | None) -> list[tuple[int, int]]:
    """(position, points) of the options worth moving to: above ``above``, at least ``floor``,
    one per points value (the first printed)."""
    seen, out = set(), []
    for option in criterion.blocks[case - 1].options:
        if option.points > above and (floor is None or option.points >= floor) and option.points not in seen:
            seen.add(option.points)
            out.append((option.position, option.points))
    return out


def _single(criterion: Criterion, result: SheetResult, target: int, cap: bool) -> list[_Choice]:
    current = result.criterion(criterion.code)
    choice = current.choice
    floor = _floor(criterion, target, choice.case, cap)
    below = floor is not None and current.points < floor
    choices = []
    if not criterion.bonus:  # a bonus is a fact about the producer, not something to improve
        for position, points in _raises(criterion, choice.case, current.points, floor):
            improvement = Improvement(
                criterion.code, choice.case, choice.option, position, current.points, points, below
            )
            choices.append(_Choice(1, points - current.points, (improvement,)))
    # Raises first: among plans of equal size and gain, the walk then finds those that change
    # criteria earlier on the sheet first.
    return choices if below else [*choices, _Choice(0, 0, ())]


def _group(
    parent: Criterion,
    dependents: list[Criterion],
    result: SheetResult,
    target: int,
    cap: bool,
) -> list[_Choice]:
    """A criterion whose dependents do not apply now, with those dependents."""
    current = result.criterion(parent.code)
    choice = current.choice
    parent_floor = _floor(parent, target, choice.case, cap)
    parent_targets: list[tuple[int | None, int]] = []
    if not parent.bonus:
        parent_targets += _raises(parent, choice.case, current.points, parent_floor)
    if parent_floor is None or current.points >= parent_floor:
        parent_targets.append((None, current.points))
    choices: list[_Choice] = []
    for position, points in parent_targets:
        parent_moves = ()
        if position is not None:
            below = parent_floor is not None and current.points < parent_floor
            parent_moves = (
                Improvement(parent.code, choice.case, choice.option, position, current.points, points, below),
            )
        per_dependent: list[list[_Choice]] = []
        feasible = True
        for dependent in dependents:
            options = _dependent_choices(dependent, points, result, target, cap)
            if not options:
                feasible = False
                break
            per_dependent.append(options)
        if not feasible:
            continue
        for combo in product(*per_dependent):
            choices.append(
                _Choice(
                    count=len(parent_moves) + sum(c.count for c in combo),
                    gain=(points - current.points) + sum(c.gain for c in combo),
                    improvements=parent_moves + tuple(i for c in combo for i in c.improvements),
                    assumed=tuple(a for c in combo for a in c.assumed),
                )
            )
    return choices


def _dependent_choices(
    dependent: Criterion, parent_points: int, result: SheetResult, target: int, cap: bool
) -> list[_Choice]:
    """A dependent that does not apply now, once its condition's criterion scores ``parent_points``."""
    condition = dependent.applies_if
    given = result.answers.get(dependent.code)
    if parent_points < condition.at_least:
        # Still does not apply: fine only when it has no minimum for the target.
        return (
            []
            if _floor(dependent, target, given.case if given else None, cap) is not None
            else [_Choice(0, 0, ())]
        )
    case = given.case if given is not None else 1
    if given is not None:
        base_option = given.option
        base_points = 0 if given.option == 0 else dependent.blocks[case - 1].options[given.option - 1].points
        assumed: tuple = ()
    else:
        lowest = min(dependent.blocks[case - 1].options, key=lambda o: (o.points, o.position))
        base_option, base_points = lowest.position, lowest.points
        assumed = ((dependent.code, Choice(case, base_option)),)
    floor = _floor(dependent, target, case, cap)
    required = floor is not None and base_points < floor
    choices = [
        _Choice(1, points, (Improvement(dependent.code, case, None, position, 0, points, required),))
        for position, points in ([] if dependent.bonus else _raises(dependent, case, base_points, floor))
    ]
    return choices if required else [*choices, _Choice(0, base_points, (), assumed)]


def _units(criteria_set: CriteriaSet, result: SheetResult, target: int) -> list[list[_Choice]]:
    cap = result.markers_cap_stars
    waiting: dict[str, list[Criterion]] = {}
    for criterion in criteria_set.criteria:
        if result.criterion(criterion.code).status == NOT_APPLICABLE:
            waiting.setdefault(criterion.applies_if.criterion, []).append(criterion)
    units = []
    for criterion in criteria_set.criteria:
        if result.criterion(criterion.code).status == NOT_APPLICABLE:
            continue  # in its condition's unit
        if criterion.code in waiting:
            units.append(_group(criterion, waiting[criterion.code], result, target, cap))
        else:
            units.append(_single(criterion, result, target, cap))
    return units


# --- the search --------------------------------------------------------------------------------


def _reach_table(units: list[list[_Choice]]) -> list[list[int]]:
    """reach[i][c]: bitset of the gains units i.. can add with exactly c counted changes."""
    most = sum(max((c.count for c in unit), default=0) for unit in units)
    reach = [[0] * (most + 1) for _ in range(len(units) + 1)]
    reach[len(units)][0] = 1
    for i in range(len(units) - 1, -1, -1):
        row, after = reach[i], reach[i + 1]
        for choice in units[i]:
            for c in range(choice.count, most + 1):
                if after[c - choice.count]:
                    row[c] |= after[c - choice.count] << choice.gain
    return reach


def _enumerate(
    units: list[list[_Choice]], reach: list[list[int]], count: int, needed: int, limit: int
) -> tuple[list[tuple[_Choice, ...]], bool]:
    """Plans with exactly ``count`` changes, by increasing gain; one per set of changed criteria."""
    top = reach[0][count].bit_length() - 1
    found: list[tuple[_Choice, ...]] = []
    seen: set[frozenset[str]] = set()
    steps = 0
    complete = True

    def walk(i: int, c: int, g: int, picked: list[_Choice]) -> bool:
        nonlocal steps, complete
        steps += 1
        if steps > MAX_STEPS:
            complete = False
            return True
        if i == len(units):
            key = frozenset(imp.criterion for choice in picked for imp in choice.improvements)
            if key not in seen:
                seen.add(key)
                if len(found) == limit:
                    complete = False  # there is at least one more
                    return True
                found.append(tuple(picked))
            return False
        after = reach[i + 1]
        for choice in units[i]:
            rest_c, rest_g = c - choice.count, g - choice.gain
            if rest_c < 0 or rest_g < 0 or not (after[rest_c] >> rest_g) & 1:
                continue
            picked.append(choice)
            stop = walk(i + 1, rest_c, rest_g, picked)
            picked.pop()
            if stop:
                return True
        return False

    for gain in range(needed, top + 1):
        if (reach[0][count] >> gain) & 1 and walk(0, count, gain, []):
            break
    return found, complete
