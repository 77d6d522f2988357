"""Turning dashboard figures into what pages show: charts, the map, tables, titles.

Nothing here counts: the figures come from :mod:`ocop.monitoring.dashboard` and the rows from
:mod:`ocop.monitoring.figures`; this module only arranges them and attaches each figure's link.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ocop import cells
from ocop.collation import by_name
from ocop.geo.gazetteer import CURRENT

from . import charts, figures, maps
from .choices import GROUP_COLUMNS, TYPE_COLUMNS, Measure, describe
from .dashboard import Dashboard, label_of_count
from .units import COMMUNE, COUNTRY, PROVINCE, Unit, country, reachable, reachable_parts


def rows_link(figure: figures.Figure) -> str:
    """The page listing the rows a figure counts."""
    return f"{reverse('monitoring:figure_rows')}?{urlencode(figure.params())}"


def absolute_link(base_url: str) -> Callable[[figures.Figure], str]:
    """:func:`rows_link` under ``base_url`` (for reports, commands: no request to ask)."""

    def link(figure: figures.Figure) -> str:
        return f"{base_url}{rows_link(figure)}"

    return link


def _item(label: str, number) -> charts.Item:
    return charts.Item(label, number.value, rows_link(number.figure) if number.value else None)


def _stars_label(stars: int) -> str:
    return f"{stars}★"


@dataclass
class Page:
    """What the dashboard template draws."""

    stars_chart: charts.Chart
    groups_chart: charts.Chart
    types_chart: charts.Chart
    years_chart: charts.Chart
    new_chart: charts.Chart
    quarters_chart: charts.Chart
    pipeline_chart: charts.Chart
    map: maps.Map | None
    map_title: str
    subunit_label: str
    up_links: list[tuple[str, str]] = field(default_factory=list)
    api_params: dict = field(default_factory=dict)
    report_province: str = ""
    # The parts (provinces or communes) whose dashboards and figures the viewer may open.
    open_parts: set[str] = field(default_factory=set)


def _unit_url(unit_level: str, code: str) -> str:
    name = "monitoring:dashboard_province" if unit_level == PROVINCE else "monitoring:dashboard_commune"
    return reverse(name, args=[code])


def present(board: Dashboard, *, user) -> Page:
    """The page of ``board`` for ``user``: it links only to what ``user`` may open, each link
    decided by the gate the page it opens asks (:func:`~ocop.monitoring.units.reachable`)."""
    unit = board.unit
    open_parts = reachable_parts(user, unit, board.subunit_level, [s.code for s in board.subunits])
    star_series = [
        charts.Series(
            _stars_label(s), charts.STAR_COLOURS[s], [_item(p.label, p.counts[s]) for p in board.years]
        )
        for s in (3, 4, 5)
    ]
    new_series = [
        charts.Series(
            _stars_label(s), charts.STAR_COLOURS[s], [_item(p.label, p.counts[s]) for p in board.new_by_year]
        )
        for s in (3, 4, 5)
    ]
    quarter_series = [
        charts.Series(label_of_count(kind), colour, [_item(p.label, p.counts[kind]) for p in board.quarters])
        for kind, colour in (
            (figures.NEW, "#009e73"),
            (figures.EXPIRED, "#e69f00"),
            (figures.REVOKED, "#d55e00"),
        )
    ]
    pipeline = [charts.Item(str(label), count) for _status, label, count in board.pipeline]

    the_map, map_title, subunit_label = None, "", ""
    if unit.level == COUNTRY:
        subunit_label = _("Province")
        map_title = _("Products rated 3 stars or more, by province")
        geometry = maps.country_geometry(unit.era)
    else:
        subunit_label = _("Commune")
        map_title = _("Products rated 3 stars or more, by commune")
        geometry = maps.province_geometry(unit.province.code) if unit.era == CURRENT else None
    if geometry is not None:
        figures_by_code = {
            s.code: (
                s.name,
                s.products.value,
                _unit_url(board.subunit_level, s.code)
                + f"?as_of={board.as_of.isoformat()}&boundaries={board.boundaries}"
                if board.subunit_level == PROVINCE
                else (_unit_url(COMMUNE, s.code) if unit.era == CURRENT else None),
            )
            if s.code in open_parts
            else (s.name, s.products.value, None)
            for s in board.subunits
        }
        the_map = maps.choropleth(
            geometry, figures_by_code, selected=unit.commune.code if unit.commune else ""
        )
        if unit.era != CURRENT or unit.level != COUNTRY:
            the_map.caption = _("Approximate boundaries, drawn from commune seats.")
    elif unit.level != COUNTRY:
        map_title = _("No commune boundaries are on file for the units before 1 July 2025.")

    up = []
    if unit.level != COUNTRY and reachable(user, country(unit.era)):
        up.append((_("Whole country"), reverse("monitoring:dashboard")))
    province = Unit(era=unit.era, province=unit.province) if unit.province is not None else None
    province_opens = province is not None and reachable(user, province)
    if unit.level == COMMUNE and province_opens:
        up.append((unit.province.name, reverse("monitoring:dashboard_province", args=[unit.province.code])))
    params = {}
    if unit.province is not None:
        params["province"] = unit.province.code
    if unit.commune is not None:
        params["commune"] = unit.commune.code
    return Page(
        stars_chart=charts.bars(
            [_item(_stars_label(s), n) for s, n in board.by_stars.items()], colour=charts.STAR_COLOURS[4]
        ),
        groups_chart=charts.bars([_item(str(GROUP_COLUMNS[g]), n) for g, n in board.by_group.items()]),
        types_chart=charts.bars(
            [
                charts.Item(
                    str(TYPE_COLUMNS[k]),
                    n,
                    rows_link(
                        board.products.figure.but(
                            kind=figures.MEASURE, measure=Measure.PRODUCER_KIND_SHARE, producer_kind=k
                        )
                    )
                    if n
                    else None,
                )
                for k, n in board.producers_by_type.items()
            ],
            colour=charts.SERIES_COLOURS[2],
        ),
        years_chart=charts.columns([p.label for p in board.years], star_series),
        new_chart=charts.columns([p.label for p in board.new_by_year], new_series),
        quarters_chart=charts.columns([p.label for p in board.quarters], quarter_series, stacked=False),
        pipeline_chart=charts.bars(pipeline, colour=charts.SERIES_COLOURS[3], width=480, label_width=250),
        map=the_map,
        map_title=map_title,
        subunit_label=subunit_label,
        up_links=up,
        api_params=params,
        # The reports and craft villages are the province's: for those who may open its dashboard.
        report_province=unit.province.code if province_opens and unit.era == CURRENT else "",
        open_parts=open_parts,
    )


# ---------------------------------------------------------------------------------------------
# The rows behind a figure
# ---------------------------------------------------------------------------------------------


@dataclass
class Column:
    title: str
    value: Callable
    link: Callable | None = None


@dataclass
class RowsTable:
    queryset: QuerySet
    columns: list[Column]

    def row(self, obj) -> list[tuple[str, str | None]]:
        return [(column.value(obj), column.link(obj) if column.link else None) for column in self.columns]


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _place(producer) -> str:
    parts = [producer.commune.name if producer.commune_id else "", producer.province.name]
    return ", ".join(p for p in parts if p)


def rows_table(queryset: QuerySet, figure: figures.Figure) -> RowsTable:
    """Columns for the figure's rows, by what they are."""
    model = queryset.model._meta.label_lower
    product_link = lambda product: reverse("registry:product_detail", args=[product.pk])  # noqa: E731
    producer_link = lambda producer: reverse("registry:producer_detail", args=[producer.pk])  # noqa: E731
    if model == "registry.recognition":
        qs = queryset.select_related(
            "product", "product__producer", "product__producer__province", "product__producer__commune"
        ).order_by("product__producer__province__code", *by_name("product__name_vi"), "pk")
        return RowsTable(
            qs,
            [
                Column(_("Product"), lambda r: r.product.name_vi, lambda r: product_link(r.product)),
                Column(
                    _("Producer"),
                    lambda r: r.product.producer.name,
                    lambda r: producer_link(r.product.producer),
                ),
                Column(_("Where"), lambda r: _place(r.product.producer)),
                Column(_("Stars"), lambda r: "★" * r.stars),
                Column(_("Decision"), lambda r: r.decision_no),
                Column(_("Recognised on"), lambda r: _day(r.recognised_on)),
                Column(_("Valid until"), lambda r: _day(r.valid_until)),
                Column(_("Revoked on"), lambda r: _day(r.revoked_on)),
            ],
        )
    if model == "registry.product":
        qs = queryset.select_related("producer", "producer__province", "producer__commune").order_by(
            "producer__province__code", "name_vi", "pk"
        )
        return RowsTable(
            qs,
            [
                Column(_("Product"), lambda p: p.name_vi, product_link),
                Column(_("Producer"), lambda p: p.producer.name, lambda p: producer_link(p.producer)),
                Column(_("Where"), lambda p: _place(p.producer)),
                Column(_("Group"), lambda p: p.get_group_display()),
            ],
        )
    if model == "registry.producer":
        qs = queryset.select_related("province", "commune").order_by("province__code", *by_name("name"), "pk")
        return RowsTable(
            qs,
            [
                Column(_("Producer"), lambda p: p.name, producer_link),
                Column(_("Type"), lambda p: p.get_kind_display()),
                Column(_("Where"), _place),
            ],
        )
    if model == "registry.craftvillage":
        qs = queryset.select_related("province", "commune").order_by("province__code", *by_name("name"), "pk")
        return RowsTable(
            qs,
            [
                Column(_("Craft village"), lambda v: v.name),
                Column(_("Craft"), lambda v: v.craft),
                Column(_("Where"), _place),
                Column(_("Recognised on"), lambda v: _day(v.recognised_on)),
            ],
        )
    if model == "market.pointofsale":
        qs = queryset.select_related("province", "commune").order_by("province__code", *by_name("name"), "pk")
        return RowsTable(
            qs,
            [
                Column(
                    _("Point of sale"),
                    lambda p: p.name,
                    lambda p: reverse("market:point_detail", args=[p.pk]),
                ),
                Column(_("Address"), lambda p: p.address),
                Column(_("Where"), _place),
                Column(_("Opened on"), lambda p: _day(p.opened_on)),
            ],
        )
    if model == "geo.province":
        return RowsTable(
            queryset.order_by("code"),
            [Column(_("Code"), lambda p: p.code), Column(_("Province"), lambda p: p.name)],
        )
    raise ValueError(f"no table for {model}")


