"""Workflow steps of the OCOP cycle. Pages, the API, commands, tasks and the demo write through here.

Each service takes the acting user, checks through the permission gate that they may do it,
validates before saving, writes in one transaction and records an audit event in the same
transaction. Field errors are raised as ``ValidationError({field: [messages]})``; acting on a
record out of reach raises ``PermissionDenied`` (pages fetch records through the gate first, so
people see "not found" for records they cannot reach).

The steps, in the order of the cycle:

* ideas: :func:`idea_submit`, :func:`idea_resubmit`, :func:`idea_review`, :func:`idea_plan_file`
* dossiers: :func:`dossier_create`, :func:`dossier_self_assess`, :func:`evidence_add`,
  :func:`evidence_remove`, :func:`dossier_submit`, :func:`dossier_check` (the commune)
* rounds and councils: :func:`round_create`, :func:`round_close`, :func:`council_create`,
  :func:`seat_add`, :func:`seat_remove`, :func:`sitting_create`, :func:`assignment_add`,
  :func:`assignment_remove`, :func:`sitting_open`, :func:`sitting_close`, :func:`assignment_rescore`
* members: :func:`sheet_save`, :func:`sheet_submit`, :func:`recusal_declare`
* decisions: :func:`decision_create`, :func:`decision_issue`
* after recognition: :func:`revocation_record`, :func:`expiry_notices_send`
"""

from __future__ import annotations

import logging
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ocop import images
from ocop.accounts import gate
from ocop.accounts.choices import Action, Role
from ocop.accounts.models import Grant
from ocop.accounts.services import audit_record, snapshot
from ocop.criteria import engine
from ocop.criteria.choices import CriteriaSetStatus
from ocop.criteria.services import criteria_set_mark_used
from ocop.jobs.services import job_start
from ocop.registry import services as registry
from ocop.registry.choices import ProductGroup
from ocop.registry.models import Producer, Product, Recognition

from . import process as processes
from . import selectors, uploads
from .choices import (
    EDITABLE_DOSSIER_STATUSES,
    OPEN_DOSSIER_STATUSES,
    SCORING_ROLES,
    CheckOutcome,
    DecisionStatus,
    DocumentKind,
    DossierKind,
    DossierStatus,
    Finding,
    IdeaStatus,
    Level,
    LocalCriterion,
    ReviewOutcome,
    RevocationGround,
    RoundStatus,
    SeatRole,
    SheetStatus,
    SittingStatus,
)
from .models import (
    Assignment,
    Certificate,
    Council,
    Decision,
    DecisionItem,
    Dossier,
    DossierCheck,
    Evidence,
    ExpiryNotice,
    Idea,
    IdeaReview,
    Recusal,
    Revocation,
    Round,
    Seat,
    Sheet,
    Sitting,
)

log = logging.getLogger(__name__)

# Settings (the lead's settings module reads them from the environment).
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
DOSSIER_MAX_BYTES = 200 * 1024 * 1024
NOTICE_DAYS = (90, 30)
CLAIM_TIMEOUT = timedelta(minutes=30)


def evidence_max_bytes() -> int:
    return int(getattr(settings, "OCOP_EVIDENCE_MAX_BYTES", EVIDENCE_MAX_BYTES))


def dossier_max_bytes() -> int:
    return int(getattr(settings, "OCOP_DOSSIER_MAX_BYTES", DOSSIER_MAX_BYTES))


def notice_days() -> tuple[int, ...]:
    days = getattr(settings, "OCOP_EXPIRY_NOTICE_DAYS", NOTICE_DAYS)
    return tuple(sorted({int(d) for d in days}, reverse=True))


def _now():
    return timezone.now()


def _province_of(dossier: Dossier) -> int:
    return dossier.product.producer.province_id


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def _mb(size: int) -> str:
    return f"{size / 1_048_576:.1f}".rstrip("0").rstrip(".")


def _rejection_text(exc: uploads.Rejected) -> str:
    p = exc.params
    match exc.code:
        case "empty":
            return _("The file is empty.")
        case "too_large":
            return _("The file is %(size)s MB; the limit is %(limit)s MB.") % {
                "size": _mb(p["size"]),
                "limit": _mb(p["limit"]),
            }
        case "malware":
            return _("The file was refused: it carries a virus signature.")
        case "forbidden_kind":
            return _("The file was refused: it is %(what)s, not a PDF or an image.") % {"what": p["what"]}
        case "not_pdf_or_image":
            return _("Only PDF files and JPEG, PNG or WebP images are accepted.")
        case "broken_image":
            return registry.picture_refusal(images.Refused("broken"))
        case "too_many_pixels":
            return registry.picture_refusal(images.Refused("too_many_pixels", **p))
        case "broken_pdf":
            return _("The PDF cannot be read: it is damaged or incomplete.")
        case "encrypted_pdf":
            return _("The PDF is encrypted or password-protected; upload an unprotected copy.")
        case "active_pdf":
            return _("The PDF contains active content (%(name)s), which is not accepted.") % p
        case "extension_mismatch":
            return _("The file's name ends in .%(extension)s but its content is %(kind)s.") % p
    return str(exc)  # pragma: no cover - every code is worded above


