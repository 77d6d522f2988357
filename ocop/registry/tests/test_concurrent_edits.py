"""Two people editing the same producer or product: the later save, made from a copy older
than the record, is refused with what changed, and nothing is lost (no lost update)."""

from datetime import date

import pytest
from django.test import Client

from ocop.accounts.models import AuditEvent
from ocop.registry.importing import run_import
from ocop.registry.models import Producer, Product
from tests.formdata import browser_form

from .listfiles import HEADER, csv_bytes


def _client(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _row(model, pk) -> dict:
    return model.objects.filter(pk=pk).values().get()


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_stale_product_form_is_refused_and_keeps_both_edits(records, officer_a, owner_a):
    url = f"/manage/products/{records.p_draft.pk}/edit/"
    first, second = _client(officer_a), _client(owner_a)
    mine = browser_form(first.get(url), "name_vi")
    theirs = browser_form(second.get(url), "name_vi")

    mine["name_vi"] = "Mứt dừa non Bến Tre"
    assert first.post(url, mine).status_code == 302

    theirs["description_vi"] = "Mứt làm từ dừa non, không chất bảo quản."
    before, events = _row(Product, records.p_draft.pk), AuditEvent.objects.count()
    response = second.post(url, theirs)

    assert response.status_code == 409
    # Nothing was written: the first person's name stays, the description is not saved.
    assert _row(Product, records.p_draft.pk) == before
    assert before["name_vi"] == "Mứt dừa non Bến Tre" and before["description_vi"] == ""
    assert AuditEvent.objects.count() == events
    page = response.content.decode()
    assert "Someone else saved this product after you opened the form, so nothing was saved." in page
    assert (
        "Changed by someone else after you opened the form: they saved “Mứt dừa non Bến Tre”,"
        " you sent “Mứt dừa non”. The field now holds their value." in page
    )
    # The form shown holds both edits: theirs where only they changed, this person's own.
    again = browser_form(response, "name_vi")
    assert again["name_vi"] == "Mứt dừa non Bến Tre"
    assert again["description_vi"] == "Mứt làm từ dừa non, không chất bảo quản."
    assert again["version"] != theirs["version"]

    assert second.post(url, again).status_code == 302
    product = Product.objects.get(pk=records.p_draft.pk)
    assert (product.name_vi, product.description_vi) == (
        "Mứt dừa non Bến Tre",
        "Mứt làm từ dừa non, không chất bảo quản.",
    )


@pytest.mark.django_db
def test_a_field_both_changed_keeps_the_later_persons_value_and_shows_both(records, officer_a, owner_a):
    url = f"/manage/products/{records.p_draft.pk}/edit/"
    first, second = _client(officer_a), _client(owner_a)
    mine, theirs = browser_form(first.get(url), "name_vi"), browser_form(second.get(url), "name_vi")
    mine["name_vi"] = "Mứt dừa non Bến Tre"
    first.post(url, mine)
    theirs["name_vi"] = "Mứt dừa non Trà Vinh"
    response = second.post(url, theirs)

    assert response.status_code == 409
    assert Product.objects.get(pk=records.p_draft.pk).name_vi == "Mứt dừa non Bến Tre"
    assert (
        "they saved “Mứt dừa non Bến Tre”, you sent “Mứt dừa non Trà Vinh”."
        " The field keeps your value: choose which to keep." in response.content.decode()
    )
    assert browser_form(response, "name_vi")["name_vi"] == "Mứt dừa non Trà Vinh"


@pytest.mark.django_db
def test_a_stale_producer_form_is_refused_with_what_changed(records, geo, officer_a, owner_a):
    url = f"/manage/producers/{records.p.pk}/edit/"
    first, second = _client(officer_a), _client(owner_a)
    mine = browser_form(first.get(url), "name")
    theirs = browser_form(second.get(url), "name")
    assert (mine["province"], mine["commune"]) == (str(geo.province_a.pk), str(geo.a1.pk))

    mine["name"] = "HTX Nông nghiệp Phú Cần"
    mine["kind"] = "cooperative"
    assert first.post(url, mine).status_code == 302
    theirs["description_vi"] = "Chuyên bánh tráng phơi sương."
    theirs["phone"] = "0276 3812 345"
    before, events = _row(Producer, records.p.pk), AuditEvent.objects.count()
    response = second.post(url, theirs)

    assert response.status_code == 409
    assert _row(Producer, records.p.pk) == before
    assert AuditEvent.objects.count() == events
    page = response.content.decode()
    assert "Someone else saved this producer after you opened the form" in page
    assert "they saved “HTX Nông nghiệp Phú Cần”, you sent “Hợp tác xã Nông nghiệp Phú Cần”." in page
    again = browser_form(response, "name")
    assert (again["name"], again["description_vi"], again["phone"]) == (
        "HTX Nông nghiệp Phú Cần",
        "Chuyên bánh tráng phơi sương.",
        "0276 3812 345",
    )
    assert second.post(url, again).status_code == 302
    producer = Producer.objects.get(pk=records.p.pk)
    assert (producer.name, producer.description_vi, producer.phone, producer.commune) == (
        "HTX Nông nghiệp Phú Cần",
        "Chuyên bánh tráng phơi sương.",
        "0276 3812 345",
        geo.a1,
    )


@pytest.mark.django_db
def test_a_form_without_its_version_saves_nothing_and_says_so(records, owner_a):
    url = f"/manage/products/{records.p_draft.pk}/edit/"
    client = _client(owner_a)
    data = browser_form(client.get(url), "name_vi")
    del data["version"]
    data["name_vi"] = "Mứt dừa"
    before = _row(Product, records.p_draft.pk)

    response = client.post(url, data)

    assert response.status_code == 409
    assert _row(Product, records.p_draft.pk) == before
    page = response.content.decode()
    assert "This form did not say which version of the product it was opened on" in page
    assert "The record holds “Mứt dừa non”; you sent “Mứt dừa”." in page
    # Saving the form as shown now goes through.
    assert client.post(url, browser_form(response, "name_vi")).status_code == 302
    assert Product.objects.get(pk=records.p_draft.pk).name_vi == "Mứt dừa"


@pytest.mark.django_db
def test_a_single_edit_saves_and_an_unchanged_save_writes_nothing(records, owner_a, officer_a):
    url = f"/manage/products/{records.p_draft.pk}/edit/"
    client, other = _client(owner_a), _client(officer_a)
    version = Product.objects.get(pk=records.p_draft.pk).version
    data = browser_form(client.get(url), "name_vi")
    elsewhere = browser_form(other.get(url), "name_vi")

    # Saving without changing anything writes nothing, so it leaves the other form current.
    events = AuditEvent.objects.count()
    assert client.post(url, data).status_code == 302
    assert Product.objects.get(pk=records.p_draft.pk).version == version
    assert AuditEvent.objects.count() == events

    elsewhere["story_vi"] = "Từ vườn dừa Bến Tre."
    assert other.post(url, elsewhere).status_code == 302
    product = Product.objects.get(pk=records.p_draft.pk)
    assert (product.story_vi, product.version) == ("Từ vườn dừa Bến Tre.", version + 1)
    assert list(AuditEvent.objects.filter(action="product.update").values_list("data", flat=True)) == [
        {"changes": {"story_vi": ["", "Từ vườn dừa Bến Tre."]}}
    ]


@pytest.mark.django_db
def test_an_import_makes_an_open_form_stale(records, geo, owner_a):
    url = f"/manage/products/{records.p_draft.pk}/edit/"
    client = _client(owner_a)
    data = browser_form(client.get(url), "name_vi")
    # The province's list says the product is a drink, and gives its English name.
    content = csv_bytes(
        ["Tên sản phẩm", "Tên tiếng Anh", *HEADER[2:]],  # the usual columns, no STT, English names
        [
            [
                "Mứt dừa non",
                "Young coconut jam",
                records.p.name,
                f"{geo.a1.name}, {geo.province_a.name}",
                "Đồ uống",
                3,
                date(2024, 5, 2).strftime("%d/%m/%Y"),
                records.p.tax_code,
            ],
        ],
    )
    report = run_import(content, "danh-sach.csv")
    assert report.applied, report.problems
    assert report.products.update == 1

    data["story_vi"] = "Từ vườn dừa Bến Tre."
    response = client.post(url, data)

    assert response.status_code == 409
    product = Product.objects.get(pk=records.p_draft.pk)
    assert (product.group, product.name_en, product.story_vi) == ("drinks", "Young coconut jam", "")
    page = response.content.decode()
    assert "they saved “Drinks”, you sent “Food”. The field now holds their value." in page
    assert "they saved “Young coconut jam”, you sent “(empty)”." in page


# ---------------------------------------------------------------------------------------------
# API
# ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_refuses_a_write_made_from_an_older_etag(records, owner_a, officer_a):
    url = f"/api/v1/products/{records.p_draft.pk}"
    first, second = _client(officer_a), _client(owner_a)
    read = second.get(url)
    etag = read.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert first.get(url).headers["ETag"] == etag  # reading twice, nothing changed

    done = first.patch(
        url, {"name_vi": "Mứt dừa non Bến Tre"}, content_type="application/json", headers={"If-Match": etag}
    )
    assert done.status_code == 200
    assert done.headers["ETag"] not in ("", etag)

    before, events = _row(Product, records.p_draft.pk), AuditEvent.objects.count()
    refused = second.patch(
        url,
        {**{k: read.json()[k] for k in ("name_vi", "description_vi")}, "description_vi": "Mứt dừa sáp."},
        content_type="application/json",
        headers={"If-Match": etag},
    )

    assert refused.status_code == 412
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.headers["ETag"] == done.headers["ETag"]
    assert refused.json() == {
        "type": "about:blank",
        "title": "Precondition Failed",
        "status": 412,
        "detail": (
            "This product was changed after the version named in If-Match (fields: name_vi)."
            " Nothing was saved: read it again, re-apply your change and send its new ETag."
        ),
        "changed_fields": ["name_vi"],
    }
    assert _row(Product, records.p_draft.pk) == before
    assert AuditEvent.objects.count() == events

    # With the current ETag (also as a weak tag, as compressing proxies pass it on) it goes through.
    current = second.get(url).headers["ETag"]
    retried = second.patch(
        url,
        {"description_vi": "Mứt dừa sáp."},
        content_type="application/json",
        headers={"If-Match": f"W/{current}"},
    )
    assert retried.status_code == 200
    product = Product.objects.get(pk=records.p_draft.pk)
    assert (product.name_vi, product.description_vi) == ("Mứt dừa non Bến Tre", "Mứt dừa sáp.")


@pytest.mark.django_db
def test_the_api_refuses_a_producer_write_after_a_page_edit(records, geo, owner_a, officer_a):
    url = f"/api/v1/producers/{records.p.pk}"
    api, page = _client(owner_a), _client(officer_a)
    etag = api.get(url).headers["ETag"]
    form = browser_form(page.get(f"/manage/producers/{records.p.pk}/edit/"), "name")
    form["phone"] = "0276 3812 345"
    assert page.post(f"/manage/producers/{records.p.pk}/edit/", form).status_code == 302

    before = _row(Producer, records.p.pk)
    refused = api.patch(
        url, {"website": "https://phucan.vn"}, content_type="application/json", headers={"If-Match": etag}
    )

    assert refused.status_code == 412
    assert refused.json()["changed_fields"] == ["phone"]
    assert _row(Producer, records.p.pk) == before


@pytest.mark.django_db
def test_api_writes_without_if_match_still_work(records, owner_a):
    client = _client(owner_a)
    response = client.patch(
        f"/api/v1/products/{records.p_draft.pk}", {"name_en": "Coconut jam"}, content_type="application/json"
    )
    assert response.status_code == 200
    assert Product.objects.get(pk=records.p_draft.pk).name_en == "Coconut jam"
    response = client.patch(
        f"/api/v1/producers/{records.p.pk}",
        {"phone": "0276 3812 345"},
        content_type="application/json",
        headers={"If-Match": "*"},
    )
    assert response.status_code == 200
    assert response.headers["ETag"] == client.get(f"/api/v1/producers/{records.p.pk}").headers["ETag"]


@pytest.mark.django_db
def test_if_match_can_be_required(records, owner_a, owner_b, settings):
    settings.OCOP_API_REQUIRE_IF_MATCH = True
    client = _client(owner_a)
    before = _row(Product, records.p_draft.pk)
    response = client.patch(
        f"/api/v1/products/{records.p_draft.pk}", {"name_en": "Coconut jam"}, content_type="application/json"
    )
    # Someone who cannot reach the product learns nothing more than before: not found.
    outsider = _client(owner_b).patch(
        f"/api/v1/products/{records.p_draft.pk}", {"name_en": "Coconut jam"}, content_type="application/json"
    )
    assert outsider.status_code == 404
    assert response.status_code == 428
    assert response.json()["detail"] == (
        "Send the product's ETag in If-Match (read it with GET first), so that no one else's change is lost."
    )
    assert _row(Product, records.p_draft.pk) == before


@pytest.mark.django_db
def test_an_unreadable_if_match_is_a_failed_precondition(records, owner_a):
    before = _row(Product, records.p_draft.pk)
    response = _client(owner_a).patch(
        f"/api/v1/products/{records.p_draft.pk}",
        {"name_en": "Coconut jam"},
        content_type="application/json",
        headers={"If-Match": '"not-a-version"'},
    )
    assert response.status_code == 412
    assert response.json()["changed_fields"] is None
    assert _row(Product, records.p_draft.pk) == before


@pytest.mark.django_db
def test_the_openapi_document_declares_etags_and_preconditions():
    import json

    from ninja.responses import NinjaJSONEncoder

    from ocop.api import api

    # As served (status codes become strings), not as the Python mapping ninja builds.
    paths = json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))["paths"]
    for path, method in [
        ("/api/v1/products/{product_id}", "patch"),
        ("/api/v1/producers/{producer_id}", "patch"),
        ("/api/v1/monitoring/targets/{target_id}", "put"),
    ]:
        assert "ETag" in paths[path]["get"]["responses"]["200"]["headers"]
        write = paths[path][method]
        assert {p["name"] for p in write["parameters"] if p["in"] == "header"} == {"If-Match"}
        assert "ETag" in write["responses"]["200"]["headers"]
        for status in ("412", "428"):
            assert list(write["responses"][status]["content"]) == ["application/problem+json"]


