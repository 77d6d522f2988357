"""Enquiries as the producer's staff (and the central office) read them."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from ocop.accounts import gate
from ocop.accounts.choices import Action

from ..models import (
    Enquiry,
)


def enquiries_for(user, *, status: str = "") -> QuerySet:
    queryset = gate.restrict(Enquiry.objects.all(), user, Action.VIEW)
    if status:
        queryset = queryset.filter(status=status)
    return (
        queryset.select_related("producer", "product")
        .annotate(message_count=Count("messages"))
        .order_by("-updated_at", "-pk")
    )


def enquiry_thread(enquiry: Enquiry) -> list:
    return list(enquiry.messages.order_by("created_at", "pk"))
