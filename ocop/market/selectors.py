"""Reads for the catalogue, points of sale, channels, enquiries, fairs and open data.

Every list goes through the permission gate. A product's stars and status on any page come
from its recognitions themselves (``Product.current_recognition``), never from the index, so
an expired or revoked product can never look certified; the index only finds and orders.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.models import AuditEvent
from ocop.geo.gazetteer import CURRENT as CURRENT_ERA
from ocop.geo.models import Province
from ocop.registry.models import Certification, Producer, Product, ProductPhoto, Recognition
from ocop.web.paging import window

from . import hours, indexing, matching, search
from .choices import (
    MODERN_CHANNELS,
    ONLINE_CHANNELS,
    CatalogueSort,
    CatalogueStatus,
    ChannelKind,
    PointKind,
    WhereSold,
)
from .models import (
    CatalogueEntry,
    Enquiry,
    Fair,
    FairParticipant,
    PointOfSale,
    SalesChannel,
    Stock,
)

PAGE_SIZE = 24

# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------


@dataclass
class CatalogueFilters:
    q: str = ""
    province: str = ""  # current province code
    commune: str = ""  # current commune code
    group: str = ""
    product_set: int | None = None
    stars: int | None = None
    producer_kind: str = ""
    certification: str = ""
    sold: str = ""
    status: str = CatalogueStatus.VALID
    sort: str = ""
    producer: int | None = None


@dataclass
class CatalogueResults:
    entries: QuerySet
    total: int
    plan: matching.Plan | None = None
    # What the results are of (the filters, query included) and on which day: with the index's
    # version, this keys the pages' product ids in the cache.
    key: str = ""
    day: date | None = None

    @property
    def corrected(self) -> bool:
        """Whether the products listed were found by correcting the query (never said of an
        empty list: "showing results for" over no results helps nobody)."""
        return bool(self.plan and self.plan.corrected and self.total)

    @property
    def suggestion(self) -> str:
        return self.plan.phrase if self.corrected else ""

    def page(self, number: int, size: int = PAGE_SIZE) -> list[CatalogueEntry]:
        """One page of entries with their places, in one query.

        The page is chosen in a subquery over the index alone, so that the database orders
        narrow rows and keeps only the best (a word found in every product, "tinh", otherwise
        sorted 15,000 rows joined with their places: 65 ms); the places are joined to the
        page's rows only. The ids chosen are then kept like counts, per version of the index:
        the same page asked again is read by id. Only the order is kept; names, places and
        (in the cards) stars are read afresh."""
        start = (max(number, 1) - 1) * size
        if start >= self.total:
            return []  # past the last page, however far (an offset SQLite could not bind)
        related = ("province", "commune")
        if not self.key:
            chosen = self.entries.values("product_id")[start : start + size]
            return list(self.entries.filter(product_id__in=chosen).select_related(*related))
        fresh: list[CatalogueEntry] = []

        def choose() -> list[int]:
            chosen = self.entries.values("product_id")[start : start + size]
            fresh.extend(self.entries.filter(product_id__in=chosen).select_related(*related))
            return [entry.product_id for entry in fresh]

        ids = _kept("page", f"{self.key}|{start}|{size}", self.day, choose)
        if fresh:
            return fresh
        rows = CatalogueEntry.objects.filter(product_id__in=ids).select_related(*related).in_bulk()
        return [rows[pk] for pk in ids if pk in rows]


def _valid_on(day: date) -> Q:
    return Q(valid_from__lte=day, valid_to__gte=day)


def _open_on(day: date, prefix: str = "") -> Q:
    """Points of sale open on ``day`` (``prefix``: the path to the point, e.g. ``point__``)."""
    return (Q(**{f"{prefix}opened_on__isnull": True}) | Q(**{f"{prefix}opened_on__lte": day})) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": day})
    )


def _open_points(day: date) -> QuerySet:
    return PointOfSale.objects.filter(_open_on(day))


def _channel_products(kinds, day: date) -> Q:
    """Entries sold through channels of ``kinds`` on ``day``: the product's own channels and
    those its producer declared for all its products."""
    active = SalesChannel.objects.active_on(day).filter(kind__in=kinds)
    return Q(product_id__in=active.filter(product__isnull=False).values("product_id")) | Q(
        producer_id__in=active.filter(product__isnull=True).values("producer_id")
    )


def _sold(kind: str, day: date) -> Q:
    stocked = Stock.objects.filter(point__in=_open_points(day))
    if kind == WhereSold.POINT_OF_SALE:
        return Q(product_id__in=stocked.values("product_id"))
    if kind == WhereSold.SUPERMARKET:
        in_supermarkets = stocked.filter(point__kind__in=[PointKind.SUPERMARKET, PointKind.CONVENIENCE])
        return Q(product_id__in=in_supermarkets.values("product_id")) | _channel_products(
            [ChannelKind.SUPERMARKET_CHAIN, ChannelKind.CONVENIENCE_CHAIN], day
        )
    if kind == WhereSold.ONLINE:
        return _channel_products(ONLINE_CHANNELS, day)
    if kind == WhereSold.EXPORT:
        return _channel_products([ChannelKind.EXPORT], day)
    return Q()


def _filtered(queryset: QuerySet, filters: CatalogueFilters, day: date) -> QuerySet:
    if filters.status == CatalogueStatus.VALID:
        queryset = queryset.filter(_valid_on(day))
    elif filters.status == CatalogueStatus.LAPSED:
        queryset = queryset.exclude(_valid_on(day)).filter(status__in=["expired", "revoked", "superseded"])
    if filters.stars:
        queryset = queryset.filter(_valid_on(day), valid_stars=filters.stars)
    if filters.province:
        queryset = queryset.filter(province__code=filters.province, province__era_id=CURRENT_ERA)
    if filters.commune:
        queryset = queryset.filter(commune__code=filters.commune, commune__era_id=CURRENT_ERA)
    if filters.group:
        queryset = queryset.filter(group=filters.group)
    if filters.product_set:
        queryset = queryset.filter(product_set_id=filters.product_set)
    if filters.producer_kind:
        queryset = queryset.filter(producer_kind=filters.producer_kind)
    if filters.producer:
        queryset = queryset.filter(producer_id=filters.producer)
    if filters.certification:
        held = Certification.objects.filter(kind=filters.certification).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=day)
        )
        queryset = queryset.filter(product_id__in=held.values("product_id"))
    if filters.sold:
        queryset = queryset.filter(_sold(filters.sold, day))
    return queryset


def _ordered(queryset: QuerySet, filters: CatalogueFilters, plan, day: date) -> QuerySet:
    sort = filters.sort or (CatalogueSort.RELEVANCE if plan else CatalogueSort.STARS)
    if sort == CatalogueSort.NAME:
        return queryset.order_by("sort_name", "product_id")
    if sort == CatalogueSort.NEWEST:
        return queryset.order_by(F("last_recognised_on").desc(nulls_last=True), "product_id")
    # Stars count only while valid; with the default filter every row is valid, and the
    # stored column orders by itself (an index serves the first page).
    if filters.status == CatalogueStatus.VALID or filters.stars:
        stars = "valid_stars"
    else:
        queryset = queryset.annotate(
            stars_now=Case(When(_valid_on(day), then=F("valid_stars")), default=Value(0))
        )
        stars = "stars_now"
    if sort == CatalogueSort.RELEVANCE and plan:
        # The name begins with the query; holds it as a phrase; holds its words; the product
        # was found by its producer, place or category.
        tiers = [
            When(search.prefix_condition("sort_name", plan.phrase), then=Value(0)),
            When(search.phrase_condition("names", plan.phrase), then=Value(1)),
            When(search.plan_condition("names", plan, indexed=False), then=Value(2)),
        ]
        queryset = queryset.annotate(tier=Case(*tiers, default=Value(3), output_field=IntegerField()))
        return queryset.order_by("tier", f"-{stars}", "sort_name", "product_id")
    return queryset.order_by(f"-{stars}", "sort_name", "product_id")


def catalogue_search(filters: CatalogueFilters, *, user, day: date | None = None) -> CatalogueResults:
    """The catalogue's rows for ``filters``, ordered, with their number.

    With a query, the exact plan is tried first (every word begins a word of the product's
    names, producer, places or classification; the kinds of units typed before a place,
    "tỉnh", "xã", are left out, as the index holds places by their short names). When nothing
    matches, the query is read with
    corrections (:func:`ocop.market.matching.readings`): the cheapest reading that finds
    products, the one whose words go together most often, is searched and shown as "showing
    results for"; when no reading finds any, the broad corrected plan, every correction of
    every word at once (:func:`ocop.market.matching.corrected_plan`). Ranking: the products whose name begins
    with the query, then those whose name holds every word, then the others; within each,
    more valid stars first, then by name.
    """
    day = day or timezone.localdate()
    base = _filtered(gate.restrict(CatalogueEntry.objects.all(), user, Action.VIEW), filters, day)
    text = search.limit_words(filters.q)
    key = repr(filters)
    if not text:
        queryset = _ordered(base, filters, None, day)
        return CatalogueResults(queryset, _count(queryset, filters, "", day), key=key, day=day)
    # Places are indexed by their short names ("Tây Ninh"): the kinds of units typed before
    # them ("tỉnh", "xã") are left out of the match, silently, but still rank the products
    # whose names hold them first ("xà phòng" for "xa phong").
    ranked_by = matching.exact_plan(text)
    text = matching.without_unit_words(text)
    plan = matching.exact_plan(text)
    matched = base.filter(search.plan_condition("document", plan))
    total = _count(matched, filters, plan.tsquery(), day)
    if total == 0:
        reading, total, vocabulary = _best_reading(base, text, filters, day)
        if reading is not None:
            plan = ranked_by = reading.plan
            matched = base.filter(search.plan_condition("document", plan))
        else:
            corrected = matching.corrected_plan(text, vocabulary)
            if corrected.corrected:
                plan = ranked_by = corrected
                matched = base.filter(search.plan_condition("document", plan))
                total = _count(matched, filters, plan.tsquery(), day)
    return CatalogueResults(_ordered(matched, filters, ranked_by, day), total, plan, key=key, day=day)


COUNT_SECONDS = 60


def _count(queryset: QuerySet, filters: CatalogueFilters, plan: str, day: date) -> int:
    """The number of rows, kept a minute per version of the index: the first page of the
    catalogue is asked for by everyone, and counting 15,000 valid products is its dearest
    query. The version (bumped by every change the index takes in) keys it, so a refreshed
    index is counted afresh; counts of the "where sold" filter may lag a minute behind."""
    return _kept("count", f"{filters!r}|{plan}", day, queryset.count)


def _kept(kind: str, what: str, day: date, compute):
    """``compute()``, kept :data:`COUNT_SECONDS` per version of the index (and day), when the
    version is known to the cache (it is once an index refresh has committed)."""
    from .services import VERSION_KEY

    version = cache.get(VERSION_KEY)
    if version is None:
        return compute()
    key = f"ocop:market:{kind}:" + hashlib.sha1(f"{version}|{day}|{what}".encode()).hexdigest()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, COUNT_SECONDS)
    return value


def _best_reading(base: QuerySet, text: str, filters: CatalogueFilters, day: date):
    """How a misspelt query is read (:func:`ocop.market.search.best_reading`) and the vocabulary
    it was read with, kept like counts: the reading of the same words under the same filters
    is the same until the index changes, and finding it costs two queries."""

    def compute():
        vocabulary = search.vocabulary_candidates(text)
        reading, total = search.best_reading(base, matching.readings(text, vocabulary))
        return (reading, total, vocabulary)

    return _kept("reading", f"{filters!r}|{text}", day, compute)


@dataclass
class Card:
    """A product as a catalogue card shows it. Its status and stars come from the product's
    recognitions read for this page (never from the index): stars only while valid."""

    entry: CatalogueEntry
    name: str  # in the page's language (English only where the producer gave it)
    status: str
    stars: int  # 0 unless valid
    recognition: indexing.RecognitionRow | None
    photo_url: str = ""
    sold: set[str] = field(default_factory=set)
    url: str = ""

    @property
    def product_id(self) -> int:
        return self.entry.product_id

    @property
    def valid_until(self):
        """The last day the deciding recognition is (or was) in force: earlier than its
        ``valid_until`` when it is revoked or superseded, even on a date still to come."""
        return indexing.last_valid_day(self.recognition) if self.recognition else None


def catalogue_cards(
    entries: list[CatalogueEntry], *, day: date | None = None, language: str = "vi"
) -> list[Card]:
    """Cards for a page of entries, in one query whatever their number: the products'
    recognitions, their first photos and where they are sold (:func:`card_facts`). The entries
    carry the names and places; their province and commune are expected to be selected with
    them."""
    day = day or timezone.localdate()
    if not entries:
        return []
    recognitions, photos, sold = card_facts({e.product_id: e.producer_id for e in entries}, day=day)
    storage = ProductPhoto._meta.get_field("image").storage
    # One reverse() for the page: a card's address differs only by its id and slug.
    pattern = reverse("market:product", args=[999999999, "slug"]).replace("999999999/slug", "{}/{}")
    cards = []
    for entry in entries:
        deciding = indexing.deciding(recognitions.get(entry.product_id, []), day)
        status = indexing.status_on(deciding, day) if deciding else "never"
        photo = photos.get(entry.product_id)
        cards.append(
            Card(
                entry=entry,
                name=entry.name_en if language == "en" and entry.name_en else entry.name_vi,
                status=status,
                stars=deciding.stars if status == "valid" else 0,
                recognition=deciding,
                photo_url=storage.url(photo) if photo else "",
                sold=sold.get(entry.product_id, set()),
                url=pattern.format(entry.product_id, slugify(entry.sort_name)[:80] or "product"),
            )
        )
    return cards


RECOGNITION_ROW = ("product_id", "pk", "stars", "recognised_on", "valid_until", "revoked_on", "superseded_on")

SOLD_BY_CHANNEL = {
    ChannelKind.SUPERMARKET_CHAIN: WhereSold.SUPERMARKET,
    ChannelKind.CONVENIENCE_CHAIN: WhereSold.SUPERMARKET,
    ChannelKind.EXPORT: WhereSold.EXPORT,
    **{kind: WhereSold.ONLINE for kind in ONLINE_CHANNELS},
}


def _as_date(value) -> date | None:
    """A date column read by raw SQL: a date from PostgreSQL, ISO text from SQLite."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def card_facts(
    producer_of: dict[int, int], *, day: date
) -> tuple[dict[int, list[indexing.RecognitionRow]], dict[int, str], dict[int, set[str]]]:
    """For products given as {product id: producer id}: their recognitions, the file of their
    first photo, and where they are sold on ``day`` ({"point_of_sale", "supermarket",
    "online", "export"}: stocked by an open point of sale, or sold through a channel of the
    product or of all its producer's products). One query, four SELECTs joined by UNION ALL:
    a catalogue page is read in few round trips, which is what costs most when the database
    and the application share a busy machine."""
    ids = list(producer_of)
    producers = sorted(set(producer_of.values()))
    recognition = Recognition._meta.db_table
    photo = ProductPhoto._meta.db_table
    stock, point, channel = Stock._meta.db_table, PointOfSale._meta.db_table, SalesChannel._meta.db_table
    in_ids = ", ".join(["%s"] * len(ids))
    in_producers = ", ".join(["%s"] * len(producers))
    # Typed NULLs: PostgreSQL resolves an untyped NULL under DISTINCT as text.
    number, day_, text = "CAST(NULL AS BIGINT)", "CAST(NULL AS DATE)", "CAST(NULL AS VARCHAR(100))"
    sql = f"""
        SELECT 'r', product_id, id, stars, recognised_on, valid_until, revoked_on, superseded_on, {text}
          FROM {recognition} WHERE product_id IN ({in_ids})
        UNION ALL
        SELECT 'p', product_id, position, id, {day_}, {day_}, {day_}, {day_}, image
          FROM {photo} WHERE product_id IN ({in_ids})
        UNION ALL
        SELECT DISTINCT 's', s.product_id, {number}, {number}, {day_}, {day_}, {day_}, {day_}, p.kind
          FROM {stock} s JOIN {point} p ON p.id = s.point_id
         WHERE s.product_id IN ({in_ids})
           AND (p.opened_on IS NULL OR p.opened_on <= %s) AND (p.closed_on IS NULL OR p.closed_on > %s)
        UNION ALL
        SELECT 'c', product_id, producer_id, {number}, {day_}, {day_}, {day_}, {day_}, kind
          FROM {channel}
         WHERE started_on <= %s AND (ended_on IS NULL OR ended_on >= %s)
           AND (product_id IN ({in_ids}) OR (product_id IS NULL AND producer_id IN ({in_producers})))
    """
    params = [*ids, *ids, *ids, day, day, day, day, *ids, *producers]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    recognitions: dict[int, list[indexing.RecognitionRow]] = defaultdict(list)
    first_photo: dict[int, tuple[int, int, str]] = {}
    sold: dict[int, set[str]] = defaultdict(set)
    for source, product_id, a, b, recognised_on, valid_until, revoked_on, superseded_on, text in rows:
        if source == "r":
            recognitions[product_id].append(
                indexing.RecognitionRow(
                    product_id,
                    a,
                    b,
                    _as_date(recognised_on),
                    _as_date(valid_until),
                    _as_date(revoked_on),
                    _as_date(superseded_on),
                )
            )
        elif source == "p":
            # The first photo by position, then the first added.
            if product_id not in first_photo or (a, b) < first_photo[product_id][:2]:
                first_photo[product_id] = (a, b, text)
        elif source == "s":
            sold[product_id].add(WhereSold.POINT_OF_SALE)
            if text in (PointKind.SUPERMARKET, PointKind.CONVENIENCE):
                sold[product_id].add(WhereSold.SUPERMARKET)
        else:
            flag = SOLD_BY_CHANNEL.get(text)
            if flag is None:
                continue
            targets = [product_id] if product_id else [p for p, owner in producer_of.items() if owner == a]
            for target in targets:
                sold[target].add(flag)
    return recognitions, {pid: image for pid, (_p, _id, image) in first_photo.items()}, sold


