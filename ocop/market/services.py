"""Workflow steps of the catalogue and trade promotion. Pages, the API, the demo and commands
write through here.

Each service checks through the permission gate that the acting user may do it, validates
before saving, writes in one transaction and records an audit event in the same transaction.
Field errors are raised as ``ValidationError({field: [messages]})``.

The catalogue's index (:func:`catalogue_refresh`) is maintenance, not a person's act: it is
brought up to date from the registry's own stamps by periodic work in the background (pages only
read it) and by the command ``ocop catalogue-index``; it writes no audit event.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record, diff, snapshot
from ocop.concurrency import ensure_current
from ocop.geo.services import Location, LocationError, place
from ocop.registry.choices import ProducerType, ProductGroup
from ocop.registry.models import Producer, Product, Recognition

from . import hours, indexing, matching
from .choices import ChannelKind, EnquiryStatus, Side
from .models import (
    CatalogueEntry,
    CatalogueState,
    Enquiry,
    EnquiryMessage,
    Fair,
    FairParticipant,
    PointOfSale,
    SalesChannel,
    SearchTerm,
    Stock,
    SupplyCapacity,
)


def _public_products():
    """The products anyone may see (the registry's public rule, through the gate)."""
    return gate.restrict(Product.objects.all(), None, Action.VIEW)


# ---------------------------------------------------------------------------------------------
# The catalogue's index
# ---------------------------------------------------------------------------------------------

VERSION_KEY = "ocop:market:catalogue-version"  # in the cache once committed; keys cached counts
BATCH = 1000


@dataclass
class RefreshReport:
    created: int = 0
    text_updated: int = 0
    status_updated: int = 0
    removed: int = 0
    terms: int = 0
    version: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.text_updated or self.status_updated or self.removed)


# How documents are built. Bumped whenever that changes (words added or dropped), so that an
# index built the old way is rebuilt whole on its next refresh, with no command to remember.
# 2: places by their short names ("Tây Ninh", not "Tỉnh Tây Ninh"): "tỉnh", "xã", "phường"
# were words of every document, and a search for "tinh" (tinh dầu) ranked the whole catalogue;
# documents and names padded with a space at each end (one LIKE per word test).
INDEX_FORMAT = "f2"


def _fingerprint(day: date) -> str:
    """Changes with the index's format, when a recognition is added, revoked, superseded or
    removed, and every day (statuses change with the date)."""
    figures = Recognition.objects.aggregate(
        n=Count("pk"),
        last=Max("pk"),
        revoked=Count("revoked_on"),
        superseded=Count("superseded_on"),
        stars=Sum("stars"),
        until=Max("valid_until"),
        revoked_last=Max("revoked_on"),
    )
    return f"{INDEX_FORMAT}|{day.isoformat()}|" + "|".join(str(figures[k]) for k in sorted(figures))


def _labels() -> dict[str, str]:
    labels: dict[str, list[str]] = {}
    for language in ("vi", "en"):
        with translation.override(language):
            for choice in (*ProductGroup, *ProducerType):
                labels.setdefault(choice.value, []).append(str(choice.label))
    return {code: " ".join(dict.fromkeys(names)) for code, names in labels.items()}


PRODUCT_ROW_FIELDS = [
    "pk",
    "name_vi",
    "name_en",
    "group",
    "product_set_id",
    "gtin",
    "updated_at",
    "producer_id",
    "producer__name",
    "producer__kind",
    "producer__updated_at",
    "producer__province_id",
    # Places by their short names: "Tỉnh", "Xã", "Phường", "Huyện" would be words of every
    # document (the query drops them too: matching.without_unit_words).
    "producer__province__short_name",
    "producer__commune_id",
    "producer__commune__short_name",
    "producer__historical_province__short_name",
    "producer__historical_district__short_name",
    "producer__historical_commune__short_name",
    "product_set__name_vi",
    "product_set__name_en",
]


def _product_rows(ids) -> list[indexing.ProductRow]:
    rows = []
    ids = list(ids)
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        rows += [
            indexing.ProductRow(*values)
            for values in Product.objects.filter(pk__in=chunk).values_list(*PRODUCT_ROW_FIELDS).order_by()
        ]
    return rows


def _entry_values(row: indexing.ProductRow, labels, columns: indexing.Columns) -> dict:
    """An entry's columns (by attribute name), ready to insert."""
    return {
        "product_id": row.pk,
        "producer_id": row.producer_id,
        "province_id": row.province_id,
        "commune_id": row.commune_id,
        "group": row.group,
        "producer_kind": row.producer_kind,
        "product_set_id": row.product_set_id,
        "product_stamp": row.updated_at,
        "producer_stamp": row.producer_updated_at,
        **indexing.text_columns(row, labels),
        "valid_stars": columns.valid_stars,
        "valid_from": columns.valid_from,
        "valid_to": columns.valid_to,
        "status": columns.status,
        "last_recognised_on": columns.last_recognised_on,
    }


