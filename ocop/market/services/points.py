"""Points of sale (showrooms, shops, supermarkets) and the products they stock."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record, diff, snapshot
from ocop.concurrency import ensure_current
from ocop.geo.services import Location, LocationError, place
from ocop.registry.models import Product

from .. import hours
from ..models import (
    PointOfSale,
    Stock,
)
from ._common import public_products

# The fields a page or the API may set, in the order the form shows them.
POINT_FIELDS = [
    "name",
    "kind",
    "operator",
    "address",
    "latitude",
    "longitude",
    "phone",
    "website",
    "opened_on",
    "closed_on",
    "description_vi",
    "description_en",
]


def parse_hours(text: str) -> list[dict]:
    """Opening hours typed in a form, as stored; a ValidationError on ``opening_hours``."""
    try:
        return hours.to_json(hours.parse(text or ""))
    except hours.HoursError as exc:
        messages = {
            "bad_day": _("“%(part)s”: a day is not understood (write T2-T6, T7, CN or Mon-Fri)."),
            "bad_time": _("“%(part)s”: a time is not understood (write 7:30-21:00)."),
            "no_time": _("“%(part)s”: give the hours, e.g. T2-T6 7:30-21:00."),
        }
        raise ValidationError({"opening_hours": [messages[exc.code] % {"part": exc.fragment}]}) from None


def _check_point(point: PointOfSale) -> None:
    errors: dict[str, list[str]] = {}
    if (point.latitude is None) != (point.longitude is None):
        errors["longitude"] = [_("Give both latitude and longitude, or neither.")]
    if point.latitude is not None and not (
        Decimal("8") <= point.latitude <= Decimal("24")
        and Decimal("102") <= point.longitude <= Decimal("110")
    ):
        errors["latitude"] = [_("These coordinates are not in Viet Nam (latitude 8-24, longitude 102-110).")]
    if errors:
        raise ValidationError(errors)


def _place_point(user, location: Location) -> None:
    if not gate.may_create(
        user,
        PointOfSale,
        province_id=location.province.pk,
        commune_id=location.commune.pk if location.commune else None,
    ):
        where = location.commune or location.province
        raise ValidationError(
            {"address": [_("%(unit)s is outside your jurisdiction.") % {"unit": str(where)}]}
        )


def _locate_point(address: str, province=None, commune=None) -> Location:
    try:
        return place(address, province=province, commune=commune, on=timezone.localdate())
    except LocationError as exc:
        raise ValidationError({"address": [str(exc)]}) from None


@transaction.atomic
def point_create(
    *, user, data: dict, hours_text: str = "", province=None, commune=None, location: Location | None = None
) -> PointOfSale:
    """Register a point of sale where the user may: its address decides its units, unless a
    commune (or a province) is picked."""
    point = PointOfSale(**{k: v for k, v in data.items() if k in POINT_FIELDS})
    location = location or _locate_point(point.address, province, commune)
    _place_point(user, location)
    point.province, point.commune = location.province, location.commune
    point.opening_hours = parse_hours(hours_text)
    _check_point(point)
    point.full_clean()
    point.save()
    audit_record(
        actor=user, action="point.create", obj=point, province_id=point.province_id, after=snapshot(point)
    )
    return point


@transaction.atomic
def point_update(
    *,
    user,
    point: PointOfSale,
    data: dict,
    hours_text: str | None = None,
    province=None,
    commune=None,
    version: str | None = None,
) -> PointOfSale:
    """Change a point of sale; ``version`` as for :func:`supply_update`."""
    gate.require(user, Action.CHANGE, point)
    point = PointOfSale.objects.select_for_update().get(pk=point.pk)
    ensure_current(point, version)
    before = snapshot(point)
    for key, value in data.items():
        if key in POINT_FIELDS:
            setattr(point, key, value)
    moved = point.address != before["address"] or (commune is not None and commune.pk != point.commune_id)
    if moved or (province is not None and province.pk != point.province_id):
        location = _locate_point(point.address, province, commune)
        if (location.province.pk, location.commune.pk if location.commune else None) != (
            point.province_id,
            point.commune_id,
        ):
            _place_point(user, location)
        point.province, point.commune = location.province, location.commune
    if hours_text is not None:
        point.opening_hours = parse_hours(hours_text)
    _check_point(point)
    point.full_clean()
    changes = diff(before, snapshot(point))
    if changes:  # a save that changes nothing writes nothing, so it leaves others' copies current
        point.save()
        audit_record(
            actor=user, action="point.update", obj=point, province_id=point.province_id, changes=changes
        )
    return point


@transaction.atomic
def stock_add(*, user, point: PointOfSale, product: Product, since: date | None = None) -> Stock:
    """Record that a point of sale carries a product. Only products in the public catalogue
    (recognised at least once) can be listed; the page then shows their live status."""
    gate.require(user, Action.CHANGE, point)
    if not public_products().filter(pk=product.pk).exists():
        raise ValidationError({"product": [_("Only OCOP-recognised products can be listed.")]})
    if Stock.objects.filter(point=point, product=product).exists():
        raise ValidationError({"product": [_("This point of sale already lists this product.")]})
    stock = Stock.objects.create(point=point, product=product, since=since)
    audit_record(
        actor=user,
        action="point.stock_add",
        obj=point,
        province_id=point.province_id,
        product_id=product.pk,
    )
    return stock


@transaction.atomic
def stock_remove(*, user, stock: Stock) -> None:
    point = stock.point
    gate.require(user, Action.CHANGE, point)
    product_id = stock.product_id
    stock.delete()
    audit_record(
        actor=user,
        action="point.stock_remove",
        obj=point,
        province_id=point.province_id,
        product_id=product_id,
    )
