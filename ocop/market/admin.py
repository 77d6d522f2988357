from django.contrib import admin

from ocop.admin_site import CentralOnly, ReadOnly

from .models import CatalogueState, Enquiry, EnquiryMessage, Fair, FairParticipant, PointOfSale, SalesChannel


@admin.register(PointOfSale)
class PointOfSaleAdmin(ReadOnly, admin.ModelAdmin):
    """Points of sale are kept on the trade-promotion pages, whose services resolve addresses
    and audit; here the central office reads them."""

    list_display = ["name", "kind", "province", "commune", "closed_on"]
    list_filter = ["kind"]
    search_fields = ["name", "address"]
    list_select_related = ["province", "commune"]


@admin.register(SalesChannel)
class SalesChannelAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["producer", "kind", "partner", "started_on", "ended_on"]
    list_filter = ["kind"]
    search_fields = ["partner", "producer__name"]
    list_select_related = ["producer"]


class MessageInline(admin.TabularInline):
    model = EnquiryMessage
    extra = 0
    can_delete = False
    fields = ["side", "created_at", "body"]
    readonly_fields = fields


@admin.register(Enquiry)
class EnquiryAdmin(CentralOnly, admin.ModelAdmin):
    """For moderation: the central office may close or delete spam. The buyer's e-mail is not
    shown here either."""

    list_display = ["buyer_organisation", "buyer_kind", "producer", "status", "created_at"]
    list_filter = ["status", "buyer_kind"]
    list_select_related = ["producer"]
    exclude = ["buyer_email", "key"]
    readonly_fields = [
        "producer",
        "product",
        "buyer_kind",
        "buyer_organisation",
        "buyer_name",
        "destination",
        "quantity",
        "unit",
        "wanted_from",
        "wanted_until",
        "language",
    ]
    inlines = [MessageInline]

    def has_add_permission(self, request, obj=None):
        return False


class ParticipantInline(admin.TabularInline):
    model = FairParticipant
    extra = 0
    fields = ["producer", "booth", "sales_vnd", "contracts"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Fair)
class FairAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["name", "kind", "starts_on", "ends_on", "province", "is_published"]
    list_filter = ["kind", "is_published"]
    search_fields = ["name"]
    list_select_related = ["province"]
    inlines = [ParticipantInline]


@admin.register(CatalogueState)
class CatalogueStateAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["version", "day", "refreshed_at"]
