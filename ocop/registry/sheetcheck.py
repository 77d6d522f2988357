"""Checking a spreadsheet before any reader opens it, so that reading it takes memory bounded by
the cells that exist.

A pure core (no Django). python-calamine, the reader, holds each sheet as a dense grid from its
first to its last cell with a value: two cells at A1 and XFD1048576 make a 512 GB grid and the
process aborts, whatever the file's size; a zip part may also unpack to gigabytes. So before
calamine sees a file, this module reads its structure with the standard library, streaming,
within :class:`Limits`, and raises :class:`~ocop.registry.listformat.ValueProblem` (a stable code
and the parameters of its message) on the first limit passed:

* Zip archives (.xlsx, .ods): the number of parts, then each part's uncompressed size, the
  total and each part's compression ratio, all from the archive's directory before anything is
  unpacked. Then every part is unpacked in chunks (never beyond its stated size; a wrong
  checksum is refused). A part that starts like XML is parsed with expat: a document type
  declaration (DTD, hence any entity expansion, "billion laughs") is refused, so is malformed
  XML, and the cells with a value must lie within the rows and columns limits: .xlsx ``<c>``
  cells with their ``r`` reference (or their implied position) and each worksheet's declared
  ``<dimension ref>``; .ods cells with their ``number-rows-repeated`` and
  ``number-columns-repeated`` counts. A part that is not XML may not hold ``sheetData`` (the
  reader's tolerant XML parser would otherwise find cells in it). Every part is checked, not
  only the first sheet's: which part the reader takes for a sheet depends on its version.
* .xls (OLE2 compound file, BIFF5/8): each sheet's declared DIMENSIONS record and every cell
  record, from the Workbook stream read with olefile, starting where the workbook says each
  sheet starts, as the reader does.
* Password-protected workbooks (an OOXML package inside an OLE2 file, an .xls with a FILEPASS
  record, an .ods whose manifest lists encryption data) and Excel binary workbooks (.xlsb, whose sheets cannot be checked) are
  refused with a message saying what to do.

The file is classified by its content, as the reader does, not by its name.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from xml.parsers import expat

from .listformat import ValueProblem

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CHUNK = 1 << 16


@dataclass(frozen=True)
class Limits:
    rows: int  # the last row a sheet may use
    columns: int  # the last column a sheet may use
    unpacked_bytes: int  # uncompressed bytes of one part, and of all parts together
    ratio: int  # how many times a part may be compressed
    parts: int  # parts in a zip archive


def check(content: bytes, name: str, limits: Limits) -> None:
    """Refuse (ValueProblem) a spreadsheet that would take memory beyond ``limits`` to read."""
    file = PurePosixPath(name.replace("\\", "/")).name
    if content.startswith(ZIP_MAGIC):
        _check_zip(content, file, limits)
    elif content.startswith(OLE_MAGIC):
        _check_ole(content, file, limits)
    else:
        raise ValueProblem("not_spreadsheet", file=file)


def column_letters(number: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------------------------------------
# Zip archives: .xlsx and .ods
# ---------------------------------------------------------------------------------------------


def _zip_entries(content: bytes) -> int | None:
    """The number of entries the archive's end record states, read before zipfile builds one
    object per entry (a 30 MB archive can list 600,000 empty entries)."""
    tail = content[-(22 + 65_535) :]
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return None
    entries = struct.unpack_from("<H", tail, at + 10)[0]
    if entries == 0xFFFF and at >= 20 and tail[at - 20 : at - 16] == b"PK\x06\x07":
        # Zip64: the locator gives the offset of the zip64 end record, which holds the count.
        offset = struct.unpack_from("<Q", tail, at - 12)[0]
        if content[offset : offset + 4] == b"PK\x06\x06" and len(content) >= offset + 40:
            entries = struct.unpack_from("<Q", content, offset + 32)[0]
    return entries


def _check_zip(content: bytes, file: str, limits: Limits) -> None:
    entries = _zip_entries(content)
    if entries is None:
        raise ValueProblem("archive_damaged", file=file)
    if entries > limits.parts:
        raise ValueProblem("too_many_parts", file=file, count=entries, limit=limits.parts)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise ValueProblem("archive_damaged", file=file) from None
    infos = archive.infolist()
    if len(infos) > limits.parts:
        raise ValueProblem("too_many_parts", file=file, count=len(infos), limit=limits.parts)
    names = {info.filename.lower().lstrip("/") for info in infos}
    if "xl/workbook.bin" in names or "xl/_rels/workbook.bin.rels" in names:
        raise ValueProblem("xlsb", file=file)
    if "[content_types].xml" not in names and "mimetype" not in names:
        raise ValueProblem("not_workbook", file=file)
    total = 0
    for info in infos:
        part = info.filename
        if info.flag_bits & 0x1:
            raise ValueProblem("password", file=file)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValueProblem("compression_method", file=file, part=part)
        if info.file_size > limits.unpacked_bytes:
            raise ValueProblem(
                "part_too_large",
                file=file,
                part=part,
                size=_mb(info.file_size),
                limit=_mb(limits.unpacked_bytes),
            )
        total += info.file_size
        if total > limits.unpacked_bytes:
            raise ValueProblem("archive_too_large", file=file, limit=_mb(limits.unpacked_bytes))
        if info.file_size > limits.ratio * max(info.compress_size, 1) and info.file_size > CHUNK:
            raise ValueProblem(
                "compression_ratio",
                file=file,
                part=part,
                ratio=info.file_size // max(info.compress_size, 1),
                limit=limits.ratio,
            )
    if "meta-inf/manifest.xml" in names and _ods_encrypted(archive):
        raise ValueProblem("password", file=file)
    sheet_names = _sheet_names(archive)
    for info in infos:
        if not info.is_dir():
            _check_part(archive, info, file, sheet_names, limits)


def _mb(size: int) -> str:
    return f"{size / 1_048_576:.1f}".removesuffix(".0")


def _check_part(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, file: str, sheet_names: dict, limits: Limits
):
    part = info.filename
    scanner = None
    carry = b""  # the end of the previous chunk, to find "sheetData" across chunk boundaries
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                if scanner is None:
                    head = chunk.lstrip(b"\xef\xbb\xbf\xff\xfe \t\r\n\x00")
                    scanner = _CellScanner(
                        file, part, sheet_names.get(part.lower().lstrip("/"), part), limits
                    )
                    scanner.xml = head.startswith(b"<") or chunk.startswith((b"\xff\xfe", b"\xfe\xff"))
                if scanner.xml:
                    scanner.feed(chunk)
                elif b"sheetdata" in (carry + chunk).lower():
                    raise ValueProblem("xml_malformed", file=file, part=part, line=1)
                carry = chunk[-16:]
            if scanner is not None and scanner.xml:
                scanner.feed(b"", final=True)
    except ValueProblem:
        raise
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):  # a wrong checksum, a truncated part
        raise ValueProblem("part_damaged", file=file, part=part) from None


class _CellScanner:
    """Streams one XML part through expat and tracks where its cells with a value lie.

    .xlsx: ``<c r="B7">`` (or without ``r``: the next column of the current ``<row>``) counts
    when a ``<v>``, ``<is>`` or ``<f>`` follows it before the next cell or row; a worksheet's
    ``<dimension ref>`` is checked as declared. .ods: ``table:table-cell`` and
    ``table:covered-table-cell`` with their repeat counts, counted when they have a value type
    or content, in rows repeated ``number-rows-repeated`` times. Both vocabularies are looked
    for in every part, by local name whatever the prefix, which can only find more cells than
    the reader does, never fewer. A sheet of a million cells takes a few seconds: expat calls
    back for every element, so the handlers do as little as they can.
    """

    def __init__(self, file: str, part: str, sheet: str, limits: Limits):
        self.file, self.part, self.sheet, self.limits = file, part, sheet, limits
        self.max_row, self.max_column = limits.rows, limits.columns
        self.xml = True
        self.parser = expat.ParserCreate()
        self.parser.ordered_attributes = True
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype
        self.parser.StartElementHandler = self._start
        self.handlers: dict[str, object] = {}  # element name -> handler, by its local name
        self.by_local = {
            "c": self._cell,
            "row": self._row,
            "v": self._value,
            "is": self._value,
            "f": self._value,
            "dimension": self._dimension,
            "table": self._table,
            "table-row": self._table_row,
            "table-cell": self._table_cell,
            "covered-table-cell": self._table_cell,
        }
        # .xlsx
        self.row = 0
        self.column = 0
        self.cell: tuple[int, int] | None = None
        # .ods: per open table [row position, rows of the current row element, column position]
        self.tables: list[list[int]] = []
        self.table_names: list[str] = []
        self.ods_cell: tuple[int, int] | None = None  # its last row and last column

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self.parser.Parse(chunk, final)
        except expat.ExpatError as exc:
            raise ValueProblem("xml_malformed", file=self.file, part=self.part, line=exc.lineno) from None

    def _doctype(self, *args) -> None:
        raise ValueProblem("xml_dtd", file=self.file, part=self.part)

    def _start(self, name: str, attributes: list) -> None:
        # The two elements of every cell first, inline: a call less per element is a second less
        # per million cells.
        if name == "v":
            cell = self.cell
            if cell is not None and (cell[0] > self.max_row or cell[1] > self.max_column):
                self._over(*cell)
            return
        if name == "c" and attributes and attributes[0] == "r":
            reference = attributes[1]
            letters = reference.rstrip("0123456789")
            column = self._COLUMNS.get(letters)
            if column is not None and len(letters) < len(reference):
                self.column = column
                self.cell = (int(reference[len(letters) :]), column)
                return
        handler = self.handlers.get(name)
        if handler is None:
            handler = self.handlers[name] = self.by_local.get(name.rpartition(":")[2], self._other)
        handler(name, attributes)

    def _other(self, name: str, attributes: list) -> None:
        if self.ods_cell is not None:  # content in an .ods cell
            self._over(*self.ods_cell)
            self.ods_cell = None

    def _over(self, row: int, column: int) -> None:
        if row <= self.max_row and column <= self.max_column:
            return
        sheet = self.table_names[-1] if self.table_names else self.sheet
        if row > self.max_row:
            raise ValueProblem("sheet_rows", file=self.file, sheet=sheet, row=row, limit=self.max_row)
        raise ValueProblem(
            "sheet_columns", file=self.file, sheet=sheet, column=column_letters(column), limit=self.max_column
        )

    @staticmethod
    def _attribute(attributes: list, name: str) -> str | None:
        for index in range(0, len(attributes), 2):
            key = attributes[index]
            if key == name or key.endswith(":" + name):
                return attributes[index + 1]
        return None

    # .xlsx ---------------------------------------------------------------------------------

    _REF = re.compile(r"\s*\$?([A-Za-z]{0,4})\s*\$?0*(\d{1,12})\s*\Z")
    _COLUMNS: dict[str, int] = {}

    def _reference(self, value: str) -> tuple[int, int] | None:
        """(row, column) of "B7"; column 0 when the reference has no letters."""
        letters = value.rstrip("0123456789")
        column = self._COLUMNS.get(letters)
        if column is None or len(letters) == len(value):
            match = self._REF.match(value)
            if match is None:
                return None
            letters, digits = match.groups()
            column = 0
            for letter in letters.upper():
                column = column * 26 + ord(letter) - 64
            if len(self._COLUMNS) < 10_000:
                self._COLUMNS[letters] = column
            return int(digits), column
        return int(value[len(letters) :]), column

    def _cell(self, name: str, attributes: list) -> None:
        reference = attributes[1] if attributes and attributes[0] == "r" else self._attribute(attributes, "r")
        position = self._reference(reference) if reference else None
        if position is None or not position[1]:
            position = (position[0] if position else self.row, self.column + 1)
        self.column = position[1]
        self.cell = position

    def _value(self, name: str, attributes: list) -> None:
        if self.cell is not None:
            self._over(*self.cell)
        self._other(name, attributes)

    def _row(self, name: str, attributes: list) -> None:
        number = self._attribute(attributes, "r")
        self.row = int(number) if number and number.strip().isdigit() else self.row + 1
        self.column = 0
        self.cell = None

    def _dimension(self, name: str, attributes: list) -> None:
        last = self._reference((self._attribute(attributes, "ref") or "").rpartition(":")[2])
        if last is not None:
            self._over(*last)

    # .ods ----------------------------------------------------------------------------------

    def _table(self, name: str, attributes: list) -> None:
        if ":" not in name:  # an .xlsx table part's <table>, not an .ods table:table
            return
        if not self.tables:
            self.parser.EndElementHandler = self._end
        self.tables.append([0, 1, 0])
        self.table_names.append(self._attribute(attributes, "name") or self.sheet)

    @staticmethod
    def _count(value: str | None) -> int:
        return max(1, int(value)) if value and value.strip().isdigit() else 1

    def _table_row(self, name: str, attributes: list) -> None:
        self.ods_cell = None
        if self.tables:
            table = self.tables[-1]
            table[1] = self._count(self._attribute(attributes, "number-rows-repeated"))
            table[2] = 0

    def _table_cell(self, name: str, attributes: list) -> None:
        self.ods_cell = None
        if not self.tables:
            return
        table = self.tables[-1]
        table[2] += self._count(self._attribute(attributes, "number-columns-repeated"))
        self.ods_cell = (table[0] + table[1], table[2])
        if self._attribute(attributes, "value-type") is not None:
            self._other(name, attributes)

    def _end(self, name: str) -> None:
        local = name.rpartition(":")[2]
        if local in ("table-cell", "covered-table-cell"):
            self.ods_cell = None
        elif local == "table-row" and self.tables:
            table = self.tables[-1]
            table[0] += table[1]
            table[1] = 1
        elif local == "table" and ":" in name and self.tables:
            self.tables.pop()
            self.table_names.pop()


def _ods_encrypted(archive: zipfile.ZipFile) -> bool:
    """An .ods saved with a password lists how each part is encrypted in its manifest."""
    info = next(i for i in archive.infolist() if i.filename.lower().lstrip("/") == "meta-inf/manifest.xml")
    try:
        return b"encryption-data" in archive.read(info)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return False  # the part check names the damage


def _refuse_dtd(*args) -> None:
    raise ValueError("a DTD")


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part (lower case) -> the sheet's name, for messages; best effort, small parts only.

    .ods sheets are named by their table:name as they are met (the one content part)."""
    names: dict[str, str] = {}
    try:
        workbook = archive.getinfo("xl/workbook.xml")
        relations = archive.getinfo("xl/_rels/workbook.xml.rels")
    except KeyError:
        return names
    if workbook.file_size > 1_048_576 or relations.file_size > 1_048_576:
        return names
    ids: dict[str, str] = {}
    targets: dict[str, str] = {}

    def on_sheet(name, attributes):
        if name.rpartition(":")[2] == "sheet":
            rel = next((v for k, v in attributes.items() if k.rpartition(":")[2] == "id"), None)
            if rel and attributes.get("name"):
                ids[rel] = attributes["name"]

    def on_relation(name, attributes):
        if name.rpartition(":")[2] == "Relationship" and attributes.get("Id"):
            target = attributes.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            targets[attributes["Id"]] = path.lower()

    for info, handler in ((workbook, on_sheet), (relations, on_relation)):
        parser = expat.ParserCreate()
        parser.StartDoctypeDeclHandler = _refuse_dtd
        parser.StartElementHandler = handler
        try:
            parser.Parse(archive.read(info), True)
        except (expat.ExpatError, ValueError, zipfile.BadZipFile, OSError, EOFError):
            return {}
    for rel, name in ids.items():
        if rel in targets:
            names[targets[rel]] = name
    return names


