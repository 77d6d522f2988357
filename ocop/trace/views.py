"""Pages of traceability: the resolver and scan page anyone reaches from a label, the producers'
batch pages (made for a phone), and the officers' flags and reports.

Views parse input, fetch rows through the permission gate and call services; they hold no rules.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.collation import by_name
from ocop.jobs.services import job_start
from ocop.registry.models import Product
from ocop.web.feedback import REFUSED, act, apply_errors, flash_errors
from ocop.web.language import language_from_query
from ocop.web.paging import paginate

from . import codes, printing, resolver, scans, selectors, services
from . import digitallink as dl
from . import messages as words
from .choices import FlagKind
from .forms import BatchForm, LabelsForm, LinkForm, LocateForm, ReportForm, StepForm
from .models import Batch, ProblemReport, ProductLink, ScanFlag

# ---------------------------------------------------------------------------------------------
# Resolver: /01/... and /t/...
# ---------------------------------------------------------------------------------------------


def _wants_linkset(request) -> bool:
    """The linkset is asked for with ``Accept: application/linkset+json`` or ``?linkType=linkset``
    (``linkType=all``, its name before GS1-Conformant Resolver 1.0, still works)."""
    accept = request.META.get("HTTP_ACCEPT", "")
    return resolver.LINKSET_TYPE in accept or request.GET.get("linkType") in ("linkset", "all")


# Any web application may read what the resolver answers (GS1-Conformant Resolver: CORS).
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language",
    "Access-Control-Expose-Headers": "Link, Location",
}


def _cors(response):
    for name, value in CORS.items():
        response[name] = value
    return response


def _resolver_error(request, error: dl.DigitalLinkError):
    status = error.status
    if _wants_linkset(request) or "json" in request.META.get("HTTP_ACCEPT", ""):
        body = {
            "type": f"https://ref.gs1.org/standards/resolver/{error.code}",
            "title": error.code,
            "status": status,
            "detail": words.describe(error),
        }
        response = HttpResponse(json.dumps(body), status=status, content_type="application/problem+json")
    else:
        response = render(
            request,
            "trace/scan_error.html",
            {"error": words.describe(error), "status": status},
            status=status,
        )
    patch_cache_control(response, public=True, max_age=300)
    patch_vary_headers(response, ("Accept",))
    return _cors(response)


SCAN_PARAMS = {"s", "unknown", "thanks"}


def _with_query(url: str, query: str) -> str:
    """``url`` with the scanned address's query string passed on (the resolver standard asks for
    every key=value pair to travel with the redirect)."""
    if not query:
        return url
    url, hash_, fragment = url.partition("#")
    return url + ("&" if "?" in url else "?") + query + hash_ + fragment


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def resolve(request, rest=""):
    """A scanned label: redirect to the scan page, or answer with the linkset."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Allow"] = "GET, HEAD, OPTIONS"
        response["Access-Control-Max-Age"] = "86400"
        return _cors(response)
    try:
        scanned = resolver.scan(request)
    except dl.DigitalLinkError as error:
        return _resolver_error(request, error)
    if scanned.target.product_id is None or not scanned.target.public:
        return _resolver_error(
            request,
            dl.DigitalLinkError("not-found", _("No product on the OCOP platform carries this code."), 404),
        )
    base = services.public_base()
    query = request.META.get("QUERY_STRING", "")
    link_type = request.GET.get("linkType", "")
    if _wants_linkset(request) or link_type:
        document = resolver.linkset(request, scanned, base)
        if link_type and link_type not in ("linkset", "all"):
            href = resolver.link_of_type(document, link_type, request.META.get("HTTP_ACCEPT", ""))
            if href is None:
                return _resolver_error(
                    request,
                    dl.DigitalLinkError(
                        "no-link", _("This product has no link of type %(type)s.") % {"type": link_type}, 404
                    ),
                )
            response = HttpResponseRedirect(_with_query(href, query), status=307)
        else:
            response = HttpResponse(
                json.dumps(document, ensure_ascii=False), content_type=resolver.LINKSET_TYPE
            )
            # How to read the linkset as JSON-LD (GS1-Conformant Resolver, linkset context).
            response["Link"] = (
                f'<{resolver.LINKSET_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; '
                'type="application/ld+json"'
            )
        patch_vary_headers(response, ("Accept", "Accept-Language"))
        patch_cache_control(response, public=True, max_age=settings.OCOP_TRACE_LINKSET_MAX_AGE)
        return _cors(response)
    if scans.counting() == "app" and request.method == "GET":
        scans.RECORDER.scan(scanned.target, code=scanned.code, serial=scanned.serial)
    # The scan page's own parameters come from the code, never from the query passed on.
    passed = "&".join(p for p in query.split("&") if p.partition("=")[0] not in SCAN_PARAMS)
    response = HttpResponseRedirect(_with_query(resolver.scan_page(scanned), passed), status=307)
    # The redirect does not depend on the recognition's status (the scan page states it), so it
    # may be cached; a code not yet issued is cached briefly, since its batch may be recorded soon.
    known = scanned.target.serial_issued(scanned.serial) and not scanned.target.lot_unknown
    patch_cache_control(response, public=True, max_age=settings.OCOP_TRACE_RESOLVER_MAX_AGE if known else 30)
    patch_vary_headers(response, ("Accept",))
    linkset_url = request.build_absolute_uri(resolver.raw_path(request)) + "?linkType=linkset"
    response["Link"] = f'<{linkset_url}>; rel="linkset"; type="{resolver.LINKSET_TYPE}"'
    return _cors(response)


