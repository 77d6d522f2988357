"""The registry list format (shared/domain/REGISTRY-FORMAT.md): columns, headers and values.

A pure core, no Django. The columns and their synonyms are data (data/registry_columns.yaml);
this module finds the header row under title rows, maps headers to columns, and parses each
kind of value the way provinces write it. A value that cannot be read raises
:class:`ValueProblem` with a stable code and parameters, which the importer reports with the
row and column; nothing here guesses.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ocop import yamlfile
from ocop.vntext import fold

COLUMNS_FILE = Path(__file__).resolve().parent / "data" / "registry_columns.yaml"
HEADER_SEARCH_ROWS = 30


class ValueProblem(ValueError):
    """A cell that cannot be read; ``code`` is stable, ``params`` fill the message."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    ignored: bool
    vi: str
    en: str
    synonyms: tuple[str, ...]
    year_only_synonyms: frozenset[str] = field(default_factory=frozenset)


@dataclass
class Header:
    """Where the header row is and which column each cell index holds."""

    row_index: int  # 0-based index in the sheet's rows
    columns: dict[int, str]  # cell index -> column name
    labels: dict[str, str]  # column name -> the header text as written
    year_only: frozenset[str]  # columns holding a year rather than a date

    @functools.cached_property
    def positions(self) -> dict[str, int]:
        """column name -> cell index"""
        return {name: index for index, name in self.columns.items()}

    def index_of(self, name: str) -> int | None:
        return self.positions.get(name)


def _key(text: str) -> str:
    """Header key: folded, punctuation and spaces removed."""
    return re.sub(r"[^a-z0-9]", "", fold(str(text)))


@functools.cache
def columns() -> tuple[Column, ...]:
    raw = yamlfile.parse(COLUMNS_FILE.read_text(encoding="utf-8"), source=COLUMNS_FILE.name)
    result = []
    for entry in raw["columns"]:
        synonyms, year_only = [], set()
        for synonym in entry.get("synonyms", []):
            if isinstance(synonym, dict):
                synonyms.append(synonym["text"])
                if synonym.get("year_only"):
                    year_only.add(_key(synonym["text"]))
            else:
                synonyms.append(str(synonym))
        result.append(
            Column(
                name=entry["name"],
                required=bool(entry.get("required")),
                ignored=bool(entry.get("ignored")),
                vi=entry.get("vi", entry["name"]),
                en=entry.get("en", entry["name"]),
                synonyms=tuple(synonyms),
                year_only_synonyms=frozenset(year_only),
            )
        )
    return tuple(result)


@functools.cache
def _synonym_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in columns():
        for synonym in column.synonyms:
            key = _key(synonym)
            if key in index and index[key] != column.name:
                raise ValueError(f"{COLUMNS_FILE.name}: header {synonym!r} names two columns")
            index[key] = column.name
    return index


def column(name: str) -> Column:
    return next(c for c in columns() if c.name == name)


def required_columns() -> list[str]:
    return [c.name for c in columns() if c.required]


def match_header(text) -> str | None:
    """The column a header cell names, or None."""
    if text is None:
        return None
    return _synonym_index().get(_key(text))


def find_header(rows: list[list]) -> Header:
    """The row, among the first ones, that names the most known columns (title rows above it
    and notes are skipped). Raises ValueProblem("missing_columns") naming what is missing."""
    best: tuple[int, dict[int, str]] | None = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found: dict[int, str] = {}
        for cell_index, cell in enumerate(row):
            name = match_header(cell)
            if name and name not in found.values():
                found[cell_index] = name
        if best is None or len(found) > len(best[1]):
            best = (index, found)
    if best is None or not best[1]:
        raise ValueProblem("no_header", required=", ".join(column(n).vi for n in required_columns()))
    index, found = best
    missing = [name for name in required_columns() if name not in found.values()]
    if missing:
        raise ValueProblem("missing_columns", row=index + 1, missing=", ".join(column(n).vi for n in missing))
    row = rows[index]
    labels = {name: str(row[i]).strip() for i, name in found.items()}
    year_only = frozenset(
        name for i, name in found.items() if _key(row[i]) in column(name).year_only_synonyms
    )
    return Header(index, {i: n for i, n in found.items() if not column(n).ignored}, labels, year_only)


# ---------------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------------


def text(value) -> str:
    """A cell as clean text: None -> "", numbers without a trailing .0, spaces squeezed."""
    if value is None:
        return ""
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


_STAR_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5}


def parse_stars(value) -> int:
    """``3``, ``3.0``, ``"3 sao"``, ``"3*"``, ``"★★★"``, ``"Ba sao"``, ``"3 stars"`` -> 3."""
    if isinstance(value, bool):
        raise ValueProblem("stars_unreadable", value=str(value))
    if isinstance(value, int | float):
        if float(value).is_integer():
            return _stars_in_range(int(value))
        raise ValueProblem("stars_unreadable", value=text(value))
    raw = text(value)
    if not raw:
        raise ValueProblem("required")
    count = raw.count("★")
    if count and not re.search(r"\d", raw):
        return _stars_in_range(count)
    folded = fold(raw)
    match = re.fullmatch(r"(\d+)(?:[.,]0+)?\s*(?:sao|\*+|stars?|s)?", folded)
    if match:
        return _stars_in_range(int(match.group(1)))
    match = re.fullmatch(r"(mot|hai|ba|bon|nam)\s*sao", folded)
    if match:
        return _stars_in_range(_STAR_WORDS[match.group(1)])
    raise ValueProblem("stars_unreadable", value=raw)


