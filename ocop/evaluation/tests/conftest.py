"""Records of the cycle shared by the evaluation tests: a current round in province A (Tây Ninh)
with a council of three scoring members (chair, council_member, a third) and a secretary, a
planned sitting, and helpers to make real uploads and walk a dossier to the council."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from .helpers import (  # noqa: F401  (re-exported for the tests)
    ANSWERS_76,
    ANSWERS_100,
    REQUIRED_DOCUMENTS,
    pdf_bytes,
    pdf_upload,
    png_bytes,
    png_upload,
)


@pytest.fixture
def criteria_set(db):
    from ocop.criteria.models import CriteriaSet

    return CriteriaSet.objects.get(code="148/I.1.a", is_current=True)


@pytest.fixture
def fresh_products(records, criteria_set):
    """Products P and Q classified in the fresh-produce set, so the 148 sheet applies."""
    from ocop.registry.models import Product

    Product.objects.filter(
        pk__in=[records.p_draft.pk, records.p_recognised.pk, records.q_recognised.pk]
    ).update(product_set=criteria_set.product_set)
    for product in (records.p_draft, records.p_recognised, records.q_recognised):
        product.refresh_from_db()
    return records


@pytest.fixture
def members(db, django_user_model, council_member):
    chair = django_user_model.objects.create_user(
        username="chair", password="pw-chair", first_name="Chủ tịch"
    )
    third = django_user_model.objects.create_user(
        username="member3", password="pw-member3", first_name="Thành viên 3"
    )
    secretary = django_user_model.objects.create_user(username="secretary", password="pw-secretary")
    return type(
        "Members", (), {"chair": chair, "member": council_member, "third": third, "secretary": secretary}
    )


@pytest.fixture
def cycle(fresh_products, geo, officer_a, members):
    """A current round of province A with its council and a planned sitting."""
    from ocop.evaluation import services

    today = timezone.localdate()
    round_ = services.round_create(
        user=officer_a, name="Đợt 2/2026 Tây Ninh", level="province", held_on=today, province=geo.province_a
    )
    council = services.council_create(user=officer_a, round=round_, name="Hội đồng OCOP tỉnh Tây Ninh")
    seats = {
        "chair": services.seat_add(user=officer_a, council=council, member=members.chair, role="chair"),
        "member": services.seat_add(user=officer_a, council=council, member=members.member, role="member"),
        "third": services.seat_add(user=officer_a, council=council, member=members.third, role="member"),
        "secretary": services.seat_add(
            user=officer_a, council=council, member=members.secretary, role="secretary"
        ),
    }
    sitting = services.sitting_create(user=officer_a, council=council, held_on=today, place="Tây Ninh")
    return type(
        "Cycle",
        (),
        {
            "round": round_,
            "council": council,
            "seats": seats,
            "sitting": sitting,
            "members": members,
            "records": fresh_products,
        },
    )


def submitted_dossier(owner, product, round_, answers=None, kind="first"):
    """A dossier with the required documents and a complete self-assessment, submitted."""
    from ocop.evaluation import services

    dossier = services.dossier_create(user=owner, product=product, round=round_, kind=kind)
    services.dossier_self_assess(user=owner, dossier=dossier, answers=answers or ANSWERS_76)
    for document in REQUIRED_DOCUMENTS:
        services.evidence_add(
            user=owner, dossier=dossier, upload=pdf_upload(f"{document}.pdf"), document=document
        )
    return services.dossier_submit(user=owner, dossier=dossier)


def forwarded_dossier(owner, commune_officer, product, round_, answers=None, kind="first"):
    from ocop.evaluation import services

    dossier = submitted_dossier(owner, product, round_, answers, kind)
    services.dossier_check(
        user=commune_officer,
        dossier=dossier,
        outcome="forwarded",
        findings={code: {"finding": "meets", "note": ""} for code in dossier.rules.local_criteria},
    )
    dossier.refresh_from_db()
    return dossier


def score_all(assignment, members, answers_by_user):
    from ocop.evaluation import services

    for user, answers in answers_by_user.items():
        services.sheet_save(user=user, assignment=assignment, answers=answers, replace=True)
        services.sheet_submit(user=user, assignment=assignment)


TODAY = date.today()
