from django.contrib import admin

from ocop.admin_site import ReadOnly

from .models import CriteriaSet


@admin.register(CriteriaSet)
class CriteriaSetAdmin(ReadOnly, admin.ModelAdmin):
    """Criteria sets are loaded from files (data directories, or the upload page), never edited here."""

    list_display = ["code", "version", "status", "confidence", "effective_from", "effective_until", "used"]
    list_filter = ["decision", "status", "confidence"]
    search_fields = ["code", "name_vi"]
    list_select_related = ["product_set"]
    exclude = ["definition"]
