from django.contrib import admin

from ocop.admin_site import CentralOnly, ReadOnly, Versioned

from .models import (
    Certification,
    CraftVillage,
    IntellectualProperty,
    Producer,
    ProducerMember,
    Product,
    ProductPhoto,
    ProductSet,
    Recognition,
    Taxonomy,
)


@admin.register(Taxonomy)
class TaxonomyAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "name", "effective_from", "effective_until"]


@admin.register(ProductSet)
class ProductSetAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["code", "name_vi", "taxonomy", "group", "confidence"]
    list_filter = ["taxonomy", "group"]


class MemberInline(admin.TabularInline):
    model = ProducerMember
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(CraftVillage)
class CraftVillageAdmin(CentralOnly, Versioned, admin.ModelAdmin):
    list_display = ["name", "craft", "is_traditional", "province", "commune", "recognised_on"]
    list_filter = ["is_traditional"]
    search_fields = ["name", "craft"]
    list_select_related = ["province", "commune"]
    autocomplete_fields = ["commune"]


@admin.register(Producer)
class ProducerAdmin(CentralOnly, admin.ModelAdmin):
    """Read and link accounts here; changes to the record itself go through the registry pages,
    whose services validate, resolve addresses and audit."""

    list_display = ["name", "kind", "tax_code", "province", "commune"]
    list_filter = ["kind"]
    search_fields = ["name", "tax_code"]
    list_select_related = ["province", "commune"]
    inlines = [MemberInline]
    readonly_fields = [f.name for f in Producer._meta.concrete_fields if f.name != "id"]

    def has_add_permission(self, request, obj=None):
        return False


class RecognitionInline(admin.TabularInline):
    model = Recognition
    fk_name = "product"
    extra = 0
    can_delete = False
    fields = ["stars", "level", "decision_no", "recognised_on", "valid_until", "revoked_on", "superseded_on"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name_vi", "producer", "group", "gtin"]
    list_filter = ["group"]
    search_fields = ["name_vi", "gtin", "producer__name"]
    list_select_related = ["producer"]
    inlines = [RecognitionInline]


@admin.register(Recognition)
class RecognitionAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["product", "stars", "level", "decision_no", "recognised_on", "valid_until", "revoked_on"]
    list_filter = ["stars", "level"]
    search_fields = ["decision_no", "product__name_vi"]
    list_select_related = ["product"]
    date_hierarchy = "recognised_on"


@admin.register(Certification, IntellectualProperty, ProductPhoto)
class ProductAttachmentAdmin(ReadOnly, admin.ModelAdmin):
    list_select_related = ["product"]
