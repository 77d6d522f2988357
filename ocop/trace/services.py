"""Workflow steps of traceability: batches and their steps, labels, product links, EPCIS capture.

Every write goes through here: pages, the API, the EPCIS interface, background jobs and the demo.
Each service checks through the permission gate that the person may do it, validates before
saving, writes in one transaction and records an audit event in the same transaction. Field
errors are ``ValidationError({field: [messages]})``.

The platform writes EPCIS events for what producers record in plain words (see
:data:`STEP_EVENTS`), through the same validation and storage as documents captured over
``POST /epcis/capture``, so the repository holds one kind of event whoever wrote it.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record, snapshot
from ocop.registry.models import Producer, Product

from . import codes, epcis
from . import digitallink as dl
from .choices import CaptureStatus, ErrorBehaviour, LinkType, StepKind, Unit
from .models import CAPTURE_STAGING, Batch, CaptureJob, Event, EventIdentifier, ProductLink

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# Identifiers (the scheme is documented in codes.py and docs/traceability.md)
# ---------------------------------------------------------------------------------------------


def public_base() -> str:
    """The base URL printed on labels and used in the platform's own identifiers."""
    return (getattr(settings, "OCOP_PUBLIC_URL", "") or "http://localhost").rstrip("/")


def platform_scheme() -> codes.PlatformScheme:
    """Hosts whose ``/t/`` URIs are the platform's: the public URL and former ones."""
    former = getattr(settings, "OCOP_TRACE_FORMER_URLS", []) or []
    return codes.PlatformScheme.for_urls(public_base(), *former)


def namespace() -> str:
    """The JSON-LD namespace of the platform's EPCIS extension fields (``ocop:step``...)."""
    return getattr(settings, "OCOP_TRACE_NAMESPACE", "") or f"{public_base()}/ns/epcis/"


def product_code(product: Product) -> str:
    """The platform product code (for products without a GTIN): the product's permanent record
    number in Crockford base 32 with a check character."""
    return codes.encode(product.pk)


def class_link(product: Product, lot: str | None = None):
    """The product's (or batch's) identifier: a Digital Link for a GTIN, else a platform link."""
    if product.gtin:
        return dl.build("01", product.gtin, [("10", lot)] if lot else [])
    return codes.PlatformLink(product_code(product), lot)


def class_uri(product: Product, lot: str | None = None) -> str:
    """As written in EPCIS events: canonical Digital Link, or the platform URI."""
    link = class_link(product, lot)
    return link.canonical() if isinstance(link, dl.DigitalLink) else link.uri(public_base())


def class_key(product: Product, lot: str | None = None) -> str:
    """As stored and matched (see :func:`ocop.trace.digitallink.canonical_key`)."""
    link = class_link(product, lot)
    return link.canonical() if isinstance(link, dl.DigitalLink) else link.key()


def label_link(batch: Batch, serial: int | str | None = None):
    if batch.product.gtin:
        qualifiers = [("10", batch.lot)] + ([("21", str(serial))] if serial is not None else [])
        return dl.build("01", batch.product.gtin, qualifiers)
    return codes.PlatformLink(product_code(batch.product), batch.lot, None if serial is None else str(serial))


def label_uri(batch: Batch, serial: int | str | None = None) -> str:
    """What a label's QR code holds: the Digital Link (or platform link) on the public URL."""
    return label_link(batch, serial).uri(public_base())


_LOT_MESSAGES = {
    "empty-value": gettext_lazy("Enter the lot number."),
    "too-long": gettext_lazy("A lot number has at most 20 characters."),
    "bad-character": gettext_lazy(
        "Use only letters without accents, digits and the signs - . / _ (the GS1 rules for lot numbers)."
    ),
}


def _lot_error(lot: str) -> str | None:
    try:
        dl.check_value("10", lot)
    except dl.DigitalLinkError as exc:
        return str(
            _LOT_MESSAGES.get(exc.code, gettext_lazy("This lot number cannot be printed in a GS1 code."))
        )
    return None


# ---------------------------------------------------------------------------------------------
# Events the platform writes
# ---------------------------------------------------------------------------------------------


