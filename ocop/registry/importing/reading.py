"""Reading an uploaded list into rows of cells, within the import limits.

Spreadsheets are checked before they are opened (:mod:`ocop.registry.sheetcheck`); CSV files are
decoded by their content and read line by line, each line and field bounded.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from pathlib import Path

from django.conf import settings

from ocop import cells

from .. import sheetcheck
from ..listformat import ValueProblem

# .xlsb is not read: its binary sheets cannot be checked before reading (see sheetcheck).
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


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
