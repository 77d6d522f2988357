"""Reads for the registry pages and API: filtered lists through the permission gate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.collation import by_name
from ocop.geo.gazetteer import CURRENT as CURRENT_ERA
from ocop.vntext import words as search_words

from .choices import RecognitionStatus
from .models import Producer, Product, Recognition

LIST_STATUSES = ("valid", "expired", "revoked", "never")


@dataclass
class ProductFilters:
    q: str = ""
    province: str = ""  # current province code
    commune: str = ""  # current commune code
    group: str = ""
    stars: int | None = None  # stars of the recognition in force (the latest valid one)
    min_stars: int | None = None  # at least these stars, same reading
    status: str = ""  # one of LIST_STATUSES
    producer_kind: str = ""
    producer: int | None = None


@dataclass
class ProducerFilters:
    q: str = ""
    province: str = ""
    commune: str = ""
    kind: str = ""


def _word_start(field: str, word: str) -> Q:
    """``word`` begins a word of the folded ``field`` ("ong" finds "ong mat", not "duong")."""
    return Q(**{f"{field}__startswith": word}) | Q(**{f"{field}__contains": " " + word})


def search(queryset: QuerySet, q: str, fields: list[str]) -> QuerySet:
    """Every word of the query, folded, must begin a word of one of the folded fields. A query
    without letters or digits ("-", "_") has no words: it is no query, as in the catalogue."""
    for word in search_words(q):
        condition = Q()
        for field in fields:
            condition |= _word_start(field, word)
        queryset = queryset.filter(condition)
    return queryset


def with_recognitions(queryset: QuerySet) -> QuerySet:
    """Products with what their list rows show, in a fixed number of queries."""
    return queryset.select_related(
        "producer", "producer__province", "producer__commune", "product_set"
    ).prefetch_related(
        Prefetch("recognitions", queryset=Recognition.objects.order_by("-recognised_on", "-pk"))
    )


def filter_products(queryset: QuerySet, filters: ProductFilters, *, day: date | None = None) -> QuerySet:
    day = day or timezone.localdate()
    ordering = [*by_name("name_vi"), "pk"]
    if filters.q:
        digits = filters.q.strip()
        if digits.isdigit() and len(digits) >= 8:
            queryset = queryset.filter(gtin__endswith=digits)
        elif search_words(filters.q):
            queryset = search(queryset, filters.q, ["name_key", "producer__name_key"])
            # Products whose own name matches come before those found by their producer's name.
            in_name = Q()
            for word in search_words(filters.q):
                in_name &= _word_start("name_key", word)
            queryset = queryset.annotate(
                name_rank=Case(When(in_name, then=Value(0)), default=Value(1), output_field=IntegerField())
            )
            ordering = ["name_rank", *ordering]
    if filters.province:
        queryset = queryset.filter(
            producer__province__code=filters.province, producer__province__era_id=CURRENT_ERA
        )
    if filters.commune:
        queryset = queryset.filter(
            producer__commune__code=filters.commune, producer__commune__era_id=CURRENT_ERA
        )
    if filters.group:
        queryset = queryset.filter(group=filters.group)
    if filters.producer_kind:
        queryset = queryset.filter(producer__kind=filters.producer_kind)
    if filters.producer:
        queryset = queryset.filter(producer_id=filters.producer)
    valid = Recognition.objects.valid_on(day)
    if filters.stars or filters.min_stars:
        # A product's stars are those of its latest valid recognition, as the statistics count
        # them (a re-rating recorded without superseding must not list it under both ratings).
        latest_valid = valid.filter(product=OuterRef("pk")).order_by("-recognised_on", "-pk")
        queryset = queryset.annotate(current_stars=Subquery(latest_valid.values("stars")[:1]))
        if filters.stars:
            queryset = queryset.filter(current_stars=filters.stars)
        if filters.min_stars:
            queryset = queryset.filter(current_stars__gte=filters.min_stars)
    if filters.status:
        started = Recognition.objects.filter(product=OuterRef("pk"), recognised_on__lte=day).order_by(
            "-recognised_on", "-pk"
        )
        queryset = queryset.annotate(
            latest_revoked_on=Subquery(started.values("revoked_on")[:1]), ever_recognised=Exists(started)
        )
        valid_ids = valid.values("product_id")
        if filters.status == RecognitionStatus.VALID:
            queryset = queryset.filter(pk__in=valid_ids)
        elif filters.status == RecognitionStatus.REVOKED:
            queryset = queryset.exclude(pk__in=valid_ids).filter(latest_revoked_on__lte=day)
        elif filters.status == RecognitionStatus.EXPIRED:
            # Not "exclude(latest_revoked_on__lte=day)": on an annotation that drops NULLs too.
            queryset = (
                queryset.exclude(pk__in=valid_ids)
                .filter(ever_recognised=True)
                .filter(Q(latest_revoked_on__isnull=True) | Q(latest_revoked_on__gt=day))
            )
        elif filters.status == "never":
            queryset = queryset.filter(ever_recognised=False)
    return queryset.order_by(*ordering)


def managed_products(user, filters: ProductFilters | None = None) -> QuerySet:
    """The products a person manages (may change), filtered, ready for a list page."""
    queryset = gate.restrict(Product.objects.all(), user, Action.CHANGE)
    if filters:
        queryset = filter_products(queryset, filters)
    return with_recognitions(queryset)


def public_products(user, filters: ProductFilters | None = None) -> QuerySet:
    queryset = gate.restrict(Product.objects.all(), user, Action.VIEW)
    if filters:
        queryset = filter_products(queryset, filters)
    return with_recognitions(queryset)


def managed_producers(user, filters: ProducerFilters | None = None) -> QuerySet:
    queryset = gate.restrict(Producer.objects.all(), user, Action.CHANGE)
    if filters:
        if filters.q:
            code = filters.q.replace(" ", "")
            if code[:10].isdigit() and len(code) >= 10:
                queryset = queryset.filter(tax_code__startswith=code[:10])
            else:
                queryset = search(queryset, filters.q, ["name_key"])
        if filters.province:
            queryset = queryset.filter(province__code=filters.province, province__era_id=CURRENT_ERA)
        if filters.commune:
            queryset = queryset.filter(commune__code=filters.commune, commune__era_id=CURRENT_ERA)
        if filters.kind:
            queryset = queryset.filter(kind=filters.kind)
    return (
        queryset.select_related("province", "commune", "historical_commune", "historical_district")
        .annotate(product_count=Count("products", distinct=True))
        .order_by(*by_name("name"), "pk")
    )


@dataclass
class JurisdictionSummary:
    producers: int
    products: int
    valid_by_stars: dict[int, int]
    expiring_soon: int
    revoked: int


def jurisdiction_summary(user, *, day: date | None = None, horizon_days: int = 90) -> JurisdictionSummary:
    """Headline counts for an officer's home page, over the records they manage."""
    day = day or timezone.localdate()
    products = gate.restrict(Product.objects.all(), user, Action.CHANGE)
    recognitions = Recognition.objects.filter(product__in=products.values("pk"))
    valid = recognitions.valid_on(day)
    by_stars = dict(valid.values_list("stars").annotate(n=Count("product", distinct=True)).order_by())
    return JurisdictionSummary(
        producers=gate.restrict(Producer.objects.all(), user, Action.CHANGE).count(),
        products=products.count(),
        valid_by_stars={stars: by_stars.get(stars, 0) for stars in (3, 4, 5)},
        expiring_soon=valid.filter(valid_until__lte=day + timedelta(days=horizon_days)).count(),
        revoked=recognitions.filter(revoked_on__isnull=False).count(),
    )
