"""Progress towards a target: the pure core, by example and by property."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ocop.monitoring.progress import ACHIEVED, BEHIND, MISSED, NOT_STARTED, ON_TRACK, assess

START, END = date(2021, 1, 1), date(2025, 12, 31)


def test_halfway_through_a_five_year_period_half_the_climb_is_expected():
    p = assess(target=10_000, actual=7_000, baseline=5_000, start=START, end=END, day=date(2023, 7, 2))
    assert p.elapsed == Decimal("0.50")
    assert p.expected == Decimal("7500.00")  # 5,000 + 5,000 x 913/1826 days
    assert p.status == BEHIND
    assert p.behind_by == Decimal("500.00")
    assert p.gap == 3000
    # 913 days left are 10.00 quarters: 3,000 still to gain is 300 a quarter
    assert p.quarters_left == Decimal("10.00")
    assert p.pace_needed == Decimal("300.00")
    assert p.pace_so_far == Decimal("200.03")  # 2,000 gained over the 9.998 quarters gone


def test_reaching_the_target_early_is_achieved_and_needs_no_pace():
    p = assess(target=400, actual=401, baseline=42, start=START, end=END, day=date(2024, 1, 1))
    assert (p.status, p.gap, p.behind_by, p.pace_needed) == (ACHIEVED, 0, 0, None)


def test_after_the_period_a_target_not_reached_is_missed_by_the_whole_gap():
    p = assess(target=50, actual=Decimal("41.5"), baseline=30, start=START, end=END, day=date(2026, 3, 1))
    assert p.status == MISSED
    assert p.expected == 50
    assert p.behind_by == Decimal("8.50")
    assert p.quarters_left == 0 and p.pace_needed is None


def test_before_the_period_nothing_is_expected_yet():
    p = assess(
        target=30, actual=0, baseline=0, start=date(2027, 1, 1), end=date(2027, 12, 31), day=date(2026, 6, 1)
    )
    assert p.status == NOT_STARTED
    assert p.elapsed == 0 and p.expected == 0


def test_ahead_of_the_line_is_on_track():
    p = assess(target=100, actual=60, baseline=0, start=START, end=END, day=date(2023, 7, 2))
    assert p.status == ON_TRACK and p.behind_by == 0


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError):
        assess(target=1, actual=0, baseline=0, start=END, end=START, day=END)


days = st.dates(min_value=date(2019, 1, 1), max_value=date(2031, 12, 31))
amounts = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)


@given(target=amounts, actual=amounts, baseline=amounts, start=days, length=st.integers(0, 3000), day=days)
def test_properties(target, actual, baseline, start, length, day):
    end = start + timedelta(days=length)
    p = assess(target=target, actual=actual, baseline=baseline, start=start, end=end, day=day)
    assert 0 <= p.elapsed <= 1
    assert p.gap == max(target - actual, Decimal(0)).quantize(Decimal("0.01"))
    if day < start:
        assert p.status == NOT_STARTED
    elif actual >= target:
        assert p.status == ACHIEVED and p.pace_needed is None
    elif day > end:
        assert p.status == MISSED and p.behind_by == (target - actual).quantize(Decimal("0.01"))
    else:
        assert p.status in (ON_TRACK, BEHIND)
        assert (p.status == ON_TRACK) == (actual >= p.expected)
        # The expected value lies between where the period started and the target.
        assert (
            min(baseline, target) - Decimal("0.01") <= p.expected <= max(baseline, target) + Decimal("0.01")
        )
    if p.status == BEHIND:
        assert p.behind_by > 0