def _stars_in_range(stars: int) -> int:
    if not 1 <= stars <= 5:
        raise ValueProblem("stars_out_of_range", value=stars)
    return stars


_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(value, *, year_only: bool = False) -> date:
    """dd/mm/yyyy, d/m/yyyy, yyyy-mm-dd, an Excel date cell (or serial number), or a text with
    a date in it ("QĐ 123/QĐ-UBND ngày 12/3/2022"). With ``year_only`` a year means 1 July."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if year_only:
        raw = text(value)
        if re.fullmatch(r"\d{4}", raw):
            return _checked(int(raw), 7, 1, raw)
        if not raw:
            raise ValueProblem("required")
        # A full date in a "year" column is still a date.
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # an Excel serial number (1954-2119)
            return _EXCEL_EPOCH + timedelta(days=int(value))
        raise ValueProblem("date_unreadable", value=text(value))
    raw = text(value)
    if not raw:
        raise ValueProblem("required")
    match = re.search(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})", raw)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return _checked(year, month, day, raw)
    match = re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw)
    if match:
        year, month, day = (int(g) for g in match.groups())
        return _checked(year, month, day, raw)
    match = re.fullmatch(r"ngay (\d{1,2}) thang (\d{1,2}) nam (\d{4})", fold(raw))
    if match:
        day, month, year = (int(g) for g in match.groups())
        return _checked(year, month, day, raw)
    raise ValueProblem("date_unreadable", value=raw)


def _checked(year: int, month: int, day: int, raw: str) -> date:
    if not 2000 <= year <= 2100:
        raise ValueProblem("date_impossible", value=raw)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueProblem("date_impossible", value=raw) from None


def parse_score(value) -> Decimal:
    raw = text(value).replace(",", ".")
    try:
        score = Decimal(raw)
    except InvalidOperation:
        raise ValueProblem("score_unreadable", value=raw) from None
    if not 0 <= score <= 100:
        raise ValueProblem("score_out_of_range", value=raw)
    return score.quantize(Decimal("0.01"))


# Producer types: values written in the type column, and how names begin (REGISTRY-FORMAT.md).
_TYPE_VALUES = [
    ("cooperative_group", ["tht", "to hop tac"]),
    ("cooperative", ["htx", "hop tac xa", "lien hiep htx", "lien hiep hop tac xa"]),
    (
        "enterprise",
        ["doanh nghiep", "cong ty", "cty", "dntn", "doanh nghiep tu nhan", "tnhh", "co phan", "ctcp"],
    ),
    (
        "household",
        ["ho kinh doanh", "ho san xuat", "co so san xuat", "co so", "hkd", "ho gia dinh", "ca nhan"],
    ),
]
_CANONICAL_TYPES = {"cooperative", "cooperative_group", "enterprise", "household"}


def parse_producer_type(value) -> str:
    raw = text(value)
    folded = fold(raw)
    if folded.replace(" ", "_") in _CANONICAL_TYPES:
        return folded.replace(" ", "_")
    for code, words in _TYPE_VALUES:
        if any(folded == w or folded.startswith(w + " ") for w in words):
            return code
    for code, words in _TYPE_VALUES:
        if any(w in folded for w in words if len(w) > 3):
            return code
    raise ValueProblem("type_unknown", value=raw)


def infer_producer_type(name: str) -> str:
    """The type from how the producer's name begins ("Hợp tác xã ...", "HTX ...", "Công ty ...").
    A name that fits none is a problem, not a guess."""
    folded = fold(name)
    for code, words in _TYPE_VALUES:
        if any(folded == w or folded.startswith(w + " ") for w in words):
            return code
    raise ValueProblem("type_not_inferable", value=name)


_LEVELS = [
    ("central", ["trung uong", "quoc gia", "bo", "central", "national"]),
    ("province", ["tinh", "thanh pho", "province", "cap tinh"]),
    ("district", ["huyen", "quan", "thi xa", "district"]),
    ("commune", ["xa", "phuong", "commune"]),
]


def parse_level(value) -> str:
    raw = text(value)
    folded = fold(raw).removeprefix("cap ").strip()
    for code, words in _LEVELS:
        if folded in words or any(folded.startswith(w + " ") for w in words):
            return code
    raise ValueProblem("level_unknown", value=raw)


# Who recognised what, by period (OCOP.md §5): used when a list has no level column.
LEVEL_PERIODS = (
    # (first day, {stars: level}) — 1048: province 3-4★; 148: district 3★, province 4★;
    # 1489 (from 6/7/2025): province 3-4★. 5★ is always central.
    (date(2019, 1, 1), {1: "province", 2: "province", 3: "province", 4: "province"}),
    (date(2023, 2, 24), {1: "district", 2: "district", 3: "district", 4: "province"}),
    (date(2025, 7, 6), {1: "province", 2: "province", 3: "province", 4: "province"}),
)


def default_level(stars: int, recognised_on: date) -> str:
    if stars == 5:
        return "central"
    level = LEVEL_PERIODS[0][1][stars]
    for start, levels in LEVEL_PERIODS:
        if recognised_on >= start:
            level = levels[stars]
    return level