@require_http_methods(["GET", "HEAD", "OPTIONS"])
def resolver_description(request):
    """``/.well-known/gs1resolver``: what this resolver serves (GS1-Conformant Resolver)."""
    response = HttpResponse(
        json.dumps(resolver.description(services.public_base()), ensure_ascii=False),
        content_type="application/json",
    )
    patch_cache_control(response, public=True, max_age=3600)
    return _cors(response)


# ---------------------------------------------------------------------------------------------
# The scan page (public, no script, light)
# ---------------------------------------------------------------------------------------------


def _scan_response(request, product: Product, batch: Batch | None):
    language = language_from_query(request)
    today = timezone.localdate()
    current, status = selectors.status_of(product, today)
    steps = selectors.chain(batch) if batch else []
    serial = (request.GET.get("s") or "")[:20]
    where_to_buy = select_template(["market/_where_to_buy.html", "trace/_where_to_buy_none.html"])
    context = {
        "product": product,
        "batch": batch,
        "current": current,
        "status": status,
        "today": today,
        "steps": steps,
        "shops": selectors.shops(steps),
        "serial": serial,
        "unknown": request.GET.get("unknown", ""),
        # The market app's list of points of sale when it is installed (the shops this batch
        # was shipped to then follow it), else those shops alone.
        "where_to_buy_template": where_to_buy,
        "shops_apart": where_to_buy.template.name != "trace/_where_to_buy_none.html",
        "report_form": ReportForm(),
        "locate_form": LocateForm(),
        "photo": next(iter(product.photos.all()), None),
        "code": services.label_link(batch, serial or None).element_string() if batch else "",
        "other_language": "en" if language == "vi" else "vi",
        "thanks": request.GET.get("thanks", ""),
    }
    response = render(request, "trace/scan.html", context)
    # Short enough that a revocation reaches every shopper within a minute even when a proxy and
    # the browser each keep a copy for this long (twice the age stays under 60 s).
    patch_cache_control(response, public=True, max_age=settings.OCOP_TRACE_SCAN_MAX_AGE)
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


@require_safe
def scan_batch(request, pk):
    batch = gate.get_or_404(Batch.objects.select_related("product"), request.user, Action.VIEW, pk=pk)
    return _scan_response(request, selectors.scan_product(batch.product_id), batch)


@require_safe
def scan_product(request, pk):
    if not selectors.scannable(request.user).filter(pk=pk).exists():
        return render(request, "404.html", status=404)
    return _scan_response(request, selectors.scan_product(pk), None)


def _back_to_scan(product_id, batch_id, **params):
    url = (
        reverse("trace:scan_batch", args=[batch_id])
        if batch_id
        else reverse("trace:scan_product", args=[product_id])
    )
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return HttpResponseRedirect(url + (f"?{query}" if query else "") + "#report")


