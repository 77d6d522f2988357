"""The EPCIS 2.0 REST interface at ``/epcis/``: capture and query.

* ``POST /epcis/capture`` takes an EPCIS document (JSON-LD) and answers 202 with the capture
  job's address (``Location: /epcis/capture/{id}``). Small documents are captured before the
  answer; larger ones in the background. ``GS1-Capture-Error-Behaviour: rollback`` (default)
  stores nothing if any event fails, ``proceed`` stores the valid ones. A document over
  ``OCOP_EPCIS_CAPTURE_MAX_BYTES`` bytes or ``OCOP_EPCIS_CAPTURE_MAX_EVENTS`` events is refused
  with 413. ``GET /epcis/capture`` lists the caller's captures.
* ``GET /epcis/capture/{id}`` reports the job: running, success, and every error with the
  event's index and field.
* ``GET /epcis/events`` answers an EPCISQueryDocument for the standard query parameters
  (:mod:`ocop.trace.epcisquery`), ``perPage`` events a page, the next page linked in a
  ``Link: <…>; rel="next"`` header with an opaque ``nextPageToken``.

Callers authenticate with a bearer token (``Authorization: Bearer ocop_…``, from the profile
page); reads also accept a signed-in browser. Errors are RFC 7807 problem documents with the
EPCIS exception names as their type. What each caller sees and may write goes through the
permission gate.
"""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.models import ApiToken

from . import epcis, selectors, services
from .epcisquery import QueryParameterError, fingerprint, parse_query
from .models import CaptureJob

HEADERS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}
TOKEN_SALT = "ocop.trace.epcis.page"
TOKEN_AGE = 3600


def _json(data, status=200, content_type="application/json", headers=None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, default=str), status=status, content_type=content_type
    )
    for name, value in {**HEADERS, **(headers or {})}.items():
        response[name] = value
    return response


def problem(status: int, exception: str, detail: str, **extra) -> HttpResponse:
    """An RFC 7807 problem with the EPCIS exception as its type."""
    body = {
        "type": f"epcisException:{exception}",
        "title": exception,
        "status": status,
        "detail": detail,
        **extra,
    }
    headers = {"WWW-Authenticate": 'Bearer realm="epcis"'} if status == 401 else {}
    return _json(body, status=status, content_type="application/problem+json", headers=headers)


def _user(request, *, token_only: bool = False):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Bearer "):
        return ApiToken.authenticate(header[7:].strip())
    if not token_only and request.user.is_authenticated:
        return request.user
    return None


# What kind of EPCIS exception each problem of a capture is (EPCIS 2.0 REST binding).
EXCEPTIONS = {
    "permission": ("SecurityException", 403),
    "internal": ("ImplementationException", 500),
}


def capture_error(error: dict) -> dict:
    """A problem of a capture as an RFC 7807 problem (what EPCIS 2.0 capture jobs list), with
    the event's index and field as extension members."""
    exception, status = EXCEPTIONS.get(error.get("code"), ("ValidationException", 400))
    index = error.get("eventIndex")
    where = (
        f"/epcisBody/eventList/{index}{error['field'].rstrip('/')}" if index is not None else error["field"]
    )
    return {
        "type": f"epcisException:{exception}",
        "title": exception,
        "status": status,
        "detail": error["message"],
        "instance": "#" + where,
        **error,
    }


def _time(moment) -> str | None:
    return epcis.format_time(moment) if moment else None


def capture_job(capture: CaptureJob) -> dict:
    return {
        "captureID": str(capture.pk),
        "createdAt": _time(capture.created_at),
        "finishedAt": _time(capture.finished_at),
        "running": capture.running,
        "success": capture.status == "succeeded",
        "captureErrorBehaviour": capture.error_behaviour,
        "eventCount": capture.event_count,
        "capturedEventCount": capture.captured,
        "errors": [capture_error(e) for e in capture.errors],
    }