@pytest.mark.django_db
def test_the_refusals_speak_vietnamese(records, officer_a, owner_a):
    first, second = Client(HTTP_ACCEPT_LANGUAGE="vi"), Client(HTTP_ACCEPT_LANGUAGE="vi")
    first.force_login(officer_a)
    second.force_login(owner_a)
    url = f"/manage/products/{records.p_draft.pk}/edit/"
    etag = second.get(f"/api/v1/products/{records.p_draft.pk}").headers["ETag"]
    mine, theirs = browser_form(first.get(url), "name_vi"), browser_form(second.get(url), "name_vi")
    mine["name_vi"] = "Mứt dừa non Bến Tre"
    first.post(url, mine)

    page = second.post(url, theirs).content.decode()
    refused = second.patch(
        f"/api/v1/products/{records.p_draft.pk}",
        {"name_en": "Coconut jam"},
        content_type="application/json",
        headers={"If-Match": etag},
    )

    assert "Người khác đã lưu sản phẩm này sau khi bạn mở biểu mẫu, nên chưa có gì được lưu." in page
    assert "họ đã lưu “Mứt dừa non Bến Tre”, bạn gửi “Mứt dừa non”. Ô này nay mang giá trị của họ." in page
    assert refused.json()["detail"].startswith(
        "Sản phẩm này đã được thay đổi sau phiên bản nêu trong If-Match (các trường: name_vi)."
    )


