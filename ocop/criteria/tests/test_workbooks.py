"""Criteria sets authored in Excel: every set exports to the template and comes back equal; an
upload names every problem by sheet, row and column and keeps nothing; a hostile file is refused;
the central office publishes a new version (never editing the current one) that a dossier can
use; a province officer uploads, previews and proposes, but never publishes."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from ocop.accounts.models import AuditEvent
from ocop.criteria import schema, workbook
from ocop.criteria.models import CriteriaSet, CriteriaWorkbook
from ocop.registry.models import Product, ProductSet
from ocop.registry.tests import hostile

SHIPPED = sorted(p.name for p in schema.DEFAULT_DIR.glob("*.yaml"))
UPLOAD = "/criteria/manage/workbooks/"


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(user)
    return client


def _upload(client, content: bytes, name: str = "bo-tieu-chi.xlsx"):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content)})


def _sheet_of(code: str, product_set: str, **meta) -> bytes:
    """The 148/I.1.a sheet exported as a workbook for another product set of 148."""
    definition = dict(CriteriaSet.objects.get(code="148/I.1.a", is_current=True).definition)
    definition["meta"] = dict(
        definition["meta"], code=code, product_set={"taxonomy": "148", "code": product_set}, **meta
    )
    return workbook.export(definition)


def _edited(content: bytes, edits: dict[str, dict[str, object]]) -> bytes:
    """The workbook with some cells changed: {sheet: {"B7": value}}."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet, cells in edits.items():
        for cell, value in cells.items():
            book[sheet][cell] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _column(key: str) -> str:
    return openpyxl.utils.get_column_letter(workbook.PART_KEYS.index(key) + 1)


@pytest.mark.django_db
@pytest.mark.parametrize("file_name", SHIPPED)
def test_every_shipped_set_exported_and_uploaded_again_is_the_same_set(central, file_name):
    original = schema.load_set(schema.DEFAULT_DIR / file_name)
    client = _client(central)
    row = CriteriaSet.objects.get(code=original.code, is_current=True)
    exported = client.get(f"{row.get_absolute_url()}excel/")
    assert exported.status_code == 200
    assert exported["Content-Type"].startswith("application/vnd.openxmlformats")
    names = openpyxl.load_workbook(io.BytesIO(exported.content)).sheetnames
    assert names == ["Giới thiệu", "Kiểm tra", *(f"Phần {p.code}" for p in original.parts)]

    response = _upload(client, exported.content, file_name.replace(".yaml", ".xlsx"))

    uploaded = CriteriaWorkbook.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{UPLOAD}{uploaded.pk}/"
    assert schema.parse_set(uploaded.definition, source="upload") == original
    # The same content again is not a new version.
    refused = client.post(f"{UPLOAD}{uploaded.pk}/publish/", follow=True)
    assert "đã có đúng nội dung này" in refused.content.decode()
    assert CriteriaSet.objects.filter(code=original.code).count() == 1


