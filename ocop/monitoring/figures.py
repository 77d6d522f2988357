"""The rows behind every figure of the dashboards and reports.

A figure is a :class:`Figure`: what is counted (products counted on a day, recognitions decided,
expired or revoked in a span, certificates expiring soon, the numerator of a target's measure),
in which unit, with which filters. :func:`rows` gives its queryset; the dashboard's aggregates
count the same thing in one grouped query, and tests hold every dashboard figure equal to the
number of rows its link lists. A figure travels as URL query parameters
(:meth:`Figure.params` / :func:`from_params`), so every number on a page, in a report or a
workbook links to the list behind it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, timedelta

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from ocop.geo.gazetteer import CURRENT, LEGACY
from ocop.geo.models import Commune, Province
from ocop.registry.choices import ProducerType, ProductGroup
from ocop.registry.models import Recognition

from .choices import Measure
from .measures import counted, numerator
from .units import VIA_PRODUCT, Unit, producer_q

EXPIRING_DAYS = 90

COUNTED, NEW, EXPIRED, REVOKED, EXPIRING, MEASURE = (
    "counted",
    "new",
    "expired",
    "revoked",
    "expiring",
    "measure",
)
KINDS = (COUNTED, NEW, EXPIRED, REVOKED, EXPIRING, MEASURE)


class FigureError(ValueError):
    """Parameters that do not name a figure; ``field`` says which."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Figure:
    kind: str
    era: str = CURRENT
    province: str = ""  # code in the era ("" = the whole country)
    commune: str = ""  # code of a commune of the province
    day: date | None = None  # counted / expiring: the day; spans: the last day
    start: date | None = None  # spans: the first day
    stars: int = 0  # exactly N stars
    min_stars: int = 0
    group: str = ""
    producer_kind: str = ""
    measure: str = ""  # kind == MEASURE: a Measure code (with stars / producer_kind as parameters)

    def params(self) -> dict:
        """URL query parameters (only those set)."""
        out = {}
        for key, value in asdict(self).items():
            if value in ("", None, 0):
                continue
            out[key] = value.isoformat() if isinstance(value, date) else value
        if self.era == CURRENT:
            out.pop("era", None)
        return out

    def but(self, **changes) -> Figure:
        return replace(self, **changes)


def _parse_day(value, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise FigureError(_("Write dates as YYYY-MM-DD."), field=field) from None


def _small(value, field: str) -> int:
    value = str(value or "")
    if not value:
        return 0
    if not value.isdigit() or not 1 <= int(value) <= 5:
        raise FigureError(_("Stars are a number from 1 to 5."), field=field)
    return int(value)


def from_params(params) -> Figure:
    """The figure that query parameters name; raises :class:`FigureError` on nonsense."""
    kind = params.get("kind", "")
    if kind not in KINDS:
        raise FigureError(_("Unknown figure."), field="kind")
    era = params.get("era") or CURRENT
    if era not in (CURRENT, LEGACY):
        raise FigureError(_("Unknown boundaries."), field="era")
    group, producer_kind, measure = (
        params.get("group", ""),
        params.get("producer_kind", ""),
        params.get("measure", ""),
    )
    if group and group not in ProductGroup.values:
        raise FigureError(_("Unknown product group."), field="group")
    if producer_kind and producer_kind not in ProducerType.values:
        raise FigureError(_("Unknown producer type."), field="producer_kind")
    if kind == MEASURE and measure not in Measure.values:
        raise FigureError(_("Unknown measure."), field="measure")
    figure = Figure(
        kind=kind,
        era=era,
        province=params.get("province", "")[:3],
        commune=params.get("commune", "")[:6],
        day=_parse_day(params.get("day", ""), "day"),
        start=_parse_day(params.get("start", ""), "start"),
        stars=_small(params.get("stars", ""), "stars"),
        min_stars=_small(params.get("min_stars", ""), "min_stars"),
        group=group,
        producer_kind=producer_kind,
        measure=measure if kind == MEASURE else "",
    )
    if figure.day is None:
        raise FigureError(_("A figure needs its day."), field="day")
    spans = kind in (NEW, EXPIRED, REVOKED) or (kind == MEASURE and figure.start)
    if spans and (figure.start is None or figure.start > figure.day):
        raise FigureError(_("A span needs its first day, on or before its last."), field="start")
    return figure


def unit_of(figure: Figure) -> Unit:
    """The unit the figure counts in; raises :class:`FigureError` for unknown codes."""
    if not figure.province:
        if figure.commune:
            raise FigureError(_("A commune needs its province."), field="commune")
        return Unit(era=figure.era)
    province = Province.objects.filter(era_id=figure.era, code=figure.province).first()
    if province is None:
        raise FigureError(_("Unknown province."), field="province")
    if not figure.commune:
        return Unit(era=figure.era, province=province)
    commune = Commune.objects.filter(era_id=figure.era, province=province, code=figure.commune).first()
    if commune is None:
        raise FigureError(_("Unknown commune."), field="commune")
    return Unit(era=figure.era, province=province, commune=commune)


def _filters(figure: Figure) -> Q:
    q = Q()
    if figure.stars:
        q &= Q(stars=figure.stars)
    if figure.min_stars:
        q &= Q(stars__gte=figure.min_stars)
    if figure.group:
        q &= Q(product__group=figure.group)
    if figure.producer_kind:
        q &= Q(**{f"{VIA_PRODUCT}kind": figure.producer_kind})
    return q


def recognitions_in(unit: Unit) -> QuerySet:
    """Recognitions of 3 stars or more (OCOP products) of producers in the unit."""
    return Recognition.objects.filter(producer_q(unit, VIA_PRODUCT), stars__gte=3)


def expired_q(start: date, end: date) -> Q:
    """Recognitions that lapsed by reaching their end date within ``start``..``end`` (not those
    revoked or superseded before)."""
    return (
        Q(valid_until__gte=start, valid_until__lte=end)
        & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=F("valid_until")))
        & (Q(superseded_on__isnull=True) | Q(superseded_on__gt=F("valid_until")))
    )


def rows(figure: Figure, unit: Unit | None = None) -> QuerySet:
    """Recognitions (or, for a measure, the rows its numerator counts) behind the figure."""
    unit = unit or unit_of(figure)
    day = figure.day
    if figure.kind == COUNTED:
        qs = counted(day, unit)
    elif figure.kind == EXPIRING:
        qs = counted(day, unit).filter(valid_until__lte=day + timedelta(days=EXPIRING_DAYS))
    elif figure.kind == NEW:
        qs = recognitions_in(unit).filter(recognised_on__gte=figure.start, recognised_on__lte=day)
    elif figure.kind == EXPIRED:
        qs = recognitions_in(unit).filter(expired_q(figure.start, day))
    elif figure.kind == REVOKED:
        qs = recognitions_in(unit).filter(revoked_on__gte=figure.start, revoked_on__lte=day)
    else:
        return numerator(
            figure.measure,
            unit=unit,
            day=day,
            period_start=figure.start,
            stars=figure.stars,
            producer_kind=figure.producer_kind,
        )
    return qs.filter(_filters(figure))
