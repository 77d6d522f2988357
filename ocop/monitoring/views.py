"""The monitoring pages: statistics, dashboards of the country, a province or a commune, the
rows behind every figure, targets, and quarterly reports.

Views parse input, check the unit is within reach and present; the figures come from
:func:`selectors.programme_stats` and :func:`dashboard.dashboard`, the rows from
:mod:`figures`, every write from :mod:`services`.
"""

from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.gate import actor_of
from ocop.collation import by_name
from ocop.geo.gazetteer import CURRENT
from ocop.geo.models import Commune, Province
from ocop.jobs.services import job_start
from ocop.registry.models import CraftVillage, Producer
from ocop.vntext import sort_key
from ocop.web.edge import text_param
from ocop.web.feedback import REFUSED, act, submitted

from . import dashboard, figures, forms, measures, presenting, selectors, services, units
from .choices import GROUP_COLUMNS, TYPE_COLUMNS, Measure
from .forms import StatsForm
from .models import Target
from .units import reachable


def _cells(entry: dict, link: dict | None) -> list[dict]:
    """The figures of one row, each with the URL of the product list behind it (or None).

    ``link`` holds the product list's filters for the row's unit ({} for the whole country), or
    is None when the list cannot show what the figure counts."""
    products, producers = entry["products"], entry["producers"]
    product_list = reverse("registry:product_list")

    def cell(value, **filters):
        url = None
        if link is not None and value:
            url = f"{product_list}?{urlencode({**link, 'min_stars': 3, **filters})}"
        return {"value": value, "url": url}

    return [
        cell(products["total"]),
        *[cell(n, stars=stars) for stars, n in products["by_stars"].items()],
        *[cell(n, group=group) for group, n in products["by_group"].items()],
        cell(producers["total"]),
        *[cell(n, producer_kind=kind) for kind, n in producers["by_type"].items()],
    ]


def _table(result: dict, *, as_of: date, boundaries: str, reach: set[str] | None, linkable: bool) -> dict:
    """Rows (provinces, or communes of a province) and the totals row, ready for the template.

    ``reach``: current province codes whose whole product list the user sees (None: every one)."""

    def province_link(code):
        if not linkable or code is None:
            return None
        return {"province": code} if reach is None or code in reach else None

    rows = []
    if "provinces" in result:
        unit_label = _("Province")
        for entry in result["provinces"]:
            code = entry["province"]["code"]
            drill = "?" + urlencode({"as_of": as_of.isoformat(), "boundaries": boundaries, "province": code})
            rows.append(
                {
                    "code": code,
                    "name": entry["province"]["name"],
                    "url": drill,
                    "cells": _cells(entry, province_link(code)),
                }
            )
        total_link = {} if linkable and reach is None else None
        total = {"code": "", "name": _("Total"), "cells": _cells(result, total_link)}
    else:
        unit_label = _("Commune")
        province_filters = province_link(result["province"]["code"])
        for entry in result.get("communes", []):
            commune = entry["commune"]
            # The product list filters by current commune: only current boundaries link.
            link = (
                {**province_filters, "commune": commune["code"]}
                if province_filters is not None
                and commune["code"]
                and boundaries == selectors.CURRENT_BOUNDARIES
                else None
            )
            rows.append(
                {
                    "code": commune["code"] or "",
                    "name": commune["name"] or _("(commune not recorded)"),
                    "url": None,
                    "cells": _cells(entry, link),
                }
            )
        total = {
            "code": result["province"]["code"],
            "name": result["province"]["name"],
            "cells": _cells(result, province_link(result["province"]["code"])),
        }
    return {"unit_label": unit_label, "rows": rows, "total": total}


