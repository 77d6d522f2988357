"""The officers' statistics page: the figures of ``ocop stats``, as a table with links behind them.

Views parse input and present; the figures come from :func:`selectors.programme_stats`.
"""

from datetime import date
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ocop.accounts.gate import actor_of
from ocop.geo.gazetteer import CURRENT
from ocop.geo.models import Province

from . import selectors
from .choices import GROUP_COLUMNS, TYPE_COLUMNS
from .forms import StatsForm


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
        "province_options": sorted(provinces, key=lambda p: p.short_name),
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
