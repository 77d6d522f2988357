"""Opening hours as shops write them, shown per language and published for schema.org."""

import pytest

from ocop.market import hours


@pytest.mark.parametrize(
    ("text", "vi", "schema"),
    [
        (
            "T2-T6 7:30-21:00; T7, CN 8h-12h, 13h30-17h",
            ["T2-T6: 07:30-21:00", "T7, CN: 08:00-12:00, 13:30-17:00"],
            ["Mo-Fr 07:30-21:00", "Sa,Su 08:00-12:00", "Sa,Su 13:30-17:00"],
        ),
        ("Thứ 2 - Thứ 6: 8:00-17:00", ["T2-T6: 08:00-17:00"], ["Mo-Fr 08:00-17:00"]),
        ("Hằng ngày 7:00-22:00", ["Hằng ngày: 07:00-22:00"], ["Mo-Su 07:00-22:00"]),
        ("hang ngay 7-22", ["Hằng ngày: 07:00-22:00"], ["Mo-Su 07:00-22:00"]),
        (
            "Mon-Fri 08:00-21:00\nSun 9-12",
            ["T2-T6: 08:00-21:00", "CN: 09:00-12:00"],
            ["Mo-Fr 08:00-21:00", "Su 09:00-12:00"],
        ),
        ("24/7", ["Hằng ngày: 00:00-24:00"], ["Mo-Su 00:00-24:00"]),
        ("", [], []),
    ],
)
def test_hours_are_read_in_either_language(text, vi, schema):
    rules = hours.parse(text)
    assert hours.describe(rules, "vi") == vi
    assert hours.to_schema(rules) == schema
    # What is shown for editing reads back the same.
    assert hours.parse(hours.to_text(rules)) == rules
    assert hours.from_json(hours.to_json(rules)) == rules


def test_english_labels():
    assert hours.describe(hours.parse("T2-T7 7-21; CN 8-12"), "en") == [
        "Mon-Sat: 07:00-21:00",
        "Sun: 08:00-12:00",
    ]


@pytest.mark.parametrize(
    ("text", "code"), [("T9 8-17", "bad_day"), ("abc", "no_time"), ("T2 25:00-26:00", "bad_time")]
)
def test_what_is_not_hours_is_refused_with_its_reason(text, code):
    with pytest.raises(hours.HoursError) as caught:
        hours.parse(text)
    assert caught.value.code == code


def test_open_now_follows_ranges_past_midnight():
    night = hours.parse("T6 18:00-02:00")  # Friday evening into Saturday
    assert hours.is_open(night, 4, 19 * 60)
    assert hours.is_open(night, 5, 60)
    assert not hours.is_open(night, 5, 3 * 60)
    assert not hours.is_open(night, 3, 19 * 60)
