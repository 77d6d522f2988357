"""Traceability: batches, the EPCIS events about them, capture jobs, product links, and scans.

Storage for the EPCIS repository is designed for a million events and more: each event is one
row holding the event exactly as captured (``document``, so standard fields and user
extensions come back unchanged) and the columns queries filter on, indexed; the identifiers an
event names (EPCs, parents, children, inputs, outputs, classes) are rows of
:class:`EventIdentifier`, one per identifier and role, under a canonical key, so matching an
identifier is an index lookup whatever form (EPC URN, Digital Link) it was written in.
"""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ocop.accounts.scope import Scope
from ocop.geo.fields import optional_unit
from ocop.storage import private_storage

from .choices import CaptureStatus, ErrorBehaviour, FlagKind, LinkType, ReportKind, Unit
from .epcis import shown

# Trace records belong where their product's producer does.
PRODUCT_SCOPE = dict(
    province="product__producer__province",
    commune="product__producer__commune",
    owner="product__producer__members",
)


class Batch(models.Model):
    """A production lot (lô) of a product: what labels, events and scans are about."""

    product = models.ForeignKey(
        "registry.Product", on_delete=models.PROTECT, related_name="batches", verbose_name=_("product")
    )
    lot = models.CharField(
        _("lot number"),
        max_length=20,
        help_text=_("As printed on the pack: up to 20 letters (without accents), digits and - . / _"),
    )
    produced_on = models.DateField(_("production date"))
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=3, choices=Unit.choices, default=Unit.PIECE)
    raw_material_area = models.CharField(
        _("raw-material area"),
        max_length=200,
        blank=True,
        help_text=_("Where the raw materials come from: the field, garden, farm or village."),
    )
    # Serials 1..labels_issued have been printed on labels; any other serial was never issued.
    labels_issued = models.PositiveIntegerField(_("labels issued"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Anyone who scans a label may see the batch's page; managing it follows the product.
    scope = Scope(**PRODUCT_SCOPE, public=Q)

    class Meta:
        ordering = ["-produced_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["product", "lot"], name="trace_batch_lot_unique"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("produced_on")),
                name="trace_batch_dates",
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="trace_batch_quantity"),
        ]
        verbose_name = _("batch")
        verbose_name_plural = _("batches")

    def __str__(self):
        return f"{self.product} — {self.lot}"


# Where capture documents are staged in private storage (trace.services.captures_clean).
CAPTURE_STAGING = "epcis/captures"


def capture_document_path(instance, filename):
    return f"{CAPTURE_STAGING}/{instance.pk}.json"


class CaptureJob(models.Model):
    """One EPCIS capture (``POST /epcis/capture``): its progress and every error found."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=CaptureStatus.choices, default=CaptureStatus.QUEUED)
    error_behaviour = models.CharField(
        max_length=10, choices=ErrorBehaviour.choices, default=ErrorBehaviour.ROLLBACK
    )
    event_count = models.PositiveIntegerField(default=0)
    captured = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    # The document as received, staged until a background capture has read it: in private
    # storage (never served), named after the capture, deleted when the capture ends, or by
    # ``ocop trace_captures_clean`` if the capture was lost.
    document = models.FileField(upload_to=capture_document_path, storage=private_storage, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    scope = Scope(owner="owner")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "-created_at"], name="trace_capture_owner")]
        verbose_name = _("EPCIS capture")
        verbose_name_plural = _("EPCIS captures")

    def __str__(self):
        return f"capture {self.pk} ({self.status})"

    @property
    def running(self) -> bool:
        return self.status in (CaptureStatus.QUEUED, CaptureStatus.RUNNING)


class Event(models.Model):
    """One EPCIS event: as captured (``document``) with the columns queries filter on."""

    id = models.BigAutoField(primary_key=True)
    event_id = models.CharField(max_length=300, blank=True)
    event_type = models.CharField(max_length=100)
    event_time = models.DateTimeField()
    timezone = models.CharField(max_length=6)
    record_time = models.DateTimeField()
    action = models.CharField(max_length=7, blank=True)
    biz_step = models.CharField(max_length=200, blank=True)
    disposition = models.CharField(max_length=200, blank=True)
    read_point = models.CharField(max_length=300, blank=True)
    biz_location = models.CharField(max_length=300, blank=True)
    error_declaration = models.BooleanField(default=False)
    # The composite indexes below lead with batch and producer, so these keys need no index of
    # their own; nor does the capture (read only from the capture job's page): every index is
    # paid for on each of a million inserts.
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="events", db_index=False
    )
    producer = models.ForeignKey(
        "registry.Producer", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    capture = models.ForeignKey(
        CaptureJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    document = models.JSONField()

    # Events belong to the producer whose products they name; those naming none, to the centre.
    scope = Scope(province="producer__province", commune="producer__commune", owner="producer__members")

    class Meta:
        ordering = ["event_time", "id"]
        indexes = [
            models.Index(fields=["event_time", "id"], name="trace_event_time"),
            models.Index(fields=["record_time", "id"], name="trace_event_record"),
            models.Index(fields=["batch", "event_time"], name="trace_event_batch"),
            models.Index(fields=["producer", "event_time"], name="trace_event_producer"),
            # Not partial: a partial index would not serve "event_id IN (5,000 ids)" (PostgreSQL
            # proves the predicate only for short lists), which the duplicate check asks.
            models.Index(fields=["event_id"], name="trace_event_eventid"),
            models.Index(
                fields=["biz_step", "event_time"], name="trace_event_bizstep", condition=~Q(biz_step="")
            ),
            models.Index(fields=["read_point"], name="trace_event_readpoint", condition=~Q(read_point="")),
            models.Index(fields=["biz_location"], name="trace_event_bizloc", condition=~Q(biz_location="")),
        ]
        verbose_name = _("EPCIS event")
        verbose_name_plural = _("EPCIS events")

    def __str__(self):
        return f"{self.event_type} {self.biz_step} {self.event_time:%Y-%m-%d %H:%M}"

    @property
    def step(self) -> str:
        """The producer's step this event records (for the platform's own events), else ''."""
        step = self.document.get("ocop:step") if isinstance(self.document, dict) else None
        return step if isinstance(step, str) else ""

    @property
    def place(self) -> str:
        """Where the event happened, as text (an extension field holds any JSON value)."""
        return shown(self.document.get("ocop:place")) if isinstance(self.document, dict) else ""


class EventIdentifier(models.Model):
    """An identifier an event names, in one role, under its canonical key (for matching).

    These rows are derived from the event's document and written only together with it, in the
    same transaction (``ocop.trace.services.events``). The database does not re-check that
    their event exists (``db_constraint=False``): PostgreSQL's check of each row, at every
    commit, halved the speed of capture, and the code that writes both is the only writer (a
    test checks every identifier row has its event). Deleting an event still deletes its
    identifiers (Django cascades).
    """

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="identifiers", db_constraint=False
    )
    role = models.CharField(max_length=12)
    key = models.CharField(max_length=300)

    scope = Scope(province="event__producer__province", commune="event__producer__commune")

    class Meta:
        # One index serves both exact keys and prefixes (EPC patterns): on PostgreSQL with the
        # pattern operator class (equality and LIKE 'prefix%'), elsewhere a plain one.
        indexes = [
            models.Index(fields=["key"], name="trace_identifier_key", opclasses=["varchar_pattern_ops"])
        ]
        verbose_name = _("event identifier")
        verbose_name_plural = _("event identifiers")

    def __str__(self):
        return f"{self.role} {self.key}"


class ProductLink(models.Model):
    """A link a product's Digital Link resolves to, besides the platform's own (linkset)."""

    product = models.ForeignKey("registry.Product", on_delete=models.CASCADE, related_name="trace_links")
    link_type = models.CharField(_("link type"), max_length=40, choices=LinkType.choices)
    href = models.URLField(_("address"), max_length=500)
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(
        _("language"),
        max_length=5,
        blank=True,
        choices=[("", _("any")), ("vi", "Tiếng Việt"), ("en", "English")],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(**PRODUCT_SCOPE, public=Q)

    class Meta:
        ordering = ["link_type", "pk"]
        verbose_name = _("product link")
        verbose_name_plural = _("product links")

    def __str__(self):
        return f"{self.link_type} {self.href}"


class ScanCount(models.Model):
    """How many times labels were scanned, per batch (or product), province and day.

    Coarse on purpose: no time of day, no address, nothing about the person. The province is
    the one the shopper chose to tell, else none.
    """

    key = models.CharField(max_length=80, unique=True)
    product = models.ForeignKey("registry.Product", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(
        Batch, on_delete=models.CASCADE, null=True, blank=True, related_name="scan_counts"
    )
    province = optional_unit("geo.Province")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    scope = Scope(**PRODUCT_SCOPE)

    class Meta:
        indexes = [models.Index(fields=["batch", "day"], name="trace_scancount_batch")]
        verbose_name = _("scan count")
        verbose_name_plural = _("scan counts")

    def __str__(self):
        return f"{self.key}: {self.count}"


class ScanFlag(models.Model):
    """A scan pattern officers should look at: one row per subject, kind and day, counted."""

    key = models.CharField(max_length=400, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=FlagKind.choices)
    product = models.ForeignKey("registry.Product", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    code = models.CharField(_("scanned code"), max_length=300)
    serial = models.CharField(max_length=20, blank=True)
    province = optional_unit("geo.Province")
    detail = models.JSONField(default=dict, blank=True)
    day = models.DateField()
    count = models.PositiveIntegerField(default=1)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    # Officers see the flags of products in their jurisdiction (not the producers themselves).
    scope = Scope(province="product__producer__province", commune="product__producer__commune")

    class Meta:
        ordering = ["-last_at", "-pk"]
        indexes = [models.Index(fields=["kind", "-last_at"], name="trace_flag_kind")]
        verbose_name = _("scan flag")
        verbose_name_plural = _("scan flags")

    def __str__(self):
        return f"{self.kind} {self.code} ({self.count})"


class LocatedScan(models.Model):
    """A scan whose province the shopper chose to tell: kept to spot one code in distant places."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="+")
    serial = models.CharField(max_length=20, blank=True)
    province = models.ForeignKey("geo.Province", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    scope = Scope(province="batch__product__producer__province", commune="batch__product__producer__commune")

    class Meta:
        indexes = [models.Index(fields=["batch", "serial", "at"], name="trace_located_serial")]

    def __str__(self):
        return f"{self.batch_id}/{self.serial} @ {self.province_id}"


class ProblemReport(models.Model):
    """A shopper's report about a product or batch. Nothing about the person is kept."""

    product = models.ForeignKey("registry.Product", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(_("what is wrong"), max_length=20, choices=ReportKind.choices)
    message = models.TextField(_("details"), max_length=1000, blank=True)
    province = optional_unit("geo.Province", _("province"))
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(province="product__producer__province", commune="product__producer__commune")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("problem report")
        verbose_name_plural = _("problem reports")

    def __str__(self):
        return f"{self.kind} {self.product_id}"