@pytest.mark.django_db
def test_the_admin_change_form_refuses_a_stale_save(geo, central):
    from ocop.registry.models import CraftVillage

    village = CraftVillage.objects.create(name="Làng dệt", province=geo.province_a)
    url = f"/admin/registry/craftvillage/{village.pk}/change/"
    first, second = _client(central), _client(central)
    mine, theirs = browser_form(first.get(url), "craft"), browser_form(second.get(url), "craft")
    mine["craft"] = "Dệt thổ cẩm"
    assert first.post(url, mine).status_code == 302
    theirs["decision_no"] = "15/QĐ-UBND"
    before = CraftVillage.objects.filter(pk=village.pk).values().get()

    response = second.post(url, theirs)

    assert response.status_code == 200
    assert CraftVillage.objects.filter(pk=village.pk).values().get() == before
    assert (
        "Someone else saved this craft village after you opened the form, so nothing was saved."
        " Open it again to see their changes (craft) and make yours again." in response.content.decode()
    )
    added = browser_form(first.get("/admin/registry/craftvillage/add/"), "craft")
    added.update(name="Làng gốm", province=str(geo.province_a.pk))
    assert first.post("/admin/registry/craftvillage/add/", added).status_code == 302
    assert CraftVillage.objects.filter(name="Làng gốm").count() == 1
