"""The sales channels a producer (or one of its products) sells through."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record, snapshot
from ocop.registry.models import Producer, Product

from ..choices import ChannelKind
from ..models import (
    SalesChannel,
)

CHANNEL_FIELDS = ["kind", "partner", "url", "country", "started_on", "ended_on"]


def _check_channel(channel: SalesChannel) -> None:
    errors: dict[str, list[str]] = {}
    channel.partner = (channel.partner or "").strip()
    channel.country = (channel.country or "").strip().upper()
    if channel.kind == ChannelKind.EXPORT and not re.fullmatch(r"[A-Z]{2}", channel.country):
        errors["country"] = [_("Give the two-letter code of the country (JP, KR, US…).")]
    if channel.kind != ChannelKind.EXPORT and channel.country:
        channel.country = ""
    if channel.kind in (ChannelKind.ECOMMERCE, ChannelKind.WEBSHOP) and not channel.url:
        errors["url"] = [_("Give the link to the shop.")]
    if channel.url and not channel.url.lower().startswith(("https://", "http://")):
        errors["url"] = [_("Links must start with https:// or http://.")]
    if channel.product_id and channel.product.producer_id != channel.producer_id:
        errors["product"] = [_("The product is not this producer's.")]
    if channel.ended_on and channel.ended_on < channel.started_on:
        errors["ended_on"] = [_("The end is before the start.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def channel_add(*, user, producer: Producer, data: dict, product: Product | None = None) -> SalesChannel:
    """Record a channel a producer sells through. Whoever may change the producer may."""
    gate.require(user, Action.CHANGE, producer)
    channel = SalesChannel(
        producer=producer, product=product, **{k: v for k, v in data.items() if k in CHANNEL_FIELDS}
    )
    if not channel.started_on:
        channel.started_on = timezone.localdate()
    _check_channel(channel)
    channel.full_clean()
    channel.save()
    audit_record(
        actor=user,
        action="producer.channel_add",
        obj=producer,
        province_id=producer.province_id,
        channel=snapshot(channel),
    )
    return channel


@transaction.atomic
def channel_end(*, user, channel: SalesChannel, ended_on: date | None = None) -> SalesChannel:
    """Mark a channel as no longer used (kept, so that counts over time stay right)."""
    producer = channel.producer
    gate.require(user, Action.CHANGE, producer)
    channel.ended_on = ended_on or timezone.localdate()
    _check_channel(channel)
    channel.save(update_fields=["ended_on", "updated_at"])
    audit_record(
        actor=user,
        action="producer.channel_end",
        obj=producer,
        province_id=producer.province_id,
        channel_id=channel.pk,
        ended_on=channel.ended_on.isoformat(),
    )
    return channel
