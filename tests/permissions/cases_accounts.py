"""Permission cases for a person's passwords and e-mail address, and for officers' accounts: the
central office manages any, a province officer those whose every role is in their province."""

from __future__ import annotations

from .framework import EVERYONE, SIGNED_IN, Case, count, page

MANAGERS = {"central", "officer_a", "officer_b"}  # reach the pages at all
REACH_TARGET = {"central", "officer_a"}  # reach the commune officers of province A


def setup(records, users):
    """Two commune officers of province A: one active with two roles and an address, one
    deactivated."""
    from django.contrib.auth import get_user_model

    from ocop.geo.models import Commune

    User = get_user_model()
    a1, a2 = Commune.objects.current().filter(province=records.p.province).order_by("code")[:2]
    records.target = User.objects.create_user(username="target_a", password="x", email="target@example.org")
    records.target_a2 = records.target.grants.create(role="commune_officer", commune=a2)
    records.target_a1 = records.target.grants.create(role="commune_officer", commune=a1)
    records.dormant = User.objects.create_user(username="dormant_a", password="x", is_active=False)
    records.dormant.grants.create(role="commune_officer", commune=a2)
    records.a2 = a2


def _officer_payload(r, geo):
    return {
        "username": "new_officer",
        "first_name": "Lan",
        "last_name": "Nguyễn Thị",
        "email": "lan@example.org",
        "role": "commune_officer",
        "province": geo.province_a.pk,
        "commune": geo.a2.pk,
    }


CASES: list[Case] = [
    # ---- passwords ----------------------------------------------------------------------------
    page("accounts:password_change", lambda r: "/accounts/password_change/", SIGNED_IN),
    page("accounts:password_change_done", lambda r: "/accounts/password_change/done/", SIGNED_IN),
    page("accounts:password_reset", lambda r: "/accounts/password_reset/", EVERYONE, anonymous=200),
    page("accounts:password_reset_done", lambda r: "/accounts/password_reset/done/", EVERYONE, anonymous=200),
    page(
        "accounts:password_reset_confirm",
        lambda r: "/accounts/reset/MQ/not-a-token/",
        EVERYONE,
        anonymous=200,
    ),
    page("accounts:password_reset_complete", lambda r: "/accounts/reset/done/", EVERYONE, anonymous=200),
    # A wrong password: refused on the form, for everyone; the page tests cover the change itself.
    page(
        "accounts:email_change",
        lambda r: "/accounts/me/email/",
        SIGNED_IN,
        method="post",
        data=lambda r, g: {"email": "someone@example.org", "password": "wrong"},
        ok=400,
    ),
    # ---- officers' accounts -------------------------------------------------------------------
    page("accounts:officer_list", lambda r: "/accounts/officers/", MANAGERS),
    page("accounts:officer_create", lambda r: "/accounts/officers/new/", MANAGERS),
    page(
        "accounts:officer_create#post",
        lambda r: "/accounts/officers/new/",
        REACH_TARGET,
        method="post",
        data=_officer_payload,
        ok=302,
        denied=(400, 404),  # province B is offered communes of B only
        effect=lambda r, actor: count("accounts.grant", user__username="new_officer", commune=r.a2) == 1,
    ),
    page("accounts:officer_detail", lambda r: f"/accounts/officers/{r.target.pk}/", REACH_TARGET),
    page(
        "accounts:grant_add",
        lambda r: f"/accounts/officers/{r.target.pk}/grants/",
        REACH_TARGET,
        method="post",
        data=lambda r, g: {"role": "province_officer", "province": g.province_a.pk},
        ok=302,
        effect=lambda r, actor: count("accounts.grant", user=r.target, role="province_officer") == 1,
    ),
    page(
        "accounts:grant_remove",
        lambda r: f"/accounts/grants/{r.target_a1.pk}/remove/",
        REACH_TARGET,
        method="post",
        ok=302,
        effect=lambda r, actor: count("accounts.grant", pk=r.target_a1.pk) == 0,
    ),
    page(
        "accounts:officer_deactivate",
        lambda r: f"/accounts/officers/{r.target.pk}/deactivate/",
        REACH_TARGET,
        method="post",
        data=lambda r, g: {"confirmed": "1"},
        ok=302,
        effect=lambda r, actor: count("accounts.user", pk=r.target.pk, is_active=False) == 1,
    ),
    page(
        "accounts:officer_reactivate",
        lambda r: f"/accounts/officers/{r.dormant.pk}/reactivate/",
        REACH_TARGET,
        method="post",
        ok=302,
        effect=lambda r, actor: count("accounts.user", pk=r.dormant.pk, is_active=True) == 1,
    ),
    page(
        "accounts:officer_password_mail",
        lambda r: f"/accounts/officers/{r.target.pk}/password-link/",
        REACH_TARGET,
        method="post",
        ok=302,
        effect=lambda r, actor: (
            count("accounts.auditevent", action="account.password_mail", object_id=r.target.pk) == 1
        ),
    ),
]
