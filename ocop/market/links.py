"""Addresses of catalogue pages, shared by views, templates and the API."""

from django.urls import reverse
from django.utils.text import slugify

from ocop.vntext import fold


def product_slug(product) -> str:
    return slugify(fold(product.name_vi))[:80] or "product"


def product_url(product) -> str:
    return reverse("market:product", args=[product.pk, product_slug(product)])