def where_sold_flags(producer_of: dict[int, int], *, day: date) -> dict[int, set[str]]:
    """{product id: {"point_of_sale", "supermarket", "online", "export"}} for products given as
    {product id: producer id}."""
    return card_facts(producer_of, day=day)[2]


# ---------------------------------------------------------------------------------------------
# A product, its producer, where to buy it
# ---------------------------------------------------------------------------------------------


def catalogue_product(pk: int, *, user) -> Product:
    """A public product with everything its catalogue page shows, in a fixed number of queries."""
    return gate.get_or_404(
        Product.objects.select_related(
            "producer",
            "producer__province",
            "producer__commune",
            "producer__historical_commune",
            "producer__historical_district",
            "product_set",
            "supply",
        ).prefetch_related(
            Prefetch("recognitions", queryset=Recognition.objects.order_by("-recognised_on", "-pk")),
            "certifications",
            "ip_rights",
            "photos",
        ),
        user,
        Action.VIEW,
        pk=pk,
    )


@dataclass
class WhereToBuy:
    points: list[Stock]
    channels: list[SalesChannel]

    @property
    def online(self) -> list[SalesChannel]:
        return [c for c in self.channels if c.kind in ONLINE_CHANNELS]

    @property
    def chains(self) -> list[SalesChannel]:
        return [
            c
            for c in self.channels
            if c.kind in (ChannelKind.SUPERMARKET_CHAIN, ChannelKind.CONVENIENCE_CHAIN)
        ]

    @property
    def export(self) -> list[SalesChannel]:
        return [c for c in self.channels if c.kind == ChannelKind.EXPORT]

    @property
    def other(self) -> list[SalesChannel]:
        return [c for c in self.channels if c.kind == ChannelKind.DISTRIBUTOR]

    @property
    def empty(self) -> bool:
        return not self.points and not self.channels