@csrf_exempt  # anonymous, changes no session; rate-limited per client instead
@require_POST
def report(request):
    """A shopper reports a problem with a product or batch."""
    batch = None
    batch_id = request.POST.get("batch")
    if batch_id and batch_id.isdigit():
        batch = gate.get_or_404(Batch.objects.all(), request.user, Action.VIEW, pk=int(batch_id))
        product = batch.product
    else:
        product_id = request.POST.get("product", "")
        scannable = selectors.scannable(request.user)
        product = scannable.filter(pk=int(product_id)).first() if product_id.isdigit() else None
        if product is None:
            return render(request, "404.html", status=404)
    form = ReportForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            _("Please choose what is wrong."), status=400, content_type="text/plain; charset=utf-8"
        )
    if not scans.allow(request, "report", settings.OCOP_TRACE_REPORTS_PER_HOUR):
        return HttpResponse(
            _("Too many reports from here; please try again later."),
            status=429,
            content_type="text/plain; charset=utf-8",
        )
    services.report_submit(product=product, batch=batch, **form.cleaned_data)
    return _back_to_scan(product.pk, batch.pk if batch else None, thanks="report")


@csrf_exempt  # anonymous, changes no session; rate-limited per client instead
@require_POST
def locate(request, pk):
    """A shopper tells in which province they scanned (helps find copied codes)."""
    batch = gate.get_or_404(Batch.objects.all(), request.user, Action.VIEW, pk=pk)
    form = LocateForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Choose a province."), status=400, content_type="text/plain; charset=utf-8")
    if scans.allow(request, f"locate:{batch.pk}", settings.OCOP_TRACE_LOCATES_PER_HOUR):
        scans.scan_locate(
            batch=batch, serial=request.POST.get("s", ""), province=form.cleaned_data["province"]
        )
    serial = request.POST.get("s", "")[:20]
    return _back_to_scan(batch.product_id, batch.pk, **({"s": serial} if serial else {}), thanks="where")


# ---------------------------------------------------------------------------------------------
# Producers' batch pages
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def batch_list(request):
    page = paginate(request, selectors.managed_batches(request.user))
    products = Product.objects.filter(producer__members=request.user).order_by(*by_name("name_vi"))
    return render(request, "trace/batch_list.html", {"page": page, "can_add": products.exists()})


def _recordable_products(request):
    """Products the user may record batches of: their producer's, or the one named (central office)."""
    products = Product.objects.filter(producer__members=request.user)
    wanted = request.GET.get("product") or request.POST.get("product")
    if wanted and str(wanted).isdigit():
        product = Product.objects.select_related("producer").filter(pk=int(wanted)).first()
        if product and selectors.may_add(request.user, Batch, product.producer):
            products = products | Product.objects.filter(pk=product.pk)
    return products.distinct().order_by(*by_name("name_vi"))


