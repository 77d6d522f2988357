"""The evaluation processes as data: the round's date chooses the process; levels, thresholds
and documents come from the file."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from ocop.evaluation import process


@pytest.mark.parametrize(
    ("day", "code", "levels", "commune_check"),
    [
        (date(2019, 8, 21), "1048", ["district", "province", "central"], False),
        (date(2023, 2, 23), "1048", ["district", "province", "central"], False),
        (date(2023, 2, 24), "148", ["district", "province", "central"], False),
        (date(2025, 7, 5), "148", ["district", "province", "central"], False),
        (date(2025, 7, 6), "1489", ["province", "central"], True),
        (date(2026, 11, 23), "1489", ["province", "central"], True),
    ],
)
def test_the_date_chooses_the_process(day, code, levels, commune_check):
    found = process.process_on(day)
    assert (found.code, [r.level for r in found.levels], found.commune_check) == (code, levels, commune_check)


def test_no_process_before_the_first():
    with pytest.raises(process.ProcessError):
        process.process_on(date(2018, 1, 1))


@pytest.mark.parametrize(
    ("code", "level", "score", "stars", "expected"),
    [
        ("1489", "province", 92, 5, (4, "central")),  # recognised 4 stars and proposed to the central round
        ("1489", "province", Decimal("89.99"), 4, (4, None)),
        ("1489", "province", 55, 3, (3, None)),
        ("1489", "province", 45, 2, (None, None)),
        ("1489", "province", 95, None, (None, None)),  # disqualified or stopped: nothing
        ("1489", "central", 91, 5, (5, None)),
        ("1489", "central", 85, 4, (None, None)),  # the central round recognises 5 stars only
        ("148", "district", 65, 3, (3, None)),
        ("148", "district", 70, 4, (None, "province")),  # forwarded from 70, not recognised at district
        ("148", "province", 80, 4, (4, None)),
        ("148", "province", 92, 5, (4, "central")),
        ("1048", "district", 55, 3, (None, "province")),  # the district only screens
    ],
)
def test_outcome_of_a_final_result(code, level, score, stars, expected):
    outcome = process.outcome(process.process_by_code(code), level, score, stars)
    assert (outcome.stars, outcome.forward_to) == expected


def test_documents_depend_on_the_process_and_the_product_group():
    rules = process.process_by_code("1489")
    assert rules.required_documents("food") == (
        "registration_form",
        "business_registration",
        "food_safety",
        "quality_declaration",
    )
    assert "food_safety" not in rules.required_documents("handicraft")
    assert process.process_by_code("1048").required_documents("tourism") == (
        "registration_form",
        "business_plan",
        "business_registration",
    )


def test_a_malformed_file_is_refused_with_the_reason():
    good = process.DEFAULT_PATH.read_text(encoding="utf-8")
    with pytest.raises(process.ProcessError, match="unknown level 'county'"):
        process.load(good.replace("{level: district, stars: [3]", "{level: county, stars: [3]"))
    with pytest.raises(process.ProcessError, match="overlap"):
        process.load(good.replace("effective_until: 2025-07-05", "effective_until: 2025-07-20"))
    with pytest.raises(process.ProcessError, match="the top level cannot forward"):
        process.load(
            good.replace(
                "{level: central, stars: [5], forward_from: null",
                "{level: central, stars: [5], forward_from: 95",
            )
        )
