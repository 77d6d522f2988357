"""Scans of labels: what a scanned code points to, counting scans, and flagging patterns.

Resolving a scan must be cheap (a burst of shoppers, one process): the product, batch and the
recognition's status behind a code are cached for ``OCOP_TRACE_RESOLVE_CACHE_SECONDS`` (30 s
by default, so a revocation changes flags within that time), and scans are counted in memory
and written every ``OCOP_TRACE_SCAN_FLUSH_SECONDS`` (5 s) in a few statements by the process's
background thread (:mod:`ocop.jobs.periodic`), never by the scan's own request: a redirect
must not wait for the database's write lock. Behind nginx
with its cache in front of the resolver, nginx's access log is the record of scans
(``ocop trace_ingest_scans``), see ``deploy/README.md``.

Nothing about the person is kept: a scan is counted per batch and day; its province only when
the shopper chooses to tell it on the scan page. Rate limits key a salted hash of the address
in the cache, expiring with the window.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ocop.accounts.client import client_address
from ocop.geo.centres import province_centres
from ocop.registry.models import Product

from . import codes, selectors
from .choices import FlagKind
from .models import Batch, LocatedScan, ScanCount, ScanFlag

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# What a code points to
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    product_id: int | None
    batch_id: int | None = None
    labels_issued: int = 0
    status: str = "never"  # the product's recognition status today: valid, expired, revoked...
    lot: str | None = None
    public: bool = True  # recognised once, or labelled: a product with a page anyone may read

    @property
    def lot_unknown(self) -> bool:
        return self.lot is not None and self.batch_id is None

    def serial_issued(self, serial: str | None) -> bool:
        if serial is None or self.batch_id is None:
            return True
        return serial.isdigit() and 1 <= int(serial) <= self.labels_issued


def _load(product: Product | None, lot: str | None) -> Target:
    if product is None:
        return Target(None, lot=lot)
    batch = None
    if lot is not None:
        batch = Batch.objects.filter(product=product, lot=lot).values("pk", "labels_issued").first()
    _current, status = selectors.status_of(product)
    return Target(
        product.pk,
        batch["pk"] if batch else None,
        batch["labels_issued"] if batch else 0,
        status,
        lot,
        # Scanned by anyone: the rule of the scan page itself.
        public=batch is not None or selectors.scannable(None).filter(pk=product.pk).exists(),
    )


def _cache_key(kind: str, value: str, lot: str | None) -> str:
    digest = hashlib.sha1(f"{kind}|{value}|{lot}".encode()).hexdigest()[:24]
    return f"trace:target:{digest}"


def lookup(kind: str, value: str, lot: str | None) -> Target:
    """What a GTIN (``kind="gtin"``) or platform code (``"code"``) with a lot points to."""
    key = _cache_key(kind, value, lot)
    target = cache.get(key)
    if target is None:
        products = Product.objects.prefetch_related("recognitions")
        if kind == "gtin":
            product = products.filter(gtin=value).first()
        else:
            product = products.filter(pk=codes.decode(value)).first()
        target = _load(product, lot)
        cache.set(key, target, settings.OCOP_TRACE_RESOLVE_CACHE_SECONDS)
    return target


# ---------------------------------------------------------------------------------------------
# Counting and flagging, buffered
# ---------------------------------------------------------------------------------------------


@dataclass
class _Flag:
    kind: str
    product_id: int
    batch_id: int | None
    code: str
    serial: str
    province_id: int | None
    day: object
    count: int
    first_at: datetime
    last_at: datetime
    detail: dict


class Recorder:
    """Scan counts and flags gathered in memory and written in batches (one per process)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.flags: dict[str, _Flag] = {}
        self.last_flush = time.monotonic()

    def scan(
        self, target: Target, *, code: str, serial: str | None, when: datetime | None = None
    ) -> list[str]:
        """Count one scan; return the kinds of flag it raised."""
        when = when or timezone.now()
        day = timezone.localdate(when)
        raised = []
        with self.lock:
            self.counts[(target.product_id, target.batch_id, None, day)] += 1
            if target.lot_unknown or not target.serial_issued(serial):
                raised.append(FlagKind.NEVER_ISSUED)
                self._flag(
                    f"never_issued:{code}:{day}",
                    FlagKind.NEVER_ISSUED,
                    target,
                    code,
                    serial,
                    None,
                    day,
                    when,
                    {},
                )
            if target.status in (FlagKind.EXPIRED, FlagKind.REVOKED):
                raised.append(target.status)
                self._flag(
                    f"{target.status}:{target.product_id}:{target.batch_id or '-'}:{day}",
                    target.status,
                    target,
                    code,
                    "",
                    None,
                    day,
                    when,
                    {},
                )
        return raised

    def _flag(self, key, kind, target, code, serial, province_id, day, when, detail):
        flag = self.flags.get(key)
        if flag is None:
            self.flags[key] = _Flag(
                kind,
                target.product_id,
                target.batch_id,
                code[:300],
                (serial or "")[:20],
                province_id,
                day,
                1,
                when,
                when,
                detail,
            )
        else:
            flag.count += 1
            flag.last_at = max(flag.last_at, when)
            flag.detail.update(detail)

    def flush_due(self) -> None:
        """Write the buffer if ``OCOP_TRACE_SCAN_FLUSH_SECONDS`` have passed since the last
        write (the background thread asks every second)."""
        if time.monotonic() - self.last_flush >= settings.OCOP_TRACE_SCAN_FLUSH_SECONDS:
            self.flush()

    def flush(self) -> None:
        with self.lock:
            counts, flags = self.counts, self.flags
            self.counts, self.flags = Counter(), {}
            self.last_flush = time.monotonic()
        if not counts and not flags:
            return
        try:
            _write(counts, flags)
        except Exception:
            # The database was busy or away: keep the numbers for the next turn.
            log.warning(
                "could not write %d scan counts and %d flags yet", len(counts), len(flags), exc_info=True
            )
            self._put_back(counts, flags)

    def _put_back(self, counts: Counter, flags: dict[str, _Flag]) -> None:
        with self.lock:
            self.counts.update(counts)
            for key, flag in flags.items():
                newer = self.flags.get(key)
                if newer is not None:
                    flag.count += newer.count
                    flag.last_at = max(flag.last_at, newer.last_at)
                    flag.detail.update(newer.detail)
                self.flags[key] = flag