@login_required
@require_GET
def stats(request):
    today = timezone.localdate()
    form = StatsForm(request.GET or None, initial={"as_of": today})
    as_of, boundaries, province = today, selectors.CURRENT_BOUNDARIES, ""
    result = None
    if form.is_bound and form.is_valid():
        as_of = form.cleaned_data["as_of"] or today
        boundaries = form.cleaned_data["boundaries"] or selectors.CURRENT_BOUNDARIES
        province = form.cleaned_data["province"].strip()
    if not form.is_bound or form.is_valid():
        try:
            result = selectors.programme_stats(
                user=request.user,
                as_of=as_of,
                boundaries=boundaries,
                province=province or None,
                by=selectors.BY_COMMUNE if province else None,
            )
        except selectors.StatsError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))

    era = selectors.boundary_era(as_of, boundaries)
    provinces = list(Province.objects.of_era(era).order_by("code"))
    context = {
        "form": form,
        "errors": [e for errors in form.errors.values() for e in errors] if form.is_bound else [],
        "result": result,
        "province_options": sorted(provinces, key=lambda p: sort_key(p.short_name)),
        "as_of": as_of,
        "is_today": as_of == today,
        "boundaries": boundaries,
        "group_columns": GROUP_COLUMNS.values(),
        "type_columns": TYPE_COLUMNS.values(),
    }
    if result is not None:
        # The product list shows today's status, by today's provinces, of the records the user
        # manages: figures link to it only when it can show what they count.
        actor = actor_of(request.user)
        linkable = as_of == today and era == CURRENT and actor.is_officer
        reach = None if actor.is_central else {p.code for p in provinces if p.pk in actor.province_ids}
        context.update(_table(result, as_of=as_of, boundaries=boundaries, reach=reach, linkable=linkable))
        context["linked"] = linkable and (actor.is_central or bool(reach))
        api_params = {"as_of": as_of.isoformat(), "boundaries": boundaries}
        if province:
            api_params.update(province=result["province"]["code"], by=selectors.BY_COMMUNE)
        context["api_url"] = f"{reverse('api:programme_stats')}?{urlencode(api_params)}"
        context["country_url"] = "?" + urlencode({"as_of": as_of.isoformat(), "boundaries": boundaries})
    template = "monitoring/_stats_table.html" if request.htmx else "monitoring/stats.html"
    return render(request, template, context)


# ---------------------------------------------------------------------------------------------
# Dashboards
# ---------------------------------------------------------------------------------------------


def _day_and_boundaries(request) -> tuple[forms.DashboardForm, date, str]:
    today = timezone.localdate()
    form = forms.DashboardForm(request.GET or None, initial={"as_of": today})
    as_of, boundaries = today, selectors.CURRENT_BOUNDARIES
    if form.is_bound and form.is_valid():
        as_of = form.cleaned_data["as_of"] or today
        boundaries = form.cleaned_data["boundaries"] or selectors.CURRENT_BOUNDARIES
    return form, min(as_of, today), boundaries


def _unit_or_404(user, *, era: str, province: str = "", commune: str = "") -> units.Unit:
    try:
        unit = figures.unit_of(
            figures.Figure(kind=figures.COUNTED, era=era, province=province, commune=commune)
        )
    except figures.FigureError:
        raise Http404(_("No such unit.")) from None
    if not reachable(user, unit):
        raise Http404(_("No such unit."))
    return unit


@login_required
@require_GET
def dashboard_home(request):
    """The dashboard of the person's widest jurisdiction."""
    actor = actor_of(request.user)
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    if actor.is_central:
        # The country of the boundaries asked for: before 1 July 2025 on historical boundaries,
        # the 63 provinces of then.
        _form, as_of, boundaries = _day_and_boundaries(request)
        return _dashboard(request, units.country(selectors.boundary_era(as_of, boundaries)))
    # Else the first of their provinces, else of their communes, by code.
    for model, ids, page in (
        (Province, actor.province_ids, "monitoring:dashboard_province"),
        (Commune, actor.commune_ids, "monitoring:dashboard_commune"),
    ):
        if ids:
            code = model.objects.filter(pk__in=ids).order_by("code").values_list("code", flat=True)[0]
            return redirect(reverse(page, args=[code]) + query)
    raise Http404("No dashboard for this account.")


@login_required
@require_GET
def dashboard_province(request, code):
    _form, as_of, boundaries = _day_and_boundaries(request)
    era = selectors.boundary_era(as_of, boundaries)
    return _dashboard(request, _unit_or_404(request.user, era=era, province=code))


@login_required
@require_GET
def dashboard_commune(request, code):
    # A commune's dashboard counts by today's commune (the old communes have no boundaries on
    # file, and a new commune's producers came from several of them).
    commune = Commune.objects.filter(era_id=CURRENT, code=code).select_related("province").first()
    if commune is None:
        raise Http404("No such commune.")
    return _dashboard(
        request, _unit_or_404(request.user, era=CURRENT, province=commune.province.code, commune=code)
    )


