"""Exporting the registry as lists in the provinces' own columns (.xlsx or .csv).

One row per recognition, oldest first within each product, under a title row, with the
headers of data/registry_columns.yaml, so that importing the file into an empty database
reproduces the registry, texts exactly (ocop/cells.py). Written with XlsxWriter (fast, streaming,
well maintained).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from datetime import date

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ocop import cells
from ocop.collation import by_name

from . import listformat as lf
from .choices import ProducerType, ProductGroup, RecognitionLevel, RecognitionStatus
from .identifiers import display_gtin
from .models import Product, Recognition

# The columns an export writes, in order (row_number first, as in the provinces' lists).
EXPORT_COLUMNS = [
    "row_number",
    "product",
    "producer",
    "producer_type",
    "address",
    "province",
    "group",
    "stars",
    "score",
    "decision",
    "recognised_on",
    "valid_until",
    "level",
    "revoked_on",
    "revocation_reason",
    "tax_code",
    "gtin",
    "commune_code",
    "product_name_en",
    "note",
    # Not a column of the provinces' format, and not read back by an import (the status follows
    # from the dates): the live status on the day of the export, for people reading the list.
    "status",
]
DATE_COLUMNS = {"recognised_on", "valid_until", "revoked_on"}


def headers(language: str, day: date | None = None) -> list[str]:
    day = day or timezone.localdate()
    result = []
    for name in EXPORT_COLUMNS:
        if name == "row_number":
            result.append("STT" if language == "vi" else "No.")
            continue
        if name == "status":
            with override(language):
                result.append(_("Status on %(day)s") % {"day": day.strftime("%d/%m/%Y")})
            continue
        column = lf.column(name)
        result.append(column.vi if language == "vi" else column.en)
    return result


def export_queryset(products: QuerySet) -> QuerySet:
    """Products with everything a row needs, in a fixed number of queries."""
    return (
        products.filter(recognitions__isnull=False)
        .distinct()
        .select_related("producer", "producer__province", "producer__commune", "product_set")
        .prefetch_related(
            Prefetch("recognitions", queryset=Recognition.objects.order_by("recognised_on", "pk"))
        )
        .order_by(
            "producer__province__code", *by_name("producer__name"), "producer_id", *by_name("name_vi"), "pk"
        )
    )


def rows(products: Iterable[Product], language: str = "vi", day: date | None = None) -> Iterator[list]:
    """The data rows (Python values; dates as dates), with each recognition's status on ``day``
    (today by default)."""
    day = day or timezone.localdate()
    number = 0
    with override(language):
        status_labels = {c.value: str(c.label) for c in RecognitionStatus}
        type_labels = {c.value: str(c.label) for c in ProducerType}
        group_labels = {c.value: str(c.label) for c in ProductGroup}
        level_labels = {c.value: str(c.label) for c in RecognitionLevel}
    for product in products:
        producer = product.producer
        group = (
            (product.product_set.name_vi if language == "vi" else product.product_set.name_en)
            if product.product_set
            else group_labels[product.group]
        )
        for recognition in product.recognitions.all():
            number += 1
            values = {
                "row_number": number,
                "product": product.name_vi,
                "producer": producer.name,
                "producer_type": type_labels[producer.kind],
                "address": producer.address,
                "province": producer.province.name,
                "group": group,
                "stars": recognition.stars,
                "score": float(recognition.score) if recognition.score is not None else None,
                "decision": recognition.decision_no,
                "recognised_on": recognition.recognised_on,
                "valid_until": recognition.valid_until,
                "level": level_labels[recognition.level],
                "revoked_on": recognition.revoked_on,
                "revocation_reason": recognition.revocation_reason,
                "tax_code": producer.tax_code or "",
                "gtin": display_gtin(product.gtin) if product.gtin else "",
                "commune_code": producer.commune.code if producer.commune_id else "",
                "product_name_en": product.name_en,
                "note": recognition.note,
                "status": status_labels[recognition.status_on(day)],
            }
            yield [values[name] for name in EXPORT_COLUMNS]


def title(scope: str, language: str, day: date | None = None) -> str:
    day = day or timezone.localdate()
    with override(language):
        return _("LIST OF OCOP PRODUCTS — %(scope)s — exported %(day)s") % {
            "scope": scope,
            "day": day.strftime("%d/%m/%Y"),
        }


def write_csv(products: Iterable[Product], *, language: str = "vi", scope: str = "") -> bytes:
    """UTF-8 with a byte-order mark; texts that a spreadsheet would run as formulas are
    neutralised with a leading quote, which the import removes (ocop/cells.py)."""
    day = timezone.localdate()
    buffer = io.StringIO()
    writer = cells.csv_writer(buffer)
    writer.writerow([title(scope, language, day)])
    writer.writerow(headers(language, day))
    for row in rows(products, language, day):
        writer.writerow([value.strftime("%d/%m/%Y") if isinstance(value, date) else value for value in row])
    # A byte-order mark so that Excel opens the UTF-8 file with its diacritics intact.
    return buffer.getvalue().encode("utf-8-sig")


def write_xlsx(products: Iterable[Product], *, language: str = "vi", scope: str = "", progress=None) -> bytes:
    buffer = io.BytesIO()
    workbook = cells.workbook(buffer)
    sheet = workbook.add_worksheet("OCOP")
    bold = workbook.add_format({"bold": True})
    header_format = workbook.add_format({"bold": True, "bg_color": "#E8F3EC", "border": 1, "text_wrap": True})
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    text_format = workbook.add_format({"num_format": "@"})
    day = timezone.localdate()
    sheet.write(0, 0, title(scope, language, day), bold)
    for index, header in enumerate(headers(language, day)):
        sheet.write_string(2, index, header, header_format)
    text_columns = {EXPORT_COLUMNS.index(n) for n in ("tax_code", "gtin", "commune_code", "decision")}
    row_index = 2
    for row_index, row in enumerate(rows(products, language, day), start=3):
        for index, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, date):
                sheet.write_datetime(row_index, index, value, date_format)
            elif index in text_columns:
                sheet.write_string(row_index, index, str(value), text_format)
            elif isinstance(value, str):
                sheet.write_string(row_index, index, value)  # a name starting with "=" is a name
            else:
                sheet.write_number(row_index, index, value)
        if progress and row_index % 1000 == 0:
            progress(row_index - 2)
    sheet.freeze_panes(3, 2)
    sheet.autofilter(2, 0, max(row_index, 3), len(EXPORT_COLUMNS) - 1)
    sheet.set_column(1, 2, 36)
    sheet.set_column(4, 4, 48)
    sheet.set_column(5, 6, 24)
    workbook.close()
    return buffer.getvalue()