def _upsert(model, key: str, increment: dict, create: dict) -> None:
    if model.objects.filter(key=key).update(**increment):
        return
    try:
        with transaction.atomic():
            model.objects.create(key=key, **create)
    except IntegrityError:  # created meanwhile by another process
        model.objects.filter(key=key).update(**increment)


def _write(counts: Counter, flags: dict[str, _Flag]) -> None:
    with transaction.atomic():
        for (product_id, batch_id, province_id, day), n in counts.items():
            if product_id is None:
                continue
            key = f"{product_id}:{batch_id or '-'}:{province_id or '-'}:{day.isoformat()}"
            _upsert(
                ScanCount,
                key,
                {"count": F("count") + n},
                {
                    "product_id": product_id,
                    "batch_id": batch_id,
                    "province_id": province_id,
                    "day": day,
                    "count": n,
                },
            )
        for key, flag in flags.items():
            _upsert(
                ScanFlag,
                key,
                {"count": F("count") + flag.count, "last_at": flag.last_at},
                {
                    "kind": flag.kind,
                    "product_id": flag.product_id,
                    "batch_id": flag.batch_id,
                    "code": flag.code,
                    "serial": flag.serial,
                    "province_id": flag.province_id,
                    "day": flag.day,
                    "count": flag.count,
                    "first_at": flag.first_at,
                    "last_at": flag.last_at,
                    "detail": flag.detail,
                },
            )


RECORDER = Recorder()


