"""Honest refusals: a product whose product set has no criteria set in force is told which set,
the province's officers are told once per product set, and the dossier may wait as a draft —
not submittable — until a set is in force, when it takes it. No internal codes on the pages."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from ocop.accounts.models import AuditEvent
from ocop.criteria.models import CriteriaSet
from ocop.evaluation import services
from ocop.evaluation.models import CriteriaGap, Dossier
from ocop.registry.models import Product, ProductSet

from .helpers import ANSWERS_76, REQUIRED_DOCUMENTS, pdf_upload

FAST_FOOD = "Đồ ăn nhanh"


@pytest.fixture
def gap(records, geo, officer_a):
    """Product P-draft classified in 148/I.3.a (fast food), which has no sheet; an open round."""
    product_set = ProductSet.objects.get(taxonomy="148", code="I.3.a")
    Product.objects.filter(pk=records.p_draft.pk).update(product_set=product_set)
    records.p_draft.refresh_from_db()
    round_ = services.round_create(
        user=officer_a,
        name="Đợt 2/2026",
        level="province",
        held_on=timezone.localdate(),
        province=geo.province_a,
    )
    return type("Gap", (), {"product": records.p_draft, "round": round_, "product_set": product_set})


def _vi(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(user)
    return client


def _open(client, gap, **more):
    return client.post(
        "/cycle/dossiers/new/", {"product": gap.product.pk, "kind": "first", "round": gap.round.pk, **more}
    )


@pytest.mark.django_db
def test_the_refusal_names_the_product_set_tells_the_province_once_and_offers_a_draft(gap, owner_a):
    client = _vi(owner_a)
    response = _open(client, gap)
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Bộ sản phẩm I.3.a “{FAST_FOOD}” hiện chưa có bộ tiêu chí đang áp dụng" in page
    assert "Văn phòng OCOP của tỉnh đã được thông báo" in page
    assert 'name="draft"' in page
    for word in ("database", "cơ sở dữ liệu", "registry", "product set in the"):
        assert word not in page
    assert Dossier.objects.count() == 0
    assert (
        CriteriaGap.objects.filter(
            province=gap.product.producer.province, product_set=gap.product_set
        ).count()
        == 1
    )

    _open(client, gap)  # asked again: the province is not told twice
    assert CriteriaGap.objects.count() == 1
    assert AuditEvent.objects.filter(action="dossier.criteria_gap").count() == 1

    response = _open(client, gap, draft="on")
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/cycle/dossiers/{dossier.pk}/"
    assert (dossier.status, dossier.criteria_set_id) == ("draft", None)
    assert CriteriaGap.objects.count() == 1


@pytest.mark.django_db
def test_a_draft_without_a_sheet_cannot_be_submitted_and_takes_the_set_once_in_force(gap, owner_a):
    dossier = services.dossier_create(
        user=owner_a, product=gap.product, round=gap.round, kind="first", draft=True
    )
    client = _vi(owner_a)
    page = client.get(f"/cycle/dossiers/{dossier.pk}/").content.decode()
    assert "chưa có bộ tiêu chí" in page and f"I.3.a “{FAST_FOOD}”" in page
    assert "Còn thiếu trước khi nộp: Phiếu đăng ký đánh giá, phân hạng sản phẩm; " in page
    for code in REQUIRED_DOCUMENTS:
        assert code + "," not in page and f": {code}" not in page
    # Documents may be prepared meanwhile; submission is refused with a clear message.
    for document in REQUIRED_DOCUMENTS:
        services.evidence_add(
            user=owner_a, dossier=dossier, upload=pdf_upload(f"{document}.pdf"), document=document
        )
    response = client.post(f"/cycle/dossiers/{dossier.pk}/submit/", {"confirmed": "1"}, follow=True)
    assert "hồ sơ được giữ ở dạng nháp" in response.content.decode()
    dossier.refresh_from_db()
    assert (dossier.status, dossier.criteria_set_id) == ("draft", None)
    assert client.get(f"/cycle/dossiers/{dossier.pk}/self-assessment/").status_code == 302

    # The central office loads the sheet of I.3.a (here: the fresh-produce sheet moved to it).
    sheet = CriteriaSet.objects.get(code="148/I.1.a", is_current=True)
    CriteriaSet.objects.filter(pk=sheet.pk).update(product_set=gap.product_set)
    page = client.get(f"/cycle/dossiers/{dossier.pk}/").content.decode()
    assert "148/I.1.a" in page and "chưa có bộ tiêu chí" not in page
    assert "148/I.1.a v1." in client.get(f"/cycle/dossiers/{dossier.pk}/self-assessment/").content.decode()
    services.dossier_self_assess(user=owner_a, dossier=dossier, answers=ANSWERS_76)
    dossier.refresh_from_db()
    assert dossier.criteria_set_id == sheet.pk
    assert services.dossier_submit(user=owner_a, dossier=dossier).status == "submitted"


@pytest.mark.django_db
def test_the_officers_of_the_province_see_what_their_producers_wait_for(gap, owner_a, officer_a, officer_b):
    services.dossier_create(user=owner_a, product=gap.product, round=gap.round, kind="first", draft=True)
    page = _vi(officer_a).get("/cycle/").content.decode()
    assert "Bộ sản phẩm đang chờ bộ tiêu chí" in page and f"I.3.a · {FAST_FOOD}" in page
    assert "I.3.a" not in _vi(officer_b).get("/cycle/").content.decode()


@pytest.mark.django_db
def test_missing_documents_are_named_in_vietnamese(fresh_products, cycle, owner_a):
    dossier = services.dossier_create(
        user=owner_a, product=fresh_products.p_draft, round=cycle.round, kind="first"
    )
    page = _vi(owner_a).get(f"/cycle/dossiers/{dossier.pk}/").content.decode()
    line = page[page.index("Còn thiếu trước khi nộp:") :].split("</p>")[0]
    assert "registration_form" not in line and "food_safety" not in line and "_" not in line
    assert "Phiếu đăng ký đánh giá, phân hạng sản phẩm; " in line
    assert "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm" in line
