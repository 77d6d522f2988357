"""Criteria sets as Excel workbooks: the template officers fill from a decision's annex, and back.

:func:`export` writes any criteria set (its YAML mapping, ``CriteriaSet.definition``) as an .xlsx:

* a first sheet "Giới thiệu" (About): one row per field of ``meta`` (a list repeats its key on
  several rows, ``product_set.code``, ``star_bands.4`` name nested fields), the Vietnamese name in
  column A, the YAML key in column B, the value in column C;
* a sheet "Kiểm tra" with one row per yes/no check;
* one sheet "Phần <code>" per part, one row per option: the part's, section's, criterion's and
  case's columns are filled on the row where each begins (later rows may repeat them or stay
  empty). Row 1 heads each column in Vietnamese, row 2 gives its YAML key, so every column maps
  to one field of the format (``ocop/criteria/data/README.md``).

:func:`read` turns an uploaded workbook back into that mapping, after the bounded structural
checks of :mod:`ocop.registry.sheetcheck` (a zip bomb or a sheet reaching row 1,048,576 is refused
before the reader opens it). The mapping is then validated by :mod:`ocop.criteria.schema`, the one
validator; :func:`locate` maps each of its problems back to a sheet, row and column.
:func:`read_set` does both and raises :class:`WorkbookError` listing every problem.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import yaml
from django.utils.translation import gettext as _

from ocop import cells
from ocop.registry import sheetcheck
from ocop.registry.listformat import ValueProblem

from . import schema

ABOUT = "Giới thiệu"
CHECKS = "Kiểm tra"
GUIDE = "Hướng dẫn"
PART_PREFIX = "Phần "
FIRST_DATA_ROW = 3  # row 1: Vietnamese headings, row 2: YAML keys
MAX_BYTES = 5 * 1024 * 1024
# A sheet has a few hundred rows: far below the registry's limits.
LIMITS = sheetcheck.Limits(rows=5000, columns=60, unpacked_bytes=20 * 1024 * 1024, ratio=100, parts=100)

# meta key -> Vietnamese name, in the order of the About sheet. Keys with a dot are nested.
META = [
    ("code", ("Mã bộ tiêu chí (QUYẾT ĐỊNH/BỘ SẢN PHẨM)")),
    ("decision", ("Quyết định")),
    ("aliases", ("Mã khác (mỗi dòng một mã)")),
    ("product_set.taxonomy", ("Danh mục sản phẩm (quyết định)")),
    ("product_set.code", ("Mã bộ sản phẩm")),
    ("name_vi", ("Tên bộ sản phẩm")),
    ("industry_vi", ("Ngành")),
    ("group_vi", ("Nhóm")),
    ("subgroup_vi", ("Phân nhóm")),
    ("legal_basis", ("Căn cứ pháp lý")),
    ("effective_from", ("Hiệu lực từ ngày")),
    ("effective_until", ("Hiệu lực đến ngày (để trống: chưa hết hiệu lực)")),
    ("status", ("Trạng thái (published / draft)")),
    ("confidence", ("Độ tin cậy (C xác nhận, S nguồn thứ cấp, U chưa xác nhận)")),
    ("confidence_note", ("Ghi chú độ tin cậy")),
    ("source", ("Nguồn")),
    ("notes", ("Ghi chú (mỗi dòng một ghi chú)")),
    ("max_total", ("Tổng điểm tối đa")),
    ("star_bands.5", ("Điểm thấp nhất hạng 5 sao")),
    ("star_bands.4", ("Điểm thấp nhất hạng 4 sao")),
    ("star_bands.3", ("Điểm thấp nhất hạng 3 sao")),
    ("star_bands.2", ("Điểm thấp nhất hạng 2 sao")),
    ("recognised_from_stars", ("Công nhận OCOP từ số sao")),
    ("markers_cap_stars", ("Ký hiệu sao giới hạn hạng sao (TRUE/FALSE)")),
    ("markers_note", ("Ghi chú về ký hiệu sao")),
    ("none_option", ("Cho phép 'không phương án nào phù hợp' (TRUE/FALSE)")),
    ("none_option_note", ("Ghi chú về 'không phương án nào phù hợp'")),
]
LISTS = {"aliases", "notes"}
DATES = {"effective_from", "effective_until"}

CHECK_COLUMNS = [
    ("code", ("Mã")),
    ("effect", ("Tác dụng (disqualify: bị loại / stop: dừng đánh giá)")),
    ("text", ("Nội dung")),
    ("criterion", ("Tại tiêu chí")),
    ("inferred", ("Suy luận [U]")),
]

# Columns of a part sheet: (YAML key, Vietnamese heading, level). The level says which entity a
# column belongs to: it is read from the row where that entity begins.
PART_COLUMNS = [
    ("part.name", ("Tên phần"), "part"),
    ("part.max", ("Điểm tối đa của phần"), "part"),
    ("section.code", ("Mã mục"), "section"),
    ("section.name", ("Tên mục"), "section"),
    ("section.max", ("Điểm tối đa của mục"), "section"),
    ("criterion.code", ("Mã tiêu chí"), "criterion"),
    ("criterion.name", ("Tên tiêu chí"), "criterion"),
    ("criterion.max", ("Điểm tối đa của tiêu chí"), "criterion"),
    ("criterion.marker", ("Ký hiệu sao của cả tiêu chí"), "criterion"),
    ("criterion.min_points_for_star", ("Điểm tối thiểu theo hạng sao (4: 3, 5: 3)"), "criterion"),
    ("criterion.bonus", ("Điểm khuyến khích (ghi chú)"), "criterion"),
    ("criterion.applies_if.criterion", ("Chỉ áp dụng khi tiêu chí"), "criterion"),
    ("criterion.applies_if.at_least", ("… đạt từ (điểm)"), "criterion"),
    ("criterion.applies_if.inferred", ("Điều kiện áp dụng: suy luận [U]"), "criterion"),
    ("criterion.gate.stops_below", ("Dừng đánh giá nếu dưới (điểm)"), "criterion"),
    ("criterion.gate.inferred", ("Điều kiện dừng: suy luận [U]"), "criterion"),
    ("criterion.case_group", ("Nhóm trường hợp"), "criterion"),
    ("criterion.note", ("Ghi chú"), "criterion"),
    ("criterion.notes", ("Các ghi chú (mỗi dòng một ghi chú)"), "criterion"),
    ("criterion.data_note", ("Ghi chú dữ liệu"), "criterion"),
    ("criterion.data_warning", ("Cảnh báo dữ liệu"), "criterion"),
    ("criterion.inferred", ("Tiêu chí: suy luận [U]"), "criterion"),
    ("case.code", ("Mã trường hợp"), "case"),
    ("case.label", ("Trường hợp"), "case"),
    ("case.min_points_for_star", ("Trường hợp: điểm tối thiểu theo hạng sao"), "case"),
    ("case.inferred", ("Trường hợp: suy luận [U]"), "case"),
    ("option.points", ("Điểm"), "option"),
    ("option.label", ("Phương án"), "option"),
    ("option.marker", ("Ký hiệu sao (3, 4, 5)"), "option"),
]
PART_KEYS = [key for key, _label, _level in PART_COLUMNS]
NUMBERS = {
    "part.max", "section.max", "criterion.max", "criterion.marker", "criterion.applies_if.at_least",
    "criterion.gate.stops_below", "option.points", "option.marker",
}  # fmt: skip
TEXT_LISTS = {"criterion.notes"}


# --- writing -----------------------------------------------------------------------------------


def export(definition: dict, *, note: str = "") -> bytes:
    """The .xlsx of a criteria set given as its YAML mapping (``CriteriaSet.definition``)."""
    buffer = io.BytesIO()
    book = cells.workbook(buffer)
    head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#E8F0E0"})
    key = book.add_format({"font_color": "#666666", "font_size": 9})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    day = book.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})

    about = book.add_worksheet(ABOUT)
    about.set_column(0, 0, 40)
    about.set_column(1, 1, 22)
    about.set_column(2, 2, 80)
    about.write_row(0, 0, ["Thông tin", "Khoá YAML", "Giá trị"], head)
    row = 1
    meta = definition.get("meta") or {}
    for name, label in META:
        values = _values(meta, name)
        for value in values or [None]:
            about.write_string(row, 0, label, wrap)
            about.write_string(row, 1, name, key)
            _write(about, row, 2, value, wrap, day)
            row += 1
    about.write_string(row, 0, "Phiên bản lược đồ", wrap)
    about.write_string(row, 1, "schema", key)
    _write(about, row, 2, definition.get("schema", schema.SCHEMA_VERSION), wrap, day)
    row += 1
    for part_code, points in (definition.get("totals") or {}).items():
        about.write_string(row, 0, "Tổng kiểm tra", wrap)
        about.write_string(row, 1, f"totals.{part_code}", key)
        _write(about, row, 2, points, wrap, day)
        row += 1
    if note:
        about.write_string(row + 1, 0, note, wrap)

    checks = book.add_worksheet(CHECKS)
    _headings(checks, [(k, label) for k, label in CHECK_COLUMNS], head, key)
    checks.set_column(2, 2, 70)
    for index, entry in enumerate(definition.get("checks") or [], start=FIRST_DATA_ROW - 1):
        for column, (name, _label) in enumerate(CHECK_COLUMNS):
            _write(checks, index, column, entry.get(name), wrap, day)

    for part in definition.get("parts") or []:
        sheet = book.add_worksheet(f"{PART_PREFIX}{part.get('code')}"[:31])
        _headings(sheet, [(k, label) for k, label, _level in PART_COLUMNS], head, key)
        sheet.set_column(PART_KEYS.index("criterion.name"), PART_KEYS.index("criterion.name"), 40)
        sheet.set_column(PART_KEYS.index("option.label"), PART_KEYS.index("option.label"), 60)
        sheet.freeze_panes(FIRST_DATA_ROW - 1, 0)
        row = FIRST_DATA_ROW - 1
        for values in _part_rows(part):
            for name, value in values.items():
                _write(sheet, row, PART_KEYS.index(name), value, wrap, day)
            row += 1
    book.close()
    return buffer.getvalue()


def _headings(sheet, columns: list[tuple[str, str]], head, key) -> None:
    for column, (name, label) in enumerate(columns):
        sheet.write_string(0, column, label, head)
        sheet.write_string(1, column, name, key)
        sheet.set_column(column, column, 16)
    sheet.set_row(0, 45)


def _values(meta: dict, name: str) -> list:
    if "." in name:
        outer, inner = name.split(".", 1)
        nested = meta.get(outer) or {}
        found = [v for k, v in nested.items() if str(k) == inner] if isinstance(nested, dict) else []
        return found
    value = meta.get(name)
    if name in LISTS:
        return list(value or [])
    return [] if value is None else [value]


def _write(sheet, row: int, column: int, value, wrap, day) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    elif isinstance(value, date):
        sheet.write_datetime(row, column, datetime(value.year, value.month, value.day), day)
    elif isinstance(value, str) and _ISO_DAY.fullmatch(value):
        parsed = date.fromisoformat(value)
        sheet.write_datetime(row, column, datetime(parsed.year, parsed.month, parsed.day), day)
    elif isinstance(value, list):
        sheet.write_string(row, column, "\n".join(str(v) for v in value), wrap)
    elif isinstance(value, dict):
        sheet.write_string(row, column, _show_minimums(value), wrap)
    else:
        sheet.write_string(row, column, str(value), wrap)


def _part_rows(part: dict) -> Iterable[dict]:
    """One dict of column -> value per option row of a part."""
    first_of_part = {"part.name": part.get("name"), "part.max": part.get("max")}
    for section in part.get("sections") or []:
        first_of_section = {
            "section.code": section.get("code"),
            "section.name": section.get("name"),
            "section.max": section.get("max"),
        }
        for criterion in section.get("criteria") or []:
            condition = criterion.get("applies_if") or {}
            gate = criterion.get("gate") or {}
            first_of_criterion = {
                "criterion.code": criterion.get("code"),
                "criterion.name": criterion.get("name"),
                "criterion.max": criterion.get("max"),
                "criterion.marker": criterion.get("marker"),
                "criterion.min_points_for_star": criterion.get("min_points_for_star"),
                "criterion.bonus": criterion.get("bonus"),
                "criterion.applies_if.criterion": condition.get("criterion"),
                "criterion.applies_if.at_least": condition.get("at_least"),
                "criterion.applies_if.inferred": condition.get("inferred"),
                "criterion.gate.stops_below": gate.get("stops_below"),
                "criterion.gate.inferred": gate.get("inferred"),
                "criterion.case_group": criterion.get("case_group"),
                "criterion.note": criterion.get("note"),
                "criterion.notes": criterion.get("notes"),
                "criterion.data_note": criterion.get("data_note"),
                "criterion.data_warning": criterion.get("data_warning"),
                "criterion.inferred": criterion.get("inferred"),
            }
            blocks = criterion.get("blocks")
            if blocks is None:
                blocks = [{"options": criterion.get("options") or []}]
            for block in blocks:
                first_of_case = {
                    "case.code": block.get("code"),
                    "case.label": block.get("label"),
                    "case.min_points_for_star": block.get("min_points_for_star"),
                    "case.inferred": block.get("inferred"),
                }
                for option in block.get("options") or []:
                    yield {
                        **first_of_part,
                        **first_of_section,
                        **first_of_criterion,
                        **first_of_case,
                        "option.points": option.get("points"),
                        "option.label": option.get("label"),
                        "option.marker": option.get("marker"),
                    }
                    first_of_part, first_of_section, first_of_criterion, first_of_case = {}, {}, {}, {}


def _show_minimums(value: dict) -> str:
    return ", ".join(f"{star}: {points}" for star, points in value.items())


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_VN_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_MINIMUM = re.compile(r"\s*(\d+)\s*[:=]\s*(\d+)\s*")


# --- reading -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem of an uploaded workbook, where it is (row 0: the whole sheet)."""

    sheet: str
    row: int
    column: str  # letter, "" for the whole row or sheet
    heading: str  # the column's Vietnamese heading, "" when no column
    message: str

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}" if self.column and self.row else ""

    def as_dict(self) -> dict:
        return {
            "sheet": self.sheet,
            "row": self.row or None,
            "column": self.column or None,
            "heading": self.heading,
            "message": self.message,
        }