@pytest.mark.django_db
def test_the_template_is_a_filled_example_and_the_list_links_to_it(central):
    client = _client(central)
    page = client.get("/criteria/").content.decode()
    assert 'href="/criteria/template.xlsx"' in page and "Tải mẫu Excel" in page
    assert f'href="{UPLOAD}"' in page and "Tải lên bộ tiêu chí" in page
    assert 'href="/criteria/148/I.1.a/excel/"' in page and "Tải Excel" in page
    template = Client().get("/criteria/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(template.content))
    about = book["Giới thiệu"]
    assert [about.cell(1, c).value for c in (1, 2, 3)] == ["Thông tin", "Khoá YAML", "Giá trị"]
    assert about["B2"].value == "code" and about["C2"].value == "148/I.1.a"
    part = book["Phần A"]
    assert part["A1"].value == "Tên phần" and part["A2"].value == "part.name"
    assert [part.cell(2, c).value for c in range(1, len(workbook.PART_KEYS) + 1)] == workbook.PART_KEYS


@pytest.mark.django_db
def test_every_problem_is_named_by_sheet_row_and_column_and_nothing_is_kept(central):
    points, marker, criterion_max = (
        _column("option.points"),
        _column("option.marker"),
        _column("criterion.max"),
    )
    content = _edited(
        _sheet_of("148/I.2.a", "I.2.a"),
        {
            "Giới thiệu": {"C12": "ngày mai"},  # effective_from
            "Phần A": {f"{points}3": "ba", f"{marker}4": 7, f"{criterion_max}3": 4},
        },
    )
    client = _client(central)
    response = client.post("/api/v1/criteria/workbooks", {"file": SimpleUploadedFile("x.xlsx", content)})

    assert response.status_code == 422
    found = {tuple(d["loc"]): d["msg"] for d in response.json()["detail"]}
    section_max = _column("section.max")
    assert found == {
        ("file", "Giới thiệu", 12, "C"): "“ngày mai” không phải là ngày (dd/mm/yyyy).",
        ("file", "Phần A", 3, points): "“ba” không phải là số.",  # not reported again as missing
        ("file", "Phần A", 4, marker): "option 'marker' must be one of 2, 3, 4, 5, got 7",
        # The validator's findings, mapped back to the cells they concern: criterion 1.a's
        # maximum (row 3) is now 4, below its third option (row 5), and section 1 no longer adds up.
        ("file", "Phần A", 5, points): "option 3 points 5 exceed the criterion maximum 4",
        ("file", "Phần A", 3, section_max): "criterion maxima add up to 17, not the section maximum 18",
    }
    assert CriteriaWorkbook.objects.count() == 0

    page = _upload(client, content).content.decode()
    assert '<td>Phần A</td><td class="num">3</td>' in page
    assert "“ba” không phải là số." in page
    assert CriteriaWorkbook.objects.count() == 0 and AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_column_or_sheet_is_named_before_anything_else_is_checked(central):
    book = openpyxl.load_workbook(io.BytesIO(_sheet_of("148/I.2.a", "I.2.a")))
    book["Phần B"]["AD2"] = "dư"
    book.create_sheet("Trang tự thêm")
    del book["Giới thiệu"]["B5"]  # the key of a row of the About sheet: the row is then skipped
    buffer = io.BytesIO()
    book.save(buffer)
    response = _client(central).post(
        "/api/v1/criteria/workbooks", {"file": SimpleUploadedFile("x.xlsx", buffer.getvalue())}
    )
    assert response.status_code == 422
    assert [(d["loc"], d["msg"]) for d in response.json()["detail"]] == [
        (["file", "Phần B", 2, "AD"], "Cột “dư” không có trong mẫu."),
        (
            ["file", "Trang tự thêm"],
            "Trang “Trang tự thêm” không có trong mẫu: mỗi phần là một trang tên “Phần A”, “Phần B”…",
        ),
    ]
    assert CriteriaWorkbook.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (hostile.xlsx_bomb(300), "khi giải nén là 300 MB, vượt giới hạn 20 MB"),
        (hostile.sparse_xlsx(), "1048576"),
        (b"PK\x03\x04 not a zip", "bo-tieu-chi.xlsx"),
    ],
)
def test_a_hostile_workbook_is_refused_before_it_is_read(central, content, message):
    client = _client(central)
    response = client.post(
        "/api/v1/criteria/workbooks", {"file": SimpleUploadedFile("bo-tieu-chi.xlsx", content)}
    )
    assert response.status_code == 422
    assert message in response.json()["detail"][0]["msg"]
    assert CriteriaWorkbook.objects.count() == 0


@pytest.fixture
def fast_food(records, geo, officer_a):
    """Product P-draft classified in 148/I.3.a (fast food), which has no sheet; an open round."""
    from ocop.evaluation import services as evaluation

    product_set = ProductSet.objects.get(taxonomy="148", code="I.3.a")
    Product.objects.filter(pk=records.p_draft.pk).update(product_set=product_set)
    return evaluation.round_create(
        user=officer_a,
        name="Đợt 2/2026",
        level="province",
        held_on=timezone.localdate(),
        province=geo.province_a,
    )