@login_required
@require_http_methods(["GET", "POST"])
def batch_create(request):
    products = _recordable_products(request)
    if not products.exists():
        return render(request, "403.html", status=403)
    form = BatchForm(request.POST or None, products=products, initial={"product": request.GET.get("product")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = services.batch_create(
                user=request.user,
                product=data["product"],
                lot=data["lot"],
                produced_on=data["produced_on"],
                expires_on=data["expires_on"],
                quantity=data["quantity"],
                unit=data["unit"],
                raw_material_area=data["raw_material_area"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            return render(request, "403.html", status=403)
        else:
            messages.success(request, _("Batch %(lot)s recorded.") % {"lot": batch.lot})
            return redirect("trace:batch_detail", pk=batch.pk)
    return render(request, "trace/batch_form.html", {"form": form})


def _managed_batch(request, pk):
    return gate.get_or_404(
        Batch.objects.filter(product__in=selectors.managed_products(request.user)).select_related(
            "product", "product__producer", "product__producer__province"
        ),
        request.user,
        Action.VIEW,
        pk=pk,
    )


@login_required
@require_GET
def batch_detail(request, pk):
    batch = _managed_batch(request, pk)
    steps = selectors.chain(batch)
    current, status = selectors.status_of(batch.product)
    return render(
        request,
        "trace/batch_detail.html",
        {
            "batch": batch,
            "steps": steps,
            "status": status,
            "current": current,
            "can_record": selectors.can_record(request.user, batch),
            "step_form": StepForm(),
            "labels_form": LabelsForm(),
            "label_example": services.label_uri(batch, 1),
            "scans_total": sum(c.count for c in batch.scan_counts.filter(province__isnull=True)),
            "by_province": selectors.scans_by_province(batch),
            "event_query": reverse("trace:epcis_events")
            + "?MATCH_anyEPCClass="
            + services.class_uri(batch.product, batch.lot),
        },
    )


@login_required
@require_POST
def step_add(request, pk):
    batch = gate.get_or_404(Batch.objects.select_related("product"), request.user, Action.CHANGE, pk=pk)
    form = StepForm(request.POST)
    if form.is_valid():
        act(
            request,
            lambda: services.batch_step_record(user=request.user, batch=batch, **form.cleaned_data),
            success=_("Step recorded."),
        )
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    return redirect("trace:batch_detail", pk=batch.pk)


@login_required
@require_POST
def labels(request, pk):
    """Issue serials and print them: small sheets at once, large ones in the background."""
    batch = gate.get_or_404(
        Batch.objects.select_related("product", "product__producer"), request.user, Action.CHANGE, pk=pk
    )
    form = LabelsForm(request.POST)
    if not form.is_valid():
        flash_errors(request, form)
        return redirect("trace:batch_detail", pk=batch.pk)
    data = form.cleaned_data
    serials = act(request, lambda: services.labels_issue(user=request.user, batch=batch, count=data["count"]))
    if serials is REFUSED:
        return redirect("trace:batch_detail", pk=batch.pk)
    if len(serials) <= settings.OCOP_TRACE_LABELS_INLINE_MAX:
        content, name, content_type = printing.label_sheet(
            batch, serials, per_page=data["per_page"], fmt=data["format"]
        )
        return FileResponse(_Bytes(content), as_attachment=True, filename=name, content_type=content_type)
    job = job_start(
        kind="trace.labels",
        owner=request.user,
        params={
            "batch": batch.pk,
            "first": serials.start,
            "count": len(serials),
            "per_page": data["per_page"],
            "format": data["format"],
        },
    )
    return redirect("jobs:detail", pk=job.pk)


class _Bytes:
    """A file-like object FileResponse can stream from bytes."""

    def __init__(self, content: bytes):
        import io

        self._buffer = io.BytesIO(content)

    def read(self, *args):
        return self._buffer.read(*args)

    def close(self):
        self._buffer.close()


@login_required
@require_http_methods(["GET", "POST"])
def link_list(request, pk):
    product = gate.get_or_404(Product.objects.select_related("producer"), request.user, Action.CHANGE, pk=pk)
    form = LinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.link_add(user=request.user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            return render(request, "404.html", status=404)
        else:
            messages.success(request, _("Link added."))
            return redirect("trace:link_list", pk=product.pk)
    links = gate.restrict(ProductLink.objects.filter(product=product), request.user, Action.VIEW)
    example = None
    batch = product.batches.order_by("-pk").first()
    if batch is not None:
        example = services.label_uri(batch)
    elif product.gtin:
        example = dl.build("01", product.gtin).uri(services.public_base())
    else:
        example = codes.PlatformLink(services.product_code(product)).uri(services.public_base())
    return render(
        request,
        "trace/link_list.html",
        {"product": product, "links": links, "form": form, "example": example},
    )


@login_required
@require_POST
def link_remove(request, pk):
    link = gate.get_or_404(ProductLink.objects.select_related("product"), request.user, Action.DELETE, pk=pk)
    act(request, lambda: services.link_remove(user=request.user, link=link), success=_("Link removed."))
    return redirect("trace:link_list", pk=link.product_id)


# ---------------------------------------------------------------------------------------------
# Officers: flags and reports
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def flag_list(request):
    if not gate.can(request.user, Action.VIEW, ScanFlag):
        return render(request, "403.html", status=403)
    kind = request.GET.get("kind", "")
    kind = kind if kind in FlagKind.values else ""
    page = paginate(request, selectors.flags_for(request.user, kind=kind))
    return render(request, "trace/flag_list.html", {"page": page, "kind": kind, "kinds": FlagKind.choices})


@login_required
@require_GET
def report_list(request):
    if not gate.can(request.user, Action.VIEW, ProblemReport):
        return render(request, "403.html", status=403)
    page = paginate(request, selectors.reports_for(request.user))
    return render(request, "trace/report_list.html", {"page": page})
