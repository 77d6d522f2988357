"""The site's front door and health check."""

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from ocop.registry import selectors
from ocop.registry.forms import ProductFilterForm


@require_GET
def home(request):
    """Search for recognised products; results replace the list in place with htmx."""
    form = ProductFilterForm(request.GET or None)
    filters = selectors.ProductFilters(status="valid")
    if form.is_valid() and form.cleaned_data.get("q"):
        filters.q = form.cleaned_data["q"]
    products = selectors.public_products(request.user, filters)[:24]
    context = {"form": form, "products": products, "today": timezone.localdate(), "searched": bool(filters.q)}
    template = "_home_results.html" if request.htmx else "home.html"
    return render(request, template, context)


def bad_request(request, exception):
    """400: what was sent could not be read (a multipart body without its boundary, too many
    fields); the site's page, in the person's language, instead of Django's bare one."""
    return render(request, "400.html", status=400)


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
