"""Criteria sets (bộ tiêu chí, one scoring sheet per product set) as validated plain data.

A pure core: no Django. A set is read from a YAML file (``data/sets/*.yaml``, or a file uploaded by
the central office) whose shape is described in ``data/README.md``; :func:`load_set` parses it and
checks everything the engine relies on, reporting *every* problem with the file name and the path
inside the sheet ("part A, section 1, criterion 1.b: option points 5 exceed the criterion maximum
3"). The engine (:mod:`.engine`), the councils' arithmetic (:mod:`.council`) and the advisor
(:mod:`.advisor`) read only these dataclasses.

Public API:

* :func:`load_set` (a path), :func:`load_text` (YAML text), :func:`parse_set` (a mapping, e.g. the
  JSON stored in the database) -> :class:`CriteriaSet`; they raise :class:`CriteriaSetError`.
* :func:`plain` -> the JSON-able mapping of a parsed YAML document (dates as ISO strings).
* :func:`derive_minimums` -> the per-star minimum points that the star markers of a block imply.
* :data:`DEFAULT_BANDS`: the star bands of QĐ 1048 and 148 (90/70/50/30, lower bound inclusive).
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ocop import yamlfile

SCHEMA_VERSION = 1
# The sets shipped with the platform (settings.OCOP_CRITERIA_DIRS may add directories).
DEFAULT_DIR = Path(__file__).resolve().parent / "data" / "sets"
CONFIDENCE_MARKS = ("C", "S", "U")
STATUSES = ("draft", "published")
CHECK_EFFECTS = ("disqualify", "stop")
STARS = (1, 2, 3, 4, 5)
MARKER_STARS = (2, 3, 4, 5)
# Stars -> lowest total of the band (QĐ 148 khoản 2 Điều 1, same numbers in 1048; OCOP.md §3.3 [C2]).
DEFAULT_BANDS: Mapping[int, int] = MappingProxyType({5: 90, 4: 70, 3: 50, 2: 30})


class CriteriaSetError(ValueError):
    """A criteria set file is malformed or inconsistent.

    ``problems`` lists ``(path, message)`` pairs ("part A, section 1, criterion 1.b", "...");
    ``source`` is the file name. ``str()`` gives one line per problem, each naming the file.
    """

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(self.lines()))

    def lines(self) -> list[str]:
        return [
            f"{self.source}: {path}: {message}" if path else f"{self.source}: {message}"
            for path, message in self.problems
        ]


def nfc(text: str) -> str:
    """Codes are compared in NFC, so "1.đ" typed with a combining mark is still "1.đ"."""
    return unicodedata.normalize("NFC", text).strip()


# --- the data --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Option:
    """One answer a council member may tick: its points and, optionally, a star marker."""

    position: int  # 1-based, as printed
    points: int
    label: str
    marker: int | None = None  # "***" = 3: this option is the lowest that a 3-star product may have


@dataclass(frozen=True, slots=True)
class Block:
    """The options of a criterion; a criterion with alternative cases has several blocks."""

    position: int  # 1-based case number (1 when the criterion has a single block)
    code: str
    label: str
    options: tuple[Option, ...]
    # stars -> least points this criterion must score for a product of that many stars
    min_points_for_star: Mapping[int, int]
    inferred: str = ""

    @property
    def max_points(self) -> int:
        return max(o.points for o in self.options)

    def option(self, position: int) -> Option | None:
        return self.options[position - 1] if 1 <= position <= len(self.options) else None

    @property
    def has_zero(self) -> bool:
        return any(o.points == 0 for o in self.options)


@dataclass(frozen=True, slots=True)
class Condition:
    """The criterion applies only when another (earlier) criterion scores at least ``at_least``."""

    criterion: str
    at_least: int
    inferred: str = ""


@dataclass(frozen=True, slots=True)
class Gate:
    """The evaluation stops after this criterion when it scores below ``stops_below`` points."""

    stops_below: int
    inferred: str = ""


@dataclass(frozen=True, slots=True)
class Check:
    """A yes/no question printed on the sheet, not scored.

    ``disqualify``: "yes" disqualifies the product (bị loại). ``stop``: "yes" stops the evaluation
    after ``criterion`` ("không đánh giá các bước tiếp theo nếu ...").
    """

    code: str
    effect: str
    text: str
    criterion: str | None = None
    inferred: str = ""


@dataclass(frozen=True, slots=True)
class Criterion:
    code: str
    name: str
    max_points: int
    blocks: tuple[Block, ...]
    part: str
    section: str
    position: int  # 0-based order on the sheet
    notes: tuple[str, ...] = ()
    marker: int | None = None  # the whole criterion is marked (e.g. 3.e "****")
    bonus: str = ""  # non-empty for bonus points (điểm khuyến khích): the note shown
    applies_if: Condition | None = None
    gate: Gate | None = None
    case_group: str | None = None  # criteria of a group must be answered for the same case
    data_notes: tuple[str, ...] = ()  # remarks about the source data (shown, marked)
    inferred: str = ""

    @property
    def has_cases(self) -> bool:
        return len(self.blocks) > 1

    def block(self, position: int) -> Block | None:
        return self.blocks[position - 1] if 1 <= position <= len(self.blocks) else None

    @property
    def has_markers(self) -> bool:
        return any(b.min_points_for_star for b in self.blocks)


@dataclass(frozen=True, slots=True)
class Section:
    code: str
    name: str
    max_points: int
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True, slots=True)
class Part:
    code: str
    name: str
    max_points: int
    sections: tuple[Section, ...]

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for s in self.sections for c in s.criteria)


@dataclass(frozen=True, slots=True)
class CriteriaSet:
    """One scoring sheet: for one product set, under one decision."""

    code: str  # stable code DECISION/PRODUCT_SET, e.g. "148/I.1.a"
    decision: str
    taxonomy: str  # registry taxonomy of the product set ("148", "1048")
    product_set: str  # product set code in that taxonomy
    name_vi: str
    legal_basis: str
    effective_from: date
    effective_until: date | None
    status: str
    confidence: str
    source: str
    parts: tuple[Part, ...]
    checks: tuple[Check, ...] = ()
    aliases: tuple[str, ...] = ()
    confidence_note: str = ""
    notes: tuple[str, ...] = ()
    max_total: int = 100
    bands: Mapping[int, int] = DEFAULT_BANDS
    recognised_from_stars: int = 3
    markers_cap_stars: bool = True
    markers_note: str = ""
    none_option: bool = False  # "no option applies" (0 points) where a criterion has no 0-point option
    none_option_note: str = ""
    descriptive: Mapping[str, str] = field(default_factory=dict)  # industry_vi, group_vi, subgroup_vi
    _by_code: Mapping[str, Criterion] = field(default_factory=dict, repr=False, compare=False)

    @property
    def criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for p in self.parts for c in p.criteria)

    @property
    def sections(self) -> tuple[Section, ...]:
        return tuple(s for p in self.parts for s in p.sections)

    def criterion(self, code: str) -> Criterion | None:
        return self._by_code.get(nfc(code))

    def check(self, code: str) -> Check | None:
        return next((c for c in self.checks if c.code == code), None)

    def checks_at(self, criterion_code: str, effect: str | None = None) -> tuple[Check, ...]:
        return tuple(
            c for c in self.checks if c.criterion == criterion_code and (effect is None or c.effect == effect)
        )

    def dependents(self, criterion_code: str) -> tuple[Criterion, ...]:
        """Criteria that apply only when ``criterion_code`` reaches a level."""
        return tuple(c for c in self.criteria if c.applies_if and c.applies_if.criterion == criterion_code)

    @property
    def has_markers(self) -> bool:
        return any(c.has_markers for c in self.criteria)

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)


# --- loading -----------------------------------------------------------------------------------


def load_set(path: str | Path) -> CriteriaSet:
    """Read and validate one criteria set file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CriteriaSetError(path.name, [("", f"cannot read the file: {exc}")]) from None
    return load_text(text, source=path.name)