def event_time_bounds(now: datetime | None = None) -> epcis.TimeBounds:
    """The times events may state, captured or recorded (``OCOP_EPCIS_EARLIEST_YEAR``,
    ``OCOP_EPCIS_FUTURE_HOURS``)."""
    now = now or timezone.now()
    return epcis.TimeBounds(
        earliest=datetime(settings.OCOP_EPCIS_EARLIEST_YEAR, 1, 1, tzinfo=UTC),
        latest=now + timedelta(hours=settings.OCOP_EPCIS_FUTURE_HOURS),
        future_hours=settings.OCOP_EPCIS_FUTURE_HOURS,
    )


def _too_early(earliest: datetime) -> str:
    return _("This is before %(day)s, the earliest date events are recorded from.") % {
        "day": earliest.strftime("%d/%m/%Y")
    }


# Producers' steps as EPCIS events. The CBV has no business step for harvesting or processing;
# those are written with the CBV step "other" and the plain step in the extension field
# ``ocop:step`` (so the document stays CBV-compliant and the meaning is not lost).
STEP_EVENTS = {
    "produced": {"action": "ADD", "bizStep": "commissioning", "disposition": "active"},
    StepKind.HARVEST: {"action": "OBSERVE", "bizStep": "other", "disposition": "active"},
    StepKind.PROCESSING: {"action": "OBSERVE", "bizStep": "other", "disposition": "in_progress"},
    StepKind.PACKING: {"action": "OBSERVE", "bizStep": "packing", "disposition": "in_progress"},
    StepKind.SHIPPING: {"action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit"},
}


def _offset(moment: datetime) -> str:
    text = timezone.localtime(moment).strftime("%z")
    return f"{text[:3]}:{text[3:]}"


