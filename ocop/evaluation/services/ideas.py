"""Ideas and business plans: a producer's product idea, the commune's answer, the plan filed after it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record, snapshot
from ocop.registry import services as registry
from ocop.registry.choices import ProductGroup
from ocop.registry.models import Producer, Product

from ..choices import IdeaStatus, ReviewOutcome
from ..models import Idea, IdeaReview
from ._common import inspect_upload


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
        submitted_at=timezone.now(),
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
    idea.status, idea.submitted_by, idea.submitted_at = IdeaStatus.SUBMITTED, user, timezone.now()
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
        idea=idea, outcome=outcome, reason=reason, reviewed_by=user, reviewed_at=timezone.now()
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
        content, found = inspect_upload(upload, "plan_file")
        idea.plan_file.save(f"plan.{found.extension}", ContentFile(content), save=False)
        idea.plan_name = upload.name[:200]
    idea.plan_summary = summary
    idea.status, idea.plan_filed_by, idea.plan_filed_at = IdeaStatus.PLANNED, user, timezone.now()
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
