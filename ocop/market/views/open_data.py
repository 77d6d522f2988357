"""The open data: the page that lists it, the files (CSV, JSON) and the data package."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import opendata, selectors
from ..models import CatalogueState

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
    ask = selectors.OpenSlice(since=since, province=(request.GET.get("province") or "").strip())
    extra = {"status": (request.GET.get("status") or "").strip()} if dataset == "products" else {}
    _total, rows = OPEN_READERS[dataset](ask, **extra)
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
        cache.set(key, content, settings.OCOP_OPEN_DATA_CACHE_SECONDS)
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