def where_to_buy(product: Product, *, day: date | None = None, user=None) -> WhereToBuy:
    """The open points of sale stocking ``product`` and the channels selling it today, in two
    queries (the scan page of the traceability app shows this too)."""
    day = day or timezone.localdate()
    stock = (
        gate.restrict(Stock.objects.all(), user, Action.VIEW)
        .filter(_open_on(day, "point__"), product_id=product.pk)
        .select_related("point", "point__province", "point__commune")
        .order_by("point__province__name", "point__kind", "point__name")
    )
    channels = (
        gate.restrict(SalesChannel.objects.all(), user, Action.VIEW)
        .active_on(day)
        .filter(Q(product_id=product.pk) | Q(product__isnull=True, producer_id=product.producer_id))
        .order_by("kind", "partner", "pk")
    )
    return WhereToBuy(points=list(stock), channels=list(channels))


def upcoming_fairs_of(producer_id: int, *, day: date, user=None) -> list[FairParticipant]:
    return list(
        gate.restrict(FairParticipant.objects.all(), user, Action.VIEW)
        .filter(producer_id=producer_id, fair__ends_on__gte=day)
        .select_related("fair", "fair__province")
        .order_by("fair__starts_on")[:5]
    )


def public_producer(pk: int, *, user=None) -> Producer:
    """A producer as the public sees it: one with a public (recognised) product, else 404.
    The page is the public's whoever reads it, so the gate is asked as for anyone."""
    if not gate.restrict(Product.objects.filter(producer_id=pk), None, Action.VIEW).exists():
        raise Http404("No producer matches the given query.")
    return Producer.objects.select_related(
        "province", "commune", "historical_commune", "historical_district"
    ).get(pk=pk)


