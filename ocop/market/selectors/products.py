"""A public product, its producer, its other products, where to buy it and where it will be shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch, Q
from django.http import Http404
from django.utils import timezone

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.collation import by_name
from ocop.registry.models import Producer, Product, Recognition

from ..choices import (
    ONLINE_CHANNELS,
    ChannelKind,
)
from ..models import (
    CatalogueEntry,
    FairParticipant,
    SalesChannel,
    Stock,
)
from ._common import open_on


def catalogue_product(pk: int, *, user) -> Product:
    """A public product with everything its catalogue page shows, in a fixed number of queries."""
    return gate.get_or_404(
        Product.objects.select_related(
            "producer",
            "producer__province",
            "producer__commune",
            "producer__historical_commune",
            "producer__historical_district",
            "product_set",
            "supply",
        ).prefetch_related(
            Prefetch("recognitions", queryset=Recognition.objects.order_by("-recognised_on", "-pk")),
            "certifications",
            "ip_rights",
            "photos",
        ),
        user,
        Action.VIEW,
        pk=pk,
    )


def catalogue_product_name(pk: int, *, user) -> Product:
    """The product (its id and name, all its address needs) if its catalogue page may be
    shown to ``user``, else 404: one query, for the redirects to that page."""
    return gate.get_or_404(Product.objects.only("pk", "name_vi"), user, Action.VIEW, pk=pk)


@dataclass
class WhereToBuy:
    points: list[Stock]
    channels: list[SalesChannel]

    @property
    def online(self) -> list[SalesChannel]:
        return [c for c in self.channels if c.kind in ONLINE_CHANNELS]

    @property
    def chains(self) -> list[SalesChannel]:
        return [
            c
            for c in self.channels
            if c.kind in (ChannelKind.SUPERMARKET_CHAIN, ChannelKind.CONVENIENCE_CHAIN)
        ]

    @property
    def export(self) -> list[SalesChannel]:
        return [c for c in self.channels if c.kind == ChannelKind.EXPORT]

    @property
    def other(self) -> list[SalesChannel]:
        return [c for c in self.channels if c.kind == ChannelKind.DISTRIBUTOR]

    @property
    def empty(self) -> bool:
        return not self.points and not self.channels


def where_to_buy(product: Product, *, day: date | None = None, user=None) -> WhereToBuy:
    """The open points of sale stocking ``product`` and the channels selling it today, in two
    queries (the scan page of the traceability app shows this too)."""
    day = day or timezone.localdate()
    stock = (
        gate.restrict(Stock.objects.all(), user, Action.VIEW)
        .filter(open_on(day, "point__"), product_id=product.pk)
        .select_related("point", "point__province", "point__commune")
        .order_by(*by_name("point__province__short_name"), "point__kind", *by_name("point__name"))
    )
    channels = (
        gate.restrict(SalesChannel.objects.all(), user, Action.VIEW)
        .active_on(day)
        .filter(Q(product_id=product.pk) | Q(product__isnull=True, producer_id=product.producer_id))
        .order_by("kind", "partner", "pk")
    )
    return WhereToBuy(points=list(stock), channels=list(channels))


def upcoming_fairs_of(producer_id: int, *, day: date, user=None) -> list[FairParticipant]:
    return list(
        gate.restrict(FairParticipant.objects.all(), user, Action.VIEW)
        .filter(producer_id=producer_id, fair__ends_on__gte=day)
        .select_related("fair", "fair__province")
        .order_by("fair__starts_on")[:5]
    )


def public_producer(pk: int, *, user=None) -> Producer:
    """A producer as the public sees it: one with a public (recognised) product, else 404.
    The page is the public's whoever reads it, so the gate is asked as for anyone."""
    if not gate.restrict(Product.objects.filter(producer_id=pk), None, Action.VIEW).exists():
        raise Http404("No producer matches the given query.")
    return Producer.objects.select_related(
        "province", "commune", "historical_commune", "historical_district"
    ).get(pk=pk)


def other_products(product: Product, *, user, limit: int = 12) -> list[CatalogueEntry]:
    return list(
        gate.restrict(CatalogueEntry.objects.all(), user, Action.VIEW)
        .filter(producer_id=product.producer_id)
        .exclude(product_id=product.pk)
        .order_by(*by_name("name_vi"), "product_id")[:limit]
    )