def figure_title(figure: figures.Figure, unit: Unit) -> str:
    """What the list shows, in words."""
    day = date_format(figure.day, "SHORT_DATE_FORMAT") if figure.day else ""
    start = date_format(figure.start, "SHORT_DATE_FORMAT") if figure.start else ""
    if figure.kind == figures.COUNTED:
        text = _("Products rated 3 stars or more with a recognition valid on %(day)s") % {"day": day}
    elif figure.kind == figures.EXPIRING:
        text = _("Recognitions valid on %(day)s that expire within %(days)s days") % {
            "day": day,
            "days": figures.EXPIRING_DAYS,
        }
    elif figure.kind == figures.NEW:
        text = _("Recognitions decided from %(start)s to %(day)s") % {"start": start, "day": day}
    elif figure.kind == figures.EXPIRED:
        text = _("Recognitions that expired from %(start)s to %(day)s") % {"start": start, "day": day}
    elif figure.kind == figures.REVOKED:
        text = _("Recognitions revoked from %(start)s to %(day)s") % {"start": start, "day": day}
    else:
        text = describe(figure.measure, stars=figure.stars, producer_kind=figure.producer_kind)
        text = _("%(measure)s, on %(day)s") % {"measure": text, "day": day}
    details = []
    if figure.stars and figure.kind != figures.MEASURE:
        details.append(_("%(stars)s stars") % {"stars": figure.stars})
    if figure.min_stars:
        details.append(_("%(stars)s stars or more") % {"stars": figure.min_stars})
    if figure.group:
        details.append(str(GROUP_COLUMNS[figure.group]))
    if figure.producer_kind and figure.kind != figures.MEASURE:
        details.append(str(TYPE_COLUMNS[figure.producer_kind]))
    suffix = f" ({', '.join(details)})" if details else ""
    era = _(" — boundaries before 1 July 2025") if figure.era != CURRENT else ""
    return f"{unit.name}: {text}{suffix}{era}"


