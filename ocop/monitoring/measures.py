"""What programme targets measure, counted from the registry on a day, in a unit.

Every measure starts from the same products the statistics count
(:func:`ocop.monitoring.selectors.counted_recognitions`: a product counts on a day when its
deciding recognition valid that day has 3 stars or more), so a target, the dashboard, the report,
the API and ``ocop stats`` never disagree:

* ``products_min_stars`` / ``products_stars``: counted products with at least / exactly N stars.
* ``products_new``: products whose first recognition of N stars or more (3 by default) was
  decided within the period (up to the day), and not revoked by the day.
* ``products_upgraded``: products that, within the period, got a recognition with more stars
  than the recognition decided before it.
* ``products_rerated_share``: of the products recognised (3 stars or more) before the period,
  the share that got a new recognition of 3 stars or more within it (consolidated or upgraded).
* ``producer_kind_share``: share of counted producers (those with a counted product) of a type.
* ``modern_channel_share``: share of counted producers selling that day through a modern channel
  (supermarket or convenience chains, e-commerce, their own web shop, livestream).
* ``provinces_with_showroom``: share of today's provinces with an OCOP introduction and sales
  point open that day; ``showrooms``: how many such points are open in the unit.
* ``craft_village_share``: share of the unit's craft villages (recognised by the day) with a
  producer of the village holding a counted product.

Points of sale and craft villages are placed by today's units only (they carry no older address),
so those measures ignore the era of the unit's boundaries beyond its current territory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, F, OuterRef, Q, Subquery

from ocop.geo.gazetteer import CURRENT
from ocop.geo.models import Province
from ocop.market.choices import MODERN_CHANNELS, PointKind
from ocop.market.models import PointOfSale, SalesChannel
from ocop.registry.models import CraftVillage, Producer, Product, Recognition

from .choices import FLOW_MEASURES, SHARE_MEASURES, Measure
from .selectors import STARS, aggregates, counted_recognitions
from .units import VIA_PRODUCT, Unit, producer_q

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Reading:
    """A measure's value on a day; shares keep their parts (numerator of denominator)."""

    value: Decimal
    numerator: int | None = None
    denominator: int | None = None


def _share(numerator: int, denominator: int) -> Reading:
    value = Decimal(0) if not denominator else (HUNDRED * numerator / denominator)
    return Reading(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), numerator, denominator)


def _count(n: int) -> Reading:
    return Reading(Decimal(n))


def counted(day: date, unit: Unit, *, user=None):
    """The deciding recognitions of the products counted on ``day`` in ``unit``."""
    return counted_recognitions(day, user=user).filter(producer_q(unit, VIA_PRODUCT))


def _counted_producers(day: date, unit: Unit):
    return Producer.objects.filter(pk__in=counted(day, unit).values(f"{VIA_PRODUCT}id"))


def _current_q(unit: Unit, prefix: str = "") -> Q:
    """Things placed by today's units only (points of sale, craft villages): the unit's current
    territory (a province of before 1 July 2025 counts as the province it became part of)."""
    if unit.province is None:
        return Q()
    if unit.is_current:
        if unit.commune is not None:
            return Q(**{f"{prefix}commune_id": unit.commune.pk})
        return Q(**{f"{prefix}province_id": unit.province.pk})
    return Q(**{f"{prefix}province_id": unit.province.successor_id})


def _open_points(day: date):
    return PointOfSale.objects.filter(kind=PointKind.OCOP_POINT).filter(
        Q(opened_on__isnull=True) | Q(opened_on__lte=day), Q(closed_on__isnull=True) | Q(closed_on__gt=day)
    )


def _products(recognitions):
    return Product.objects.filter(pk__in=recognitions.values("product_id"))


