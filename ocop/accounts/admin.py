from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from ocop.admin_site import CentralOnly, ReadOnly

from .models import ApiToken, AuditEvent, Grant, User

admin.site.unregister(Group)  # roles are Grants with a jurisdiction, not Django groups


class GrantInline(admin.TabularInline):
    model = Grant
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["province", "commune"]
    exclude = ["granted_by"]


@admin.register(User)
class UserAdmin(CentralOnly, BaseUserAdmin):
    inlines = [GrantInline]
    list_display = ["username", "last_name", "first_name", "email", "is_active", "last_login"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("last_name", "first_name", "email", "phone")}),
        ("Status", {"fields": ("is_active", "last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def save_formset(self, request, form, formset, change):
        for grant in formset.save(commit=False):
            grant.granted_by = grant.granted_by or request.user
            grant.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(ApiToken)
class ApiTokenAdmin(CentralOnly, admin.ModelAdmin):
    list_display = ["name", "user", "key_hint", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["user", "name", "key_hint", "created_at", "last_used_at"]
    fields = ["user", "name", "key_hint", "created_at", "last_used_at", "expires_at", "revoked_at"]

    def has_add_permission(self, request, obj=None):
        return False  # tokens are issued by their owner, who sees the key once


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["at", "actor", "action", "object_type", "object_id", "province"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "action"]
    date_hierarchy = "at"


# django-axes registers its lock-out records with Django's default permissions; put them behind
# the same gate as everything else so the central office can unlock people.
def _central_axes_admins():
    from axes import admin as axes_admin
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model, base in (
        (AccessAttempt, axes_admin.AccessAttemptAdmin),
        (AccessLog, axes_admin.AccessLogAdmin),
        (AccessFailureLog, axes_admin.AccessFailureLogAdmin),
    ):
        if admin.site.is_registered(model):
            admin.site.unregister(model)
        admin.site.register(model, type(base.__name__, (CentralOnly, base), {}))


_central_axes_admins()