class WorkbookError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.sheet} {p.cell}: {p.message}" for p in problems))


@dataclass
class _Place:
    sheet: str
    row: int
    columns: dict[str, str]  # key -> column letter of that sheet


class _Workbook:
    """Reads the sheets into the YAML mapping, remembering where every entity came from."""

    def __init__(self):
        self.problems: list[Problem] = []
        # schema path ("part A, section 1, criterion 1.b, option 2") -> where it begins
        self.places: dict[str, _Place] = {}
        self.meta_rows: dict[str, int] = {}
        self.about_columns: dict[str, str] = {"value": "C"}
        self.headings: dict[str, str] = {}
        # A missing or unknown sheet or column: the mapping read is incomplete, so the
        # validator's findings would only repeat it. Cell values that cannot be read are not.
        self.structural = False
        self.sheet_order: list[str] = []

    def problem(self, sheet: str, row: int, column: str, message: str, key: str = "") -> None:
        self.problems.append(Problem(sheet, row, column, self.headings.get(key, ""), message))

    # Cell values ------------------------------------------------------------------------------

    def number(self, value, sheet: str, row: int, column: str, key: str):
        if value == "" or value is None:
            return None
        if isinstance(value, bool):
            self.problem(sheet, row, column, _("A number is needed, not TRUE/FALSE."), key)
            return None
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, int | float):
            return value  # the validator says a whole number is needed
        text = str(value).strip()
        if key.endswith("marker") and text and set(text) == {"*"}:
            return len(text)  # "****" as printed on the sheets
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            self.problem(sheet, row, column, _("“%(value)s” is not a number.") % {"value": text}, key)
            return None
        return int(number) if number.is_integer() else number

    def text(self, value):
        if value is None or value == "":
            return None
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        if isinstance(value, datetime | date):
            return value.isoformat()[:10]
        return str(value).strip() or None

    def minimums(self, value, sheet: str, row: int, column: str, key: str):
        text = self.text(value)
        if text is None:
            return None
        found = {}
        for piece in re.split(r"[,;\n]", text):
            if not piece.strip():
                continue
            match = _MINIMUM.fullmatch(piece)
            if match is None:
                self.problem(
                    sheet,
                    row,
                    column,
                    _("“%(value)s”: write stars and points, e.g. “4: 3, 5: 3”.") % {"value": text},
                    key,
                )
                return None
            found[int(match.group(1))] = int(match.group(2))
        return found or None

    def day(self, value, sheet: str, row: int, column: str):
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        text = str(value).strip()
        match = _VN_DAY.fullmatch(text)
        try:
            if match:
                return date(int(match.group(3)), int(match.group(2)), int(match.group(1)))
            return date.fromisoformat(text)
        except ValueError:
            self.problem(sheet, row, column, _("“%(value)s” is not a date (dd/mm/yyyy).") % {"value": text})
            return None

    def flag(self, value, sheet: str, row: int, column: str):
        if isinstance(value, bool):
            return value
        text = (self.text(value) or "").lower()
        if text in {"true", "có", "1", "x"}:
            return True
        if text in {"false", "không", "0"}:
            return False
        self.problem(sheet, row, column, _("Write TRUE or FALSE."))
        return None

    # Sheets -----------------------------------------------------------------------------------

    def header(self, sheet: str, rows: list[list], allowed: list[str]) -> dict[str, int] | None:
        """YAML key -> column index, from row 2; unknown keys are problems."""
        if len(rows) < 2:
            self.structural = True
            self.problem(
                sheet, 0, "", _("The two heading rows are missing (row 1: column names, row 2: YAML keys).")
            )
            return None
        columns: dict[str, int] = {}
        for index, raw in enumerate(rows[1]):
            name = self.text(raw)
            if name is None:
                continue
            letter = sheetcheck.column_letters(index + 1)
            if name not in allowed:
                self.structural = True
                self.problem(sheet, 2, letter, _("Column “%(key)s” is not in the template.") % {"key": name})
            elif name in columns:
                self.structural = True
                self.problem(sheet, 2, letter, _("Column “%(key)s” is repeated.") % {"key": name})
            else:
                columns[name] = index
        return columns

    def about(self, rows: list[list]) -> dict:
        meta: dict[str, Any] = {}
        top: dict[str, Any] = {}
        known = {name for name, _label in META}
        for number, row in enumerate(rows[1:], start=2):
            row = [*row, "", "", ""]
            name = self.text(row[1])
            value = row[2]
            if name is None:
                continue
            if name == "schema" or name.startswith("totals."):
                parsed = self.number(value, ABOUT, number, "C", "")
                if name == "schema":
                    top["schema"] = parsed
                else:
                    top.setdefault("totals", {})[name.split(".", 1)[1]] = parsed
                continue
            if name not in known:
                self.problem(ABOUT, number, "B", _("Key “%(key)s” is not in the template.") % {"key": name})
                continue
            self.meta_rows.setdefault(name.split(".")[0], number)
            if value == "" or value is None:
                continue
            if name in DATES:
                parsed = self.day(value, ABOUT, number, "C")
            elif name in {"max_total", "recognised_from_stars"} or name.startswith("star_bands."):
                parsed = self.number(value, ABOUT, number, "C", "")
            elif name in {"markers_cap_stars", "none_option"}:
                parsed = self.flag(value, ABOUT, number, "C")
            else:
                parsed = self.text(value)
            if parsed is None:
                continue
            if name in LISTS:
                meta.setdefault(name, []).append(parsed)
            elif "." in name:
                outer, inner = name.split(".", 1)
                meta.setdefault(outer, {})[int(inner) if inner.isdigit() else inner] = parsed
            elif name in meta:
                self.problem(ABOUT, number, "B", _("Key “%(key)s” is repeated.") % {"key": name})
            else:
                meta[name] = parsed
        top.setdefault("schema", schema.SCHEMA_VERSION)
        return {**top, "meta": meta}

    def checks(self, rows: list[list]) -> list[dict]:
        columns = self.header(CHECKS, rows, [k for k, _label in CHECK_COLUMNS])
        if columns is None:
            return []
        letters = {k: sheetcheck.column_letters(i + 1) for k, i in columns.items()}
        out = []
        for number, row in enumerate(rows[FIRST_DATA_ROW - 1 :], start=FIRST_DATA_ROW):
            values = {k: self.text(row[i]) if i < len(row) else None for k, i in columns.items()}
            if not any(values.values()):
                continue
            entry = {k: v for k, v in values.items() if v is not None}
            out.append(entry)
            place = _Place(CHECKS, number, letters)
            self.places[f"checks, entry {len(out)}"] = place
            if entry.get("code"):
                self.places[f"check {schema.nfc(entry['code'])}"] = place
        return out

    def part(self, sheet: str, rows: list[list]) -> dict | None:
        columns = self.header(sheet, rows, PART_KEYS)
        if columns is None:
            return None
        letters = {k: sheetcheck.column_letters(i + 1) for k, i in columns.items()}
        for required in ("section.code", "criterion.code", "option.points", "option.label"):
            if required not in columns:
                self.structural = True
                self.problem(sheet, 2, "", _("Column “%(key)s” is missing.") % {"key": required})
        if self.structural:
            return None
        code = schema.nfc(sheet[len(PART_PREFIX) :])
        part: dict[str, Any] = {"code": code, "sections": []}
        pwhere = f"part {code}"
        self.places[pwhere] = _Place(sheet, FIRST_DATA_ROW, letters)
        section = criterion = block = None
        swhere = cwhere = ""
        for number, row in enumerate(rows[FIRST_DATA_ROW - 1 :], start=FIRST_DATA_ROW):
            raw = {k: row[i] if i < len(row) else "" for k, i in columns.items()}
            if all(v == "" or v is None for v in raw.values()):
                continue
            value = self._row_values(raw, sheet, number, letters)
            for key in ("part.name", "part.max"):
                if value.get(key) is not None:
                    part.setdefault(key.split(".")[1], value[key])
            section_code = value.get("section.code")
            if section_code is not None and (section is None or section_code != section["code"]):
                section = {"code": section_code, "criteria": []}
                for key in ("section.name", "section.max"):
                    if value.get(key) is not None:
                        section[key.split(".")[1]] = value[key]
                part["sections"].append(section)
                swhere = f"{pwhere}, section {schema.nfc(section_code)}"
                self.places[swhere] = _Place(sheet, number, letters)
                criterion = None
            if section is None:
                self.problem(
                    sheet,
                    number,
                    letters.get("section.code", ""),
                    _(
                        "This row belongs to no section: give the section code on the first row of each section."
                    ),
                )
                continue
            criterion_code = value.get("criterion.code")
            if criterion_code is not None and (criterion is None or criterion_code != criterion["code"]):
                criterion = self._criterion(value)
                section["criteria"].append(criterion)
                cwhere = f"{swhere}, criterion {schema.nfc(criterion_code)}"
                self.places[cwhere] = _Place(sheet, number, letters)
                block = None
            if criterion is None:
                self.problem(
                    sheet,
                    number,
                    letters.get("criterion.code", ""),
                    _("This row belongs to no criterion: give the criterion code on its first row."),
                )
                continue
            case_code = value.get("case.code")
            if case_code is not None and (block is None or case_code != block.get("code")):
                block = {"code": case_code, "options": []}
                for key in ("case.label", "case.min_points_for_star", "case.inferred"):
                    if value.get(key) is not None:
                        block[key.split(".")[1]] = value[key]
                criterion.setdefault("blocks", []).append(block)
                self.places[f"{cwhere}, case {len(criterion['blocks'])}"] = _Place(sheet, number, letters)
            elif block is None:
                block = {"options": []}
                criterion["options"] = block["options"]
            option = {"points": value.get("option.points"), "label": value.get("option.label")}
            if value.get("option.marker") is not None:
                option["marker"] = value["option.marker"]
            block["options"].append(option)
            bwhere = f"{cwhere}, case {len(criterion['blocks'])}" if "blocks" in criterion else cwhere
            self.places[f"{bwhere}, option {len(block['options'])}"] = _Place(sheet, number, letters)
        return part

    def _row_values(self, raw: dict, sheet: str, number: int, letters: dict) -> dict:
        out = {}
        for key, value in raw.items():
            if key in NUMBERS:
                parsed = self.number(value, sheet, number, letters[key], key)
            elif key.endswith("min_points_for_star"):
                parsed = self.minimums(value, sheet, number, letters[key], key)
            elif key in TEXT_LISTS:
                text = self.text(value)
                parsed = [line for line in text.split("\n") if line.strip()] if text else None
            elif key == "criterion.bonus" and isinstance(value, bool):
                parsed = value
            else:
                parsed = self.text(value)
            if parsed is not None:
                out[key] = parsed
        return out

    def _criterion(self, value: dict) -> dict:
        criterion: dict[str, Any] = {}
        for key, field in (
            ("criterion.code", "code"),
            ("criterion.name", "name"),
            ("criterion.max", "max"),
            ("criterion.marker", "marker"),
            ("criterion.min_points_for_star", "min_points_for_star"),
            ("criterion.bonus", "bonus"),
            ("criterion.case_group", "case_group"),
            ("criterion.note", "note"),
            ("criterion.notes", "notes"),
            ("criterion.data_note", "data_note"),
            ("criterion.data_warning", "data_warning"),
            ("criterion.inferred", "inferred"),
        ):
            if value.get(key) is not None:
                criterion[field] = value[key]
        for group in ("applies_if", "gate"):
            nested = {
                key.rsplit(".", 1)[1]: v
                for key, v in value.items()
                if key.startswith(f"criterion.{group}.") and v is not None
            }
            if nested:
                criterion[group] = nested
        return criterion


