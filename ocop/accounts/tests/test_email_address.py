"""A person sets their own e-mail address on their page, with their password; an address
belongs to one active account."""

import pytest

from ocop.accounts.models import AuditEvent


@pytest.fixture
def lan(django_user_model):
    return django_user_model.objects.create_user(username="lan", password="pw-lan")


def test_an_address_is_saved_with_the_password_and_audited_without_copying_it(client, lan):
    client.force_login(lan)
    response = client.post("/accounts/me/email/", {"email": " lan@example.org ", "password": "pw-lan"})
    assert response.status_code == 302
    lan.refresh_from_db()
    assert lan.email == "lan@example.org"
    event = AuditEvent.objects.get(action="account.email_change", object_id=str(lan.pk))
    assert event.data == {"had_address": False, "has_address": True}
    assert "lan@example.org" in client.get("/accounts/me/").content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "lan@example.org", "password": "wrong"}, "password"),
        ({"email": "not an address", "password": "pw-lan"}, "email"),
        ({"email": "TAKEN@example.org", "password": "pw-lan"}, "email"),
    ],
)
def test_a_refused_address_changes_nothing(client, lan, django_user_model, data, field):
    django_user_model.objects.create_user(username="other", password="x", email="taken@example.org")
    client.force_login(lan)
    response = client.post("/accounts/me/email/", data)
    assert response.status_code == 400
    assert response.context["email_form"].errors.keys() == {field}
    lan.refresh_from_db()
    assert lan.email == ""
    assert not AuditEvent.objects.filter(action="account.email_change").exists()


def test_the_address_of_a_deactivated_account_may_be_taken(client, lan, django_user_model):
    django_user_model.objects.create_user(
        username="left", password="x", email="desk@example.org", is_active=False
    )
    client.force_login(lan)
    assert (
        client.post("/accounts/me/email/", {"email": "desk@example.org", "password": "pw-lan"}).status_code
        == 302
    )
