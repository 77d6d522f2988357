"""Points of sale: the public list, map and page; and where officers keep them and their stock."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.collation import by_name
from ocop.geo.centres import province_centres
from ocop.web.edge import text_param
from ocop.web.feedback import REFUSED, act, flash_errors, submitted
from ocop.web.language import page_language
from ocop.web.paging import query_without_page

from .. import forms, hours, selectors, services, svgmap
from ..choices import PointKind
from ..models import PointOfSale, Stock
from ..places import province_outline

# ---------------------------------------------------------------------------------------------
# Points of sale
# ---------------------------------------------------------------------------------------------

POINTS_PAGE_SIZE = 50
MAP_LIMIT = 3000


@require_GET
def point_list(request):
    province_code = text_param(request.GET, "province")
    kind = request.GET.get("kind") if request.GET.get("kind") in PointKind.values else ""
    view = "map" if request.GET.get("view") == "map" else "list"
    filters = selectors.PointFilters(province=province_code, kind=kind, q=request.GET.get("q", ""))
    points = selectors.points_of_sale(filters, user=request.user)
    provinces = list(forms.current_provinces())
    context = {
        "provinces": provinces,
        "province": next((p for p in provinces if p.code == province_code), None),
        "kinds": PointKind.choices,
        "filters": filters,
        "view": view,
        "query": query_without_page(request),
    }
    if view == "map":
        rows = list(points[:MAP_LIMIT])
        province = context["province"]
        centre = province_centres().get(province.code) if province else None
        extra = [(centre.lat, centre.lon)] if centre else []
        # The province's outline; on the national map every province's, each a link to its own.
        shapes = (
            [(province, province_outline(province.code))]
            if province
            else [(p, province_outline(p.code)) for p in provinces]
        )
        layout = svgmap.layout(rows, lambda p: p.coordinates, extra=extra, shapes=shapes)
        context.update(
            {
                "layout": layout,
                "centre": centre,
                "centre_xy": layout.projection.xy(centre.lat, centre.lon) if centre else None,
                "count": len(rows),
            }
        )
    else:
        context["page"] = Paginator(points, POINTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "market/point_list.html", context)


@require_GET
def point_coverage(request):
    rows = selectors.coverage(user=request.user)
    return render(
        request,
        "market/point_coverage.html",
        {
            "rows": rows,
            "covered": sum(1 for r in rows if r.covered),
            "ocop_points": sum(r.ocop_points for r in rows),
            "other_points": sum(r.other_points for r in rows),
        },
    )


@require_GET
def point_detail(request, pk):
    today = timezone.localdate()
    point, stock = selectors.point_detail(pk, user=request.user, day=today)
    now = timezone.localtime()
    rules = point.opening_rules
    items = [(s, s.product.current_recognition(today)) for s in stock]
    return render(
        request,
        "market/point_detail.html",
        {
            "point": point,
            "items": [(s, r, r.status_on(today) if r else "never") for s, r in items],
            "hours": hours.describe(rules, page_language(request)),
            "open_now": hours.is_open(rules, now.weekday(), now.hour * 60 + now.minute) if rules else None,
            "open_today": point.is_open_on(today),
            "can_change": request.user.is_authenticated and gate.allows(request.user, Action.CHANGE, point),
            "today": today,
        },
    )


# ---------------------------------------------------------------------------------------------
# Managing points of sale
# ---------------------------------------------------------------------------------------------


def _may_place_points(user) -> bool:
    from ocop.geo.models import Commune, Province

    return gate.can(user, Action.ADD, PointOfSale) and (
        gate.can(user, Action.PLACE, Commune) or gate.can(user, Action.PLACE, Province)
    )


@login_required
@require_GET
def manage_points(request):
    page = Paginator(selectors.managed_points(request.user), POINTS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "market/manage_points.html",
        {"page": page, "can_add": _may_place_points(request.user), "query": ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_create(request):
    if not _may_place_points(request.user):
        return render(request, "403.html", status=403)
    form = forms.PointForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        point, form, _status = submitted(
            request,
            form,
            lambda: services.point_create(
                user=request.user,
                data=form.service_data(),
                hours_text=form.cleaned_data["hours_text"],
                province=form.cleaned_data["province"],
                commune=form.cleaned_data["commune"],
            ),
            success=lambda point: _("Point of sale “%(name)s” registered.") % {"name": point.name},
        )
        if point is not REFUSED:
            return redirect("market:point_edit", pk=point.pk)
    return render(request, "market/point_form.html", {"form": form, "point": None})


@login_required
@require_http_methods(["GET", "POST"])
def point_edit(request, pk):
    point = gate.get_or_404(
        PointOfSale.objects.select_related("province", "commune"), request.user, Action.CHANGE, pk=pk
    )
    form = forms.PointForm(request.POST or None, instance=point, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        saved, form, status = submitted(
            request,
            form,
            lambda: services.point_update(
                user=request.user,
                point=point,
                data=form.service_data(),
                hours_text=form.cleaned_data["hours_text"],
                province=form.cleaned_data["province"],
                commune=form.cleaned_data["commune"],
                version=form.cleaned_data["version"],
            ),
            success=_("Saved."),
        )
        if saved is not REFUSED:
            return redirect("market:point_edit", pk=point.pk)
    if request.method == "POST":
        point.refresh_from_db()
    stock = (
        Stock.objects.filter(point=point)
        .select_related("product", "product__producer")
        .order_by(*by_name("product__name_vi"), "pk")
    )
    return render(
        request,
        "market/point_form.html",
        {"form": form, "point": point, "stock": stock, "stock_form": forms.StockForm()},
        status=status,
    )


@login_required
@require_POST
def stock_add(request, pk):
    point = gate.get_or_404(PointOfSale.objects.all(), request.user, Action.CHANGE, pk=pk)
    form = forms.StockForm(request.POST)
    if form.is_valid():
        act(
            request,
            lambda: services.stock_add(
                user=request.user,
                point=point,
                product=form.cleaned_data["product"],
                since=form.cleaned_data["since"],
            ),
            success=_("Product added to the list."),
        )
    else:
        flash_errors(request, form)
    return redirect("market:point_edit", pk=point.pk)


@login_required
@require_POST
def stock_remove(request, pk):
    stock = gate.get_or_404(Stock.objects.select_related("point"), request.user, Action.VIEW, pk=pk)
    if not gate.allows(request.user, Action.CHANGE, stock.point):
        raise Http404
    services.stock_remove(user=request.user, stock=stock)
    messages.success(request, _("Product removed from the list."))
    return redirect("market:point_edit", pk=stock.point_id)
