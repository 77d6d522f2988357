"""Changing and resetting a password through the pages: Django's views and tokens, the mail
through the configured backend in Vietnamese, no hint whether an address has an account, a
link built on the public address, and a limit on requests."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from ocop.accounts.models import AuditEvent


@pytest.fixture
def client():
    """These pages are read in Vietnamese, the platform's first language."""
    return Client(HTTP_ACCEPT_LANGUAGE="vi")


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def lan(django_user_model):
    return django_user_model.objects.create_user(
        username="lan", password="old-pw-1", email="Lan.Nguyen@example.org"
    )


def _link(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


def test_the_login_page_offers_a_reset_and_the_profile_page_a_change(client, lan):
    assert 'href="/accounts/password_reset/"' in client.get("/accounts/login/").content.decode()
    client.force_login(lan)
    assert 'href="/accounts/password_change/"' in client.get("/accounts/me/").content.decode()


def test_a_password_is_changed_with_the_old_one_and_the_change_is_audited(client, lan):
    client.force_login(lan)
    wrong = client.post(
        "/accounts/password_change/",
        {"old_password": "not-it", "new_password1": "Mới-mật-khẩu-9", "new_password2": "Mới-mật-khẩu-9"},
    )
    assert wrong.status_code == 200
    lan.refresh_from_db()
    assert lan.check_password("old-pw-1")

    response = client.post(
        "/accounts/password_change/",
        {"old_password": "old-pw-1", "new_password1": "Mới-mật-khẩu-9", "new_password2": "Mới-mật-khẩu-9"},
    )
    assert response.status_code == 302
    assert response.url == "/accounts/password_change/done/"
    lan.refresh_from_db()
    assert lan.check_password("Mới-mật-khẩu-9")
    assert AuditEvent.objects.filter(action="account.password_change", object_id=str(lan.pk)).count() == 1
    # The session that changed it stays signed in.
    assert client.get("/accounts/password_change/done/").status_code == 200


def test_a_reset_mails_a_vietnamese_link_on_the_public_address_not_the_host_header(client, lan, settings):
    settings.OCOP_PUBLIC_URL = "https://ocop.example.vn"
    settings.ALLOWED_HOSTS = ["*"]  # even where any Host is let through, the link does not follow it
    response = client.post(
        "/accounts/password_reset/", {"email": "lan.nguyen@EXAMPLE.org"}, HTTP_HOST="attacker.example"
    )
    assert response.status_code == 302
    assert response.url == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Lan.Nguyen@example.org"]
    assert message.subject == "Nền tảng OCOP: đặt mật khẩu mới"
    assert "Xin chào lan," in message.body
    link = _link(message)
    assert link.startswith("https://ocop.example.vn/accounts/reset/")
    assert "attacker" not in message.body


def test_an_unknown_or_inactive_address_gets_the_same_answer_and_no_mail(client, lan, django_user_model):
    django_user_model.objects.create_user(
        username="gone", password="x", email="gone@example.org", is_active=False
    )
    known = client.post("/accounts/password_reset/", {"email": "lan.nguyen@example.org"})
    mail.outbox.clear()
    for address in ("nobody@example.org", "gone@example.org"):
        unknown = client.post("/accounts/password_reset/", {"email": address})
        assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert mail.outbox == []
    done = client.get(known.url).content.decode()
    assert "Nếu có tài khoản dùng địa chỉ bạn đã nhập" in done


def test_the_link_sets_a_new_password_once(client, lan):
    client.post("/accounts/password_reset/", {"email": "lan.nguyen@example.org"})
    link = _link(mail.outbox[0]).replace("http://127.0.0.1:8000", "")
    form_page = client.get(link)
    assert form_page.status_code == 302  # Django moves the token into the session
    set_url = form_page.url
    response = client.post(set_url, {"new_password1": "Chè-Phú-Thọ-77", "new_password2": "Chè-Phú-Thọ-77"})
    assert response.status_code == 302
    assert response.url == "/accounts/reset/done/"
    lan.refresh_from_db()
    assert lan.check_password("Chè-Phú-Thọ-77")
    assert AuditEvent.objects.filter(action="account.password_reset", object_id=str(lan.pk)).count() == 1

    again = client.get(link, follow=True).content.decode()
    assert "Liên kết này không còn dùng được" in again
    signed_in = client.post("/accounts/login/", {"username": "lan", "password": "Chè-Phú-Thọ-77"})
    assert signed_in.status_code == 302


def test_reset_requests_are_limited_per_client_and_per_address(client, lan, settings):
    settings.OCOP_PASSWORD_RESET_LIMIT = 2
    for _ in range(2):
        assert (
            client.post("/accounts/password_reset/", {"email": "lan.nguyen@example.org"}).status_code == 302
        )
    # The same address from elsewhere: the same answer, but no third mail.
    elsewhere = client.post(
        "/accounts/password_reset/", {"email": "lan.nguyen@example.org"}, REMOTE_ADDR="198.51.100.9"
    )
    assert elsewhere.status_code == 302
    assert len(mail.outbox) == 2
    # The same client, whatever the address: refused, and said so.
    refused = client.post("/accounts/password_reset/", {"email": "other@example.org"})
    assert refused.status_code == 429
    assert "Quá nhiều yêu cầu" in refused.content.decode()
    assert len(mail.outbox) == 2


def test_a_reset_lifts_the_sign_in_lock_on_the_account(client, lan, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": "lan", "password": "guess"})
    locked = client.post("/accounts/login/", {"username": "lan", "password": "old-pw-1"})
    assert locked.status_code == 429
    client.post("/accounts/password_reset/", {"email": "lan.nguyen@example.org"})
    link = _link(mail.outbox[0]).replace("http://127.0.0.1:8000", "")
    client.post(client.get(link).url, {"new_password1": "Mới-9-mới", "new_password2": "Mới-9-mới"})
    assert client.post("/accounts/login/", {"username": "lan", "password": "Mới-9-mới"}).status_code == 302
