"""Batches and their steps: recording a production batch, the steps that follow it (harvest,
processing, packing, shipping to a shop) and the serials issued for its labels.

The platform writes an EPCIS event for what producers record in plain words (see
:data:`STEP_EVENTS`), through the same validation and storage as documents captured over
``POST /epcis/capture``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record, snapshot
from ocop.registry.models import Product

from .. import epcis
from ..choices import StepKind, Unit
from ..models import Batch, Event
from ..selectors import may_add
from .events import event_time_bounds, events_store
from .identifiers import class_uri, lot_error, namespace, platform_scheme


def _too_early(earliest: datetime) -> str:
    return _("This is before %(day)s, the earliest date events are recorded from.") % {
        "day": earliest.strftime("%d/%m/%Y")
    }


# Producers' steps as EPCIS events. The CBV has no business step for harvesting or processing;
# those are written with the CBV step "other" and the plain step in the extension field
# ``ocop:step`` (so the document stays CBV-compliant and the meaning is not lost).
STEP_EVENTS = {
    "produced": {"action": "ADD", "bizStep": "commissioning", "disposition": "active"},
    StepKind.HARVEST: {"action": "OBSERVE", "bizStep": "other", "disposition": "active"},
    StepKind.PROCESSING: {"action": "OBSERVE", "bizStep": "other", "disposition": "in_progress"},
    StepKind.PACKING: {"action": "OBSERVE", "bizStep": "packing", "disposition": "in_progress"},
    StepKind.SHIPPING: {"action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit"},
}


def _offset(moment: datetime) -> str:
    text = timezone.localtime(moment).strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def _quantity(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def platform_event(
    *,
    batch: Batch,
    step: str,
    when: datetime,
    quantity: Decimal | None = None,
    place: str = "",
    province=None,
    note: str = "",
    ilmd: dict | None = None,
    event_id: str | None = None,
) -> dict:
    """The EPCIS event for a producer's step on a batch."""
    event = {
        "@context": [{"ocop": namespace()}],
        "type": "ObjectEvent",
        "eventTime": epcis.format_time(when),
        "eventTimeZoneOffset": _offset(when),
        "eventID": event_id or f"urn:uuid:{uuid.uuid4()}",
        **STEP_EVENTS[step],
        "quantityList": [
            {
                "epcClass": class_uri(batch.product, batch.lot),
                "quantity": _quantity(quantity if quantity is not None else batch.quantity),
                "uom": batch.unit,
            }
        ],
        "ocop:step": str(step),
    }
    if ilmd:
        event["ilmd"] = ilmd
    if place:
        event["ocop:place"] = place
    if province is not None:
        event["ocop:province"] = province.code
    if note:
        event["ocop:note"] = note
    return event


def _write_platform_event(event: dict, *, batch: Batch) -> Event:
    problems = epcis.check_event(event, 0)
    if problems:  # the platform writes only valid events; anything else is a programming error
        raise AssertionError(f"invalid platform event: {[p.as_dict() for p in problems]}")
    item = epcis.normalise(event, 0, platform=platform_scheme())
    stored = events_store([(item, batch.product.producer_id, batch.pk)], record_time=timezone.now())
    return stored[0]


