"""The evaluation processes in force over time, read from ``data/processes.yaml``.

A pure core: no Django. The process differs by period (OCOP.md §5): before 6 July 2025 three
levels (district, province, central) with forwarding thresholds; since then the commune checks
the dossier and assesses the local criteria, the province recognises 3-4 stars and proposes
products of 90 points or more to the central round, which recognises 5 stars. Code reads these
rules from the data; nothing else in the app spells out a level, a threshold or a document list.

Public API: :func:`processes`, :func:`process_on`, :func:`process_by_code`, :func:`outcome`,
:class:`Process`, :class:`LevelRule`, :class:`DocumentRule`, :class:`Outcome`, :class:`ProcessError`.
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from ocop import yamlfile

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "processes.yaml"
LEVELS = ("district", "province", "central")
LOCAL_CRITERIA = ("local_origin", "local_labour", "idea_origin", "local_identity")
DOCUMENTS = (
    "registration_form",
    "business_registration",
    "food_safety",
    "quality_declaration",
    "test_report",
    "business_plan",
    "product_story",
    "other",
)


class ProcessError(ValueError):
    """The process file is malformed, or no process covers a date."""


@dataclass(frozen=True, slots=True)
class LevelRule:
    level: str
    stars: tuple[int, ...]  # the stars this level recognises
    forward_from: int | None  # a score at or above it goes to the next level
    recognise_forwarded: bool


@dataclass(frozen=True, slots=True)
class DocumentRule:
    kind: str
    required: bool
    groups: tuple[str, ...] = ()  # empty: every product group

    def applies_to(self, group: str) -> bool:
        return not self.groups or group in self.groups


@dataclass(frozen=True, slots=True)
class Process:
    code: str
    name_vi: str
    name_en: str
    legal_basis: str
    effective_from: date
    effective_until: date | None
    confidence: str
    commune_check: bool
    local_criteria: tuple[str, ...]
    levels: tuple[LevelRule, ...]
    documents: tuple[DocumentRule, ...]

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)

    @property
    def first_level(self) -> LevelRule:
        return self.levels[0]

    def level(self, code: str) -> LevelRule:
        for rule in self.levels:
            if rule.level == code:
                return rule
        raise ProcessError(f"process {self.code} has no {code} level")

    def has_level(self, code: str) -> bool:
        return any(rule.level == code for rule in self.levels)

    def next_level(self, code: str) -> LevelRule | None:
        codes = [rule.level for rule in self.levels]
        index = codes.index(self.level(code).level)
        return self.levels[index + 1] if index + 1 < len(self.levels) else None

    def documents_for(self, group: str) -> tuple[DocumentRule, ...]:
        return tuple(d for d in self.documents if d.applies_to(group))

    def required_documents(self, group: str) -> tuple[str, ...]:
        return tuple(d.kind for d in self.documents_for(group) if d.required)


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a level does with a final council result."""

    stars: int | None  # recognised at this level with these stars; None: not recognised here
    forward_to: str | None  # proposed to this level


def outcome(process: Process, level: str, score: Decimal | int, stars: int | None) -> Outcome:
    """The recognition and forwarding a final result earns at ``level``.

    ``stars`` are the council's stars (bands and star markers applied); ``score`` its mean. A
    result above the level's stars is recognised at the highest of them (a 5-star result at
    province level is a 4-star recognition, proposed to the central round when the score reaches
    the threshold); below them it is not recognised at this level.
    """
    rule = process.level(level)
    following = process.next_level(level)
    forward = (
        following is not None
        and rule.forward_from is not None
        and stars is not None
        and Decimal(score) >= rule.forward_from
    )
    recognised = None
    if (
        stars is not None
        and rule.stars
        and stars >= min(rule.stars)
        and (not forward or rule.recognise_forwarded)
    ):
        recognised = min(stars, max(rule.stars))
    return Outcome(stars=recognised, forward_to=following.level if forward else None)


# --- loading -----------------------------------------------------------------------------------


