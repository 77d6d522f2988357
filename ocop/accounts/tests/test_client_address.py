"""The client's address, read one way for every limit (sign-in throttling, the scan page's
reports, buyer enquiries): the connection's peer, or behind ``OCOP_PROXY_COUNT`` trusted proxies
the address the outermost of them saw. Headers a client sends itself are never believed."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from ocop.accounts.client import client_address


def _request(remote="10.0.0.1", **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_a_proxy_the_peer_is_the_client_whatever_the_headers_say(settings):
    settings.OCOP_PROXY_COUNT = 0
    request = _request("203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.1", HTTP_X_REAL_IP="198.51.100.2")
    assert client_address(request) == "203.0.113.7"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        # nginx appends the address it saw: the last entry; anything before it the client wrote.
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.99, 203.0.113.7", "203.0.113.7"),
        (1, "1.2.3.4,5.6.7.8 , 203.0.113.7", "203.0.113.7"),
        # Two proxies (a load balancer, then nginx): the second entry from the right.
        (2, "198.51.100.99, 203.0.113.7, 10.0.0.5", "203.0.113.7"),
        # IPv6, written the way it is compared.
        (1, "2001:DB8::0:1", "2001:db8::1"),
    ],
)
def test_behind_proxies_the_address_the_outermost_proxy_saw(settings, count, forwarded, expected):
    settings.OCOP_PROXY_COUNT = count
    assert client_address(_request("127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)) == expected


@pytest.mark.parametrize(
    "forwarded",
    [
        None,  # a request that did not come through the proxy
        "",
        "unknown",
        "203.0.113.7:4711",
        "<script>",
        "203.0.113.7, not-an-address",
    ],
)
def test_a_missing_or_malformed_forwarded_address_counts_as_the_peer(settings, forwarded):
    settings.OCOP_PROXY_COUNT = 1
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address(_request("127.0.0.1", **headers)) == "127.0.0.1"


def test_fewer_forwarded_addresses_than_proxies_count_as_the_peer(settings):
    settings.OCOP_PROXY_COUNT = 2
    assert client_address(_request("127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")) == "127.0.0.1"