def other_products(product: Product, *, user, limit: int = 12) -> list[CatalogueEntry]:
    return list(
        gate.restrict(CatalogueEntry.objects.all(), user, Action.VIEW)
        .filter(producer_id=product.producer_id)
        .exclude(product_id=product.pk)
        .order_by("sort_name")[:limit]
    )


# ---------------------------------------------------------------------------------------------
# Points of sale
# ---------------------------------------------------------------------------------------------


@dataclass
class PointFilters:
    province: str = ""
    kind: str = ""
    q: str = ""


def points_of_sale(filters: PointFilters, *, user, day: date | None = None) -> QuerySet:
    """Open points of sale (with the number of products each lists), through the gate."""
    day = day or timezone.localdate()
    queryset = gate.restrict(_open_points(day), user, Action.VIEW)
    if filters.province:
        queryset = queryset.filter(province__code=filters.province, province__era_id=CURRENT_ERA)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    for word in matching.words(filters.q)[: search.MAX_QUERY_WORDS]:
        # Names and addresses are short; folding them in the database is not needed for the
        # few hundred points of a province, so match the raw text case-insensitively.
        queryset = queryset.filter(Q(name__icontains=word) | Q(address__icontains=word))
    return (
        queryset.select_related("province", "commune")
        .annotate(products=Count("stock", distinct=True))
        .order_by("province__name", "kind", "name", "pk")
    )