def _inspect(upload, field: str = "file") -> tuple[bytes, uploads.Inspected]:
    limit = evidence_max_bytes()
    if getattr(upload, "size", 0) and upload.size > limit:
        raise ValidationError(
            {field: [_rejection_text(uploads.Rejected("too_large", size=upload.size, limit=limit))]}
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    upload.seek(0)
    try:
        found = uploads.inspect(
            content,
            getattr(upload, "name", "") or "",
            max_bytes=limit,
            max_pixels=settings.OCOP_IMAGE_MAX_PIXELS,
        )
    except uploads.Rejected as exc:
        raise ValidationError({field: [_rejection_text(exc)]}) from None
    return found.content, found


def _delete_file_if_unused(name: str) -> None:
    """Stored files may be shared by dossiers (carried-over evidence): delete only the last."""
    if name and not Evidence.objects.filter(file=name).exists():
        storage = Evidence._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name))


# ---------------------------------------------------------------------------------------------
# Ideas
# ---------------------------------------------------------------------------------------------


def _clean_idea(name: str, group: str, description: str) -> dict:
    errors = {}
    name, description = (name or "").strip(), (description or "").strip()
    if not name:
        errors["name"] = [_("Name the product.")]
    if group not in ProductGroup.values:
        errors["group"] = [_("Choose the product group.")]
    if not description:
        errors["description"] = [_("Describe the idea.")]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "group": group, "description": description}


@transaction.atomic
def idea_submit(
    *, user, producer: Producer, name: str, group: str, description: str, product: Product | None = None
) -> Idea:
    """A producer registers a product idea: a new product, or an existing one to develop."""
    if not gate.may_create(
        user, Idea, province_id=producer.province_id, commune_id=producer.commune_id, owners=producer.members
    ):
        raise PermissionDenied
    fields = _clean_idea(name, group, description)
    if product is not None and product.producer_id != producer.pk:
        raise ValidationError({"product": [_("The product belongs to another producer.")]})
    idea = Idea.objects.create(
        producer=producer,
        product=product,
        is_new_product=product is None,
        submitted_by=user,
        submitted_at=_now(),
        **fields,
    )
    audit_record(
        actor=user, action="idea.submit", obj=idea, province_id=producer.province_id, after=snapshot(idea)
    )
    return idea


@transaction.atomic
def idea_resubmit(*, user, idea: Idea, name: str, group: str, description: str) -> Idea:
    """The producer corrects a returned idea and submits it again."""
    gate.require(user, Action.CHANGE, idea)
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if idea.status != IdeaStatus.RETURNED:
        raise ValidationError(_("Only a returned idea can be submitted again."))
    for key, value in _clean_idea(name, group, description).items():
        setattr(idea, key, value)
    idea.status, idea.submitted_by, idea.submitted_at = IdeaStatus.SUBMITTED, user, _now()
    idea.save()
    audit_record(actor=user, action="idea.resubmit", obj=idea, province_id=idea.producer.province_id)
    return idea


@transaction.atomic
def idea_review(*, user, idea: Idea, outcome: str, reason: str = "") -> IdeaReview:
    """The commune accepts an idea, or returns it with the reason. Accepting an idea for a new
    product adds the product to the registry (not public until it is recognised)."""
    producer = idea.producer
    if not gate.may_create(
        user, IdeaReview, province_id=producer.province_id, commune_id=producer.commune_id
    ):
        raise PermissionDenied
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    reason = (reason or "").strip()
    if idea.status != IdeaStatus.SUBMITTED:
        raise ValidationError(_("This idea is not awaiting an answer."))
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": [_("Accept or return the idea.")]})
    if outcome == ReviewOutcome.RETURNED and not reason:
        raise ValidationError({"reason": [_("Say why the idea is returned.")]})
    review = IdeaReview.objects.create(
        idea=idea, outcome=outcome, reason=reason, reviewed_by=user, reviewed_at=_now()
    )
    if outcome == ReviewOutcome.ACCEPTED:
        idea.status = IdeaStatus.ACCEPTED
        if idea.is_new_product and idea.product_id is None:
            idea.product = registry.product_create(
                user=user, producer=producer, data={"name_vi": idea.name, "group": idea.group}
            )
    else:
        idea.status = IdeaStatus.RETURNED
    idea.save(update_fields=["status", "product"])
    audit_record(
        actor=user,
        action=f"idea.{outcome}",
        obj=idea,
        province_id=producer.province_id,
        reason=reason,
        product_id=idea.product_id,
    )
    return review


@transaction.atomic
def idea_plan_file(*, user, idea: Idea, summary: str, upload=None) -> Idea:
    """The producer files the business plan of an accepted idea (a summary, and the plan as a
    PDF or scanned images)."""
    gate.require(user, Action.CHANGE, idea)
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if idea.status not in (IdeaStatus.ACCEPTED, IdeaStatus.PLANNED):
        raise ValidationError(_("A business plan is filed after the idea is accepted."))
    summary = (summary or "").strip()
    if not summary and upload is None:
        raise ValidationError({"plan_summary": [_("Summarise the plan or attach it.")]})
    previous = idea.plan_file.name
    if upload is not None:
        content, found = _inspect(upload, "plan_file")
        idea.plan_file.save(f"plan.{found.extension}", ContentFile(content), save=False)
        idea.plan_name = upload.name[:200]
    idea.plan_summary = summary
    idea.status, idea.plan_filed_by, idea.plan_filed_at = IdeaStatus.PLANNED, user, _now()
    idea.save()
    if upload is not None and previous:
        storage = idea.plan_file.storage
        transaction.on_commit(lambda: storage.delete(previous))
    audit_record(
        actor=user,
        action="idea.plan_file",
        obj=idea,
        province_id=idea.producer.province_id,
        file=idea.plan_name,
    )
    return idea