def _insert(model, rows: list[dict]) -> None:
    """Insert many rows in one prepared statement (COPY on PostgreSQL). An index build writes
    18,000 wide rows: ``bulk_create`` spends most of its time compiling SQL for them."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if f.attname in rows[0]]
    ops = connection.ops
    adapters = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "DateField":
            adapters.append(ops.adapt_datefield_value)
        elif kind == "DateTimeField":
            adapters.append(ops.adapt_datetimefield_value)
        else:
            adapters.append(None)
    names = [f.attname for f in fields]
    values = [
        [
            v if v is None or adapt is None else adapt(v)
            for v, adapt in zip((r[n] for n in names), adapters, strict=True)
        ]
        for r in rows
    ]
    table = ops.quote_name(model._meta.db_table)
    columns = ", ".join(ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        for start in range(0, len(values), 5000):
            cursor.executemany(sql, values[start : start + 5000])


def _set_columns(entry: CatalogueEntry, columns: indexing.Columns) -> None:
    entry.valid_stars = columns.valid_stars
    entry.valid_from = columns.valid_from
    entry.valid_to = columns.valid_to
    entry.status = columns.status
    entry.last_recognised_on = columns.last_recognised_on


STATUS_FIELDS = ["valid_stars", "valid_from", "valid_to", "status", "last_recognised_on"]


@transaction.atomic
def catalogue_refresh(*, full: bool = False, today: date | None = None) -> RefreshReport:
    """Bring the catalogue's index up to date with the registry.

    Texts are rebuilt for products or producers whose ``updated_at`` moved; the recognition
    columns of every product are recomputed when the recognitions' fingerprint changed (a
    recognition added, revoked or superseded, or a new day). ``full`` rebuilds everything:
    after changes that leave no stamp (renamed units or product sets, bulk edits in SQL).
    """
    today = today or timezone.localdate()
    report = RefreshReport()
    state, _created = CatalogueState.objects.select_for_update().get_or_create(pk=1)
    fingerprint = _fingerprint(today)
    labels = _labels()
    if state.fingerprint and not state.fingerprint.startswith(f"{INDEX_FORMAT}|"):
        full = True  # built the old way

    if full:
        CatalogueEntry.objects.all().delete()
    existing = {
        row[0]: indexing.Columns(*row[1:])
        for row in CatalogueEntry.objects.values_list("product_id", *STATUS_FIELDS).order_by()
    }
    columns: dict[int, indexing.Columns] = dict(existing)
    public = set(existing)
    if fingerprint != state.fingerprint or not existing:
        rows = Recognition.objects.values_list(
            "product_id", "pk", "stars", "recognised_on", "valid_until", "revoked_on", "superseded_on"
        ).order_by()
        columns = indexing.recognition_columns((indexing.RecognitionRow(*r) for r in rows), today)
        public = set(columns)

    # Rows to write whole: new products, products or producers edited since (their stamps
    # moved); rows whose stars or status changed are updated in place when few.
    rebuild = public - set(existing)
    if existing:
        rebuild |= public & set(
            CatalogueEntry.objects.filter(
                ~Q(product_stamp=F("product__updated_at"))
                | ~Q(producer_stamp=F("product__producer__updated_at"))
            ).values_list("product_id", flat=True)
        )
    changed_status = [pid for pid in public & set(existing) - rebuild if columns[pid] != existing[pid]]
    if len(changed_status) > 2000:
        rebuild |= set(changed_status)
        changed_status = []
    gone = set(existing) - public
    if gone:
        report.removed = CatalogueEntry.objects.filter(product_id__in=gone).delete()[0]
    if changed_status:
        updates = []
        for pid in changed_status:
            entry = CatalogueEntry(product_id=pid)
            _set_columns(entry, columns[pid])
            updates.append(entry)
        CatalogueEntry.objects.bulk_update(updates, STATUS_FIELDS, batch_size=BATCH)
        report.status_updated = len(updates)

    documents = []
    if rebuild:
        replaced = set(existing) & rebuild
        if replaced:
            # Delete and insert rather than update: far cheaper for many rows, the same for few.
            CatalogueEntry.objects.filter(product_id__in=replaced).delete()
        entries = [_entry_values(row, labels, columns[row.pk]) for row in _product_rows(rebuild)]
        with _bulk_load(large=len(entries) > 5000 and len(existing) - len(replaced) < 1000):
            _insert(CatalogueEntry, entries)
        report.created = len(entries) - len(replaced)
        report.text_updated = len(replaced)
        documents = [e["document"] for e in entries]

    if full or (documents and not existing):
        report.terms = _vocabulary_rebuild()
    elif documents:
        counts = matching.vocabulary_counts(documents)
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=term[:80], frequency=n) for term, n in counts.items()],
            ignore_conflicts=True,
            batch_size=BATCH,
        )

    if (
        connection.vendor == "postgresql"
        and report.created + report.text_updated + report.status_updated > 1000
    ):
        # Fresh statistics, or the planner keeps estimating an empty table and scans it.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE market_catalogueentry")
            cursor.execute("ANALYZE market_searchterm")
    if report.changed or state.fingerprint != fingerprint:
        state.version += 1
    state.fingerprint = fingerprint
    state.day = today
    state.refreshed_at = timezone.now()
    state.save()
    report.version = version = state.version
    transaction.on_commit(lambda: cache.set(VERSION_KEY, version, None))
    return report


FTS_INDEX = "market_entry_document_fts"  # created by migration 0002 on PostgreSQL


@contextlib.contextmanager
def _bulk_load(*, large: bool):
    """On PostgreSQL, fill a (nearly) empty index table without its full-text index and build
    the index afterwards: several times faster than maintaining it row by row."""
    if not large or connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {FTS_INDEX}")
    yield
    with connection.cursor() as cursor:
        # The foreign keys' deferred checks must run before the table can be indexed.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            f"CREATE INDEX {FTS_INDEX} ON market_catalogueentry "
            "USING gin (to_tsvector('simple'::regconfig, document)) WITH (fastupdate = off)"
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _vocabulary_rebuild() -> int:
    counts = matching.vocabulary_counts(CatalogueEntry.objects.values_list("document", flat=True).iterator())
    SearchTerm.objects.all().delete()
    _insert(SearchTerm, [{"term": term[:80], "frequency": n} for term, n in counts.items()])
    return len(counts)


def catalogue_stale(today: date | None = None) -> bool:
    """Whether :func:`catalogue_refresh` has anything to do: the recognitions' fingerprint (or
    the day) changed, or a product or producer was edited since its entry was written. Reads
    only, so that checking every ``OCOP_CATALOGUE_REFRESH_SECONDS`` takes no write lock."""
    today = today or timezone.localdate()
    indexed = CatalogueState.objects.filter(pk=1).values_list("fingerprint", flat=True).first()
    if indexed != _fingerprint(today):
        return True
    return CatalogueEntry.objects.filter(
        ~Q(product_stamp=F("product__updated_at")) | ~Q(producer_stamp=F("product__producer__updated_at"))
    ).exists()


def catalogue_refresh_if_stale() -> RefreshReport | None:
    """The periodic work that keeps the index fresh (registered in MarketConfig.ready, run
    every ``OCOP_CATALOGUE_REFRESH_SECONDS`` by one process: :mod:`ocop.jobs.periodic`)."""
    if not catalogue_stale():
        return None
    return catalogue_refresh()


# ---------------------------------------------------------------------------------------------
# Supply capacity
# ---------------------------------------------------------------------------------------------

SUPPLY_FIELDS = [
    "volume",
    "volume_unit",
    "period",
    "season_from_month",
    "season_to_month",
    "minimum_order",
    "minimum_order_unit",
    "lead_time_days",
    "export_ready",
    "accepts_enquiries",
    "note_vi",
    "note_en",
]


def _check_supply(supply: SupplyCapacity) -> None:
    errors: dict[str, list[str]] = {}
    if (supply.season_from_month is None) != (supply.season_to_month is None):
        errors["season_to_month"] = [_("Give both months of the season, or neither for all year.")]
    if supply.volume is not None and not supply.volume_unit:
        errors["volume_unit"] = [_("Say what the volume is counted in.")]
    if supply.minimum_order is not None and not supply.minimum_order_unit:
        errors["minimum_order_unit"] = [_("Say what the minimum order is counted in.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def supply_update(*, user, product: Product, data: dict, version: str | None = None) -> SupplyCapacity:
    """Set a product's supply capacity. Whoever may change the product may change it.
    ``version``: the token of the copy the change was made from (version 0: there was none);
    refused (:class:`~ocop.concurrency.EditConflict`) if the supply capacity changed since."""
    gate.require(user, Action.CHANGE, product)
    # Lock the product, so that two first entries of its supply cannot both insert one.
    Product.objects.select_for_update().filter(pk=product.pk).exists()
    supply = SupplyCapacity.objects.select_for_update().filter(product=product).first()
    if supply is not None:
        ensure_current(supply, version)
    before = snapshot(supply) if supply else {}
    supply = supply or SupplyCapacity(product=product)
    for key, value in data.items():
        if key in SUPPLY_FIELDS:
            setattr(supply, key, value)
    _check_supply(supply)
    supply.full_clean()
    changes = diff(before, snapshot(supply))
    if changes:  # a save that changes nothing writes nothing, so it leaves others' copies current
        supply.save()
        audit_record(
            actor=user,
            action="product.supply_update",
            obj=product,
            province_id=product.producer.province_id,
            changes=changes,
        )
    return supply


# ---------------------------------------------------------------------------------------------
# Points of sale and what they stock
# ---------------------------------------------------------------------------------------------

POINT_FIELDS = [
    "name",
    "kind",
    "operator",
    "address",
    "latitude",
    "longitude",
    "phone",
    "website",
    "description_vi",
    "description_en",
    "opened_on",
    "closed_on",
]


def parse_hours(text: str) -> list[dict]:
    """Opening hours typed in a form, as stored; a ValidationError on ``opening_hours``."""
    try:
        return hours.to_json(hours.parse(text or ""))
    except hours.HoursError as exc:
        messages = {
            "bad_day": _("“%(part)s”: a day is not understood (write T2-T6, T7, CN or Mon-Fri)."),
            "bad_time": _("“%(part)s”: a time is not understood (write 7:30-21:00)."),
            "no_time": _("“%(part)s”: give the hours, e.g. T2-T6 7:30-21:00."),
        }
        raise ValidationError({"opening_hours": [messages[exc.code] % {"part": exc.fragment}]}) from None


def _check_point(point: PointOfSale) -> None:
    errors: dict[str, list[str]] = {}
    if (point.latitude is None) != (point.longitude is None):
        errors["longitude"] = [_("Give both latitude and longitude, or neither.")]
    if point.latitude is not None and not (
        Decimal("8") <= point.latitude <= Decimal("24")
        and Decimal("102") <= point.longitude <= Decimal("110")
    ):
        errors["latitude"] = [_("These coordinates are not in Viet Nam (latitude 8-24, longitude 102-110).")]
    if errors:
        raise ValidationError(errors)


def _place_point(user, location: Location) -> None:
    if not gate.may_create(
        user,
        PointOfSale,
        province_id=location.province.pk,
        commune_id=location.commune.pk if location.commune else None,
    ):
        where = location.commune or location.province
        raise ValidationError(
            {"address": [_("%(unit)s is outside your jurisdiction.") % {"unit": str(where)}]}
        )


def _locate_point(address: str, province=None, commune=None) -> Location:
    try:
        return place(address, province=province, commune=commune, on=timezone.localdate())
    except LocationError as exc:
        raise ValidationError({"address": [str(exc)]}) from None


@transaction.atomic
def point_create(
    *, user, data: dict, hours_text: str = "", province=None, commune=None, location: Location | None = None
) -> PointOfSale:
    """Register a point of sale where the user may: its address decides its units, unless a
    commune (or a province) is picked."""
    point = PointOfSale(**{k: v for k, v in data.items() if k in POINT_FIELDS})
    location = location or _locate_point(point.address, province, commune)
    _place_point(user, location)
    point.province, point.commune = location.province, location.commune
    point.opening_hours = parse_hours(hours_text)
    _check_point(point)
    point.full_clean()
    point.save()
    audit_record(
        actor=user, action="point.create", obj=point, province_id=point.province_id, after=snapshot(point)
    )
    return point


@transaction.atomic
def point_update(
    *,
    user,
    point: PointOfSale,
    data: dict,
    hours_text: str | None = None,
    province=None,
    commune=None,
    version: str | None = None,
) -> PointOfSale:
    """Change a point of sale; ``version`` as for :func:`supply_update`."""
    gate.require(user, Action.CHANGE, point)
    point = PointOfSale.objects.select_for_update().get(pk=point.pk)
    ensure_current(point, version)
    before = snapshot(point)
    for key, value in data.items():
        if key in POINT_FIELDS:
            setattr(point, key, value)
    moved = point.address != before["address"] or (commune is not None and commune.pk != point.commune_id)
    if moved or (province is not None and province.pk != point.province_id):
        location = _locate_point(point.address, province, commune)
        if (location.province.pk, location.commune.pk if location.commune else None) != (
            point.province_id,
            point.commune_id,
        ):
            _place_point(user, location)
        point.province, point.commune = location.province, location.commune
    if hours_text is not None:
        point.opening_hours = parse_hours(hours_text)
    _check_point(point)
    point.full_clean()
    changes = diff(before, snapshot(point))
    if changes:  # a save that changes nothing writes nothing, so it leaves others' copies current
        point.save()
        audit_record(
            actor=user, action="point.update", obj=point, province_id=point.province_id, changes=changes
        )
    return point


@transaction.atomic
def stock_add(*, user, point: PointOfSale, product: Product, since: date | None = None) -> Stock:
    """Record that a point of sale carries a product. Only products in the public catalogue
    (recognised at least once) can be listed; the page then shows their live status."""
    gate.require(user, Action.CHANGE, point)
    if not _public_products().filter(pk=product.pk).exists():
        raise ValidationError({"product": [_("Only OCOP-recognised products can be listed.")]})
    if Stock.objects.filter(point=point, product=product).exists():
        raise ValidationError({"product": [_("This point of sale already lists this product.")]})
    stock = Stock.objects.create(point=point, product=product, since=since)
    audit_record(
        actor=user,
        action="point.stock_add",
        obj=point,
        province_id=point.province_id,
        product_id=product.pk,
    )
    return stock


@transaction.atomic
def stock_remove(*, user, stock: Stock) -> None:
    point = stock.point
    gate.require(user, Action.CHANGE, point)
    product_id = stock.product_id
    stock.delete()
    audit_record(
        actor=user,
        action="point.stock_remove",
        obj=point,
        province_id=point.province_id,
        product_id=product_id,
    )


# ---------------------------------------------------------------------------------------------
# Sales channels
# ---------------------------------------------------------------------------------------------

CHANNEL_FIELDS = ["kind", "partner", "url", "country", "started_on", "ended_on"]


def _check_channel(channel: SalesChannel) -> None:
    errors: dict[str, list[str]] = {}
    channel.partner = (channel.partner or "").strip()
    channel.country = (channel.country or "").strip().upper()
    if channel.kind == ChannelKind.EXPORT and not re.fullmatch(r"[A-Z]{2}", channel.country):
        errors["country"] = [_("Give the two-letter code of the country (JP, KR, US…).")]
    if channel.kind != ChannelKind.EXPORT and channel.country:
        channel.country = ""
    if channel.kind in (ChannelKind.ECOMMERCE, ChannelKind.WEBSHOP) and not channel.url:
        errors["url"] = [_("Give the link to the shop.")]
    if channel.url and not channel.url.lower().startswith(("https://", "http://")):
        errors["url"] = [_("Links must start with https:// or http://.")]
    if channel.product_id and channel.product.producer_id != channel.producer_id:
        errors["product"] = [_("The product is not this producer's.")]
    if channel.ended_on and channel.ended_on < channel.started_on:
        errors["ended_on"] = [_("The end is before the start.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def channel_add(*, user, producer: Producer, data: dict, product: Product | None = None) -> SalesChannel:
    """Record a channel a producer sells through. Whoever may change the producer may."""
    gate.require(user, Action.CHANGE, producer)
    channel = SalesChannel(
        producer=producer, product=product, **{k: v for k, v in data.items() if k in CHANNEL_FIELDS}
    )
    if not channel.started_on:
        channel.started_on = timezone.localdate()
    _check_channel(channel)
    channel.full_clean()
    channel.save()
    audit_record(
        actor=user,
        action="producer.channel_add",
        obj=producer,
        province_id=producer.province_id,
        channel=snapshot(channel),
    )
    return channel


@transaction.atomic
def channel_end(*, user, channel: SalesChannel, ended_on: date | None = None) -> SalesChannel:
    """Mark a channel as no longer used (kept, so that counts over time stay right)."""
    producer = channel.producer
    gate.require(user, Action.CHANGE, producer)
    channel.ended_on = ended_on or timezone.localdate()
    _check_channel(channel)
    channel.save(update_fields=["ended_on", "updated_at"])
    audit_record(
        actor=user,
        action="producer.channel_end",
        obj=producer,
        province_id=producer.province_id,
        channel_id=channel.pk,
        ended_on=channel.ended_on.isoformat(),
    )
    return channel


# ---------------------------------------------------------------------------------------------
# Buyer enquiries
# ---------------------------------------------------------------------------------------------

ENQUIRY_SALT = "ocop.market.enquiry"
FORM_SALT = "ocop.market.enquiry-form"
ENQUIRY_FIELDS = [
    "buyer_kind",
    "buyer_organisation",
    "buyer_name",
    "buyer_email",
    "destination",
    "quantity",
    "unit",
    "wanted_from",
    "wanted_until",
]
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)


class Refused(ValidationError):
    """An enquiry or reply turned away as spam or over the rate limit (nothing is saved)."""


def client_key(address: str) -> str:
    """An opaque key for a client address: rate limits count by it; it is never stored."""
    return hmac.new(settings.SECRET_KEY.encode(), (address or "").encode(), hashlib.sha256).hexdigest()[:24]


def form_started_token(now: float | None = None) -> str:
    """A signed time put in the enquiry form, to tell a person from a script posting at once."""
    return signing.dumps(now if now is not None else time.time(), salt=FORM_SALT)


def _check_human(*, honeypot: str, started: str, now: float) -> None:
    if honeypot:
        raise Refused(_("Your message could not be sent."))
    try:
        started_at = float(signing.loads(started or "", salt=FORM_SALT, max_age=24 * 3600))
    except (signing.BadSignature, TypeError, ValueError):
        raise Refused(_("The form has expired: reload the page and send it again.")) from None
    if now - started_at < getattr(settings, "OCOP_ENQUIRY_MIN_SECONDS", 3):
        raise Refused(_("Your message could not be sent."))


def _count(key: str, limit: int, window: int) -> None:
    cache.add(key, 0, window)
    try:
        value = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        value = 1
    if value > limit:
        raise Refused(_("Too many messages from here for now: please try again later."))


def _rate_limit(client: str) -> None:
    _count(f"ocop:market:enq:c:{client}", getattr(settings, "OCOP_ENQUIRY_LIMIT_PER_HOUR", 5), 3600)


def _check_body(body: str) -> str:
    body = (body or "").replace("\x00", "").strip()
    if len(body) < 10:
        raise ValidationError({"message": [_("Say a little more about what you need.")]})
    if len(body) > 4000:
        raise ValidationError({"message": [_("Keep the message under 4,000 characters.")]})
    if len(_URL.findall(body)) > getattr(settings, "OCOP_ENQUIRY_MAX_LINKS", 2):
        raise Refused(_("Messages may hold at most two links."))
    return body


def accepts_enquiries(producer: Producer, product: Product | None = None) -> bool:
    """Whether anyone at the producer can answer (it has accounts on the platform) and, for a
    product, whether its supply figures turn enquiries away."""
    if not producer.memberships.exists():
        return False
    if product is None:
        return True
    return not SupplyCapacity.objects.filter(product=product, accepts_enquiries=False).exists()


def enquiry_token(enquiry: Enquiry) -> str:
    return signing.Signer(salt=ENQUIRY_SALT).sign(f"{enquiry.pk}.{enquiry.key}")


def enquiry_from_token(token: str) -> Enquiry | None:
    try:
        value = signing.Signer(salt=ENQUIRY_SALT).unsign(token or "")
        pk, key = value.split(".", 1)
        enquiry = Enquiry.objects.select_related("producer", "product").get(pk=int(pk))
    except (signing.BadSignature, ValueError, Enquiry.DoesNotExist):
        return None
    return enquiry if secrets.compare_digest(enquiry.key, key) else None


def _absolute(path: str) -> str:
    return f"{settings.OCOP_PUBLIC_URL}{path}"


def _notify_buyer(enquiry: Enquiry, *, first: bool) -> None:
    if not enquiry.buyer_email:
        return  # forgotten (enquiries_forget_buyers)
    link = _absolute(reverse("market:enquiry_thread", args=[enquiry_token(enquiry)]))
    with translation.override(enquiry.language):
        if first:
            subject = _("Your enquiry to %(producer)s") % {"producer": enquiry.producer.name}
            body = _(
                "Thank you. Your enquiry has been passed to %(producer)s. Their answer will appear here, "
                "where you can also reply:\n\n%(link)s\n\nKeep this link: it is your access to the conversation."
            ) % {"producer": enquiry.producer.name, "link": link}
        else:
            subject = _("%(producer)s answered your enquiry") % {"producer": enquiry.producer.name}
            body = _("Read the answer and reply here:\n\n%(link)s") % {"link": link}
    send_mail(subject, body, None, [enquiry.buyer_email], fail_silently=True)


def _notify_producer(enquiry: Enquiry) -> None:
    recipients = [
        email
        for email in enquiry.producer.members.filter(is_active=True).values_list("email", flat=True)
        if email
    ]
    if not recipients:
        return
    link = _absolute(reverse("market:manage_enquiry", args=[enquiry.pk]))
    with translation.override("vi"):
        subject = _("A buyer's enquiry: %(organisation)s") % {"organisation": enquiry.buyer_organisation}
        body = _("Read and answer it on the OCOP platform:\n\n%(link)s") % {"link": link}
    send_mail(subject, body, None, recipients, fail_silently=True)


@transaction.atomic
def enquiry_submit(
    *,
    producer: Producer,
    data: dict,
    message: str,
    client: str,
    honeypot: str = "",
    started: str = "",
    product: Product | None = None,
    language: str = "vi",
    now: float | None = None,
) -> tuple[Enquiry, str]:
    """A buyer asks a producer for a quote. Returns the enquiry and the buyer's link token.

    Turned away (:class:`Refused`, nothing saved) when the hidden field was filled, the form
    was sent faster than a person types, the address or e-mail sent too many lately, or the
    producer received too many today.
    """
    now = time.time() if now is None else now
    _rate_limit(client)
    _check_human(honeypot=honeypot, started=started, now=now)
    if not _public_products().filter(producer=producer).exists():
        raise PermissionDenied
    if product is not None and (
        product.producer_id != producer.pk or not _public_products().filter(pk=product.pk).exists()
    ):
        raise ValidationError({"product": [_("The product is not this producer's.")]})
    if not accepts_enquiries(producer, product):
        raise ValidationError(_("This producer does not take enquiries on the platform yet."))
    body = _check_body(message)
    enquiry = Enquiry(
        producer=producer,
        product=product,
        key=secrets.token_urlsafe(24),
        language=language if language in ("vi", "en") else "vi",
        **{k: v for k, v in data.items() if k in ENQUIRY_FIELDS},
    )
    enquiry.buyer_organisation = (enquiry.buyer_organisation or "").strip()
    enquiry.buyer_name = (enquiry.buyer_name or "").strip()
    if enquiry.wanted_from and enquiry.wanted_until and enquiry.wanted_until < enquiry.wanted_from:
        raise ValidationError({"wanted_until": [_("The end is before the start.")]})
    if enquiry.quantity is not None and not enquiry.unit:
        raise ValidationError({"unit": [_("Say what the quantity is counted in.")]})
    enquiry.full_clean()
    _rate_limit_email(enquiry.buyer_email)
    _rate_limit_producer(producer)
    enquiry.save()
    EnquiryMessage.objects.create(enquiry=enquiry, side=Side.BUYER, body=body)
    # No personal data in the audit trail: the buyer's name and e-mail stay on the enquiry.
    audit_record(
        actor=None,
        action="enquiry.create",
        obj=enquiry,
        province_id=producer.province_id,
        producer_id=producer.pk,
        buyer_kind=enquiry.buyer_kind,
    )
    transaction.on_commit(lambda: (_notify_buyer(enquiry, first=True), _notify_producer(enquiry)))
    return enquiry, enquiry_token(enquiry)


def _rate_limit_email(email: str) -> None:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]
    _count(f"ocop:market:enq:e:{digest}", getattr(settings, "OCOP_ENQUIRY_LIMIT_PER_DAY", 10), 86400)


def _rate_limit_producer(producer: Producer) -> None:
    """A ceiling on the enquiries one producer receives a day, whoever sends them: a flood
    from many addresses and e-mails must not bury a cooperative's inbox."""
    limit = getattr(settings, "OCOP_ENQUIRY_LIMIT_PER_PRODUCER_PER_DAY", 30)
    try:
        _count(f"ocop:market:enq:p:{producer.pk}", limit, 86400)
    except Refused:
        raise Refused(
            _("This producer has received many enquiries today: please try again tomorrow.")
        ) from None


