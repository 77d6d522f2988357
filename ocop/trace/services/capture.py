"""EPCIS capture: a partner's document accepted (``POST /epcis/capture``), checked against the
schema, attributed to the producers and batches whose products it names (and refused where the
account may not record for them), and stored; the outcome recorded on its capture job.

Small documents are captured before the answer; larger ones by a background job, their document
staged in private storage until then (:func:`captures_clean` removes what a lost capture left).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocop.accounts import gate
from ocop.accounts.services import audit_record
from ocop.registry.models import Producer, Product

from .. import codes, epcis
from .. import digitallink as dl
from ..choices import CaptureStatus, ErrorBehaviour
from ..models import CAPTURE_STAGING, Batch, CaptureJob, Event
from ..selectors import may_add
from . import events as eventstore  # as a module: tests lower its COPY_THRESHOLD
from .identifiers import platform_scheme

log = logging.getLogger(__name__)


class CaptureRefused(Exception):
    """A document refused before a capture job exists (HTTP 400 or 413)."""

    def __init__(self, status: int, title: str, detail: str):
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


def over_size(max_bytes: int) -> str:
    return _("The document is over %(bytes)s bytes.") % {"bytes": max_bytes}


_NOT_AN_OBJECT = {
    type(None): gettext_lazy("An EPCIS document is a JSON object, not null."),
    list: gettext_lazy("An EPCIS document is a JSON object, not an array."),
    str: gettext_lazy("An EPCIS document is a JSON object, not a string."),
    bool: gettext_lazy("An EPCIS document is a JSON object, not true or false."),
    float: gettext_lazy("An EPCIS document is a JSON object, not a number."),
}


def capture_limits() -> tuple[int, int, int]:
    return (
        settings.OCOP_EPCIS_CAPTURE_MAX_BYTES,
        settings.OCOP_EPCIS_CAPTURE_MAX_EVENTS,
        settings.OCOP_EPCIS_CAPTURE_INLINE_EVENTS,
    )


def capture_submit(*, user, body: bytes, behaviour: str = ErrorBehaviour.ROLLBACK) -> CaptureJob:
    """Accept an EPCIS document for capture and return its capture job.

    Small documents (up to ``OCOP_EPCIS_CAPTURE_INLINE_EVENTS`` events) are captured before this
    returns, so their job is already finished when the client first asks; larger ones are
    captured by a background job (``trace.capture``). Either way the client polls the job.
    """
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied
    max_bytes, max_events, inline = capture_limits()
    if len(body) > max_bytes:
        raise CaptureRefused(413, "CaptureLimitExceededException", over_size(max_bytes))
    if behaviour not in ErrorBehaviour.values:
        raise CaptureRefused(
            400, "ValidationException", _("GS1-Capture-Error-Behaviour must be rollback or proceed.")
        )
    try:
        document = epcis.parse_document(body, max_depth=settings.OCOP_EPCIS_MAX_DEPTH)
    except epcis.DocumentError as exc:
        raise CaptureRefused(400, "ValidationException", exc.translate(_)) from None
    if not isinstance(document, dict):
        kind = _NOT_AN_OBJECT.get(type(document), _NOT_AN_OBJECT[float])
        raise CaptureRefused(400, "ValidationException", str(kind))
    body_part = document.get("epcisBody")
    events = body_part.get("eventList") if isinstance(body_part, dict) else None
    count = len(events) if isinstance(events, list) else 0
    if count > max_events:
        raise CaptureRefused(
            413,
            "CaptureLimitExceededException",
            _("The document holds %(count)s events; the limit is %(limit)s.")
            % {"count": count, "limit": max_events},
        )
    capture = CaptureJob.objects.create(owner=user, error_behaviour=behaviour, event_count=count)
    if count <= inline:
        capture_run(capture, document=document)
    else:
        from ocop.jobs.services import job_start

        capture.document.save("capture.json", ContentFile(body), save=True)
        try:
            job_start(kind="trace.capture", owner=user, params={"capture": str(capture.pk)})
        except Exception as exc:
            log.exception("capture %s could not be queued", capture.pk)
            _capture_finish(capture, 0, [_internal_problem(exc)])
            _staged_discard(capture)
    capture.refresh_from_db()
    return capture


@dataclass
class _Attribution:
    producer_id: int | None
    batch_id: int | None


ROLE_FIELD = {
    "epc": "/epcList",
    "parent": "/parentID",
    "child": "/childEPCs",
    "input": "/inputEPCList",
    "output": "/outputEPCList",
    "class": "/quantityList",
    "child_class": "/childQuantityList",
    "input_class": "/inputQuantityList",
    "output_class": "/outputQuantityList",
}


def _raw_identifiers(event) -> list[str]:
    """The identifiers an event names, as written (before it is known to be valid)."""
    if not isinstance(event, dict):
        return []
    values = []
    for name in epcis.INSTANCE_FIELDS:
        if isinstance(event.get(name), list):
            values += [v for v in event[name] if isinstance(v, str)]
    if isinstance(event.get("parentID"), str):
        values.append(event["parentID"])
    for name in epcis.CLASS_FIELDS:
        if isinstance(event.get(name), list):
            values += [
                i["epcClass"]
                for i in event[name]
                if isinstance(i, dict) and isinstance(i.get("epcClass"), str)
            ]
    return values


class _Attributor:
    """Which producer and batch an event belongs to, and whether the account may write it.

    An event belongs to the products it names (by GTIN or platform code). The account must be
    allowed to change every product an event names; an event naming none of the platform's
    products is accepted from the central office only. Built once per document from all the
    identifiers it names (three queries), then answers from memory.
    """

    def __init__(self, events: list, user, scheme):
        gtins, code_pks, lots = set(), set(), set()
        for event in events:
            for value in _raw_identifiers(event):
                ref = epcis.product_of_key(dl.canonical_key(value, platform=scheme))
                if ref is None:
                    continue
                kind, key, lot = ref
                if kind == "gtin":
                    gtins.add(key)
                else:
                    code_pks.add(codes.decode(key))
                if lot:
                    lots.add(lot)
        self.products: dict[tuple[str, str], tuple[int, int]] = {}
        if gtins or code_pks:
            candidates = Product.objects.filter(gtin__in=gtins) | Product.objects.filter(pk__in=code_pks)
            for pk, gtin, producer_id in candidates.values_list("pk", "gtin", "producer_id"):
                if gtin:
                    self.products[("gtin", gtin)] = (pk, producer_id)
                self.products[("code", codes.encode(pk))] = (pk, producer_id)
        product_ids = {pk for pk, _producer in self.products.values()}
        # Whoever may record events of a producer's products (trace.event, ADD: its staff and the
        # central office; officers read events but do not write them), asked once per producer.
        recorders = {}
        for producer in Producer.objects.filter(pk__in={p for _pk, p in self.products.values()}):
            recorders[producer.pk] = may_add(user, Event, producer)
        self.allowed = {pk for pk, producer_id in self.products.values() if recorders.get(producer_id)}
        self.batches = {}
        if lots and product_ids:
            rows = Batch.objects.filter(product_id__in=product_ids, lot__in=lots).values_list(
                "pk", "product_id", "lot"
            )
            self.batches = {(product_id, lot): pk for pk, product_id, lot in rows}
        self.central = gate.actor_of(user).is_central

    def __call__(self, item: epcis.NormalisedEvent) -> tuple[_Attribution | None, epcis.Problem | None]:
        producer_id = batch_id = None
        for role, key in item.identifiers:
            ref = epcis.product_of_key(key)
            match = self.products.get(ref[:2]) if ref else None
            if match is None:
                continue  # not one of the platform's products (a foreign GTIN, an SSCC...)
            product_id, product_producer = match
            if product_id not in self.allowed:
                return None, epcis.Problem(
                    item.index,
                    ROLE_FIELD.get(role, "/"),
                    "The event names a product your account may not record events for.",
                    "permission",
                )
            producer_id = producer_id or product_producer
            if ref[2] and batch_id is None:
                batch_id = self.batches.get((product_id, ref[2]))
        if producer_id is None and not self.central:
            return None, epcis.Problem(
                item.index,
                "/",
                "The event names no product on this platform that your account records for.",
                "permission",
            )
        return _Attribution(producer_id, batch_id), None


def _stored_event_ids(events: list) -> set[str]:
    """The eventIDs of the document already stored (as events, not error declarations)."""
    ids = [
        e["eventID"]
        for e in events
        if isinstance(e, dict) and isinstance(e.get("eventID"), str) and "errorDeclaration" not in e
    ]
    stored: set[str] = set()
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        stored |= set(
            Event.objects.filter(event_id__in=chunk, error_declaration=False).values_list(
                "event_id", flat=True
            )
        )
    return stored


def _context_extra(document: dict) -> list:
    """The document's own @context entries beyond the standard one, kept on each event so that
    extension fields keep their meaning when the event is returned on its own."""
    context = document.get("@context")
    entries = context if isinstance(context, list) else [context]
    return [
        e for e in entries if e and e != epcis.CONTEXT_URL and not str(e).endswith("epcis-context.jsonld")
    ]


class _RolledBack(Exception):
    pass


def _checked(events, *, scheme, extra, attributor, stored_ids, rollback, problems, bounds, progress=None):
    """Each valid, permitted, new event, normalised with its producer and batch; every problem
    goes to ``problems``. Under rollback, nothing more is yielded after the first problem
    (the rest is still checked, so that every problem is reported)."""
    seen: set[str] = set()
    for index, event in enumerate(events):
        found = epcis.check_event(event, index, bounds=bounds)
        if not found:
            if extra and "@context" not in event:
                event["@context"] = extra
            item = epcis.normalise(event, index, platform=scheme)
            attribution, refused = attributor(item)
            if refused is not None:
                found = [refused]
            elif item.event_id and not item.error_declaration:
                if item.event_id in stored_ids or item.event_id in seen:
                    found = [
                        epcis.Problem(
                            index, "/eventID", f"Event {item.event_id} is already captured.", "duplicate"
                        )
                    ]
                seen.add(item.event_id)
        if progress is not None and index % 1000 == 999:
            progress(index + 1)
        if found:
            problems.extend(found)
            continue
        if rollback and problems:
            continue
        yield item, attribution.producer_id, attribution.batch_id


def capture_run(capture: CaptureJob, *, document: dict | None = None, progress=None) -> CaptureJob:
    """Validate, authorise and store a capture's events; record the outcome on the job.

    ``rollback``: any problem stores nothing. ``proceed``: the valid events are stored and the
    others reported. Either way every problem is listed with the event's index and field.
    Events are checked and stored in one pass, so on PostgreSQL the database writes rows while
    the next ones are checked.
    """
    claimed = CaptureJob.objects.filter(pk=capture.pk, status=CaptureStatus.QUEUED).update(
        status=CaptureStatus.RUNNING
    )
    if not claimed:
        return capture
    try:
        return _capture_run(capture, document, progress)
    finally:
        _staged_discard(capture)  # whatever happened: the capture is over, its document goes


def _capture_run(capture: CaptureJob, document: dict | None, progress) -> CaptureJob:
    problems: list[epcis.Problem] = []
    try:
        if document is None:
            with capture.document.open("rb") as handle:
                document = json.loads(handle.read())
        events, problems = epcis.check_document(document)
        if problems:
            return _capture_finish(capture, 0, problems)
        extra = _context_extra(document)
        if (size := len(json.dumps(extra, ensure_ascii=False, separators=(",", ":")))) > (
            limit := settings.OCOP_EPCIS_MAX_CONTEXT_CHARS
        ):
            message = (
                f"The document's own @context is {size:,} characters of JSON; this repository keeps at "
                f"most {limit:,} with each event."
            )
            return _capture_finish(capture, 0, [epcis.Problem(None, "/@context", message, "length")])
        scheme = platform_scheme()
        rollback = capture.error_behaviour == ErrorBehaviour.ROLLBACK
        step = (lambda done: progress(done, len(events), "")) if progress else None
        items = _checked(
            events,
            scheme=scheme,
            extra=extra,
            attributor=_Attributor(events, capture.owner, scheme),
            stored_ids=_stored_event_ids(events),
            rollback=rollback,
            problems=problems,
            bounds=eventstore.event_time_bounds(),
            progress=step,
        )
        record_time = timezone.now()
        with transaction.atomic():
            if connection.vendor == "postgresql" and len(events) >= eventstore.COPY_THRESHOLD:
                count = eventstore.copy_stream(
                    items, count=len(events), record_time=record_time, capture_id=capture.pk
                )
            else:
                count = len(eventstore.events_store(list(items), record_time=record_time, capture=capture))
            if problems and rollback:
                raise _RolledBack
            audit_record(
                actor=capture.owner,
                action="epcis.capture",
                object_type="trace.capturejob",
                object_id=str(capture.pk),
                captured=count,
                errors=len(problems),
            )
        if progress:
            progress(len(events), len(events), "")
        return _capture_finish(capture, count, problems)
    except _RolledBack:
        return _capture_finish(capture, 0, problems)
    except Exception as exc:  # nothing half-stored: the transaction above rolled back
        log.exception("capture %s failed", capture.pk)
        return _capture_finish(capture, 0, [_internal_problem(exc)])


def _internal_problem(exc: Exception) -> epcis.Problem:
    return epcis.Problem(None, "/", f"The capture failed: {type(exc).__name__}.", "internal")


def _capture_finish(capture: CaptureJob, captured: int, problems: list[epcis.Problem]) -> CaptureJob:
    problems = sorted(problems, key=lambda p: (-1 if p.index is None else p.index, p.field))
    limit = 1000
    errors = [p.as_dict() for p in problems[:limit]]
    if len(problems) > limit:
        errors.append(
            {
                "eventIndex": None,
                "field": "/",
                "code": "truncated",
                "message": f"{len(problems) - limit} more problems.",
            }
        )
    CaptureJob.objects.filter(pk=capture.pk).update(
        status=CaptureStatus.FAILED if problems else CaptureStatus.SUCCEEDED,
        captured=captured,
        errors=errors,
        finished_at=timezone.now(),
    )
    capture.refresh_from_db()
    return capture


def _staged_discard(capture: CaptureJob) -> bool:
    """Delete the document staged for a capture that is over. Says whether there was one."""
    name = capture.document.name
    if not name:
        return False
    capture.document.storage.delete(name)
    CaptureJob.objects.filter(pk=capture.pk).update(document="")
    capture.document.name = ""
    return True


LOST = "The capture was lost (the server stopped while it ran): send the document again."


def captures_clean(*, now: datetime | None = None) -> dict[str, int]:
    """Fail the captures lost to a restart (still queued or running after
    ``OCOP_EPCIS_CAPTURE_STALE_MINUTES``) and delete every staged document that no capture still
    waiting needs, and any document earlier versions staged in the public media folder. Run it
    periodically (``ocop trace_captures_clean``); it is idempotent."""
    now = now or timezone.now()
    waiting = (CaptureStatus.QUEUED, CaptureStatus.RUNNING)
    stale = now - timedelta(minutes=settings.OCOP_EPCIS_CAPTURE_STALE_MINUTES)
    lost = deleted = 0
    for capture in CaptureJob.objects.filter(status__in=waiting, created_at__lt=stale):
        # Conditional: a capture that ends meanwhile keeps its own outcome.
        if CaptureJob.objects.filter(pk=capture.pk, status=capture.status).update(
            status=CaptureStatus.FAILED,
            errors=[epcis.Problem(None, "/", LOST, "internal").as_dict()],
            finished_at=now,
        ):
            lost += 1
            deleted += _staged_discard(capture)
    # Files first, then which of them a waiting capture needs: a capture submitted in between
    # is not in the list, so its document is never taken from under it.
    storage = CaptureJob._meta.get_field("document").storage
    staged = storage.listdir(CAPTURE_STAGING)[1] if storage.exists(CAPTURE_STAGING) else []
    needed = {
        f"{pk}.json"
        for pk in CaptureJob.objects.filter(status__in=waiting)
        .exclude(document="")
        .values_list("pk", flat=True)
    }
    for name in staged:
        if name not in needed:
            storage.delete(f"{CAPTURE_STAGING}/{name}")
            deleted += 1
    CaptureJob.objects.exclude(status__in=waiting).exclude(document="").update(document="")
    # Before issue 11 documents were staged under MEDIA_ROOT, readable by anyone.
    if default_storage.exists(CAPTURE_STAGING):
        for name in default_storage.listdir(CAPTURE_STAGING)[1]:
            default_storage.delete(f"{CAPTURE_STAGING}/{name}")
            deleted += 1
    return {"lost": lost, "deleted": deleted}
