"""Programme targets (chỉ tiêu): what the country or a province aims at, by when.

A target is data: a scope (the whole country, or one of today's provinces), a period, a measure
with its parameter (a number of stars, a producer type) and a value. The national targets of
2021-2025 are loaded from ``data/targets.yaml``; provinces enter theirs on the targets page.
Progress is never stored: it is computed from the registry on the day asked for
(:mod:`ocop.monitoring.measures`, :mod:`ocop.monitoring.progress`).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ocop.accounts.scope import Scope
from ocop.concurrency import Versioned, VersionedQuerySet
from ocop.geo.fields import optional_unit
from ocop.registry.choices import Confidence, ProducerType

from .choices import SHARE_MEASURES, Measure, describe


class TargetQuerySet(VersionedQuerySet):
    def national(self):
        return self.filter(province__isnull=True)

    def for_province(self, province):
        return self.filter(province=province)


class Target(Versioned):
    """One programme target: "at least 10,000 products of 3 stars or more by 31/12/2025"."""

    province = optional_unit("geo.Province", _("province"), help_text=_("Empty: the whole country."))
    measure = models.CharField(_("measure"), max_length=32, choices=Measure.choices)
    stars = models.PositiveSmallIntegerField(
        _("stars"), default=0, validators=[MaxValueValidator(5)], help_text=_("For measures of stars.")
    )
    producer_kind = models.CharField(
        _("producer type"), max_length=20, choices=ProducerType.choices, blank=True
    )
    period_start = models.DateField(_("period starts"))
    period_end = models.DateField(_("period ends"))
    value = models.DecimalField(
        _("target value"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=1, choices=Confidence.choices, default=Confidence.CONFIRMED
    )
    note = models.CharField(_("note"), max_length=400, blank=True)
    # Targets loaded from the data file carry its key, so reloading the file updates them.
    key = models.CharField(max_length=60, null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TargetQuerySet.as_manager()
    # Targets are public decisions: anyone may read them. Province officers change their
    # province's; national targets (no province) only the central office.
    scope = Scope(province="province", public=Q)

    class Meta:
        ordering = ["province__code", "period_end", "measure", "stars", "producer_kind", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "measure", "stars", "producer_kind", "period_start", "period_end"],
                name="monitoring_target_unique",
            ),
            models.UniqueConstraint(
                fields=["measure", "stars", "producer_kind", "period_start", "period_end"],
                condition=Q(province__isnull=True),
                name="monitoring_target_unique_national",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="monitoring_target_period"
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="monitoring_target_value"),
            models.CheckConstraint(condition=Q(stars__lte=5), name="monitoring_target_stars"),
        ]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self):
        return f"{self.describe()} — {self.period_start:%d/%m/%Y}–{self.period_end:%d/%m/%Y}"

    @property
    def is_share(self) -> bool:
        return self.measure in SHARE_MEASURES

    def describe(self) -> str:
        """The target in words, in the active language ("Products rated 3 stars or more")."""
        return describe(self.measure, stars=self.stars, producer_kind=self.producer_kind)


class DataVersion(models.Model):
    """A number that changes whenever anything the dashboards count changes: database triggers
    record every write to producers, products, recognitions, craft villages, targets, points of
    sale and sales channels, whoever writes (services, imports, the admin, bulk updates).
    Dashboards are cached under it, so a cached figure is never older than the data.

    The version is this row's number plus the :class:`DataChange` rows not yet folded into it.
    On PostgreSQL each writing statement inserts a change row (migration 0003): inserts never
    wait for each other, where an update of this one row made every writer queue behind the
    others until they committed. On SQLite, which has one writer at a time anyway, the triggers
    add one to this row (migration 0002). Periodic work folds the change rows into the number
    (:func:`ocop.monitoring.services.data_version_compact`), which leaves the version as it was.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("data version")

    def __str__(self):
        return str(self.version)

    @classmethod
    def current(cls) -> int | None:
        """The version, or None when the row is missing (a flushed test database): don't cache.
        One statement, so that the row and the change rows are read in the same snapshot."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT version + (SELECT COUNT(*) FROM monitoring_datachange) "
                "FROM monitoring_dataversion WHERE id = 1"
            )
            row = cursor.fetchone()
        return row[0] if row else None


class DataChange(models.Model):
    """One write to what the dashboards count, not yet folded into :class:`DataVersion`."""

    id = models.BigAutoField(primary_key=True)

    class Meta:
        verbose_name = _("data change")

    def __str__(self):
        return str(self.pk)