@transaction.atomic
def enquiry_buyer_reply(*, enquiry: Enquiry, message: str, client: str) -> EnquiryMessage:
    """The buyer writes again, through their link."""
    _rate_limit(client)
    enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    if enquiry.status == EnquiryStatus.CLOSED:
        raise ValidationError(_("This enquiry is closed."))
    body = _check_body(message)
    reply = EnquiryMessage.objects.create(enquiry=enquiry, side=Side.BUYER, body=body)
    enquiry.status = EnquiryStatus.OPEN
    enquiry.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=None, action="enquiry.buyer_reply", obj=enquiry, province_id=enquiry.producer.province_id
    )
    transaction.on_commit(lambda: _notify_producer(enquiry))
    return reply


@transaction.atomic
def enquiry_answer(*, user, enquiry: Enquiry, message: str) -> EnquiryMessage:
    """The producer answers on the platform; the buyer is told by e-mail, with their link."""
    gate.require(user, Action.CHANGE, enquiry)
    enquiry = Enquiry.objects.select_for_update().select_related("producer").get(pk=enquiry.pk)
    if enquiry.status == EnquiryStatus.CLOSED:
        raise ValidationError(_("This enquiry is closed."))
    body = _check_body(message)
    reply = EnquiryMessage.objects.create(enquiry=enquiry, side=Side.PRODUCER, author=user, body=body)
    enquiry.status = EnquiryStatus.ANSWERED
    enquiry.save(update_fields=["status", "updated_at"])
    audit_record(actor=user, action="enquiry.answer", obj=enquiry, province_id=enquiry.producer.province_id)
    transaction.on_commit(lambda: _notify_buyer(enquiry, first=False))
    return reply


