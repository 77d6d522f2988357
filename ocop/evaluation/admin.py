"""The cycle's records in the admin: read-only for the central office. Every change goes through
the pages, whose services validate and audit (and a frozen sheet cannot change at all)."""

from django.contrib import admin

from ocop.admin_site import ReadOnly

from .models import (
    Assignment,
    Certificate,
    Council,
    Decision,
    Dossier,
    ExpiryNotice,
    Idea,
    Round,
    Sheet,
    Sitting,
)


@admin.register(Idea)
class IdeaAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "producer", "status", "submitted_at"]
    list_filter = ["status"]
    list_select_related = ["producer"]
    search_fields = ["name", "producer__name"]


@admin.register(Round)
class RoundAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "level", "province", "held_on", "process", "status"]
    list_filter = ["level", "process", "status"]
    list_select_related = ["province"]


@admin.register(Dossier)
class DossierAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["product", "kind", "round", "level", "status", "self_total"]
    list_filter = ["status", "level", "kind"]
    list_select_related = ["product", "round"]
    search_fields = ["product__name_vi", "product__producer__name"]


@admin.register(Council)
class CouncilAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "round", "quorum_numerator", "quorum_denominator", "max_spread"]
    list_select_related = ["round"]


@admin.register(Sitting)
class SittingAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["council", "held_on", "status", "closed_at"]
    list_filter = ["status"]
    list_select_related = ["council"]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["dossier", "sitting", "attempt", "score", "stars", "final"]
    list_select_related = ["dossier__product", "sitting__council"]


@admin.register(Sheet)
class SheetAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["assignment", "seat", "attempt", "status", "total", "frozen"]
    list_filter = ["status", "frozen"]
    list_select_related = ["assignment__dossier__product", "assignment__sitting__council", "seat__user"]


@admin.register(Decision)
class DecisionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["number", "round", "signed_on", "status"]
    list_filter = ["status"]
    list_select_related = ["round"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["number", "recognition", "issued_on"]
    list_select_related = ["recognition__product"]
    search_fields = ["number"]


@admin.register(ExpiryNotice)
class ExpiryNoticeAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["recognition", "days_before", "due_on", "sent_at", "recipients", "error"]
    list_filter = ["days_before"]
    list_select_related = ["recognition__product"]
