"""Middleware of the whole site: the Content-Security-Policy on every response, and a busy
database answered with 503 and Retry-After instead of a server error."""

from __future__ import annotations

from django.conf import settings
from django.db import OperationalError
from django.shortcuts import render
from django.utils.translation import gettext as _

# SQLite's words for a lock it could not get within its busy timeout.
_BUSY = ("database is locked", "database is busy", "database table is locked")


def database_busy(exc: BaseException) -> bool:
    """Whether ``exc`` says that another writer held the database for longer than the busy
    timeout (``OCOP_SQLITE_BUSY_TIMEOUT_SECONDS``): the request may succeed if sent again."""
    return isinstance(exc, OperationalError) and any(words in str(exc).lower() for words in _BUSY)


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
