"""Pages of the catalogue and trade promotion: the public catalogue, product and producer
pages, points of sale, fairs, buyer enquiries, open data; and the pages where officers and
producers keep points of sale, supply figures, channels, enquiries and fairs.

Views parse input, fetch rows through the permission gate and call services; they hold no rules.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.client import client_address
from ocop.concurrency import EditConflict
from ocop.registry.models import Producer, Product
from ocop.web.edge import text_param
from ocop.web.feedback import apply_errors, flash_errors
from ocop.web.language import page_language
from ocop.web.paging import page_number

from . import forms, hours, indexing, opendata, selectors, services, svgmap
from .choices import CatalogueStatus, PointKind
from .links import product_slug, product_url
from .models import CatalogueState, Enquiry, Fair, FairParticipant, PointOfSale, SalesChannel, Stock
from .places import province_centres, province_outline


def _script_safe(data: dict) -> str:
    """JSON for a <script> element: nothing in it may close the element."""
    text = json.dumps({k: v for k, v in data.items() if v not in ("", None, [])}, ensure_ascii=False)
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@dataclass
class PageInfo:
    """Pagination over a count the selector already has (no second COUNT query)."""

    number: int
    count: int
    size: int

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def previouspage_number(self) -> int:
        return self.number - 1

    @property
    def nextpage_number(self) -> int:
        return self.number + 1

    @property
    def paginator(self):  # the shared pagination template reads page.paginator.*
        return self


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


# ---------------------------------------------------------------------------------------------
# The catalogue
# ---------------------------------------------------------------------------------------------


@require_GET
def catalogue(request):
    """Search and filter the catalogue; with htmx the results replace themselves in place."""
    form = forms.CatalogueFilterForm(request.GET or None)
    filters = selectors.CatalogueFilters()
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in ("", None)}
        filters = selectors.CatalogueFilters(**data)
    results = selectors.catalogue_search(filters, user=request.user)
    page = PageInfo(
        page_number(request, results.total, selectors.PAGE_SIZE), results.total, selectors.PAGE_SIZE
    )
    cards = selectors.catalogue_cards(results.page(page.number), language=page_language(request))
    context = {
        "form": form,
        "filters": filters,
        "results": results,
        "cards": cards,
        "page": page,
        "query": _query_without_page(request),
        "searched": bool(filters.q),
        "today": timezone.localdate(),
        "showing_lapsed": filters.status != CatalogueStatus.VALID,
    }
    template = "market/_results.html" if request.htmx else "market/catalogue.html"
    return render(request, template, context)


@require_GET
def product_redirect(request, pk):
    product = selectors.catalogue_product(pk, user=request.user)
    return redirect(product_url(product), permanent=True)


def _json_ld(request, product, current, today, language, valid_until) -> str:
    name = product.name_in(language)
    description = (product.description_en if language == "en" and product.description_en else "") or (
        product.description_vi
    )
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": name,
        "url": request.build_absolute_uri(product_url(product)),
        "category": product.product_set.name_en if language == "en" and product.product_set else "",
        "countryOfOrigin": "VN",
        "manufacturer": {
            "@type": "Organization",
            "name": product.producer.name,
            "url": request.build_absolute_uri(reverse("market:producer", args=[product.producer_id])),
            "address": {
                "@type": "PostalAddress",
                "addressLocality": product.producer.commune.name if product.producer.commune else "",
                "addressRegion": product.producer.province.name,
                "addressCountry": "VN",
            },
        },
    }
    if name != product.name_vi:
        data["alternateName"] = product.name_vi
    if description:
        data["description"] = description
    if not data["category"] and product.product_set:
        data["category"] = product.product_set.name_vi
    photos = [request.build_absolute_uri(p.image.url) for p in product.photos.all()]
    if photos:
        data["image"] = photos
    if product.gtin:
        data["gtin14"] = product.gtin
    if current is not None and current.status_on(today) == "valid":
        # Only a recognition valid today is claimed; an expired or revoked one is not an award.
        data["award"] = (
            f"OCOP {current.stars}★ ({current.recognised_on:%Y}, valid until {valid_until:%Y-%m-%d})"
        )
        data["additionalProperty"] = [
            {"@type": "PropertyValue", "name": "OCOP stars", "value": current.stars},
            {
                "@type": "PropertyValue",
                "name": "OCOP recognition valid until",
                "value": str(valid_until),
            },
        ]
    certifications = [c for c in product.certifications.all() if c.is_valid_on(today)]
    if certifications:
        data["hasCertification"] = [
            {
                "@type": "Certification",
                "name": c.get_kind_display(),
                **({"certificationIdentification": c.number} if c.number else {}),
                **({"issuedBy": {"@type": "Organization", "name": c.issuer}} if c.issuer else {}),
                **({"expires": c.expires_on.isoformat()} if c.expires_on else {}),
            }
            for c in certifications
        ]
    return _script_safe(data)


@require_GET
def product(request, pk, slug):
    product = selectors.catalogue_product(pk, user=request.user)
    if slug != product_slug(product):
        return redirect(product_url(product), permanent=True)
    today = timezone.localdate()
    language = page_language(request)
    current = product.current_recognition(today)
    # The last day in force: before valid_until when a revocation or a newer recognition
    # takes effect on a date still to come.
    valid_until = indexing.last_valid_day(current) if current else None
    supply = getattr(product, "supply", None)
    producer = product.producer
    user = request.user
    context = {
        "product": product,
        "producer": producer,
        "current": current,
        "status": current.status_on(today) if current else "never",
        "today": today,
        "supply": supply if supply is not None and not supply.is_empty() else None,
        "where": selectors.where_to_buy(product, day=today, user=user),
        "fairs": selectors.upcoming_fairs_of(producer.pk, day=today, user=user),
        "others": selectors.other_products(product, user=user),
        "can_enquire": producer.memberships.exists() and (supply is None or supply.accepts_enquiries),
        "can_change": user.is_authenticated and gate.allows(user, Action.CHANGE, product),
        "json_ld": _json_ld(request, product, current, today, language, valid_until),
        "valid_until": valid_until,
        "canonical": request.build_absolute_uri(product_url(product)),
        "og_image": request.build_absolute_uri(product.photos.all()[0].image.url)
        if product.photos.all()
        else "",
        "description": (product.description_en if language == "en" and product.description_en else "")
        or product.description_vi,
    }
    return render(request, "market/product.html", context)


def _producer_json_ld(request, producer, cards, canonical: str, language: str) -> str:
    """schema.org Organization: who the producer is, where, and the products it makes (their
    stars are claimed on the products' own pages, only while valid)."""
    description = (producer.description_en if language == "en" else "") or producer.description_vi
    return _script_safe(
        {
            "@context": "https://schema.org",
            "@type": "Organization",
            "name": producer.name,
            "url": canonical,
            "description": description,
            "sameAs": [producer.website] if producer.website else [],
            "address": {
                "@type": "PostalAddress",
                "addressLocality": producer.commune.name if producer.commune else "",
                "addressRegion": producer.province.name,
                "addressCountry": "VN",
            },
            "makesOffer": [
                {
                    "@type": "Offer",
                    "itemOffered": {
                        "@type": "Product",
                        "name": card.name,
                        "url": canonical.split("/catalogue/")[0] + card.url,
                    },
                }
                for card in cards
            ],
        }
    )


@require_GET
def producer(request, pk):
    producer = selectors.public_producer(pk, user=request.user)
    today = timezone.localdate()
    filters = selectors.CatalogueFilters(producer=producer.pk, status=CatalogueStatus.ALL, sort="name")
    results = selectors.catalogue_search(filters, user=request.user)
    cards = selectors.catalogue_cards(results.page(1, size=200), day=today, language=page_language(request))
    channels = [c for c in selectors.producer_channels(producer, user=request.user) if c.is_active_on(today)]
    canonical = request.build_absolute_uri(reverse("market:producer", args=[producer.pk]))
    context = {
        "producer": producer,
        "cards": cards,
        "channels": channels,
        "canonical": canonical,
        "json_ld": _producer_json_ld(request, producer, cards, canonical, page_language(request)),
        "fairs": selectors.upcoming_fairs_of(producer.pk, day=today, user=request.user),
        "can_enquire": producer.memberships.exists(),
        "can_change": request.user.is_authenticated and gate.allows(request.user, Action.CHANGE, producer),
        "today": today,
    }
    return render(request, "market/producer.html", context)


# ---------------------------------------------------------------------------------------------
# Buyer enquiries (public side)
# ---------------------------------------------------------------------------------------------


def _client(request) -> str:
    """The key enquiries are rate-limited by: the client's address, read as sign-in throttling
    reads it (one setting, OCOP_PROXY_COUNT, serves both behind a proxy)."""
    return services.client_key(client_address(request))


@require_http_methods(["GET", "POST"])
def enquiry_create(request, pk):
    producer = selectors.public_producer(pk, user=None)
    products = gate.restrict(Product.objects.filter(producer=producer), None, Action.VIEW).order_by("name_vi")
    accepting = producer.memberships.exists()
    initial = {"started": services.form_started_token(), "product": request.GET.get("product")}
    form = forms.EnquiryForm(request.POST or None, products=products, initial=initial)
    if request.method == "POST" and accepting and form.is_valid():
        data = form.cleaned_data
        try:
            _enquiry, token = services.enquiry_submit(
                producer=producer,
                product=data["product"],
                data=form.service_data(),
                message=data["message"],
                client=_client(request),
                honeypot=data["contact_time"],
                started=data["started"],
                language=page_language(request),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _(
                    "Your enquiry was sent. Keep the address of this page: it is your access to the answer (we also e-mailed it)."
                ),
            )
            return redirect("market:enquiry_thread", token=token)
    if request.method == "POST":
        # A new timestamp, so that a corrected form is not taken for a script's.
        form.data = form.data.copy()
        form.data["started"] = services.form_started_token()
    return render(
        request, "market/enquiry_form.html", {"form": form, "producer": producer, "accepting": accepting}
    )


@require_http_methods(["GET", "POST"])
def enquiry_thread(request, token):
    """The buyer's side of an enquiry, reached only through the signed link they were given."""
    enquiry = services.enquiry_from_token(token)
    if enquiry is None:
        raise Http404("No enquiry matches the given link.")
    form = forms.MessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enquiry_buyer_reply(
                enquiry=enquiry, message=form.cleaned_data["message"], client=_client(request)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your message was sent to the producer."))
            return redirect("market:enquiry_thread", token=token)
    response = render(
        request,
        "market/enquiry_thread.html",
        {"enquiry": enquiry, "thread": selectors.enquiry_thread(enquiry), "form": form, "side": "buyer"},
    )
    # The link is the buyer's key: never leak it to other sites in a Referer header.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex"
    return response


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
        "query": _query_without_page(request),
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
# Fairs
# ---------------------------------------------------------------------------------------------


@require_GET
def fair_list(request):
    today = timezone.localdate()
    province = text_param(request.GET, "province")
    return render(
        request,
        "market/fair_list.html",
        {
            "upcoming": selectors.fairs(user=request.user, upcoming=True, day=today, province=province),
            "past": selectors.fairs(user=request.user, upcoming=False, day=today, province=province)[:30],
            "provinces": forms.current_provinces(),
            "province": province,
            "can_add": gate.can(request.user, Action.ADD, Fair),
        },
    )


@require_GET
def fair_detail(request, pk):
    fair, participants, totals = selectors.fair_detail(pk, user=request.user)
    today = timezone.localdate()
    return render(
        request,
        "market/fair_detail.html",
        {
            "fair": fair,
            "participants": participants,
            "totals": totals,
            "started": fair.starts_on <= today,
            "can_change": request.user.is_authenticated and gate.allows(request.user, Action.CHANGE, fair),
            "today": today,
        },
    )


# ---------------------------------------------------------------------------------------------
# Open data
# ---------------------------------------------------------------------------------------------

OPEN_READERS = {
    "products": selectors.open_products,
    "producers": selectors.open_producers,
    "points-of-sale": selectors.open_points,
}


@require_GET
def open_data(request):
    base = request.build_absolute_uri("/").rstrip("/")
    return render(
        request,
        "market/open_data.html",
        {"datasets": opendata.DATASETS.values(), "licence": opendata.LICENCE, "base": base},
    )


def _open_rows(dataset: str, request):
    since = opendata.parse_since(request.GET.get("changes_since"))
    kwargs = {"since": since, "province": (request.GET.get("province") or "").strip()}
    if dataset == "products":
        kwargs["status"] = (request.GET.get("status") or "").strip()
    _total, rows = OPEN_READERS[dataset](**kwargs)
    return since, rows


@require_GET
def open_data_file(request, dataset, fmt):
    """A whole dataset as CSV or JSON. Without parameters, the file is cached for a while
    (the catalogue's version and the day are in the key, so a change is seen at once)."""
    if dataset not in opendata.DATASETS or fmt not in ("csv", "json"):
        raise Http404
    try:
        opendata.parse_since(request.GET.get("changes_since"))
    except ValueError:
        return HttpResponse(
            _(
                "changes_since must be an ISO date or date-time, e.g. 2026-01-31 or 2026-01-31T08:00:00+07:00."
            ),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    definition = opendata.DATASETS[dataset]
    version = CatalogueState.objects.values_list("version", flat=True).first() or 0
    key = f"ocop:market:open:{dataset}:{fmt}:{version}:{timezone.localdate()}:{request.GET.urlencode()}"
    content = cache.get(key)
    if content is None:
        since, rows = _open_rows(dataset, request)
        now = timezone.now()
        if fmt == "csv":
            content = opendata.to_csv(definition, rows)
        else:
            content = opendata.to_json(definition, rows, generated_at=now, since=since)
        cache.set(key, content, getattr(settings, "OCOP_OPEN_DATA_CACHE_SECONDS", 300))
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="ocop-{dataset}-{timezone.localdate():%Y-%m-%d}.{fmt}"'
    )
    response["Link"] = f'<{opendata.LICENCE["path"]}>; rel="license"'
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def open_data_package(request):
    base = request.build_absolute_uri("/").rstrip("/")
    response = JsonResponse(opendata.datapackage(base), json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


# ---------------------------------------------------------------------------------------------
# Managing: the hub
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def manage_home(request):
    user = request.user
    producers = gate.restrict(Producer.objects.all(), user, Action.CHANGE)
    own = list(producers.filter(members=user).order_by("name")[:20])
    return render(
        request,
        "market/manage_home.html",
        {
            "own_producers": own,
            "open_enquiries": selectors.enquiries_for(user, status="open").count(),
            "points": gate.can(user, Action.CHANGE, PointOfSale),
            "point_count": gate.restrict(PointOfSale.objects.all(), user, Action.CHANGE).count()
            if gate.can(user, Action.CHANGE, PointOfSale)
            else 0,
            "fairs": gate.can(user, Action.CHANGE, Fair),
            "participations": gate.restrict(FairParticipant.objects.all(), user, Action.CHANGE)
            .filter(producer__members=user)
            .select_related("fair", "producer")
            .order_by("-fair__starts_on")[:20],
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
        try:
            point = services.point_create(
                user=request.user,
                data=form.service_data(),
                hours_text=form.cleaned_data["hours_text"],
                province=form.cleaned_data["province"],
                commune=form.cleaned_data["commune"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Point of sale “%(name)s” registered.") % {"name": point.name})
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
        try:
            services.point_update(
                user=request.user,
                point=point,
                data=form.service_data(),
                hours_text=form.cleaned_data["hours_text"],
                province=form.cleaned_data["province"],
                commune=form.cleaned_data["commune"],
                version=form.cleaned_data["version"],
            )
        except EditConflict as conflict:
            form, status = form.refused(conflict), 409
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("market:point_edit", pk=point.pk)
    if request.method == "POST":
        point.refresh_from_db()
    stock = (
        Stock.objects.filter(point=point)
        .select_related("product", "product__producer")
        .order_by("product__name_vi", "pk")
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
        try:
            services.stock_add(
                user=request.user,
                point=point,
                product=form.cleaned_data["product"],
                since=form.cleaned_data["since"],
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Product added to the list."))
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


# ---------------------------------------------------------------------------------------------
# Managing supply figures and channels
# ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def supply_edit(request, pk):
    product = gate.get_or_404(
        Product.objects.select_related("producer", "producer__province"), request.user, Action.CHANGE, pk=pk
    )
    supply = getattr(product, "supply", None)
    form = forms.SupplyForm(request.POST or None, instance=supply)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form._meta.fields}
        try:
            services.supply_update(
                user=request.user, product=product, data=data, version=form.cleaned_data["version"]
            )
        except EditConflict as conflict:
            form, status = form.refused(conflict), 409
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Supply capacity saved."))
            return redirect("market:supply_edit", pk=product.pk)
    return render(request, "market/supply_form.html", {"form": form, "product": product}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def channels(request, pk):
    producer = gate.get_or_404(
        Producer.objects.select_related("province"), request.user, Action.CHANGE, pk=pk
    )
    form = forms.ChannelForm(request.POST or None, producer=producer)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("kind", "partner", "url", "country", "started_on")}
        try:
            services.channel_add(
                user=request.user, producer=producer, product=form.cleaned_data["product"], data=data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Sales channel added."))
            return redirect("market:channels", pk=producer.pk)
    return render(
        request,
        "market/channels.html",
        {
            "producer": producer,
            "form": form,
            "channels": selectors.producer_channels(producer, user=request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def channel_end(request, pk):
    channel = gate.get_or_404(
        SalesChannel.objects.select_related("producer"), request.user, Action.VIEW, pk=pk
    )
    if not gate.allows(request.user, Action.CHANGE, channel.producer):
        raise Http404
    try:
        services.channel_end(user=request.user, channel=channel)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Channel marked as ended."))
    return redirect("market:channels", pk=channel.producer_id)


# ---------------------------------------------------------------------------------------------
# Managing enquiries (the producer's side)
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def manage_enquiries(request):
    status = text_param(request.GET, "status")
    page = Paginator(selectors.enquiries_for(request.user, status=status), 30).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "market/manage_enquiries.html",
        {"page": page, "status": status, "query": f"status={status}" if status else ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage_enquiry(request, pk):
    enquiry = gate.get_or_404(
        Enquiry.objects.select_related("producer", "product"), request.user, Action.VIEW, pk=pk
    )
    can_answer = gate.allows(request.user, Action.CHANGE, enquiry)
    form = forms.MessageForm(request.POST or None)
    if request.method == "POST":
        if not can_answer:
            raise Http404
        if form.is_valid():
            try:
                services.enquiry_answer(
                    user=request.user, enquiry=enquiry, message=form.cleaned_data["message"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Your answer was sent. The buyer is told by e-mail."))
                return redirect("market:manage_enquiry", pk=enquiry.pk)
    return render(
        request,
        "market/enquiry_thread.html",
        {
            "enquiry": enquiry,
            "thread": selectors.enquiry_thread(enquiry),
            "form": form if can_answer else None,
            "side": "producer",
        },
    )


@login_required
@require_POST
def enquiry_close(request, pk):
    enquiry = gate.get_or_404(Enquiry.objects.all(), request.user, Action.CHANGE, pk=pk)
    services.enquiry_close(user=request.user, enquiry=enquiry)
    messages.success(request, _("Enquiry closed."))
    return redirect("market:manage_enquiry", pk=enquiry.pk)


# ---------------------------------------------------------------------------------------------
# Managing fairs
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def manage_fairs(request):
    fairs = (
        gate.restrict(Fair.objects.all(), request.user, Action.CHANGE)
        .select_related("province")
        .order_by("-starts_on", "pk")
    )
    participations = (
        gate.restrict(FairParticipant.objects.all(), request.user, Action.CHANGE)
        .filter(producer__members=request.user)
        .select_related("fair", "producer")
        .order_by("-fair__starts_on", "pk")
    )
    return render(
        request,
        "market/manage_fairs.html",
        {
            "fairs": Paginator(fairs, 50).get_page(request.GET.get("page")),
            "participations": participations,
            "can_add": gate.can(request.user, Action.ADD, Fair),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def fair_create(request):
    if not gate.can(request.user, Action.ADD, Fair):
        return render(request, "403.html", status=403)
    form = forms.FairForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            fair = services.fair_create(user=request.user, data=form.service_data())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Event “%(name)s” recorded.") % {"name": fair.name})
            return redirect("market:fair_edit", pk=fair.pk)
    return render(request, "market/fair_form.html", {"form": form, "fair": None})


@login_required
@require_http_methods(["GET", "POST"])
def fair_edit(request, pk):
    fair = gate.get_or_404(Fair.objects.select_related("province"), request.user, Action.CHANGE, pk=pk)
    form = forms.FairForm(request.POST or None, instance=fair, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.fair_update(
                user=request.user, fair=fair, data=form.service_data(), version=form.cleaned_data["version"]
            )
        except EditConflict as conflict:
            form, status = form.refused(conflict), 409
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("market:fair_edit", pk=fair.pk)
    participants = (
        FairParticipant.objects.filter(fair=fair)
        .select_related("producer")
        .prefetch_related("products")
        .order_by("booth", "pk")
    )
    return render(
        request,
        "market/fair_form.html",
        {
            "form": form,
            "fair": fair,
            "participants": participants,
            "participant_form": forms.ParticipantForm(),
        },
        status=status,
    )


@login_required
@require_POST
def participant_add(request, pk):
    fair = gate.get_or_404(Fair.objects.all(), request.user, Action.CHANGE, pk=pk)
    form = forms.ParticipantForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.participant_add(
                user=request.user,
                fair=fair,
                producer=data["producer"],
                booth=data["booth"],
                products=data["products"],
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Participant added."))
    else:
        flash_errors(request, form)
    return redirect("market:fair_edit", pk=fair.pk)


@login_required
@require_POST
def participant_remove(request, pk):
    participant = gate.get_or_404(
        FairParticipant.objects.select_related("fair"), request.user, Action.VIEW, pk=pk
    )
    if not gate.allows(request.user, Action.CHANGE, participant.fair):
        raise Http404
    services.participant_remove(user=request.user, participant=participant)
    messages.success(request, _("Participant removed."))
    return redirect("market:fair_edit", pk=participant.fair_id)


@login_required
@require_http_methods(["GET", "POST"])
def sales_report(request, pk):
    participant = gate.get_or_404(
        FairParticipant.objects.select_related("fair", "producer"), request.user, Action.CHANGE, pk=pk
    )
    form = forms.SalesReportForm(request.POST or None, instance=participant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.participant_sales_report(
                user=request.user,
                participant=participant,
                sales_vnd=data["sales_vnd"],
                contracts=data["contracts"],
                note=data["sales_note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Sales reported. Thank you."))
            return redirect("market:fair_detail", pk=participant.fair_id)
    return render(request, "market/sales_form.html", {"form": form, "participant": participant})