def counting() -> str:
    """Who counts scans: ``app`` (the resolver), ``log`` (nginx's log, ingested), or ``off``."""
    return settings.OCOP_TRACE_SCAN_COUNTING


# ---------------------------------------------------------------------------------------------
# Located scans: one serial in two distant provinces
# ---------------------------------------------------------------------------------------------


def distance_km(a: str, b: str) -> float | None:
    """Great-circle distance between two provinces' administrative centres (approximate)."""
    centres = province_centres()
    here, there = centres.get(a), centres.get(b)
    if here is None or there is None:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (here.lat, here.lon, there.lat, there.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def scan_locate(*, batch: Batch, serial: str, province, when: datetime | None = None) -> ScanFlag | None:
    """A shopper told where they scanned. Count it for the province and flag the same serial
    scanned in a distant province within ``OCOP_TRACE_DISTANT_HOURS`` (48 h)."""
    when = when or timezone.now()
    serial = (serial or "")[:20]
    window = timedelta(hours=settings.OCOP_TRACE_DISTANT_HOURS)
    threshold = settings.OCOP_TRACE_DISTANT_KM
    flag = None
    with transaction.atomic():
        # Located scans are kept only as long as the check needs them (30 days at most): the
        # batch's older ones go as each new one comes.
        keep = max(window, timedelta(days=30))
        LocatedScan.objects.filter(batch=batch, at__lt=when - keep).delete()
        LocatedScan.objects.create(batch=batch, serial=serial, province=province, at=when)
        day = timezone.localdate(when)
        _upsert(
            ScanCount,
            f"{batch.product_id}:{batch.pk}:{province.pk}:{day.isoformat()}",
            {"count": F("count") + 1},
            {
                "product_id": batch.product_id,
                "batch_id": batch.pk,
                "province_id": province.pk,
                "day": day,
                "count": 1,
            },
        )
        if serial:
            earlier = (
                LocatedScan.objects.filter(batch=batch, serial=serial, at__gte=when - window)
                .exclude(province=province)
                .select_related("province")
            )
            far = [
                (other.province.code, km)
                for other in earlier
                if (km := distance_km(other.province.code, province.code)) is not None and km >= threshold
            ]
            if far:
                codes_seen = sorted({code for code, _km in far} | {province.code})
                key = f"distant:{batch.pk}:{serial}:{day.isoformat()}"
                detail = {"provinces": codes_seen, "km": round(max(km for _c, km in far))}
                _upsert(
                    ScanFlag,
                    key,
                    {"count": F("count") + 1, "last_at": when, "detail": detail, "province": province},
                    {
                        "kind": FlagKind.DISTANT,
                        "product_id": batch.product_id,
                        "batch_id": batch.pk,
                        "code": f"{batch.lot}/{serial}",
                        "serial": serial,
                        "province": province,
                        "day": day,
                        "count": 1,
                        "first_at": when,
                        "last_at": when,
                        "detail": detail,
                    },
                )
                flag = ScanFlag.objects.get(key=key)
    return flag


def purge_located(*, older_than_days: int = 30) -> int:
    """Located scans are kept only as long as the distant-scan check needs them."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    deleted, _rows = LocatedScan.objects.filter(at__lt=cutoff).delete()
    return deleted


# ---------------------------------------------------------------------------------------------
# Rate limits without keeping addresses
# ---------------------------------------------------------------------------------------------


def allow(request, bucket: str, limit: int, window_seconds: int = 3600) -> bool:
    """At most ``limit`` actions per client per window. The cache holds a salted hash of the
    address, which expires with the window; the address itself is never stored."""
    window = int(time.time() // window_seconds)
    secret = settings.SECRET_KEY
    digest = hashlib.sha256(f"{secret}|{bucket}|{window}|{client_address(request)}".encode()).hexdigest()[:32]
    key = f"trace:rate:{bucket}:{digest}"
    if cache.add(key, 1, window_seconds):
        return True
    try:
        return cache.incr(key) <= limit
    except ValueError:
        cache.set(key, 1, window_seconds)
        return True
