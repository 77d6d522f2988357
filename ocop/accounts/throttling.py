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

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


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