# ---------------------------------------------------------------------------------------------
# Dossiers
# ---------------------------------------------------------------------------------------------


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


@transaction.atomic
def dossier_create(*, user, product: Product, round: Round, kind: str, criteria_set=None) -> Dossier:
    """Open a dossier for a product in a round. At an upgrade or re-rating, the answers and the
    evidence of the product's previous dossier are carried over; only what changed is replaced."""
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
        if not candidates:
            raise ValidationError(
                {
                    "product": [
                        _(
                            "No criteria set in force on %(day)s fits this product: set its product set in the "
                            "registry first."
                        )
                        % {"day": round.held_on.strftime("%d/%m/%Y")}
                    ]
                }
            )
        criteria_set = candidates[0]
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
    if previous is not None:
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
        data = selectors.criteria_selectors.definition(criteria_set)
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
            if item.document or data.criterion(item.criterion) is not None
        ]
        Evidence.objects.bulk_create(copies)
        carried = len(copies)
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


def _editable(dossier: Dossier) -> None:
    if dossier.status not in EDITABLE_DOSSIER_STATUSES:
        raise ValidationError(_("The dossier has been submitted: it can no longer be changed."))


def _clean_answers(data, answers, flags) -> tuple[dict, list]:
    """Checked answers in one stored form (an option, or ``{"case", "option"}`` where the
    criterion has alternative cases) and the yes/no checks ticked."""
    try:
        choices = engine.parse_answers(data, answers)
        yes = engine.parse_checks(data, flags)
    except engine.AnswerError as exc:
        raise ValidationError({"answers": [p.message for p in exc.problems]}) from None
    stored = {code: choice.as_json(data.criterion(code).has_cases) for code, choice in choices.items()}
    return stored, sorted(yes)


@transaction.atomic
def dossier_self_assess(*, user, dossier: Dossier, answers: dict, flags=()) -> Dossier:
    """Save the producer's self-assessment (all answers given so far); the total and stars are
    computed once every criterion is answered."""
    gate.require(user, Action.CHANGE, dossier)
    dossier = Dossier.objects.select_for_update().select_related("criteria_set").get(pk=dossier.pk)
    _editable(dossier)
    dossier.answers, dossier.flags = _clean_answers(selectors.definition(dossier), answers, flags)
    _score_self_assessment(dossier)
    dossier.save(update_fields=["answers", "flags", "self_total", "self_stars", "updated_at"])
    audit_record(
        actor=user,
        action="dossier.self_assess",
        obj=dossier,
        province_id=_province_of(dossier),
        answered=len(dossier.answers),
        total=dossier.self_total,
    )
    return dossier