@transaction.atomic
def enquiry_close(*, user, enquiry: Enquiry) -> Enquiry:
    gate.require(user, Action.CHANGE, enquiry)
    enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    enquiry.status = EnquiryStatus.CLOSED
    enquiry.save(update_fields=["status", "updated_at"])
    audit_record(actor=user, action="enquiry.close", obj=enquiry, province_id=enquiry.producer.province_id)
    return enquiry


def enquiries_forget_buyers(*, older_than_days: int | None = None, now=None) -> int:
    """Erase the buyer's name and e-mail address from enquiries untouched for
    ``older_than_days`` (``OCOP_ENQUIRY_RETENTION_DAYS``, a year by default): they were kept to
    send the buyer their link and notices, and a conversation that quiet needs neither. The
    organisation, the figures and the messages stay (the producer's record of the trade); the
    buyer's link still opens the conversation. Returns how many were erased; run daily by
    ``ocop enquiries-forget``."""
    days = (
        older_than_days
        if older_than_days is not None
        else getattr(settings, "OCOP_ENQUIRY_RETENTION_DAYS", 365)
    )
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        # update(): the enquiries' updated_at stays, as nobody took part in them.
        erased = (
            Enquiry.objects.filter(updated_at__lt=cutoff)
            .exclude(buyer_email="", buyer_name="")
            .update(buyer_email="", buyer_name="")
        )
        if erased:
            audit_record(
                actor=None,
                action="enquiry.forget_buyers",
                object_type="market.enquiry",
                count=erased,
                untouched_since=cutoff.isoformat(),
            )
    return erased


