"""Decisions and certificates: the round's final results drafted into a recognition decision, issued
into the registry with a certificate each; the address a certificate's QR code opens."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record, snapshot
from ocop.jobs.services import job_start
from ocop.registry import services as registry

from .. import process as processes
from .. import selectors
from ..choices import DecisionStatus, DossierStatus, SittingStatus
from ..models import Assignment, Certificate, Decision, DecisionItem, Round


def decidable(round: Round) -> list[Assignment]:
    """The final results of this round's sittings whose dossiers await a decision."""
    rows = (
        Assignment.objects.filter(
            sitting__council__round=round,
            sitting__status=SittingStatus.CLOSED,
            final=True,
            dossier__status=DossierStatus.EVALUATED,
            dossier__level=round.level,
        )
        .exclude(
            dossier__decision_items__decision__round=round,
            dossier__decision_items__decision__status=DecisionStatus.DRAFT,
        )
        .select_related("dossier", "dossier__product", "dossier__product__producer")
        .order_by("-sitting__closed_at", "pk")
    )
    latest: dict[int, Assignment] = {}
    for assignment in rows:
        latest.setdefault(assignment.dossier_id, assignment)
    return list(latest.values())


@transaction.atomic
def decision_create(
    *,
    user,
    round: Round,
    number: str,
    signed_on: date,
    signer: str,
    assignments: list[Assignment] | None = None,
) -> Decision:
    """Draft a recognition decision from the round's final results. Each product gets the stars
    its level recognises and, at or above the forwarding threshold, a proposal to the next level
    (the process's data decides both)."""
    if not gate.may_create(user, Decision, province_id=round.province_id):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    number, signer = (number or "").strip(), (signer or "").strip()
    if not number:
        errors["number"] = [_("Enter the decision number.")]
    elif Decision.objects.filter(round=round, number=number).exists():
        errors["number"] = [_("This round already has a decision with this number.")]
    if not signer:
        errors["signer"] = [_("Enter who signs the decision.")]
    available = {a.pk: a for a in decidable(round)}
    chosen = list(available.values()) if assignments is None else [available.get(a.pk) for a in assignments]
    if any(a is None for a in chosen):
        errors["dossiers"] = [_("Some of the chosen dossiers have no final result awaiting a decision.")]
    elif not chosen:
        errors["dossiers"] = [_("No dossier of this round awaits a decision.")]
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.create(
        round=round, number=number, signed_on=signed_on, signer=signer, created_by=user
    )
    rules = round.rules
    for assignment in chosen:
        outcome = processes.outcome(rules, round.level, assignment.score, assignment.stars)
        DecisionItem.objects.create(
            decision=decision,
            dossier=assignment.dossier,
            assignment=assignment,
            score=assignment.score,
            stars=outcome.stars,
            forward_to=outcome.forward_to or "",
        )
    audit_record(
        actor=user,
        action="decision.create",
        obj=decision,
        province_id=round.province_id,
        after=snapshot(decision),
        dossiers=[a.dossier_id for a in chosen],
    )
    return decision


def _certificate_number(decision: Decision, index: int) -> str:
    return f"{decision.number}/GCN-{index:03d}"


@transaction.atomic
def decision_issue(*, user, decision: Decision):
    """Issue the decision: record each recognised product in the registry (so the catalogue,
    the scan page, the API and exports show it at once), create its certificate, propose the
    forwarded products to the next level, and make the certificates' PDFs in the background.
    Returns the decision and the job making the PDFs."""
    gate.require(user, Action.CHANGE, decision)
    decision = (
        Decision.objects.select_for_update(of=("self",))
        .select_related("round", "round__province")
        .get(pk=decision.pk)
    )
    if decision.status != DecisionStatus.DRAFT:
        raise ValidationError(_("The decision has already been issued."))
    if decision.signed_on > timezone.localdate():
        raise ValidationError({"signed_on": [_("The decision date is in the future.")]})
    round_ = decision.round
    level_rule = round_.level_rule
    items = list(selectors.decision_items(decision).select_for_update(of=("self",)))
    index = 0
    recognised = forwarded = 0
    for item in items:
        dossier = item.dossier
        if dossier.status != DossierStatus.EVALUATED or dossier.level != round_.level:
            raise ValidationError(
                _("The dossier of %(product)s is no longer awaiting this decision.")
                % {"product": dossier.product}
            )
        if item.stars:
            index += 1
            recognition = registry.recognition_record(
                user=user,
                product=dossier.product,
                stars=item.stars,
                recognised_on=decision.signed_on,
                level=level_rule.level,
                decision_no=decision.number,
                score=Decimal(item.score),
                taxonomy=dossier.criteria_set.product_set.taxonomy,
                issuer_province=round_.province,
                note=_("Dossier %(dossier)s, round “%(round)s”")
                % {"dossier": dossier.pk, "round": round_.name},
            )
            item.recognition = recognition
            item.save(update_fields=["recognition"])
            Certificate.objects.create(
                item=item,
                recognition=recognition,
                number=_certificate_number(decision, index),
                issued_on=decision.signed_on,
            )
            recognised += 1
        if item.forward_to:
            dossier.level, dossier.status = item.forward_to, DossierStatus.FORWARDED
            forwarded += 1
        else:
            dossier.status = DossierStatus.RECOGNISED if item.stars else DossierStatus.NOT_RECOGNISED
        dossier.save(update_fields=["level", "status", "updated_at"])
        audit_record(
            actor=user,
            action="dossier.decided",
            obj=dossier,
            province_id=dossier.product.producer.province_id,
            decision_id=decision.pk,
            stars=item.stars,
            forward_to=item.forward_to,
        )
    decision.status, decision.issued_by, decision.issued_at = DecisionStatus.ISSUED, user, timezone.now()
    job = None
    if recognised:
        job = job_start(
            kind="evaluation.certificates",
            owner=user,
            params={"decision": decision.pk, "language": translation.get_language() or "vi"},
        )
        decision.job = job
    decision.save(update_fields=["status", "issued_by", "issued_at", "job"])
    audit_record(
        actor=user,
        action="decision.issue",
        obj=decision,
        province_id=round_.province_id,
        recognised=recognised,
        forwarded=forwarded,
        items=len(items),
    )
    return decision, job


def verification_url(certificate: Certificate) -> str:
    """The address a certificate's QR code opens (under ``OCOP_PUBLIC_URL``)."""
    return f"{settings.OCOP_PUBLIC_URL}{reverse('evaluation:verify', args=[certificate.code])}"
