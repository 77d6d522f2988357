"""Helpers for the catalogue's tests: products with recognitions in every state, built fast."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from ocop.market.models import PointOfSale
from ocop.registry.models import Producer, Product, Recognition


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and counts keyed by the index's version live in the cache. Pages never
    refresh the index (periodic work does): tests call ``services.catalogue_refresh()``."""
    cache.clear()
    yield
    cache.clear()


class Registry:
    """Makes producers and products with recognitions valid, expired, revoked or superseded."""

    def __init__(self, geo):
        self.geo = geo
        self.today = timezone.localdate()

    def producer(self, name="Hợp tác xã Thử", *, province=None, commune=None, kind="cooperative", **extra):
        province = province or self.geo.province_a
        commune = (
            commune if commune is not None else (self.geo.a1 if province == self.geo.province_a else None)
        )
        return Producer.objects.create(
            name=name, kind=kind, address="Ấp 1", province=province, commune=commune, **extra
        )

    def product(self, producer, name_vi, *, stars=3, state="valid", name_en="", group="food", **extra):
        product = Product.objects.create(
            producer=producer, name_vi=name_vi, name_en=name_en, group=group, **extra
        )
        if state is None:
            return product
        today = self.today
        if state == "valid":
            start, until = today - timedelta(days=100), today + timedelta(days=900)
        else:
            start, until = today - timedelta(days=1300), today - timedelta(days=205)
        recognition = Recognition.objects.create(
            product=product, stars=stars, level="province", recognised_on=start, valid_until=until
        )
        if state == "revoked":
            recognition.valid_until = today + timedelta(days=300)
            recognition.revoked_on = today - timedelta(days=20)
            recognition.revocation_reason = "Vi phạm an toàn thực phẩm"
            recognition.save()
        return product

    def point(self, name, **extra):
        """A point of sale at 12 Hùng Vương, Tân An (province A, commune a1), with coordinates."""
        fields = {
            "kind": "ocop_point",
            "address": "12 Hùng Vương",
            "province": self.geo.province_a,
            "commune": self.geo.a1,
            "latitude": Decimal("10.53586"),
            "longitude": Decimal("106.40587"),
        }
        return PointOfSale.objects.create(name=name, **{**fields, **extra})


@pytest.fixture
def registry(geo):
    return Registry(geo)


@pytest.fixture
def day() -> date:
    return timezone.localdate()
