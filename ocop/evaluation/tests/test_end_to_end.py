"""One product from idea to certificate at province level, through the pages each role uses, with
real files uploaded and a real PDF produced; then a 90-point product on to the central round."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from ocop.accounts.models import AuditEvent
from ocop.evaluation import services
from ocop.evaluation.models import (
    Assignment,
    Certificate,
    Decision,
    Dossier,
    Evidence,
    Idea,
    Round,
    Sheet,
    Sitting,
)
from ocop.registry.models import Product, Recognition

from .conftest import ANSWERS_76, ANSWERS_100, REQUIRED_DOCUMENTS, forwarded_dossier, pdf_upload, png_upload

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _radio(answers: dict) -> dict:
    """Answers as the scoring form posts them ("c:<code>" -> "case:option")."""
    return {
        f"c:{code}": f"{v['case']}:{v['option']}" if isinstance(v, dict) else f"1:{v}"
        for code, v in answers.items()
    }


FOUR_STARS = {**ANSWERS_76, "2.a": 4}  # 77 points, every 4-star minimum met


def test_a_product_goes_from_idea_to_certificate_at_province_level(
    fresh_products, geo, owner_a, commune_officer_a, officer_a, members, django_capture_on_commit_callbacks
):
    records = fresh_products
    owner_a.email, officer_a.email = "owner@example.vn", "officer@example.vn"
    owner_a.save(), officer_a.save()
    producer = records.p
    today = timezone.localdate()
    owner, commune, province = _login(owner_a), _login(commune_officer_a), _login(officer_a)

    # 1. The producer registers an idea for a new product; the commune returns it, then accepts it.
    response = owner.post(
        "/cycle/ideas/new/",
        {
            "producer": producer.pk,
            "name": "Mãng cầu Bà Đen",
            "group": "food",
            "description": "Mãng cầu trồng dưới chân núi Bà Đen.",
        },
    )
    idea = Idea.objects.get(name="Mãng cầu Bà Đen")
    assert response.status_code == 302 and response.url == f"/cycle/ideas/{idea.pk}/"
    assert (idea.status, idea.submitted_by, idea.is_new_product) == ("submitted", owner_a, True)
    response = commune.post(f"/cycle/ideas/{idea.pk}/review/", {"outcome": "returned", "reason": ""})
    assert "Say why the idea is returned." in [str(m) for m in response.wsgi_request._messages]
    commune.post(
        f"/cycle/ideas/{idea.pk}/review/", {"outcome": "returned", "reason": "Nêu rõ vùng nguyên liệu."}
    )
    idea.refresh_from_db()
    assert idea.status == "returned"
    owner.post(
        f"/cycle/ideas/{idea.pk}/resubmit/",
        {"name": "Mãng cầu Bà Đen", "group": "food", "description": "Vùng nguyên liệu 20 ha ở xã."},
    )
    commune.post(f"/cycle/ideas/{idea.pk}/review/", {"outcome": "accepted", "reason": ""})
    idea.refresh_from_db()
    assert idea.status == "accepted"
    product = idea.product
    assert (product.name_vi, product.producer, product.group) == ("Mãng cầu Bà Đen", producer, "food")
    assert [r.outcome for r in idea.reviews.all()] == ["returned", "accepted"]
    assert [r.reviewed_by for r in idea.reviews.all()] == [commune_officer_a, commune_officer_a]
    # ... files the business plan (a real PDF).
    owner.post(
        f"/cycle/ideas/{idea.pk}/plan/",
        {"plan_summary": "Sản lượng 30 tấn/năm.", "plan_file": pdf_upload("pa.pdf")},
    )
    idea.refresh_from_db()
    assert (idea.status, idea.plan_filed_by, idea.plan_name) == ("planned", owner_a, "pa.pdf")
    assert owner.get(f"/cycle/ideas/{idea.pk}/plan/file/").status_code == 200
    Product.objects.filter(pk=product.pk).update(product_set=records.p_draft.product_set)

    # 2. The province opens a round and its council through the pages.
    response = province.post(
        "/cycle/rounds/new/",
        {
            "name": "Đợt 2/2026",
            "level": "province",
            "province": geo.province_a.pk,
            "held_on": today.isoformat(),
        },
    )
    round_ = Round.objects.get(name="Đợt 2/2026")
    assert response.url == f"/cycle/rounds/{round_.pk}/"
    assert (round_.process, round_.level, round_.province) == ("1489", "province", geo.province_a)

    # 3. The producer opens the dossier, uploads real files, fills in the self-assessment.
    response = owner.post(
        "/cycle/dossiers/new/", {"product": product.pk, "kind": "first", "round": round_.pk}
    )
    dossier = Dossier.objects.get(product=product)
    assert response.url == f"/cycle/dossiers/{dossier.pk}/"
    assert (dossier.criteria_set.code, dossier.level, dossier.status) == ("148/I.1.a", "province", "draft")
    for document in REQUIRED_DOCUMENTS[:-1]:
        owner.post(
            f"/cycle/dossiers/{dossier.pk}/evidence/",
            {"slot": f"d:{document}", "file": pdf_upload(f"{document}.pdf")},
        )
    owner.post(f"/cycle/dossiers/{dossier.pk}/evidence/", {"slot": "c:1.a", "file": png_upload("vuon.png")})
    # A program renamed .pdf is refused, cleanly, and nothing is stored.
    response = owner.post(
        f"/cycle/dossiers/{dossier.pk}/evidence/",
        {"slot": "c:1.b", "file": io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200)},
        follow=True,
    )
    assert (
        "The file was refused: it is a Windows program, not a PDF or an image." in response.content.decode()
    )
    assert Evidence.objects.filter(dossier=dossier).count() == 4
    # Submitting too early names what is missing.
    response = owner.post(f"/cycle/dossiers/{dossier.pk}/submit/", {"confirmed": "1"}, follow=True)
    page = response.content.decode()
    assert "The self-assessment is incomplete" in page
    assert "Quality self-declaration or product standard" in page
    owner.post(f"/cycle/dossiers/{dossier.pk}/self-assessment/", _radio(FOUR_STARS))
    dossier.refresh_from_db()
    assert (dossier.self_total, dossier.self_stars) == (77, 4)
    page = owner.get(f"/cycle/dossiers/{dossier.pk}/").content.decode()
    assert "Self-assessed total: 77 points" in page
    assert "To reach 5 stars" in page  # the upgrade advice, before submission
    owner.post(
        f"/cycle/dossiers/{dossier.pk}/evidence/",
        {"slot": "d:quality_declaration", "file": pdf_upload("tcb.pdf")},
    )
    owner.post(f"/cycle/dossiers/{dossier.pk}/submit/", {"confirmed": "1"})
    dossier.refresh_from_db()
    assert dossier.status == "submitted"

    # 4. The commune checks: assesses the local criteria and forwards to the province.
    page = commune.get(f"/cycle/dossiers/{dossier.pk}/check/").content.decode()
    assert "Use of local labour" in page
    response = commune.post(
        f"/cycle/dossiers/{dossier.pk}/check/",
        {
            "outcome": "forwarded",
            "reasons": "",
            **{
                f"finding_{c}": "meets"
                for c in ("local_origin", "local_labour", "idea_origin", "local_identity")
            },
            "note_local_labour": "12 lao động địa phương",
        },
    )
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "forwarded"
    check = dossier.commune_checks.get()
    assert check.findings["local_labour"] == {"finding": "meets", "note": "12 lao động địa phương"}

    # 5. Council, seats, sitting, agenda — through the organiser's pages.
    province.post(
        f"/cycle/rounds/{round_.pk}/councils/",
        {
            "name": "Hội đồng tỉnh",
            "quorum_numerator": 3,
            "quorum_denominator": 4,
            "chair_required": "on",
            "max_spread": "10",
            "decimals": 2,
            "rounding": "half_up",
            "marker_basis": "mean",
        },
    )
    council = round_.councils.get()
    for user, role in ((members.chair, "chair"), (members.member, "member"), (members.third, "member")):
        province.post(f"/cycle/councils/{council.pk}/seats/", {"username": user.username, "role": role})
    assert council.seats.count() == 3
    province.post(
        f"/cycle/councils/{council.pk}/sittings/", {"held_on": today.isoformat(), "place": "UBND tỉnh"}
    )
    sitting = council.sittings.get()
    province.post(f"/cycle/sittings/{sitting.pk}/dossiers/", {"dossier": dossier.pk})
    assignment = Assignment.objects.get(sitting=sitting, dossier=dossier)
    province.post(f"/cycle/sittings/{sitting.pk}/open/")
    sitting.refresh_from_db()
    assert sitting.status == "open"

    # 6. Each member scores on the scoring screen and submits.
    for user in (members.chair, members.member, members.third):
        client = _login(user)
        assert client.get(f"/cycle/assignments/{assignment.pk}/sheet/").status_code == 200
        # "Submit the sheet" keeps the answers and asks first, showing the points and stars.
        response = client.post(
            f"/cycle/assignments/{assignment.pk}/sheet/", {**_radio(FOUR_STARS), "submit": "1"}
        )
        assert response.status_code == 200
        page = response.content.decode()
        assert "This cannot be undone." in page
        assert "<dt>Points</dt><dd>77</dd>" in page
        assert "<dt>Stars</dt><dd>4</dd>" in page
        assert Sheet.objects.get(assignment=assignment, seat__user=user).status == "draft"
        response = client.post(f"/cycle/assignments/{assignment.pk}/sheet/submit/", {"confirmed": "1"})
        assert response.status_code == 302
    assert (
        sorted(Sheet.objects.filter(assignment=assignment).values_list("status", "total"))
        == [("submitted", 77)] * 3
    )

    # 7. Closing freezes every sheet and records the result.
    province.post(f"/cycle/sittings/{sitting.pk}/close/", {"confirmed": "1"})
    assignment.refresh_from_db()
    assert (assignment.score, assignment.stars, assignment.final) == (77, 4, True)
    assert set(Sheet.objects.filter(assignment=assignment).values_list("frozen", flat=True)) == {True}

    # 8. The decision: 4 stars recognised at province level, one certificate as a real PDF.
    response = province.post(
        f"/cycle/rounds/{round_.pk}/decisions/new/",
        {
            "number": "1234/QĐ-UBND",
            "signed_on": today.isoformat(),
            "signer": "Phó Chủ tịch UBND tỉnh Nguyễn Văn A",
        },
    )
    decision = Decision.objects.get(number="1234/QĐ-UBND")
    assert response.url == f"/cycle/decisions/{decision.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        response = province.post(f"/cycle/decisions/{decision.pk}/issue/", {"confirmed": "1"})
    decision.refresh_from_db()
    assert response.url == f"/jobs/{decision.job_id}/"
    assert decision.job.status == "succeeded", decision.job.error
    recognition = Recognition.objects.get(product=product)
    assert (recognition.stars, recognition.level, recognition.decision_no, recognition.score) == (
        4,
        "province",
        "1234/QĐ-UBND",
        77,
    )
    assert recognition.status_on(today) == "valid"
    dossier.refresh_from_db()
    assert dossier.status == "recognised"
    certificate = Certificate.objects.get(recognition=recognition)
    pdf = owner.get(f"/cycle/certificates/{certificate.pk}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages[0].extract_text()
    assert "GIẤY CHỨNG NHẬN" in text
    assert "Mãng cầu Bà Đen" in text
    assert "Đạt hạng: 4 sao" in text
    assert "1234/QĐ-UBND" in text
    assert f"/verify/{certificate.code}/" in text
    assert producer.name in text
    # An official document: national title and motto, the issuing province, the number and the
    # date as Vietnamese write them, the score without an English decimal point, the signer.
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert f"ỦY BAN NHÂN DÂN\n{round_.province.name.upper()}" in text
    assert f"Số: {certificate.number}" in text and certificate.number == "1234/QĐ-UBND/GCN-001"
    day = certificate.issued_on
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    assert (
        f"{round_.province.name.removeprefix('Tỉnh ')}, ngày {day.day:02d} tháng {month} năm {day.year}"
        in text
    )
    assert re.search(r"Score: 77(?![.,\d])", text), text
    assert "(Ký, ghi rõ họ tên, đóng dấu)" in text and "Phó Chủ tịch UBND tỉnh Nguyễn Văn A" in text
    # The producer was told by e-mail, once.
    assert [m.to for m in mail.outbox] == [["owner@example.vn"]]
    # The QR code leads to a page with the live status: valid today...
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/verify/{certificate.code}/").content.decode()
    assert "Valid OCOP certificate" in page
    # ... and the registry shows the product as a 4-star OCOP product at once.
    api = Client().get(f"/api/v1/products/{product.pk}").json()
    assert api["recognitions"][0]["stars"] == 4 and api["recognitions"][0]["status"] == "valid"
    # Every step left an audit event.
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "idea.submit",
        "idea.returned",
        "idea.accepted",
        "idea.plan_file",
        "dossier.create",
        "dossier.evidence_add",
        "dossier.submit",
        "dossier.check_forwarded",
        "sitting.open",
        "sheet.submit",
        "sitting.close",
        "decision.issue",
        "recognition.record",
    } <= actions


def test_a_ninety_point_product_goes_on_to_the_central_round(
    cycle,
    owner_a,
    commune_officer_a,
    officer_a,
    central,
    django_user_model,
    django_capture_on_commit_callbacks,
):
    records, members = cycle.records, cycle.members
    today = timezone.localdate()
    dossier = forwarded_dossier(owner_a, commune_officer_a, records.p_draft, cycle.round, ANSWERS_100)
    assignment = services.assignment_add(user=officer_a, sitting=cycle.sitting, dossier=dossier)
    services.sitting_open(user=officer_a, sitting=cycle.sitting)
    for user in (members.chair, members.member, members.third):
        services.sheet_save(user=user, assignment=assignment, answers=ANSWERS_100, replace=True)
        services.sheet_submit(user=user, assignment=assignment)
    services.sitting_close(user=officer_a, sitting=cycle.sitting)
    assignment.refresh_from_db()
    assert (assignment.score, assignment.stars) == (100, 5)
    # The draft names the level it proposes to as people say it, not by its code.
    from django.test import Client

    vi = Client(HTTP_ACCEPT_LANGUAGE="vi")
    vi.force_login(officer_a)
    row = vi.get(f"/cycle/rounds/{cycle.round.pk}/decisions/new/").content.decode().split("<tbody>")[1]
    assert "<td>Trung ương</td>" in row and "central" not in row

    decision = services.decision_create(
        user=officer_a, round=cycle.round, number="55/QĐ-UBND", signed_on=today, signer="Chủ tịch UBND tỉnh"
    )
    item = decision.items.get()
    # Province level recognises 4 stars at most and proposes 90+ points to the central round.
    assert (item.stars, item.forward_to) == (4, "central")
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_issue(user=officer_a, decision=decision)
    dossier.refresh_from_db()
    assert (dossier.level, dossier.status) == ("central", "forwarded")
    province_recognition = Recognition.objects.get(product=records.p_draft)
    assert (province_recognition.stars, province_recognition.level) == (4, "province")

    # The central office runs the central round.
    central_client = _login(central)
    central_client.post(
        "/cycle/rounds/new/",
        {"name": "Đánh giá cấp quốc gia 2026", "level": "central", "held_on": today.isoformat()},
    )
    central_round = Round.objects.get(level="central")
    assert central_round.province is None
    # The province officer cannot open a central round, and does not see it.
    response = _login(officer_a).post(
        "/cycle/rounds/new/", {"name": "X", "level": "central", "held_on": today.isoformat()}
    )
    assert Round.objects.filter(level="central").count() == 1 and response.status_code == 200
    assert _login(officer_a).get(f"/cycle/rounds/{central_round.pk}/").status_code == 404

    council = services.council_create(user=central, round=central_round, name="Hội đồng quốc gia")
    national = [django_user_model.objects.create_user(username=f"qg{i}") for i in range(3)]
    services.seat_add(user=central, council=council, member=national[0], role="chair")
    for user in national[1:]:
        services.seat_add(user=central, council=council, member=user, role="member")
    sitting = services.sitting_create(user=central, council=council, held_on=today)
    page = central_client.get(f"/cycle/sittings/{sitting.pk}/").content.decode()
    assert records.p_draft.name_vi in page  # offered on the central agenda
    central_assignment = services.assignment_add(user=central, sitting=sitting, dossier=dossier)
    services.sitting_open(user=central, sitting=sitting)
    for user in national:
        services.sheet_save(user=user, assignment=central_assignment, answers=ANSWERS_100, replace=True)
        services.sheet_submit(user=user, assignment=central_assignment)
    services.sitting_close(user=central, sitting=sitting)
    central_decision = services.decision_create(
        user=central, round=central_round, number="999/QĐ-BNNMT", signed_on=today, signer="Thứ trưởng"
    )
    assert [(i.stars, i.forward_to) for i in central_decision.items.all()] == [(5, "")]
    with django_capture_on_commit_callbacks(execute=True):
        services.decision_issue(user=central, decision=central_decision)
    dossier.refresh_from_db()
    assert dossier.status == "recognised"
    current = records.p_draft.current_recognition(today)
    assert (current.stars, current.level, current.decision_no) == (5, "central", "999/QĐ-BNNMT")
    province_recognition.refresh_from_db()
    assert province_recognition.superseded_by == current
    certificate = Certificate.objects.get(recognition=current)
    text = PdfReader(io.BytesIO(certificate.file.read())).pages[0].extract_text()
    assert "BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG" in text and "Đạt hạng: 5 sao" in text
    # The province certificate's QR page now says it was replaced.
    old = Certificate.objects.get(recognition=province_recognition)
    assert (
        "Certificate replaced by a newer recognition"
        in Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/verify/{old.code}/").content.decode()
    )


def test_the_round_date_chooses_the_process(officer_a, geo):
    before = services.round_create(
        user=officer_a, name="2024", level="district", held_on=date(2024, 9, 1), province=geo.province_a
    )
    assert (before.process, before.rules.commune_check, before.rules.first_level.level) == (
        "148",
        False,
        "district",
    )
    after = services.round_create(
        user=officer_a, name="2025", level="province", held_on=date(2025, 7, 6), province=geo.province_a
    )
    assert (after.process, after.rules.commune_check) == ("1489", True)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.round_create(
            user=officer_a, name="x", level="district", held_on=date(2025, 8, 1), province=geo.province_a
        )
    assert "has no District level" in str(error.value)


def test_before_july_2025_the_district_screens_and_forwards_from_70(
    fresh_products, officer_a, owner_a, members, geo
):
    """The three-level process: no commune check (submission goes to the district council);
    a 77-point product is not recognised at district level but proposed to the province."""
    round_ = services.round_create(
        user=officer_a, name="Huyện 2024", level="district", held_on=date(2024, 9, 1), province=geo.province_a
    )
    from .conftest import submitted_dossier

    Product.objects.filter(pk=fresh_products.p_draft.pk).update(product_set=None)
    # The 148 sheet is in force in 2024 for the fresh-produce set.
    Product.objects.filter(pk=fresh_products.p_draft.pk).update(
        product_set=fresh_products.p_recognised.product_set
    )
    dossier = submitted_dossier(owner_a, fresh_products.p_draft, round_, FOUR_STARS)
    assert (dossier.status, dossier.level) == ("forwarded", "district")
    council = services.council_create(user=officer_a, round=round_, name="Hội đồng huyện")
    services.seat_add(user=officer_a, council=council, member=members.chair, role="chair")
    sitting = services.sitting_create(user=officer_a, council=council, held_on=date(2024, 9, 10))
    assignment = services.assignment_add(user=officer_a, sitting=sitting, dossier=dossier)
    services.sitting_open(user=officer_a, sitting=sitting)
    services.sheet_save(user=members.chair, assignment=assignment, answers=FOUR_STARS, replace=True)
    services.sheet_submit(user=members.chair, assignment=assignment)
    services.sitting_close(user=officer_a, sitting=sitting)
    decision = services.decision_create(
        user=officer_a,
        round=round_,
        number="7/QĐ-UBND",
        signed_on=date(2024, 9, 20),
        signer="Chủ tịch UBND huyện",
    )
    assert [(i.stars, i.forward_to) for i in decision.items.all()] == [(None, "province")]
    services.decision_issue(user=officer_a, decision=decision)
    dossier.refresh_from_db()
    assert (dossier.level, dossier.status) == ("province", "forwarded")
    assert not Recognition.objects.filter(product=fresh_products.p_draft).exists()
    assert not Sitting.objects.filter(status="open").exists()
    assert re.match(r"^\d+$", str(dossier.pk))