# ---------------------------------------------------------------------------------------------
# Fairs and events
# ---------------------------------------------------------------------------------------------

FAIR_FIELDS = [
    "name",
    "kind",
    "starts_on",
    "ends_on",
    "venue",
    "province",
    "organiser",
    "organiser_province",
    "description_vi",
    "description_en",
    "website",
    "is_published",
]


def _check_fair(fair: Fair) -> None:
    if fair.starts_on and fair.ends_on and fair.ends_on < fair.starts_on:
        raise ValidationError({"ends_on": [_("The end is before the start.")]})


@transaction.atomic
def fair_create(*, user, data: dict) -> Fair:
    """Record a fair. A province officer records their province's; the central office records
    any, and national ones (managed by no province)."""
    fair = Fair(**{k: v for k, v in data.items() if k in FAIR_FIELDS})
    organiser = fair.organiser_province_id
    if organiser is None and not gate.actor_of(user).is_central:
        raise ValidationError({"organiser_province": [_("Choose the province that manages this event.")]})
    if not gate.may_create(user, Fair, province_id=organiser):
        raise PermissionDenied
    _check_fair(fair)
    fair.full_clean()
    fair.save()
    audit_record(
        actor=user, action="fair.create", obj=fair, province_id=fair.province_id, after=snapshot(fair)
    )
    return fair