def _open(content: bytes, name: str) -> dict[str, list[list]]:
    from python_calamine import CalamineWorkbook

    try:
        sheetcheck.check(content, name, LIMITS)
    except ValueProblem as problem:
        raise WorkbookError([Problem("", 0, "", "", _refusal(problem))]) from None
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        return {
            title: book.get_sheet_by_name(title).to_python(skip_empty_area=False)
            for title in book.sheet_names
        }
    except Exception as exc:  # calamine raises several error types for damaged files
        message = _("The file cannot be read: %(error)s") % {"error": str(exc) or type(exc).__name__}
        raise WorkbookError([Problem("", 0, "", "", message)]) from None


def _refusal(problem: ValueProblem) -> str:
    # The registry import's messages for the same structural checks (one wording).
    from ocop.registry.importing.report import MESSAGES

    return str(MESSAGES[problem.code]) % problem.params


def read(content: bytes, name: str) -> tuple[dict, _Workbook]:
    """The YAML mapping of an uploaded workbook, and where each part of it came from.

    Raises :class:`WorkbookError` for a file refused by the structural checks, a missing or
    unknown sheet or column; cells that are not what their column needs (numbers, dates) are
    left in ``reader.problems`` for :func:`read_set` to report with the validator's."""
    if len(content) > MAX_BYTES:
        raise WorkbookError([Problem("", 0, "", "", _("The file is larger than 5 MB."))])
    sheets = _open(content, name)
    reader = _Workbook()
    reader.sheet_order = list(sheets)
    reader.headings = {k: label for k, label, _level in PART_COLUMNS} | {
        k: label for k, label in CHECK_COLUMNS
    }
    if ABOUT not in sheets:
        reader.problem(ABOUT, 0, "", _("The sheet “%(sheet)s” is missing.") % {"sheet": ABOUT})
        raise WorkbookError(reader.problems)
    data = reader.about(sheets[ABOUT])
    if CHECKS in sheets:
        checks = reader.checks(sheets[CHECKS])
        if checks:
            data["checks"] = checks
    parts = []
    for title, rows in sheets.items():
        if title.startswith(PART_PREFIX):
            part = reader.part(title, rows)
            if part is not None:
                parts.append(part)
        elif title not in {ABOUT, CHECKS, GUIDE}:
            reader.structural = True
            reader.problem(
                title,
                0,
                "",
                _(
                    "The sheet “%(sheet)s” is not in the template: each part is a sheet named “Phần A”, “Phần B”…"
                )
                % {"sheet": title},
            )
    if not parts and not reader.problems:
        reader.structural = True
        reader.problem(PART_PREFIX + "A", 0, "", _("The sheets “Phần …” are missing (one sheet per part)."))
    data["parts"] = parts
    if reader.structural:
        raise WorkbookError(reader.problems)
    return data, reader


