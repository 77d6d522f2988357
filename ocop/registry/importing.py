"""Importing registry lists (.xlsx, .xls, .ods, .csv) exactly and safely.

The import reads the whole file, checks every row, resolves every address to its unit of the
time and its current unit, and works out what it would create or change. Any problem in any row
rejects the whole file: nothing is written, and the report names every problem with its row,
column and reason. Otherwise it writes everything in one transaction. Importing the same file
twice changes nothing the second time.

The command (``ocop import-registry``), the officer pages and the API all go through
:func:`run_import`.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import logging
import re
import unicodedata
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocop import cells
from ocop.accounts import gate
from ocop.accounts.services import audit_record
from ocop.geo import gazetteer as gz
from ocop.geo.messages import describe
from ocop.geo.models import Commune, District, Province
from ocop.geo.resolver import resolve
from ocop.vntext import fold

from . import listformat as lf
from . import sheetcheck
from .choices import RecognitionLevel
from .identifiers import IdentifierError, normalise_gtin, normalise_tax_code
from .listformat import ValueProblem
from .models import Producer, Product, ProductSet, Recognition, Taxonomy
from .services import identifier_message, validity_end
from .taxonomy import group_for_name

log = logging.getLogger(__name__)

# .xlsb is not read: its binary sheets cannot be checked before reading (see sheetcheck).
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}
PREVIEW_ROWS = 20

MESSAGES = {
    "file_type": gettext_lazy("The file is not a spreadsheet or CSV file (.xlsx, .xls, .ods, .csv)."),
    "file_unreadable": gettext_lazy("The file cannot be read: %(error)s"),
    "file_empty": gettext_lazy("The file has no rows."),
    # Refused before reading (sheetcheck): what, where, and the limit passed.
    "not_spreadsheet": gettext_lazy(
        "%(file)s is not a spreadsheet (.xlsx, .xls or .ods), whatever its name says."
    ),
    "archive_damaged": gettext_lazy("%(file)s is damaged: it cannot be opened as a workbook."),
    "part_damaged": gettext_lazy("%(file)s is damaged: its part %(part)s cannot be unpacked."),
    "not_workbook": gettext_lazy("%(file)s is a zip archive but not a workbook (.xlsx or .ods)."),
    "xlsb": gettext_lazy(
        "%(file)s is an Excel binary workbook (.xlsb), which is not read: save it as an Excel Workbook "
        "(.xlsx) and upload it again."
    ),
    "password": gettext_lazy("%(file)s is protected by a password: save it without one and upload it again."),
    "compression_method": gettext_lazy(
        "%(file)s is refused: its part %(part)s uses a compression method that workbooks do not use."
    ),
    "too_many_parts": gettext_lazy("%(file)s holds %(count)s parts; a workbook may hold at most %(limit)s."),
    "part_too_large": gettext_lazy(
        "%(file)s is refused: its part %(part)s unpacks to %(size)s MB, over the limit of %(limit)s MB."
    ),
    "archive_too_large": gettext_lazy("%(file)s is refused: it unpacks to more than %(limit)s MB."),
    "compression_ratio": gettext_lazy(
        "%(file)s is refused: its part %(part)s is compressed %(ratio)s times, over the limit of "
        "%(limit)s times (a zip bomb)."
    ),
    "xml_dtd": gettext_lazy(
        "%(file)s is refused: its part %(part)s declares a document type (DTD), which workbooks never do."
    ),
    "xml_malformed": gettext_lazy(
        "%(file)s is damaged: its part %(part)s is not well-formed XML (line %(line)s)."
    ),
    "sheet_rows": gettext_lazy(
        "Sheet “%(sheet)s” of %(file)s reaches row %(row)s; a list may have at most %(limit)s rows."
    ),
    "sheet_columns": gettext_lazy(
        "Sheet “%(sheet)s” of %(file)s reaches column %(column)s; a list may have at most %(limit)s columns."
    ),
    "csv_encoding": gettext_lazy(
        "The file is not UTF-8, UTF-16 or Windows-1258 text: the byte at offset %(offset)s (row %(row)s) "
        "cannot be read. Save it as “CSV UTF-8”."
    ),
    "csv_nul": gettext_lazy("Row %(row)s holds a NUL character: the file is not a text (CSV) file."),
    "csv_line_too_long": gettext_lazy("Row %(row)s is longer than %(limit)s characters."),
    "csv_field_too_long": gettext_lazy("Row %(row)s has a field longer than %(limit)s characters."),
    "csv_columns": gettext_lazy("Row %(row)s has %(count)s columns; a list may have at most %(limit)s."),
    "csv_rows": gettext_lazy("The file has more than %(limit)s rows, the most a list may have."),
    "csv_malformed": gettext_lazy("Row %(row)s cannot be read as CSV."),
    "no_header": gettext_lazy("No header row was found; the list needs the columns %(required)s."),
    "missing_columns": gettext_lazy("The header row (row %(row)s) lacks the columns: %(missing)s."),
    "no_rows": gettext_lazy("The list has a header but no product rows."),
    "required": gettext_lazy("A value is required."),
    "stars_unreadable": gettext_lazy("“%(value)s” is not a star rating."),
    "stars_out_of_range": gettext_lazy("%(value)s stars is outside 1-5."),
    "date_unreadable": gettext_lazy("“%(value)s” is not a date (dd/mm/yyyy)."),
    "date_impossible": gettext_lazy("“%(value)s” is not a possible date."),
    "date_in_future": gettext_lazy("%(value)s is in the future."),
    "score_unreadable": gettext_lazy("“%(value)s” is not a score."),
    "score_out_of_range": gettext_lazy("Score %(value)s is outside 0-100."),
    "type_unknown": gettext_lazy("“%(value)s” is not a producer type."),
    "type_not_inferable": gettext_lazy(
        "The type of “%(value)s” cannot be told from its name; add a producer type column."
    ),
    "level_unknown": gettext_lazy("“%(value)s” is not a recognition level."),
    "group_unknown": gettext_lazy("“%(value)s” is not a product group or product set."),
    "tax_code": gettext_lazy("%(error)s"),
    "gtin": gettext_lazy("%(error)s"),
    "address": gettext_lazy("%(reason)s"),
    "commune_code_unknown": gettext_lazy("“%(value)s” is not the code of a current commune."),
    "outside_jurisdiction": gettext_lazy("%(unit)s is outside your jurisdiction."),
    "central_only": gettext_lazy("Central-level (5-star) recognitions are recorded by the central office."),
    "five_stars_not_central": gettext_lazy(
        "Five-star products are recognised at central level, not %(level)s."
    ),
    "stars_conflict": gettext_lazy(
        "%(product)s is listed twice for %(day)s with different stars (rows %(rows)s)."
    ),
    "producer_conflict": gettext_lazy(
        "Producer %(producer)s (tax code %(tax_code)s) has addresses in different communes (rows %(rows)s)."
    ),
    "gtin_conflict": gettext_lazy("GTIN %(gtin)s is given to two products (rows %(rows)s)."),
    "gtin_taken": gettext_lazy("GTIN %(gtin)s already belongs to another product: %(product)s."),
    "tax_code_taken": gettext_lazy(
        "Tax code %(tax_code)s already belongs to another producer: %(producer)s."
    ),
    "revoked_before": gettext_lazy("The revocation date is before the recognition date."),
    "valid_until_before": gettext_lazy("The end of validity is before the recognition date."),
}


@dataclass
class Problem:
    row: int | None  # the spreadsheet's row number as people see it (1-based); None: the file
    column: str | None  # the header as written in the file
    code: str
    params: dict = field(default_factory=dict)
    value: str = ""

    def message(self) -> str:
        template = MESSAGES.get(self.code)
        if template is None:
            return self.code
        params = {
            key: (", ".join(map(str, v)) if isinstance(v, list | tuple) else v)
            for key, v in self.params.items()
        }
        return str(template) % params if params else str(template)

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "column": self.column,
            "code": self.code,
            "value": self.value,
            "message": self.message(),
        }


@dataclass
class Row:
    """One product row, read and checked."""

    number: int
    product: str = ""
    product_en: str = ""
    producer: str = ""
    kind: str = ""
    kind_given: bool = False
    address: str = ""
    group: str = ""
    product_set_id: int | None = None
    stars: int = 0
    score: Decimal | None = None
    decision: str = ""
    recognised_on: date | None = None
    valid_until: date | None = None
    revoked_on: date | None = None
    revocation_reason: str = ""
    tax_code: str | None = None
    gtin: str | None = None
    level: str = ""
    level_given: bool = False
    note: str = ""
    province_id: int | None = None
    commune_id: int | None = None
    historical_province_id: int | None = None
    historical_district_id: int | None = None
    historical_commune_id: int | None = None

    @functools.cached_property
    def producer_key(self) -> tuple:
        if self.tax_code:
            return ("tax", self.tax_code)
        return ("name", self.commune_id or f"p{self.province_id}", fold(self.producer))

    @functools.cached_property
    def product_key(self) -> tuple:
        return (self.producer_key, fold(self.product))


@dataclass
class Counts:
    create: int = 0
    update: int = 0
    unchanged: int = 0


@dataclass
class Report:
    file: str
    dry_run: bool
    rows: int = 0
    skipped_rows: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    producers: Counts = field(default_factory=Counts)
    products: Counts = field(default_factory=Counts)
    recognitions: Counts = field(default_factory=Counts)
    superseded: int = 0
    applied: bool = False
    preview: list[dict] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.problems:
            return "rejected"
        return "applied" if self.applied else "checked"

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "status": self.status,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "skipped_rows": self.skipped_rows,
            "problems": [p.as_dict() for p in self.problems],
            "producers": asdict(self.producers),
            "products": asdict(self.products),
            "recognitions": asdict(self.recognitions),
            "superseded": self.superseded,
            "preview": self.preview,
        }


# ---------------------------------------------------------------------------------------------
# Reading the file
# ---------------------------------------------------------------------------------------------


def read_rows(content: bytes, name: str) -> list[list]:
    """The first sheet's cells (or a CSV's fields) as a list of rows.

    Spreadsheets are read with python-calamine (Rust), the fastest reader available for .xlsx,
    .xls and .ods; dates come back as dates. It holds a sheet as a dense grid, so the file is
    first checked against the import limits (:mod:`.sheetcheck`). CSV: see :func:`read_csv`.
    """
    suffix = Path(name).suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        from python_calamine import CalamineWorkbook

        sheetcheck.check(content, name, import_limits())
        try:
            workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
            sheet = workbook.get_sheet_by_index(0)
            return sheet.to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises several error types for damaged files
            raise ValueProblem("file_unreadable", error=str(exc) or type(exc).__name__) from None
    if suffix in {".csv", ".txt"}:
        return read_csv(content, import_limits())
    raise ValueProblem("file_type")


def import_limits() -> sheetcheck.Limits:
    return sheetcheck.Limits(
        rows=settings.OCOP_IMPORT_MAX_ROWS,
        columns=settings.OCOP_IMPORT_MAX_COLUMNS,
        unpacked_bytes=settings.OCOP_IMPORT_MAX_UNPACKED_BYTES,
        ratio=settings.OCOP_IMPORT_MAX_RATIO,
        parts=settings.OCOP_IMPORT_MAX_PARTS,
    )


# A physical line of a CSV list: the csv module's own limit for one field (a real row is a few
# hundred characters). Longer lines are refused before they are split into fields.
CSV_MAX_LINE = 131_072
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def decode_csv(content: bytes) -> str:
    """The text of a CSV file, its encoding told by its content.

    UTF-8 (with or without a byte-order mark) and UTF-16 (with a byte-order mark, or without one
    when every other byte of ASCII text is zero, as Excel's "Unicode text" writes it). A file
    that is not UTF-8 but holds no UTF-8 sequence at all is read as Windows-1258, the code page
    in which Excel on a Vietnamese Windows saves "CSV (Comma delimited)"; its decomposed
    diacritics are composed (NFC). A file with broken UTF-8 is refused, not guessed at: the
    message gives the byte offset and row of the first byte that cannot be read.
    """
    if content.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        sample = content[:4096]
        even, odd = sample[0::2], sample[1::2]
        if odd and odd.count(0) > len(odd) // 4 and even.count(0) <= len(even) // 20:
            encoding = "utf-16-le"
        elif even and even.count(0) > len(even) // 4 and odd.count(0) <= len(odd) // 20:
            encoding = "utf-16-be"
        else:
            encoding = "utf-8"
    try:
        text = content.decode(encoding)
    except UnicodeDecodeError as error:
        if encoding != "utf-8" or b"\x00" in content or _UTF8_SEQUENCE.search(content):
            raise _undecodable(content, encoding, error) from None
        try:
            text = unicodedata.normalize("NFC", content.decode("cp1258"))
        except UnicodeDecodeError as cp1258_error:
            raise _undecodable(content, "cp1258", cp1258_error) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise ValueProblem("csv_nul", row=text.count("\n", 0, nul) + 1)
    return text


def _undecodable(content: bytes, encoding: str, error: UnicodeDecodeError) -> ValueProblem:
    before = content[: error.start].decode(encoding, "replace")
    return ValueProblem("csv_encoding", offset=error.start, row=before.count("\n") + 1)


def read_csv(content: bytes, limits: sheetcheck.Limits) -> list[list]:
    """A CSV file's fields, row by row, within the rows and columns limits of spreadsheets.

    Comma, semicolon or tab separated (told from the first lines); any mix of line endings. A
    field written with the formula-neutralising quote of :mod:`ocop.cells` is read without it.
    """
    text = decode_csv(content)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(_csv_lines(io.StringIO(text, newline="")), dialect)
    rows = []
    try:
        for row in reader:
            if len(row) > limits.columns:
                raise ValueProblem("csv_columns", row=reader.line_num, count=len(row), limit=limits.columns)
            if len(rows) == limits.rows:
                raise ValueProblem("csv_rows", limit=limits.rows)
            rows.append([cells.restore(field) for field in row])
    except csv.Error as error:
        if "field limit" in str(error):
            raise ValueProblem(
                "csv_field_too_long", row=reader.line_num, limit=csv.field_size_limit()
            ) from None
        raise ValueProblem("csv_malformed", row=reader.line_num) from None
    return rows


def _csv_lines(stream):
    number = 0
    while line := stream.readline(CSV_MAX_LINE + 1):
        number += 1
        if len(line) > CSV_MAX_LINE:
            raise ValueProblem("csv_line_too_long", row=number, limit=CSV_MAX_LINE)
        yield line


# ---------------------------------------------------------------------------------------------
# Checking rows
# ---------------------------------------------------------------------------------------------


class _Units:
    """Unit rows by (era, code), loaded once per import."""

    def __init__(self):
        self.provinces = {
            (era, code): pk for pk, era, code in Province.objects.values_list("pk", "era_id", "code")
        }
        self.districts = {code: pk for pk, code in District.objects.values_list("pk", "code")}
        self.communes = {
            (era, code): pk for pk, era, code in Commune.objects.values_list("pk", "era_id", "code")
        }
        self.commune_province = dict(Commune.objects.values_list("pk", "province_id"))
        self.province_names = dict(Province.objects.values_list("pk", "name"))
        self.commune_names = dict(Commune.objects.filter(era_id=gz.CURRENT).values_list("pk", "name"))


class _Checker:
    def __init__(self, header: lf.Header, rows: list[list], *, user, default_province: str, report: Report):
        self.header = header
        self.rows = rows
        self.user = user
        self.report = report
        self.default_province = default_province
        self.units = _Units()
        self.actor = gate.actor_of(user) if user is not None else None
        self._resolved: dict[tuple[str, date | None], object] = {}
        self._groups: dict[str, str] = {}
        self._sets = {(s.taxonomy_id, fold(s.name_vi)): s for s in ProductSet.objects.all()}
        self._taxonomies = list(Taxonomy.objects.order_by("effective_from"))

    def problem(self, row: int | None, column: str | None, code: str, cell: str = "", **params) -> None:
        """Record a problem; ``cell`` is the value as written, ``params`` fill the message."""
        label = self.header.labels.get(column, column) if column else None
        self.report.problems.append(Problem(row, label, code, params, cell))

    def cell(self, raw_row: list, name: str):
        index = self.header.positions.get(name)
        if index is None or index >= len(raw_row):
            return None
        return raw_row[index]

    def is_product_row(self, raw_row: list) -> bool:
        """Title, section and total rows fill fewer than three of the required columns."""
        filled = sum(1 for name in lf.required_columns() if lf.text(self.cell(raw_row, name)))
        return filled >= 3

    def check(self, progress) -> list[Row]:
        checked: list[Row] = []
        data = self.rows[self.header.row_index + 1 :]
        total = len(data)
        for offset, raw_row in enumerate(data):
            number = self.header.row_index + 2 + offset
            if offset % 500 == 0:
                progress(offset, total, _("Checking rows"))
            if not any(lf.text(cell) for cell in raw_row):
                continue
            if not self.is_product_row(raw_row):
                self.report.skipped_rows.append(number)
                continue
            self.report.rows += 1  # every product row read, with or without problems
            row = self.check_row(number, raw_row)
            if row is not None:
                checked.append(row)
        return checked

    def check_row(self, number: int, raw: list) -> Row | None:
        row = Row(number=number)
        problems_before = len(self.report.problems)

        def value(name: str, parser, **kwargs):
            cell = self.cell(raw, name)
            try:
                return parser(cell, **kwargs)
            except ValueProblem as problem:
                self.problem(number, name, problem.code, lf.text(cell), **problem.params)
                return None

        def required_text(name: str) -> str:
            content = lf.text(self.cell(raw, name))
            if not content:
                self.problem(number, name, "required")
            return content

        row.product = required_text("product")
        row.producer = required_text("producer")
        row.address = required_text("address")
        row.product_en = lf.text(self.cell(raw, "product_name_en"))
        row.decision = lf.text(self.cell(raw, "decision"))
        row.note = lf.text(self.cell(raw, "note"))
        row.revocation_reason = lf.text(self.cell(raw, "revocation_reason"))
        row.stars = value("stars", lf.parse_stars) or 0
        row.recognised_on = value(
            "recognised_on", lf.parse_date, year_only="recognised_on" in self.header.year_only
        )
        if row.recognised_on and row.recognised_on > timezone.localdate():
            self.problem(
                number,
                "recognised_on",
                "date_in_future",
                row.recognised_on.strftime("%d/%m/%Y"),
                value=row.recognised_on.strftime("%d/%m/%Y"),
            )
        for name in ("valid_until", "revoked_on"):
            if lf.text(self.cell(raw, name)):
                setattr(row, name, value(name, lf.parse_date))
        if lf.text(self.cell(raw, "score")):
            row.score = value("score", lf.parse_score)

        # Producer type: the column when there is one, else the producer's name.
        if self.header.index_of("producer_type") is not None and lf.text(self.cell(raw, "producer_type")):
            row.kind = value("producer_type", lf.parse_producer_type) or ""
            row.kind_given = True
        elif row.producer:
            try:
                row.kind = lf.infer_producer_type(row.producer)
            except ValueProblem as problem:
                self.problem(number, "producer", problem.code, row.producer, **problem.params)

        group_text = required_text("group")
        if group_text:
            row.group = self._group(group_text)
            if not row.group:
                self.problem(number, "group", "group_unknown", group_text, value=group_text)
            else:
                row.product_set_id = self._product_set(group_text, row.recognised_on)

        if lf.text(self.cell(raw, "level")):
            row.level = value("level", lf.parse_level) or ""
            row.level_given = bool(row.level)
        elif row.stars and row.recognised_on:
            row.level = lf.default_level(row.stars, row.recognised_on)

        tax = lf.text(self.cell(raw, "tax_code"))
        if tax:
            try:
                row.tax_code = normalise_tax_code(tax)
            except IdentifierError as exc:
                self.problem(
                    number, "tax_code", "tax_code", tax, error=identifier_message("tax_code", exc, tax)
                )
        gtin = lf.text(self.cell(raw, "gtin"))
        if gtin:
            try:
                row.gtin = normalise_gtin(gtin)
            except IdentifierError as exc:
                self.problem(number, "gtin", "gtin", gtin, error=identifier_message("gtin", exc, gtin))

        if row.address:
            self.place(row, raw)
        self.check_rules(row)
        return row if len(self.report.problems) == problems_before else None

    def _group(self, text: str) -> str:
        if text not in self._groups:
            self._groups[text] = group_for_name(text) or ""
        return self._groups[text]

    def _product_set(self, group_text: str, day: date | None) -> int | None:
        """The product set named in the group column: in the taxonomy in force on the day, else
        in the newest taxonomy that has a set of that name (a product keeps its set)."""
        in_force = None
        for candidate in self._taxonomies:
            if day is None or candidate.effective_from <= day:
                in_force = candidate
        ordered = ([in_force] if in_force else []) + list(reversed(self._taxonomies))
        for taxonomy in ordered:
            found = self._sets.get((taxonomy.code, fold(group_text)))
            if found:
                return found.pk
        return None

    def place(self, row: Row, raw: list) -> None:
        commune_code = lf.text(self.cell(raw, "commune_code"))
        province_hint = lf.text(self.cell(raw, "province")) or self.default_province
        text = row.address
        if province_hint and fold(province_hint) not in fold(text):
            text = f"{text}, {province_hint}"
        resolution = self._resolve(text, row.recognised_on)
        if resolution.status != "resolved" and text != row.address:
            # The hint may be a province of the other era; the address alone may be enough.
            alone = self._resolve(row.address, row.recognised_on)
            if alone.status == "resolved":
                resolution = alone
        if commune_code:
            commune_id = self.units.communes.get((gz.CURRENT, commune_code.zfill(5)))
            if commune_id is None:
                self.problem(
                    row.number, "commune_code", "commune_code_unknown", commune_code, value=commune_code
                )
                return
            row.commune_id = commune_id
            row.province_id = self.units.commune_province[commune_id]
            if (
                resolution.status == "resolved"
                and resolution.current_commune
                and (self.units.communes.get((gz.CURRENT, resolution.current_commune.code)) == commune_id)
            ):
                self._historical(row, resolution)
        elif resolution.status != "resolved":
            self.problem(row.number, "address", "address", row.address, reason=describe(resolution))
            return
        else:
            row.province_id = self.units.provinces[(gz.CURRENT, resolution.current_province.code)]
            if resolution.current_commune is not None:
                row.commune_id = self.units.communes[(gz.CURRENT, resolution.current_commune.code)]
            self._historical(row, resolution)
        self._check_jurisdiction(row)

    def _historical(self, row: Row, resolution) -> None:
        if resolution.era != gz.LEGACY:
            return
        row.historical_province_id = self.units.provinces.get((gz.LEGACY, resolution.province.code))
        if resolution.district is not None:
            row.historical_district_id = self.units.districts.get(resolution.district.code)
        if resolution.commune is not None:
            row.historical_commune_id = self.units.communes.get((gz.LEGACY, resolution.commune.code))

    def _resolve(self, text: str, day: date | None):
        """Resolve once per address; the date matters only when the name fits both eras."""
        plain = self._resolved.get((text, None))
        if plain is None:
            plain = self._resolved[(text, None)] = resolve(text)
        if plain.reason_code != "ambiguous_era" or day is None:
            return plain
        key = (text, day)
        if key not in self._resolved:
            self._resolved[key] = resolve(text, on=day)
        return self._resolved[key]

    def _check_jurisdiction(self, row: Row) -> None:
        if self.actor is None or self.actor.is_central:
            return
        if row.province_id in self.actor.province_ids or (
            row.commune_id and row.commune_id in self.actor.commune_ids
        ):
            return
        unit = self.units.commune_names.get(row.commune_id) or self.units.province_names.get(row.province_id)
        self.problem(row.number, "address", "outside_jurisdiction", row.address, unit=unit)

    def check_rules(self, row: Row) -> None:
        if row.stars == 5 and row.level and row.level != RecognitionLevel.CENTRAL:
            self.problem(row.number, "level", "five_stars_not_central", row.level, level=row.level)
        if (
            (row.level == RecognitionLevel.CENTRAL or row.stars == 5)
            and self.actor
            and not self.actor.is_central
        ):
            self.problem(row.number, "stars", "central_only", str(row.stars))
        if row.recognised_on and row.revoked_on and row.revoked_on < row.recognised_on:
            self.problem(row.number, "revoked_on", "revoked_before", row.revoked_on.strftime("%d/%m/%Y"))
        if row.recognised_on and row.valid_until and row.valid_until < row.recognised_on:
            self.problem(
                row.number, "valid_until", "valid_until_before", row.valid_until.strftime("%d/%m/%Y")
            )

    def check_across_rows(self, rows: list[Row]) -> None:
        """Rows that contradict each other: a product rated twice for one day, a producer in two
        communes, one GTIN on two products."""
        by_recognition: dict[tuple, list[Row]] = defaultdict(list)
        by_producer: dict[tuple, list[Row]] = defaultdict(list)
        by_gtin: dict[str, set] = defaultdict(set)
        gtin_rows: dict[str, list[int]] = defaultdict(list)
        for row in rows:
            by_recognition[(row.product_key, row.recognised_on)].append(row)
            by_producer[row.producer_key].append(row)
            if row.gtin:
                by_gtin[row.gtin].add(row.product_key)
                gtin_rows[row.gtin].append(row.number)
        for (_product, day), group in by_recognition.items():
            if len({r.stars for r in group}) > 1:
                numbers = [r.number for r in group]
                for row in group:
                    self.problem(
                        row.number,
                        "stars",
                        "stars_conflict",
                        str(row.stars),
                        product=row.product,
                        day=day.strftime("%d/%m/%Y"),
                        rows=numbers,
                    )
        for key, group in by_producer.items():
            if key[0] == "tax" and len({(r.province_id, r.commune_id) for r in group}) > 1:
                numbers = [r.number for r in group]
                for row in group:
                    self.problem(
                        row.number,
                        "address",
                        "producer_conflict",
                        row.address,
                        producer=row.producer,
                        tax_code=row.tax_code,
                        rows=numbers,
                    )
        for gtin, products in by_gtin.items():
            if len(products) > 1:
                for number in gtin_rows[gtin]:
                    self.problem(number, "gtin", "gtin_conflict", gtin, gtin=gtin, rows=gtin_rows[gtin])


# ---------------------------------------------------------------------------------------------
# Planning and writing
# ---------------------------------------------------------------------------------------------


@dataclass
class _Plan:
    new_producers: dict[tuple, Producer] = field(default_factory=dict)
    changed_producers: dict[int, tuple[Producer, list[str]]] = field(default_factory=dict)
    producer_of_key: dict[tuple, Producer] = field(default_factory=dict)
    new_products: dict[tuple, Product] = field(default_factory=dict)
    changed_products: dict[int, tuple[Product, list[str]]] = field(default_factory=dict)
    product_of_key: dict[tuple, Product] = field(default_factory=dict)
    new_recognitions: list[tuple[tuple, Recognition]] = field(default_factory=list)
    changed_recognitions: dict[int, tuple[Recognition, list[str]]] = field(default_factory=dict)


class _Planner:
    """Works out creations and changes against what the database already holds."""

    def __init__(self, rows: list[Row], report: Report, checker: _Checker):
        self.rows = rows
        self.report = report
        self.checker = checker
        self.plan = _Plan()

    def run(self) -> _Plan:
        self._producers()
        self._products()
        self._recognitions()
        return self.plan

    def _producers(self) -> None:
        tax_codes = {r.tax_code for r in self.rows if r.tax_code}
        name_keys = {fold(r.producer) for r in self.rows}
        by_tax = {p.tax_code: p for p in Producer.objects.filter(tax_code__in=tax_codes)}
        by_name: dict[tuple, Producer] = {}
        for producer in Producer.objects.filter(name_key__in=name_keys):
            by_name.setdefault(
                (producer.commune_id or f"p{producer.province_id}", producer.name_key), producer
            )
        for row in self.rows:
            key = row.producer_key
            if key in self.plan.producer_of_key:
                continue
            name_key = (row.commune_id or f"p{row.province_id}", fold(row.producer))
            existing = by_tax.get(row.tax_code) if row.tax_code else None
            if existing is None:
                existing = by_name.get(name_key)
                if (
                    existing is not None
                    and row.tax_code
                    and existing.tax_code
                    and existing.tax_code != row.tax_code
                ):
                    existing = None  # same name, another registered business
                if existing is None and row.tax_code and row.tax_code in by_tax:
                    existing = by_tax[row.tax_code]
            if existing is None:
                producer = _NewRow(
                    name=row.producer,
                    name_key=fold(row.producer),
                    kind=row.kind,
                    tax_code=row.tax_code,
                    address=row.address,
                    province_id=row.province_id,
                    commune_id=row.commune_id,
                    historical_province_id=row.historical_province_id,
                    historical_district_id=row.historical_district_id,
                    historical_commune_id=row.historical_commune_id,
                )
                self.plan.new_producers[key] = producer
                self.plan.producer_of_key[key] = producer
                self.report.producers.create += 1
                continue
            changes = self._producer_changes(existing, row)
            self.plan.producer_of_key[key] = existing
            if changes:
                self.plan.changed_producers[existing.pk] = (existing, changes)
                self.report.producers.update += 1
            else:
                self.report.producers.unchanged += 1

    @staticmethod
    def _producer_changes(producer: Producer, row: Row) -> list[str]:
        """Fields the list states and the registry holds otherwise. Empty cells change nothing;
        a type inferred from the name never overrides one on record."""
        wanted = {
            "name": row.producer,
            "address": row.address,
            "province_id": row.province_id,
            "commune_id": row.commune_id,
            "historical_province_id": row.historical_province_id,
            "historical_district_id": row.historical_district_id,
            "historical_commune_id": row.historical_commune_id,
        }
        if row.kind_given:
            wanted["kind"] = row.kind
        if row.tax_code:
            wanted["tax_code"] = row.tax_code
        changed = []
        for name, value in wanted.items():
            if value is None and name.startswith("historical_"):
                continue
            if getattr(producer, name) != value:
                setattr(producer, name, value)
                changed.append(name)
        if "name" in changed:
            producer.name_key = fold(producer.name)
        return changed

    def _products(self) -> None:
        producer_ids = {p.pk for p in self.plan.producer_of_key.values() if p.pk}
        existing: dict[tuple, Product] = {
            (p.producer_id, p.name_key): p for p in Product.objects.filter(producer_id__in=producer_ids)
        }
        gtins = {r.gtin for r in self.rows if r.gtin}
        gtin_owner = {p.gtin: p for p in Product.objects.filter(gtin__in=gtins).select_related("producer")}
        # A product's set and English name may be given on any of its rows (the latest wins).
        set_of: dict[tuple, int] = {}
        name_en_of: dict[tuple, str] = {}
        for row in sorted(self.rows, key=lambda r: r.recognised_on):
            if row.product_set_id:
                set_of[row.product_key] = row.product_set_id
            if row.product_en:
                name_en_of[row.product_key] = row.product_en
        for row in self.rows:
            key = row.product_key
            if key in self.plan.product_of_key:
                continue
            producer = self.plan.producer_of_key[row.producer_key]
            product = existing.get((producer.pk, fold(row.product))) if producer.pk else None
            if row.gtin and row.gtin in gtin_owner and gtin_owner[row.gtin] != product:
                self.checker.problem(
                    row.number,
                    "gtin",
                    "gtin_taken",
                    row.gtin,
                    gtin=row.gtin,
                    product=gtin_owner[row.gtin].name_vi,
                )
                continue
            if product is None:
                product = _NewRow(
                    producer=producer,
                    name_vi=row.product,
                    name_en=name_en_of.get(key, ""),
                    name_key=fold(row.product),
                    group=row.group,
                    product_set_id=set_of.get(key),
                    gtin=row.gtin,
                )
                self.plan.new_products[key] = product
                self.plan.product_of_key[key] = product
                self.report.products.create += 1
                continue
            self.plan.product_of_key[key] = product
            changes = []
            wanted = {"group": row.group}
            if key in set_of:
                wanted["product_set_id"] = set_of[key]
            if key in name_en_of:
                wanted["name_en"] = name_en_of[key]
            if row.gtin:
                wanted["gtin"] = row.gtin
            if row.product != product.name_vi:
                wanted["name_vi"] = row.product
            for name, value in wanted.items():
                if getattr(product, name) != value:
                    setattr(product, name, value)
                    changes.append(name)
            if changes:
                self.plan.changed_products[product.pk] = (product, changes)
                self.report.products.update += 1
            else:
                self.report.products.unchanged += 1

    def _recognitions(self) -> None:
        product_ids = {p.pk for p in self.plan.product_of_key.values() if p.pk}
        existing: dict[tuple, Recognition] = {}
        for recognition in Recognition.objects.filter(product_id__in=product_ids):
            existing.setdefault((recognition.product_id, recognition.recognised_on), recognition)
        seen: set[tuple] = set()
        for row in self.rows:
            product = self.plan.product_of_key.get(row.product_key)
            if product is None:
                continue
            marker = (row.product_key, row.recognised_on)
            if marker in seen:
                continue  # the same recognition listed twice with the same stars
            seen.add(marker)
            values = {
                "stars": row.stars,
                "level": row.level,
                "valid_until": row.valid_until or validity_end(row.recognised_on),
            }
            if row.score is not None:
                values["score"] = row.score
            if row.decision:
                values["decision_no"] = row.decision
            if row.revoked_on:
                values["revoked_on"] = row.revoked_on
                values["revocation_reason"] = row.revocation_reason
            if row.note:
                values["note"] = row.note[:300]
            current = existing.get((product.pk, row.recognised_on)) if product.pk else None
            if current is None:
                recognition = _NewRow(
                    product=product,
                    recognised_on=row.recognised_on,
                    issuer_province_id=row.historical_province_id or row.province_id,
                    **values,
                )
                self.plan.new_recognitions.append((row.product_key, recognition))
                self.report.recognitions.create += 1
                continue
            if not row.level_given:
                values.pop("level")
            if not row.valid_until:
                values.pop("valid_until")
            changes = [name for name, value in values.items() if getattr(current, name) != value]
            for name in changes:
                setattr(current, name, values[name])
            if changes:
                self.plan.changed_recognitions[current.pk] = (current, changes)
                self.report.recognitions.update += 1
            else:
                self.report.recognitions.unchanged += 1


def _preview(plan: _Plan) -> list[dict]:
    rows = []
    for producer in list(plan.new_producers.values())[:PREVIEW_ROWS]:
        rows.append({"action": "create", "kind": "producer", "name": producer.name})
    for producer, fields in list(plan.changed_producers.values())[:PREVIEW_ROWS]:
        rows.append({"action": "update", "kind": "producer", "name": producer.name, "fields": fields})
    for product in list(plan.new_products.values())[:PREVIEW_ROWS]:
        rows.append({"action": "create", "kind": "product", "name": product.name_vi})
    for product, fields in list(plan.changed_products.values())[:PREVIEW_ROWS]:
        rows.append({"action": "update", "kind": "product", "name": product.name_vi, "fields": fields})
    return rows


def _apply(plan: _Plan, report: Report, progress) -> None:
    progress(0, None, _("Writing producers"), force=True)
    _insert(Producer, list(plan.new_producers.values()))
    _bulk_update(plan.changed_producers)
    progress(0, None, _("Writing products"), force=True)
    _insert(Product, list(plan.new_products.values()))
    _bulk_update(plan.changed_products)
    progress(0, None, _("Writing recognitions"), force=True)
    _insert(Recognition, [r for _key, r in plan.new_recognitions])
    _bulk_update(plan.changed_recognitions)
    touched = {p.pk for p in plan.product_of_key.values()}
    report.superseded = _supersede(touched)
    report.applied = True


class _NewRow(SimpleNamespace):
    """A row to insert: its column values as attributes (foreign keys as the related object or
    its id); ``pk`` is given when it is inserted. Lighter than a model instance by far."""

    pk = None


def _insert(model, rows: list[_NewRow]) -> None:
    """Insert many new rows with one prepared statement, their ids allocated up front.

    Django's bulk_create builds an SQL statement per batch (40 rows on SQLite) and prepares
    every value through the field; a national list has ~50,000 rows, and this is several times
    faster. Values are adapted per field type once; model defaults fill what the row omits.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    ops = connection.ops
    adapters = []
    for f in fields:
        internal = f.get_internal_type()
        if internal == "DateField":
            adapters.append(ops.adapt_datefield_value)
        elif internal == "DateTimeField":
            adapters.append(ops.adapt_datetimefield_value)
        elif internal == "DecimalField":
            adapters.append(lambda v, f=f: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places))
        elif internal == "JSONField":
            adapters.append(lambda v, f=f: f.get_db_prep_save(v, connection))
        else:
            adapters.append(None)
    ids = _allocate_ids(model, len(rows), connection)
    params = []
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
        values = [pk]
        for f, adapt in zip(fields, adapters, strict=True):
            if f.is_relation and not hasattr(row, f.attname) and hasattr(row, f.name):
                value = getattr(row, f.name).pk
            elif hasattr(row, f.attname):
                value = getattr(row, f.attname)
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = f.get_default()
            values.append(value if value is None or adapt is None else adapt(value))
        params.append(values)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in [model._meta.pk.column, *(f.column for f in fields)])
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path, many times faster than INSERT statements.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
            return
        placeholders = ", ".join(["%s"] * (len(fields) + 1))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        for start in range(0, len(params), 5000):
            cursor.executemany(sql, params[start : start + 5000])


