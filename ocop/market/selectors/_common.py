"""What the market's reads share: points of sale open on a day."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from ..models import PointOfSale


def open_on(day: date, prefix: str = "") -> Q:
    """Points of sale open on ``day`` (``prefix``: the path to the point, e.g. ``point__``)."""
    return (Q(**{f"{prefix}opened_on__isnull": True}) | Q(**{f"{prefix}opened_on__lte": day})) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": day})
    )


def points_open_on(day: date) -> QuerySet:
    return PointOfSale.objects.filter(open_on(day))
