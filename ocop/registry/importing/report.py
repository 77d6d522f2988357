"""What an import found and did: its problems (row, column, reason) and its counts.

Every message a list can be refused with is here, keyed by a stable code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext_lazy

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
    "template_example": gettext_lazy(
        "This is the template's example row: replace it with a product of yours or delete it."
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
    # Rows outside the importer's level or jurisdiction that match the registry: left as they were.
    kept: int = 0
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
            "kept": self.kept,
            "preview": self.preview,
        }