def read_set(content: bytes, name: str) -> tuple[dict, schema.CriteriaSet, _Workbook]:
    """The YAML mapping and the validated set of an uploaded workbook (and where each part of it
    came from), or :class:`WorkbookError` naming every problem by sheet, row and column."""
    data, reader = read(content, name)
    data = schema.plain(data)
    problems = list(reader.problems)
    parsed = None
    try:
        parsed = schema.parse_set(data, source=name)
    except schema.CriteriaSetError as error:
        # A cell already reported (not a number) is not reported again as missing.
        seen = {(p.sheet, p.row, p.column) for p in problems}
        for where, message in error.problems:
            found = locate(reader, where, message)
            if (found.sheet, found.row, found.column) not in seen:
                problems.append(found)
    if problems or parsed is None:
        order = {title: index for index, title in enumerate(reader.sheet_order)}
        problems.sort(key=lambda p: (order.get(p.sheet, -1), p.row))
        raise WorkbookError(problems)
    return data, parsed, reader


_OPTION_IN_MESSAGE = re.compile(r"^options? (\d+)")
# words of a validator message -> the column they concern, by level
_FIELD_WORDS = [
    ("min_points_for_star", "min_points_for_star"),
    ("star markers", "marker"),
    ("stops_below", "gate.stops_below"),
    ("at_least", "applies_if.at_least"),
    ("'criterion'", "applies_if.criterion"),
    ("case_group", "case_group"),
    ("'marker'", "marker"),
    ("marked", "marker"),
    ("'points'", "points"),
    ("points", "points"),
    ("'label'", "label"),
    ("name", "name"),
    ("maxima", "max"),
    ("maximum", "max"),
    ("'max'", "max"),
    ("code", "code"),
    ("effect", "effect"),
    ("text", "text"),
]


