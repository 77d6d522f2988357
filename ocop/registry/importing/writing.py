"""Writing an import's plan: bulk inserts with ids allocated up front, batched updates, and the
recognitions superseded by newer ones."""

from __future__ import annotations

from collections import defaultdict

from django.db import connections, router
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Producer, Product, Recognition
from .planning import NewRow, Plan
from .report import Report


def apply_plan(plan: Plan, report: Report, progress) -> None:
    progress(0, None, _("Writing producers"), force=True)
    _insert(Producer, list(plan.new_producers.values()))
    _bulk_update(plan.changed_producers)
    progress(0, None, _("Writing products"), force=True)
    _insert(Product, list(plan.new_products.values()))
    _bulk_update(plan.changed_products)
    progress(0, None, _("Writing recognitions"), force=True)
    _insert(Recognition, [r for _key, r in plan.new_recognitions])
    _bulk_update(plan.changed_recognitions)
    touched = {p.pk for p in plan.product_of_key.values()}
    report.superseded = _supersede(touched)
    report.applied = True


def _insert(model, rows: list[NewRow]) -> None:
    """Insert many new rows with one prepared statement, their ids allocated up front.

    Django's bulk_create builds an SQL statement per batch (40 rows on SQLite) and prepares
    every value through the field; a national list has ~50,000 rows, and this is several times
    faster. Values are adapted per field type once; model defaults fill what the row omits.
    """
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    ops = connection.ops
    adapters = []
    for f in fields:
        internal = f.get_internal_type()
        if internal == "DateField":
            adapters.append(ops.adapt_datefield_value)
        elif internal == "DateTimeField":
            adapters.append(ops.adapt_datetimefield_value)
        elif internal == "DecimalField":
            adapters.append(lambda v, f=f: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places))
        elif internal == "JSONField":
            adapters.append(lambda v, f=f: f.get_db_prep_save(v, connection))
        else:
            adapters.append(None)
    ids = _allocate_ids(model, len(rows), connection)
    params = []
    for row, pk in zip(rows, ids, strict=True):
        row.pk = pk
        values = [pk]
        for f, adapt in zip(fields, adapters, strict=True):
            if f.is_relation and not hasattr(row, f.attname) and hasattr(row, f.name):
                value = getattr(row, f.name).pk
            elif hasattr(row, f.attname):
                value = getattr(row, f.attname)
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = f.get_default()
            values.append(value if value is None or adapt is None else adapt(value))
        params.append(values)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in [model._meta.pk.column, *(f.column for f in fields)])
    table = quote(model._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path, many times faster than INSERT statements.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in params:
                    copy.write_row(values)
            return
        placeholders = ", ".join(["%s"] * (len(fields) + 1))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"
        for start in range(0, len(params), 5000):
            cursor.executemany(sql, params[start : start + 5000])


def _allocate_ids(model, count: int, connection) -> list[int]:
    """Primary keys for ``count`` new rows, taken from the table's own counter."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return [value for (value,) in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # The import's transaction holds SQLite's write lock (transaction_mode IMMEDIATE), so
            # nobody else can take these ids; AUTOINCREMENT's counter never goes backwards.
            cursor.execute(
                f"SELECT MAX(COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 0),"
                " COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0))",
                [table],
            )
            first = cursor.fetchone()[0] + 1
            return list(range(first, first + count))
    raise NotImplementedError(f"no id allocation for {connection.vendor}")


def _bulk_update(changed: dict[int, tuple[object, list[str]]]) -> None:
    """Write changed rows in batches. bulk_update skips ``auto_now``: the stamp is moved here,
    since the catalogue's index finds the records to rebuild by it."""
    now = timezone.now()
    by_fields: dict[tuple[str, ...], list] = defaultdict(list)
    for obj, fields in changed.values():
        if hasattr(obj, "updated_at"):
            obj.updated_at = now
            fields = [*fields, "updated_at"]
        by_fields[tuple(sorted(set(fields)))].append(obj)
    for fields, objects in by_fields.items():
        type(objects[0]).objects.bulk_update(objects, list(fields), batch_size=1000)


def _supersede(product_ids: set[int]) -> int:
    """A recognition still in force when the product's next one was granted is superseded by it."""
    changed = []
    # Only products with several recognitions can have one to supersede.
    several = (
        Recognition.objects.filter(product_id__in=product_ids)
        .values("product_id")
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .values("product_id")
    )
    recognitions = Recognition.objects.filter(product_id__in=several).order_by(
        "product_id", "recognised_on", "pk"
    )
    previous = None
    for recognition in recognitions:
        if (
            previous is not None
            and previous.product_id == recognition.product_id
            and previous.superseded_by_id is None
            and previous.recognised_on < recognition.recognised_on
            and previous.status_on(recognition.recognised_on) == "valid"
        ):
            previous.superseded_on = recognition.recognised_on
            previous.superseded_by_id = recognition.pk
            changed.append(previous)
        previous = recognition
    Recognition.objects.bulk_update(changed, ["superseded_on", "superseded_by"], batch_size=1000)
    return len(changed)