def _check_slot(dossier: Dossier, criterion: str, document: str) -> tuple[str, str]:
    criterion, document = (criterion or "").strip(), (document or "").strip()
    if bool(criterion) == bool(document):
        raise ValidationError({"slot": [_("Attach the file to one criterion or one document.")]})
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
        Dossier.objects.select_for_update()
        .select_related("criteria_set", "round", "product")
        .get(pk=dossier.pk)
    )
    _editable(dossier)
    criterion, document = _check_slot(dossier, criterion, document)
    if replaces is not None and (
        replaces.dossier_id != dossier.pk
        or replaces.slot != (f"c:{criterion}" if criterion else f"d:{document}")
    ):
        raise ValidationError({"slot": [_("A file can only be replaced by one for the same place.")]})
    content, found = _inspect(upload)
    used = sum(dossier.evidence.exclude(pk=getattr(replaces, "pk", None)).values_list("size", flat=True))
    if used + found.size > dossier_max_bytes():
        raise ValidationError(
            {
                "file": [
                    _("The dossier would exceed %(limit)s MB of files.") % {"limit": _mb(dossier_max_bytes())}
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
        uploaded_at=_now(),
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
        _delete_file_if_unused(name)
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
    _editable(dossier)
    name, record = (
        evidence.file.name,
        {"id": evidence.pk, "slot": evidence.slot, "name": evidence.original_name},
    )
    evidence.delete()
    _delete_file_if_unused(name)
    audit_record(
        actor=user,
        action="dossier.evidence_remove",
        obj=dossier,
        province_id=_province_of(dossier),
        evidence=record,
    )


@transaction.atomic
def dossier_submit(*, user, dossier: Dossier) -> Dossier:
    """Submit the dossier: complete self-assessment, required documents attached. It goes to the
    commune's check where the process has one, else straight to the first level."""
    gate.require(user, Action.CHANGE, dossier)
    dossier = (
        Dossier.objects.select_for_update()
        .select_related("criteria_set", "round", "product")
        .get(pk=dossier.pk)
    )
    _editable(dossier)
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
            else [p.message for p in exc.problems]
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
    dossier.submitted_at = _now()
    dossier.save(update_fields=["status", "submitted_at", "self_total", "self_stars", "updated_at"])
    audit_record(
        actor=user,
        action="dossier.submit",
        obj=dossier,
        province_id=_province_of(dossier),
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
        checked_at=_now(),
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


# ---------------------------------------------------------------------------------------------
# Rounds, councils, sittings
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def round_create(*, user, name: str, level: str, held_on: date, province=None) -> Round:
    """Open a round. Its date chooses the process; the level must be one of that process's."""
    if level == Level.CENTRAL:
        province = None
    if not gate.may_create(user, Round, province_id=getattr(province, "pk", None)):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Name the round.")]
    try:
        rules = processes.process_on(held_on)
    except processes.ProcessError:
        rules = None
        errors["held_on"] = [_("No evaluation process was in force on this date.")]
    if rules is not None and not rules.has_level(level):
        errors["level"] = [
            _("The process in force on %(day)s has no %(level)s level.")
            % {
                "day": held_on.strftime("%d/%m/%Y"),
                "level": Level(level).label if level in Level.values else level,
            }
        ]
    if level != Level.CENTRAL and province is None:
        errors["province"] = [_("Choose the province.")]
    if errors:
        raise ValidationError(errors)
    round_ = Round.objects.create(
        name=name, level=level, province=province, held_on=held_on, process=rules.code, created_by=user
    )
    audit_record(
        actor=user, action="round.create", obj=round_, province_id=round_.province_id, after=snapshot(round_)
    )
    return round_


@transaction.atomic
def round_close(*, user, round: Round) -> Round:
    """Stop taking new dossiers into the round (its councils go on)."""
    gate.require(user, Action.CHANGE, round)
    Round.objects.filter(pk=round.pk).update(status=RoundStatus.CLOSED)
    round.refresh_from_db()
    audit_record(actor=user, action="round.close", obj=round, province_id=round.province_id)
    return round


COUNCIL_RULE_FIELDS = (
    "quorum_numerator",
    "quorum_denominator",
    "chair_required",
    "max_spread",
    "decimals",
    "rounding",
    "band_on_rounded",
    "marker_basis",
)


@transaction.atomic
def council_create(*, user, round: Round, name: str, rules: dict | None = None) -> Council:
    """Set up a council for a round, with its rules (quorum, largest spread, rounding...)."""
    if not gate.may_create(user, Council, province_id=round.province_id):
        raise PermissionDenied
    council = Council(round=round, name=(name or "").strip(), created_by=user)
    for key, value in (rules or {}).items():
        if key in COUNCIL_RULE_FIELDS and value is not None:
            setattr(council, key, value)
    council.full_clean()
    try:
        council.rules()
    except ValueError as exc:
        raise ValidationError({"quorum_numerator": [str(exc)]}) from None
    council.save()
    audit_record(
        actor=user,
        action="council.create",
        obj=council,
        province_id=round.province_id,
        after=snapshot(council),
    )
    return council


def _no_sitting_open(council: Council) -> None:
    if council.sittings.filter(status=SittingStatus.OPEN).exists():
        raise ValidationError(_("The council has an open sitting: change its seats after it closes."))


@transaction.atomic
def seat_add(*, user, council: Council, member, role: str, title: str = "") -> Seat:
    """Give a person a seat: chair, member (both score), secretary or advisory team."""
    if not gate.may_create(user, Seat, province_id=council.round.province_id):
        raise PermissionDenied
    _no_sitting_open(council)
    if role not in SeatRole.values:
        raise ValidationError({"role": [_("Choose the role on the council.")]})
    if council.seats.filter(user=member).exists():
        raise ValidationError({"user": [_("This person already sits on the council.")]})
    if role == SeatRole.CHAIR and council.seats.filter(role=SeatRole.CHAIR).exists():
        raise ValidationError({"role": [_("The council already has a chair.")]})
    seat = Seat.objects.create(council=council, user=member, role=role, title=(title or "").strip()[:200])
    audit_record(
        actor=user,
        action="council.seat_add",
        obj=council,
        province_id=council.round.province_id,
        seat_id=seat.pk,
        user_id=member.pk,
        role=role,
    )
    return seat


@transaction.atomic
def seat_remove(*, user, seat: Seat) -> None:
    gate.require(user, Action.DELETE, seat)
    council = seat.council
    _no_sitting_open(council)
    if seat.sheets.exists():
        raise ValidationError(_("This member has scored: the seat stays on the record."))
    record = {"seat_id": seat.pk, "user_id": seat.user_id, "role": seat.role}
    seat.delete()
    audit_record(
        actor=user, action="council.seat_remove", obj=council, province_id=council.round.province_id, **record
    )


@transaction.atomic
def sitting_create(*, user, council: Council, held_on: date, place: str = "") -> Sitting:
    if not gate.may_create(user, Sitting, province_id=council.round.province_id):
        raise PermissionDenied
    sitting = Sitting.objects.create(council=council, held_on=held_on, place=(place or "").strip()[:200])
    audit_record(
        actor=user,
        action="sitting.create",
        obj=sitting,
        province_id=council.round.province_id,
        after=snapshot(sitting),
    )
    return sitting


@transaction.atomic
def assignment_add(*, user, sitting: Sitting, dossier: Dossier) -> Assignment:
    """Put a dossier awaiting a council of this level on the sitting's agenda."""
    round_ = sitting.council.round
    if not gate.may_create(user, Assignment, province_id=round_.province_id):
        raise PermissionDenied
    gate.require(user, Action.VIEW, dossier)
    dossier = Dossier.objects.select_for_update().select_related("product__producer").get(pk=dossier.pk)
    sitting = Sitting.objects.select_for_update().get(pk=sitting.pk)
    if sitting.status == SittingStatus.CLOSED:
        raise ValidationError(_("The sitting is closed."))
    if dossier.status != DossierStatus.FORWARDED:
        raise ValidationError({"dossier": [_("This dossier is not awaiting a council.")]})
    if dossier.level != round_.level or not round_.rules.has_level(dossier.level):
        raise ValidationError({"dossier": [_("This dossier awaits a council of another level.")]})
    if round_.province_id is not None and dossier.product.producer.province_id != round_.province_id:
        raise ValidationError({"dossier": [_("This dossier belongs to another province.")]})
    position = (sitting.assignments.aggregate(m=Max("position"))["m"] or 0) + 1
    assignment = Assignment.objects.create(sitting=sitting, dossier=dossier, position=position)
    dossier.status = DossierStatus.IN_SITTING
    dossier.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=user,
        action="sitting.assign",
        obj=sitting,
        province_id=round_.province_id,
        dossier_id=dossier.pk,
        assignment_id=assignment.pk,
    )
    audit_record(
        actor=user,
        action="dossier.assign",
        obj=dossier,
        province_id=_province_of(dossier),
        sitting_id=sitting.pk,
    )
    return assignment


@transaction.atomic
def assignment_remove(*, user, assignment: Assignment) -> None:
    """Take a dossier off an agenda before anyone scored it; it awaits a council again."""
    gate.require(user, Action.DELETE, assignment)
    if assignment.sheets.exists() or assignment.sitting.status == SittingStatus.CLOSED:
        raise ValidationError(_("Members have scored this dossier: it stays on the agenda."))
    dossier = assignment.dossier
    sitting_id = assignment.sitting_id
    assignment.delete()
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.FORWARDED, updated_at=_now())
    audit_record(
        actor=user,
        action="dossier.unassign",
        obj=dossier,
        province_id=_province_of(dossier),
        sitting_id=sitting_id,
    )


@transaction.atomic
def sitting_open(*, user, sitting: Sitting) -> Sitting:
    """Open the sitting: members may score its dossiers."""
    gate.require(user, Action.CHANGE, sitting)
    sitting = Sitting.objects.select_for_update().select_related("council").get(pk=sitting.pk)
    if sitting.status != SittingStatus.PLANNED:
        raise ValidationError(_("Only a planned sitting can be opened."))
    council = sitting.council
    rules = council.rules()
    seats = selectors.scoring_seats(council)
    errors = []
    if rules.chair_required and not any(s.role == SeatRole.CHAIR for s in seats):
        errors.append(_("The council has no chair."))
    if not seats:
        errors.append(_("The council has no scoring members."))
    if not sitting.assignments.exists():
        errors.append(_("No dossier is on the agenda."))
    if errors:
        raise ValidationError(errors)
    for dossier in Dossier.objects.filter(assignments__sitting=sitting).select_related("criteria_set"):
        if dossier.criteria_set.status == CriteriaSetStatus.PUBLISHED and not dossier.criteria_set.used:
            criteria_set_mark_used(criteria_set=dossier.criteria_set)
    sitting.status, sitting.opened_by, sitting.opened_at = SittingStatus.OPEN, user, _now()
    sitting.save(update_fields=["status", "opened_by", "opened_at"])
    audit_record(actor=user, action="sitting.open", obj=sitting, province_id=council.round.province_id)
    return sitting


def _result_record(progress: selectors.Progress) -> dict:
    result = progress.result
    record = {
        "seats": progress.seats,
        "submitted": progress.submitted,
        "drafts": progress.drafts,
        "recused": progress.recused,
    }
    if result is not None:
        record.update(result.as_dict())
    return record


@transaction.atomic
def sitting_close(*, user, sitting: Sitting) -> Sitting:
    """Close the sitting: record each dossier's result, freeze every sheet (for good) and reveal
    the sheets to the council. A dossier without a final result (no quorum, members too far
    apart, evaluation stopped) awaits another sitting."""
    gate.require(user, Action.CHANGE, sitting)
    sitting = (
        Sitting.objects.select_for_update().select_related("council", "council__round").get(pk=sitting.pk)
    )
    if sitting.status != SittingStatus.OPEN:
        raise ValidationError(_("Only an open sitting can be closed."))
    now = _now()
    outcomes = {}
    for assignment in selectors.sitting_assignments(sitting):
        progress = selectors.council_result(assignment, sheets=list(assignment.sheets.all()))
        result = progress.result
        final = bool(result is not None and result.final)
        Assignment.objects.filter(pk=assignment.pk).update(
            score=result.score if result is not None else None,
            band_stars=result.band_stars if result is not None else None,
            stars=result.stars if final else None,
            final=final,
            result=_result_record(progress),
        )
        status = DossierStatus.EVALUATED if final else DossierStatus.FORWARDED
        Dossier.objects.filter(pk=assignment.dossier_id).update(status=status, updated_at=now)
        outcomes[assignment.dossier_id] = {
            "score": str(result.score) if result is not None else None,
            "stars": result.stars if final else None,
            "final": final,
        }
        audit_record(
            actor=user,
            action="dossier.evaluated" if final else "dossier.not_final",
            obj=assignment.dossier,
            province_id=assignment.dossier.product.producer.province_id,
            sitting_id=sitting.pk,
            **outcomes[assignment.dossier_id],
        )
    frozen = Sheet.objects.filter(assignment__sitting=sitting, frozen=False).update(
        frozen=True, frozen_at=now
    )
    sitting.status, sitting.closed_by, sitting.closed_at = SittingStatus.CLOSED, user, now
    sitting.revealed_to = sitting.council
    sitting.save(update_fields=["status", "closed_by", "closed_at", "revealed_to"])
    audit_record(
        actor=user,
        action="sitting.close",
        obj=sitting,
        province_id=sitting.council.round.province_id,
        frozen_sheets=frozen,
        results={str(k): v for k, v in outcomes.items()},
    )
    return sitting


@transaction.atomic
def assignment_rescore(*, user, assignment: Assignment) -> Assignment:
    """Members' totals are further apart than the council allows: freeze this scoring round's
    sheets and start another, in which members score again (starting from their answers)."""
    gate.require(user, Action.CHANGE, assignment)
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("sitting__council", "dossier")
        .get(pk=assignment.pk)
    )
    if assignment.sitting.status != SittingStatus.OPEN:
        raise ValidationError(_("Scores can be taken again only while the sitting is open."))
    progress = selectors.council_result(assignment)
    if progress.result is None or not progress.result.quorum.met or not progress.result.spread.over_limit:
        raise ValidationError(
            _("Another scoring round is for a quorum of sheets further apart than the council allows.")
        )
    now = _now()
    frozen = Sheet.objects.filter(assignment=assignment, attempt=assignment.attempt, frozen=False).update(
        frozen=True, frozen_at=now
    )
    previous = assignment.attempt
    assignment.attempt = previous + 1
    assignment.save(update_fields=["attempt"])
    audit_record(
        actor=user,
        action="sitting.rescore",
        obj=assignment.sitting,
        province_id=assignment.sitting.council.round.province_id,
        assignment_id=assignment.pk,
        attempt=assignment.attempt,
        spread=progress.result.spread.spread,
        frozen_sheets=frozen,
    )
    return assignment


# ---------------------------------------------------------------------------------------------
# Members' sheets
# ---------------------------------------------------------------------------------------------


def _member_seat(user, assignment: Assignment) -> Seat:
    seat = selectors.seat_of(user, assignment.sitting.council)
    if seat is None or seat.role not in SCORING_ROLES:
        raise PermissionDenied
    return seat


def _scoring_open(assignment: Assignment, seat: Seat) -> None:
    if assignment.sitting.status != SittingStatus.OPEN:
        raise ValidationError(_("The sitting is not open for scoring."))
    if assignment.recusals.filter(seat=seat).exists():
        raise ValidationError(_("You declared a conflict of interest: you do not score this dossier."))


def _current_sheet(assignment: Assignment, seat: Seat, *, create: bool) -> Sheet | None:
    sheet = (
        Sheet.objects.select_for_update()
        .filter(assignment=assignment, seat=seat, attempt=assignment.attempt)
        .first()
    )
    if sheet is None and create:
        earlier = (
            Sheet.objects.filter(assignment=assignment, seat=seat, attempt__lt=assignment.attempt)
            .order_by("-attempt")
            .first()
        )
        sheet = Sheet.objects.create(
            assignment=assignment,
            seat=seat,
            attempt=assignment.attempt,
            answers=dict(earlier.answers) if earlier else {},
            flags=list(earlier.flags) if earlier else [],
        )
    return sheet


def _writable(sheet: Sheet) -> None:
    if sheet.frozen:
        raise ValidationError(_("This sheet is frozen: its scores can no longer change."))
    if sheet.status == SheetStatus.SUBMITTED:
        raise ValidationError(_("This sheet has been submitted: its scores can no longer change."))


def _save_sheet(sheet: Sheet, **fields) -> None:
    # Conditional update: nothing changes a frozen sheet, even if it froze a moment ago.
    changed = Sheet.objects.filter(pk=sheet.pk, frozen=False).update(updated_at=_now(), **fields)
    if not changed:
        raise ValidationError(_("This sheet is frozen: its scores can no longer change."))
    for key, value in fields.items():
        setattr(sheet, key, value)


@transaction.atomic
def sheet_save(*, user, assignment: Assignment, answers: dict, flags=None, replace: bool = False) -> Sheet:
    """Save a member's answers while the sitting is open: merged into the sheet (one answer at a
    time from the tablet screen), or replacing it (the whole form)."""
    assignment = Assignment.objects.select_related("sitting__council", "dossier__criteria_set").get(
        pk=assignment.pk
    )
    seat = _member_seat(user, assignment)
    _scoring_open(assignment, seat)
    sheet = _current_sheet(assignment, seat, create=True)
    _writable(sheet)
    data = selectors.definition(assignment.dossier)
    merged = dict(answers) if replace else {**sheet.answers, **answers}
    merged = {k: v for k, v in merged.items() if v not in (None, "")}
    new_flags = list(flags) if flags is not None else list(sheet.flags)
    merged, new_flags = _clean_answers(data, merged, new_flags)
    try:
        result = engine.score(data, merged, new_flags)
        total, stars = result.total, result.stars
    except engine.AnswerError:
        total, stars = None, None
    _save_sheet(sheet, answers=merged, flags=new_flags, total=total, stars=stars)
    return sheet


@transaction.atomic
def sheet_submit(*, user, assignment: Assignment) -> Sheet:
    """The member hands in the sheet: every criterion answered. It cannot change afterwards."""
    assignment = Assignment.objects.select_related("sitting__council", "dossier__criteria_set").get(
        pk=assignment.pk
    )
    seat = _member_seat(user, assignment)
    _scoring_open(assignment, seat)
    sheet = _current_sheet(assignment, seat, create=False)
    if sheet is None:
        raise ValidationError(_("Score the dossier before submitting the sheet."))
    _writable(sheet)
    try:
        result = engine.score(selectors.definition(assignment.dossier), sheet.answers, sheet.flags)
    except engine.AnswerError as exc:
        missing = [p.criterion for p in exc.problems if p.code == "missing_answer"]
        raise ValidationError(
            _("Criteria %(codes)s have no answer.") % {"codes": ", ".join(missing)} if missing else str(exc)
        ) from None
    _save_sheet(
        sheet, status=SheetStatus.SUBMITTED, submitted_at=_now(), total=result.total, stars=result.stars
    )
    audit_record(
        actor=user,
        action="sheet.submit",
        obj=sheet,
        province_id=assignment.sitting.council.round.province_id,
        assignment_id=assignment.pk,
        attempt=sheet.attempt,
        total=result.total,
        answers=sheet.answers,
        flags=sheet.flags,
    )
    return sheet


@transaction.atomic
def recusal_declare(*, user, assignment: Assignment, reason: str) -> Recusal:
    """A member declares a conflict of interest on a dossier: they are left out of its scoring
    (their unfrozen sheets for it are withdrawn)."""
    assignment = Assignment.objects.select_related("sitting__council__round").get(pk=assignment.pk)
    seat = _member_seat(user, assignment)
    if assignment.sitting.status == SittingStatus.CLOSED:
        raise ValidationError(_("The sitting is closed."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("State the conflict of interest.")]})
    if assignment.recusals.filter(seat=seat).exists():
        raise ValidationError(_("You have already declared a conflict of interest on this dossier."))
    recusal = Recusal.objects.create(
        assignment=assignment, seat=seat, reason=reason[:300], declared_at=_now()
    )
    withdrawn = list(
        Sheet.objects.filter(assignment=assignment, seat=seat, frozen=False).values_list("pk", flat=True)
    )
    Sheet.objects.filter(pk__in=withdrawn).delete()
    audit_record(
        actor=user,
        action="sitting.recusal",
        obj=assignment.sitting,
        province_id=assignment.sitting.council.round.province_id,
        assignment_id=assignment.pk,
        seat_id=seat.pk,
        reason=recusal.reason,
        withdrawn_sheets=withdrawn,
    )
    return recusal


