"""Criteria sets (bộ tiêu chí) as versioned rows, loaded from validated YAML files.

A row is one *version* of one scoring sheet. Its definition is the validated file, kept as JSON
(the engine reads it back through :func:`ocop.criteria.schema.parse_set`) together with the file's
text and hash. A set that scores depend on is *locked*: a changed file then becomes a new version
that supersedes it, so every score keeps pointing at the sheet it was made with.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ocop.accounts.scope import Scope
from ocop.registry.choices import Confidence

from .choices import CriteriaSetStatus, WorkbookStatus


def _published() -> Q:
    # Criteria are public law: every published version, current or superseded, is readable.
    return Q(status=CriteriaSetStatus.PUBLISHED)


class CriteriaSetQuerySet(models.QuerySet):
    def current(self):
        """The latest version of each set (the one no other version supersedes)."""
        return self.filter(is_current=True)


class CriteriaSet(models.Model):
    """One version of the scoring sheet of a product set under a decision (e.g. 148/I.1.a)."""

    code = models.CharField(_("code"), max_length=60, help_text=_("DECISION/PRODUCT_SET, e.g. 148/I.1.a"))
    version = models.PositiveIntegerField(_("version"), default=1)
    decision = models.CharField(_("decision"), max_length=20)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=250)
    legal_basis = models.CharField(_("legal basis"), max_length=300)
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until"), null=True, blank=True)
    product_set = models.ForeignKey(
        "registry.ProductSet",
        on_delete=models.PROTECT,
        related_name="criteria_sets",
        verbose_name=_("product set"),
    )
    aliases = models.JSONField(_("other codes"), default=list, blank=True)
    confidence = models.CharField(_("confidence"), max_length=1, choices=Confidence.choices)
    markers_cap_stars = models.BooleanField(_("star markers cap the stars"))
    status = models.CharField(_("status"), max_length=10, choices=CriteriaSetStatus.choices)
    definition = models.JSONField(_("definition"))
    source_file = models.CharField(_("source file"), max_length=200)
    source_hash = models.CharField(_("source hash"), max_length=64)
    source_text = models.TextField(_("source text"))
    # Every content this row has held: [{"hash", "file", "at", "by"}], oldest first. The file loader
    # uses it to tell a file it already loaded from one that changed.
    history = models.JSONField(default=list, blank=True)
    used = models.BooleanField(
        _("used by scores"), default=False, help_text=_("Set when scores are recorded with this version.")
    )
    # The latest version of its code. Kept beside ``superseded_by`` so that the database can hold
    # "one current version per code" while a new version is being added (the old one stops being
    # current first, then points at its successor).
    is_current = models.BooleanField(_("current version"), default=True, editable=False)
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CriteriaSetQuerySet.as_manager()
    scope = Scope(public=_published)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="criteria_set_code_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="criteria_set_one_current"
            ),
            models.CheckConstraint(
                condition=Q(is_current=False) | Q(superseded_by__isnull=True),
                name="criteria_set_current_not_superseded",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="criteria_set_version_positive"),
            models.CheckConstraint(
                condition=Q(status__in=CriteriaSetStatus.values), name="criteria_set_status_valid"
            ),
        ]
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")

    def __str__(self):
        return f"{self.code} v{self.version}"

    def get_absolute_url(self) -> str:
        url = reverse("criteria:sheet", args=self.code.split("/", 1))
        return url if self.is_current else f"{url}?version={self.version}"

    def locked_by(self) -> list[str]:
        """Why this version may no longer be edited (empty: it may be).

        Flagged as used once published, or referenced by any row through a PROTECT foreign key —
        found generically, so models of later apps (evaluations, council sheets) lock it without
        this code knowing them.
        """
        reasons = []
        if self.status == CriteriaSetStatus.PUBLISHED and self.used:
            reasons.append("used")
        if self.pk is None:
            return reasons
        # Every reverse relation, hidden ones (related_name="+") included.
        for relation in self._meta.get_fields(include_hidden=True):
            if not (relation.is_relation and relation.auto_created and not relation.concrete):
                continue
            if (
                relation.related_model is type(self)
                or getattr(relation, "on_delete", None) is not models.PROTECT
            ):
                continue
            referencing = relation.related_model._base_manager.filter(**{relation.field.name: self.pk})
            if referencing.exists():
                reasons.append(relation.related_model._meta.label_lower)
        return reasons

    @property
    def locked(self) -> bool:
        return bool(self.locked_by())


class CriteriaWorkbook(models.Model):
    """A criteria set uploaded as an Excel workbook and found valid, waiting to be published.

    Its definition is the validated mapping read from the workbook (the same shape as a YAML
    file). A province officer's upload belongs to their province: they may preview it and propose
    it; the central office sees every proposal and publishes it as a new version of its set.
    """

    code = models.CharField(_("code"), max_length=60)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=250)
    province = models.ForeignKey(
        "geo.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
        help_text=_("The province whose officer uploaded it; empty for the central office."),
    )
    status = models.CharField(_("status"), max_length=10, choices=WorkbookStatus.choices)
    definition = models.JSONField(_("definition"))
    source_file = models.CharField(_("source file"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    published = models.ForeignKey(
        CriteriaSet,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published as"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(province="province")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=WorkbookStatus.values), name="criteria_workbook_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=WorkbookStatus.PUBLISHED) | Q(published__isnull=False),
                name="criteria_workbook_published_has_set",
            ),
        ]
        verbose_name = _("criteria set workbook")
        verbose_name_plural = _("criteria set workbooks")

    def __str__(self):
        return f"{self.code} ({self.source_file})"
