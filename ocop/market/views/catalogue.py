"""The public catalogue: search, product and producer pages (with their JSON-LD)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.web.language import page_language
from ocop.web.paging import page_number, query_without_page

from .. import forms, indexing, selectors
from ..choices import CatalogueStatus
from ..links import product_slug, product_url


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
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def paginator(self):  # the shared pagination template reads page.paginator.*
        return self


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
        "query": query_without_page(request),
        "searched": bool(filters.q),
        "today": timezone.localdate(),
        "showing_lapsed": filters.status != CatalogueStatus.VALID,
    }
    template = "market/_results.html" if request.htmx else "market/catalogue.html"
    return render(request, template, context)


def _same_query(request, url: str) -> str:
    """``url`` with the request's query string: a language asked for in the address
    (``?lang=en``) or a label's parameters follow a redirect."""
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


@require_GET
def product_redirect(request, pk):
    """The product's page without its slug, and the registry's old public page of a product
    (``/products/<id>/``): moved for good to the catalogue's page, for whoever may see it."""
    product = selectors.catalogue_product_name(pk, user=request.user)
    return redirect(_same_query(request, product_url(product)), permanent=True)


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
        return redirect(_same_query(request, product_url(product)), permanent=True)
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