def rows_csv(table: RowsTable, figure: figures.Figure, unit: Unit) -> HttpResponse:
    buffer = io.StringIO()
    writer = cells.csv_writer(buffer)  # a name starting with "=" stays text in a spreadsheet
    writer.writerow([column.title for column in table.columns])
    for obj in table.queryset.iterator(chunk_size=2000):
        writer.writerow([value for value, _link in table.row(obj)])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"ocop-{figure.kind}-{unit.code or 'vn'}-{figure.day.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# ---------------------------------------------------------------------------------------------
# The same figures as data (API, ``ocop dashboard --format json``)
# ---------------------------------------------------------------------------------------------


def progress_json(row, link: Callable[[figures.Figure], str]) -> dict:
    target, p = row.target, row.progress
    return {
        "id": target.pk,
        "province": {"code": target.province.code, "name": target.province.name} if target.province else None,
        "measure": target.measure,
        "description": row.description,
        "stars": target.stars or None,
        "producer_kind": target.producer_kind or None,
        "period_start": target.period_start,
        "period_end": target.period_end,
        "value": p.target,
        "is_share": target.is_share,
        "legal_basis": target.legal_basis,
        "confidence": target.confidence,
        "note": target.note,
        "actual": p.actual,
        "numerator": row.numerator,
        "denominator": row.denominator,
        "baseline": p.baseline,
        "expected": p.expected,
        "status": p.status,
        "gap": p.gap,
        "behind_by": p.behind_by,
        "elapsed": p.elapsed,
        "quarters_left": p.quarters_left,
        "pace_so_far": p.pace_so_far,
        "pace_needed": p.pace_needed,
        "rows_url": link(row.figure),
    }