def managed_points(user) -> QuerySet:
    return (
        gate.restrict(PointOfSale.objects.all(), user, Action.CHANGE)
        .select_related("province", "commune")
        .annotate(products=Count("stock", distinct=True))
        .order_by("province__name", "name", "pk")
    )


def point_detail(pk: int, *, user, day: date | None = None):
    day = day or timezone.localdate()
    point = gate.get_or_404(
        PointOfSale.objects.select_related("province", "commune"), user, Action.VIEW, pk=pk
    )
    stock = list(
        gate.restrict(Stock.objects.filter(point=point), user, Action.VIEW)
        .select_related("product", "product__producer", "product__producer__province")
        .prefetch_related(
            Prefetch("product__recognitions", queryset=Recognition.objects.order_by("-recognised_on", "-pk"))
        )
        .order_by("product__name_vi", "pk")
    )
    return point, stock


@dataclass
class CoverageRow:
    province: Province
    ocop_points: int
    other_points: int
    products: int

    @property
    def covered(self) -> bool:
        return self.ocop_points > 0


def coverage(*, day: date | None = None, user=None) -> list[CoverageRow]:
    """Every current province with its open OCOP introduction and sales points, its other
    points of sale and the products they list (the target: at least one OCOP point each)."""
    day = day or timezone.localdate()
    points = gate.restrict(_open_points(day), user, Action.VIEW)
    counts: dict[int, dict] = defaultdict(lambda: {"ocop": 0, "other": 0, "products": 0})
    for province_id, kind, number in (
        points.values_list("province_id", "kind").annotate(n=Count("pk")).order_by()
    ):
        counts[province_id]["ocop" if kind == PointKind.OCOP_POINT else "other"] += number
    stocked = (
        Stock.objects.filter(point__in=points)
        .values_list("point__province_id")
        .annotate(n=Count("product_id", distinct=True))
        .order_by()
    )
    for province_id, number in stocked:
        counts[province_id]["products"] = number
    return [
        CoverageRow(p, counts[p.pk]["ocop"], counts[p.pk]["other"], counts[p.pk]["products"])
        for p in Province.objects.current().order_by("name")
    ]


