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

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

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
    day = timezone.localdate()
    sheet, formats = _list_sheet(workbook, title(scope, language, day), headers(language, day))
    row_index = 2
    for row_index, row in enumerate(rows(products, language, day), start=3):
        _write_row(sheet, row_index, row, formats)
        if progress and row_index % 1000 == 0:
            progress(row_index - 2)
    sheet.autofilter(2, 0, max(row_index, 3), len(EXPORT_COLUMNS) - 1)
    workbook.close()
    return buffer.getvalue()


def _list_sheet(workbook, heading: str, header_cells: list[str]):
    """The list's sheet: a title row, the header row (row 3), frozen, with its cell formats."""
    sheet = workbook.add_worksheet("OCOP")
    header_format = workbook.add_format({"bold": True, "bg_color": "#E8F3EC", "border": 1, "text_wrap": True})
    formats = {
        "date": workbook.add_format({"num_format": "dd/mm/yyyy"}),
        "text": workbook.add_format({"num_format": "@"}),
        "plain": None,
    }
    sheet.write(0, 0, heading, workbook.add_format({"bold": True}))
    for index, header in enumerate(header_cells):
        sheet.write_string(2, index, header, header_format)
    sheet.freeze_panes(3, 2)
    sheet.set_column(1, 2, 36)
    sheet.set_column(4, 4, 48)
    sheet.set_column(5, 6, 24)
    return sheet, formats


_TEXT_COLUMNS = {EXPORT_COLUMNS.index(n) for n in ("tax_code", "gtin", "commune_code", "decision")}


def _write_row(sheet, row_index: int, row: list, formats: dict) -> None:
    """One row: dates as date cells, codes as text cells (leading zeros kept), texts never as
    formulas (a name starting with "=" is a name), numbers as numbers."""
    for index, value in enumerate(row):
        if value is None or value == "":
            continue
        if isinstance(value, date):
            sheet.write_datetime(row_index, index, value, formats["date"])
        elif index in _TEXT_COLUMNS:
            sheet.write_string(row_index, index, str(value), formats["text"])
        elif isinstance(value, str):
            sheet.write_string(row_index, index, value, formats["plain"])
        else:
            sheet.write_number(row_index, index, value, formats["plain"])


# ---------------------------------------------------------------------------------------------
# The template officers fill in: the list's columns, one example row, and a guide sheet
# ---------------------------------------------------------------------------------------------

# Every column of the export but the live status, which an import does not read.
TEMPLATE_COLUMNS = EXPORT_COLUMNS[:-1]
TEMPLATE_EXAMPLE_ROW = 4  # the row, as people count them, that holds the example

# What to write in each column, for the guide sheet.
COLUMN_HELP = {
    "row_number": gettext_lazy("Row number; the import does not read it."),
    "product": gettext_lazy("The product's name, as in the recognition decision."),
    "producer": gettext_lazy(
        "The producer's full name. Without a producer type column, the name must begin with its "
        "type (Hợp tác xã, HTX, Tổ hợp tác, Công ty, Hộ kinh doanh, Cơ sở)."
    ),
    "producer_type": gettext_lazy(
        "Cooperative, cooperative group, enterprise or household business; when empty, it is told "
        "from the producer's name."
    ),
    "address": gettext_lazy(
        "The producer's address: village, commune, (district,) province; the units of the time of "
        "recognition or the current ones."
    ),
    "province": gettext_lazy("The province, when the address does not name it."),
    "group": gettext_lazy("The product group or product set, e.g. Food, Drinks, Handicrafts."),
    "stars": gettext_lazy("From 1 to 5; “3”, “3 sao” and “★★★” are all read."),
    "score": gettext_lazy("The evaluation score, from 0 to 100."),
    "decision": gettext_lazy("The number of the recognition decision, e.g. 123/QĐ-UBND."),
    "recognised_on": gettext_lazy("The date of the recognition decision, dd/mm/yyyy."),
    "valid_until": gettext_lazy("The end of validity, dd/mm/yyyy; when empty, it follows from the date."),
    "level": gettext_lazy(
        "Who recognised it: commune, district, province or central; when empty, it follows from the "
        "stars and the date. Five-star products are recorded by the central office."
    ),
    "revoked_on": gettext_lazy("The date the recognition was revoked, if it was."),
    "revocation_reason": gettext_lazy("Why it was revoked."),
    "tax_code": gettext_lazy("The producer's tax code (10 or 13 digits), if it has one."),
    "gtin": gettext_lazy("The product's barcode (GTIN), if it has one."),
    "commune_code": gettext_lazy("The code of the producer's current commune (5 digits), if known."),
    "product_name_en": gettext_lazy("The product's name in English, if it has one."),
    "note": gettext_lazy("Anything else worth recording."),
}