@transaction.atomic
def fair_update(*, user, fair: Fair, data: dict, version: str | None = None) -> Fair:
    """Change a fair; ``version`` as for :func:`supply_update`."""
    gate.require(user, Action.CHANGE, fair)
    fair = Fair.objects.select_for_update().get(pk=fair.pk)
    ensure_current(fair, version)
    before = snapshot(fair)
    for key, value in data.items():
        if key in FAIR_FIELDS:
            setattr(fair, key, value)
    if fair.organiser_province_id != before["organiser_province"] and not gate.may_create(
        user, Fair, province_id=fair.organiser_province_id
    ):
        raise ValidationError({"organiser_province": [_("You cannot hand the event to that province.")]})
    _check_fair(fair)
    fair.full_clean()
    changes = diff(before, snapshot(fair))
    if changes:  # a save that changes nothing writes nothing, so it leaves others' copies current
        fair.save()
        audit_record(
            actor=user, action="fair.update", obj=fair, province_id=fair.province_id, changes=changes
        )
    return fair


@transaction.atomic
def participant_add(*, user, fair: Fair, producer: Producer, booth: str = "", products=()) -> FairParticipant:
    """Add a producer (with products in the public catalogue) to a fair."""
    gate.require(user, Action.CHANGE, fair)
    public = _public_products().filter(producer=producer)
    if not public.exists():
        raise ValidationError({"producer": [_("Only producers with OCOP-recognised products can be added.")]})
    products = list(products)
    allowed = set(public.filter(pk__in=[p.pk for p in products]).values_list("pk", flat=True))
    if any(p.pk not in allowed for p in products):
        raise ValidationError({"products": [_("Choose among this producer's recognised products.")]})
    booth = (booth or "").strip()
    if FairParticipant.objects.filter(fair=fair, producer=producer).exists():
        raise ValidationError({"producer": [_("This producer already takes part.")]})
    if booth and FairParticipant.objects.filter(fair=fair, booth=booth).exists():
        raise ValidationError({"booth": [_("Booth %(booth)s is taken.") % {"booth": booth}]})
    participant = FairParticipant.objects.create(fair=fair, producer=producer, booth=booth)
    participant.products.set(products)
    audit_record(
        actor=user,
        action="fair.participant_add",
        obj=fair,
        province_id=fair.province_id,
        producer_id=producer.pk,
        booth=booth,
        products=[p.pk for p in products],
    )
    return participant