# ---------------------------------------------------------------------------------------------
# Decisions and certificates
# ---------------------------------------------------------------------------------------------


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
    decision.status, decision.issued_by, decision.issued_at = DecisionStatus.ISSUED, user, _now()
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
    base = getattr(settings, "OCOP_PUBLIC_URL", "") or ""
    return f"{base}{reverse('evaluation:verify', args=[certificate.code])}"


# ---------------------------------------------------------------------------------------------
# After recognition: revocation and expiry notices
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def revocation_record(
    *,
    user,
    recognition: Recognition,
    ground: str,
    decision_no: str,
    decided_on: date,
    revoked_on: date | None = None,
    details: str = "",
    signer: str = "",
) -> Revocation:
    """Revoke a recognition on stated grounds by a revocation decision. The registry records the
    date and reason (through its own service), so every surface shows "revoked" at once."""
    producer = recognition.product.producer
    if not gate.may_create(
        user, Revocation, province_id=producer.province_id, commune_id=producer.commune_id
    ):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    decision_no, details = (decision_no or "").strip(), (details or "").strip()
    if ground not in RevocationGround.values:
        errors["ground"] = [_("Choose the ground for revocation.")]
    if not decision_no:
        errors["decision_no"] = [_("Enter the number of the revocation decision.")]
    if ground == RevocationGround.OTHER and not details:
        errors["details"] = [_("Describe the ground.")]
    if decided_on and decided_on > timezone.localdate():
        errors["decided_on"] = [_("The decision date is in the future.")]
    if errors:
        raise ValidationError(errors)
    revoked_on = revoked_on or decided_on
    reason = f"{RevocationGround(ground).label}{': ' + details if details else ''} ({decision_no}, {decided_on:%d/%m/%Y})"
    registry.recognition_revoke(
        user=user, recognition=recognition, revoked_on=revoked_on, reason=reason[:300]
    )
    revocation = Revocation.objects.create(
        recognition=recognition,
        ground=ground,
        details=details,
        decision_no=decision_no,
        decided_on=decided_on,
        signer=(signer or "").strip()[:200],
        created_by=user,
    )
    audit_record(
        actor=user,
        action="recognition.revocation",
        obj=revocation,
        province_id=producer.province_id,
        recognition_id=recognition.pk,
        ground=ground,
        decision_no=decision_no,
    )
    return revocation


