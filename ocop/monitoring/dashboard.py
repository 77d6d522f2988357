"""The dashboards' figures for the country, a province or a commune, on a day and boundaries.

:func:`dashboard` gathers everything a dashboard, the quarterly report and the API show, from
the same functions as ``ocop stats`` (:func:`ocop.monitoring.selectors.programme_stats`) and the
figures' row lists (:mod:`ocop.monitoring.figures`), so no two surfaces can disagree. Each
number comes with the :class:`~ocop.monitoring.figures.Figure` that lists its rows.

Queries are grouped aggregates, a fixed number whatever the size of the registry: the unit's
statistics (2-4), the stock at each year's end (one per year shown), new recognitions per year
(1), new / expired / revoked recognitions per quarter (3), certificates expiring soon (2), the
dossier pipeline (1), and the targets (a few each).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.evaluation.choices import DossierStatus
from ocop.evaluation.models import Dossier
from ocop.geo.gazetteer import CURRENT
from ocop.registry.models import Recognition
from ocop.trace.models import Batch, ScanCount, ScanFlag

from . import figures as F
from .choices import FLOW_MEASURES
from .measures import Counter, baseline, read
from .models import DataVersion, Target
from .progress import Progress, assess
from .selectors import BY_COMMUNE, GROUPS, PRODUCER_TYPES, STARS, boundary_era, flat, programme_stats
from .units import COMMUNE, COUNTRY, VIA_PRODUCT, Unit, producer_q

YEARS_SHOWN = 7
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}  # quarters, as Vietnamese reports number them
QUARTERS_SHOWN = 8
EXPIRING_LISTED = 10


@dataclass
class Number:
    """A figure and the list behind it."""

    value: int
    figure: F.Figure


@dataclass
class SubUnit:
    code: str | None
    name: str
    products: Number
    by_stars: dict[int, Number]
    producers: int


@dataclass
class Period:
    label: str
    start: date
    end: date
    counts: dict[str, Number]  # "new", "expired", "revoked"  (quarters) or stars (years)


@dataclass
class TargetRow:
    target: Target
    description: str
    progress: Progress
    numerator: int | None
    denominator: int | None
    figure: F.Figure


@dataclass
class Dashboard:
    unit: Unit
    as_of: date
    boundaries: str
    products: Number
    by_stars: dict[int, Number]
    by_group: dict[str, Number]
    producers: int
    producers_by_type: dict[str, int]
    subunits: list[SubUnit]
    subunit_level: str  # "province" / "commune" / ""
    years: list[Period]
    new_by_year: list[Period]
    quarters: list[Period]
    expiring: Number
    expiring_soonest: list[Recognition]
    pipeline: list[tuple[str, str, int]]  # (status, label, count), today's
    targets: list[TargetRow] = field(default_factory=list)
    trace: dict = field(default_factory=dict)


def _quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_span(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end - timedelta(days=1)


def last_quarters(as_of: date, count: int = QUARTERS_SHOWN) -> list[tuple[int, int]]:
    year, quarter = _quarter_of(as_of)
    out = []
    for _i in range(count):
        out.append((year, quarter))
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
    return out[::-1]


def _unit_stats(unit: Unit, as_of: date, boundaries: str, user) -> tuple[dict, list[dict], str]:
    """The statistics of the unit (the format file's figures) and of its parts."""
    if unit.level == COUNTRY:
        result = programme_stats(user=user, as_of=as_of, boundaries=boundaries)
        return result, [dict(e, unit=e["province"]) for e in result["provinces"]], "province"
    result = programme_stats(
        user=user, as_of=as_of, boundaries=boundaries, province=unit.province.code, by=BY_COMMUNE
    )
    parts = [dict(e, unit=e["commune"]) for e in result["communes"]]
    if unit.level == COMMUNE:
        mine = next((e for e in parts if e["unit"]["code"] == unit.commune.code), None)
        if mine is None:  # pragma: no cover - every commune of the province is listed
            raise ValueError("commune missing from its province's statistics")
        return mine, parts, "commune"
    return result, parts, "commune"


def _figure_base(unit: Unit) -> F.Figure:
    return F.Figure(
        kind=F.COUNTED,
        era=unit.era,
        province=unit.province.code if unit.province else "",
        commune=unit.commune.code if unit.commune else "",
    )


def target_unit(target: Target) -> Unit:
    return Unit(era=CURRENT, province=target.province)


def target_row(
    target: Target, as_of: date, base: F.Figure | None = None, counter: Counter | None = None
) -> TargetRow:
    """A target's progress on ``as_of``, with the figure listing what its measure counts."""
    unit = target_unit(target)
    base = base or _figure_base(unit)
    counter = counter or Counter(unit)
    kwargs = {"stars": target.stars, "producer_kind": target.producer_kind, "counter": counter}
    # Measured on the day, but not past the period's end (a target of 2025 is judged on
    # 31/12/2025, whenever one looks at it).
    day = min(as_of, target.period_end)
    reading = read(target.measure, unit=unit, day=day, period_start=target.period_start, **kwargs)
    started = as_of >= target.period_start
    start_value = (
        baseline(target.measure, unit=unit, period_start=target.period_start, **kwargs).value
        if started
        else reading.value
    )
    progress = assess(
        target=target.value,
        actual=reading.value,
        baseline=start_value,
        start=target.period_start,
        end=target.period_end,
        day=as_of,
    )
    figure = base.but(
        kind=F.MEASURE,
        day=day,
        measure=target.measure,
        stars=target.stars,
        producer_kind=target.producer_kind,
        start=target.period_start if target.measure in FLOW_MEASURES else None,
    )
    return TargetRow(
        target,
        target.describe(),
        progress,
        reading.numerator,
        reading.denominator,
        figure,
    )


def _targets(unit: Unit, as_of: date, base: F.Figure, counter: Counter) -> list[TargetRow]:
    """The unit's own targets (the country's national ones, a province's its own)."""
    if unit.level == COMMUNE or unit.era != CURRENT:
        return []
    targets = Target.objects.filter(province=unit.province).select_related("province")
    return [target_row(target, as_of, base, counter) for target in targets]


def _pipeline(unit: Unit, user) -> list[tuple[str, str, int]]:
    dossiers = gate.restrict(Dossier.objects.all(), user, Action.VIEW).filter(producer_q(unit, VIA_PRODUCT))
    counts = dict(dossiers.values_list("status").annotate(n=Count("pk")).order_by())
    return [(status, label, counts.get(status, 0)) for status, label in DossierStatus.choices]


def _trace(unit: Unit, as_of: date) -> dict:
    start = quarter_span(*_quarter_of(as_of))[0]
    in_unit = producer_q(unit, VIA_PRODUCT)
    scans = ScanCount.objects.filter(in_unit, day__gte=start, day__lte=as_of)
    return {
        "products_traced": Batch.objects.filter(in_unit, produced_on__lte=as_of)
        .values("product_id")
        .distinct()
        .count(),
        "batches": Batch.objects.filter(in_unit, produced_on__gte=start, produced_on__lte=as_of).count(),
        "scans": scans.aggregate(n=Sum("count"))["n"] or 0,
        "flags": ScanFlag.objects.filter(in_unit, day__gte=start, day__lte=as_of).count(),
        "quarter_start": start,
    }


def dashboard(*, unit: Unit, as_of: date, boundaries: str, user) -> Dashboard:
    """Every figure of the unit's dashboard on ``as_of``."""
    if unit.era != boundary_era(as_of, boundaries):
        raise ValueError("the unit's era does not match the day and boundaries asked for")
    base = _figure_base(unit).but(day=as_of)
    stats, parts, level = _unit_stats(unit, as_of, boundaries, user)

    def number(value, **filters):
        return Number(value, base.but(**filters))

    counter = Counter(unit)
    counter.remember(as_of, flat(stats))
    # Targets first: the days they count on (a period's end) are often a year's end below.
    targets = _targets(unit, as_of, base, counter)
    products = stats["products"]
    subunits = []
    for entry in parts:
        code = entry["unit"]["code"]
        if code is None:
            continue
        where = {"province": code} if level == "province" else {"commune": code}
        subunits.append(
            SubUnit(
                code,
                entry["unit"]["name"],
                Number(entry["products"]["total"], base.but(**where)),
                {s: Number(entry["products"]["by_stars"][str(s)], base.but(stars=s, **where)) for s in STARS},
                entry["producers"]["total"],
            )
        )

    recognitions = F.recognitions_in(unit)

    # The stock at each year's end (the last year: on the day), and what was decided each year.
    first_year = max(as_of.year - YEARS_SHOWN + 1, 2019)
    years, new_by_year = [], []
    per_year = dict(
        ((year, stars), n)
        for year, stars, n in recognitions.filter(
            recognised_on__year__gte=first_year, recognised_on__lte=as_of
        )
        .annotate(year=ExtractYear("recognised_on"))
        .values_list("year", "stars")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for year in range(first_year, as_of.year + 1):
        day = min(date(year, 12, 31), as_of)
        if counter.knows(day):
            stock = {s: counter.flat(day)[f"stars_{s}"] for s in STARS}
        else:
            stock = dict(
                F.rows(base.but(day=day), unit).values_list("stars").annotate(n=Count("pk")).order_by()
            )
        years.append(
            Period(
                str(year),
                date(year, 1, 1),
                day,
                {s: Number(stock.get(s, 0), base.but(day=day, stars=s)) for s in STARS},
            )
        )
        span = {"kind": F.NEW, "start": date(year, 1, 1), "day": day}
        new_by_year.append(
            Period(
                str(year),
                date(year, 1, 1),
                day,
                {s: Number(per_year.get((year, s), 0), base.but(stars=s, **span)) for s in STARS},
            )
        )

    # New, expired and revoked recognitions per quarter.
    quarters = last_quarters(as_of)
    first_day = quarter_span(*quarters[0])[0]

    def per_quarter(queryset, field_name):
        return dict(
            ((y, q), n)
            for y, q, n in queryset.annotate(y=ExtractYear(field_name), q=ExtractQuarter(field_name))
            .values_list("y", "q")
            .annotate(n=Count("pk"))
            .order_by()
        )

    new_q = per_quarter(
        recognitions.filter(recognised_on__gte=first_day, recognised_on__lte=as_of), "recognised_on"
    )
    expired_q = per_quarter(recognitions.filter(F.expired_q(first_day, as_of)), "valid_until")
    revoked_q = per_quarter(
        recognitions.filter(revoked_on__gte=first_day, revoked_on__lte=as_of), "revoked_on"
    )
    quarter_rows = []
    for year, quarter in quarters:
        start, end = quarter_span(year, quarter)
        end = min(end, as_of)
        span = {"start": start, "day": end}
        quarter_rows.append(
            Period(
                f"{ROMAN[quarter]}/{year}",  # IV/2025: read alike in Vietnamese and English
                start,
                end,
                {
                    F.NEW: Number(new_q.get((year, quarter), 0), base.but(kind=F.NEW, **span)),
                    F.EXPIRED: Number(expired_q.get((year, quarter), 0), base.but(kind=F.EXPIRED, **span)),
                    F.REVOKED: Number(revoked_q.get((year, quarter), 0), base.but(kind=F.REVOKED, **span)),
                },
            )
        )

    expiring_figure = base.but(kind=F.EXPIRING)
    expiring = F.rows(expiring_figure, unit)
    soonest = list(
        expiring.select_related("product", "product__producer", "product__producer__commune").order_by(
            "valid_until", "pk"
        )[:EXPIRING_LISTED]
    )

    return Dashboard(
        unit=unit,
        as_of=as_of,
        boundaries=boundaries,
        products=number(products["total"]),
        by_stars={s: number(products["by_stars"][str(s)], stars=s) for s in STARS},
        by_group={g: number(products["by_group"][g], group=g) for g in GROUPS},
        producers=stats["producers"]["total"],
        producers_by_type={k: stats["producers"]["by_type"][k] for k in PRODUCER_TYPES},
        subunits=subunits,
        subunit_level=level if unit.level != COMMUNE else "commune",
        years=years,
        new_by_year=new_by_year,
        quarters=quarter_rows,
        expiring=Number(expiring.count(), expiring_figure),
        expiring_soonest=soonest,
        pipeline=_pipeline(unit, user),
        targets=targets,
        trace=_trace(unit, as_of),
    )


def label_of_count(kind: str) -> str:
    return {F.NEW: _("New"), F.EXPIRED: _("Expired"), F.REVOKED: _("Revoked")}[kind]


def cached_dashboard(*, unit: Unit, as_of: date, boundaries: str, user) -> Dashboard:
    """:func:`dashboard`, its figures cached under the data version (:class:`DataVersion`), the
    unit, the day, the boundaries and the language; the dossier pipeline (which depends on who
    asks) and the traceability counts are read live. ``OCOP_DASHBOARD_CACHE_SECONDS=0`` turns the
    cache off."""
    seconds = settings.OCOP_DASHBOARD_CACHE_SECONDS
    version = DataVersion.current() if seconds else None
    if version is None:
        return dashboard(unit=unit, as_of=as_of, boundaries=boundaries, user=user)
    key = ":".join(
        [
            "ocop:monitoring:dashboard",
            str(version),
            unit.era,
            unit.code or "vn",
            unit.province.code if unit.commune is not None else "",
            as_of.isoformat(),
            boundaries,
            get_language() or "",
        ]
    )
    board = cache.get(key)
    if board is None:
        board = dashboard(unit=unit, as_of=as_of, boundaries=boundaries, user=user)
        cache.set(key, board, seconds)
        return board
    return replace(board, pipeline=_pipeline(unit, user), trace=_trace(unit, as_of))
