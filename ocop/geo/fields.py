"""How other apps' records point at administrative units."""

from django.db import models


def optional_unit(to: str, verbose_name=None, *, related_name: str = "+", **options) -> models.ForeignKey:
    """An optional link to a unit (``"geo.Province"``, ``"geo.District"``, ``"geo.Commune"``):
    empty where the record has no such unit (a central round, a nationwide target, an address
    not placed). Units are reference data that records point at, so one in use is never deleted
    (``PROTECT``); units need no reverse accessor unless the caller names one."""
    return models.ForeignKey(
        to,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )
