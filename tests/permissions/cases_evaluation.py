"""Permission cases for the OCOP cycle: ideas, dossiers, the commune check, rounds, councils,
sittings, members' sheets, decisions, certificates, revocation.

``setup`` builds, in province A (officer_a's, commune a1 of commune_officer_a, producer P of
owner_a), a round with a council on which ``council_member`` sits (with a chair who is none of
the actors) and a second council without sittings; an open sitting where council_member has a
draft sheet and a dossier whose two sheets are too far apart; a planned sitting; a closed sitting
with two final results, one of them in a draft decision; an issued decision with a certificate.
Records are written straight to the tables (the services are tested elsewhere) to keep the
matrix fast.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ocop.evaluation.tests.helpers import ANSWERS_76, ANSWERS_100, TINY_PDF

from .framework import EVERYONE, REACH_P, SIGNED_IN, api, count, page

ORGANISERS_A = {"central", "officer_a"}
COUNCIL_A = {"central", "officer_a", "council_member"}
PRODUCER_P = {"central", "owner_a"}
PRODUCERS = {"central", "owner_a", "owner_b"}
CHECKERS_A = {"central", "commune_officer_a"}
MEMBER = {"council_member"}
DOCUMENTS = ("registration_form", "business_registration", "food_safety", "quality_declaration")


def _pdf(name="tai-lieu.pdf"):
    return SimpleUploadedFile(name, TINY_PDF, content_type="application/pdf")


def setup(records, users):
    from django.contrib.auth import get_user_model

    from ocop.criteria.models import CriteriaSet
    from ocop.evaluation.models import (
        Assignment,
        Certificate,
        Council,
        Decision,
        DecisionItem,
        Dossier,
        Evidence,
        Idea,
        Round,
        Seat,
        Sheet,
        Sitting,
    )
    from ocop.registry.models import Product

    now, today = timezone.now(), timezone.localdate()
    criteria_set = CriteriaSet.objects.get(code="148/I.1.a", is_current=True)
    product_set = criteria_set.product_set
    p, owner_a, officer_a = records.p, users["owner_a"], users["officer_a"]
    Product.objects.filter(pk__in=[records.p_draft.pk, records.p_recognised.pk]).update(
        product_set=product_set
    )

    def product(name):
        return Product.objects.create(producer=p, name_vi=name, group="food", product_set=product_set)

    # Ideas: submitted, returned, planned (with its plan file).
    def idea(name, status):
        return Idea.objects.create(
            producer=p,
            name=name,
            group="food",
            description="Ý tưởng",
            status=status,
            submitted_by=owner_a,
            submitted_at=now,
        )

    records.idea = idea("Mật ong rừng", "submitted")
    records.idea_returned = idea("Tinh dầu sả", "returned")
    records.idea_planned = idea("Bánh pía", "planned")
    records.idea_planned.plan_file.save("plan.pdf", ContentFile(TINY_PDF), save=False)
    records.idea_planned.plan_name = "plan.pdf"
    records.idea_planned.save()

    chair = get_user_model().objects.create_user(username="chair_a")
    round_ = Round.objects.create(
        name="Đợt 2/2026",
        level="province",
        province=p.province,
        held_on=today,
        process="1489",
        created_by=officer_a,
    )
    council = Council.objects.create(round=round_, name="Hội đồng tỉnh A")
    chair_seat = Seat.objects.create(council=council, user=chair, role="chair")
    member_seat = Seat.objects.create(council=council, user=users["council_member"], role="member")
    records.round, records.council = round_, council
    records.council2 = Council.objects.create(round=round_, name="Hội đồng thủ công")
    records.seat2 = Seat.objects.create(council=records.council2, user=chair, role="member")

    def dossier(product_, status, kind="first", answers=None):
        return Dossier.objects.create(
            product=product_,
            round=round_,
            kind=kind,
            criteria_set=criteria_set,
            level="province",
            status=status,
            answers=answers or {},
            created_by=owner_a,
        )

    # A complete draft dossier (an upgrade: P's recognised product) with its documents.
    records.dossier_draft = dossier(records.p_recognised, "draft", "upgrade", ANSWERS_76)
    for index, kind in enumerate(DOCUMENTS):
        item = Evidence(
            dossier=records.dossier_draft,
            document=kind,
            original_name=f"{kind}.pdf",
            content_type="application/pdf",
            size=len(TINY_PDF),
            sha256=f"{index:064d}",
            uploaded_by=owner_a,
            uploaded_at=now,
        )
        item.file.save(f"{kind}.pdf", ContentFile(TINY_PDF), save=False)
        item.save()
    records.evidence = item
    records.dossier_submitted = dossier(product("Khô bò"), "submitted", answers=ANSWERS_76)
    records.dossier_awaiting = dossier(product("Muối tôm"), "forwarded", answers=ANSWERS_76)
    records.fresh_product = product("Mãng cầu")

    # The open sitting: council_member's sheet is a complete draft; the second dossier's two
    # submitted sheets are 24 points apart (more than the 10 allowed).
    open_sitting = Sitting.objects.create(council=council, held_on=today, status="open", opened_at=now)
    records.sitting = open_sitting
    records.dossier_sitting = dossier(records.p_draft, "in_sitting", answers=ANSWERS_76)
    records.assignment = Assignment.objects.create(
        sitting=open_sitting, dossier=records.dossier_sitting, position=1
    )
    Sheet.objects.create(
        assignment=records.assignment,
        seat=chair_seat,
        answers=ANSWERS_100,
        total=100,
        stars=5,
        status="submitted",
        submitted_at=now,
    )
    records.sheet_member = Sheet.objects.create(
        assignment=records.assignment, seat=member_seat, answers=ANSWERS_76
    )
    spread = Assignment.objects.create(
        sitting=open_sitting, dossier=dossier(product("Chả lụa"), "in_sitting"), position=2
    )
    for seat, answers, total in ((chair_seat, ANSWERS_100, 100), (member_seat, ANSWERS_76, 76)):
        Sheet.objects.create(
            assignment=spread, seat=seat, answers=answers, total=total, status="submitted", submitted_at=now
        )
    records.assignment_spread = spread

    # A planned sitting with a dossier on its agenda, and another dossier awaiting a council.
    records.sitting_planned = Sitting.objects.create(council=council, held_on=today + timedelta(days=7))
    records.assignment_planned = Assignment.objects.create(
        sitting=records.sitting_planned, dossier=dossier(product("Bánh tét"), "in_sitting")
    )

    # A closed sitting with two final results; the first is in a draft decision.
    closed = Sitting.objects.create(
        council=council, held_on=today, status="closed", opened_at=now, closed_at=now, revealed_to=council
    )
    finals = []
    for name in ("Nước mắm", "Mắm ruốc"):
        finals.append(
            Assignment.objects.create(
                sitting=closed,
                dossier=dossier(product(name), "evaluated", answers=ANSWERS_76),
                score=80,
                stars=4,
                band_stars=4,
                final=True,
            )
        )
    records.decision = Decision.objects.create(
        round=round_, number="10/QĐ-UBND", signed_on=today, signer="Chủ tịch"
    )
    DecisionItem.objects.create(
        decision=records.decision, dossier=finals[0].dossier, assignment=finals[0], score=80, stars=4
    )
    # An issued decision with the certificate of P's recognition.
    issued = Decision.objects.create(
        round=round_, number="9/QĐ-UBND", signed_on=today, signer="Chủ tịch", status="issued", issued_at=now
    )
    item = DecisionItem.objects.create(
        decision=issued,
        dossier=finals[0].dossier,
        assignment=finals[0],
        score=80,
        stars=4,
        recognition=records.r_p,
    )
    records.certificate = Certificate.objects.create(
        item=item, recognition=records.r_p, number="9/QĐ-UBND/GCN-001", issued_on=today
    )
    records.certificate.file.save("c.pdf", ContentFile(TINY_PDF), save=True)


def _member_answer(records, code):
    from ocop.evaluation.models import Sheet

    return Sheet.objects.get(pk=records.sheet_member.pk).answers.get(code)


def _radio(answers):
    return {f"c:{code}": f"1:{value}" for code, value in answers.items()}


CASES = [
    # ---- ideas --------------------------------------------------------------------------------
    page("evaluation:idea_list", lambda r: "/cycle/ideas/", SIGNED_IN),
    page("evaluation:idea_create", lambda r: "/cycle/ideas/new/", PRODUCERS),
    page(
        "evaluation:idea_create#post",
        lambda r: "/cycle/ideas/new/",
        PRODUCER_P,
        method="post",
        data=lambda r, g: {"producer": r.p.pk, "name": "Kẹo dừa", "group": "food", "description": "Kẹo"},
        ok=302,
        denied=(200, 404),
        effect=lambda r, actor: count("evaluation.idea", name="Kẹo dừa") == 1,
    ),
    page("evaluation:idea_detail", lambda r: f"/cycle/ideas/{r.idea.pk}/", REACH_P),
    page(
        "evaluation:idea_review",
        lambda r: f"/cycle/ideas/{r.idea.pk}/review/",
        CHECKERS_A,
        method="post",
        data=lambda r, g: {"outcome": "accepted", "reason": ""},
        ok=302,
        effect=lambda r, actor: count("evaluation.idea", pk=r.idea.pk, status="accepted") == 1,
    ),
    page(
        "evaluation:idea_resubmit",
        lambda r: f"/cycle/ideas/{r.idea_returned.pk}/resubmit/",
        PRODUCER_P,
        method="post",
        data=lambda r, g: {"name": "Tinh dầu sả chanh", "group": "herbal", "description": "Đã bổ sung"},
        ok=302,
        effect=lambda r, actor: count("evaluation.idea", pk=r.idea_returned.pk, status="submitted") == 1,
    ),
    page(
        "evaluation:idea_plan",
        lambda r: f"/cycle/ideas/{r.idea_planned.pk}/plan/",
        PRODUCER_P,
        method="post",
        data=lambda r, g: {"plan_summary": "Phương án mới", "plan_file": _pdf("pa.pdf")},
        ok=302,
        effect=lambda r, actor: (
            count("evaluation.idea", pk=r.idea_planned.pk, plan_summary="Phương án mới") == 1
        ),
    ),
    page("evaluation:idea_plan_file", lambda r: f"/cycle/ideas/{r.idea_planned.pk}/plan/file/", REACH_P),
    # ---- dossiers -----------------------------------------------------------------------------
    page("evaluation:dossier_list", lambda r: "/cycle/", SIGNED_IN),
    page("evaluation:dossier_create", lambda r: "/cycle/dossiers/new/", PRODUCERS),
    page(
        "evaluation:dossier_create#post",
        lambda r: "/cycle/dossiers/new/",
        PRODUCER_P,
        method="post",
        data=lambda r, g: {"product": r.fresh_product.pk, "kind": "first", "round": r.round.pk},
        ok=302,
        denied=(200, 404),
        effect=lambda r, actor: count("evaluation.dossier", product=r.fresh_product) == 1,
    ),
    page("evaluation:dossier_detail", lambda r: f"/cycle/dossiers/{r.dossier_draft.pk}/", REACH_P),
    page(
        "evaluation:dossier_detail#in_sitting",
        lambda r: f"/cycle/dossiers/{r.dossier_sitting.pk}/",
        REACH_P | {"council_member"},
    ),
    page(
        "evaluation:dossier_assessment",
        lambda r: f"/cycle/dossiers/{r.dossier_draft.pk}/self-assessment/",
        REACH_P,
    ),
    page(
        "evaluation:dossier_assessment#post",
        lambda r: f"/cycle/dossiers/{r.dossier_draft.pk}/self-assessment/",
        PRODUCER_P,
        method="post",
        data=lambda r, g: _radio(ANSWERS_100),
        ok=302,
        effect=lambda r, actor: count("evaluation.dossier", pk=r.dossier_draft.pk, self_total=100) == 1,
    ),
    page(
        "evaluation:evidence_add",
        lambda r: f"/cycle/dossiers/{r.dossier_draft.pk}/evidence/",
        PRODUCER_P,
        method="post",
        data=lambda r, g: {"slot": "c:1.a", "file": _pdf("vung-nguyen-lieu.pdf")},
        ok=302,
        effect=lambda r, actor: count("evaluation.evidence", dossier=r.dossier_draft, criterion="1.a") == 1,
    ),
    page(
        "evaluation:evidence_remove",
        lambda r: f"/cycle/evidence/{r.evidence.pk}/remove/",
        PRODUCER_P,
        method="post",
        ok=302,
        effect=lambda r, actor: count("evaluation.evidence", pk=r.evidence.pk) == 0,
    ),
    page("evaluation:evidence_file", lambda r: f"/cycle/evidence/{r.evidence.pk}/", REACH_P),
    page(
        "evaluation:dossier_submit",
        lambda r: f"/cycle/dossiers/{r.dossier_draft.pk}/submit/",
        PRODUCER_P,
        method="post",
        data=lambda r, g: {"confirmed": "1"},
        ok=302,
        effect=lambda r, actor: count("evaluation.dossier", pk=r.dossier_draft.pk, status="submitted") == 1,
    ),
    page(
        "evaluation:dossier_check", lambda r: f"/cycle/dossiers/{r.dossier_submitted.pk}/check/", CHECKERS_A
    ),
    page(
        "evaluation:dossier_check#post",
        lambda r: f"/cycle/dossiers/{r.dossier_submitted.pk}/check/",
        CHECKERS_A,
        method="post",
        data=lambda r, g: {"outcome": "returned", "reasons": "Thiếu phiếu kiểm nghiệm"},
        ok=302,
        effect=lambda r, actor: (
            count("evaluation.dossier", pk=r.dossier_submitted.pk, status="returned") == 1
        ),
    ),
    # ---- rounds, councils, sittings -------------------------------------------------------------
    page(
        "evaluation:round_list",
        lambda r: "/cycle/rounds/",
        SIGNED_IN,
    ),
    page("evaluation:round_create", lambda r: "/cycle/rounds/new/", {"central", "officer_a", "officer_b"}),
    page(
        "evaluation:round_create#post",
        lambda r: "/cycle/rounds/new/",
        ORGANISERS_A,
        method="post",
        data=lambda r, g: {
            "name": "Đợt bổ sung",
            "level": "province",
            "province": g.province_a.pk,
            "held_on": timezone.localdate().isoformat(),
        },
        ok=302,
        denied=(200, 404),
        effect=lambda r, actor: count("evaluation.round", name="Đợt bổ sung") == 1,
    ),
    page("evaluation:round_detail", lambda r: f"/cycle/rounds/{r.round.pk}/", COUNCIL_A),
    page(
        "evaluation:round_close",
        lambda r: f"/cycle/rounds/{r.round.pk}/close/",
        ORGANISERS_A,
        method="post",
        ok=302,
        effect=lambda r, actor: count("evaluation.round", pk=r.round.pk, status="closed") == 1,
    ),
    page(
        "evaluation:council_create",
        lambda r: f"/cycle/rounds/{r.round.pk}/councils/",
        ORGANISERS_A,
        method="post",
        data=lambda r, g: {
            "name": "Hội đồng mới",
            "quorum_numerator": 2,
            "quorum_denominator": 3,
            "decimals": 2,
            "rounding": "half_up",
            "marker_basis": "mean",
        },
        ok=302,
        effect=lambda r, actor: count("evaluation.council", name="Hội đồng mới", quorum_numerator=2) == 1,
    ),
    page("evaluation:council_detail", lambda r: f"/cycle/councils/{r.council.pk}/", COUNCIL_A),
    page(
        "evaluation:seat_add",
        lambda r: f"/cycle/councils/{r.council2.pk}/seats/",
        ORGANISERS_A,
        method="post",
        data=lambda r, g: {"username": "owner_b", "role": "advisor"},
        ok=302,
        effect=lambda r, actor: count("evaluation.seat", council=r.council2, user__username="owner_b") == 1,
    ),
    page(
        "evaluation:seat_remove",
        lambda r: f"/cycle/seats/{r.seat2.pk}/remove/",
        ORGANISERS_A,
        method="post",
        ok=302,
        effect=lambda r, actor: count("evaluation.seat", pk=r.seat2.pk) == 0,
    ),
    page(
        "evaluation:sitting_create",
        lambda r: f"/cycle/councils/{r.council2.pk}/sittings/",
        ORGANISERS_A,
        method="post",
        data=lambda r, g: {"held_on": "2026-12-01", "place": "Hội trường"},
        ok=302,
        effect=lambda r, actor: count("evaluation.sitting", council=r.council2) == 1,
    ),
    page("evaluation:sitting_detail", lambda r: f"/cycle/sittings/{r.sitting.pk}/", COUNCIL_A),
    page(
        "evaluation:sitting_open",
        lambda r: f"/cycle/sittings/{r.sitting_planned.pk}/open/",
        ORGANISERS_A,
        method="post",
        ok=302,
        effect=lambda r, actor: count("evaluation.sitting", pk=r.sitting_planned.pk, status="open") == 1,
    ),
    page(
        "evaluation:sitting_close",
        lambda r: f"/cycle/sittings/{r.sitting.pk}/close/",
        ORGANISERS_A,
        method="post",
        data=lambda r, g: {"confirmed": "1"},
        ok=302,
        effect=lambda r, actor: count("evaluation.sheet", assignment__sitting=r.sitting, frozen=False) == 0,
    ),
    page(
        "evaluation:assignment_add",
        lambda r: f"/cycle/sittings/{r.sitting_planned.pk}/dossiers/",
        ORGANISERS_A,
        method="post",
        data=lambda r, g: {"dossier": r.dossier_awaiting.pk},
        ok=302,
        effect=lambda r, actor: count("evaluation.assignment", dossier=r.dossier_awaiting) == 1,
    ),
    page(
        "evaluation:assignment_detail",
        lambda r: f"/cycle/assignments/{r.assignment.pk}/",
        COUNCIL_A | {"owner_a"},
    ),
    page(
        "evaluation:assignment_remove",
        lambda r: f"/cycle/assignments/{r.assignment_planned.pk}/remove/",
        ORGANISERS_A,
        method="post",
        ok=302,
        effect=lambda r, actor: count("evaluation.assignment", pk=r.assignment_planned.pk) == 0,
    ),
    page(
        "evaluation:assignment_rescore",
        lambda r: f"/cycle/assignments/{r.assignment_spread.pk}/rescore/",
        ORGANISERS_A,
        method="post",
        ok=302,
        effect=lambda r, actor: count("evaluation.assignment", pk=r.assignment_spread.pk, attempt=2) == 1,
    ),
    # ---- the member's scoring screen ------------------------------------------------------------
    page("evaluation:sheet", lambda r: f"/cycle/assignments/{r.assignment.pk}/sheet/", MEMBER),
    page(
        "evaluation:sheet#post",
        lambda r: f"/cycle/assignments/{r.assignment.pk}/sheet/",
        MEMBER,
        method="post",
        data=lambda r, g: _radio(ANSWERS_100),
        ok=302,
        effect=lambda r, actor: count("evaluation.sheet", pk=r.sheet_member.pk, total=100) == 1,
    ),
    page(
        "evaluation:sheet_answer",
        lambda r: f"/cycle/assignments/{r.assignment.pk}/sheet/answer/",
        MEMBER,
        method="post",
        data=lambda r, g: {"c:1.a": "1:1"},
        effect=lambda r, actor: _member_answer(r, "1.a") == 1,
    ),
    page(
        "evaluation:sheet_submit",
        lambda r: f"/cycle/assignments/{r.assignment.pk}/sheet/submit/",
        MEMBER,
        method="post",
        data=lambda r, g: {"confirmed": "1"},
        ok=302,
        effect=lambda r, actor: count("evaluation.sheet", pk=r.sheet_member.pk, status="submitted") == 1,
    ),
    page(
        "evaluation:recusal_declare",
        lambda r: f"/cycle/assignments/{r.assignment.pk}/recuse/",
        MEMBER,
        method="post",
        data=lambda r, g: {"reason": "Người thân của chủ thể"},
        ok=302,
        effect=lambda r, actor: count("evaluation.recusal", assignment=r.assignment) == 1,
    ),
    # ---- decisions and certificates -------------------------------------------------------------
    page("evaluation:decision_create", lambda r: f"/cycle/rounds/{r.round.pk}/decisions/new/", ORGANISERS_A),
    page(
        "evaluation:decision_create#post",
        lambda r: f"/cycle/rounds/{r.round.pk}/decisions/new/",
        ORGANISERS_A,
        method="post",
        data=lambda r, g: {
            "number": "11/QĐ-UBND",
            "signed_on": timezone.localdate().isoformat(),
            "signer": "Chủ tịch",
        },
        ok=302,
        effect=lambda r, actor: count("evaluation.decisionitem", decision__number="11/QĐ-UBND") == 1,
    ),
    page("evaluation:decision_detail", lambda r: f"/cycle/decisions/{r.decision.pk}/", ORGANISERS_A),
    page(
        "evaluation:decision_issue",
        lambda r: f"/cycle/decisions/{r.decision.pk}/issue/",
        ORGANISERS_A,
        method="post",
        data=lambda r, g: {"confirmed": "1"},
        ok=302,
        effect=lambda r, actor: count("evaluation.decision", pk=r.decision.pk, status="issued") == 1,
    ),
    page("evaluation:certificate_pdf", lambda r: f"/cycle/certificates/{r.certificate.pk}/pdf/", REACH_P),
    page("evaluation:verify", lambda r: f"/verify/{r.certificate.code}/", EVERYONE, anonymous=200),
    # ---- after recognition ----------------------------------------------------------------------
    page("evaluation:expiring", lambda r: "/cycle/expiring/", SIGNED_IN),
    page("evaluation:revoke", lambda r: f"/cycle/recognitions/{r.r_p.pk}/revoke/", ORGANISERS_A),
    page(
        "evaluation:revoke#post",
        lambda r: f"/cycle/recognitions/{r.r_p.pk}/revoke/",
        ORGANISERS_A,
        method="post",
        data=lambda r, g: {
            "ground": "food_safety",
            "decision_no": "77/QĐ-UBND",
            "decided_on": timezone.localdate().isoformat(),
            "details": "Vi phạm ATTP",
            "confirmed": "1",
        },
        ok=302,
        effect=lambda r, actor: count("evaluation.revocation", recognition=r.r_p, ground="food_safety") == 1,
    ),
    # ---- API ----------------------------------------------------------------------------------
    api("GET /api/v1/evaluation/dossiers", lambda r: "/api/v1/evaluation/dossiers", SIGNED_IN),
    api(
        "GET /api/v1/evaluation/dossiers/{dossier_id}",
        lambda r: f"/api/v1/evaluation/dossiers/{r.dossier_draft.pk}",
        REACH_P,
    ),
    api("GET /api/v1/evaluation/rounds", lambda r: "/api/v1/evaluation/rounds", SIGNED_IN),
    api(
        "GET /api/v1/evaluation/assignments/{assignment_id}/sheet",
        lambda r: f"/api/v1/evaluation/assignments/{r.assignment.pk}/sheet",
        MEMBER,
    ),
    api(
        "PUT /api/v1/evaluation/assignments/{assignment_id}/sheet",
        lambda r: f"/api/v1/evaluation/assignments/{r.assignment.pk}/sheet",
        MEMBER,
        data=lambda r, g: {"answers": {"1.a": 1}},
        effect=lambda r, actor: _member_answer(r, "1.a") == 1,
    ),
    api(
        "POST /api/v1/evaluation/assignments/{assignment_id}/sheet/submit",
        lambda r: f"/api/v1/evaluation/assignments/{r.assignment.pk}/sheet/submit",
        MEMBER,
        effect=lambda r, actor: count("evaluation.sheet", pk=r.sheet_member.pk, status="submitted") == 1,
    ),
    api(
        "GET /api/v1/evaluation/certificates/{code}",
        lambda r: f"/api/v1/evaluation/certificates/{r.certificate.code}",
        EVERYONE,
        anonymous=200,
    ),
]