def _quantity(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def platform_event(
    *,
    batch: Batch,
    step: str,
    when: datetime,
    quantity: Decimal | None = None,
    place: str = "",
    province=None,
    note: str = "",
    ilmd: dict | None = None,
    event_id: str | None = None,
) -> dict:
    """The EPCIS event for a producer's step on a batch."""
    event = {
        "@context": [{"ocop": namespace()}],
        "type": "ObjectEvent",
        "eventTime": epcis.format_time(when),
        "eventTimeZoneOffset": _offset(when),
        "eventID": event_id or f"urn:uuid:{uuid.uuid4()}",
        **STEP_EVENTS[step],
        "quantityList": [
            {
                "epcClass": class_uri(batch.product, batch.lot),
                "quantity": _quantity(quantity if quantity is not None else batch.quantity),
                "uom": batch.unit,
            }
        ],
        "ocop:step": str(step),
    }
    if ilmd:
        event["ilmd"] = ilmd
    if place:
        event["ocop:place"] = place
    if province is not None:
        event["ocop:province"] = province.code
    if note:
        event["ocop:note"] = note
    return event


def _write_platform_event(event: dict, *, batch: Batch) -> Event:
    problems = epcis.check_event(event, 0)
    if problems:  # the platform writes only valid events; anything else is a programming error
        raise AssertionError(f"invalid platform event: {[p.as_dict() for p in problems]}")
    item = epcis.normalise(event, 0, platform=platform_scheme())
    stored = events_store([(item, batch.product.producer_id, batch.pk)], record_time=timezone.now())
    return stored[0]


# ---------------------------------------------------------------------------------------------
# Batches and their steps
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def batch_create(
    *,
    user,
    product: Product,
    lot: str,
    produced_on: date,
    quantity: Decimal,
    unit: str = Unit.PIECE,
    expires_on: date | None = None,
    raw_material_area: str = "",
) -> Batch:
    """Record a production batch; the platform writes its commissioning event (EPCIS ADD)."""
    producer = product.producer
    if not gate.may_create(
        user, Batch, province_id=producer.province_id, commune_id=producer.commune_id, owners=producer.members
    ):
        raise PermissionDenied
    lot = (lot or "").strip()
    errors: dict[str, list[str]] = {}
    if why := _lot_error(lot):
        errors["lot"] = [why]
    elif Batch.objects.filter(product=product, lot=lot).exists():
        errors["lot"] = [_("This product already has a batch with lot number %(lot)s.") % {"lot": lot}]
    today = timezone.localdate()
    earliest = event_time_bounds().earliest
    if produced_on and produced_on > today:
        errors["produced_on"] = [_("The production date is in the future.")]
    elif produced_on and produced_on < earliest.date():
        errors["produced_on"] = [_too_early(earliest)]
    if expires_on and produced_on and expires_on < produced_on:
        errors["expires_on"] = [_("The expiry date is before the production date.")]
    if quantity is None or quantity <= 0:
        errors["quantity"] = [_("Enter a quantity above zero.")]
    if unit not in Unit.values:
        errors["unit"] = [_("Choose a unit.")]
    if errors:
        raise ValidationError(errors)
    batch = Batch(
        product=product,
        lot=lot,
        produced_on=produced_on,
        expires_on=expires_on,
        quantity=quantity,
        unit=unit,
        raw_material_area=(raw_material_area or "").strip(),
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    batch.full_clean()
    batch.save()
    ilmd = {"cbvmda:lotNumber": lot, "ocop:productionDate": produced_on.isoformat()}
    if expires_on:
        ilmd["cbvmda:itemExpirationDate"] = expires_on.isoformat()
    if batch.raw_material_area:
        ilmd["ocop:rawMaterialArea"] = batch.raw_material_area
    # Midday of the production date stands for "that day"; a batch recorded the same morning must
    # not carry an event in the future (it would sort after the steps recorded next).
    when = min(
        timezone.make_aware(datetime.combine(produced_on, datetime.min.time().replace(hour=12))),
        timezone.now(),
    )
    _write_platform_event(
        platform_event(batch=batch, step="produced", when=when, place=batch.raw_material_area, ilmd=ilmd),
        batch=batch,
    )
    audit_record(
        actor=user,
        action="batch.create",
        obj=batch,
        province_id=producer.province_id,
        after=snapshot(batch),
    )
    return batch


@transaction.atomic
def batch_step_record(
    *,
    user,
    batch: Batch,
    kind: str,
    happened_at: datetime,
    place: str = "",
    province=None,
    quantity: Decimal | None = None,
    note: str = "",
) -> Event:
    """Record a step (harvest, processing, packing, shipping to a shop) as an EPCIS event.

    Steps are appended, never edited, like the events behind them."""
    gate.require(user, Action.CHANGE, batch)
    errors: dict[str, list[str]] = {}
    if kind not in StepKind.values:
        errors["kind"] = [_("Choose what happened.")]
    if happened_at is None:
        errors["happened_at"] = [_("Enter when it happened.")]
    elif happened_at > timezone.now() + timedelta(minutes=5):
        errors["happened_at"] = [_("This is in the future.")]
    elif happened_at < (earliest := event_time_bounds().earliest):
        errors["happened_at"] = [_too_early(earliest)]
    if kind == StepKind.SHIPPING and not (place or "").strip():
        errors["place"] = [_("Name the shop the goods were shipped to.")]
    if quantity is not None and quantity <= 0:
        errors["quantity"] = [_("Enter a quantity above zero.")]
    if errors:
        raise ValidationError(errors)
    event = _write_platform_event(
        platform_event(
            batch=batch,
            step=kind,
            when=happened_at,
            quantity=quantity,
            place=(place or "").strip()[:200],
            province=province,
            note=(note or "").strip()[:500],
        ),
        batch=batch,
    )
    audit_record(
        actor=user,
        action="batch.step",
        obj=batch,
        province_id=batch.product.producer.province_id,
        kind=str(kind),
        event_id=event.pk,
    )
    return event


@transaction.atomic
def labels_issue(*, user, batch: Batch, count: int) -> range:
    """Issue ``count`` more serials for the batch's labels; returns them (first..last)."""
    gate.require(user, Action.CHANGE, batch)
    limit = getattr(settings, "OCOP_TRACE_LABELS_MAX", 10_000)
    if count < 1 or count > limit:
        raise ValidationError(
            {"count": [_("Print from 1 to %(limit)s labels at a time.") % {"limit": limit}]}
        )
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    first = locked.labels_issued + 1
    Batch.objects.filter(pk=batch.pk).update(labels_issued=F("labels_issued") + count)
    batch.labels_issued = locked.labels_issued + count
    audit_record(
        actor=user,
        action="batch.labels",
        obj=batch,
        province_id=batch.product.producer.province_id,
        first=first,
        last=first + count - 1,
    )
    return range(first, first + count)


# ---------------------------------------------------------------------------------------------
# Product links (the linkset a Digital Link resolves to)
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def link_add(
    *, user, product: Product, link_type: str, href: str, title: str, language: str = ""
) -> ProductLink:
    """Add a link to a product's linkset. Only its owner and officers may (the gate says who)."""
    producer = product.producer
    if not gate.may_create(
        user,
        ProductLink,
        province_id=producer.province_id,
        commune_id=producer.commune_id,
        owners=producer.members,
    ):
        raise PermissionDenied
    if link_type not in LinkType.values:
        raise ValidationError({"link_type": [_("Choose a link type.")]})
    if not (href or "").startswith("https://") and not (href or "").startswith("http://"):
        raise ValidationError({"href": [_("Enter a web address starting with https://.")]})
    link = ProductLink(
        product=product,
        link_type=link_type,
        href=href.strip(),
        title=(title or "").strip(),
        language=language or "",
        created_by=user,
    )
    link.full_clean()
    link.save()
    audit_record(
        actor=user,
        action="product.link_add",
        obj=product,
        province_id=producer.province_id,
        link=snapshot(link),
    )
    return link


@transaction.atomic
def link_remove(*, user, link: ProductLink) -> None:
    gate.require(user, Action.DELETE, link)
    product = link.product
    record = snapshot(link)
    link.delete()
    audit_record(
        actor=user,
        action="product.link_remove",
        obj=product,
        province_id=product.producer.province_id,
        link=record,
    )


# ---------------------------------------------------------------------------------------------
# Shoppers' reports
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def report_submit(*, product: Product, batch: Batch | None, kind: str, message: str = "", province=None):
    """A shopper's report about a product (anonymous: nothing about the person is kept)."""
    from .choices import ReportKind
    from .models import ProblemReport

    if kind not in ReportKind.values:
        raise ValidationError({"kind": [_("Choose what is wrong.")]})
    report = ProblemReport.objects.create(
        product=product, batch=batch, kind=kind, message=(message or "").strip()[:1000], province=province
    )
    audit_record(
        actor=None,
        action="trace.report",
        obj=product,
        province_id=product.producer.province_id,
        report_id=report.pk,
        kind=kind,
    )
    return report


# ---------------------------------------------------------------------------------------------
# Storing events (capture and the platform's own)
# ---------------------------------------------------------------------------------------------

EVENT_COLUMNS = [
    "id",
    "event_id",
    "event_type",
    "event_time",
    "timezone",
    "record_time",
    "action",
    "biz_step",
    "disposition",
    "read_point",
    "biz_location",
    "error_declaration",
    "batch_id",
    "producer_id",
    "capture_id",
    "document",
]
COPY_THRESHOLD = 500  # below this, the ORM's bulk insert is as fast


def _row(item: epcis.NormalisedEvent, producer_id, batch_id, capture_id, record_time) -> list:
    return [
        None,
        item.event_id[:300],
        item.event_type[:100],
        item.event_time,
        item.timezone,
        record_time,
        item.action,
        item.biz_step[:200],
        item.disposition[:200],
        item.read_point[:300],
        item.biz_location[:300],
        item.error_declaration,
        batch_id,
        producer_id,
        capture_id,
        item.document,
    ]


def events_store(items, *, record_time: datetime, capture: CaptureJob | None = None) -> list[Event] | int:
    """Store normalised events ``[(event, producer_id, batch_id)]`` with their identifiers.

    Large sets on PostgreSQL go through COPY (see :func:`copy_rows`); otherwise the ORM's bulk
    insert. Call inside a transaction: either every event is stored or none. Returns the stored
    events (ORM path) or their number (COPY path).
    """
    stamp = epcis.format_time(record_time)
    for item, _producer, _batch in items:
        item.document["recordTime"] = stamp
    capture_id = capture.pk if capture else None
    if connection.vendor == "postgresql" and len(items) >= COPY_THRESHOLD:
        rows = [_row(item, producer, batch, capture_id, record_time) for item, producer, batch in items]
        return copy_rows(rows, [item.identifiers for item, _p, _b in items])
    events = [
        Event(
            event_id=item.event_id[:300],
            event_type=item.event_type[:100],
            event_time=item.event_time,
            timezone=item.timezone,
            record_time=record_time,
            action=item.action,
            biz_step=item.biz_step[:200],
            disposition=item.disposition[:200],
            read_point=item.read_point[:300],
            biz_location=item.biz_location[:300],
            error_declaration=item.error_declaration,
            batch_id=batch,
            producer_id=producer,
            capture_id=capture_id,
            document=item.document,
        )
        for item, producer, batch in items
    ]
    Event.objects.bulk_create(events, batch_size=1000)
    EventIdentifier.objects.bulk_create(
        [
            EventIdentifier(event_id=event.pk, role=role, key=key[:300])
            for event, (item, _p, _b) in zip(events, items, strict=True)
            for role, key in item.identifiers
        ],
        batch_size=5000,
    )
    return events


def copy_rows(rows: list[list], identifiers: list[list[tuple[str, str]]]) -> int:
    """Write event rows (``EVENT_COLUMNS``, id left None) and their identifiers with COPY.

    The ids are taken from the table's sequence first, in one statement, so identifiers can be
    written in the same pass. PostgreSQL only.
    """
    if not rows:
        return 0
    table, id_table = Event._meta.db_table, EventIdentifier._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, len(rows)]
        )
        ids = [r[0] for r in cursor.fetchall()]
        raw = cursor.cursor
        columns = ", ".join(EVENT_COLUMNS)
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for event_id, row in zip(ids, rows, strict=True):
                row[0] = event_id
                row[-1] = json.dumps(row[-1], ensure_ascii=False, separators=(",", ":"))
                copy.write_row(row)
        with raw.copy(f"COPY {id_table} (event_id, role, key) FROM STDIN") as copy:
            for event_id, pairs in zip(ids, identifiers, strict=True):
                for role, key in pairs:
                    copy.write_row((event_id, role, key[:300]))
    return len(rows)