def _dashboard(request, unit: units.Unit):
    form, as_of, boundaries = _day_and_boundaries(request)
    if unit.level == units.COMMUNE:
        boundaries = selectors.CURRENT_BOUNDARIES
    board = dashboard.cached_dashboard(unit=unit, as_of=as_of, boundaries=boundaries, user=request.user)
    page = presenting.present(board, user=request.user)
    keep = {"as_of": as_of.isoformat(), "boundaries": boundaries}
    context = {
        "form": form,
        "board": board,
        "page": page,
        "unit": unit,
        "as_of": as_of,
        "boundaries": boundaries,
        "is_today": as_of == timezone.localdate(),
        "keep": urlencode(keep),
        "api_url": f"{reverse('api:monitoring_dashboard')}?{urlencode({**keep, **page.api_params})}",
    }
    return render(request, "monitoring/dashboard.html", context)


@login_required
@require_GET
def figure_rows(request):
    """The rows behind a figure of a dashboard or report: recognitions, or a measure's rows."""
    try:
        figure = figures.from_params(request.GET)
        unit = figures.unit_of(figure)
    except figures.FigureError:
        raise Http404("No such figure.") from None
    if not reachable(request.user, unit):
        raise Http404("No such figure.")
    queryset = figures.rows(figure, unit)
    table = presenting.rows_table(queryset, figure)
    if request.GET.get("format") == "csv":
        return presenting.rows_csv(table, figure, unit)
    paginator = Paginator(table.queryset, 50)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "figure": figure,
        "unit": unit,
        "title": presenting.figure_title(figure, unit),
        "table": table,
        "page": page,
        "rows": [table.row(obj) for obj in page.object_list],
        "query": query.urlencode(),
    }
    return render(request, "monitoring/figure_rows.html", context)


# ---------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------


def _provinces_in_charge(user):
    """Today's provinces whose targets and reports the user is in charge of: a province
    officer's own, every one for the central office."""
    return gate.restrict(Province.objects.filter(era_id=CURRENT), user, Action.PLACE).order_by("code")


def _may_set_targets(user) -> bool:
    actor = actor_of(user)
    return actor.is_central or bool(actor.province_ids)


@login_required
@require_GET
def target_list(request):
    """Every target (they are public decisions), with the progress of each on a day."""
    _form, as_of, _boundaries = _day_and_boundaries(request)
    targets = list(
        gate.restrict(Target.objects.select_related("province"), request.user, Action.VIEW).order_by(
            "province__code", "-period_end", "measure", "pk"
        )
    )
    # National targets are the central office's, whatever the gate lets officers change.
    changeable = set(
        gate.restrict(Target.objects.all(), request.user, Action.CHANGE)
        .filter(Q() if actor_of(request.user).is_central else Q(province__isnull=False))
        .values_list("pk", flat=True)
    )
    rows = [
        {"target": t, "row": dashboard.target_row(t, as_of), "changeable": t.pk in changeable}
        for t in targets
    ]
    return render(
        request,
        "monitoring/targets.html",
        {"rows": rows, "as_of": as_of, "may_add": _may_set_targets(request.user)},
    )