def locate(reader: _Workbook, where: str, message: str) -> Problem:
    """Where in the workbook a problem the validator found lies (its path names the entity)."""
    if where == "meta" or where.startswith("meta,") or where == "schema":
        key = next((name for name in sorted(reader.meta_rows, key=len, reverse=True) if name in message), "")
        if not key and where.startswith("meta, "):
            key = where.split(", ", 1)[1]
        row = reader.meta_rows.get(key, 0)
        return Problem(ABOUT, row, "C" if row else "", "", message)
    if where in {"totals", "parts"}:
        return Problem(ABOUT, 0, "", "", message)
    path = where
    for suffix in (", applies_if", ", gate", ", criteria", ", sections"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    option = _OPTION_IN_MESSAGE.match(message)
    if option and f"{path}, option {option.group(1)}" in reader.places:
        path = f"{path}, option {option.group(1)}"
    place = reader.places.get(path)
    while place is None and ", " in path:
        path = path.rsplit(", ", 1)[0]
        place = reader.places.get(path)
    if place is None:
        return Problem("", 0, "", "", message)
    level = path.rsplit(", ", 1)[-1].split(" ")[0]
    level = {"entry": "", "check": ""}.get(level, level)
    candidates = [
        f"{level}.{field}" if level else field for words, field in _FIELD_WORDS if words in message.lower()
    ]
    if where.endswith(", applies_if"):
        candidates.insert(0, "criterion.applies_if.criterion")
    if where.endswith(", gate"):
        candidates.insert(0, "criterion.gate.stops_below")
    candidates.append(f"{level}.code" if level else "code")
    key = next((c for c in candidates if c in place.columns), "")
    heading = reader.headings.get(key, "")
    return Problem(place.sheet, place.row, place.columns.get(key, ""), heading, message)


def yaml_text(data: dict) -> str:
    """The YAML file of a mapping read from a workbook (what is stored as the set's source)."""

    class _Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data):
            return True

    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)


def template_note() -> str:
    return _(
        "A filled example: a criteria set already on the platform. Change the code, the product set, "
        "the dates, the source and the sheets “Phần …” to those of the decision's annex; one row per option."
    )
