"""Reads for traceability pages, the API and the EPCIS query interface, through the gate."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.collation import by_name
from ocop.geo.gazetteer import CURRENT
from ocop.geo.models import Province
from ocop.registry.models import Product, Recognition

from . import epcis
from .choices import StepKind, Unit
from .epcisquery import QuerySpec
from .models import Batch, Event, EventIdentifier, ProblemReport, ScanCount, ScanFlag

# ---------------------------------------------------------------------------------------------
# Batches
# ---------------------------------------------------------------------------------------------


def managed_products(user) -> QuerySet:
    """Products whose batches the user records (producers) or oversees (officers)."""
    return gate.restrict(Product.objects.all(), user, Action.CHANGE)


def managed_batches(user) -> QuerySet:
    """Batches of the products the user manages or oversees, with their scan totals."""
    return (
        Batch.objects.filter(product__in=managed_products(user))
        .select_related("product", "product__producer", "product__producer__province")
        .annotate(
            scans=Sum("scan_counts__count", filter=Q(scan_counts__province__isnull=True)),
            events_count=Count("events", distinct=True),
        )
        .order_by("-produced_on", "-pk")
    )


def may_add(user, model, producer) -> bool:
    """Whether ``user`` may add a ``model`` row (a batch, a link, an event) about the products of
    ``producer``: trace records belong where their producer does."""
    return gate.may_create(
        user, model, province_id=producer.province_id, commune_id=producer.commune_id, owners=producer.members
    )


def can_record(user, batch: Batch) -> bool:
    return gate.allows(user, Action.CHANGE, batch)


def scans_by_province(batch: Batch) -> list[dict]:
    """Scans whose province the shopper told, per province (most first)."""
    rows = (
        ScanCount.objects.filter(batch=batch, province__isnull=False)
        .values("province__name")
        .annotate(total=Sum("count"))
        .order_by("-total", *by_name("province__short_name"))
    )
    return list(rows)


# ---------------------------------------------------------------------------------------------
# The chain of a batch, as a shopper reads it
# ---------------------------------------------------------------------------------------------

# Plain words for the producers' steps (the platform's events carry them in ``ocop:step``)...
PLATFORM_STEP_LABELS = {
    "produced": _("Produced"),
    StepKind.HARVEST: _("Harvested"),
    StepKind.PROCESSING: _("Processed"),
    StepKind.PACKING: _("Packed"),
    StepKind.SHIPPING: _("Shipped to a shop"),
}
# ... and for the CBV business steps other systems' events are likely to show (others show
# their name).
STEP_LABELS = {
    "commissioning": _("Produced"),
    "packing": _("Packed"),
    "shipping": _("Shipped"),
    "receiving": _("Received"),
    "arriving": _("Arrived"),
    "departing": _("Left"),
    "storing": _("Stored"),
    "inspecting": _("Inspected"),
    "retail_selling": _("Sold in a shop"),
    "stocking": _("Put on the shelves"),
    "loading": _("Loaded"),
    "unloading": _("Unloaded"),
    "transporting": _("Transported"),
    "sampling": _("Sampled for testing"),
    "decommissioning": _("Taken off the market"),
    "destroying": _("Destroyed"),
}


@dataclass
class Step:
    label: str
    at: object  # aware datetime
    place: str = ""
    province: str = ""
    quantity: str = ""
    note: str = ""
    kind: str = ""
    extra: dict = field(default_factory=dict)


def _province_names(codes_: set[str]) -> dict[str, str]:
    if not codes_:
        return {}
    return dict(Province.objects.filter(era_id=CURRENT, code__in=codes_).values_list("code", "name"))


def chain(batch: Batch) -> list[Step]:
    """The batch's events in time order, in plain words; events withdrawn by an error
    declaration are left out."""
    events = list(Event.objects.filter(batch=batch).order_by("event_time", "id"))
    withdrawn = {e.event_id for e in events if e.error_declaration and e.event_id}
    kept = [e for e in events if not (e.error_declaration or (e.event_id and e.event_id in withdrawn))]
    return steps_of(kept)


class _AsStored(datetime):
    """A time shown as stored, in UTC: Django's templates leave it unconverted (the same marker
    its ``utc`` filter sets)."""

    convert_to_local_time = False


def local_time(moment: datetime) -> datetime:
    """``moment`` in local time for pages and the API; a stored time that local time cannot
    hold (9999-12-31 23:59 UTC is the year 10000 in Viet Nam) is shown as stored, in UTC."""
    try:
        return timezone.localtime(moment)
    except OverflowError:
        fields = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
        return _AsStored(*fields, moment.microsecond, tzinfo=moment.tzinfo)


def _number(value) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return epcis.shown(value, 40)
    try:
        return f"{value:g}"
    except OverflowError:  # an integer beyond what a float holds
        return epcis.shown(value, 40)


def _quantity(document: dict) -> str:
    """The first quantity an event states, with its unit, as text."""
    items = document.get("quantityList")
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and "quantity" in item:
            uom = item.get("uom")
            unit = Unit(uom).label if isinstance(uom, str) and uom in Unit.values else epcis.shown(uom, 20)
            return f"{_number(item['quantity'])} {unit}".strip()
    return ""


def steps_of(events: list[Event]) -> list[Step]:
    """The given events in plain words, in the order given.

    Events hold what their senders wrote, and older rows what older versions accepted: every
    value read here may be of any JSON type, and any time (see :func:`local_time`)."""
    documents = [e.document if isinstance(e.document, dict) else {} for e in events]
    names = _province_names(
        {code for d in documents if isinstance(code := d.get("ocop:province"), str) and code}
    )
    steps = []
    for event, document in zip(events, documents, strict=True):
        step = document.get("ocop:step")
        step = step if isinstance(step, str) else ""
        label = (
            PLATFORM_STEP_LABELS.get(step)
            or STEP_LABELS.get(event.biz_step)
            or (
                event.biz_step.rsplit("/", 1)[-1].rsplit("-", 1)[-1].replace("_", " ")
                if event.biz_step
                else event.event_type
            )
        )
        province = document.get("ocop:province")
        steps.append(
            Step(
                label=str(label),
                at=local_time(event.event_time),
                place=epcis.shown(document.get("ocop:place"), 200),
                province=names.get(province, "") if isinstance(province, str) else "",
                quantity=_quantity(document),
                note=epcis.shown(document.get("ocop:note"), 500),
                kind=step or event.biz_step,
            )
        )
    return steps


def shops(steps: list[Step]) -> list[Step]:
    """Where the batch was shipped to, latest first (the "where to buy" of last resort)."""
    return [s for s in reversed(steps) if s.kind == StepKind.SHIPPING and s.place]


def scannable(user) -> QuerySet:
    """Products whose scan page, and the live status of whose recognition, ``user`` may read:
    every product with batches (its labels are in shoppers' hands) and those the gate shows
    ``user`` (recognised once, or their own or overseen). The one rule behind the scan page,
    shoppers' reports, the status API and the resolver."""
    shown = gate.restrict(Product.objects.all(), user, Action.VIEW)
    labelled = Exists(Batch.objects.filter(product=OuterRef("pk")))
    return Product.objects.filter(Q(labelled) | Q(pk__in=shown.values("pk")))


def scan_product(pk: int) -> Product:
    return (
        Product.objects.select_related("producer", "producer__province", "producer__commune", "product_set")
        .prefetch_related(
            Prefetch("recognitions", queryset=Recognition.objects.order_by("-recognised_on", "-pk")),
            "photos",
            "certifications",
        )
        .get(pk=pk)
    )


def status_of(product: Product, day: date | None = None) -> tuple[object, str]:
    """The recognition that decides the product's status today, and the status."""
    day = day or timezone.localdate()
    current = product.current_recognition(day)
    return current, (current.status_on(day) if current else "never")


# ---------------------------------------------------------------------------------------------
# Officers: flags and reports
# ---------------------------------------------------------------------------------------------


def flags_for(user, *, kind: str = "") -> QuerySet:
    flags = gate.restrict(ScanFlag.objects.all(), user, Action.VIEW).select_related(
        "product", "product__producer", "product__producer__province", "batch", "province"
    )
    return flags.filter(kind=kind) if kind else flags


def reports_for(user) -> QuerySet:
    return gate.restrict(ProblemReport.objects.all(), user, Action.VIEW).select_related(
        "product", "product__producer", "product__producer__province", "batch", "province"
    )


# ---------------------------------------------------------------------------------------------
# EPCIS queries
# ---------------------------------------------------------------------------------------------


def events_query(user, spec: QuerySpec) -> QuerySet:
    """The events the user may see that match an EPCIS query, in the asked order."""
    events = gate.restrict(Event.objects.all(), user, Action.VIEW)
    if spec.event_types:
        events = events.filter(event_type__in=spec.event_types)
    if spec.event_time_ge:
        events = events.filter(event_time__gte=spec.event_time_ge)
    if spec.event_time_lt:
        events = events.filter(event_time__lt=spec.event_time_lt)
    if spec.record_time_ge:
        events = events.filter(record_time__gte=spec.record_time_ge)
    if spec.record_time_lt:
        events = events.filter(record_time__lt=spec.record_time_lt)
    if spec.actions:
        events = events.filter(action__in=spec.actions)
    if spec.biz_steps:
        events = events.filter(biz_step__in=spec.biz_steps)
    if spec.dispositions:
        events = events.filter(disposition__in=spec.dispositions)
    if spec.read_points:
        events = events.filter(read_point__in=spec.read_points)
    if spec.biz_locations:
        events = events.filter(biz_location__in=spec.biz_locations)
    if spec.event_ids:
        events = events.filter(event_id__in=spec.event_ids)
    if spec.error_declaration:
        events = events.filter(error_declaration=True)
    for match in spec.matches:
        condition = Q(key__in=match.keys) if match.keys else Q(pk__in=[])
        for prefix in match.prefixes:
            condition |= Q(key__startswith=prefix)
        named = EventIdentifier.objects.filter(condition, event=OuterRef("pk"), role__in=match.roles)
        events = events.filter(Exists(named))
    field = "event_time" if spec.order_by == "eventTime" else "record_time"
    order = [f"-{field}", "-id"] if spec.descending else [field, "id"]
    return events.order_by(*order)


def after_token(events: QuerySet, spec: QuerySpec, value, last_id: int) -> QuerySet:
    """Keyset pagination: the events after (value, id) in the query's order."""
    field = "event_time" if spec.order_by == "eventTime" else "record_time"
    if spec.descending:
        return events.filter(Q(**{f"{field}__lt": value}) | Q(**{field: value, "id__lt": last_id}))
    return events.filter(Q(**{f"{field}__gt": value}) | Q(**{field: value, "id__gt": last_id}))