# ---------------------------------------------------------------------------------------------
# OLE2 compound files: .xls, and password-protected .xlsx
# ---------------------------------------------------------------------------------------------

# BIFF records that give the reader a cell (python-calamine's list; blanks are skipped by it).
_CELL_RECORDS = {0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, 0x00FD, 0x0006}
_MULRK, _DIMENSIONS, _BOF, _EOF, _BOUNDSHEET, _FILEPASS = 0x00BD, 0x0200, 0x0809, 0x000A, 0x0085, 0x002F


def _check_ole(content: bytes, file: str, limits: Limits) -> None:
    import olefile

    try:
        ole = olefile.OleFileIO(content)
    except Exception:  # olefile raises OSError and several of its own types on damaged files
        raise ValueProblem("archive_damaged", file=file) from None
    with ole:
        streams = {"/".join(entry).lower(): entry for entry in ole.listdir()}
        if "encryptedpackage" in streams or "encryptioninfo" in streams:
            raise ValueProblem("password", file=file)
        entry = streams.get("workbook") or streams.get("book")
        if entry is None:
            raise ValueProblem("not_spreadsheet", file=file)
        try:
            stream = ole.openstream(entry).read()
        except Exception:
            raise ValueProblem("archive_damaged", file=file) from None
    _check_biff(stream, file, limits)