# ---------------------------------------------------------------------------------------------
# EPCIS capture
# ---------------------------------------------------------------------------------------------


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
            recorders[producer.pk] = gate.may_create(
                user,
                Event,
                province_id=producer.province_id,
                commune_id=producer.commune_id,
                owners=producer.members,
            )
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


def copy_stream(items, *, count: int, record_time: datetime, capture_id=None) -> int:
    """Write events with COPY as they come (PostgreSQL): the database stores each row while
    the next events are checked, then the identifiers follow in a second COPY."""
    stamp = epcis.format_time(record_time)
    table, id_table = Event._meta.db_table, EventIdentifier._meta.db_table
    identifier_rows = []
    written = 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, max(count, 1)],
        )
        ids = iter([r[0] for r in cursor.fetchall()])
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for item, producer, batch in items:
                item.document["recordTime"] = stamp
                row = _row(item, producer, batch, capture_id, record_time)
                row[0] = next(ids)
                row[-1] = json.dumps(row[-1], ensure_ascii=False, separators=(",", ":"))
                copy.write_row(row)
                identifier_rows.extend((row[0], role, key[:300]) for role, key in item.identifiers)
                written += 1
        if identifier_rows:
            with raw.copy(f"COPY {id_table} (event_id, role, key) FROM STDIN") as copy:
                for values in identifier_rows:
                    copy.write_row(values)
    return written


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
            bounds=event_time_bounds(),
            progress=step,
        )
        record_time = timezone.now()
        with transaction.atomic():
            if connection.vendor == "postgresql" and len(events) >= COPY_THRESHOLD:
                count = copy_stream(items, count=len(events), record_time=record_time, capture_id=capture.pk)
            else:
                count = len(events_store(list(items), record_time=record_time, capture=capture))
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