def template_example_names() -> set[str]:
    """The example row's product name in every language; an import refuses a row that has it."""
    names = set()
    for language, _name in settings.LANGUAGES:
        with override(language):
            names.add(str(_TEMPLATE_PRODUCT))
    return names


_TEMPLATE_PRODUCT = gettext_lazy("EXAMPLE: Lotus tea (replace or delete this row)")


def _template_example(language: str) -> list:
    """A fictional product, written the way provinces write a row."""
    with override(language):
        values = {
            "row_number": 1,
            "product": str(_TEMPLATE_PRODUCT),
            "producer": "Hợp tác xã Trà sen Đồng Tâm",
            "producer_type": str(ProducerType.COOPERATIVE.label),
            "address": "Thôn Đông, Xã Hương Sơn, Thành phố Hà Nội",
            "province": "Thành phố Hà Nội",
            "group": str(ProductGroup.DRINKS.label),
            "stars": 3,
            "score": 68.5,
            "decision": "123/QĐ-UBND",
            "recognised_on": date(2025, 9, 15),
            "level": str(RecognitionLevel.PROVINCE.label),
            "product_name_en": "Lotus tea",
        }
    return [values.get(name) for name in TEMPLATE_COLUMNS]


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_file(language: str) -> tuple[str, bytes]:
    """The template's file name and content in ``language``, as the page and the API serve it."""
    with override(language):
        name = _("ocop-list-template") + ".xlsx"
    return name, write_template(language=language)


def write_template(*, language: str = "vi") -> bytes:
    """An empty list in the export's columns with one example row, and a guide sheet saying
    what to write in each column. Importing it refuses the example row until it is replaced."""
    buffer = io.BytesIO()
    workbook = cells.workbook(buffer)
    with override(language):
        heading = _("LIST OF OCOP PRODUCTS — template: fill one row per recognition")
        guide_name = _("Guide")
        columns = headers(language)[:-1]
        sheet, _plain = _list_sheet(workbook, heading, columns)
        look = {"italic": True, "font_color": "#6B6B6B", "bg_color": "#FFF7D6"}  # an example, not data
        formats = {
            "date": workbook.add_format({**look, "num_format": "dd/mm/yyyy"}),
            "text": workbook.add_format({**look, "num_format": "@"}),
            "plain": workbook.add_format(look),
        }
        _write_row(sheet, TEMPLATE_EXAMPLE_ROW - 1, _template_example(language), formats)
        sheet.write_string(
            1,
            0,
            _("Row %(row)s is an example: replace it or delete it (see the sheet “%(sheet)s”).")
            % {"row": TEMPLATE_EXAMPLE_ROW, "sheet": guide_name},
        )

        guide = workbook.add_worksheet(guide_name)
        bold = workbook.add_format({"bold": True})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        head = workbook.add_format({"bold": True, "bg_color": "#E8F3EC", "border": 1})
        lines = [
            _(
                "Fill one row per recognition on the sheet “OCOP”, under the header row (row 3). "
                "Keep the headers as they are."
            ),
            _(
                "Row %(row)s is an example: replace it with your first product or delete it. "
                "A list that still holds it is refused."
            )
            % {"row": TEMPLATE_EXAMPLE_ROW},
            _(
                "Columns marked required must be filled; the others may be left empty. "
                "Write dates as dd/mm/yyyy."
            ),
            _(
                "Upload the file on the import page: nothing is written until you have seen what "
                "the import will do and confirmed it."
            ),
        ]
        guide.write_string(0, 0, _("How to fill in the list of OCOP products"), bold)
        for index, line in enumerate(lines, start=1):
            guide.write_string(index, 0, f"{index}. {line}")
        top = len(lines) + 2
        for index, text in enumerate([_("Column"), _("Required"), _("What to write"), _("Example")]):
            guide.write_string(top, index, text, head)
        example_row = _template_example(language)
        for offset, (name, header, value) in enumerate(
            zip(TEMPLATE_COLUMNS, columns, example_row, strict=True), 1
        ):
            shown = (
                value.strftime("%d/%m/%Y") if isinstance(value, date) else "" if value is None else str(value)
            )
            guide.write_string(top + offset, 0, header, bold)
            guide.write_string(top + offset, 1, _("required") if lf.column(name).required else "")
            guide.write_string(top + offset, 2, str(COLUMN_HELP[name]), wrap)
            guide.write_string(top + offset, 3, shown, wrap)
        guide.set_column(0, 0, 24)
        guide.set_column(1, 1, 12)
        guide.set_column(2, 2, 80)
        guide.set_column(3, 3, 36)
    workbook.close()
    return buffer.getvalue()