# ---------------------------------------------------------------------------------------------
# Sales channels
# ---------------------------------------------------------------------------------------------


def producer_channels(producer: Producer, *, user) -> QuerySet:
    return (
        gate.restrict(SalesChannel.objects.filter(producer=producer), user, Action.VIEW)
        .select_related("product")
        .order_by(Coalesce("ended_on", Value(date.max)).desc(), "kind", "partner", "pk")
    )


@dataclass
class ChannelShare:
    producers: int  # OCOP producers: with a product whose recognition is valid that day
    modern: int  # of which selling through a modern channel that day
    by_kind: dict[str, int]

    @property
    def share(self) -> float:
        return self.modern / self.producers if self.producers else 0.0


def modern_channel_share(*, day: date | None = None, province: Province | None = None) -> ChannelShare:
    """The share of OCOP producers selling through modern channels (supermarkets, convenience
    stores, e-commerce; Decision 919's target is half), on ``day``, nationally or for one
    current province. Three queries; for the monitoring pages."""
    day = day or timezone.localdate()
    valid_products = Recognition.objects.valid_on(day).values("product_id")
    producers = Producer.objects.filter(products__in=valid_products)
    if province is not None:
        producers = producers.filter(province=province)
    producers = producers.distinct()
    active = SalesChannel.objects.active_on(day).filter(producer__in=producers.values("pk"))
    by_kind = dict(active.values_list("kind").annotate(n=Count("producer", distinct=True)).order_by())
    return ChannelShare(
        producers=producers.count(),
        modern=active.filter(kind__in=MODERN_CHANNELS).values("producer").distinct().count(),
        by_kind=by_kind,
    )


