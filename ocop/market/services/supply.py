"""A product's supply capacity: how much, when, and whether it takes enquiries."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record, diff, snapshot
from ocop.concurrency import ensure_current
from ocop.registry.models import Product

from ..models import (
    SupplyCapacity,
)

SUPPLY_FIELDS = [
    "volume",
    "volume_unit",
    "period",
    "season_from_month",
    "season_to_month",
    "minimum_order",
    "minimum_order_unit",
    "lead_time_days",
    "export_ready",
    "accepts_enquiries",
    "note_vi",
    "note_en",
]


def _check_supply(supply: SupplyCapacity) -> None:
    errors: dict[str, list[str]] = {}
    if (supply.season_from_month is None) != (supply.season_to_month is None):
        errors["season_to_month"] = [_("Give both months of the season, or neither for all year.")]
    if supply.volume is not None and not supply.volume_unit:
        errors["volume_unit"] = [_("Say what the volume is counted in.")]
    if supply.minimum_order is not None and not supply.minimum_order_unit:
        errors["minimum_order_unit"] = [_("Say what the minimum order is counted in.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def supply_update(*, user, product: Product, data: dict, version: str | None = None) -> SupplyCapacity:
    """Set a product's supply capacity. Whoever may change the product may change it.
    ``version``: the token of the copy the change was made from (version 0: there was none);
    refused (:class:`~ocop.concurrency.EditConflict`) if the supply capacity changed since."""
    gate.require(user, Action.CHANGE, product)
    # Lock the product, so that two first entries of its supply cannot both insert one.
    Product.objects.select_for_update().filter(pk=product.pk).exists()
    supply = SupplyCapacity.objects.select_for_update().filter(product=product).first()
    if supply is not None:
        ensure_current(supply, version)
    before = snapshot(supply) if supply else {}
    supply = supply or SupplyCapacity(product=product)
    for key, value in data.items():
        if key in SUPPLY_FIELDS:
            setattr(supply, key, value)
    _check_supply(supply)
    supply.full_clean()
    changes = diff(before, snapshot(supply))
    if changes:  # a save that changes nothing writes nothing, so it leaves others' copies current
        supply.save()
        audit_record(
            actor=user,
            action="product.supply_update",
            obj=product,
            province_id=product.producer.province_id,
            changes=changes,
        )
    return supply
