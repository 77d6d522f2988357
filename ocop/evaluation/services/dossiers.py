"""Dossiers: opened for a round, self-assessed, evidence attached, submitted, checked by the commune."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record, snapshot
from ocop.criteria import engine
from ocop.criteria.choices import CriteriaSetStatus
from ocop.criteria.messages import problem as problem_text
from ocop.criteria.services import criteria_set_mark_used
from ocop.registry.models import Product

from .. import selectors
from ..choices import (
    OPEN_DOSSIER_STATUSES,
    CheckOutcome,
    DocumentKind,
    DossierKind,
    DossierStatus,
    Finding,
    LocalCriterion,
    RoundStatus,
)
from ..models import CriteriaGap, Dossier, DossierCheck, Evidence, Round
from ._common import clean_answers, delete_file_if_unused, inspect_upload, megabytes, province_of


def _check_kind(product: Product, kind: str) -> None:
    has_recognition = product.recognitions.exists()
    if kind == DossierKind.FIRST and has_recognition:
        raise ValidationError(
            {"kind": [_("The product has been recognised before: file an upgrade or a re-rating.")]}
        )
    if kind in (DossierKind.UPGRADE, DossierKind.RERATING) and not has_recognition:
        raise ValidationError({"kind": [_("The product has never been recognised: file a first rating.")]})
    if kind not in DossierKind.values:
        raise ValidationError({"kind": [_("Choose the kind of evaluation.")]})


class _NoSheet(Exception):
    """The product's product set has no criteria set in force on the round's day."""


def _no_sheet_message(product: Product) -> str:
    product_set = product.product_set
    return _(
        "The product set %(code)s “%(name)s” has no criteria set in force yet, so the product cannot "
        "be assessed for now. The province's OCOP office has been told. You can save the dossier as a "
        "draft and prepare its documents: it takes the criteria set as soon as one is in force."
    ) % {"code": product_set.code, "name": product_set.name_vi}


def dossier_create(
    *, user, product: Product, round: Round, kind: str, criteria_set=None, draft: bool = False
) -> Dossier:
    """Open a dossier for a product in a round. At an upgrade or re-rating, the answers and the
    evidence of the product's previous dossier are carried over; only what changed is replaced.

    When the product's set has no criteria set in force, the province's officers are told (once
    per product set) and the dossier is refused — unless ``draft``: then it is saved as a draft
    without a sheet, which takes the set once one is in force and cannot be submitted before."""
    try:
        return _dossier_create(
            user=user, product=product, round=round, kind=kind, criteria_set=criteria_set, draft=draft
        )
    except _NoSheet:
        # Told even when refused: the refusal says so (and the refusal undoes nothing of it).
        criteria_gap_report(user=user, product=product)
        raise ValidationError({"draft": [_no_sheet_message(product)]}) from None


@transaction.atomic
def criteria_gap_report(*, user, product: Product) -> CriteriaGap | None:
    """Tell the province's officers that the product's set has no criteria set in force: one
    notice per province and product set, shown on their list of dossiers. None when told before."""
    if product.product_set_id is None:
        return None
    province_id = product.producer.province_id
    gap, created = CriteriaGap.objects.get_or_create(
        province_id=province_id, product_set_id=product.product_set_id, defaults={"product": product}
    )
    if not created:
        return None
    audit_record(
        actor=user,
        action="dossier.criteria_gap",
        obj=gap,
        province_id=province_id,
        product_set=product.product_set_id,
        product=product.pk,
    )
    return gap


@transaction.atomic
def _dossier_create(*, user, product: Product, round: Round, kind: str, criteria_set, draft: bool) -> Dossier:
    producer = product.producer
    if not gate.may_create(
        user,
        Dossier,
        province_id=producer.province_id,
        commune_id=producer.commune_id,
        owners=producer.members,
    ):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    rules = round.rules
    if round.status != RoundStatus.OPEN:
        errors["round"] = [_("This round is closed.")]
    elif round.level != rules.first_level.level or round.province_id != producer.province_id:
        errors["round"] = [_("Dossiers of this product enter a round of its province at the first level.")]
    if errors:
        raise ValidationError(errors)
    _check_kind(product, kind)
    if Dossier.objects.filter(product=product, status__in=OPEN_DOSSIER_STATUSES).exists():
        raise ValidationError(_("The product already has a dossier in progress."))
    candidates = selectors.criteria_sets_for(product, round.held_on)
    if criteria_set is None:
        if product.product_set_id is None:
            raise ValidationError(
                {
                    "product": [
                        _(
                            "This product is not classified in a product set yet: edit the product and "
                            "choose the product set it belongs to."
                        )
                    ]
                }
            )
        if not candidates and not draft:
            raise _NoSheet
        criteria_set = candidates[0] if candidates else None
    elif criteria_set.pk not in {c.pk for c in candidates}:
        raise ValidationError({"criteria_set": [_("This criteria set does not apply to the product.")]})
    previous = (
        Dossier.objects.filter(product=product)
        .exclude(status__in=OPEN_DOSSIER_STATUSES)
        .order_by("-created_at", "-pk")
        .first()
        if kind != DossierKind.FIRST
        else None
    )
    dossier = Dossier(
        product=product,
        round=round,
        kind=kind,
        criteria_set=criteria_set,
        previous=previous,
        level=rules.first_level.level,
        created_by=user,
    )
    carried = 0
    if previous is not None and criteria_set is not None:
        data = selectors.criteria_selectors.definition(criteria_set)
        same_sheet = previous.criteria_set.code == criteria_set.code
        if same_sheet:
            # Answers on the same sheet carry over; the producer changes what changed.
            dossier.answers = {k: v for k, v in previous.answers.items() if data.criterion(k) is not None}
            dossier.flags = list(previous.flags)
    try:
        with transaction.atomic():
            dossier.save()
    except IntegrityError:
        raise ValidationError(_("The product already has a dossier in progress.")) from None
    if previous is not None:
        data = selectors.criteria_selectors.definition(criteria_set) if criteria_set is not None else None
        copies = [
            Evidence(
                dossier=dossier,
                criterion=item.criterion,
                document=item.document,
                file=item.file.name,
                original_name=item.original_name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                carried_from=item,
                uploaded_by=item.uploaded_by,
                uploaded_at=item.uploaded_at,
            )
            for item in previous.evidence.all()
            if item.document or (data is not None and data.criterion(item.criterion) is not None)
        ]
        Evidence.objects.bulk_create(copies)
        carried = len(copies)
    if criteria_set is None:
        criteria_gap_report(user=user, product=product)
    _score_self_assessment(dossier)
    dossier.save(update_fields=["self_total", "self_stars"])
    audit_record(
        actor=user,
        action="dossier.create",
        obj=dossier,
        province_id=producer.province_id,
        after=snapshot(dossier, ["product", "round", "kind", "criteria_set", "previous", "level"]),
        carried_evidence=carried,
    )
    return dossier


def _score_self_assessment(dossier: Dossier) -> None:
    result = selectors.self_assessment(dossier)
    dossier.self_total = result.total if result is not None else None
    dossier.self_stars = result.stars if result is not None else None


def _require_editable(dossier: Dossier) -> None:
    if not dossier.editable:
        raise ValidationError(_("The dossier has been submitted: it can no longer be changed."))


def _take_sheet(dossier: Dossier) -> bool:
    """A draft opened without a criteria set takes the one now in force (at its first change after
    the set came into force). Whether the dossier has a sheet. Call with the dossier locked."""
    if dossier.criteria_set_id is not None:
        return True
    found = selectors.sheet_for(dossier)
    if found is None:
        return False
    dossier.criteria_set = found
    dossier.save(update_fields=["criteria_set", "updated_at"])
    audit_record(
        actor=None,
        action="dossier.criteria_set",
        obj=dossier,
        province_id=province_of(dossier),
        criteria_set=found.pk,
    )
    return True


def _require_sheet(dossier: Dossier) -> None:
    if not _take_sheet(dossier):
        raise ValidationError(
            _(
                "The product set %(code)s “%(name)s” has no criteria set in force yet: the dossier stays a "
                "draft and can be self-assessed and submitted once the criteria set is in force."
            )
            % {"code": dossier.product.product_set.code, "name": dossier.product.product_set.name_vi}
        )


@transaction.atomic
def dossier_self_assess(*, user, dossier: Dossier, answers: dict, flags=()) -> Dossier:
    """Save the producer's self-assessment (all answers given so far); the total and stars are
    computed once every criterion is answered."""
    gate.require(user, Action.CHANGE, dossier)
    # of=self: the set is a nullable join, and PostgreSQL locks no outer join's nullable side.
    dossier = (
        Dossier.objects.select_for_update(of=("self",)).select_related("criteria_set").get(pk=dossier.pk)
    )
    _require_editable(dossier)
    _require_sheet(dossier)
    dossier.answers, dossier.flags = clean_answers(selectors.definition(dossier), answers, flags)
    _score_self_assessment(dossier)
    dossier.save(update_fields=["answers", "flags", "self_total", "self_stars", "updated_at"])
    audit_record(
        actor=user,
        action="dossier.self_assess",
        obj=dossier,
        province_id=province_of(dossier),
        answered=len(dossier.answers),
        total=dossier.self_total,
    )
    return dossier


def _check_slot(dossier: Dossier, criterion: str, document: str) -> tuple[str, str]:
    criterion, document = (criterion or "").strip(), (document or "").strip()
    if bool(criterion) == bool(document):
        raise ValidationError({"slot": [_("Attach the file to one criterion or one document.")]})
    if criterion and selectors.definition(dossier) is None:
        raise ValidationError({"slot": [_("Attach evidence to criteria once the criteria set is in force.")]})
    if criterion and selectors.definition(dossier).criterion(criterion) is None:
        raise ValidationError({"slot": [_("Criterion %(code)s is not on this sheet.") % {"code": criterion}]})
    if document and document not in {d.kind for d in dossier.rules.documents_for(dossier.product.group)}:
        raise ValidationError({"slot": [_("This document is not part of the dossier.")]})
    return selectors.definition(dossier).criterion(criterion).code if criterion else "", document


@transaction.atomic
def evidence_add(
    *,
    user,
    dossier: Dossier,
    upload,
    criterion: str = "",
    document: str = "",
    replaces: Evidence | None = None,
) -> Evidence:
    """Attach a file (PDF or image, content-checked) to a criterion or a fixed document;
    ``replaces`` takes an earlier file of the same place out of this dossier (a carried-over file
    stays in the previous dossier)."""
    producer = dossier.product.producer
    if not gate.may_create(
        user,
        Evidence,
        province_id=producer.province_id,
        commune_id=producer.commune_id,
        owners=producer.members,
    ):
        raise PermissionDenied
    dossier = (
        Dossier.objects.select_for_update(of=("self",))  # the set is a nullable join
        .select_related("criteria_set", "round", "product")
        .get(pk=dossier.pk)
    )
    _require_editable(dossier)
    _take_sheet(dossier)
    criterion, document = _check_slot(dossier, criterion, document)
    if replaces is not None and (
        replaces.dossier_id != dossier.pk
        or replaces.slot != (f"c:{criterion}" if criterion else f"d:{document}")
    ):
        raise ValidationError({"slot": [_("A file can only be replaced by one for the same place.")]})
    content, found = inspect_upload(upload)
    used = sum(dossier.evidence.exclude(pk=getattr(replaces, "pk", None)).values_list("size", flat=True))
    if used + found.size > settings.OCOP_DOSSIER_MAX_BYTES:
        raise ValidationError(
            {
                "file": [
                    _("The dossier would exceed %(limit)s MB of files.")
                    % {"limit": megabytes(settings.OCOP_DOSSIER_MAX_BYTES)}
                ]
            }
        )
    evidence = Evidence(
        dossier=dossier,
        criterion=criterion,
        document=document,
        original_name=(upload.name or "file")[-200:],
        content_type=found.content_type,
        size=found.size,
        sha256=found.sha256,
        uploaded_by=user,
        uploaded_at=timezone.now(),
    )
    evidence.file.save(f"evidence.{found.extension}", ContentFile(content), save=False)
    evidence.save()
    replaced = None
    if replaces is not None:
        replaced = {
            "id": replaces.pk,
            "name": replaces.original_name,
            "carried": replaces.carried_from_id is not None,
        }
        name = replaces.file.name
        replaces.delete()
        delete_file_if_unused(name)
    audit_record(
        actor=user,
        action="dossier.evidence_add",
        obj=dossier,
        province_id=producer.province_id,
        evidence_id=evidence.pk,
        slot=evidence.slot,
        name=evidence.original_name,
        sha256=evidence.sha256,
        replaced=replaced,
    )
    return evidence


@transaction.atomic
def evidence_remove(*, user, evidence: Evidence) -> None:
    gate.require(user, Action.DELETE, evidence)
    dossier = Dossier.objects.select_for_update().get(pk=evidence.dossier_id)
    _require_editable(dossier)
    name, record = (
        evidence.file.name,
        {"id": evidence.pk, "slot": evidence.slot, "name": evidence.original_name},
    )
    evidence.delete()
    delete_file_if_unused(name)
    audit_record(
        actor=user,
        action="dossier.evidence_remove",
        obj=dossier,
        province_id=province_of(dossier),
        evidence=record,
    )


@transaction.atomic
def dossier_submit(*, user, dossier: Dossier) -> Dossier:
    """Submit the dossier: complete self-assessment, required documents attached. It goes to the
    commune's check where the process has one, else straight to the first level."""
    gate.require(user, Action.CHANGE, dossier)
    dossier = (
        Dossier.objects.select_for_update(of=("self",))  # the set is a nullable join
        .select_related("criteria_set", "round", "product")
        .get(pk=dossier.pk)
    )
    _require_editable(dossier)
    _require_sheet(dossier)
    errors: dict[str, list[str]] = {}
    data = selectors.definition(dossier)
    try:
        engine.score(data, dossier.answers, dossier.flags)
    except engine.AnswerError as exc:
        missing = [p.criterion for p in exc.problems if p.code == "missing_answer"]
        errors["answers"] = (
            [
                _("The self-assessment is incomplete: criteria %(codes)s have no answer.")
                % {"codes": ", ".join(missing)}
            ]
            if missing
            else [problem_text(p) for p in exc.problems]
        )
    missing_documents = selectors.missing_documents(dossier)
    if missing_documents:
        errors["documents"] = [
            _("Attach the required documents: %(documents)s.")
            % {"documents": "; ".join(str(DocumentKind(kind).label) for kind in missing_documents)}
        ]
    if errors:
        raise ValidationError(errors)
    if dossier.criteria_set.status == CriteriaSetStatus.PUBLISHED and not dossier.criteria_set.used:
        criteria_set_mark_used(criteria_set=dossier.criteria_set)
    _score_self_assessment(dossier)
    dossier.status = DossierStatus.SUBMITTED if dossier.rules.commune_check else DossierStatus.FORWARDED
    dossier.submitted_at = timezone.now()
    dossier.save(update_fields=["status", "submitted_at", "self_total", "self_stars", "updated_at"])
    audit_record(
        actor=user,
        action="dossier.submit",
        obj=dossier,
        province_id=province_of(dossier),
        status=dossier.status,
        self_total=dossier.self_total,
        evidence=dossier.evidence.count(),
    )
    return dossier


