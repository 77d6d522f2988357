"""The rows of the open data: the same rows feed the downloads (:mod:`ocop.market.opendata`)
and the API, so a CSV row and an API object say the same."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.models import AuditEvent
from ocop.geo.gazetteer import CURRENT as CURRENT_ERA
from ocop.registry.models import Producer, Product, Recognition
from ocop.web.paging import window

from .. import hours, indexing
from ..models import (
    PointOfSale,
    Stock,
)


def _since_date(since: datetime) -> date:
    return timezone.localtime(since).date() if timezone.is_aware(since) else since.date()


def changed_product_ids(since: datetime, *, day: date) -> set[int]:
    """Products whose published fields may have changed since ``since``: edited (product or
    producer), given a recognition, revoked or superseded (recorded then, whatever the date),
    or whose status changed with the passing of days (started, expired, revoked, superseded)."""
    start = _since_date(since)
    ids = set(
        Product.objects.filter(
            Q(updated_at__gte=since) | Q(created_at__gte=since) | Q(producer__updated_at__gte=since)
        ).values_list("pk", flat=True)
    )
    recorded = [
        int(object_id)
        for object_id in AuditEvent.objects.filter(object_type="registry.recognition", at__gte=since)
        .values_list("object_id", flat=True)
        .distinct()
        if object_id.isdigit()
    ]
    ids |= set(
        Recognition.objects.filter(
            Q(created_at__gte=since)
            | Q(pk__in=recorded)
            | Q(recognised_on__gt=start, recognised_on__lte=day)
            | Q(valid_until__gte=start - timedelta(days=1), valid_until__lt=day)
            | Q(revoked_on__gte=start, revoked_on__lte=day)
            | Q(superseded_on__gte=start, superseded_on__lte=day)
        ).values_list("product_id", flat=True)
    )
    return ids


@dataclass(frozen=True)
class OpenSlice:
    """What a reader of the open data asks for: the rows changed since ``since`` (all without),
    of one current province (by code; all without), ``limit`` of them from ``offset`` (to the end
    without), as they stand on ``day`` (today without)."""

    since: datetime | None = None
    province: str = ""
    offset: int = 0
    limit: int | None = None
    day: date | None = None


OPEN_PRODUCT_FIELDS = [
    "pk",
    "name_vi",
    "name_en",
    "group",
    "product_set__taxonomy_id",
    "product_set__code",
    "gtin",
    "ocop_code",
    "producer_id",
    "producer__name",
    "producer__kind",
    "producer__province__code",
    "producer__province__name",
    "producer__commune__code",
    "producer__commune__name",
]


def open_products(ask: OpenSlice, *, status: str = "") -> tuple[int, list[dict]]:
    """Recognised products as open data, ordered by id: their number and one dict per product
    of the slice, with the live status of its recognition (stars only when valid). Status and
    province filter in the database (the registry's own status filter), so pages are cheap."""
    from ocop.registry.selectors import ProductFilters, filter_products

    day = ask.day or timezone.localdate()
    queryset = gate.restrict(Product.objects.all(), None, Action.VIEW)
    if ask.since is not None:
        queryset = queryset.filter(pk__in=changed_product_ids(ask.since, day=day))
    if status or ask.province:
        queryset = filter_products(queryset, ProductFilters(status=status, province=ask.province), day=day)
    queryset = queryset.order_by("pk")
    total = queryset.count()
    sliced = window(queryset, offset=ask.offset, limit=ask.limit, count=total)
    rows = list(sliced.values_list(*OPEN_PRODUCT_FIELDS))
    recognitions: dict[int, list[indexing.RecognitionRow]] = defaultdict(list)
    if rows:
        recognition_rows = Recognition.objects.values_list(
            "product_id", "pk", "stars", "recognised_on", "valid_until", "revoked_on", "superseded_on"
        ).order_by()
        if len(rows) < 5000:
            recognition_rows = recognition_rows.filter(product_id__in=[row[0] for row in rows])
        for row in recognition_rows:
            recognitions[row[0]].append(indexing.RecognitionRow(*row))
    out = []
    for row in rows:
        (
            pk,
            name_vi,
            name_en,
            group,
            taxonomy,
            set_code,
            gtin,
            ocop_code,
            producer_id,
            producer_name,
            producer_kind,
            province_code,
            province_name,
            commune_code,
            commune_name,
        ) = row
        deciding = indexing.deciding(recognitions.get(pk, []), day)
        state = indexing.status_on(deciding, day) if deciding else "pending"
        out.append(
            {
                "id": pk,
                "name_vi": name_vi,
                "name_en": name_en,
                "group": group,
                "product_set": f"{taxonomy}:{set_code}" if set_code else "",
                "gtin": gtin or "",
                "ocop_code": ocop_code,
                "producer_id": producer_id,
                "producer_name": producer_name,
                "producer_kind": producer_kind,
                "province_code": province_code,
                "province_name": province_name,
                "commune_code": commune_code or "",
                "commune_name": commune_name or "",
                "status": state,
                "stars": deciding.stars if state == "valid" else None,
                "recognised_on": deciding.recognised_on if deciding else None,
                "valid_until": indexing.last_valid_day(deciding) if deciding else None,
                "revoked_on": deciding.revoked_on if deciding else None,
            }
        )
    return total, out


def open_producers(ask: OpenSlice) -> tuple[int, list[dict]]:
    """Producers of recognised products as open data: what they are and where, and how many
    products of theirs are valid. No personal data: no representative, phone, e-mail or tax
    code (a household's is a person's number). Three queries."""
    day = ask.day or timezone.localdate()
    public = gate.restrict(Product.objects.all(), None, Action.VIEW)
    queryset = Producer.objects.filter(pk__in=public.values("producer_id"))
    if ask.since is not None:
        changed = changed_product_ids(ask.since, day=day)
        queryset = queryset.filter(
            Q(updated_at__gte=ask.since)
            | Q(pk__in=Product.objects.filter(pk__in=changed).values("producer_id"))
        )
    if ask.province:
        queryset = queryset.filter(province__code=ask.province, province__era_id=CURRENT_ERA)
    queryset = queryset.order_by("pk")
    total = queryset.count()
    sliced = window(queryset, offset=ask.offset, limit=ask.limit, count=total)
    rows = list(
        sliced.values_list(
            "pk",
            "name",
            "kind",
            "province__code",
            "province__name",
            "commune__code",
            "commune__name",
            "website",
        )
    )
    valid = Recognition.objects.valid_on(day)
    if len(rows) < 5000:
        valid = valid.filter(product__producer_id__in=[row[0] for row in rows])
    valid = dict(
        valid.values_list("product__producer_id").annotate(n=Count("product_id", distinct=True)).order_by()
    )
    return total, [
        {
            "id": pk,
            "name": name,
            "kind": kind,
            "province_code": province_code,
            "province_name": province_name,
            "commune_code": commune_code or "",
            "commune_name": commune_name or "",
            "website": website,
            "valid_products": valid.get(pk, 0),
        }
        for pk, name, kind, province_code, province_name, commune_code, commune_name, website in rows
    ]


def open_points(ask: OpenSlice) -> tuple[int, list[dict]]:
    """Points of sale as open data, open or closed (a mirror needs to learn of closures)."""
    day = ask.day or timezone.localdate()
    queryset = gate.restrict(PointOfSale.objects.all(), None, Action.VIEW)
    if ask.since is not None:
        restocked = Stock.objects.filter(created_at__gte=ask.since).values("point_id")
        unstocked = [
            int(object_id)
            for object_id in AuditEvent.objects.filter(object_type="market.pointofsale", at__gte=ask.since)
            .values_list("object_id", flat=True)
            .distinct()
            if object_id.isdigit()
        ]
        queryset = queryset.filter(Q(updated_at__gte=ask.since) | Q(pk__in=restocked) | Q(pk__in=unstocked))
    if ask.province:
        queryset = queryset.filter(province__code=ask.province, province__era_id=CURRENT_ERA)
    total = queryset.count()
    queryset = queryset.annotate(products=Count("stock", distinct=True)).order_by("pk")
    sliced = window(queryset, offset=ask.offset, limit=ask.limit, count=total)
    rows = sliced.values_list(
        "pk",
        "name",
        "kind",
        "operator",
        "address",
        "province__code",
        "province__name",
        "commune__code",
        "commune__name",
        "latitude",
        "longitude",
        "opening_hours",
        "phone",
        "website",
        "opened_on",
        "closed_on",
        "products",
    )
    out = []
    for row in rows:
        (pk, name, kind, operator, address, pcode, pname, ccode, cname, lat, lon, opening, phone, website) = (
            row[:14]
        )
        opened_on, closed_on, products = row[14:]
        out.append(
            {
                "id": pk,
                "name": name,
                "kind": kind,
                "operator": operator,
                "address": address,
                "province_code": pcode,
                "province_name": pname,
                "commune_code": ccode or "",
                "commune_name": cname or "",
                "latitude": float(lat) if lat is not None else None,
                "longitude": float(lon) if lon is not None else None,
                "opening_hours": "; ".join(hours.to_schema(hours.from_json(opening))),
                "phone": phone,
                "website": website,
                "opened_on": opened_on,
                "closed_on": closed_on,
                "is_open": (opened_on is None or opened_on <= day) and (closed_on is None or closed_on > day),
                "products": products,
            }
        )
    return total, out
