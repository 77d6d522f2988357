"""Hostile registry lists, made at test time: files that once crashed, hung or fooled the reader."""

from __future__ import annotations

import codecs
import io
import struct
import unicodedata
import zipfile

from .listfiles import xls

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
SHEET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def xlsx_parts(
    sheet_data: str = "", *, dimension: str = "", extra: dict | None = None, compress: int = 6
) -> bytes:
    """An .xlsx written part by part: a sheet with ``sheet_data`` (and a declared
    ``<dimension ref>`` when given), plus any ``extra`` parts (name -> bytes or text)."""
    sheet = SHEET_OPEN
    if dimension:
        sheet += f'<dimension ref="{dimension}"/>'
    sheet += f"<sheetData>{sheet_data}</sheetData></worksheet>"
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": PACKAGE_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet,
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=compress) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def sparse_xlsx() -> bytes:
    """Two cells, A1 and XFD1048576, and no declared dimension: 1.5 KB that asked the reader
    for a 512 GB grid."""
    return xlsx_parts(
        '<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>2</v></c></row>'
    )


def sparse_xlsx_by_excel_writer() -> bytes:
    """The same two cells written by XlsxWriter, which declares the dimension A1:XFD1048576."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_number(0, 0, 1)
    sheet.write_number(1_048_575, 16_383, 2)
    book.close()
    return buffer.getvalue()


def wide_xlsx() -> bytes:
    """One row of values reaching column BA (53), cells without references (positions implied)."""
    return xlsx_parts("<row>" + "<c><v>1</v></c>" * 53 + "</row>")


def xlsx_bomb(megabytes: int) -> bytes:
    """A sheet part of ``megabytes`` MB of blank space inside <sheetData>: a few KB compressed."""
    return xlsx_parts(" " * (megabytes * 1_048_576), compress=9)


def billion_laughs_xlsx() -> bytes:
    """sharedStrings.xml declaring nested entities that would expand to a billion "lol"s."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10)
    )
    shared = (
        f'<?xml version="1.0"?><!DOCTYPE sst [{entities}]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
    )
    return xlsx_parts('<row r="1"><c r="A1" t="s"><v>0</v></c></row>', extra={"xl/sharedStrings.xml": shared})


def not_a_workbook_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("ds-ocop.txt", "Bánh tét lá cẩm")
    return buffer.getvalue()


ODS_CONTENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
    '<office:body><office:spreadsheet><table:table table:name="Danh sách">{rows}</table:table>'
    "</office:spreadsheet></office:body></office:document-content>"
)


ODS_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
    '<manifest:file-entry manifest:full-path="/" '
    'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods(rows: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", ODS_CONTENT.format(rows=rows), zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", ODS_MANIFEST, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def encrypted_ods() -> bytes:
    """What LibreOffice writes for a password: the manifest says how each part is encrypted."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", bytes(range(256)) * 4, zipfile.ZIP_DEFLATED)
        archive.writestr(
            "META-INF/manifest.xml",
            ODS_MANIFEST.replace(
                'manifest:media-type="text/xml"/>',
                'manifest:media-type="text/xml"><manifest:encryption-data manifest:checksum-type="SHA1/1K" '
                'manifest:checksum="x"/></manifest:file-entry>',
            ),
        )
    return buffer.getvalue()


def ods_bomb() -> bytes:
    """One text cell repeated over every column of every row: 17 billion cells in 700 bytes."""
    return ods(
        '<table:table-row table:number-rows-repeated="1048576">'
        '<table:table-cell office:value-type="string" table:number-columns-repeated="16384">'
        "<text:p>x</text:p></table:table-cell></table:table-row>"
    )


def ods_trailing_blank_rows() -> bytes:
    """What LibreOffice writes after the last row: blank rows repeated to the end of the grid."""
    return ods(
        '<table:table-row><table:table-cell office:value-type="string"><text:p>x</text:p>'
        '</table:table-cell></table:table-row><table:table-row table:number-rows-repeated="1048575">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )


def xls_huge_dimensions(header: list[str], rows: list[list]) -> bytes:
    """An .xls whose sheet declares rows 0 to 4,294,967,294 and 65,535 columns."""
    content = bytearray(xls(header, rows))
    at = content.find(b"\x00\x02\x0e\x00")  # the DIMENSIONS record, 14 bytes
    struct.pack_into("<IIHH", content, at + 4, 0, 0xFFFFFFFF, 0, 0xFFFF)
    return bytes(content)


def xls_far_cell(header: list[str], rows: list[list]) -> bytes:
    """An .xls with a cell at row 65,536, column IV (the last BIFF8 can address)."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("DS")
    for index, text in enumerate(header):
        sheet.write(0, index, text)
    sheet.write(65_535, 255, "x")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def encrypted_xlsx() -> bytes:
    """What Excel writes for a workbook saved with a password: an OLE2 compound file holding
    EncryptionInfo and EncryptedPackage streams instead of a zip. Made with xlwt's compound-file
    writer, its one stream renamed."""
    from xlwt.CompoundDoc import XlsDoc

    buffer = io.BytesIO()
    XlsDoc().save(buffer, b"\x00" * 8192)
    content = buffer.getvalue()
    old = "Workbook\x00".encode("utf-16-le").ljust(64, b"\x00") + struct.pack("<H", 18)
    new = "EncryptedPackage\x00".encode("utf-16-le").ljust(64, b"\x00") + struct.pack("<H", 34)
    assert content.count(old) == 1
    return content.replace(old, new)


def utf16(text: str, *, byte_order: str = "le", bom: bool = True) -> bytes:
    encoded = text.encode(f"utf-16-{byte_order}")
    if not bom:
        return encoded
    return (codecs.BOM_UTF16_LE if byte_order == "le" else codecs.BOM_UTF16_BE) + encoded


def cp1258(text: str) -> bytes:
    """Text as Excel on a Vietnamese Windows saves a CSV: Windows-1258, whose letters carry their
    vowel marks (â, ơ, ư) but whose five tone marks are combining characters after them."""
    encoded = bytearray()
    for character in text:
        try:
            encoded += character.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", character)
            tone = next(mark for mark in decomposed if mark in "\u0300\u0301\u0303\u0309\u0323")
            encoded += unicodedata.normalize("NFC", decomposed.replace(tone, "")).encode("cp1258")
            encoded += tone.encode("cp1258")
    return bytes(encoded)
