from django.contrib import admin

from ocop.admin_site import ReadOnly

from .models import Commune, District, Era, Province


@admin.register(Era)
class EraAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "name_vi", "valid_from", "valid_until"]


@admin.register(Province)
class ProvinceAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "name", "era", "successor"]
    list_filter = ["era"]
    search_fields = ["name", "code"]


@admin.register(District)
class DistrictAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "name", "province"]
    search_fields = ["name", "code"]


@admin.register(Commune)
class CommuneAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "name", "province", "district", "era", "successor"]
    list_filter = ["era"]
    search_fields = ["name", "code"]
    list_select_related = ["province", "district", "era", "successor"]
