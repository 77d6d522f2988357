"""Fairs and events: recorded by their organiser, their participants and what they sold."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record, diff, snapshot
from ocop.concurrency import ensure_current
from ocop.registry.models import Producer

from ..models import (
    Fair,
    FairParticipant,
)
from ._common import public_products

# The fields a page or the API may set, in the order the form shows them.
FAIR_FIELDS = [
    "name",
    "kind",
    "starts_on",
    "ends_on",
    "venue",
    "province",
    "organiser",
    "organiser_province",
    "website",
    "is_published",
    "description_vi",
    "description_en",
]


def _check_fair(fair: Fair) -> None:
    if fair.starts_on and fair.ends_on and fair.ends_on < fair.starts_on:
        raise ValidationError({"ends_on": [_("The end is before the start.")]})


@transaction.atomic
def fair_create(*, user, data: dict) -> Fair:
    """Record a fair. A province officer records their province's; the central office records
    any, and national ones (managed by no province)."""
    fair = Fair(**{k: v for k, v in data.items() if k in FAIR_FIELDS})
    organiser = fair.organiser_province_id
    if organiser is None and not gate.actor_of(user).is_central:
        raise ValidationError({"organiser_province": [_("Choose the province that manages this event.")]})
    if not gate.may_create(user, Fair, province_id=organiser):
        raise PermissionDenied
    _check_fair(fair)
    fair.full_clean()
    fair.save()
    audit_record(
        actor=user, action="fair.create", obj=fair, province_id=fair.province_id, after=snapshot(fair)
    )
    return fair


@transaction.atomic
def fair_update(*, user, fair: Fair, data: dict, version: str | None = None) -> Fair:
    """Change a fair; ``version`` as for :func:`supply_update`."""
    gate.require(user, Action.CHANGE, fair)
    fair = Fair.objects.select_for_update().get(pk=fair.pk)
    ensure_current(fair, version)
    before = snapshot(fair)
    for key, value in data.items():
        if key in FAIR_FIELDS:
            setattr(fair, key, value)
    if fair.organiser_province_id != before["organiser_province"] and not gate.may_create(
        user, Fair, province_id=fair.organiser_province_id
    ):
        raise ValidationError({"organiser_province": [_("You cannot hand the event to that province.")]})
    _check_fair(fair)
    fair.full_clean()
    changes = diff(before, snapshot(fair))
    if changes:  # a save that changes nothing writes nothing, so it leaves others' copies current
        fair.save()
        audit_record(
            actor=user, action="fair.update", obj=fair, province_id=fair.province_id, changes=changes
        )
    return fair


@transaction.atomic
def participant_add(*, user, fair: Fair, producer: Producer, booth: str = "", products=()) -> FairParticipant:
    """Add a producer (with products in the public catalogue) to a fair."""
    gate.require(user, Action.CHANGE, fair)
    public = public_products().filter(producer=producer)
    if not public.exists():
        raise ValidationError({"producer": [_("Only producers with OCOP-recognised products can be added.")]})
    products = list(products)
    allowed = set(public.filter(pk__in=[p.pk for p in products]).values_list("pk", flat=True))
    if any(p.pk not in allowed for p in products):
        raise ValidationError({"products": [_("Choose among this producer's recognised products.")]})
    booth = (booth or "").strip()
    if FairParticipant.objects.filter(fair=fair, producer=producer).exists():
        raise ValidationError({"producer": [_("This producer already takes part.")]})
    if booth and FairParticipant.objects.filter(fair=fair, booth=booth).exists():
        raise ValidationError({"booth": [_("Booth %(booth)s is taken.") % {"booth": booth}]})
    participant = FairParticipant.objects.create(fair=fair, producer=producer, booth=booth)
    participant.products.set(products)
    audit_record(
        actor=user,
        action="fair.participant_add",
        obj=fair,
        province_id=fair.province_id,
        producer_id=producer.pk,
        booth=booth,
        products=[p.pk for p in products],
    )
    return participant


@transaction.atomic
def participant_remove(*, user, participant: FairParticipant) -> None:
    fair = participant.fair
    gate.require(user, Action.CHANGE, fair)
    producer_id = participant.producer_id
    participant.delete()
    audit_record(
        actor=user,
        action="fair.participant_remove",
        obj=fair,
        province_id=fair.province_id,
        producer_id=producer_id,
    )


@transaction.atomic
def participant_sales_report(
    *,
    user,
    participant: FairParticipant,
    sales_vnd,
    contracts=None,
    note: str = "",
    today: date | None = None,
) -> FairParticipant:
    """The participant (or the organiser) reports what was sold at the fair, once it started."""
    gate.require(user, Action.CHANGE, participant)
    participant = FairParticipant.objects.select_for_update().select_related("fair").get(pk=participant.pk)
    today = today or timezone.localdate()
    if participant.fair.starts_on > today:
        raise ValidationError(_("Sales can be reported once the event has started."))
    before = snapshot(participant, ["sales_vnd", "contracts", "sales_note"])
    participant.sales_vnd = sales_vnd
    participant.contracts = contracts
    participant.sales_note = (note or "").strip()
    participant.sales_reported_at = timezone.now()
    participant.sales_reported_by = user
    participant.full_clean()
    participant.save()
    audit_record(
        actor=user,
        action="fair.sales_report",
        obj=participant.fair,
        province_id=participant.fair.province_id,
        producer_id=participant.producer_id,
        changes=diff(before, snapshot(participant, ["sales_vnd", "contracts", "sales_note"])),
    )
    return participant
