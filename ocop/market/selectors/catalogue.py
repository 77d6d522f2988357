"""Searching the catalogue (through its index) and the cards of its results; the stars and
status on a card come from the recognitions themselves, never from the index."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.collation import by_name
from ocop.geo.gazetteer import CURRENT as CURRENT_ERA
from ocop.registry.models import Certification, ProductPhoto, Recognition

from .. import indexing, matching, search
from ..choices import (
    ONLINE_CHANNELS,
    CatalogueSort,
    CatalogueStatus,
    ChannelKind,
    PointKind,
    WhereSold,
)
from ..models import (
    CatalogueEntry,
    PointOfSale,
    SalesChannel,
    Stock,
)
from ._common import points_open_on

PAGE_SIZE = 24


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


def _channel_products(kinds, day: date) -> Q:
    """Entries sold through channels of ``kinds`` on ``day``: the product's own channels and
    those its producer declared for all its products."""
    active = SalesChannel.objects.active_on(day).filter(kind__in=kinds)
    return Q(product_id__in=active.filter(product__isnull=False).values("product_id")) | Q(
        producer_id__in=active.filter(product__isnull=True).values("producer_id")
    )


def _sold(kind: str, day: date) -> Q:
    stocked = Stock.objects.filter(point__in=points_open_on(day))
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
        return queryset.order_by(*by_name("name_vi"), "product_id")
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
    from ..services import VERSION_KEY

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
