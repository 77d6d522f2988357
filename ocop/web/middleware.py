"""Middleware of the whole site: one log line per request, the Content-Security-Policy on every
response, and a busy or unreachable database answered with 503 and Retry-After instead of a
server error."""

from __future__ import annotations

import json
import logging
import re
import time

from django.conf import settings
from django.db import OperationalError
from django.shortcuts import render
from django.utils.translation import gettext as _

# SQLite's words for a lock it could not get within its busy timeout.
_BUSY = ("database is locked", "database is busy", "database table is locked")


# PostgreSQL's states for a server that cannot be reached or is going away: connection
# exceptions (class 08), and shut down or starting up (57P01-57P03). A failed connection attempt
# carries no state at all.
_UNREACHABLE_STATES = ("08", "57P01", "57P02", "57P03")


def database_busy(exc: BaseException) -> bool:
    """Whether ``exc`` says that the database cannot serve the request now but may in a few
    seconds: another writer held SQLite's lock for longer than the busy timeout
    (``OCOP_SQLITE_BUSY_TIMEOUT_SECONDS``), or PostgreSQL cannot be reached (restarting, down).
    The request may succeed if sent again."""
    if not isinstance(exc, OperationalError):
        return False
    if any(words in str(exc).lower() for words in _BUSY):
        return True
    cause = exc.__cause__
    if cause is None or type(cause).__module__.split(".")[0] != "psycopg":
        return False
    state = getattr(cause, "sqlstate", None)
    return state is None or state.startswith(_UNREACHABLE_STATES)


def busy_message() -> str:
    return _("The platform is busy: try again in a few seconds.")


def with_retry_after(response):
    """A 503 for a busy database says when to try again (``OCOP_BUSY_RETRY_AFTER_SECONDS``)."""
    response["Retry-After"] = str(settings.OCOP_BUSY_RETRY_AFTER_SECONDS)
    return response


def busy_response(request):
    return with_retry_after(render(request, "503.html", {"message": busy_message()}, status=503))


class DatabaseBusyMiddleware:
    """A write that could not get the database's lock is a 503 the client may retry, never a
    500. The API answers the same from its own exception handler (``ocop/api.py``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exc):
        if database_busy(exc):
            return busy_response(request)
        return None


class ContentSecurityPolicyMiddleware:
    """Sends ``SECURE_CSP`` (written as Django 6's setting of the same name, whose middleware
    replaces this one on upgrade) on every response that has no policy of its own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = "; ".join(
            f"{directive} {' '.join(values)}".strip() for directive, values in settings.SECURE_CSP.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Content-Security-Policy", self.header)
        return response


requests_log = logging.getLogger("ocop.requests")

# Secrets that travel in a path: the token of a password reset link.
_SECRET_PATHS = re.compile(r"(/reset/)[^/]+/[^/]+/")


class RequestLogMiddleware:
    """One line per request on the ``ocop.requests`` logger, as JSON: method, path (without its
    query string, and without the token of a password reset link), status, milliseconds and the
    user's id ("-" when anonymous or never looked at). First in ``MIDDLEWARE``, so the time
    counts everything the application did. The user is read only if the request already loaded
    it: the log never costs a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        if requests_log.isEnabledFor(logging.INFO):
            user = getattr(request, "_cached_user", None)
            record = {
                "method": request.method,
                "path": _SECRET_PATHS.sub(r"\1…/", request.path),
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "user": user.pk if user is not None and user.is_authenticated else "-",
            }
            requests_log.info(json.dumps(record, ensure_ascii=False), extra={"request_fields": record})
        return response