def _allocate_ids(model, count: int, connection) -> list[int]:
    """Primary keys for ``count`` new rows, taken from the table's own counter."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return [value for (value,) in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # The import's transaction holds SQLite's write lock (transaction_mode IMMEDIATE), so
            # nobody else can take these ids; AUTOINCREMENT's counter never goes backwards.
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0),"
                " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [table],
            )
            first = cursor.fetchone()[0] + 1
            return list(range(first, first + count))
    raise NotImplementedError(f"no id allocation for {connection.vendor}")


def _bulk_update(changed: dict[int, tuple[object, list[str]]]) -> None:
    """Write changed rows in batches. bulk_update skips ``auto_now``: the stamp is moved here,
    since the catalogue's index finds the records to rebuild by it."""
    now = timezone.now()
    by_fields: dict[tuple[str, ...], list] = defaultdict(list)
    for obj, fields in changed.values():
        if hasattr(obj, "updated_at"):
            obj.updated_at = now
            fields = [*fields, "updated_at"]
        by_fields[tuple(sorted(set(fields)))].append(obj)
    for fields, objects in by_fields.items():
        type(objects[0]).objects.bulk_update(objects, list(fields), batch_size=1000)


def _supersede(product_ids: set[int]) -> int:
    """A recognition still in force when the product's next one was granted is superseded by it."""
    changed = []
    # Only products with several recognitions can have one to supersede.
    several = (
        Recognition.objects.filter(product_id__in=product_ids)
        .values("product_id")
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .values("product_id")
    )
    recognitions = Recognition.objects.filter(product_id__in=several).order_by(
        "product_id", "recognised_on", "pk"
    )
    previous = None
    for recognition in recognitions:
        if (
            previous is not None
            and previous.product_id == recognition.product_id
            and previous.superseded_by_id is None
            and previous.recognised_on < recognition.recognised_on
            and previous.status_on(recognition.recognised_on) == "valid"
        ):
            previous.superseded_on = recognition.recognised_on
            previous.superseded_by_id = recognition.pk
            changed.append(previous)
        previous = recognition
    Recognition.objects.bulk_update(changed, ["superseded_on", "superseded_by"], batch_size=1000)
    return len(changed)


