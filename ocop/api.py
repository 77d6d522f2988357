"""The HTTP API under /api/v1/, with its OpenAPI document at /api/v1/openapi.json.

Callers authenticate with a bearer token (``Authorization: Bearer ocop_...``, issued on the
profile page) or with the browser session (CSRF-checked). Reads of public data need neither.
Every endpoint gets its rows through the permission gate, like the pages do.
"""

import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja import errors as ninja_errors
from ninja.parser import Parser

from ocop import __version__
from ocop.concurrency import (
    EditConflict,
    PreconditionRequired,
    conflict_response,
    precondition_required_response,
)
from ocop.criteria.api import router as criteria_router
from ocop.evaluation.api import router as evaluation_router
from ocop.geo.api import router as geo_router
from ocop.jobs.api import router as jobs_router
from ocop.market.api import router as market_router
from ocop.monitoring.api import monitoring_router
from ocop.monitoring.api import router as stats_router
from ocop.registry.api import router as registry_router
from ocop.trace.api import router as trace_router
from ocop.web.edge import unsafe_places
from ocop.web.middleware import busy_message, database_busy, with_retry_after


class UnreadableBody(Exception):
    """A body that is not JSON in UTF-8 (or nests deeper than the parser goes)."""


def _refuse_unsafe_text(data, where: str) -> None:
    """422, naming each field, when a text holds a NUL character or an unpaired surrogate."""
    places = list(unsafe_places(data, where))
    if places:
        message = _(
            "Text may not contain the NUL character (U+0000) or unpaired surrogates (U+D800 to U+DFFF)."
        )
        raise ninja_errors.ValidationError(
            [{"loc": list(place), "msg": message, "type": "unsafe_text"} for place in places]
        )


class EdgeParser(Parser):
    """Reads JSON bodies, query strings and form fields, and refuses text the databases cannot
    hold (see ``ocop.web.edge``) before any schema or service sees it: one place for every operation."""

    def parse_body(self, request):
        try:
            data = json.loads(request.body)
        except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            raise UnreadableBody from exc
        _refuse_unsafe_text(data, "body")
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        if data is request.GET:
            _refuse_unsafe_text(result, "query")
        elif data is request.POST:
            _refuse_unsafe_text(result, "form")
        return result


api = NinjaAPI(
    title="OCOP platform API",
    version=__version__,
    description=(
        "Registry of OCOP producers, products and recognitions, with Vietnam's administrative units "
        "before and after 1 July 2025. Identifiers and codes are stable; labels are Vietnamese first."
    ),
    urls_namespace="api",
    parser=EdgeParser(),
)


def _error_list(error: ValidationError) -> list[dict]:
    if hasattr(error, "error_dict"):
        return [
            {"loc": ["body", field], "msg": message, "type": "value_error"}
            for field, messages in error.message_dict.items()
            for message in messages
        ]
    return [{"loc": ["body"], "msg": message, "type": "value_error"} for message in error.messages]


@api.exception_handler(ValidationError)
def validation_error(request, exc):
    return api.create_response(request, {"detail": _error_list(exc)}, status=422)


@api.exception_handler(PermissionDenied)
def permission_denied(request, exc):
    return api.create_response(request, {"detail": "You may not do this."}, status=403)


@api.exception_handler(EditConflict)
def edit_conflict(request, exc):
    return conflict_response(exc)


@api.exception_handler(PreconditionRequired)
def precondition_required(request, exc):
    return precondition_required_response(exc)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(OperationalError)
def busy(request, exc):
    """A write that could not get the database's lock in time: 503, try again (as pages do)."""
    if not database_busy(exc):
        raise exc
    return with_retry_after(api.create_response(request, {"detail": busy_message()}, status=503))


@api.exception_handler(ninja_errors.HttpError)
def http_error(request, exc):
    # django-ninja wraps whatever the body parser raises in a 400 "Cannot parse request body":
    # answer for the cause instead (unsafe text is a 422 naming the field).
    if isinstance(exc.__cause__, ninja_errors.ValidationError | UnreadableBody):
        return api.on_exception(request, exc.__cause__)
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(UnreadableBody)
def unreadable_body(request, exc):
    detail = _("The request body is not valid JSON (UTF-8): %(reason)s") % {"reason": exc.__cause__}
    return api.create_response(request, {"detail": detail}, status=400)


@api.exception_handler(MultiPartParserError)
def unreadable_form(request, exc):
    detail = _(
        "The form data could not be read: a multipart body must be well formed, with the boundary its Content-Type names."
    )
    return api.create_response(request, {"detail": detail}, status=400)


api.add_router("/geo/", geo_router)
api.add_router("/", registry_router)
api.add_router("/criteria/", criteria_router)
api.add_router("/evaluation/", evaluation_router)
api.add_router("/trace/", trace_router)
api.add_router("/market/", market_router)
api.add_router("/stats/", stats_router)
api.add_router("/monitoring/", monitoring_router)
api.add_router("/jobs/", jobs_router)