def read_yaml(text: str, *, source: str) -> Any:
    """Parse YAML text strictly (:mod:`ocop.yamlfile`), or raise :class:`CriteriaSetError`."""
    try:
        return yamlfile.parse(text, source=source)
    except yamlfile.YamlError as error:
        raise CriteriaSetError(source, [(error.where, f"not valid YAML: {error.problem}")]) from None


def load_text(text: str, *, source: str) -> CriteriaSet:
    """Validate a criteria set given as YAML text (``source`` names it in errors)."""
    return parse_set(read_yaml(text, source=source), source=source)


def plain(value: Any) -> Any:
    """A parsed YAML document as JSON-able data: dates become ISO strings, int keys stay ints."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def parse_set(data: Any, *, source: str) -> CriteriaSet:
    """Validate a criteria set given as a mapping (from YAML, or the JSON kept in the database)."""
    reader = _Reader(source)
    result = reader.criteria_set(data)
    if reader.problems or result is None:
        raise CriteriaSetError(source, reader.problems or [("", "empty criteria set")])
    return result


def derive_minimums(options: Iterable[Option], criterion_marker: int | None = None) -> dict[int, int]:
    """Per-star minimum points implied by star markers, lower stars' requirements carried up.

    The lowest option marked N stars is the minimum for N stars; a requirement for N stars also
    holds for every higher star. A whole-criterion marker N (3.e "****") without a marked option
    requires the lowest option above 0 points.
    """
    options = list(options)
    first: dict[int, int] = {}
    for option in options:
        if option.marker is not None:
            first[option.marker] = min(first.get(option.marker, option.points), option.points)
    if criterion_marker is not None and criterion_marker not in first:
        positive = [o.points for o in options if o.points > 0]
        if positive:
            first[criterion_marker] = min(positive)
    minimums: dict[int, int] = {}
    floor = None
    for star in MARKER_STARS:
        if star in first:
            floor = first[star] if floor is None else max(floor, first[star])
        if floor is not None:
            minimums[star] = floor
    return minimums


_META_KEYS = {
    "code", "decision", "aliases", "product_set", "name_vi", "industry_vi", "group_vi", "subgroup_vi",
    "legal_basis", "effective_from", "effective_until", "status", "confidence", "confidence_note",
    "source", "notes", "max_total", "star_bands", "recognised_from_stars", "markers_cap_stars",
    "markers_note", "none_option", "none_option_note",
}  # fmt: skip
_TOP_KEYS = {"schema", "meta", "checks", "parts", "totals"}
_PART_KEYS = {"code", "name", "max", "sections"}
_SECTION_KEYS = {"code", "name", "max", "criteria"}
_CRITERION_KEYS = {
    "code", "name", "max", "note", "notes", "options", "blocks", "marker", "min_points_for_star",
    "bonus", "applies_if", "gate", "case_group", "data_note", "data_warning", "inferred",
}  # fmt: skip
_BLOCK_KEYS = {"code", "label", "options", "min_points_for_star", "inferred"}
_OPTION_KEYS = {"points", "label", "marker"}
_CHECK_KEYS = {"code", "effect", "text", "criterion", "inferred"}


class _Reader:
    """Turns a mapping into dataclasses, collecting every problem with its path."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[tuple[str, str]] = []

    def problem(self, where: str, message: str) -> None:
        self.problems.append((where, message))

    # Small readers ---------------------------------------------------------------------------

    def mapping(self, value: Any, where: str, keys: set[str]) -> dict | None:
        if not isinstance(value, Mapping):
            self.problem(where, f"expected a mapping, got {type(value).__name__}")
            return None
        unknown = sorted(str(k) for k in value if k not in keys)
        if unknown:
            self.problem(where, f"unknown field(s) {', '.join(unknown)} (allowed: {', '.join(sorted(keys))})")
        return dict(value)

    def named(self, entry: Any, what: str, where: str) -> str:
        """The code of an entry, read first so that its other problems can name it."""
        if not isinstance(entry, Mapping):
            return "?"
        return self.code(entry.get("code"), what, where) or "?"

    def text(self, value: Any, what: str, where: str, *, required: bool = True) -> str:
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(where, f"{what} is missing")
            return ""
        if not isinstance(value, str | int | float):
            self.problem(where, f"{what} must be text")
            return ""
        return str(value).strip()

    def code(self, value: Any, what: str, where: str) -> str:
        code = self.text(value, what, where)
        return nfc(code) if code else ""

    def integer(self, value: Any, what: str, where: str, *, minimum: int = 0) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(where, f"{what} must be a whole number, got {value!r}")
            return None
        if value < minimum:
            self.problem(where, f"{what} must be at least {minimum}, got {value}")
            return None
        return value

    def day(self, value: Any, what: str, where: str, *, required: bool = True) -> date | None:
        if value is None:
            if required:
                self.problem(where, f"{what} is missing")
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(where, f"{what} must be a date (YYYY-MM-DD), got {value!r}")
        return None

    def notes(self, entry: dict, where: str, *keys: str) -> tuple[str, ...]:
        out: list[str] = []
        for key in keys:
            value = entry.get(key)
            if value is None:
                continue
            items = value if isinstance(value, list) else [value]
            for item in items:
                text = self.text(item, f"'{key}'", where, required=False)
                if text:
                    out.append(text)
        return tuple(out)

    def inferred(self, entry: dict, where: str) -> str:
        return self.text(entry.get("inferred"), "'inferred'", where, required=False)

    def star(self, value: Any, what: str, where: str, stars=MARKER_STARS) -> int | None:
        if isinstance(value, bool) or value not in stars:
            self.problem(where, f"{what} must be one of {', '.join(map(str, stars))}, got {value!r}")
            return None
        return value

    def items(self, entry: dict, key: str, where: str) -> list:
        value = entry.get(key)
        if not isinstance(value, list) or not value:
            self.problem(where, f"'{key}' must be a non-empty list")
            return []
        return value

    # The tree ------------------------------------------------------------------------------------

    def criteria_set(self, data: Any) -> CriteriaSet | None:
        data = self.mapping(data, "", _TOP_KEYS)
        if data is None:
            return None
        if data.get("schema") != SCHEMA_VERSION:
            self.problem("schema", f"must be {SCHEMA_VERSION} (the version of this file's layout)")
        meta = self.mapping(data.get("meta"), "meta", _META_KEYS) or {}
        decision = self.code(meta.get("decision"), "'decision'", "meta")
        product_set = self.mapping(meta.get("product_set"), "meta, product_set", {"taxonomy", "code"}) or {}
        taxonomy = self.code(product_set.get("taxonomy"), "'taxonomy'", "meta, product_set")
        set_code = self.code(product_set.get("code"), "'code'", "meta, product_set")
        code = self.code(meta.get("code") or f"{decision}/{set_code}", "'code'", "meta")
        if "/" in decision:
            self.problem("meta", f"decision {decision!r} must not contain '/'")
        if decision and code and (code.count("/") != 1 or not code.startswith(f"{decision}/")):
            self.problem("meta", f"code {code!r} must be DECISION/PRODUCT_SET, starting with {decision}/")
        aliases = self.aliases(meta.get("aliases"), decision, code)

        max_total = self.integer(meta.get("max_total", 100), "'max_total'", "meta", minimum=1) or 100
        bands = self.bands(meta.get("star_bands", dict(DEFAULT_BANDS)), max_total)
        recognised = self.star(meta.get("recognised_from_stars", 3), "'recognised_from_stars'", "meta", STARS)
        status = meta.get("status", "published")
        if status not in STATUSES:
            self.problem("meta", f"status must be one of {', '.join(STATUSES)}, got {status!r}")
        confidence = meta.get("confidence")
        if confidence not in CONFIDENCE_MARKS:
            self.problem(
                "meta",
                f"confidence must be one of {', '.join(CONFIDENCE_MARKS)} (C, S or U), got {confidence!r}",
            )
        flags = {}
        for key, default in (("markers_cap_stars", True), ("none_option", False)):
            value = meta.get(key, default)
            if not isinstance(value, bool):
                self.problem("meta", f"'{key}' must be true or false, got {value!r}")
                value = default
            flags[key] = value
        effective_from = self.day(meta.get("effective_from"), "'effective_from'", "meta")
        effective_until = self.day(meta.get("effective_until"), "'effective_until'", "meta", required=False)
        if effective_from and effective_until and effective_until < effective_from:
            self.problem(
                "meta", f"effective_until {effective_until} is before effective_from {effective_from}"
            )

        parts = self.parts(data)
        criteria = [c for p in parts for c in p.criteria]
        by_code: dict[str, Criterion] = {}
        for criterion in criteria:
            if criterion.code in by_code:
                where = f"part {criterion.part}, section {criterion.section}, criterion {criterion.code}"
                self.problem(where, f"criterion code {criterion.code} is used twice")
            by_code.setdefault(criterion.code, criterion)
        total = sum(p.max_points for p in parts)
        if parts and total != max_total:
            self.problem("parts", f"part maxima add up to {total}, not max_total {max_total}")
        self.check_totals(data.get("totals"), parts, total)
        self.check_references(criteria, by_code)
        checks = self.checks(data.get("checks"), by_code)
        if self.problems:
            return None
        return CriteriaSet(
            code=code,
            decision=decision,
            taxonomy=taxonomy,
            product_set=set_code,
            name_vi=self.text(meta.get("name_vi"), "'name_vi'", "meta"),
            legal_basis=self.text(meta.get("legal_basis"), "'legal_basis'", "meta"),
            effective_from=effective_from,
            effective_until=effective_until,
            status=status,
            confidence=confidence,
            source=self.text(meta.get("source"), "'source'", "meta"),
            parts=tuple(parts),
            checks=checks,
            aliases=aliases,
            confidence_note=self.text(
                meta.get("confidence_note"), "'confidence_note'", "meta", required=False
            ),
            notes=self.notes(meta, "meta", "notes"),
            max_total=max_total,
            bands=MappingProxyType(bands),
            recognised_from_stars=recognised or 3,
            markers_cap_stars=flags["markers_cap_stars"],
            markers_note=self.text(meta.get("markers_note"), "'markers_note'", "meta", required=False),
            none_option=flags["none_option"],
            none_option_note=self.text(
                meta.get("none_option_note"), "'none_option_note'", "meta", required=False
            ),
            descriptive=MappingProxyType(
                {k: str(meta[k]) for k in ("industry_vi", "group_vi", "subgroup_vi") if meta.get(k)}
            ),
            _by_code=MappingProxyType(by_code),
        )

    def aliases(self, value: Any, decision: str, code: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem("meta", "'aliases' must be a list of codes like 1048/1.3.c")
            return ()
        out = []
        for alias in value:
            alias = self.code(alias, "alias", "meta, aliases")
            if alias and (alias.count("/") != 1 or not alias.startswith(f"{decision}/")):
                self.problem(
                    "meta, aliases",
                    f"alias {alias!r} must be DECISION/PRODUCT_SET, starting with {decision}/",
                )
            elif alias == code or alias in out:
                self.problem("meta, aliases", f"alias {alias!r} repeats a code of this set")
            elif alias:
                out.append(alias)
        return tuple(out)

    def bands(self, value: Any, max_total: int) -> dict[int, int]:
        if isinstance(value, Mapping):
            value = {_star_key(k): v for k, v in value.items()}
        if not isinstance(value, Mapping) or set(value) != set(MARKER_STARS):
            self.problem("meta, star_bands", "must give the lowest total for each of 2, 3, 4 and 5 stars")
            return dict(DEFAULT_BANDS)
        bands: dict[int, int] = {}
        for star in MARKER_STARS:
            bound = self.integer(value[star], f"the {star}-star bound", "meta, star_bands", minimum=1)
            if bound is None:
                return dict(DEFAULT_BANDS)
            bands[star] = bound
        for lower, higher in itertools.pairwise(MARKER_STARS):
            if bands[lower] >= bands[higher]:
                self.problem(
                    "meta, star_bands",
                    f"the {higher}-star bound {bands[higher]} must be above the {lower}-star bound {bands[lower]}",
                )
        if bands[5] > max_total:
            self.problem("meta, star_bands", f"the 5-star bound {bands[5]} exceeds max_total {max_total}")
        return bands

    def parts(self, data: dict) -> list[Part]:
        parts, seen_parts, seen_sections = [], set(), set()
        position = 0
        for part_entry in self.items(data, "parts", "parts"):
            code = self.named(part_entry, "part code", "parts")
            where = f"part {code}"
            part_entry = self.mapping(part_entry, where, _PART_KEYS)
            if part_entry is None:
                continue
            if code in seen_parts:
                self.problem(where, f"part code {code} is used twice")
            seen_parts.add(code)
            sections = []
            for section_entry in self.items(part_entry, "sections", where):
                section_code = self.named(section_entry, "section code", f"{where}, sections")
                swhere = f"{where}, section {section_code}"
                section_entry = self.mapping(section_entry, swhere, _SECTION_KEYS)
                if section_entry is None:
                    continue
                if section_code in seen_sections:
                    self.problem(swhere, f"section code {section_code} is used twice")
                seen_sections.add(section_code)
                criteria = []
                for criterion_entry in self.items(section_entry, "criteria", swhere):
                    criterion = self.criterion(criterion_entry, code, section_code, swhere, position)
                    if criterion is not None:
                        criteria.append(criterion)
                        position += 1
                section_max = self.integer(section_entry.get("max"), "section 'max'", swhere, minimum=1)
                total = sum(c.max_points for c in criteria)
                if section_max is not None and criteria and total != section_max:
                    self.problem(
                        swhere, f"criterion maxima add up to {total}, not the section maximum {section_max}"
                    )
                sections.append(
                    Section(
                        code=section_code,
                        name=self.text(section_entry.get("name"), "section name", swhere),
                        max_points=section_max or total,
                        criteria=tuple(criteria),
                    )
                )
            part_max = self.integer(part_entry.get("max"), "part 'max'", where, minimum=1)
            total = sum(s.max_points for s in sections)
            if part_max is not None and sections and total != part_max:
                self.problem(where, f"section maxima add up to {total}, not the part maximum {part_max}")
            parts.append(
                Part(
                    code=code,
                    name=self.text(part_entry.get("name"), "part name", where),
                    max_points=part_max or total,
                    sections=tuple(sections),
                )
            )
        return parts

    def criterion(self, entry: Any, part: str, section: str, swhere: str, position: int) -> Criterion | None:
        code = self.named(entry, "criterion code", f"{swhere}, criteria")
        where = f"{swhere}, criterion {code}"
        entry = self.mapping(entry, where, _CRITERION_KEYS)
        if entry is None:
            return None
        maximum = self.integer(entry.get("max"), "criterion 'max'", where, minimum=1)
        marker = None
        if entry.get("marker") is not None:
            marker = self.star(entry["marker"], "criterion 'marker'", where)
        if ("options" in entry) == ("blocks" in entry):
            self.problem(where, "give either 'options' or 'blocks' (alternative cases), not both or neither")
            return None
        duplicates_allowed = bool(entry.get("data_warning"))
        if "options" in entry:
            block = self.block(
                {"code": "", "label": "", "options": entry["options"]},
                where,
                1,
                marker,
                entry.get("min_points_for_star"),
                duplicates_allowed,
            )
            blocks = [block] if block else []
        else:
            if "min_points_for_star" in entry:
                self.problem(where, "with blocks, give 'min_points_for_star' on each block")
            raw_blocks = self.items(entry, "blocks", where)
            if len(raw_blocks) == 1:
                self.problem(where, "'blocks' needs at least two alternative cases (use 'options' for one)")
            blocks, seen = [], set()
            for index, raw in enumerate(raw_blocks, start=1):
                raw = self.mapping(raw, f"{where}, case {index}", _BLOCK_KEYS)
                if raw is None:
                    continue
                block = self.block(
                    raw,
                    f"{where}, case {index}",
                    index,
                    marker,
                    raw.get("min_points_for_star"),
                    duplicates_allowed,
                    named=True,
                )
                if block is None:
                    continue
                if block.code in seen:
                    self.problem(f"{where}, case {index}", f"case code {block.code} is used twice")
                seen.add(block.code)
                blocks.append(block)
        if not blocks:
            return None
        highest = max(b.max_points for b in blocks)
        if maximum is not None:
            for block in blocks:
                for option in block.options:
                    if option.points > maximum:
                        bwhere = f"{where}, case {block.position}" if len(blocks) > 1 else where
                        self.problem(
                            bwhere,
                            f"option {option.position} points {option.points} exceed the criterion maximum {maximum}",
                        )
            if highest < maximum:
                self.problem(
                    where, f"no option reaches the criterion maximum {maximum} (the highest gives {highest})"
                )
        bonus = entry.get("bonus", False)
        if bonus is True:
            bonus = "bonus"
        elif bonus is False:
            bonus = ""
        else:
            bonus = self.text(bonus, "'bonus'", where)
        case_group = entry.get("case_group")
        if case_group is not None:
            case_group = self.code(case_group, "'case_group'", where)
            if len(blocks) < 2:
                self.problem(where, "'case_group' needs alternative cases ('blocks')")
        return Criterion(
            code=code,
            name=self.text(entry.get("name"), "criterion name", where),
            max_points=maximum if maximum is not None else highest,
            blocks=tuple(blocks),
            part=part,
            section=section,
            position=position,
            notes=self.notes(entry, where, "note", "notes"),
            marker=marker,
            bonus=bonus,
            applies_if=self.condition(entry.get("applies_if"), where),
            gate=self.gate(entry.get("gate"), where, maximum),
            case_group=case_group or None,
            data_notes=self.notes(entry, where, "data_note", "data_warning"),
            inferred=self.inferred(entry, where),
        )

    def block(
        self,
        entry: dict,
        where: str,
        position: int,
        criterion_marker: int | None,
        explicit: Any,
        duplicates_allowed: bool,
        named: bool = False,
    ) -> Block | None:
        code = label = ""
        if named:
            code = self.code(entry.get("code"), "case 'code'", where)
            label = self.text(entry.get("label"), "case 'label'", where)
        options = []
        for index, raw in enumerate(self.items(entry, "options", where), start=1):
            owhere = f"{where}, option {index}"
            raw = self.mapping(raw, owhere, _OPTION_KEYS)
            if raw is None:
                continue
            points = self.integer(raw.get("points"), "option 'points'", owhere)
            marker = (
                self.star(raw["marker"], "option 'marker'", owhere) if raw.get("marker") is not None else None
            )
            label_text = self.text(raw.get("label"), "option 'label'", owhere)
            if points is not None:
                options.append(Option(position=index, points=points, label=label_text, marker=marker))
        if not options:
            return None
        seen_points: dict[int, int] = {}
        for option in options:
            if option.points in seen_points and not duplicates_allowed:
                self.problem(
                    where,
                    f"options {seen_points[option.points]} and {option.position} both give {option.points} points "
                    "(add a 'data_warning' to the criterion if the source really says so)",
                )
            seen_points.setdefault(option.points, option.position)
        ordered = sorted((o for o in options if o.marker is not None), key=lambda o: (o.points, o.position))
        for low, high in itertools.pairwise(ordered):
            if low.points < high.points and low.marker > high.marker:
                self.problem(
                    where,
                    f"star markers out of order: option {low.position} ({low.points} points) is marked for "
                    f"{low.marker} stars but option {high.position} ({high.points} points) only for {high.marker}",
                )
        derived = derive_minimums(options, criterion_marker)
        if criterion_marker is not None and criterion_marker not in derived:
            self.problem(
                where, f"the criterion is marked for {criterion_marker} stars but no option scores above 0"
            )
        minimums = derived
        if explicit is not None:
            minimums = self.explicit_minimums(explicit, where, options, derived)
        return Block(
            position=position,
            code=code,
            label=label,
            options=tuple(options),
            min_points_for_star=MappingProxyType(minimums),
            inferred=self.inferred(entry, where) if named else "",
        )

    def explicit_minimums(
        self, value: Any, where: str, options: list[Option], derived: dict[int, int]
    ) -> dict:
        if not isinstance(value, Mapping):
            self.problem(where, "'min_points_for_star' must map stars to points, e.g. {4: 2, 5: 3}")
            return derived
        minimums: dict[int, int] = {}
        for star, points in value.items():
            star = self.star(_star_key(star), "a star in 'min_points_for_star'", where)
            points = self.integer(points, "points in 'min_points_for_star'", where)
            if star is None or points is None:
                continue
            if points not in {o.points for o in options}:
                self.problem(where, f"min_points_for_star {star}: {points} is not the points of any option")
            minimums[star] = points
        stars = sorted(minimums)
        for low, high in itertools.pairwise(stars):
            if minimums[low] > minimums[high]:
                self.problem(
                    where,
                    f"min_points_for_star asks {minimums[low]} points for {low} stars but only {minimums[high]} for {high}",
                )
        if stars and stars[-1] != 5:
            self.problem(where, "min_points_for_star must carry its requirement up to 5 stars")
        if any(o.marker is not None for o in options) and minimums != derived:
            self.problem(
                where,
                f"min_points_for_star {_show(minimums)} does not match the star markers, which give {_show(derived)}",
            )
        return minimums

    def condition(self, value: Any, where: str) -> Condition | None:
        if value is None:
            return None
        entry = self.mapping(value, f"{where}, applies_if", {"criterion", "at_least", "inferred"})
        if entry is None:
            return None
        criterion = self.code(entry.get("criterion"), "'criterion'", f"{where}, applies_if")
        at_least = self.integer(entry.get("at_least"), "'at_least'", f"{where}, applies_if", minimum=1)
        if not criterion or at_least is None:
            return None
        return Condition(criterion=criterion, at_least=at_least, inferred=self.inferred(entry, where))

    def gate(self, value: Any, where: str, maximum: int | None) -> Gate | None:
        if value is None:
            return None
        if value is True:
            self.problem(
                f"{where}, gate",
                "say when the evaluation stops: {stops_below: 1} for 'if 0 points here', "
                "or a check with effect 'stop' for a yes/no condition",
            )
            return None
        entry = self.mapping(value, f"{where}, gate", {"stops_below", "inferred"})
        if entry is None:
            return None
        below = self.integer(entry.get("stops_below"), "'stops_below'", f"{where}, gate", minimum=1)
        if below is None:
            return None
        if maximum is not None and below > maximum:
            self.problem(f"{where}, gate", f"stops_below {below} is above the criterion maximum {maximum}")
        return Gate(stops_below=below, inferred=self.inferred(entry, where))

    def check_references(self, criteria: list[Criterion], by_code: dict[str, Criterion]) -> None:
        groups: dict[str, Criterion] = {}
        for criterion in criteria:
            where = f"part {criterion.part}, section {criterion.section}, criterion {criterion.code}"
            condition = criterion.applies_if
            if condition is not None:
                target = by_code.get(condition.criterion)
                if target is None:
                    self.problem(f"{where}, applies_if", f"no criterion {condition.criterion} on this sheet")
                elif target.position >= criterion.position:
                    self.problem(
                        f"{where}, applies_if",
                        f"criterion {condition.criterion} must come before {criterion.code} on the sheet",
                    )
                elif target.applies_if is not None:
                    self.problem(
                        f"{where}, applies_if",
                        f"criterion {condition.criterion} itself applies only under a condition (no chains)",
                    )
                elif condition.at_least > target.max_points:
                    self.problem(
                        f"{where}, applies_if",
                        f"at_least {condition.at_least} is above the maximum {target.max_points} of {target.code}",
                    )
            if criterion.case_group:
                first = groups.setdefault(criterion.case_group, criterion)
                if [b.code for b in first.blocks] != [b.code for b in criterion.blocks]:
                    self.problem(
                        where,
                        f"case_group {criterion.case_group}: cases {[b.code for b in criterion.blocks]} differ "
                        f"from those of criterion {first.code} {[b.code for b in first.blocks]}",
                    )

    def checks(self, value: Any, by_code: dict[str, Criterion]) -> tuple[Check, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem("checks", "must be a list")
            return ()
        checks, seen = [], set()
        for index, raw in enumerate(value, start=1):
            raw = self.mapping(raw, f"checks, entry {index}", _CHECK_KEYS)
            if raw is None:
                continue
            code = self.code(raw.get("code"), "check code", f"checks, entry {index}")
            where = f"check {code}"
            if code in seen or code in by_code:
                self.problem(where, f"check code {code} is used twice (or is a criterion code)")
            seen.add(code)
            effect = raw.get("effect")
            if effect not in CHECK_EFFECTS:
                self.problem(where, f"effect must be one of {', '.join(CHECK_EFFECTS)}, got {effect!r}")
            criterion = raw.get("criterion")
            if criterion is not None:
                criterion = self.code(criterion, "'criterion'", where)
                if criterion not in by_code:
                    self.problem(where, f"no criterion {criterion} on this sheet")
            elif effect == "stop":
                self.problem(where, "a 'stop' check must name the criterion after which the evaluation stops")
            checks.append(
                Check(
                    code=code,
                    effect=effect,
                    text=self.text(raw.get("text"), "check 'text'", where),
                    criterion=criterion,
                    inferred=self.inferred(raw, where),
                )
            )
        return tuple(checks)

    def check_totals(self, value: Any, parts: list[Part], total: int) -> None:
        """The source sheets end with ``totals: {A: 40, ..., total: 100}``; keep it honest."""
        if value is None:
            return
        if not isinstance(value, Mapping):
            self.problem("totals", "must map part codes (and 'total') to points")
            return
        actual = {p.code: p.max_points for p in parts} | {"total": total}
        for key, points in value.items():
            if actual.get(str(key)) != points:
                self.problem("totals", f"{key}: {points}, but the sheet adds up to {actual.get(str(key))}")


def _star_key(key: Any) -> Any:
    """Stars as keys: 4 in YAML, "4" once the set has been through JSON (the database)."""
    return int(key) if isinstance(key, str) and key.isdigit() else key


def _show(minimums: Mapping[int, int]) -> str:
    return "{" + ", ".join(f"{star}: {points}" for star, points in sorted(minimums.items())) + "}"
