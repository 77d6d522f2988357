"""Administrative units of every era, with the succession from old communes to new ones.

The tables are reference data loaded from :mod:`ocop.geo.gazetteer` (see
``services.reference_sync``); nothing edits them by hand.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ocop.accounts.scope import Scope
from ocop.collation import by_name

from .gazetteer import CURRENT


class Era(models.Model):
    """A set of administrative boundaries in force over a period."""

    code = models.CharField(_("code"), max_length=16, primary_key=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    valid_from = models.DateField(_("in force from"), null=True, blank=True)
    valid_until = models.DateField(_("in force until"), null=True, blank=True)

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("boundary era")
        verbose_name_plural = _("boundary eras")

    def __str__(self):
        return self.name_vi


class UnitQuerySet(models.QuerySet):
    def current(self):
        return self.filter(era_id=CURRENT)

    def of_era(self, era: str):
        return self.filter(era_id=era)

    def alphabetical(self):
        """In Vietnamese alphabetical order of the names without their kind of unit, as people
        look for them: "Đà Nẵng" after "Cần Thơ" and before "Điện Biên", "Phường 2" before
        "Phường 10"."""
        return self.order_by(*by_name("short_name", "name"), "code")


class Province(models.Model):
    """A province or centrally-run city of one era."""

    era = models.ForeignKey(Era, on_delete=models.PROTECT, related_name="provinces")
    code = models.CharField(_("code"), max_length=2)
    name = models.CharField(_("name"), max_length=80)
    short_name = models.CharField(_("short name"), max_length=60)
    division_type = models.CharField(_("type"), max_length=40)
    # For an old province: the current province it became (most of) part of.
    successor = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="predecessors"
    )

    objects = UnitQuerySet.as_manager()
    scope = Scope(province="pk", public=Q)

    class Meta:
        ordering = ["era", "code"]
        constraints = [models.UniqueConstraint(fields=["era", "code"], name="geo_province_era_code")]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self):
        return self.name

    @property
    def is_current(self) -> bool:
        return self.era_id == CURRENT


class District(models.Model):
    """A district of the old three-level system (abolished 1 July 2025)."""

    era = models.ForeignKey(Era, on_delete=models.PROTECT, related_name="districts")
    code = models.CharField(_("code"), max_length=3)
    name = models.CharField(_("name"), max_length=80)
    short_name = models.CharField(_("short name"), max_length=60)
    division_type = models.CharField(_("type"), max_length=40)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts")

    objects = UnitQuerySet.as_manager()
    scope = Scope(province="province", public=Q)

    class Meta:
        ordering = ["era", "code"]
        constraints = [models.UniqueConstraint(fields=["era", "code"], name="geo_district_era_code")]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self):
        return self.name


class Commune(models.Model):
    """A commune, ward, town or special zone of one era."""

    era = models.ForeignKey(Era, on_delete=models.PROTECT, related_name="communes")
    code = models.CharField(_("code"), max_length=5)
    name = models.CharField(_("name"), max_length=80)
    short_name = models.CharField(_("short name"), max_length=60)
    division_type = models.CharField(_("type"), max_length=40)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="communes"
    )
    # For an old commune: the current commune it became (the primary one if it was split).
    successor = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="predecessors"
    )

    objects = UnitQuerySet.as_manager()
    scope = Scope(province="province", commune="pk", public=Q)

    class Meta:
        ordering = ["era", "code"]
        constraints = [models.UniqueConstraint(fields=["era", "code"], name="geo_commune_era_code")]
        indexes = [models.Index(fields=["province", "name"], name="geo_commune_province_name")]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")

    def __str__(self):
        return self.name

    @property
    def is_current(self) -> bool:
        return self.era_id == CURRENT


class CommuneSuccession(models.Model):
    """One old commune -> one new commune that took all or part of it."""

    predecessor = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="+")
    is_primary = models.BooleanField(default=False)
    is_partial = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="geo_succession_unique"),
            models.UniqueConstraint(
                fields=["predecessor"], condition=models.Q(is_primary=True), name="geo_succession_one_primary"
            ),
        ]
        verbose_name = _("commune succession")
        verbose_name_plural = _("commune successions")

    def __str__(self):
        return f"{self.predecessor_id} -> {self.successor_id}"


class ReferenceDataset(models.Model):
    """Which version of a reference dataset is loaded, so loading is idempotent."""

    name = models.CharField(max_length=40, primary_key=True)
    version = models.CharField(max_length=80)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.name} {self.version}"
