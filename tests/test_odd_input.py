"""Odd input at the edge: NUL characters and unpaired surrogates, bodies that are not JSON, and
multipart bodies without their boundary. Each is a clear 4xx (naming the field where there is
one, in Vietnamese and English), never a 500, and nothing is written.

PostgreSQL cannot store a NUL character or an unpaired surrogate (a 500); SQLite stored them, and
the record's edit form then refused its own values. The API refuses them in any body, query or
form field (ocop.api.EdgeParser); page forms through Django's CharField; codes in URLs are 404.
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ocop.api import api
from ocop.jobs.models import Job
from ocop.registry.models import Producer, Product

UNSAFE_EN = "Text may not contain the NUL character (U+0000) or unpaired surrogates (U+D800 to U+DFFF)."
UNSAFE_VI = "Văn bản không được chứa ký tự NUL (U+0000) hay nửa cặp thay thế (U+D800 đến U+DFFF) đứng lẻ."

SCHEMA = api.get_openapi_schema(path_prefix="/api/v1")
JSON_WRITES = sorted(
    (method, path)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if "application/json" in operation.get("requestBody", {}).get("content", {})
)
CODE_PATHS = sorted(
    (method, path)
    for path, operations in SCHEMA["paths"].items()
    for method, operation in operations.items()
    if any(
        p["in"] == "path" and p["schema"].get("type") == "string" and "format" not in p["schema"]
        for p in operation.get("parameters", [])
    )
)


def _fill(path: str) -> str:
    """A path with its parameters filled: ids of records that exist, plausible codes."""
    return (
        path.replace("{decision}", "148")
        .replace("{product_set}", "I.1.a")
        .replace("{code}", "80")
        .replace("{product_id}", "1")
        .replace("{producer_id}", "1")
    )


def _unsafe(response, *places, language="en"):
    message = UNSAFE_VI if language == "vi" else UNSAFE_EN
    assert response.status_code == 422, response.content
    assert response.json() == {
        "detail": [{"loc": list(place), "msg": message, "type": "unsafe_text"} for place in places]
    }


@pytest.fixture
def token(officer_a):
    from ocop.accounts.models import ApiToken

    return ApiToken.issue(user=officer_a, name="odd input")[1]


def test_the_json_writes_are_these():
    assert len(JSON_WRITES) == 19


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), JSON_WRITES)
def test_every_json_write_refuses_unsafe_text_naming_each_field(client, records, central, method, path):
    client.force_login(central)
    body = json.dumps({"name_vi": "Bánh\x00", "ok": "fine", "items": ["x", {"note": "\ud800"}], "k\x00": 1})
    before = (Product.objects.count(), Producer.objects.count())
    response = client.generic(method.upper(), _fill(path), body, content_type="application/json")
    _unsafe(response, ("body", "name_vi"), ("body", "items", 1, "note"), ("body", "k\x00"))
    assert (Product.objects.count(), Producer.objects.count()) == before


@pytest.mark.django_db
def test_a_product_name_with_nul_is_refused_and_the_edit_form_still_works(client, records, token):
    product = records.p_recognised
    vi = Client(HTTP_ACCEPT_LANGUAGE="vi", HTTP_AUTHORIZATION=f"Bearer {token}")
    response = vi.patch(
        f"/api/v1/products/{product.pk}", {"name_vi": "Bánh\x00tráng"}, content_type="application/json"
    )
    _unsafe(response, ("body", "name_vi"), language="vi")
    product.refresh_from_db()
    assert product.name_vi == "Bánh tráng phơi sương"
    response = vi.post(
        "/api/v1/producers",
        json.dumps({"name": "HTX \ud83d", "kind": "cooperative", "address": "Xã A1"}),
        content_type="application/json",
    )
    _unsafe(response, ("body", "name"), language="vi")
    assert Producer.objects.count() == 2
    # Surrogates that pair up are one character (an emoji), and welcome.
    response = vi.patch(
        f"/api/v1/products/{product.pk}", {"name_vi": "Bánh tráng 🌾"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["name_vi"] == "Bánh tráng 🌾"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/products?province=%00",
        "/api/v1/products?q=b%C3%A1nh%00",
        "/api/v1/market/catalogue?province=%00",
        "/api/v1/market/points-of-sale?province=80%00",
        "/api/v1/market/fairs?province=%00",
        "/api/v1/geo/resolve?address=X%C3%A3%00",
    ],
)
def test_a_query_parameter_with_nul_is_refused_naming_it(client, records, url):
    name = url.split("?")[1].split("=")[0]
    _unsafe(client.get(url), ("query", name))


@pytest.mark.django_db
def test_a_form_field_with_nul_is_refused_on_the_api(client, records, token):
    upload = SimpleUploadedFile("list.csv", b"name\nx\n", content_type="text/csv")
    response = client.post(
        "/api/v1/imports",
        {"file": upload, "province": "T\x00y Ninh"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    _unsafe(response, ("form", "province"))
    assert not Job.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), CODE_PATHS)
def test_a_code_with_nul_in_an_api_path_is_not_found(client, central, method, path):
    client.force_login(central)
    url = path.replace("{decision}", "%00").replace("{product_set}", "%00").replace("{code}", "%00")
    response = client.generic(method.upper(), url, "{}", content_type="application/json")
    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/criteria/%00/I.1.a/", "/criteria/148/%00/score/", "/verify/%00/"])
def test_a_code_with_nul_in_a_page_url_is_not_found(client, url):
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/catalogue/?province=%00",
        "/catalogue/points-of-sale/?province=%00",
        "/catalogue/fairs/?province=%00",
        "/cycle/?level=%00&status=%00&q=%00",
        "/cycle/ideas/?status=%00",
        "/manage/craft-villages/?province=%00",
        "/manage/market/enquiries/?status=%00",
        "/manage/reports/?province=%00",
    ],
)
def test_a_page_filter_with_nul_is_no_filter(client, records, central, url):
    """Pages that read a filter without a form take a value holding NUL as no value."""
    client.force_login(central)
    page, _query = url.split("?")
    response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<tr") == client.get(page).content.decode().count("<tr")


@pytest.mark.django_db
def test_an_officers_commune_list_reads_only_province_ids(client, central, geo):
    client.force_login(central)
    listed = client.get("/manage/producers/communes/", {"province": geo.province_a.pk})
    assert geo.a1.name in listed.content.decode()
    for value in ("\x00", "abc", "9" * 30, "-1"):
        response = client.get("/manage/producers/communes/", {"province": value})
        assert response.status_code == 200
        assert geo.a1.name not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_page_form_refuses_nul_in_both_languages(records, central, language):
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    browser.force_login(central)
    product = records.p_recognised
    response = browser.post(
        f"/manage/products/{product.pk}/edit/", {"name_vi": "Bánh\x00tráng", "group": "food"}
    )
    assert response.status_code == 200
    expected = {"vi": "Không được có ký tự NUL (null).", "en": "Null characters are not allowed."}[language]
    assert response.context["form"].errors["name_vi"] == [expected]
    product.refresh_from_db()
    assert product.name_vi == "Bánh tráng phơi sương"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("en", "The request body is not valid JSON (UTF-8): Expecting value: line 1 column 1 (char 0)"),
        ("vi", "Nội dung yêu cầu không phải JSON hợp lệ (UTF-8): Expecting value: line 1 column 1 (char 0)"),
    ],
)
def test_a_body_that_is_not_json_is_a_bad_request(records, token, language, detail):
    browser = Client(HTTP_ACCEPT_LANGUAGE=language, HTTP_AUTHORIZATION=f"Bearer {token}")
    for body in (b"not json", b"\xff\xfe{", b"[" * 100_000):
        response = browser.post("/api/v1/producers", body, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["detail"].startswith(detail.split(":")[0] + ":")
    response = browser.post("/api/v1/producers", b"not json", content_type="application/json")
    assert response.json() == {"detail": detail}
    assert Producer.objects.count() == 2


MULTIPART_NO_BOUNDARY = {
    "data": b"--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--x--\r\n",
    "content_type": "multipart/form-data",
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "detail"),
    [
        (
            "en",
            "The form data could not be read: a multipart body must be well formed, with the boundary its Content-Type names.",
        ),
        (
            "vi",
            "Không đọc được dữ liệu biểu mẫu: nội dung multipart phải đúng định dạng, có dấu ranh giới (boundary) mà Content-Type của nó khai báo.",
        ),
    ],
)
def test_an_api_upload_without_its_boundary_is_a_bad_request(records, token, language, detail):
    browser = Client(HTTP_ACCEPT_LANGUAGE=language, HTTP_AUTHORIZATION=f"Bearer {token}")
    response = browser.post("/api/v1/imports", **MULTIPART_NO_BOUNDARY)
    assert (response.status_code, response.json()) == (400, {"detail": detail})
    assert not Job.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "title", "explanation"),
    [
        ("en", "Bad request", "What was sent could not be read"),
        ("vi", "Yêu cầu không hợp lệ", "Không đọc được dữ liệu đã gửi"),
    ],
)
def test_a_page_upload_without_its_boundary_is_a_bad_request(records, central, language, title, explanation):
    browser = Client(HTTP_ACCEPT_LANGUAGE=language)
    browser.force_login(central)
    for url in ("/manage/imports/", f"/manage/products/{records.p_recognised.pk}/photos/"):
        response = browser.post(url, **MULTIPART_NO_BOUNDARY)
        assert response.status_code == 400, url
        page = response.content.decode()
        assert f"<h1>{title}</h1>" in page and explanation in page
    assert not Job.objects.exists()
    assert not records.p_recognised.photos.exists()
