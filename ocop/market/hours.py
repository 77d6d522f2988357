"""Opening hours of points of sale, typed the way shops write them. A pure core.

Accepted (Vietnamese or English, with or without diacritics, case-insensitive):

    T2-T6 7:30-21:00; T7, CN 8h-12h, 13h30-17h
    Thứ 2 - Thứ 6: 8:00-17:00
    Hằng ngày 7:00-22:00        Daily 7-22        Mon-Fri 08:00-21:00        24/7

Rules are separated by ";" or new lines; each is days then one or more time ranges. A range
ending at or before its start runs past midnight. The result is a list of :class:`Rule`, stored
as JSON (:func:`to_json`), shown per language (:func:`describe`) and published in schema.org's
``openingHours`` form (:func:`to_schema`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ocop.vntext import fold

DAY_CODES = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
DAY_NAMES = {
    "vi": ["T2", "T3", "T4", "T5", "T6", "T7", "CN"],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}
EVERY_DAY = {"vi": "Hằng ngày", "en": "Every day"}

# Folded day words -> weekday (0 = Monday).
_DAY_WORDS = {
    **{f"t{n}": n - 2 for n in range(2, 8)},
    **{f"thu {n}": n - 2 for n in range(2, 8)},
    **{f"thu{n}": n - 2 for n in range(2, 8)},
    "thu hai": 0,
    "thu ba": 1,
    "thu tu": 2,
    "thu nam": 3,
    "thu sau": 4,
    "thu bay": 5,
    "cn": 6,
    "chu nhat": 6,
    **{name.lower(): i for i, name in enumerate(DAY_NAMES["en"])},
    **{code.lower(): i for i, code in enumerate(DAY_CODES)},
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_ALL_DAYS = {"hang ngay", "moi ngay", "ca tuan", "daily", "every day", "everyday", "all week"}
_TIME = re.compile(r"^(\d{1,2})(?:[:h.](\d{2})?)?$")


class HoursError(ValueError):
    """Text that is not opening hours; ``code`` says why, ``fragment`` where."""

    def __init__(self, code: str, fragment: str):
        super().__init__(f"{code}: {fragment}")
        self.code = code
        self.fragment = fragment


@dataclass(frozen=True)
class Rule:
    days: tuple[int, ...]  # weekdays, 0 = Monday
    opens: int  # minutes after midnight
    closes: int  # minutes after midnight; may exceed 1440 (past midnight)

    def as_dict(self) -> dict:
        return {"days": list(self.days), "opens": _hhmm(self.opens), "closes": _hhmm(self.closes)}


def _hhmm(minutes: int) -> str:
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(text: str, fragment: str) -> int:
    match = _TIME.match(text.strip())
    if not match:
        raise HoursError("bad_time", fragment)
    hours, mins = int(match.group(1)), int(match.group(2) or 0)
    if hours > 24 or mins > 59 or (hours == 24 and mins):
        raise HoursError("bad_time", fragment)
    return hours * 60 + mins


def _day(word: str, fragment: str) -> int:
    key = re.sub(r"\s+", " ", word.strip())
    if key in _DAY_WORDS:
        return _DAY_WORDS[key]
    raise HoursError("bad_day", fragment)


def _days(text: str, fragment: str) -> tuple[int, ...]:
    text = text.strip()
    if not text or text in _ALL_DAYS:
        return tuple(range(7))
    days: list[int] = []
    for part in re.split(r",|\bva\b|\band\b|&", text):
        part = part.strip()
        if not part:
            continue
        ends = re.split(r"\s*(?:-|\bden\b|\bto\b)\s*", part)
        if len(ends) == 1:
            days.append(_day(ends[0], fragment))
        elif len(ends) == 2:
            start, end = _day(ends[0], fragment), _day(ends[1], fragment)
            span = (end - start) % 7
            days.extend((start + i) % 7 for i in range(span + 1))
        else:
            raise HoursError("bad_day", fragment)
    return tuple(sorted(set(days)))


def _rule_parts(rule: str) -> tuple[str, list[str]]:
    """Split "t2 - t6: 7:30-11:00, 13:00-17:00" into its days and its time ranges."""
    time_range = r"\d{1,2}(?:[:h.]\d{2}|h)?\s*(?:-|den|to)\s*\d{1,2}(?:[:h.]\d{2}|h)?"
    ranges = re.findall(time_range, rule)
    if not ranges:
        raise HoursError("no_time", rule)
    first = re.search(time_range, rule)
    days = rule[: first.start()].strip().rstrip(":").strip()
    rest = re.sub(time_range, "", rule[first.start() :])
    if re.sub(r"[\s,;:]|\bva\b|\band\b", "", rest):
        raise HoursError("bad_time", rule)
    return days, ranges


def parse(text: str) -> list[Rule]:
    """The rules in ``text``; an empty text gives no rules (hours unknown)."""
    rules: list[Rule] = []
    for raw in re.split(r"[;\n]+", (text or "").replace("\u2013", "-")):
        fragment = raw.strip()
        if not fragment:
            continue
        rule = _fold_keep(fragment)
        if rule.replace(" ", "") == "24/7":
            rules.append(Rule(tuple(range(7)), 0, 24 * 60))
            continue
        days_text, ranges = _rule_parts(rule)
        days = _days(days_text, fragment)
        for time_range in ranges:
            start, end = re.split(r"\s*(?:-|den|to)\s*", time_range, maxsplit=1)
            opens, closes = _minutes(start, fragment), _minutes(end, fragment)
            if closes <= opens:
                closes += 24 * 60
            rules.append(Rule(days, opens, closes))
    return rules


def _fold_keep(text: str) -> str:
    """Lower-case without diacritics, keeping the punctuation hours are written with."""
    out = []
    for word in re.split(r"(\s+|[-,:;/.])", text):
        if not word or re.fullmatch(r"\s+|[-,:;/.]", word):
            out.append(word)
        else:
            out.append(fold(word))
    return re.sub(r"\s+", " ", "".join(out)).strip()


def to_json(rules: list[Rule]) -> list[dict]:
    return [rule.as_dict() for rule in rules]


def from_json(data) -> list[Rule]:
    rules = []
    for item in data or []:
        opens = _minutes(item["opens"], item["opens"])
        closes = _minutes(item["closes"], item["closes"])
        if closes <= opens:
            closes += 24 * 60
        rules.append(Rule(tuple(item["days"]), opens, closes))
    return rules


def _day_span(days: tuple[int, ...], names: list[str]) -> str:
    """(0, 1, 2, 3, 4, 6) -> "T2-T6, CN"."""
    runs: list[list[int]] = []
    for day in sorted(days):
        if runs and day == runs[-1][-1] + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(
        names[run[0]] if len(run) == 1 else f"{names[run[0]]}{'-' if len(run) > 2 else ', '}{names[run[-1]]}"
        for run in runs
    )


def _grouped(rules: list[Rule]) -> list[tuple[tuple[int, ...], list[Rule]]]:
    groups: dict[tuple[int, ...], list[Rule]] = {}
    for rule in rules:
        groups.setdefault(rule.days, []).append(rule)
    return list(groups.items())


def describe(rules: list[Rule], language: str = "vi") -> list[str]:
    """One line per set of days: "T2-T6: 07:30-21:00"; "Hằng ngày: 00:00-24:00"."""
    names = DAY_NAMES.get(language, DAY_NAMES["en"])
    lines = []
    for days, group in _grouped(rules):
        label = EVERY_DAY.get(language, EVERY_DAY["en"]) if len(days) == 7 else _day_span(days, names)
        times = ", ".join(
            f"{_hhmm(r.opens)}-{'24:00' if r.closes == 24 * 60 else _hhmm(r.closes)}" for r in group
        )
        lines.append(f"{label}: {times}")
    return lines


def to_text(rules: list[Rule]) -> str:
    """The rules written back in the form people type (for editing)."""
    return "; ".join(line.replace(": ", " ", 1) for line in describe(rules, "vi"))


def to_schema(rules: list[Rule]) -> list[str]:
    """schema.org ``openingHours``: ["Mo-Fr 07:30-21:00", "Sa,Su 08:00-12:00"]."""
    out = []
    for days, group in _grouped(rules):
        label = "Mo-Su" if len(days) == 7 else _day_span(days, DAY_CODES).replace(", ", ",")
        for rule in group:
            closes = "24:00" if rule.closes == 24 * 60 else _hhmm(rule.closes)
            out.append(f"{label} {_hhmm(rule.opens)}-{closes}")
    return out


def is_open(rules: list[Rule], weekday: int, minute: int) -> bool:
    """Whether the rules have the place open at ``minute`` past midnight on ``weekday``."""
    for rule in rules:
        if weekday in rule.days and rule.opens <= minute < rule.closes:
            return True
        # The tail of yesterday's range past midnight.
        if (weekday - 1) % 7 in rule.days and rule.closes > 24 * 60 and minute < rule.closes - 24 * 60:
            return True
    return False
