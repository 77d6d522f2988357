"""Points of sale: the public list, those a person keeps, one point, and coverage by province."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.collation import by_name
from ocop.geo.gazetteer import CURRENT as CURRENT_ERA
from ocop.geo.models import Province
from ocop.registry.models import Recognition

from .. import matching, search
from ..choices import (
    PointKind,
)
from ..models import (
    PointOfSale,
    Stock,
)
from ._common import points_open_on


@dataclass
class PointFilters:
    province: str = ""
    kind: str = ""
    q: str = ""


def points_of_sale(filters: PointFilters, *, user, day: date | None = None) -> QuerySet:
    """Open points of sale (with the number of products each lists), through the gate."""
    day = day or timezone.localdate()
    queryset = gate.restrict(points_open_on(day), user, Action.VIEW)
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
        .order_by(*by_name("province__short_name"), "kind", *by_name("name"), "pk")
    )


def managed_points(user) -> QuerySet:
    return (
        gate.restrict(PointOfSale.objects.all(), user, Action.CHANGE)
        .select_related("province", "commune")
        .annotate(products=Count("stock", distinct=True))
        .order_by(*by_name("province__short_name", "name"), "pk")
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
        .order_by(*by_name("product__name_vi"), "pk")
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
    points = gate.restrict(points_open_on(day), user, Action.VIEW)
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
        for p in Province.objects.current().alphabetical()
    ]
