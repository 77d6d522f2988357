"""Sign-in throttling (django-axes): a username and address pair is locked after
``OCOP_LOGIN_FAILURE_LIMIT`` failures, and an address after ``OCOP_LOGIN_ADDRESS_FAILURE_LIMIT``
failures across usernames (password spraying), whatever headers the client sends."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

SPRAYER = "203.0.113.66"


def _sign_in(client, username, password="wrong", address=SPRAYER, **headers):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address, **headers
    )


@pytest.fixture
def limits(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.OCOP_LOGIN_ADDRESS_FAILURE_LIMIT = 6
    return settings


def test_failures_across_usernames_lock_the_address(client, limits, owner_a, owner_b):
    for index in range(5):
        assert _sign_in(client, f"guess{index}").status_code == 200
    # The sixth failure from here, each username tried only once: the address is locked.
    assert _sign_in(client, "guess5").status_code == 429
    # Even a right password from this address is refused now...
    refused = _sign_in(client, "owner_a", "pw-owner_a")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Too many failed sign-in attempts from this address" in refused.content.decode()
    # ...and from elsewhere the same account signs in.
    assert _sign_in(client, "owner_b", "pw-owner_b", address="198.51.100.5").status_code == 302


def test_the_address_limit_is_higher_than_the_pair_limit(client, limits, owner_a):
    assert limits.OCOP_LOGIN_ADDRESS_FAILURE_LIMIT > limits.AXES_FAILURE_LIMIT
    for _ in range(2):
        assert _sign_in(client, "owner_a").status_code == 200
    assert _sign_in(client, "owner_a").status_code == 429  # the pair's third failure
    refused = _sign_in(client, "owner_a", "pw-owner_a")
    assert refused.status_code == 429
    assert "signing in with this account from here is paused" in refused.content.decode()
    # Another username from the same address is not locked by the pair's failures.
    assert _sign_in(client, "someone").status_code == 200


def test_a_successful_sign_in_does_not_clear_the_address_failures(client, limits, owner_a):
    """A sprayer who owns one account cannot reset the count by signing in with it."""
    for index in range(5):
        assert _sign_in(client, f"guess{index}").status_code == 200
    assert _sign_in(client, "owner_a", "pw-owner_a").status_code == 302
    client.post("/accounts/logout/")
    assert _sign_in(client, "guess5").status_code == 429


def test_forged_forwarding_headers_do_not_escape_the_lock(client, limits):
    """Without a trusted proxy the headers are the client's own words; behind one, only the
    address the proxy appended counts."""
    limits.OCOP_PROXY_COUNT = 0
    for index in range(6):
        forged = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{index}", "HTTP_X_REAL_IP": f"198.51.100.{index}"}
        response = _sign_in(client, f"guess{index}", **forged)
    assert response.status_code == 429

    limits.OCOP_PROXY_COUNT = 1
    proxy = "127.0.0.1"
    for index in range(6):
        forged = {"HTTP_X_FORWARDED_FOR": f"198.51.100.{index}, 192.0.2.44"}
        response = _sign_in(client, f"other{index}", address=proxy, **forged)
    assert response.status_code == 429
    # Another client behind the same proxy is not locked.
    fine = _sign_in(client, "other0", address=proxy, HTTP_X_FORWARDED_FOR="192.0.2.45")
    assert fine.status_code == 200