def _date(value, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ProcessError(f"{where}: {value!r} is not a date") from None


def _parse(raw: dict, where: str) -> Process:
    try:
        levels = tuple(
            LevelRule(
                level=str(item["level"]),
                stars=tuple(int(s) for s in item.get("stars") or ()),
                forward_from=None if item.get("forward_from") is None else int(item["forward_from"]),
                recognise_forwarded=bool(item.get("recognise_forwarded", False)),
            )
            for item in raw["levels"]
        )
        documents = tuple(
            DocumentRule(
                kind=str(item["kind"]),
                required=bool(item.get("required", False)),
                groups=tuple(str(g) for g in item.get("groups") or ()),
            )
            for item in raw.get("documents") or ()
        )
        process = Process(
            code=str(raw["code"]),
            name_vi=str(raw["name_vi"]),
            name_en=str(raw["name_en"]),
            legal_basis=str(raw["legal_basis"]),
            effective_from=_date(raw["effective_from"], where),
            effective_until=_date(raw.get("effective_until"), where),
            confidence=str(raw.get("confidence", "U")),
            commune_check=bool(raw.get("commune_check", False)),
            local_criteria=tuple(str(c) for c in raw.get("local_criteria") or ()),
            levels=levels,
            documents=documents,
        )
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, ProcessError):
            raise
        raise ProcessError(f"{where}: malformed process ({exc!r})") from None
    problems = []
    if not levels:
        problems.append("no levels")
    for rule in levels:
        if rule.level not in LEVELS:
            problems.append(f"unknown level {rule.level!r}")
        if any(s not in (1, 2, 3, 4, 5) for s in rule.stars):
            problems.append(f"level {rule.level}: stars must be 1-5")
        if rule.forward_from is not None and not 0 <= rule.forward_from <= 100:
            problems.append(f"level {rule.level}: forward_from must be 0-100")
    if len({r.level for r in levels}) != len(levels):
        problems.append("a level is listed twice")
    if levels and levels[-1].forward_from is not None:
        problems.append("the top level cannot forward")
    problems += [f"unknown local criterion {c!r}" for c in process.local_criteria if c not in LOCAL_CRITERIA]
    problems += [f"unknown document {d.kind!r}" for d in documents if d.kind not in DOCUMENTS]
    if process.effective_until is not None and process.effective_until < process.effective_from:
        problems.append("effective_until is before effective_from")
    if problems:
        raise ProcessError(f"{where}: process {process.code}: " + "; ".join(problems))
    return process


def load(text: str, source: str = "processes.yaml") -> tuple[Process, ...]:
    """Parse and check a process file; periods must not overlap."""
    try:
        data = yamlfile.parse(text, source=source, aliases=True)  # the shipped file shares lists
    except yamlfile.YamlError as exc:
        raise ProcessError(f"{source}: not YAML ({exc.detail})") from None
    if not isinstance(data, dict) or data.get("schema") != 1 or not isinstance(data.get("processes"), list):
        raise ProcessError(f"{source}: expected `schema: 1` and a list of `processes`")
    result = tuple(
        _parse(raw, f"{source}, process {index + 1}") for index, raw in enumerate(data["processes"])
    )
    ordered = sorted(result, key=lambda p: p.effective_from)
    for earlier, later in itertools.pairwise(ordered):
        if earlier.effective_until is None or earlier.effective_until >= later.effective_from:
            raise ProcessError(f"{source}: processes {earlier.code} and {later.code} overlap")
    if len({p.code for p in result}) != len(result):
        raise ProcessError(f"{source}: a process code is used twice")
    return tuple(ordered)


@functools.cache
def processes(path: Path = DEFAULT_PATH) -> tuple[Process, ...]:
    return load(path.read_text(encoding="utf-8"), path.name)


def process_on(day: date, path: Path = DEFAULT_PATH) -> Process:
    """The process in force on ``day``."""
    for process in processes(path):
        if process.covers(day):
            return process
    raise ProcessError(f"no evaluation process covers {day.isoformat()}")


def process_by_code(code: str, path: Path = DEFAULT_PATH) -> Process:
    for process in processes(path):
        if process.code == code:
            return process
    raise ProcessError(f"no evaluation process {code!r}")
