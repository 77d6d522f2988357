"""A producer's sales channels, and the share of producers selling through modern channels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.geo.models import Province
from ocop.registry.models import Producer, Recognition

from ..choices import (
    MODERN_CHANNELS,
)
from ..models import (
    SalesChannel,
)


def producer_channels(producer: Producer, *, user) -> QuerySet:
    return (
        gate.restrict(SalesChannel.objects.filter(producer=producer), user, Action.VIEW)
        .select_related("product")
        .order_by(Coalesce("ended_on", Value(date.max)).desc(), "kind", "partner", "pk")
    )


@dataclass
class ChannelShare:
    producers: int  # OCOP producers: with a product whose recognition is valid that day
    modern: int  # of which selling through a modern channel that day
    by_kind: dict[str, int]

    @property
    def share(self) -> float:
        return self.modern / self.producers if self.producers else 0.0


def modern_channel_share(*, day: date | None = None, province: Province | None = None) -> ChannelShare:
    """The share of OCOP producers selling through modern channels (supermarkets, convenience
    stores, e-commerce; Decision 919's target is half), on ``day``, nationally or for one
    current province. Three queries; for the monitoring pages."""
    day = day or timezone.localdate()
    valid_products = Recognition.objects.valid_on(day).values("product_id")
    producers = Producer.objects.filter(products__in=valid_products)
    if province is not None:
        producers = producers.filter(province=province)
    producers = producers.distinct()
    active = SalesChannel.objects.active_on(day).filter(producer__in=producers.values("pk"))
    by_kind = dict(active.values_list("kind").annotate(n=Count("producer", distinct=True)).order_by())
    return ChannelShare(
        producers=producers.count(),
        modern=active.filter(kind__in=MODERN_CHANNELS).values("producer").distinct().count(),
        by_kind=by_kind,
    )