@csrf_exempt  # a token-authenticated API: no cookies, so no cross-site forgery
@require_http_methods(["GET", "POST", "OPTIONS"])
def capture(request):
    max_bytes, max_events, _inline = services.capture_limits()
    limits = {"GS1-EPCIS-Capture-Limit": str(max_events), "GS1-EPCIS-Capture-File-Size-Limit": str(max_bytes)}
    if request.method == "OPTIONS":
        return _json({}, headers={"Allow": "GET, POST, OPTIONS", **limits})
    user = _user(request, token_only=request.method == "POST")
    if user is None:
        return problem(401, "SecurityException", _("Authenticate with a bearer token."))
    if request.method == "GET":
        jobs = gate.restrict(CaptureJob.objects.all(), user, Action.VIEW).filter(owner=user)[:50]
        return _json([capture_job(j) for j in jobs], headers=limits)
    content_type = request.META.get("CONTENT_TYPE", "").split(";")[0].strip()
    if content_type not in ("application/json", "application/ld+json"):
        return problem(
            415, "ValidationException", _("Send the document as application/json or application/ld+json.")
        )
    coding = request.META.get("HTTP_CONTENT_ENCODING", "").strip()
    if coding.lower() not in ("", "identity"):
        # Never inflated: a few kilobytes of gzip can hold gigabytes.
        return problem(
            415,
            "ValidationException",
            _("Content-Encoding %(coding)s is not accepted: send the document uncompressed.")
            % {"coding": coding},
        )
    declared = request.META.get("CONTENT_LENGTH", "")
    if declared.isdigit() and int(declared) > max_bytes:
        return problem(413, "CaptureLimitExceededException", services.over_size(max_bytes))
    body = request.read(max_bytes + 1)
    behaviour = request.META.get("HTTP_GS1_CAPTURE_ERROR_BEHAVIOUR", "rollback").strip().lower()
    try:
        job = services.capture_submit(user=user, body=body, behaviour=behaviour)
    except services.CaptureRefused as refused:
        return problem(refused.status, refused.title, refused.detail)
    except PermissionDenied:
        return problem(403, "SecurityException", _("This account may not capture events."))
    location = reverse("trace:epcis_capture_detail", args=[job.pk])
    return _json(capture_job(job), status=202, headers={"Location": location, **limits})


@require_GET
def capture_detail(request, pk):
    user = _user(request)
    if user is None:
        return problem(401, "SecurityException", _("Authenticate with a bearer token."))
    job = gate.restrict(CaptureJob.objects.all(), user, Action.VIEW).filter(pk=pk).first()
    if job is None:
        return problem(404, "NoSuchResourceException", _("No such capture job."))
    return _json(capture_job(job))


def _page_token(spec_params, spec, last, returned: int) -> str:
    value = last.event_time if spec.order_by == "eventTime" else last.record_time
    return signing.dumps(
        {"q": fingerprint(spec_params), "v": value.isoformat(), "i": last.pk, "n": returned},
        salt=TOKEN_SALT,
        compress=True,
    )


@require_GET
def events(request):
    user = _user(request)
    if user is None:
        return problem(401, "SecurityException", _("Authenticate with a bearer token."))
    params = {name: request.GET.getlist(name) for name in request.GET}
    try:
        spec = parse_query(
            params,
            platform=services.platform_scheme(),
            max_per_page=settings.OCOP_EPCIS_MAX_PER_PAGE,
            default_per_page=settings.OCOP_EPCIS_PER_PAGE,
        )
    except QueryParameterError as error:
        return problem(400, "QueryParameterException", error.translate(_), parameter=error.parameter)
    queryset = selectors.events_query(user, spec)
    returned = 0
    if spec.next_page_token:
        try:
            token = signing.loads(spec.next_page_token, salt=TOKEN_SALT, max_age=TOKEN_AGE)
        except signing.BadSignature:
            return problem(
                400,
                "QueryParameterException",
                _("nextPageToken is invalid or expired."),
                parameter="nextPageToken",
            )
        if token.get("q") != fingerprint(params):
            return problem(
                400,
                "QueryParameterException",
                _("nextPageToken belongs to another query."),
                parameter="nextPageToken",
            )
        from datetime import datetime

        queryset = selectors.after_token(queryset, spec, datetime.fromisoformat(token["v"]), token["i"])
        returned = token.get("n", 0)
    size = spec.per_page
    if spec.event_count_limit is not None:
        size = max(0, min(size, spec.event_count_limit - returned))
    rows = list(queryset.only("id", "event_time", "record_time", "document")[: size + 1]) if size else []
    more = len(rows) > size
    rows = rows[:size]
    if spec.event_count_limit is not None and returned + len(rows) >= spec.event_count_limit:
        more = False
    document = epcis.document([r.document for r in rows], created=timezone.now())
    document["@context"].append({"ocop": services.namespace()})
    document["type"] = "EPCISQueryDocument"
    document["epcisBody"] = {
        "queryResults": {
            "queryName": "SimpleEventQuery",
            "resultsBody": {"eventList": document["epcisBody"]["eventList"]},
        }
    }
    headers = {}
    if more and rows:
        token = _page_token(params, spec, rows[-1], returned + len(rows))
        query = {name: values for name, values in params.items() if name != "nextPageToken"}
        query["nextPageToken"] = [token]
        url = request.build_absolute_uri(request.path) + "?" + urlencode(query, doseq=True)
        headers["Link"] = f'<{url}>; rel="next"'
        headers["GS1-Next-Page-Token-Expires"] = (timezone.now() + timedelta(seconds=TOKEN_AGE)).isoformat()
    return _json(document, content_type="application/ld+json", headers=headers)
