"""The Django admin, for the central coordination office only."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from ocop.accounts import gate


class OcopAdminSite(admin.AdminSite):
    site_header = _("OCOP — central administration")
    site_title = _("OCOP administration")
    index_title = _("Reference data, accounts and records")

    def has_permission(self, request):
        return request.user.is_active and gate.actor_of(request.user).is_central

    def login(self, request, extra_context=None):
        # One sign-in page (with its throttling) for the whole site.
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")


class OcopAdminConfig(AdminConfig):
    default_site = "ocop.admin_site.OcopAdminSite"


class CentralOnly:
    """ModelAdmin permissions from the one gate: the central office may do everything here."""

    def _central(self, request):
        return gate.actor_of(request.user).is_central

    def has_module_permission(self, request):
        return self._central(request)

    def has_view_permission(self, request, obj=None):
        return self._central(request)

    def has_add_permission(self, request, obj=None):
        return self._central(request)

    def has_change_permission(self, request, obj=None):
        return self._central(request)

    def has_delete_permission(self, request, obj=None):
        return self._central(request)


class Versioned:
    """A change form that refuses a save made from a copy older than the record (lost update)."""

    def get_form(self, request, obj=None, **kwargs):
        from ocop.concurrency import VersionedAdminForm  # a models module; this one loads first

        if kwargs.get("fields"):  # the field list the admin read back from the form below
            kwargs["fields"] = [name for name in kwargs["fields"] if name != "version"]
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (VersionedAdminForm, form), {})


class ReadOnly(CentralOnly):
    """Reference data and audit rows are loaded or written by the platform, never edited by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