def parts(
    measure: str,
    *,
    unit: Unit,
    day: date,
    period_start: date | None = None,
    stars: int = 0,
    producer_kind: str = "",
):
    """(numerator, denominator) querysets of ``measure`` in ``unit`` on ``day``; the denominator
    is None for counts. Flow measures count since ``period_start`` (default: 1 January)."""
    stars = stars or 3
    start = period_start or date(day.year, 1, 1)
    recognitions = Recognition.objects.filter(producer_q(unit, VIA_PRODUCT))
    if measure == Measure.PRODUCTS_MIN_STARS:
        return _products(counted(day, unit).filter(stars__gte=stars)), None
    if measure == Measure.PRODUCTS_STARS:
        return _products(counted(day, unit).filter(stars=stars)), None
    if measure == Measure.PRODUCTS_NEW:
        earlier = Recognition.objects.filter(
            product_id=OuterRef("product_id"), recognised_on__lt=start, stars__gte=3
        )
        new = (
            recognitions.filter(recognised_on__gte=start, recognised_on__lte=day, stars__gte=stars)
            .exclude(revoked_on__lte=day)
            .filter(~Exists(earlier))
        )
        return _products(new), None
    if measure == Measure.PRODUCTS_UPGRADED:
        previous = Recognition.objects.filter(
            Q(recognised_on__lt=OuterRef("recognised_on"))
            | Q(recognised_on=OuterRef("recognised_on"), pk__lt=OuterRef("pk")),
            product_id=OuterRef("product_id"),
        ).order_by("-recognised_on", "-pk")
        upgraded = (
            recognitions.filter(recognised_on__gte=start, recognised_on__lte=day)
            .annotate(previous_stars=Subquery(previous.values("stars")[:1]))
            .filter(previous_stars__isnull=False, stars__gt=F("previous_stars"))
        )
        return _products(upgraded), None
    if measure == Measure.PRODUCTS_RERATED_SHARE:
        before = _products(recognitions.filter(recognised_on__lt=start, stars__gte=3))
        again = recognitions.filter(recognised_on__gte=start, recognised_on__lte=day, stars__gte=3)
        return before.filter(pk__in=again.values("product_id")), before
    if measure == Measure.PRODUCER_KIND_SHARE:
        producers = _counted_producers(day, unit)
        return producers.filter(kind=producer_kind), producers
    if measure == Measure.MODERN_CHANNEL_SHARE:
        producers = _counted_producers(day, unit)
        selling = SalesChannel.objects.filter(
            Q(ended_on__isnull=True) | Q(ended_on__gte=day),
            producer_id=OuterRef("pk"),
            kind__in=MODERN_CHANNELS,
            started_on__lte=day,
        )
        return producers.filter(Exists(selling)), producers
    if measure == Measure.PROVINCES_WITH_SHOWROOM:
        # Of the whole country, whatever the unit: every province is meant to have one.
        provinces = Province.objects.filter(era_id=CURRENT)
        return provinces.filter(Exists(_open_points(day).filter(province_id=OuterRef("pk")))), provinces
    if measure == Measure.SHOWROOMS:
        return _open_points(day).filter(_current_q(unit)), None
    if measure == Measure.CRAFT_VILLAGE_SHARE:
        villages = CraftVillage.objects.filter(_current_q(unit)).filter(
            Q(recognised_on__isnull=True) | Q(recognised_on__lte=day)
        )
        producers = counted(day, unit).values(f"{VIA_PRODUCT}id")
        return (
            villages.filter(Exists(Producer.objects.filter(craft_village=OuterRef("pk"), pk__in=producers))),
            villages,
        )
    raise ValueError(f"unknown measure {measure!r}")


def numerator(measure: str, **kwargs):
    """The rows a measure counts (products, producers, provinces, points of sale, villages)."""
    return parts(measure, **kwargs)[0]


class Counter:
    """The counted products' figures of one unit, remembered per day: one grouped aggregate gives
    the products by stars and the producers by type, which several measures, the years' chart
    and the baselines of targets all ask for, often on the same day."""

    def __init__(self, unit: Unit):
        self.unit = unit
        self._flat: dict[date, dict] = {}

    def flat(self, day: date) -> dict:
        if day not in self._flat:
            self._flat[day] = counted(day, self.unit).aggregate(**aggregates())
        return self._flat[day]

    def knows(self, day: date) -> bool:
        return day in self._flat

    def remember(self, day: date, flat: dict) -> None:
        self._flat[day] = flat


def read(measure: str, *, counter: Counter | None = None, **kwargs) -> Reading:
    """The value of ``measure`` (see :func:`parts` for the arguments). With a ``counter`` of the
    same unit, measures of counted products and producers are read from its aggregates."""
    if counter is not None and measure in (
        Measure.PRODUCTS_MIN_STARS,
        Measure.PRODUCTS_STARS,
        Measure.PRODUCER_KIND_SHARE,
        Measure.MODERN_CHANNEL_SHARE,
    ):
        flat = counter.flat(kwargs["day"])
        stars = kwargs.get("stars") or 3
        if measure == Measure.PRODUCTS_MIN_STARS:
            return _count(sum(flat[f"stars_{s}"] for s in STARS if s >= stars))
        if measure == Measure.PRODUCTS_STARS:
            return _count(flat.get(f"stars_{stars}", 0))
        if measure == Measure.PRODUCER_KIND_SHARE:
            return _share(flat[f"type_{kwargs['producer_kind']}"], flat["producers"])
        return _share(numerator(measure, **kwargs).count(), flat["producers"])
    top, bottom = parts(measure, **kwargs)
    if bottom is None:
        return _count(top.count())
    return _share(top.count(), bottom.count())


def baseline(
    measure: str,
    *,
    unit: Unit,
    period_start: date,
    stars: int = 0,
    producer_kind: str = "",
    counter: Counter | None = None,
) -> Reading:
    """Where the measure stood when the period opened: its value the day before, for measures
    of a state; zero for measures of what happens within the period."""
    if measure in FLOW_MEASURES:
        return Reading(Decimal(0), 0, 0) if measure in SHARE_MEASURES else Reading(Decimal(0))
    return read(
        measure,
        unit=unit,
        day=period_start - timedelta(days=1),
        stars=stars,
        producer_kind=producer_kind,
        counter=counter,
    )