@transaction.atomic
def participant_remove(*, user, participant: FairParticipant) -> None:
    fair = participant.fair
    gate.require(user, Action.CHANGE, fair)
    producer_id = participant.producer_id
    participant.delete()
    audit_record(
        actor=user,
        action="fair.participant_remove",
        obj=fair,
        province_id=fair.province_id,
        producer_id=producer_id,
    )


@transaction.atomic
def participant_sales_report(
    *,
    user,
    participant: FairParticipant,
    sales_vnd,
    contracts=None,
    note: str = "",
    today: date | None = None,
) -> FairParticipant:
    """The participant (or the organiser) reports what was sold at the fair, once it started."""
    gate.require(user, Action.CHANGE, participant)
    participant = FairParticipant.objects.select_for_update().select_related("fair").get(pk=participant.pk)
    today = today or timezone.localdate()
    if participant.fair.starts_on > today:
        raise ValidationError(_("Sales can be reported once the event has started."))
    before = snapshot(participant, ["sales_vnd", "contracts", "sales_note"])
    participant.sales_vnd = sales_vnd
    participant.contracts = contracts
    participant.sales_note = (note or "").strip()
    participant.sales_reported_at = timezone.now()
    participant.sales_reported_by = user
    participant.full_clean()
    participant.save()
    audit_record(
        actor=user,
        action="fair.sales_report",
        obj=participant.fair,
        province_id=participant.fair.province_id,
        producer_id=participant.producer_id,
        changes=diff(before, snapshot(participant, ["sales_vnd", "contracts", "sales_note"])),
    )
    return participant