def _target_fields(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("version", None)
    data["stars"] = data.get("stars") or 0
    data["producer_kind"] = data.get("producer_kind") or ""
    return data


@login_required
@require_http_methods(["GET", "POST"])
def target_create(request):
    if not _may_set_targets(request.user):
        raise Http404("Only officers set targets.")
    provinces = _provinces_in_charge(request.user)
    form = forms.TargetForm(
        request.POST or None, provinces=provinces, allow_national=actor_of(request.user).is_central
    )
    if request.method == "POST" and form.is_valid():
        saved, form, _status = submitted(
            request,
            form,
            lambda: services.target_create(user=request.user, **_target_fields(form)),
            success=_("Target saved."),
        )
        if saved is not REFUSED:
            return redirect("monitoring:targets")
    return render(request, "monitoring/target_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request, pk):
    target = gate.get_or_404(Target.objects.select_related("province"), request.user, Action.CHANGE, pk=pk)
    if target.province_id is None and not actor_of(request.user).is_central:
        raise Http404("National targets are set by the central office.")
    initial = {
        name: getattr(target, name) for name in services.FIELDS if name in forms.TargetForm.base_fields
    }
    form = forms.TargetForm(
        request.POST or None,
        initial=initial,
        record=target,
        provinces=_provinces_in_charge(request.user),
        allow_national=actor_of(request.user).is_central,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        saved, form, status = submitted(
            request,
            form,
            lambda: services.target_update(
                user=request.user, target=target, version=form.cleaned_data["version"], **_target_fields(form)
            ),
            success=_("Target saved."),
        )
        if saved is not REFUSED:
            return redirect("monitoring:targets")
    return render(request, "monitoring/target_form.html", {"form": form, "target": target}, status=status)


@login_required
@require_POST
def target_delete(request, pk):
    target = gate.get_or_404(Target.objects.all(), request.user, Action.DELETE, pk=pk)
    act(
        request,
        lambda: services.target_delete(user=request.user, target=target),
        success=_("Target deleted."),
    )
    return redirect("monitoring:targets")


# ---------------------------------------------------------------------------------------------
# Quarterly reports
# ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def reports(request):
    """Ask for a province's quarterly report (.xlsx or PDF); it is written in the background."""
    provinces = _provinces_in_charge(request.user)
    if not provinces.exists():
        raise Http404("Reports are for province officers and the central office.")
    today = timezone.localdate()
    last_year, last_quarter = dashboard.last_quarters(today, 2)[0]
    initial = {
        "year": last_year,
        "quarter": last_quarter,
        "boundaries": selectors.CURRENT_BOUNDARIES,
        "province": provinces.filter(code=text_param(request.GET, "province")).first() or provinces.first(),
    }
    form = forms.ReportForm(request.POST or None, initial=initial, provinces=provinces)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start = dashboard.quarter_span(data["year"], data["quarter"])[0]
        if start > today:
            form.add_error("quarter", _("This quarter has not begun."))
        else:
            job = job_start(
                kind="monitoring.report",
                owner=request.user,
                params={
                    "province": data["province"].code,
                    "year": data["year"],
                    "quarter": data["quarter"],
                    "boundaries": data["boundaries"],
                    "format": data["format"],
                    "language": request.LANGUAGE_CODE,
                    "base_url": request.build_absolute_uri("/").rstrip("/"),
                },
            )
            return redirect("jobs:detail", pk=job.pk)
    return render(request, "monitoring/reports.html", {"form": form})


# ---------------------------------------------------------------------------------------------
# Craft villages
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def craft_villages(request):
    """The craft villages of the provinces in the user's charge, and whether each has an OCOP
    product today (the measure of the programme's target)."""
    provinces = _provinces_in_charge(request.user)
    if not provinces.exists():
        raise Http404("Craft villages are kept by province officers and the central office.")
    chosen = provinces.filter(code=text_param(request.GET, "province")).first() or provinces.first()
    today = timezone.localdate()
    unit = units.Unit(era=CURRENT, province=chosen)
    with_product = set(
        measures.numerator(Measure.CRAFT_VILLAGE_SHARE, unit=unit, day=today).values_list("pk", flat=True)
    )
    villages = (
        gate.restrict(CraftVillage.objects.filter(province=chosen), request.user, Action.VIEW)
        .select_related("commune")
        .annotate(members=Count("producers"))
        .order_by(*by_name("name"), "pk")
    )
    page = Paginator(villages, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "monitoring/craft_villages.html",
        {
            "provinces": provinces,
            "province": chosen,
            "page": page,
            "with_product": with_product,
            "query": urlencode({"province": chosen.code}),
        },
    )


def _village_form(request, village=None):
    provinces = _provinces_in_charge(request.user)
    province = village.province if village else provinces.filter(pk=request.POST.get("province") or 0).first()
    province = province or provinces.first()
    initial = {}
    if village is not None:
        initial = {name: getattr(village, name) for name in services.VILLAGE_FIELDS}
        initial["producers"] = list(village.producers.values_list("pk", flat=True))
    return forms.CraftVillageForm(
        request.POST or None,
        initial=initial,
        record=village,
        provinces=provinces,
        communes=Commune.objects.filter(province=province).alphabetical(),
        producers=gate.restrict(
            Producer.objects.filter(province=province), request.user, Action.CHANGE
        ).order_by(*by_name("name")),
    )


@login_required
@require_http_methods(["GET", "POST"])
def craft_village_edit(request, pk=None):
    village = None
    if pk is not None:
        village = gate.get_or_404(
            CraftVillage.objects.select_related("province"), request.user, Action.CHANGE, pk=pk
        )
    elif not _provinces_in_charge(request.user).exists():
        raise Http404("Craft villages are kept by province officers and the central office.")
    form = _village_form(request, village)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        producers, version = data.pop("producers"), data.pop("version")
        saved, form, status = submitted(
            request,
            form,
            lambda: services.craft_village_save(
                user=request.user, village=village, producers=producers, version=version, **data
            ),
            success=_("Craft village saved."),
        )
        if saved is not REFUSED:
            return redirect(f"{reverse('monitoring:craft_villages')}?province={saved.province.code}")
    return render(
        request, "monitoring/craft_village_form.html", {"form": form, "village": village}, status=status
    )
