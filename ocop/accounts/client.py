"""Who is asking: the client's address, read one way for sign-in throttling (django-axes'
``AXES_CLIENT_IP_CALLABLE``) and for every rate limit (the scan page's reports and located
scans, buyer enquiries).

Without a proxy the client is the connection's peer (``REMOTE_ADDR``): X-Forwarded-For and
X-Real-IP are then the client's own words, and believing them would give a new quota to every
request. Behind ``OCOP_PROXY_COUNT`` trusted reverse proxies, each appending the address it saw
to X-Forwarded-For, the client is the entry the outermost of them appended: that many entries
from the right. What is left of it the client wrote. A missing or malformed entry counts as the
peer, so that a request that did not come through the proxies gets no address of its choice.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_address(request) -> str:
    """The client's IP address, normalised (``2001:db8::1``); "" when even the peer is unknown."""
    peer = _address(request.META.get("REMOTE_ADDR", "")) or ""
    proxies = settings.OCOP_PROXY_COUNT
    if proxies <= 0:
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(forwarded) < proxies:
        return peer
    return _address(forwarded[-proxies]) or peer
