"""Officers' accounts on pages: the central office manages any, a province officer only accounts
whose every role lies in their province, and never grants the central role or another province."""

import re

import pytest
from django.core import mail

from ocop.accounts.models import AuditEvent, Grant, User


@pytest.fixture
def commune_officer_a2(geo, django_user_model):
    user = django_user_model.objects.create_user(username="thu", password="pw-thu", email="thu@example.org")
    user.grants.create(role="commune_officer", commune=geo.a2)
    return user


def _new_officer(geo, **changes):
    data = {
        "username": "lan",
        "first_name": "Lan",
        "last_name": "Nguyễn Thị",
        "email": "lan@example.org",
        "role": "commune_officer",
        "province": geo.province_a.pk,
        "commune": geo.a2.pk,
    }
    return data | changes


def test_a_province_opens_an_account_that_chooses_its_own_password(
    client, geo, officer_a, settings, django_capture_on_commit_callbacks
):
    settings.OCOP_PUBLIC_URL = "https://ocop.example.vn"
    client.force_login(officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/officers/new/", _new_officer(geo))
    lan = User.objects.get(username="lan")
    assert response.status_code == 302
    assert response.url == f"/accounts/officers/{lan.pk}/"
    assert not lan.has_usable_password()
    assert list(lan.grants.values_list("role", "commune_id", "granted_by_id")) == [
        ("commune_officer", geo.a2.pk, officer_a.pk)
    ]
    event = AuditEvent.objects.get(action="account.create")
    assert (event.actor, event.object_id, event.province_id) == (officer_a, str(lan.pk), geo.province_a.pk)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lan@example.org"]
    assert message.subject == "Tài khoản Nền tảng OCOP của bạn: đặt mật khẩu"
    link = re.search(r"https://ocop\.example\.vn(/\S+)", message.body).group(1)

    # The new officer follows the link, chooses a password, signs in and lands on their work.
    client.logout()
    set_url = client.get(link).url
    assert (
        client.post(
            set_url, {"new_password1": "Xã-A2-mật-khẩu", "new_password2": "Xã-A2-mật-khẩu"}
        ).status_code
        == 302
    )
    signed_in = client.post("/accounts/login/", {"username": "lan", "password": "Xã-A2-mật-khẩu"})
    assert signed_in.url == "/manage/dashboard/"


@pytest.mark.parametrize(
    "changes",
    [
        {"role": "central", "province": "", "commune": ""},  # never offered to a province
        {"role": "province_officer", "commune": ""},  # province B below
        {"role": "commune_officer"},  # a commune of B below
    ],
)
def test_a_province_cannot_grant_the_centre_or_another_province(client, geo, officer_a, changes):
    changes = dict(changes)
    if changes["role"] == "province_officer":
        changes["province"] = geo.province_b.pk
    elif changes["role"] == "commune_officer":
        changes["province"], changes["commune"] = geo.province_b.pk, geo.b1.pk
    client.force_login(officer_a)
    response = client.post("/accounts/officers/new/", _new_officer(geo, **changes))
    assert response.status_code == 400
    assert not User.objects.filter(username="lan").exists()
    assert mail.outbox == []


def test_lists_show_exactly_the_accounts_in_reach(
    client, geo, central, officer_a, officer_b, commune_officer_a2
):
    # Someone working for province A and the centre is out of the province's reach.
    both = User.objects.create_user(username="both", password="x")
    both.grants.create(role="province_officer", province=geo.province_a)
    both.grants.create(role="central")
    seen = {}
    for user in (central, officer_a, officer_b):
        client.force_login(user)
        page = client.get("/accounts/officers/")
        seen[user.username] = {account.username for account in page.context["page"]}
    assert seen["central"] == {"central", "officer_a", "officer_b", "thu", "both"}
    assert seen["officer_a"] == {"officer_a", "thu"}
    assert seen["officer_b"] == {"officer_b"}

    client.force_login(officer_a)
    for url in (f"/accounts/officers/{both.pk}/", f"/accounts/officers/{officer_b.pk}/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/accounts/officers/{both.pk}/deactivate/", {"confirmed": "1"}).status_code == 404
    both.refresh_from_db()
    assert both.is_active


def test_a_commune_officer_or_producer_manages_no_accounts(
    client, commune_officer_a, owner_a, commune_officer_a2
):
    for user in (commune_officer_a, owner_a):
        client.force_login(user)
        assert client.get("/accounts/officers/").status_code == 404
        assert client.get(f"/accounts/officers/{commune_officer_a2.pk}/").status_code == 404


def test_a_deactivated_account_cannot_sign_in_and_is_audited(client, officer_a, commune_officer_a2):
    client.force_login(officer_a)
    assert (
        client.post(f"/accounts/officers/{commune_officer_a2.pk}/deactivate/", {"confirmed": "1"}).status_code
        == 302
    )
    commune_officer_a2.refresh_from_db()
    assert not commune_officer_a2.is_active
    assert (
        AuditEvent.objects.filter(action="account.deactivate", object_id=str(commune_officer_a2.pk)).count()
        == 1
    )
    client.logout()
    refused = client.post("/accounts/login/", {"username": "thu", "password": "pw-thu"})
    assert refused.status_code == 200  # the form again, not a session
    assert "_auth_user_id" not in client.session

    client.force_login(officer_a)
    client.post(f"/accounts/officers/{commune_officer_a2.pk}/reactivate/")
    commune_officer_a2.refresh_from_db()
    assert commune_officer_a2.is_active


def test_nobody_deactivates_themselves(client, officer_a):
    client.force_login(officer_a)
    client.post(f"/accounts/officers/{officer_a.pk}/deactivate/", {"confirmed": "1"})
    officer_a.refresh_from_db()
    assert officer_a.is_active


def test_roles_are_granted_and_taken_back_but_never_the_last(client, geo, officer_a, commune_officer_a2):
    client.force_login(officer_a)
    url = f"/accounts/officers/{commune_officer_a2.pk}/grants/"
    assert (
        client.post(
            url, {"role": "commune_officer", "commune": geo.a1.pk, "province": geo.province_a.pk}
        ).status_code
        == 302
    )
    again = client.post(url, {"role": "commune_officer", "commune": geo.a1.pk, "province": geo.province_a.pk})
    assert again.status_code == 400
    assert commune_officer_a2.grants.count() == 2
    first, second = commune_officer_a2.grants.order_by("pk")
    assert client.post(f"/accounts/grants/{second.pk}/remove/").status_code == 302
    client.post(f"/accounts/grants/{first.pk}/remove/")
    assert list(Grant.objects.filter(user=commune_officer_a2).values_list("pk", flat=True)) == [first.pk]
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions == ["account.grant_add", "account.grant_remove"]


def test_the_central_office_may_grant_the_central_role(client, central, commune_officer_a2):
    client.force_login(central)
    client.post(f"/accounts/officers/{commune_officer_a2.pk}/grants/", {"role": "central"})
    assert commune_officer_a2.grants.filter(role="central").count() == 1


def test_an_address_in_use_is_refused_for_a_new_account(client, geo, officer_a, commune_officer_a2):
    client.force_login(officer_a)
    response = client.post("/accounts/officers/new/", _new_officer(geo, email="THU@example.org"))
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert not User.objects.filter(username="lan").exists()


def test_the_list_costs_the_same_queries_however_many_accounts(client, geo, central, django_user_model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(central)
    counts = []
    for batch in range(2):
        for n in range(5):
            user = django_user_model.objects.create_user(username=f"o{batch}{n}", password="x")
            user.grants.create(role="commune_officer", commune=geo.a1 if n % 2 else geo.b1)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/accounts/officers/").status_code == 200
        counts.append(len(queries))
    # Session, user, their roles, the count, the page, the page's roles.
    assert counts == [6, 6]
