"""The catalogue's search index, rebuilt from the registry (:func:`catalogue_refresh`).

Maintenance, not a person's act: brought up to date from the registry's own stamps by periodic
work in the background (pages only read it) and by the command ``ocop catalogue-index``; it
writes no audit event.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, Max, Q, Sum
from django.utils import timezone, translation

from ocop.registry.choices import ProducerType, ProductGroup
from ocop.registry.models import Product, Recognition

from .. import indexing, matching
from ..models import (
    CatalogueEntry,
    CatalogueState,
    SearchTerm,
)

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