@pytest.mark.django_db
def test_a_province_proposes_and_the_central_office_publishes_a_set_a_dossier_then_uses(
    records, fast_food, officer_a, officer_b, central, owner_a
):
    producer = _client(owner_a)
    new_dossier = {"product": records.p_draft.pk, "kind": "first", "round": fast_food.pk}
    refused = producer.post("/cycle/dossiers/new/", new_dossier)
    assert refused.status_code == 200 and "chưa có bộ tiêu chí" in refused.content.decode()

    province = _client(officer_a)
    response = _upload(province, _sheet_of("148/I.3.a", "I.3.a", name_vi="Đồ ăn nhanh"), "do-an-nhanh.xlsx")
    uploaded = CriteriaWorkbook.objects.get()
    assert response.status_code == 302 and uploaded.province == records.p.province
    preview = province.get(f"{UPLOAD}{uploaded.pk}/").content.decode()
    assert "PHIẾU ĐÁNH GIÁ SẢN PHẨM OCOP" in preview and "Đồ ăn nhanh" in preview
    assert "publish/" not in preview and "propose/" in preview

    # The province may not publish (404, nothing written); another province does not see it.
    assert province.post(f"{UPLOAD}{uploaded.pk}/publish/").status_code == 404
    assert _client(officer_b).get(f"{UPLOAD}{uploaded.pk}/").status_code == 404
    assert not CriteriaSet.objects.filter(code="148/I.3.a").exists()

    assert province.post(f"{UPLOAD}{uploaded.pk}/propose/").status_code == 302
    uploaded.refresh_from_db()
    assert uploaded.status == "proposed"

    office = _client(central)
    assert "1 bộ tiêu chí do tỉnh đề xuất đang chờ công bố" in office.get("/criteria/").content.decode()
    assert "đề xuất đang chờ" not in province.get("/criteria/").content.decode()
    assert f"{UPLOAD}{uploaded.pk}/" in office.get(UPLOAD).content.decode()
    published = office.post(
        f"/api/v1/criteria/workbooks/{uploaded.pk}/publish", content_type="application/json"
    )
    assert published.status_code == 200, published.content
    assert published.json()["set"]["code"] == "148/I.3.a" and published.json()["set"]["version"] == 1
    row = CriteriaSet.objects.get(code="148/I.3.a")
    assert (row.status, row.is_current, row.name_vi) == ("published", True, "Đồ ăn nhanh")
    assert list(
        AuditEvent.objects.filter(action__startswith="criteria_workbook")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["criteria_workbook.upload", "criteria_workbook.propose", "criteria_workbook.publish"]

    opened = producer.post("/cycle/dossiers/new/", new_dossier)
    assert opened.status_code == 302
    from ocop.evaluation.models import Dossier

    assert Dossier.objects.get(product=records.p_draft).criteria_set == row


@pytest.mark.django_db
def test_publishing_a_set_that_exists_adds_a_version_and_never_edits_the_current_one(central):
    current = CriteriaSet.objects.get(code="148/I.1.a", is_current=True)
    before = (current.version, current.source_hash, current.definition)
    label = _column("option.label")
    content = _edited(_sheet_of("148/I.1.a", "I.1.a"), {"Phần A": {f"{label}3": "Phương án đã sửa"}})
    client = _client(central)
    uploaded_id = _upload(client, content).url.rstrip("/").rsplit("/", 1)[1]
    preview = client.get(f"{UPLOAD}{uploaded_id}/").content.decode()
    assert f"phiên bản {before[0] + 1}" in preview

    response = client.post(f"{UPLOAD}{uploaded_id}/publish/")

    new = CriteriaSet.objects.get(code="148/I.1.a", is_current=True)
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    assert new.version == before[0] + 1
    current.refresh_from_db()
    assert (current.version, current.source_hash, current.definition) == before
    assert (current.is_current, current.superseded_by) == (False, new)
    assert selected_label(new) == "Phương án đã sửa"
    # Published twice: refused, still two versions.
    assert client.post(f"/api/v1/criteria/workbooks/{uploaded_id}/publish").status_code == 422
    assert CriteriaSet.objects.filter(code="148/I.1.a").count() == 2


def selected_label(row: CriteriaSet) -> str:
    return schema.parse_set(row.definition, source="x").parts[0].criteria[0].blocks[0].options[0].label


@pytest.mark.django_db
def test_an_unknown_product_set_or_a_name_too_long_to_keep_is_named_on_the_about_sheet(central):
    content = _sheet_of("148/IX.9", "IX.9", name_vi="Rau " * 70)
    response = _client(central).post(
        "/api/v1/criteria/workbooks", {"file": SimpleUploadedFile("x.xlsx", content)}
    )
    assert response.status_code == 422
    assert [(d["loc"], d["msg"]) for d in response.json()["detail"]] == [
        (["file", "Giới thiệu", 7, "C"], "Tối đa 250 ký tự ở ô này."),
        (["file", "Giới thiệu", 5, "C"], "Không có bộ sản phẩm IX.9 trong bảng phân loại 148."),
    ]
    assert CriteriaWorkbook.objects.count() == 0