@transaction.atomic
def dossier_check(
    *, user, dossier: Dossier, outcome: str, reasons: str = "", findings: dict | None = None
) -> DossierCheck:
    """The commune's check: return the dossier for correction (stating what is missing or wrong),
    or forward it to the province with its assessment of the local criteria."""
    producer = dossier.product.producer
    if not gate.may_create(
        user, DossierCheck, province_id=producer.province_id, commune_id=producer.commune_id
    ):
        raise PermissionDenied
    dossier = Dossier.objects.select_for_update().select_related("round").get(pk=dossier.pk)
    if dossier.status != DossierStatus.SUBMITTED:
        raise ValidationError(_("This dossier is not awaiting the commune's check."))
    reasons = (reasons or "").strip()
    findings = findings or {}
    errors: dict[str, list[str]] = {}
    if outcome == CheckOutcome.RETURNED:
        if not reasons:
            errors["reasons"] = [_("Say what the producer must correct.")]
    elif outcome == CheckOutcome.FORWARDED:
        cleaned = {}
        for code in dossier.rules.local_criteria:
            item = findings.get(code) or {}
            if item.get("finding") not in Finding.values:
                errors.setdefault("findings", []).append(
                    _("Assess “%(criterion)s”.") % {"criterion": LocalCriterion(code).label}
                )
                continue
            cleaned[code] = {"finding": item["finding"], "note": str(item.get("note") or "").strip()[:500]}
        findings = cleaned
        if selectors.missing_documents(dossier):
            errors.setdefault("reasons", []).append(
                _("Required documents are missing: return the dossier instead.")
            )
    else:
        errors["outcome"] = [_("Return or forward the dossier.")]
    if errors:
        raise ValidationError(errors)
    check = DossierCheck.objects.create(
        dossier=dossier,
        outcome=outcome,
        reasons=reasons,
        findings=findings if outcome == CheckOutcome.FORWARDED else {},
        checked_by=user,
        checked_at=timezone.now(),
    )
    dossier.status = DossierStatus.RETURNED if outcome == CheckOutcome.RETURNED else DossierStatus.FORWARDED
    dossier.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=user,
        action=f"dossier.check_{outcome}",
        obj=dossier,
        province_id=producer.province_id,
        reasons=reasons,
        findings=check.findings,
    )
    return check