def board_json(board: Dashboard, link: Callable[[figures.Figure], str]) -> dict:
    """Every figure of the dashboard, each with the URL of the rows it counts."""

    def number(n):
        return {"value": n.value, "rows_url": link(n.figure)}

    def period(p):
        return {
            "label": p.label,
            "start": p.start,
            "end": p.end,
            "counts": {str(k): number(v) for k, v in p.counts.items()},
        }

    unit = board.unit
    return {
        "unit": {"level": unit.level, "era": unit.era, "code": unit.code, "name": unit.name},
        "as_of": board.as_of,
        "boundaries": board.boundaries,
        "products": number(board.products),
        "by_stars": {str(s): number(n) for s, n in board.by_stars.items()},
        "by_group": {g: number(n) for g, n in board.by_group.items()},
        "producers": board.producers,
        "producers_by_type": board.producers_by_type,
        "subunits": [
            {
                "code": s.code,
                "name": s.name,
                "products": number(s.products),
                "by_stars": {str(k): number(v) for k, v in s.by_stars.items()},
                "producers": s.producers,
            }
            for s in board.subunits
        ],
        "years": [period(p) for p in board.years],
        "new_by_year": [period(p) for p in board.new_by_year],
        "quarters": [period(p) for p in board.quarters],
        "expiring": number(board.expiring),
        "pipeline": [{"status": s, "label": str(label), "count": n} for s, label, n in board.pipeline],
        "targets": [progress_json(row, link) for row in board.targets],
        "trace": {k: v for k, v in board.trace.items() if k != "quarter_start"},
    }