def _records(stream: bytes, offset: int):
    """(type, data) of the BIFF records from ``offset`` until the end of the stream."""
    while offset + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, offset)
        yield kind, stream[offset + 4 : offset + 4 + size]
        offset += 4 + size


def _check_biff(stream: bytes, file: str, limits: Limits) -> None:
    sheets: list[tuple[int, str]] = []
    for kind, data in _records(stream, 0):
        if kind == _FILEPASS:
            raise ValueProblem("password", file=file)
        if kind == _BOUNDSHEET and len(data) >= 8:
            sheets.append((struct.unpack_from("<I", data)[0], _biff_name(data[6:])))
        if kind == _EOF:
            break
    for offset, sheet in sheets:
        _check_biff_sheet(stream, offset, file, sheet, limits)


def _biff_name(data: bytes) -> str:
    """A BIFF8 ShortXLUnicodeString (or a BIFF5 byte string), for messages."""
    if len(data) < 2:
        return ""
    length, flags = data[0], data[1]
    if flags & 0x1:
        return data[2 : 2 + 2 * length].decode("utf-16-le", "replace")
    return data[2 : 2 + length].decode("latin-1")


def _check_biff_sheet(stream: bytes, offset: int, file: str, sheet: str, limits: Limits) -> None:
    def over(row: int, column: int) -> None:
        if row > limits.rows:
            raise ValueProblem("sheet_rows", file=file, sheet=sheet, row=row, limit=limits.rows)
        if column > limits.columns:
            raise ValueProblem(
                "sheet_columns", file=file, sheet=sheet, column=column_letters(column), limit=limits.columns
            )

    depth = 0  # nested substreams (embedded charts) are skipped, as the reader does
    seen_bof = False
    for kind, data in _records(stream, offset):
        if depth:
            depth += {_BOF: 1, _EOF: -1}.get(kind, 0)
            continue
        if kind == _BOF:
            if seen_bof:
                depth = 1
            seen_bof = True
        elif kind == _EOF:
            return
        elif kind == _DIMENSIONS:
            if len(data) >= 14:  # BIFF8: first row, last row + 1 (32 bits), first column, last column + 1
                _first, rows, _first_column, columns = struct.unpack_from("<IIHH", data)
            elif len(data) >= 8:  # BIFF5
                _first, rows, _first_column, columns = struct.unpack_from("<HHHH", data)
            else:
                continue
            over(rows, columns)
        elif kind in _CELL_RECORDS and len(data) >= 4:
            row, column = struct.unpack_from("<HH", data)
            over(row + 1, column + 1)
        elif kind == _MULRK and len(data) >= 6:
            row, column = struct.unpack_from("<HH", data)
            last = max(struct.unpack_from("<H", data, len(data) - 2)[0], column + (len(data) - 6) // 6)
            over(row + 1, last + 1)
