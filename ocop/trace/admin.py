"""Traceability records in the admin: read-only, since they are written by services (events are
append-only, as EPCIS wants; batches, links and flags through their pages)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ocop.admin_site import ReadOnly

from .models import Batch, CaptureJob, Event, ProblemReport, ProductLink, ScanFlag
from .selectors import local_time


@admin.register(Batch)
class BatchAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["product", "lot", "produced_on", "expires_on", "labels_issued", "created_at"]
    search_fields = ["lot", "product__name_vi"]
    list_select_related = ["product"]
    raw_id_fields = ["product", "created_by"]


@admin.register(Event)
class EventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["when", "event_type", "biz_step", "disposition", "batch", "producer"]
    # The event time through local_time (any stored time shows); the other columns as Django shows them.
    fields = [
        "event_id",
        "event_type",
        "when",
        "timezone",
        "record_time",
        "action",
        "biz_step",
        "disposition",
        "read_point",
        "biz_location",
        "error_declaration",
        "batch",
        "producer",
        "capture",
        "document",
    ]
    readonly_fields = ["when"]
    list_filter = ["event_type", "biz_step"]
    search_fields = ["event_id"]
    list_select_related = ["batch", "batch__product", "producer"]
    raw_id_fields = ["batch", "producer", "capture"]
    show_full_result_count = False  # a million rows: no COUNT(*) on every page

    @admin.display(description=_("event time"), ordering="event_time")
    def when(self, event):
        moment = local_time(event.event_time)
        return f"{moment.year:04d}-{moment:%m-%d %H:%M:%S %Z}"


@admin.register(CaptureJob)
class CaptureJobAdmin(ReadOnly, admin.ModelAdmin):
    list_display = [
        "created_at",
        "owner",
        "status",
        "error_behaviour",
        "event_count",
        "captured",
        "finished_at",
    ]
    list_filter = ["status"]
    list_select_related = ["owner"]


@admin.register(ProductLink)
class ProductLinkAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["product", "link_type", "title", "href", "language"]
    list_select_related = ["product"]


@admin.register(ScanFlag)
class ScanFlagAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["last_at", "kind", "product", "code", "count"]
    list_filter = ["kind"]
    list_select_related = ["product"]


@admin.register(ProblemReport)
class ProblemReportAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["created_at", "kind", "product", "province"]
    list_filter = ["kind"]
    list_select_related = ["product", "province"]
