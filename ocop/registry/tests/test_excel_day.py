"""The officer's Excel day: export the province, edit in Excel, import again; and the template."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from python_calamine import CalamineWorkbook

from ocop.jobs.models import Job
from ocop.registry import listformat as lf
from ocop.registry.exporting import TEMPLATE_COLUMNS
from ocop.registry.importing import run_import
from ocop.registry.models import Product, Recognition

from .listfiles import HEADER, xlsx
from .test_import import registry_snapshot

TAY_NINH = "Xã Thái Bình, Huyện Châu Thành, Tỉnh Tây Ninh"
# Tây Ninh (80, with the former Long An) is officer_a's province.
PROVINCE_LIST = [
    [1, "Mứt gừng", "HTX Gừng Tây Ninh", TAY_NINH, "Thực phẩm", 4, date(2022, 6, 1), ""],
    [
        2,
        "Bánh tráng phơi sương",
        "Công ty TNHH Thực phẩm Thái Bình",
        TAY_NINH,
        "Thực phẩm",
        5,
        date(2023, 3, 10),
        "",
    ],
    [
        3,
        "Dưa lưới Thủy Đông",
        "Tổ hợp tác dưa lưới Thủy Đông",
        "Xã Thuỷ Đông, huyện Thạnh Hoá, tỉnh Long An",
        "Rau, củ, quả, hạt tươi",
        3,
        date(2024, 11, 2),
        "",
    ],
]


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(user)
    return client


def _sheet(content: bytes, index: int = 0) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(index).to_python()


def _edited(rows: list[list], product: str, column: str, value) -> bytes:
    """The export as an officer saves it after changing one cell in Excel."""
    header = rows[2]
    index = header.index(column)
    body = [list(row) for row in rows[3:]]
    target = next(row for row in body if row[1] == product)
    target[index] = value
    return xlsx(header, body, titles=(rows[0][0],))


def _row_of(rows: list[list], product: str) -> int:
    """The row number people see in Excel."""
    return next(i for i, row in enumerate(rows) if len(row) > 1 and row[1] == product) + 1


@pytest.fixture
def province_export(geo, officer_a, django_capture_on_commit_callbacks):
    """The province's list as the central office recorded it, exported by officer_a from the
    product list page (a background job), in Vietnamese."""
    assert run_import(xlsx(HEADER, PROVINCE_LIST), "tay-ninh.xlsx").status == "applied"
    with django_capture_on_commit_callbacks(execute=True):
        _client(officer_a).post("/manage/products/export/", {"format": "xlsx", "province": "80"})
    job = Job.objects.get(kind="registry.export")
    assert job.status == "succeeded", job.error
    with job.output_file.open("rb") as file:
        return file.read()


@pytest.mark.django_db
def test_a_province_officer_imports_their_own_export_unchanged(province_export, officer_a):
    rows = _sheet(province_export)
    assert [row[rows[2].index("Hạng sao")] for row in rows[3:]] == [5, 4, 3]  # with the central row
    before = registry_snapshot()  # every column, updated_at included

    report = run_import(province_export, "ocop-80.xlsx", user=officer_a)

    assert report.status == "applied", [p.as_dict() for p in report.problems]
    assert (report.rows, report.kept) == (3, 1)
    assert (report.recognitions.create, report.recognitions.update, report.recognitions.unchanged) == (
        0,
        0,
        3,
    )
    assert (report.products.update, report.producers.update) == (0, 0)
    assert registry_snapshot() == before  # nothing written


@pytest.mark.django_db
def test_the_report_page_says_how_many_rows_were_left_as_they_were(
    province_export, officer_a, django_capture_on_commit_callbacks
):
    client = _client(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/manage/imports/", {"file": SimpleUploadedFile("ocop-80.xlsx", province_export)}
        )
    job = Job.objects.get(kind="registry.import")
    assert (job.result["status"], job.result["kept"]) == ("checked", 1)
    page = client.get(response.url).content.decode()
    assert "1 dòng giữ nguyên (ngoài thẩm quyền, không thay đổi)." in page


@pytest.mark.django_db
def test_a_change_to_a_central_recognition_is_refused_naming_the_row(province_export, officer_a):
    rows = _sheet(province_export)
    before = registry_snapshot()
    row = _row_of(rows, "Bánh tráng phơi sương")

    report = run_import(_edited(rows, "Bánh tráng phơi sương", "Hạng sao", 4), "x.xlsx", user=officer_a)
    assert [(p.row, p.column, p.code, p.value) for p in report.problems] == [
        (row, "Hạng sao", "central_only", "4")
    ]

    # Nor may the row move the recognition to the province's level to get past the rule.
    edited = _sheet(_edited(rows, "Bánh tráng phơi sương", "Hạng sao", 4))
    report = run_import(
        _edited(edited, "Bánh tráng phơi sương", "Cấp công nhận", "Tỉnh"), "x.xlsx", user=officer_a
    )
    assert [(p.row, p.code) for p in report.problems] == [(row, "central_only")]

    # A change to another column of the row names that column.
    report = run_import(
        _edited(rows, "Bánh tráng phơi sương", "Số quyết định", "9/QĐ-BNN"), "x.xlsx", user=officer_a
    )
    assert [(p.row, p.column, p.code) for p in report.problems] == [(row, "Số quyết định", "central_only")]

    # A new 5-star recognition (another date) is the central office's to record.
    report = run_import(
        _edited(rows, "Bánh tráng phơi sương", "Ngày công nhận", date(2024, 3, 1)), "x.xlsx", user=officer_a
    )
    assert [(p.row, p.column, p.code) for p in report.problems] == [(row, "Hạng sao", "central_only")]

    # With a problem in another row, both are named in the same round.
    other = _row_of(rows, "Dưa lưới Thủy Đông")
    edited = _sheet(_edited(rows, "Bánh tráng phơi sương", "Hạng sao", 4))
    report = run_import(_edited(edited, "Dưa lưới Thủy Đông", "Hạng sao", "7 sao"), "x.xlsx", user=officer_a)
    assert sorted((p.row, p.code) for p in report.problems) == sorted(
        [(row, "central_only"), (other, "stars_out_of_range")]
    )
    assert registry_snapshot() == before


@pytest.mark.django_db
def test_an_edit_of_the_officers_own_row_is_written_and_the_rest_left(province_export, officer_a):
    rows = _sheet(province_export)
    central = Recognition.objects.get(stars=5)
    others = Recognition.objects.exclude(product__name_vi="Mứt gừng")
    untouched = list(others.order_by("pk").values())
    stamps = dict(Product.objects.values_list("pk", "updated_at"))

    report = run_import(_edited(rows, "Mứt gừng", "Hạng sao", 3), "x.xlsx", user=officer_a)

    assert report.status == "applied", [p.as_dict() for p in report.problems]
    assert (report.recognitions.update, report.recognitions.unchanged, report.kept) == (1, 2, 1)
    assert Recognition.objects.get(product__name_vi="Mứt gừng").stars == 3
    assert list(others.order_by("pk").values()) == untouched
    assert dict(Product.objects.values_list("pk", "updated_at")) == stamps  # no product rewritten
    assert Recognition.objects.get(pk=central.pk).stars == 5


@pytest.mark.django_db
def test_rows_outside_the_jurisdiction_go_through_only_unchanged(province_export, officer_b):
    rows = _sheet(province_export)
    before = registry_snapshot()
    report = run_import(province_export, "ocop-80.xlsx", user=officer_b)
    assert (report.status, report.kept) == ("applied", 3)
    assert registry_snapshot() == before

    report = run_import(
        _edited(rows, "Dưa lưới Thủy Đông", "Tên tiếng Anh", "Melon"), "x.xlsx", user=officer_b
    )
    row = _row_of(rows, "Dưa lưới Thủy Đông")
    assert [(p.row, p.column, p.code) for p in report.problems] == [
        (row, "Tên tiếng Anh", "outside_jurisdiction")
    ]
    assert registry_snapshot() == before


# ---------------------------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_import_page_offers_the_template_and_its_headers_are_the_imports(geo, officer_a):
    client = _client(officer_a)
    assert 'href="/manage/imports/template/"' in client.get("/manage/imports/").content.decode()
    response = client.get("/manage/imports/template/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert 'filename="mau-danh-sach-ocop.xlsx"' in response["Content-Disposition"]
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    assert book.sheet_names == ["OCOP", "Hướng dẫn"]

    rows = _sheet(response.content)
    header = lf.find_header(rows)
    assert rows[2][:4] == ["STT", "Tên sản phẩm", "Tên chủ thể", "Loại hình chủ thể"]
    assert sorted(header.columns.values()) == sorted(set(TEMPLATE_COLUMNS) - {"row_number"})
    guide = _sheet(response.content, 1)
    explained = {row[0] for row in guide}
    assert set(rows[2]) <= explained  # every column is explained on the guide sheet

    # The API serves the same file.
    api = _client(officer_a).get("/api/v1/imports/template")
    assert (api.status_code, api.content[:2]) == (200, b"PK")


@pytest.mark.django_db
def test_the_template_is_refused_with_its_example_and_imports_once_it_is_filled(geo, officer_a):
    content = _client(officer_a).get("/manage/imports/template/").content
    rows = _sheet(content)

    report = run_import(content, "mau.xlsx", user=officer_a)
    assert [(p.row, p.column, p.code) for p in report.problems] == [(4, "Tên sản phẩm", "template_example")]
    assert Product.objects.count() == 0

    filled = {
        "Tên sản phẩm": "Mứt gừng",
        "Tên chủ thể": "HTX Gừng Tây Ninh",
        "Địa chỉ": TAY_NINH,
        "Tỉnh": "Tỉnh Tây Ninh",
        "Nhóm sản phẩm": "Thực phẩm",
        "Hạng sao": 4,
        "Ngày công nhận": date(2022, 6, 1),
        "Cấp công nhận": "Tỉnh",
    }
    for column, value in filled.items():
        rows[3][rows[2].index(column)] = value
    report = run_import(xlsx(rows[2], rows[3:], titles=(rows[0][0],)), "mau.xlsx", user=officer_a)
    assert report.status == "applied", [p.as_dict() for p in report.problems]
    product = Product.objects.get()
    assert (product.name_vi, product.producer.kind, product.recognitions.get().stars) == (
        "Mứt gừng",
        "cooperative",
        4,
    )
