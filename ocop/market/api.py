"""The catalogue and trade promotion over HTTP: search, product pages' data, open data with
``changes_since``, points of sale, sales channels, fairs, and producers' enquiries."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from ocop.accounts import gate
from ocop.accounts.api import ANYONE, READ_ERRORS, SIGNED_IN, SIGNED_IN_READ_ERRORS, WRITE_ERRORS
from ocop.accounts.choices import Action
from ocop.geo.gazetteer import CURRENT
from ocop.geo.models import Province
from ocop.geo.services import current_units
from ocop.registry.api import UnitRef
from ocop.registry.models import Producer, Product
from ocop.web.edge import Id
from ocop.web.paging import window

from . import indexing, opendata, selectors, services
from .choices import (
    CapacityPeriod,
    CatalogueSort,
    CatalogueStatus,
    ChannelKind,
    EnquiryStatus,
    FairKind,
    PointKind,
    WhereSold,
)
from .links import product_url
from .models import Enquiry, PointOfSale

router = Router(tags=["market"])

# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------


class ProducerRef(Schema):
    id: int
    name: str
    kind: str


class CatalogueQuery(Schema):
    q: str = Field("", max_length=200, description="Words, with or without diacritics; typos are forgiven")
    province: str = Field("", description="Current province code")
    commune: str = Field("", description="Current commune code")
    group: str = ""
    product_set: int | None = None
    stars: int | None = Field(None, ge=1, le=5)
    producer_kind: str = ""
    certification: str = ""
    sold: WhereSold | None = None
    status: CatalogueStatus = CatalogueStatus.VALID
    sort: CatalogueSort | None = None
    page: int = Field(1, ge=1)
    page_size: int = Field(24, ge=1, le=100)


class CatalogueItem(Schema):
    id: int
    name_vi: str
    name_en: str
    group: str
    producer: ProducerRef
    province: UnitRef
    commune: UnitRef | None
    status: str = Field(..., description="valid, expired, revoked, superseded, pending")
    stars: int | None = Field(None, description="Stars of the recognition valid today; null otherwise")
    valid_until: date | None
    sold: list[str]
    url: str


class CataloguePage(Schema):
    count: int
    page: int
    page_size: int
    suggestion: str = Field("", description="The corrected query, when the typed one matched nothing")
    items: list[CatalogueItem]


class SupplyOut(Schema):
    volume: Decimal | None
    volume_unit: str
    period: CapacityPeriod
    season_from_month: int | None
    season_to_month: int | None
    minimum_order: Decimal | None
    minimum_order_unit: str
    lead_time_days: int | None
    export_ready: bool
    accepts_enquiries: bool


class PointBrief(Schema):
    id: int
    name: str
    kind: PointKind
    address: str
    province: UnitRef
    commune: UnitRef | None
    latitude: float | None
    longitude: float | None
    opening_hours: list[str] = Field(..., description="schema.org openingHours")


class ChannelOut(Schema):
    id: int
    kind: ChannelKind
    partner: str
    url: str
    country: str
    product_id: int | None
    started_on: date
    ended_on: date | None


class WhereToBuyOut(Schema):
    points_of_sale: list[PointBrief]
    channels: list[ChannelOut]


class MarketProductOut(Schema):
    id: int
    name_vi: str
    name_en: str
    description_vi: str
    description_en: str
    story_vi: str
    story_en: str
    gtin: str | None
    producer: ProducerRef
    province: UnitRef
    status: str
    stars: int | None
    valid_until: date | None
    supply: SupplyOut | None
    where_to_buy: WhereToBuyOut
    url: str


class OpenQuery(Schema):
    changes_since: str = Field(
        "", description="ISO date or date-time: only records that may have changed since then"
    )
    province: str = Field("", description="Current province code")
    page: int = Field(1, ge=1)
    page_size: int = Field(500, ge=1, le=1000)


class OpenProductQuery(OpenQuery):
    status: str = Field("", pattern="^(|valid|expired|revoked)$")


class Licence(Schema):
    name: str
    title: str
    path: str


class OpenProduct(Schema):
    id: int
    name_vi: str
    name_en: str
    group: str
    product_set: str
    gtin: str
    ocop_code: str
    producer_id: int
    producer_name: str
    producer_kind: str
    province_code: str
    province_name: str
    commune_code: str
    commune_name: str
    status: str
    stars: int | None
    recognised_on: date | None
    valid_until: date | None
    revoked_on: date | None


class OpenProducer(Schema):
    id: int
    name: str
    kind: str
    province_code: str
    province_name: str
    commune_code: str
    commune_name: str
    website: str
    valid_products: int


class OpenPoint(Schema):
    id: int
    name: str
    kind: str
    operator: str
    address: str
    province_code: str
    province_name: str
    commune_code: str
    commune_name: str
    latitude: float | None
    longitude: float | None
    opening_hours: str
    phone: str
    website: str
    opened_on: date | None
    closed_on: date | None
    is_open: bool
    products: int


class OpenEnvelope(Schema):
    dataset: str
    licence: Licence
    attribution: str
    generated_at: datetime
    changes_since: datetime | None
    count: int
    page: int
    page_size: int


class OpenProducts(OpenEnvelope):
    items: list[OpenProduct]


class OpenProducers(OpenEnvelope):
    items: list[OpenProducer]


class OpenPoints(OpenEnvelope):
    items: list[OpenPoint]


class PointQuery(Schema):
    province: str = ""
    kind: PointKind | None = None
    q: str = ""
    page: int = Field(1, ge=1)
    page_size: int = Field(100, ge=1, le=500)


class PointPage(Schema):
    count: int
    items: list[PointBrief]


class StockedProduct(Schema):
    id: int
    name_vi: str
    status: str
    stars: int | None


class PointOut(PointBrief):
    operator: str
    phone: str
    website: str
    opened_on: date | None
    closed_on: date | None
    products: list[StockedProduct]


class PointIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: PointKind
    operator: str = ""
    address: str = Field(..., min_length=1, max_length=300)
    province_code: str | None = None
    commune_code: str | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    opening_hours: str = Field("", description="e.g. T2-T6 7:30-21:00; T7, CN 8:00-12:00")
    phone: str = ""
    website: str = ""
    opened_on: date | None = None


class StockIn(Schema):
    product_id: int
    since: date | None = None


class StockOut(Schema):
    id: int
    point_id: int
    product_id: int
    since: date | None


class CoverageOut(Schema):
    province: UnitRef
    ocop_points: int
    other_points: int
    products: int
    covered: bool


class ChannelShareOut(Schema):
    as_of: date
    province: UnitRef | None
    producers: int = Field(..., description="OCOP producers: with a product whose recognition is valid")
    modern: int = Field(
        ..., description="Of which selling through supermarkets, convenience stores or online"
    )
    share: float
    by_kind: dict[str, int]


class ChannelIn(Schema):
    kind: ChannelKind
    partner: str = Field(..., min_length=1, max_length=120)
    url: str = ""
    country: str = ""
    product_id: int | None = None
    started_on: date | None = None


class FairOut(Schema):
    id: int
    name: str
    kind: FairKind
    starts_on: date
    ends_on: date
    venue: str
    province: UnitRef
    organiser: str
    participants: int


class ParticipantOut(Schema):
    producer: ProducerRef
    booth: str
    product_ids: list[int]


class FairDetailOut(FairOut):
    description_vi: str
    description_en: str
    website: str
    sales_reported_vnd: Decimal | None
    contracts_reported: int | None
    participant_list: list[ParticipantOut]


class MessageOut(Schema):
    side: str
    body: str
    created_at: datetime


class EnquiryOut(Schema):
    id: int
    producer: ProducerRef
    product_id: int | None
    buyer_kind: str
    buyer_organisation: str
    buyer_name: str
    destination: str
    quantity: Decimal | None
    unit: str
    wanted_from: date | None
    wanted_until: date | None
    status: EnquiryStatus
    created_at: datetime
    messages: list[MessageOut]


class AnswerIn(Schema):
    message: str = Field(..., min_length=1, max_length=4000)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _unit(unit):
    return {"code": unit.code, "name": unit.name} if unit is not None else None


def _producer_ref(producer):
    return {"id": producer.pk, "name": producer.name, "kind": producer.kind}


def _point(point):
    from . import hours

    return {
        "id": point.pk,
        "name": point.name,
        "kind": point.kind,
        "address": point.address,
        "province": _unit(point.province),
        "commune": _unit(point.commune),
        "latitude": float(point.latitude) if point.latitude is not None else None,
        "longitude": float(point.longitude) if point.longitude is not None else None,
        "opening_hours": hours.to_schema(point.opening_rules),
    }


def _channel(channel):
    return {
        "id": channel.pk,
        "kind": channel.kind,
        "partner": channel.partner,
        "url": channel.url,
        "country": channel.country,
        "product_id": channel.product_id,
        "started_on": channel.started_on,
        "ended_on": channel.ended_on,
    }


def _since(text: str):
    try:
        return opendata.parse_since(text)
    except ValueError:
        raise ValidationError(
            {"changes_since": ["An ISO date or date-time, e.g. 2026-01-31 or 2026-01-31T08:00:00+07:00."]}
        ) from None


def _open(dataset, reader, query, **extra):
    since = _since(query.changes_since)
    ask = selectors.OpenSlice(
        since=since, province=query.province, offset=(query.page - 1) * query.page_size, limit=query.page_size
    )
    total, rows = reader(ask, **extra)
    definition = opendata.DATASETS[dataset]
    data = opendata.envelope(definition, rows, total=total, generated_at=timezone.now(), since=since)
    data.update(page=query.page, page_size=query.page_size)
    return data


def _visible_producer(request, pk: int) -> Producer:
    """A producer with products in the catalogue, or one the caller may see through the gate."""
    visible = gate.restrict(Producer.objects.filter(pk=pk), request.user, Action.VIEW).exists()
    if not visible:
        return selectors.public_producer(pk, user=request.user)
    return Producer.objects.get(pk=pk)


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------


@router.get(
    "/catalogue", response={200: CataloguePage, **READ_ERRORS}, auth=ANYONE, summary="Search the catalogue"
)
def catalogue(request, query: Query[CatalogueQuery]):
    """Recognised products, searched as shoppers type (without diacritics, with typos, by
    producer or place, in Vietnamese or English) and filtered; by default only those whose
    recognition is valid today. Stars are given only while a recognition is valid."""
    data = query.dict()
    page, size = data.pop("page"), data.pop("page_size")
    filters = selectors.CatalogueFilters(**{k: v for k, v in data.items() if v not in (None, "")})
    results = selectors.catalogue_search(filters, user=request.user)
    today = timezone.localdate()
    cards = selectors.catalogue_cards(results.page(page, size), day=today)
    items = []
    for card in cards:
        entry = card.entry
        items.append(
            {
                "id": entry.product_id,
                "name_vi": entry.name_vi,
                "name_en": entry.name_en,
                "group": entry.group,
                "producer": {
                    "id": entry.producer_id,
                    "name": entry.producer_name,
                    "kind": entry.producer_kind,
                },
                "province": _unit(entry.province),
                "commune": _unit(entry.commune),
                "status": card.status,
                "stars": card.stars or None,
                "valid_until": card.valid_until,
                "sold": sorted(card.sold),
                "url": request.build_absolute_uri(card.url),
            }
        )
    return {
        "count": results.total,
        "page": page,
        "page_size": size,
        "suggestion": results.suggestion,
        "items": items,
    }


@router.get(
    "/products/{product_id}",
    response={200: MarketProductOut, **READ_ERRORS},
    auth=ANYONE,
    summary="A product with its supply figures and where to buy it",
)
def product(request, product_id: Id):
    product = selectors.catalogue_product(product_id, user=request.user)
    today = timezone.localdate()
    current = product.current_recognition(today)
    status = current.status_on(today) if current else "never"
    supply = getattr(product, "supply", None)
    where = selectors.where_to_buy(product, day=today, user=request.user)
    return {
        "id": product.pk,
        "name_vi": product.name_vi,
        "name_en": product.name_en,
        "description_vi": product.description_vi,
        "description_en": product.description_en,
        "story_vi": product.story_vi,
        "story_en": product.story_en,
        "gtin": product.gtin,
        "producer": _producer_ref(product.producer),
        "province": _unit(product.producer.province),
        "status": status,
        "stars": current.stars if status == "valid" else None,
        "valid_until": indexing.last_valid_day(current) if current else None,
        "supply": supply,
        "where_to_buy": {
            "points_of_sale": [_point(stock.point) for stock in where.points],
            "channels": [_channel(c) for c in where.channels],
        },
        "url": request.build_absolute_uri(product_url(product)),
    }


# ---------------------------------------------------------------------------------------------
# Open data
# ---------------------------------------------------------------------------------------------


@router.get(
    "/open/products",
    response={200: OpenProducts, **READ_ERRORS},
    auth=ANYONE,
    summary="Open data: recognised products (CC BY 4.0)",
)
def open_products(request, query: Query[OpenProductQuery]):
    """The same rows as /open-data/products.csv, paginated by id."""
    return _open("products", selectors.open_products, query, status=query.status)


@router.get(
    "/open/producers",
    response={200: OpenProducers, **READ_ERRORS},
    auth=ANYONE,
    summary="Open data: producers of recognised products (CC BY 4.0)",
)
def open_producers(request, query: Query[OpenQuery]):
    return _open("producers", selectors.open_producers, query)


@router.get(
    "/open/points-of-sale",
    response={200: OpenPoints, **READ_ERRORS},
    auth=ANYONE,
    summary="Open data: points of sale (CC BY 4.0)",
)
def open_points(request, query: Query[OpenQuery]):
    return _open("points-of-sale", selectors.open_points, query)


# ---------------------------------------------------------------------------------------------
# Points of sale
# ---------------------------------------------------------------------------------------------


@router.get(
    "/points-of-sale", response={200: PointPage, **READ_ERRORS}, auth=ANYONE, summary="Points of sale"
)
def points_of_sale(request, query: Query[PointQuery]):
    filters = selectors.PointFilters(province=query.province, kind=query.kind or "", q=query.q)
    rows = selectors.points_of_sale(filters, user=request.user)
    count = rows.count()
    page = window(rows, offset=(query.page - 1) * query.page_size, limit=query.page_size, count=count)
    return {"count": count, "items": [_point(p) for p in page]}


@router.get("/points-of-sale/{point_id}", response={200: PointOut, **READ_ERRORS}, auth=ANYONE)
def point(request, point_id: Id):
    today = timezone.localdate()
    point, stock = selectors.point_detail(point_id, user=request.user, day=today)
    products = []
    for item in stock:
        current = item.product.current_recognition(today)
        status = current.status_on(today) if current else "never"
        products.append(
            {
                "id": item.product_id,
                "name_vi": item.product.name_vi,
                "status": status,
                "stars": current.stars if status == "valid" else None,
            }
        )
    return {
        **_point(point),
        "operator": point.operator,
        "phone": point.phone,
        "website": point.website,
        "opened_on": point.opened_on,
        "closed_on": point.closed_on,
        "products": products,
    }


@router.post("/points-of-sale", response={201: PointOut, **WRITE_ERRORS}, auth=SIGNED_IN)
def create_point(request, payload: PointIn):
    data = payload.dict()
    province_code, commune_code = data.pop("province_code"), data.pop("commune_code")
    hours_text = data.pop("opening_hours")
    province, commune = current_units(province_code, commune_code)
    if not gate.can(request.user, Action.ADD, PointOfSale):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    created = services.point_create(
        user=request.user, data=data, hours_text=hours_text, province=province, commune=commune
    )
    return Status(201, point(request, created.pk))


@router.post("/points-of-sale/{point_id}/stock", response={201: StockOut, **WRITE_ERRORS}, auth=SIGNED_IN)
def add_stock(request, point_id: Id, payload: StockIn):
    point = gate.get_or_404(PointOfSale.objects.all(), request.user, Action.CHANGE, pk=point_id)
    product = get_object_or_404(Product, pk=payload.product_id)
    stock = services.stock_add(user=request.user, point=point, product=product, since=payload.since)
    return Status(201, {"id": stock.pk, "point_id": point.pk, "product_id": product.pk, "since": stock.since})


@router.get("/coverage", response={200: list[CoverageOut], **READ_ERRORS}, auth=ANYONE)
def coverage(request):
    """Every current province with its open OCOP points and other points of sale."""
    return [
        {
            "province": _unit(row.province),
            "ocop_points": row.ocop_points,
            "other_points": row.other_points,
            "products": row.products,
            "covered": row.covered,
        }
        for row in selectors.coverage(user=request.user)
    ]


# ---------------------------------------------------------------------------------------------
# Sales channels
# ---------------------------------------------------------------------------------------------


@router.get("/channel-share", response={200: ChannelShareOut, **READ_ERRORS}, auth=ANYONE)
def channel_share(request, province: str = "", as_of: date | None = None):
    """The share of OCOP producers selling through modern channels (target: half)."""
    day = as_of or timezone.localdate()
    unit = None
    if province:
        unit = Province.objects.filter(era_id=CURRENT, code=province).first()
        if unit is None:
            raise ValidationError({"province": [f"Unknown province code {province!r}."]})
    share = selectors.modern_channel_share(day=day, province=unit)
    return {
        "as_of": day,
        "province": _unit(unit),
        "producers": share.producers,
        "modern": share.modern,
        "share": round(share.share, 4),
        "by_kind": share.by_kind,
    }


@router.get("/producers/{producer_id}/channels", response={200: list[ChannelOut], **READ_ERRORS}, auth=ANYONE)
def channels(request, producer_id: Id):
    producer = _visible_producer(request, producer_id)
    return [_channel(c) for c in selectors.producer_channels(producer, user=request.user)]


@router.post("/producers/{producer_id}/channels", response={201: ChannelOut, **WRITE_ERRORS}, auth=SIGNED_IN)
def add_channel(request, producer_id: Id, payload: ChannelIn):
    producer = gate.get_or_404(Producer.objects.all(), request.user, Action.VIEW, pk=producer_id)
    data = payload.dict()
    product_id = data.pop("product_id")
    product = get_object_or_404(Product, pk=product_id) if product_id else None
    channel = services.channel_add(user=request.user, producer=producer, product=product, data=data)
    return Status(201, _channel(channel))


# ---------------------------------------------------------------------------------------------
# Fairs
# ---------------------------------------------------------------------------------------------


def _fair(fair):
    return {
        "id": fair.pk,
        "name": fair.name,
        "kind": fair.kind,
        "starts_on": fair.starts_on,
        "ends_on": fair.ends_on,
        "venue": fair.venue,
        "province": _unit(fair.province),
        "organiser": fair.organiser,
        "participants": getattr(fair, "participant_count", 0),
    }


@router.get("/fairs", response={200: list[FairOut], **READ_ERRORS}, auth=ANYONE)
def fairs(request, upcoming: bool | None = None, province: str = ""):
    return [_fair(f) for f in selectors.fairs(user=request.user, upcoming=upcoming, province=province)[:200]]


@router.get("/fairs/{fair_id}", response={200: FairDetailOut, **READ_ERRORS}, auth=ANYONE)
def fair(request, fair_id: Id):
    fair, participants, totals = selectors.fair_detail(fair_id, user=request.user)
    started = fair.starts_on <= timezone.localdate()
    return {
        **_fair(fair),
        "participants": totals.participants,
        "description_vi": fair.description_vi,
        "description_en": fair.description_en,
        "website": fair.website,
        "sales_reported_vnd": totals.sales_vnd if started and totals.reporting else None,
        "contracts_reported": totals.contracts if started and totals.reporting else None,
        "participant_list": [
            {
                "producer": _producer_ref(p.producer),
                "booth": p.booth,
                "product_ids": [product.pk for product in p.products.all()],
            }
            for p in participants
        ],
    }


# ---------------------------------------------------------------------------------------------
# Enquiries (the producer's side)
# ---------------------------------------------------------------------------------------------


def _enquiry(enquiry):
    return {
        "id": enquiry.pk,
        "producer": _producer_ref(enquiry.producer),
        "product_id": enquiry.product_id,
        "buyer_kind": enquiry.buyer_kind,
        "buyer_organisation": enquiry.buyer_organisation,
        "buyer_name": enquiry.buyer_name,
        "destination": enquiry.destination,
        "quantity": enquiry.quantity,
        "unit": enquiry.unit,
        "wanted_from": enquiry.wanted_from,
        "wanted_until": enquiry.wanted_until,
        "status": enquiry.status,
        "created_at": enquiry.created_at,
        "messages": [
            {"side": m.side, "body": m.body, "created_at": m.created_at} for m in enquiry.messages.all()
        ],
    }


@router.get("/enquiries", response={200: list[EnquiryOut], **SIGNED_IN_READ_ERRORS}, auth=SIGNED_IN)
def enquiries(request, status: EnquiryStatus | None = None):
    """Buyers' enquiries to the producers you act for (never the buyer's e-mail)."""
    rows = selectors.enquiries_for(request.user, status=status or "").prefetch_related("messages")[:200]
    return [_enquiry(e) for e in rows]


@router.post("/enquiries/{enquiry_id}/answers", response={201: EnquiryOut, **WRITE_ERRORS}, auth=SIGNED_IN)
def answer(request, enquiry_id: Id, payload: AnswerIn):
    enquiry = gate.get_or_404(Enquiry.objects.all(), request.user, Action.VIEW, pk=enquiry_id)
    services.enquiry_answer(user=request.user, enquiry=enquiry, message=payload.message)
    fresh = Enquiry.objects.select_related("producer").prefetch_related("messages").get(pk=enquiry.pk)
    return Status(201, _enquiry(fresh))