# ---------------------------------------------------------------------------------------------
# The one entry point
# ---------------------------------------------------------------------------------------------


def _no_progress(done, total=None, message=None, *, force=False):
    pass


def run_import(
    content: bytes,
    name: str,
    *,
    user=None,
    dry_run: bool = False,
    default_province: str = "",
    progress=_no_progress,
) -> Report:
    """Check a registry list and, unless it has problems or this is a dry run, write it.

    ``user`` is the person importing (their jurisdiction applies); None means the platform
    itself (the command run by an administrator), which may import anywhere.
    """
    report = Report(file=Path(name).name, dry_run=dry_run)
    try:
        rows = read_rows(content, name)
        if not any(any(lf.text(c) for c in row) for row in rows):
            raise ValueProblem("file_empty")
        header = lf.find_header(rows)
    except ValueProblem as problem:
        report.problems.append(Problem(None, None, problem.code, problem.params))
        return report

    checker = _Checker(header, rows, user=user, default_province=default_province, report=report)
    checked = checker.check(progress)
    if not checked and not report.problems:
        report.problems.append(Problem(None, None, "no_rows"))
    # Rows that contradict each other are reported together with the rows' own problems, so that
    # one round of corrections fixes the file (rows with problems of their own are left out here).
    checker.check_across_rows(checked)
    if report.problems:
        report.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
        return report
    progress(len(checked), len(checked), _("Comparing with the registry"), force=True)
    with transaction.atomic():
        plan = _Planner(checked, report, checker).run()
        if report.problems:
            report.problems.sort(key=lambda p: (p.row or 0, p.column or ""))
            return report
        report.preview = _preview(plan)
        if dry_run:
            return report
        _apply(plan, report, progress)
        audit_record(
            actor=user,
            action="registry.import",
            object_type="registry.list",
            object_id=report.file,
            rows=report.rows,
            producers=asdict(report.producers),
            products=asdict(report.products),
            recognitions=asdict(report.recognitions),
        )
    return report
