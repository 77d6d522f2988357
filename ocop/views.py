"""The site's front door, health check, and the media folder on a developer machine."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import connection
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils._os import safe_join
from django.views.decorators.http import require_GET, require_safe

from ocop import images
from ocop.market import selectors as market
from ocop.market.forms import CatalogueFilterForm
from ocop.web.language import page_language

# What the catalogue's search reads from an address (its filters and page): a search typed on
# the home page, or a link or bookmark to the home page's old search, is the catalogue's.
CATALOGUE_PARAMS = frozenset(CatalogueFilterForm.base_fields) | {"page"}


@require_GET
def home(request):
    """The catalogue's front: its search box, a few featured products spread over provinces
    and product groups, the newest 5-star products and the provinces' map. A search is the
    catalogue's (one implementation, with its corrections, counts and pages)."""
    if CATALOGUE_PARAMS & set(request.GET):
        return redirect(reverse("market:catalogue") + "?" + request.GET.urlencode())
    context = {"front": market.front(language=page_language(request)), "today": timezone.localdate()}
    return render(request, "home.html", context)


def bad_request(request, exception):
    """400: what was sent could not be read (a multipart body without its boundary, too many
    fields); the site's page, in the person's language, instead of Django's bare one."""
    return render(request, "400.html", status=400)


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


FAVICON = Path(__file__).resolve().parent / "static" / "ocop" / "icons" / "favicon.ico"


@require_safe
def favicon(request):
    """``/favicon.ico``, where browsers and feed readers look whatever the page links to."""
    response = FileResponse(FAVICON.open("rb"), content_type="image/x-icon")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# Sent with every file of the media folder: never sniffed into another type, and never allowed
# to run anything should a browser open one as a document.
MEDIA_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


@require_safe
def media(request, path):
    """A file of MEDIA_ROOT, served as nginx must serve them in production (docs/security.md):
    pictures (.jpg, .png, .webp) with their image type, anything else only as a download."""
    try:
        full = Path(safe_join(settings.MEDIA_ROOT, path))
    except SuspiciousFileOperation:
        raise Http404 from None
    if not full.is_file():
        raise Http404
    content_type = images.CONTENT_TYPES.get(full.suffix[1:].lower())
    response = FileResponse(
        full.open("rb"),
        content_type=content_type or "application/octet-stream",
        as_attachment=content_type is None,
        filename=full.name,
    )
    for header, value in MEDIA_HEADERS.items():
        response[header] = value
    return response