def expiry_notices_plan(*, today: date) -> int:
    """Create the notices due today: for each recognition in force expiring within a notice
    window, the notice of the nearest window it has entered (so a recognition found 20 days
    before expiry gets the 30-day notice, not a late 90-day one). Idempotent."""
    windows = notice_days()
    if not windows:
        return 0
    rows = Recognition.objects.valid_on(today).filter(valid_until__lte=today + timedelta(days=windows[0]))
    due = {}
    for pk, valid_until in rows.values_list("pk", "valid_until"):
        left = (valid_until - today).days
        window = min(w for w in windows if left <= w)
        due[(pk, window)] = valid_until - timedelta(days=window)
    existing = set(
        ExpiryNotice.objects.filter(recognition_id__in={pk for pk, _w in due}).values_list(
            "recognition_id", "days_before"
        )
    )
    new = [
        ExpiryNotice(recognition_id=pk, days_before=window, due_on=day)
        for (pk, window), day in due.items()
        if (pk, window) not in existing
    ]
    # Another run may be planning at the same moment: the unique constraint keeps one row each.
    ExpiryNotice.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _recipients(recognition: Recognition) -> list[str]:
    producer = recognition.product.producer
    User = get_user_model()
    emails = set(
        User.objects.filter(producer_memberships__producer=producer, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    officers = Grant.objects.filter(
        role=Role.PROVINCE_OFFICER, province_id=producer.province_id, user__is_active=True
    )
    emails |= set(officers.exclude(user__email="").values_list("user__email", flat=True))
    return sorted(emails)


def _notice_message(notice: ExpiryNotice, recipients: list[str], today: date) -> EmailMessage:
    recognition = notice.recognition
    context = {
        "recognition": recognition,
        "product": recognition.product,
        "producer": recognition.product.producer,
        "days_left": (recognition.valid_until - today).days,
        "public_url": (getattr(settings, "OCOP_PUBLIC_URL", "") or "")
        + reverse("registry:public_product", args=[recognition.product_id]),
    }
    bodies, subject = [], ""
    for language in ("vi", "en"):
        with translation.override(language):
            bodies.append(render_to_string("evaluation/email/expiry_notice.txt", context).strip())
            if language == "vi":
                subject = render_to_string("evaluation/email/expiry_subject.txt", context).strip()
    return EmailMessage(subject=subject, body="\n\n-----\n\n".join(bodies), to=recipients)


def expiry_notices_send(*, today: date | None = None, connection=None) -> dict:
    """Plan today's notices and send every pending one once. Each notice is claimed with a
    conditional update first, so two runs at the same time never send the same notice; a claim
    left by a run that died is taken over after ``CLAIM_TIMEOUT``."""
    today = today or timezone.localdate()
    planned = expiry_notices_plan(today=today)
    sent = skipped = failed = 0
    stale = timezone.now() - CLAIM_TIMEOUT
    pending = ExpiryNotice.objects.filter(sent_at__isnull=True).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    )
    connection = connection or get_connection()
    for notice_id in list(pending.values_list("pk", flat=True)):
        token = secrets.token_hex(8)
        claimed = (
            ExpiryNotice.objects.filter(pk=notice_id, sent_at__isnull=True)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
            .update(claimed_at=timezone.now(), claim=token)
        )
        if not claimed:
            continue
        notice = ExpiryNotice.objects.select_related("recognition__product__producer").get(pk=notice_id)
        if notice.recognition.status_on(today) != "valid":
            # Revoked or superseded since it was planned: nothing to tell.
            ExpiryNotice.objects.filter(pk=notice_id, claim=token).update(
                sent_at=timezone.now(), error="not in force"
            )
            skipped += 1
            continue
        recipients = _recipients(notice.recognition)
        try:
            if recipients:
                connection.send_messages([_notice_message(notice, recipients, today)])
        except Exception as exc:  # the mail server refused: release the claim, try again next run
            log.warning("expiry notice %s not sent: %s", notice_id, exc)
            ExpiryNotice.objects.filter(pk=notice_id, claim=token).update(
                claimed_at=None, claim="", error=str(exc)[:300]
            )
            failed += 1
            continue
        ExpiryNotice.objects.filter(pk=notice_id, claim=token).update(
            sent_at=timezone.now(),
            recipients=len(recipients),
            error="" if recipients else "no e-mail address",
        )
        audit_record(
            actor=None,
            action="recognition.expiry_notice",
            obj=notice.recognition,
            province_id=notice.recognition.product.producer.province_id,
            days_before=notice.days_before,
            recipients=len(recipients),
        )
        sent += 1
    return {"planned": planned, "sent": sent, "skipped": skipped, "failed": failed}
