"""Writing registry lists the way provinces write them, and reading the registry back as a list
can express it, for the import and export tests."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

# The columns most provinces' lists have.
HEADER = [
    "STT",
    "Tên sản phẩm",
    "Tên chủ thể",
    "Địa chỉ",
    "Nhóm sản phẩm",
    "Hạng sao",
    "Ngày công nhận",
    "Mã số thuế",
]


def xlsx(
    header: list[str], rows: list[list], *, titles: tuple[str, ...] = (), footer: tuple[list, ...] = ()
) -> bytes:
    """An .xlsx workbook: merged title rows, a blank row, the header, the rows, total rows.
    Dates go in as Excel date cells, as officers' spreadsheets hold them."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Danh sách")
    bold = book.add_format({"bold": True, "align": "center"})
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    line = 0
    for title in titles:
        sheet.merge_range(line, 0, line, len(header) - 1, title, bold)
        line += 1
    if titles:
        line += 1  # a blank row under the titles
    for index, text in enumerate(header):
        sheet.write_string(line, index, text, bold)
    for row in [*rows, *footer]:
        line += 1
        for index, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, date | datetime):
                sheet.write_datetime(line, index, datetime(value.year, value.month, value.day), date_format)
            elif isinstance(value, str):
                sheet.write_string(line, index, value)
            else:
                sheet.write(line, index, value)
    book.close()
    return buffer.getvalue()


def xls(header: list[str], rows: list[list], *, titles: tuple[str, ...] = ()) -> bytes:
    """The old .xls format (Excel 97-2003), still common in provincial offices."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("DS")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    line = 0
    for title in titles:
        sheet.write(line, 0, title)
        line += 1
    for index, text in enumerate(header):
        sheet.write(line, index, text)
    for row in rows:
        line += 1
        for index, value in enumerate(row):
            if isinstance(value, date):
                sheet.write(line, index, datetime(value.year, value.month, value.day), date_style)
            elif value is not None:
                sheet.write(line, index, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(
    header: list[str], rows: list[list], *, titles=(), delimiter=",", encoding="utf-8-sig"
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    for title in titles:
        writer.writerow([title])
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            ["" if v is None else (v.strftime("%d/%m/%Y") if isinstance(v, date) else v) for v in row]
        )
    return buffer.getvalue().encode(encoding)


def registry_state() -> dict:
    """The registry as the list format can express it, independent of row ids."""
    from ocop.registry.models import Producer, Product, Recognition

    producers = sorted(
        Producer.objects.values_list(
            "name",
            "kind",
            "tax_code",
            "address",
            "province__code",
            "commune__code",
            "historical_province__code",
            "historical_district__code",
            "historical_commune__code",
        )
    )
    products = sorted(
        Product.objects.values_list(
            "producer__name", "name_vi", "name_en", "group", "product_set__code", "gtin"
        )
    )
    recognitions = sorted(
        Recognition.objects.values_list(
            "product__name_vi",
            "stars",
            "score",
            "level",
            "decision_no",
            "recognised_on",
            "valid_until",
            "revoked_on",
            "revocation_reason",
            "superseded_on",
        )
    )
    return {"producers": producers, "products": products, "recognitions": recognitions}
