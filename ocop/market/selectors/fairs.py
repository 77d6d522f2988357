"""Fairs as the public and their organisers see them, with their sales totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.collation import by_name
from ocop.geo.gazetteer import CURRENT as CURRENT_ERA

from ..models import (
    Fair,
    FairParticipant,
)


def fairs(*, user, upcoming: bool | None = None, day: date | None = None, province: str = "") -> QuerySet:
    day = day or timezone.localdate()
    queryset = gate.restrict(Fair.objects.all(), user, Action.VIEW)
    if upcoming is True:
        queryset = queryset.filter(ends_on__gte=day).order_by("starts_on", "pk")
    elif upcoming is False:
        queryset = queryset.filter(ends_on__lt=day).order_by("-starts_on", "pk")
    if province:
        queryset = queryset.filter(province__code=province, province__era_id=CURRENT_ERA)
    return queryset.select_related("province").annotate(
        participant_count=Count("participants", distinct=True)
    )


@dataclass
class FairTotals:
    participants: int
    reporting: int
    sales_vnd: Decimal
    contracts: int


def fair_detail(pk: int, *, user):
    fair = gate.get_or_404(
        Fair.objects.select_related("province", "organiser_province"), user, Action.VIEW, pk=pk
    )
    participants = list(
        gate.restrict(FairParticipant.objects.filter(fair=fair), user, Action.VIEW)
        .select_related("producer", "producer__province")
        .prefetch_related("products")
        .order_by("booth", *by_name("producer__name"), "pk")
    )
    figures = FairParticipant.objects.filter(fair=fair).aggregate(
        reporting=Count("pk", filter=Q(sales_reported_at__isnull=False)),
        sales=Sum("sales_vnd"),
        contracts=Sum("contracts"),
    )
    totals = FairTotals(
        participants=len(participants),
        reporting=figures["reporting"],
        sales_vnd=figures["sales"] or Decimal(0),
        contracts=figures["contracts"] or 0,
    )
    return fair, participants, totals