# ---------------------------------------------------------------------------------------------
# Enquiries
# ---------------------------------------------------------------------------------------------


def enquiries_for(user, *, status: str = "") -> QuerySet:
    queryset = gate.restrict(Enquiry.objects.all(), user, Action.VIEW)
    if status:
        queryset = queryset.filter(status=status)
    return (
        queryset.select_related("producer", "product")
        .annotate(message_count=Count("messages"))
        .order_by("-updated_at", "-pk")
    )


def enquiry_thread(enquiry: Enquiry) -> list:
    return list(enquiry.messages.order_by("created_at", "pk"))


# ---------------------------------------------------------------------------------------------
# Fairs
# ---------------------------------------------------------------------------------------------


def fairs(*, user, upcoming: bool | None = None, day: date | None = None, province: str = "") -> QuerySet:
    day = day or timezone.localdate()
    queryset = gate.restrict(Fair.objects.all(), user, Action.VIEW)
    if upcoming is True:
        queryset = queryset.filter(ends_on__gte=day).order_by("starts_on", "pk")
    elif upcoming is False:
        queryset = queryset.filter(ends_on__lt=day).order_by("-starts_on", "pk")
    if province:
        queryset = queryset.filter(province__code=province, province__era_id=CURRENT_ERA)
    return queryset.select_related("province").annotate(
        participant_count=Count("participants", distinct=True)
    )


