"""Small registries for the statistics tests, and units on both sides of the 1 July 2025 reform.

Old Tây Ninh (72) and Long An (80) became new Tây Ninh (80); old Trà Vinh (84), Bến Tre (83) and
Vĩnh Long (86) became new Vĩnh Long (86).
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from ocop.geo.gazetteer import CURRENT, LEGACY

AS_OF = date(2025, 2, 19)  # before the reform
AFTER = date(2025, 9, 1)  # after it


@pytest.fixture
def units(db):
    from ocop.geo.models import Commune, Province

    def province(era, code):
        return Province.objects.get(era_id=era, code=code)

    def commune(era, code):
        return Commune.objects.select_related("province", "successor").get(era_id=era, code=code)

    u = SimpleNamespace(
        tay_ninh=province(CURRENT, "80"),
        vinh_long=province(CURRENT, "86"),
        phu_tho=province(CURRENT, "25"),
        old_tay_ninh=province(LEGACY, "72"),
        old_long_an=province(LEGACY, "80"),
        old_ben_tre=province(LEGACY, "83"),
        old_tra_vinh=province(LEGACY, "84"),
        old_vinh_long=province(LEGACY, "86"),
        # Phường 5, Thành phố Tân An, Long An -> Phường Long An (Tây Ninh)
        old_tan_an_5=commune(LEGACY, "27685"),
        # Phường 4, Thành phố Tân An -> Phường Long An as well
        old_tan_an_4=commune(LEGACY, "27691"),
        # Phường 1, Thành phố Tây Ninh -> Phường Tân Ninh (Tây Ninh)
        old_tay_ninh_1=commune(LEGACY, "25456"),
        # Phường 1, Thành phố Trà Vinh -> Phường Trà Vinh (Vĩnh Long)
        old_tra_vinh_1=commune(LEGACY, "29239"),
    )
    u.long_an_ward = u.old_tan_an_5.successor
    u.tan_ninh_ward = u.old_tay_ninh_1.successor
    u.tra_vinh_ward = u.old_tra_vinh_1.successor
    assert u.long_an_ward.province == u.tay_ninh and u.tra_vinh_ward.province == u.vinh_long
    return u


class Registry:
    """Builds producers, products and recognitions with as little ceremony as the tests need."""

    def __init__(self):
        self.count = 0

    def producer(
        self,
        *,
        province,
        commune=None,
        kind="cooperative",
        historical_province=None,
        historical_commune=None,
        name=None,
    ):
        from ocop.registry.models import Producer

        self.count += 1
        return Producer.objects.create(
            name=name or f"Chủ thể {self.count}",
            kind=kind,
            address="—",
            province=province,
            commune=commune,
            historical_province=historical_province,
            historical_commune=historical_commune,
        )

    def product(self, producer, group="food", name=None):
        from ocop.registry.models import Product

        self.count += 1
        return Product.objects.create(
            producer=producer, name_vi=name or f"Sản phẩm {self.count}", group=group
        )

    def recognise(self, product, stars, on, *, until=None, revoked=None, superseded=None):
        from ocop.registry.models import Recognition

        return Recognition.objects.create(
            product=product,
            stars=stars,
            level="province",
            recognised_on=on,
            valid_until=until or on + timedelta(days=3 * 365),
            revoked_on=revoked,
            superseded_on=superseded,
        )

    def recognised_product(self, producer, stars, on=date(2024, 1, 10), group="food", **kwargs):
        product = self.product(producer, group)
        self.recognise(product, stars, on, **kwargs)
        return product


@pytest.fixture
def registry(db):
    return Registry()


@pytest.fixture
def officers(db, units, django_user_model):
    """The central office, the officers of new Tây Ninh and new Vĩnh Long, and a commune officer
    of Phường Long An (Tây Ninh)."""
    from ocop.accounts.models import Grant

    def person(name, **grant):
        user = django_user_model.objects.create_user(name, password="x")
        Grant.objects.create(user=user, **grant)
        return user

    return SimpleNamespace(
        central=person("c", role="central"),
        tay_ninh=person("tn", role="province_officer", province=units.tay_ninh),
        vinh_long=person("vl", role="province_officer", province=units.vinh_long),
        ward=person("w", role="commune_officer", commune=units.long_an_ward),
    )
