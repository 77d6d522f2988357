"""Pages: the list of sets, the printable scoring sheet and its scoring form, the upload."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ocop.criteria import services
from ocop.criteria.models import CriteriaSet
from ocop.criteria.schema import DEFAULT_DIR

from .sheets import SHEET_76, sheet

SHEET_URL = "/criteria/148/I.1.a/"


def form_data(answers: dict, checks=()) -> dict:
    data = {
        f"c:{code}": (f"{v['case']}:{v['option']}" if isinstance(v, dict) else f"1:{v}")
        for code, v in answers.items()
    }
    data.update({f"k:{code}": "1" for code in checks})
    return data


@pytest.mark.django_db
def test_the_list_of_sets(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/criteria/")
    assert response.status_code == 200
    assert len(queries) == 4  # the coverage (3), then the loaded sets
    page = response.content.decode()
    page = page[page.index("Loaded criteria sets") :]
    assert re.findall(r'<a href="(/criteria/[^"]+)">', page) == [
        "/criteria/148/I.1.a/",
        "/criteria/1048/VI.1/",
        "/criteria/1048/I.3.b/",
        "/criteria/1048/I.3.c/",
    ]
    assert "Load a criteria set file" not in page


@pytest.mark.django_db
def test_the_printable_sheet_is_in_vietnamese_with_its_marks(client):
    response = client.get(SHEET_URL)
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        '<article class="sheet" lang="vi">',
        "PHIẾU ĐÁNH GIÁ SẢN PHẨM OCOP",
        "QĐ 148/QĐ-TTg ngày 24/02/2023, Phụ lục III",
        "PHẦN A: SẢN PHẨM VÀ SỨC MẠNH CỦA CỘNG ĐỒNG (40 điểm)",
        "Độ tin cậy của dữ liệu: [S]",
        "Bị loại khi",
        "Giả mạo hồ sơ",
        "Chỉ áp dụng khi tiêu chí 5.a đạt từ 1 điểm trở lên",
        "Điểm khuyến khích",
        "G2. Không đánh giá các tiêu chí tiếp theo nếu: Chứng nhận đủ điều kiện ATTP",
        '<span class="marker" title="Mức tối thiểu để được 4 sao">****</span>',
        "5 sao: từ 90 điểm; 4 sao: từ 70 đến dưới 90 điểm; 3 sao: từ 50 đến dưới 70 điểm; "
        "2 sao: từ 30 đến dưới 50 điểm; 1 sao: dưới 30 điểm;",
        "THÀNH VIÊN HỘI ĐỒNG",
        "criteria/sheet.css",
    ):
        assert text in page, text
    options = sum(len(c.blocks[0].options) for c in sheet("148/I.1.a").criteria)
    none_rows = sum(1 for c in sheet("148/I.1.a").criteria if not c.blocks[0].has_zero)
    assert page.count('type="radio"') == options + none_rows == 108 + 12


@pytest.mark.django_db
def test_sheets_with_cases_and_aliases(client):
    page = client.get("/criteria/1048/1.3.c/").content.decode()
    assert "Mã bộ tiêu chí: 1048/I.3.c (1048/1.3.c)" in page
    assert "Trường hợp 2: Hộ kinh doanh (giám đốc/chủ hộ)" in page
    assert 'name="c:3.2" value="2:1"' in page
    assert "Nếu dưới 1 điểm: không đánh giá các tiêu chí tiếp theo" in page
    assert client.get("/criteria/148/I.9.z/").status_code == 404


@pytest.mark.django_db
def test_scoring_the_sheet_with_htmx_shows_result_reasons_and_advice(client):
    response = client.post(f"{SHEET_URL}score/", form_data(SHEET_76), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" not in page
    assert re.search(r"<dt>Total</dt><dd><strong>76</strong> / 100</dd>", page)
    assert "Not 4 stars: criterion 2.a scores 3, below the 4-star minimum of 4." in page
    assert "Criterion 2.a: from 3 to 4 points (+1), required for the star" in page
    assert "+1 points: total 77, 4 stars" in page


@pytest.mark.django_db
def test_scoring_without_javascript_keeps_the_ticks(client):
    response = client.post(f"{SHEET_URL}score/", form_data(SHEET_76, checks=["D1"]))
    page = response.content.decode()
    assert "PHIẾU ĐÁNH GIÁ SẢN PHẨM OCOP" in page and "Disqualified: D1" in page
    assert 'name="c:2.a" value="1:3" checked' in page
    assert 'name="k:D1" value="1" checked' in page


@pytest.mark.django_db
def test_incomplete_answers_are_listed(client):
    answers = {k: v for k, v in SHEET_76.items() if k not in {"1.a", "12"}}
    page = client.post(f"{SHEET_URL}score/", form_data(answers), HTTP_HX_REQUEST="true").content.decode()
    assert "These answers cannot be scored" in page
    assert "Criterion 1.a has no answer." in page and "Criterion 12 has no answer." in page


@pytest.mark.django_db
def test_the_upload_page(client, central, officer_a):
    client.force_login(officer_a)
    assert client.get("/criteria/manage/upload/").status_code == 403
    client.force_login(central)
    assert client.get("/criteria/").content.decode().count("Load a criteria set file") == 1
    bad = (DEFAULT_DIR / "scoresheet-148-rau-cu-qua-hat-tuoi.yaml").read_text().replace("max: 18", "max: 19")
    response = client.post(
        "/criteria/manage/upload/", {"file": SimpleUploadedFile("sua.yaml", bad.encode(), "application/yaml")}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "<td>part A, section 1</td><td>criterion maxima add up to 18, not the section maximum 19</td>" in page
    )
    assert "<td>part A</td><td>section maxima add up to 41, not the part maximum 40</td>" in page
    good = bad.replace("max: 19", "max: 18").replace('name: "Kế toán"', 'name: "Kế toán (sửa)"')
    response = client.post(
        "/criteria/manage/upload/",
        {"file": SimpleUploadedFile("sua.yaml", good.encode(), "application/yaml")},
    )
    assert response.status_code == 302 and response.url == "/criteria/148/I.1.a/?version=1"
    assert CriteriaSet.objects.get(code="148/I.1.a").source_file == "sua.yaml"
    response = client.post(
        "/criteria/manage/upload/", {"file": SimpleUploadedFile("sua.txt", b"x", "text/plain")}
    )
    assert "Upload a .yaml file." in response.content.decode()


@pytest.mark.django_db
def test_a_superseded_version_stays_readable(client, central):
    row = CriteriaSet.objects.get(code="148/I.1.a")
    services.criteria_set_mark_used(criteria_set=row)
    text = row.source_text.replace('name: "Kế toán"', 'name: "Kế toán (v2)"')
    services.criteria_set_install(text=text, source_file="v2.yaml", user=central)
    current = client.get(SHEET_URL).content.decode()
    assert "Kế toán (v2)" in current and "phiên bản 2" in current
    old = client.get(f"{SHEET_URL}?version=1").content.decode()
    assert "Superseded by version 2" in old and "Kế toán (v2)" not in old
    assert '<option value="1" selected>1</option>' in old
