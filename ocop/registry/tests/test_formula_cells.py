"""Texts that look like formulas: exported as text (never a live formula), read back exactly."""

import csv
import io
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from ocop import cells
from ocop.registry import exporting
from ocop.registry.models import Product, Recognition

from .test_export import _rich_registry, assert_round_trip

NAMES = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "'quoted"]


def _hostile_names():
    """The registry of test_export, its products renamed like formulas, an English name and a
    revocation reason too."""
    _rich_registry()
    for product, name in zip(Product.objects.order_by("pk"), NAMES, strict=True):
        product.name_vi = name
        product.save()
    cake = Product.objects.get(name_vi=NAMES[0])
    cake.name_en = "'=already neutral"
    cake.save()
    Recognition.objects.filter(revoked_on__isnull=False).update(revocation_reason="''+2 vi phạm")


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_formula_like_names_survive_export_and_import_exactly(fmt):
    _hostile_names()
    assert_round_trip(fmt)
    assert sorted(Product.objects.values_list("name_vi", flat=True)) == sorted(NAMES)


@pytest.mark.django_db
def test_the_xlsx_export_holds_texts_never_formulas():
    _hostile_names()
    content = exporting.write_xlsx(exporting.export_queryset(Product.objects.all()))
    sheet = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert sorted({row[1] for row in rows[3:]}) == sorted(NAMES)


@pytest.mark.django_db
def test_the_csv_export_neutralises_formula_like_texts_with_a_quote():
    _hostile_names()
    content = exporting.write_csv(exporting.export_queryset(Product.objects.all()))
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert sorted({row[1] for row in rows[2:]}) == sorted(
        ['\'=HYPERLINK("http://x","y")', "'+1", "'-2", "'@SUM(A1)", "'quoted"]
    )
    assert "''=already neutral" in {row[18] for row in rows[2:]}
    assert "'''+2 vi phạm" in {row[14] for row in rows[2:]}
    assert {row[7] for row in rows[2:]} <= {"3", "4"}  # numbers are never prefixed


def test_neutralising_marks_exactly_the_cells_a_spreadsheet_would_run():
    assert [
        cells.neutral(v) for v in ["=1", "+1", "-1", "@A", "\tx", "\rx", "'=1", "'x", "x=1", -2, 2.5, None]
    ] == [
        "'=1",
        "'+1",
        "'-1",
        "'@A",
        "'\tx",
        "'\rx",
        "''=1",
        "'x",
        "x=1",
        -2,
        2.5,
        None,
    ]


@given(st.text(alphabet=st.sampled_from("'=+-@\t\rabc 1"), max_size=8))
def test_reading_back_a_neutralised_cell_gives_the_text_written(text):
    assert cells.restore(cells.neutral(text)) == text
    assert cells.neutral(text)[:1] not in set("=+-@\t\r")
