"""Progress towards a target: on track or behind, by how much, and the pace still needed.

A pure core (no Django): numbers and dates in, a :class:`Progress` out.

The expected value on a day moves in a straight line from where the measure stood when the
period opened (the *baseline*) to the target on the period's last day; a target is on track
when the actual value has reached the expected one. Paces are per quarter, the rhythm in
which officials report: what was gained per quarter so far, and what is needed per quarter
for the rest of the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

NOT_STARTED, ACHIEVED, ON_TRACK, BEHIND, MISSED = "not_started", "achieved", "on_track", "behind", "missed"
DAYS_PER_QUARTER = Decimal("91.3125")  # 365.25 / 4
CENT = Decimal("0.01")


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Progress:
    status: str
    target: Decimal
    actual: Decimal
    baseline: Decimal
    expected: Decimal  # where a straight line from the baseline to the target stands on the day
    gap: Decimal  # still to gain to reach the target (0 once reached)
    behind_by: Decimal  # expected - actual when behind, else 0
    elapsed: Decimal  # share of the period gone, 0..1
    quarters_left: Decimal
    pace_so_far: Decimal | None  # gained per quarter since the period opened
    pace_needed: (
        Decimal | None
    )  # per quarter for the rest of the period; None when nothing is needed or no time is left

    @property
    def percent_of_target(self) -> Decimal:
        if not self.target:
            return Decimal(100)
        return _round(Decimal(100) * self.actual / self.target)


def assess(
    *, target: Decimal, actual: Decimal, baseline: Decimal, start: date, end: date, day: date
) -> Progress:
    """Where ``actual`` on ``day`` stands against ``target`` for the period ``start``..``end``
    (both inclusive), having stood at ``baseline`` when the period opened."""
    if end < start:
        raise ValueError("the period ends before it starts")
    target, actual, baseline = Decimal(target), Decimal(actual), Decimal(baseline)
    length = (end - start).days + 1
    gone = min(max((day - start).days + 1, 0), length)
    elapsed = Decimal(gone) / Decimal(length)
    remaining_days = max((end - day).days, 0)
    quarters_left = _round(Decimal(remaining_days) / DAYS_PER_QUARTER)
    climb = max(target - baseline, Decimal(0))
    expected = _round(baseline + climb * elapsed) if climb else target
    gap = max(target - actual, Decimal(0))
    quarters_gone = Decimal(gone) / DAYS_PER_QUARTER
    pace_so_far = _round((actual - baseline) / quarters_gone) if gone else None
    pace_needed = _round(gap / quarters_left) if gap and quarters_left > 0 else None

    if day < start:
        status = NOT_STARTED
    elif actual >= target:
        status = ACHIEVED
    elif day > end:
        status = MISSED
    elif actual >= expected:
        status = ON_TRACK
    else:
        status = BEHIND
    return Progress(
        status=status,
        target=target,
        actual=actual,
        baseline=baseline,
        expected=expected,
        gap=_round(gap),
        behind_by=_round(expected - actual)
        if status in (BEHIND, MISSED) and expected > actual
        else Decimal(0),
        elapsed=_round(elapsed),
        quarters_left=quarters_left,
        pace_so_far=pace_so_far,
        pace_needed=pace_needed,
    )