@transaction.atomic
def batch_create(
    *,
    user,
    product: Product,
    lot: str,
    produced_on: date,
    quantity: Decimal,
    unit: str = Unit.PIECE,
    expires_on: date | None = None,
    raw_material_area: str = "",
) -> Batch:
    """Record a production batch; the platform writes its commissioning event (EPCIS ADD)."""
    producer = product.producer
    if not may_add(user, Batch, producer):
        raise PermissionDenied
    lot = (lot or "").strip()
    errors: dict[str, list[str]] = {}
    if why := lot_error(lot):
        errors["lot"] = [why]
    elif Batch.objects.filter(product=product, lot=lot).exists():
        errors["lot"] = [_("This product already has a batch with lot number %(lot)s.") % {"lot": lot}]
    today = timezone.localdate()
    earliest = event_time_bounds().earliest
    if produced_on and produced_on > today:
        errors["produced_on"] = [_("The production date is in the future.")]
    elif produced_on and produced_on < earliest.date():
        errors["produced_on"] = [_too_early(earliest)]
    if expires_on and produced_on and expires_on < produced_on:
        errors["expires_on"] = [_("The expiry date is before the production date.")]
    if quantity is None or quantity <= 0:
        errors["quantity"] = [_("Enter a quantity above zero.")]
    if unit not in Unit.values:
        errors["unit"] = [_("Choose a unit.")]
    if errors:
        raise ValidationError(errors)
    batch = Batch(
        product=product,
        lot=lot,
        produced_on=produced_on,
        expires_on=expires_on,
        quantity=quantity,
        unit=unit,
        raw_material_area=(raw_material_area or "").strip(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    batch.full_clean()
    batch.save()
    ilmd = {"cbvmda:lotNumber": lot, "ocop:productionDate": produced_on.isoformat()}
    if expires_on:
        ilmd["cbvmda:itemExpirationDate"] = expires_on.isoformat()
    if batch.raw_material_area:
        ilmd["ocop:rawMaterialArea"] = batch.raw_material_area
    # Midday of the production date stands for "that day"; a batch recorded the same morning must
    # not carry an event in the future (it would sort after the steps recorded next).
    when = min(
        timezone.make_aware(datetime.combine(produced_on, datetime.min.time().replace(hour=12))),
        timezone.now(),
    )
    _write_platform_event(
        platform_event(batch=batch, step="produced", when=when, place=batch.raw_material_area, ilmd=ilmd),
        batch=batch,
    )
    audit_record(
        actor=user,
        action="batch.create",
        obj=batch,
        province_id=producer.province_id,
        after=snapshot(batch),
    )
    return batch


@transaction.atomic
def batch_step_record(
    *,
    user,
    batch: Batch,
    kind: str,
    happened_at: datetime,
    place: str = "",
    province=None,
    quantity: Decimal | None = None,
    note: str = "",
) -> Event:
    """Record a step (harvest, processing, packing, shipping to a shop) as an EPCIS event.

    Steps are appended, never edited, like the events behind them."""
    gate.require(user, Action.CHANGE, batch)
    errors: dict[str, list[str]] = {}
    if kind not in StepKind.values:
        errors["kind"] = [_("Choose what happened.")]
    if happened_at is None:
        errors["happened_at"] = [_("Enter when it happened.")]
    elif happened_at > timezone.now() + timedelta(minutes=5):
        errors["happened_at"] = [_("This is in the future.")]
    elif happened_at < (earliest := event_time_bounds().earliest):
        errors["happened_at"] = [_too_early(earliest)]
    if kind == StepKind.SHIPPING and not (place or "").strip():
        errors["place"] = [_("Name the shop the goods were shipped to.")]
    if quantity is not None and quantity <= 0:
        errors["quantity"] = [_("Enter a quantity above zero.")]
    if errors:
        raise ValidationError(errors)
    event = _write_platform_event(
        platform_event(
            batch=batch,
            step=kind,
            when=happened_at,
            quantity=quantity,
            place=(place or "").strip()[:200],
            province=province,
            note=(note or "").strip()[:500],
        ),
        batch=batch,
    )
    audit_record(
        actor=user,
        action="batch.step",
        obj=batch,
        province_id=batch.product.producer.province_id,
        kind=str(kind),
        event_id=event.pk,
    )
    return event


@transaction.atomic
def labels_issue(*, user, batch: Batch, count: int) -> range:
    """Issue ``count`` more serials for the batch's labels; returns them (first..last)."""
    gate.require(user, Action.CHANGE, batch)
    limit = settings.OCOP_TRACE_LABELS_MAX
    if count < 1 or count > limit:
        raise ValidationError(
            {"count": [_("Print from 1 to %(limit)s labels at a time.") % {"limit": limit}]}
        )
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    first = locked.labels_issued + 1
    Batch.objects.filter(pk=batch.pk).update(labels_issued=F("labels_issued") + count)
    batch.labels_issued = locked.labels_issued + count
    audit_record(
        actor=user,
        action="batch.labels",
        obj=batch,
        province_id=batch.product.producer.province_id,
        first=first,
        last=first + count - 1,
    )
    return range(first, first + count)
