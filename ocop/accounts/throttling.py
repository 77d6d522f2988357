"""Sign-in throttling: django-axes' database handler with two limits.

``AXES_LOCKOUT_PARAMETERS`` lists the username and address pair first and the address alone
second. Axes compares one count with one limit, the most failures of any of them; here the pair
keeps ``AXES_FAILURE_LIMIT`` (``OCOP_LOGIN_FAILURE_LIMIT``, 5) and the address, failing across
usernames, gets the higher ``OCOP_LOGIN_ADDRESS_FAILURE_LIMIT`` (20): a password sprayed over
many accounts from one address is stopped, while an office whose staff share one address is not
locked out by a few mistyped passwords. A successful sign-in clears its own pair's failures
only, so that whoever owns one account cannot wipe the address's count with it.
"""

from __future__ import annotations

import hashlib
import time

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum

from .client import client_address


def _failures(attempts) -> int:
    return attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0


class Throttle(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        pair, address = self.get_user_attempts(request, credentials)
        failures = _failures(pair)
        if _failures(address) >= settings.OCOP_LOGIN_ADDRESS_FAILURE_LIMIT:
            # Said in the pair's terms, the one limit axes compares with.
            request.ocop_address_locked = True
            return max(failures, get_failure_limit(request, credentials))
        return failures

    def reset_user_attempts(self, request, credentials=None) -> int:
        pair, _address = self.filter_user_attempts(request, credentials)
        deleted, _rows = pair.delete()
        return deleted


# ---- Password reset requests (issue 12) ------------------------------------------------------


def reset_allowed(request, email: str) -> tuple[bool, bool]:
    """Whether this reset request may go on: (for the client address, for the address asked
    for), each at most ``OCOP_PASSWORD_RESET_LIMIT`` an hour. The cache holds salted hashes that
    expire with the hour, never the addresses themselves."""
    hour = int(time.time() // 3600)

    def under_limit(kind: str, value: str) -> bool:
        digest = hashlib.sha256(f"{settings.SECRET_KEY}|{kind}|{hour}|{value}".encode()).hexdigest()[:32]
        key = f"accounts:reset:{kind}:{digest}"
        if cache.add(key, 1, 3600):
            return True
        try:
            return cache.incr(key) <= settings.OCOP_PASSWORD_RESET_LIMIT
        except ValueError:  # expired between add and incr
            cache.set(key, 1, 3600)
            return True

    return under_limit("client", client_address(request)), under_limit("email", email.strip().lower())
