"""The public front (the home page): a few featured products spread over provinces and product
groups, the newest 5-star products, and the provinces' map with their numbers of products.

Everything is read through the catalogue's own search (:func:`.catalogue.catalogue_search`), as
the public sees it whoever is signed in, and kept like the catalogue's counts: per version of
the index and day, a minute at most. The products' stars on the cards still come from their
recognitions (:func:`.catalogue.catalogue_cards`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.db.models import Count
from django.utils import timezone

from ..choices import CatalogueSort
from ..forms import province_choices
from ..models import CatalogueEntry
from ..places import province_outline
from ..svgmap import layout
from .catalogue import Card, CatalogueFilters, CatalogueResults, _kept, catalogue_cards, catalogue_search

FEATURED = 8
NEW_FIVE_STAR = 8
# The most recent recognitions the featured products are chosen from.
FEATURED_POOL = 300


@dataclass
class Area:
    """A province on the front's map: its outline, and how many valid products it has."""

    code: str
    name: str
    d: str
    products: int


@dataclass
class ProvinceMap:
    width: float
    height: float
    areas: list[Area] = field(default_factory=list)


@dataclass
class Front:
    total: int  # products with a valid recognition
    featured: list[Card]
    new_five_star: list[Card]
    five_star_total: int
    map: ProvinceMap


def spread(rows: list[tuple[int, int, str]], limit: int) -> list[int]:
    """Product ids from ``rows`` of (product id, province id, group), most recent first: each
    pass takes, in order, a product whose province and group are not yet shown, then relaxes
    the group, then takes whatever is left, until ``limit`` are chosen."""
    chosen: list[int] = []
    provinces: set[int] = set()
    groups: set[str] = set()
    tests = (
        lambda province, group: province not in provinces and group not in groups,
        lambda province, group: province not in provinces,
        lambda province, group: True,
    )
    for test in tests:
        for product_id, province, group in rows:
            if len(chosen) >= limit:
                return chosen
            if product_id not in chosen and test(province, group):
                chosen.append(product_id)
                provinces.add(province)
                groups.add(group)
    return chosen


def _featured_ids(valid: CatalogueResults, exclude: list[int], limit: int) -> list[int]:
    """``limit`` products of 4 and 5 valid stars among the most recently recognised of
    ``valid`` (the catalogue's valid products, newest first), spread over provinces and groups."""

    def compute():
        pool = valid.entries.filter(valid_stars__gte=4).exclude(product_id__in=exclude)
        return spread(list(pool.values_list("product_id", "province_id", "group")[:FEATURED_POOL]), limit)

    return _kept("front-featured", f"{sorted(exclude)}|{limit}", valid.day, compute)


@lru_cache(maxsize=4)
def _outlines(
    provinces: tuple[tuple[str, str], ...],
) -> tuple[float, float, tuple[tuple[str, str, str], ...]]:
    """The provinces' outlines projected once (the geometry changes only with the data file)."""
    drawn = layout([], lambda item: None, width=420, shapes=[(p, province_outline(p[0])) for p in provinces])
    return drawn.width, drawn.height, tuple((s.item[0], s.item[1], s.d) for s in drawn.shapes)


def province_map(valid: CatalogueResults) -> ProvinceMap:
    """Every current province's outline with its number of products in ``valid`` (the
    catalogue's valid products), in one query (none while kept)."""

    def compute():
        return dict(valid.entries.order_by().values_list("province__code").annotate(n=Count("pk")))

    counts = _kept("front-provinces", "", valid.day, compute)
    width, height, shapes = _outlines(tuple(province_choices()))
    return ProvinceMap(width, height, [Area(code, name, d, counts.get(code, 0)) for code, name, d in shapes])


def front(*, day: date | None = None, language: str = "vi") -> Front:
    """What the home page shows, in a fixed number of queries whatever the catalogue holds."""
    day = day or timezone.localdate()
    valid = catalogue_search(CatalogueFilters(sort=CatalogueSort.NEWEST), user=None, day=day)
    five = catalogue_search(CatalogueFilters(stars=5, sort=CatalogueSort.NEWEST), user=None, day=day)
    newest = five.page(1, size=NEW_FIVE_STAR)
    ids = _featured_ids(valid, [e.product_id for e in newest], FEATURED)
    rows = CatalogueEntry.objects.filter(product_id__in=ids).select_related("province", "commune").in_bulk()
    featured = [rows[pk] for pk in ids if pk in rows]
    # One query for the cards of both lists.
    cards = catalogue_cards(featured + newest, day=day, language=language)
    return Front(
        total=valid.total,
        featured=cards[: len(featured)],
        new_five_star=cards[len(featured) :],
        five_star_total=five.total,
        map=province_map(valid),
    )
