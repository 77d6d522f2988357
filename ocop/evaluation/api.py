"""The OCOP cycle over HTTP: dossiers and rounds to read, a member's sheet to fill in, and the
public check of a certificate with the live status of its recognition.

Everything goes through the permission gate like the pages: records out of reach are 404.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from ocop.accounts import gate
from ocop.accounts.api import ANYONE, READ_ERRORS, SIGNED_IN, SIGNED_IN_READ_ERRORS, WRITE_ERRORS
from ocop.accounts.choices import Action
from ocop.registry.api import Pagination
from ocop.web.edge import Code, Id

from . import selectors, services
from .models import Assignment, Certificate, Dossier, Sheet

router = Router(tags=["evaluation"])


class DossierOut(Schema):
    id: int
    product_id: int
    product: str = Field(..., description="Product name (Vietnamese)")
    producer: str
    kind: str = Field(..., description="first, upgrade or rerating")
    round_id: int
    round: str
    process: str = Field(..., description="Code of the evaluation process chosen by the round's date")
    level: str = Field(..., description="Where the dossier is now: district, province or central")
    status: str
    criteria_set: str | None = Field(
        None, description="Null on a draft waiting for its product set's criteria set"
    )
    self_total: int | None
    self_stars: int | None
    submitted_at: datetime | None

    @staticmethod
    def resolve_product(obj):
        return obj.product.name_vi

    @staticmethod
    def resolve_producer(obj):
        return obj.product.producer.name

    @staticmethod
    def resolve_round(obj):
        return obj.round.name

    @staticmethod
    def resolve_process(obj):
        return obj.round.process

    @staticmethod
    def resolve_criteria_set(obj):
        return obj.criteria_set.code if obj.criteria_set_id else None


class DossierQuery(Schema):
    status: str = ""
    level: str = ""
    q: str = ""


class RoundOut(Schema):
    id: int
    name: str
    level: str
    province: str | None
    held_on: date
    process: str
    status: str

    @staticmethod
    def resolve_province(obj):
        return obj.province.code if obj.province_id else None


class SheetOut(Schema):
    assignment_id: int
    attempt: int
    status: str = Field(..., description="draft or submitted (none: not started)")
    frozen: bool
    answers: dict[str, Any] = Field(..., description="Criterion code -> option (or {case, option})")
    checks: list[str]
    total: int | None
    stars: int | None


class SheetIn(Schema):
    answers: dict[str, Any] = Field(..., description="Criterion code -> option (or {case, option})")
    checks: list[str] | None = None
    replace: bool = Field(False, description="Replace every answer (true) or merge these into the sheet")


class CertificateOut(Schema):
    number: str
    product_id: int
    product: str
    producer: str
    province: str
    stars: int
    score: Decimal | None
    level: str
    decision_no: str
    recognised_on: date
    valid_until: date
    status: str = Field(..., description="Live status today: valid, expired, revoked, superseded, pending")
    revoked_on: date | None
    revocation_reason: str


def _dossiers():
    return Dossier.objects.select_related("product", "product__producer", "round", "criteria_set")


@router.get("/dossiers", response={200: list[DossierOut], **SIGNED_IN_READ_ERRORS}, auth=SIGNED_IN)
@paginate(Pagination)
def list_dossiers(request, filters: Query[DossierQuery]):
    """Dossiers you may see: your producer's, your jurisdiction's, your councils'."""
    return selectors.dossiers_for(request.user, selectors.DossierFilters(**filters.dict())).select_related(
        "criteria_set"
    )


@router.get("/dossiers/{dossier_id}", response={200: DossierOut, **SIGNED_IN_READ_ERRORS}, auth=SIGNED_IN)
def get_dossier(request, dossier_id: Id):
    return gate.get_or_404(_dossiers(), request.user, Action.VIEW, pk=dossier_id)


@router.get("/rounds", response={200: list[RoundOut], **SIGNED_IN_READ_ERRORS}, auth=SIGNED_IN)
@paginate(Pagination)
def list_rounds(request):
    return selectors.rounds_for(request.user)


def _member_assignment(request, assignment_id: Id) -> Assignment:
    assignment = gate.get_or_404(
        Assignment.objects.select_related("sitting__council", "dossier__criteria_set"),
        request.user,
        Action.VIEW,
        pk=assignment_id,
    )
    seat = selectors.seat_of(request.user, assignment.sitting.council)
    if seat is None or not seat.scores:
        raise Http404
    return assignment


def _sheet_out(assignment: Assignment, user) -> dict:
    seat = selectors.seat_of(user, assignment.sitting.council)
    sheet = Sheet.objects.filter(assignment=assignment, seat=seat, attempt=assignment.attempt).first()
    return {
        "assignment_id": assignment.pk,
        "attempt": assignment.attempt,
        "status": sheet.status if sheet else "none",
        "frozen": bool(sheet and sheet.frozen),
        "answers": sheet.answers if sheet else {},
        "checks": sheet.flags if sheet else [],
        "total": sheet.total if sheet else None,
        "stars": sheet.stars if sheet else None,
    }


@router.get(
    "/assignments/{assignment_id}/sheet", response={200: SheetOut, **SIGNED_IN_READ_ERRORS}, auth=SIGNED_IN
)
def get_sheet(request, assignment_id: Id):
    """Your own sheet for a dossier of a sitting you score (the current scoring round)."""
    return _sheet_out(_member_assignment(request, assignment_id), request.user)


@router.put("/assignments/{assignment_id}/sheet", response={200: SheetOut, **WRITE_ERRORS}, auth=SIGNED_IN)
def put_sheet(request, assignment_id: Id, payload: SheetIn):
    """Save answers on your sheet while the sitting is open."""
    assignment = _member_assignment(request, assignment_id)
    try:
        services.sheet_save(
            user=request.user,
            assignment=assignment,
            answers=payload.answers,
            flags=payload.checks,
            replace=payload.replace,
        )
    except PermissionDenied:
        raise Http404 from None
    return _sheet_out(assignment, request.user)


@router.post(
    "/assignments/{assignment_id}/sheet/submit", response={200: SheetOut, **WRITE_ERRORS}, auth=SIGNED_IN
)
def submit_sheet(request, assignment_id: Id):
    """Hand in your sheet: every criterion answered. It cannot change afterwards."""
    assignment = _member_assignment(request, assignment_id)
    services.sheet_submit(user=request.user, assignment=assignment)
    return _sheet_out(assignment, request.user)


@router.get("/certificates/{code}", response={200: CertificateOut, **READ_ERRORS}, auth=ANYONE)
def verify_certificate(request, code: Code):
    """What a certificate's QR code proves: its recognition's status today, from the registry."""
    certificate: Certificate = selectors.certificate_by_code(request.user, code)
    recognition = certificate.recognition
    product = recognition.product
    return {
        "number": certificate.number,
        "product_id": product.pk,
        "product": product.name_vi,
        "producer": product.producer.name,
        "province": product.producer.province.name,
        "stars": recognition.stars,
        "score": recognition.score,
        "level": recognition.level,
        "decision_no": recognition.decision_no,
        "recognised_on": recognition.recognised_on,
        "valid_until": recognition.valid_until,
        "status": recognition.status_on(timezone.localdate()),
        "revoked_on": recognition.revoked_on,
        "revocation_reason": recognition.revocation_reason,
    }