@dataclass
class FairTotals:
    participants: int
    reporting: int
    sales_vnd: Decimal
    contracts: int


def fair_detail(pk: int, *, user):
    fair = gate.get_or_404(
        Fair.objects.select_related("province", "organiser_province"), user, Action.VIEW, pk=pk
    )
    participants = list(
        gate.restrict(FairParticipant.objects.filter(fair=fair), user, Action.VIEW)
        .select_related("producer", "producer__province")
        .prefetch_related("products")
        .order_by("booth", "producer__name", "pk")
    )
    figures = FairParticipant.objects.filter(fair=fair).aggregate(
        reporting=Count("pk", filter=Q(sales_reported_at__isnull=False)),
        sales=Sum("sales_vnd"),
        contracts=Sum("contracts"),
    )
    totals = FairTotals(
        participants=len(participants),
        reporting=figures["reporting"],
        sales_vnd=figures["sales"] or Decimal(0),
        contracts=figures["contracts"] or 0,
    )
    return fair, participants, totals


# ---------------------------------------------------------------------------------------------
# Open data
# ---------------------------------------------------------------------------------------------


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


def open_products(
    *,
    day: date | None = None,
    since: datetime | None = None,
    status: str = "",
    province: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> tuple[int, list[dict]]:
    """Recognised products as open data, ordered by id: their number and one dict per product
    of the slice, with the live status of its recognition (stars only when valid). Status and
    province filter in the database (the registry's own status filter), so pages are cheap."""
    from ocop.registry.selectors import ProductFilters, filter_products

    day = day or timezone.localdate()
    queryset = gate.restrict(Product.objects.all(), None, Action.VIEW)
    if since is not None:
        queryset = queryset.filter(pk__in=changed_product_ids(since, day=day))
    if status or province:
        queryset = filter_products(queryset, ProductFilters(status=status, province=province), day=day)
    queryset = queryset.order_by("pk")
    total = queryset.count()
    sliced = window(queryset, offset=offset, limit=limit, count=total)
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


def open_producers(
    *,
    day: date | None = None,
    since: datetime | None = None,
    province: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> tuple[int, list[dict]]:
    """Producers of recognised products as open data: what they are and where, and how many
    products of theirs are valid. No personal data: no representative, phone, e-mail or tax
    code (a household's is a person's number). Three queries."""
    day = day or timezone.localdate()
    public = gate.restrict(Product.objects.all(), None, Action.VIEW)
    queryset = Producer.objects.filter(pk__in=public.values("producer_id"))
    if since is not None:
        changed = changed_product_ids(since, day=day)
        queryset = queryset.filter(
            Q(updated_at__gte=since) | Q(pk__in=Product.objects.filter(pk__in=changed).values("producer_id"))
        )
    if province:
        queryset = queryset.filter(province__code=province, province__era_id=CURRENT_ERA)
    queryset = queryset.order_by("pk")
    total = queryset.count()
    sliced = window(queryset, offset=offset, limit=limit, count=total)
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


def open_points(
    *,
    day: date | None = None,
    since: datetime | None = None,
    province: str = "",
    offset: int = 0,
    limit: int | None = None,
) -> tuple[int, list[dict]]:
    """Points of sale as open data, open or closed (a mirror needs to learn of closures)."""
    day = day or timezone.localdate()
    queryset = gate.restrict(PointOfSale.objects.all(), None, Action.VIEW)
    if since is not None:
        restocked = Stock.objects.filter(created_at__gte=since).values("point_id")
        unstocked = [
            int(object_id)
            for object_id in AuditEvent.objects.filter(object_type="market.pointofsale", at__gte=since)
            .values_list("object_id", flat=True)
            .distinct()
            if object_id.isdigit()
        ]
        queryset = queryset.filter(Q(updated_at__gte=since) | Q(pk__in=restocked) | Q(pk__in=unstocked))
    if province:
        queryset = queryset.filter(province__code=province, province__era_id=CURRENT_ERA)
    total = queryset.count()
    queryset = queryset.annotate(products=Count("stock", distinct=True)).order_by("pk")
    sliced = window(queryset, offset=offset, limit=limit, count=total)
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
