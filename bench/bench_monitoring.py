"""The national dashboard's server time in PostgreSQL, next to the SQL it needs replayed raw.

Issue 8's target: on the demo dataset (18,000 products, 10,000 producers, five years of history)
plus 1,000,000 traceability events, ``/manage/dashboard/`` renders in under 200 ms of server
time, within twice the time of the raw SQL aggregate queries it needs, measured in the same run.
The province dashboard ``/manage/dashboard/province/01/`` is measured the same way.

How (docs/monitoring-benchmark.md says more):

* a throwaway database ``ocop_bench_monitoring_<pid>`` on ``OCOP_BENCH_PG`` (default
  ``postgres://postgres@127.0.0.1:5432``) is created, migrated, filled with the demo
  (:func:`ocop.demo.services.demo_build`), then 20,000 batches of demo products with 50 EPCIS
  events each (1,000,000 events, 2,000,000 identifier rows) written with COPY
  (:func:`ocop.trace.services.copy_rows`, the path large captures take), ``VACUUM ANALYZE``;
  it is dropped at the end;
* measured: Django's test ``Client`` GETs the page as the demo's ``central`` account (every
  middleware, the session, the permission gate, the figures, the template), ``DEBUG`` off, in
  this process; and :func:`ocop.monitoring.dashboard.dashboard` alone (the figures without
  presenting them);
* baseline: the SQL one GET issues, captured once (``CaptureQueriesContext``) and replayed
  through the database cursor, rows fetched, one statement after the other as the page does;
* page, figures and baseline are timed in interleaved rounds (``--repeat``, after warm-up), so a
  burst of load from other processes falls on all three alike: median and p95 of the wall-clock
  time of each; and the mean CPU time each costs, this process's plus its PostgreSQL backend's
  (read from ``/proc``, the server being on this host): on a machine shared with other work, what
  the call would take on an idle one (the target is judged on both);
* each captured statement is then timed alone (median of 10, CPU mean) with the line of the
  project's code that issued it.

Options, each measured in the same run and printed next to the figures above:

* ``--explain``: ``EXPLAIN (ANALYZE, BUFFERS)`` of the costliest statements;
* ``--try-index``: creates :data:`CANDIDATE_INDEXES` in the throwaway database and measures again;
* ``--try-rewrite``: one statement counting the deciding recognitions of every day the page asks
  about (``DISTINCT ON`` per day in a ``LATERAL`` join) against the captured statements it would
  replace, results compared;
* always, after the cold figures: the page as served, its figures cached under the data version
  (``OCOP_DASHBOARD_CACHE_SECONDS``; the first view after a write renders cold).

    python -m bench.bench_monitoring [--repeat 20] [--explain] [--try-index] [--try-rewrite]
                                     [--keep | --reuse NAME]

``--keep`` keeps the loaded database (its name is printed); ``--reuse NAME`` measures a database
kept that way (no build) and leaves it in place.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import signal
import statistics
import sys
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from bench import trace_pg

TARGET_MS = 200
TARGET_RATIO = 2.0
BATCHES, PER_BATCH = 20_000, 50
PAGES = [
    ("national dashboard", "/manage/dashboard/", None),
    ("province dashboard (01, Ha Noi)", "/manage/dashboard/province/01/", "01"),
]
EXPLAINED = 4  # --explain: how many of the costliest statements of each page
LISTED = 12  # statements listed per page, costliest first

# --try-index: (name, table, statement). Every figure joins the recognitions to their products and
# producers; both tables are wide (descriptions, addresses), so each join reads all their pages to
# build a hash of a few columns: covering indexes let it read an index-only scan instead. The
# third follows "the most recent recognition of a product", which the NOT EXISTS that picks each
# product's deciding recognition asks for. Whether the plans use each one is printed.
CANDIDATE_INDEXES = [
    (
        "bench_product_cover",
        "registry_product",
        'CREATE INDEX bench_product_cover ON registry_product (id) INCLUDE (producer_id, "group")',
    ),
    (
        "bench_producer_cover",
        "registry_producer",
        "CREATE INDEX bench_producer_cover ON registry_producer (id) INCLUDE (province_id, commune_id, kind)",
    ),
    (
        "bench_recognition_latest",
        "registry_recognition",
        "CREATE INDEX bench_recognition_latest ON registry_recognition "
        "(product_id, recognised_on DESC, id DESC) INCLUDE (stars, valid_until, revoked_on, superseded_on)",
    ),
]


# ---------------------------------------------------------------------------------------------
# The database
# ---------------------------------------------------------------------------------------------


def setup_django(name: str) -> None:
    os.environ["DATABASE_URL"] = f"{trace_pg.SERVER}/{name}"
    os.environ["OCOP_ENV"] = "development"
    os.environ["DEBUG"] = "0"  # no query log, cached templates: as served
    os.environ["DB_CONN_MAX_AGE"] = "86400"  # one connection all along, as a busy server keeps them
    os.environ["DJANGO_SETTINGS_MODULE"] = "ocop.settings"
    os.environ.setdefault("OCOP_PUBLIC_URL", "https://ocop.example.vn")
    import django

    django.setup()


def build() -> dict:
    """Migrate, build the demo, add the events, VACUUM ANALYZE; seconds per step."""
    from django.core.management import call_command
    from django.db import connection

    from ocop.demo.services import demo_build

    seconds = {}
    start = time.perf_counter()
    call_command("migrate", verbosity=0)
    seconds["migrate"] = time.perf_counter() - start
    start = time.perf_counter()
    demo_build()
    seconds["demo"] = time.perf_counter() - start
    start = time.perf_counter()
    add_events()
    seconds["1M events"] = time.perf_counter() - start
    start = time.perf_counter()
    with connection.cursor() as cursor:
        # VACUUM too: after a bulk load the visibility map is empty (no index-only scans), and
        # autovacuum would otherwise start in the middle of the measurement.
        cursor.execute("VACUUM ANALYZE")
    seconds["vacuum analyze"] = time.perf_counter() - start
    return seconds


def add_events() -> int:
    """20,000 batches of recognised demo products (produced over five years) with 50 EPCIS
    events each, through the same COPY path as large captures."""
    from django.db import transaction
    from django.utils import timezone

    from ocop.registry.models import Product
    from ocop.trace import epcis, services
    from ocop.trace.models import Batch

    rng = random.Random(8)
    today = timezone.localdate()
    products = list(
        Product.objects.filter(recognitions__isnull=False)
        .distinct()
        .order_by("pk")
        .only("pk", "gtin", "producer_id")
    )
    chosen = rng.sample(products, min(len(products), 6000))
    batches = Batch.objects.bulk_create(
        [
            Batch(
                product=chosen[n % len(chosen)],
                lot=f"BM{n:06d}",
                produced_on=today - timedelta(days=rng.randint(0, 5 * 365)),
                quantity=100,
            )
            for n in range(BATCHES)
        ],
        batch_size=5000,
    )
    now = timezone.now()
    steps = ["commissioning", "packing", "shipping", "receiving", "retail_selling"]
    rows, identifiers, written = [], [], 0
    for batch in batches:
        product = batch.product
        klass = services.class_uri(product, batch.lot)
        key = services.class_key(product, batch.lot)
        first = timezone.make_aware(datetime.combine(batch.produced_on, datetime.min.time()))
        for k in range(PER_BATCH):
            when = first + timedelta(minutes=rng.randint(0, 60 * 24 * 60))
            item = epcis.NormalisedEvent(
                index=k,
                event_type="ObjectEvent",
                event_time=when,
                timezone="+07:00",
                event_id="",
                action="OBSERVE",
                biz_step=steps[k % 5],
                disposition="",
                read_point="",
                biz_location="",
                identifiers=[("class", key), ("epc", f"{key}/21/{k}")],
                document={
                    "type": "ObjectEvent",
                    "eventTime": epcis.format_time(when),
                    "eventTimeZoneOffset": "+07:00",
                    "action": "OBSERVE",
                    "bizStep": steps[k % 5],
                    "quantityList": [{"epcClass": klass, "quantity": 10}],
                    "recordTime": epcis.format_time(now),
                },
            )
            rows.append(services.event_row(item, product.producer_id, batch.pk, None, now))
            identifiers.append(item.identifiers)
        if len(rows) >= 100_000:
            with transaction.atomic():
                written += services.copy_rows(rows, identifiers)
            rows, identifiers = [], []
    if rows:
        with transaction.atomic():
            written += services.copy_rows(rows, identifiers)
    return written


def dataset() -> str:
    from django.db import connection

    counts = []
    with connection.cursor() as cursor:
        for label, table in (
            ("producers", "registry_producer"),
            ("products", "registry_product"),
            ("recognitions", "registry_recognition"),
            ("batches", "trace_batch"),
            ("events", "trace_event"),
            ("event identifiers", "trace_eventidentifier"),
        ):
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            counts.append(f"{cursor.fetchone()[0]:,} {label}")
        cursor.execute("SELECT MIN(recognised_on), MAX(recognised_on) FROM registry_recognition")
        first, last = cursor.fetchone()
    return ", ".join(counts) + f"; recognitions decided {first:%d/%m/%Y} .. {last:%d/%m/%Y}"


# ---------------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------------


@dataclass
class Timing:
    """Wall-clock milliseconds of each call, and CPU milliseconds (this process + its database
    backend) of each call."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def p95(self) -> float:
        ordered = sorted(self.wall)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def cpu_mean(self) -> float:
        # The backend's CPU is counted in clock ticks (10 ms): a mean over many calls, not a median.
        return statistics.fmean(self.cpu)


_TICK = 1000 / os.sysconf("SC_CLK_TCK")


def _cpu_ms() -> float:
    """CPU time used so far by this process and by the database backend serving it (same host)."""
    from django.db import connection

    connection.ensure_connection()
    try:
        with open(f"/proc/{connection.connection.info.backend_pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:  # the server runs on another host: no CPU figures
        return math.nan
    return time.process_time() * 1000 + (int(fields[11]) + int(fields[12])) * _TICK


def rounds(fns: dict, repeat: int, warmup: int = 2) -> dict[str, Timing]:
    """Each function once per round, in turn, ``repeat`` rounds after ``warmup``."""
    for _ in range(warmup):
        for fn in fns.values():
            fn()
    timings = {name: Timing() for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            cpu, start = _cpu_ms(), time.perf_counter()
            fn()
            timings[name].wall.append((time.perf_counter() - start) * 1000)
            timings[name].cpu.append(_cpu_ms() - cpu)
    return timings


def _origin() -> str:
    """Where in the project's code a statement was issued (the innermost ocop frame)."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        path = frame.filename
        if "/ocop/" in path and "/site-packages/" not in path:
            return f"{path[path.rindex('/ocop/') + 1 :]}:{frame.lineno} {frame.name}"
    return "(middleware: session, user)"


def capture(client, url: str) -> list[dict]:
    """The statements one GET of ``url`` issues, each with the code that issued it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    origins = []

    def wrapper(execute, sql, params, many, context):
        origins.append(_origin())
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper), CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return [
        {"sql": q["sql"], "origin": origin}
        for q, origin in zip(captured.captured_queries, origins, strict=True)
    ]


def _is_read(sql: str) -> bool:
    return sql.lstrip().split(None, 1)[0].upper() in ("SELECT", "WITH")


def run_sql(statements: list[str]) -> list[list[tuple]]:
    from django.db import connection

    out = []
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            out.append(cursor.fetchall())
    return out


class Page:
    """One dashboard: its URL, its unit, and the ways of timing it."""

    def __init__(self, client, user, label: str, url: str, province: str | None):
        from django.utils import timezone

        from ocop.geo.gazetteer import CURRENT
        from ocop.geo.models import Province
        from ocop.monitoring import units

        self.client, self.user, self.label, self.url = client, user, label, url
        self.unit = (
            units.country(CURRENT)
            if province is None
            else units.of_province(Province.objects.get(era_id=CURRENT, code=province))
        )
        self.today = timezone.localdate()

    def get(self):
        response = self.client.get(self.url)
        assert response.status_code == 200, (self.url, response.status_code)
        return response

    def figures(self):
        from ocop.monitoring import dashboard, selectors

        return dashboard.dashboard(
            unit=self.unit, as_of=self.today, boundaries=selectors.CURRENT_BOUNDARIES, user=self.user
        )

    def measure(self, repeat: int) -> dict:
        self.get()  # first request: templates, boundary files, the database's caches
        statements = capture(self.client, self.url)
        reads = [s["sql"] for s in statements if _is_read(s["sql"])]
        timings = rounds({"page": self.get, "figures": self.figures, "raw": lambda: run_sql(reads)}, repeat)
        for s in statements:
            if _is_read(s["sql"]):
                alone = rounds({"one": lambda sql=s["sql"]: run_sql([sql])}, 10, 1)["one"]
                s["ms"], s["cpu"] = alone.median, alone.cpu_mean
        return {
            **timings,
            "statements": statements,
            "reads": len(reads),
            "html_kib": len(self.get().content) / 1024,
            "load": os.getloadavg()[0],
        }


def explain(sql: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return [row[0] for row in cursor.fetchall()]


# ---------------------------------------------------------------------------------------------
# --try-rewrite: the deciding recognitions of every day asked about, in one statement
# ---------------------------------------------------------------------------------------------

# The figures of selectors.aggregates(), in its order, over "c" (the deciding recognition), "p"
# (its product) and "pr" (the producer).
_AGGREGATES = ", ".join(
    [
        "COUNT(*)",
        "COUNT(DISTINCT p.producer_id)",
        *[f"COUNT(*) FILTER (WHERE c.stars = {s})" for s in (3, 4, 5)],
        *[
            f"COUNT(*) FILTER (WHERE p.\"group\" = '{g}')"
            for g in ("food", "drinks", "herbal", "handicraft", "ornamental", "tourism")
        ],
        *[
            f"COUNT(DISTINCT p.producer_id) FILTER (WHERE pr.kind = '{k}')"
            for k in ("cooperative", "cooperative_group", "enterprise", "household")
        ],
    ]
)


def rewritten_sql(days: list[date], province_id: int | None) -> str:
    """Figures per (day, unit) of every day at once: for each day, each product's deciding
    recognition (the most recent valid that day) by DISTINCT ON rather than NOT EXISTS."""
    values = ", ".join(f"('{d.isoformat()}'::date)" for d in days)
    unit = "pr.province_id" if province_id is None else "pr.commune_id"
    where = "" if province_id is None else f" AND pr.province_id = {int(province_id)}"
    return (
        f"SELECT d.day, {unit}, {_AGGREGATES} "
        f"FROM (VALUES {values}) d(day) CROSS JOIN LATERAL ("
        "SELECT DISTINCT ON (r.product_id) r.product_id, r.stars FROM registry_recognition r "
        "WHERE r.recognised_on <= d.day AND r.valid_until >= d.day "
        "AND (r.revoked_on IS NULL OR r.revoked_on > d.day) "
        "AND (r.superseded_on IS NULL OR r.superseded_on > d.day) "
        "ORDER BY r.product_id, r.recognised_on DESC, r.id DESC) c "
        "JOIN registry_product p ON p.id = c.product_id "
        "JOIN registry_producer pr ON pr.id = p.producer_id "
        f"WHERE c.stars >= 3{where} GROUP BY 1, 2"
    )


_DAY = re.compile(r"'(\d{4}-\d{2}-\d{2})'::date")
_STOCK = 'SELECT "registry_recognition"."stars" AS "stars", COUNT('


def _replaced(statement: dict) -> str | None:
    """Which of the counts the rewrite gives this captured statement is, if any."""
    origin, sql = statement["origin"], statement["sql"]
    if "NOT EXISTS" not in sql:
        return None
    if origin.endswith((" _per_province", " _per_commune")):
        return "unit"
    if "measures.py" in origin and origin.endswith(" flat"):
        return "flat"
    if "dashboard.py" in origin and sql.startswith(_STOCK):
        return "stock"
    return None


def try_rewrite(page: Page, m: dict, repeat: int) -> dict:
    """Time the captured statements the rewrite replaces against the rewrite; compare results."""
    replaced = [(s, kind) for s in m["statements"] if (kind := _replaced(s))]
    days = sorted({date.fromisoformat(_DAY.search(s["sql"]).group(1)) for s, _kind in replaced})
    sql = rewritten_sql(days, page.unit.province.pk if page.unit.province else None)
    old = [s["sql"] for s, _kind in replaced]
    timings = rounds({"captured": lambda: run_sql(old), "rewrite": lambda: run_sql([sql])}, repeat)

    per_day = defaultdict(dict)
    for day, unit, *figures in run_sql([sql])[0]:
        per_day[day][unit] = figures
    same = True
    for (statement, kind), rows in zip(replaced, run_sql(old), strict=True):
        day = date.fromisoformat(_DAY.search(statement["sql"]).group(1))
        units = per_day[day]
        total = [sum(column) for column in zip(*units.values(), strict=True)] if units else [0] * 15
        if kind == "unit":
            same &= {r[0]: list(r[1:]) for r in rows} == units
        elif kind == "flat":
            same &= list(rows[0]) == total
        else:
            same &= {stars: n for stars, n in rows} == {
                s: total[i] for i, s in ((2, 3), (3, 4), (4, 5)) if total[i]
            }
    return {**timings, "count": len(old), "days": days, "same": same, "sql": sql}


def index_scans(names: list[str]) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT indexrelname, idx_scan FROM pg_stat_user_indexes WHERE indexrelname = ANY(%s)", [names]
        )
        return dict(cursor.fetchall())


def _create(indexes: list[tuple[str, str, str]], *, verbose: bool = False) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for _name, _table, statement in indexes:
            start = time.perf_counter()
            cursor.execute(statement)
            if verbose:
                print(f"\n--try-index: {statement} ({time.perf_counter() - start:.1f} s)")
        for table in sorted({table for _name, table, _sql in indexes}):
            cursor.execute(f"VACUUM ANALYZE {table}")


def _drop(indexes: list[tuple[str, str, str]]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for name, _table, _sql in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')


def try_index(pages: list[Page], results: list, repeat: int) -> None:
    """The pages' SQL replayed with each of :data:`CANDIDATE_INDEXES` alone, then everything
    measured again with all of them; they are dropped afterwards."""
    from django.db import transaction

    reads = {
        page.label: [s["sql"] for s in dict(results)[page.label]["statements"] if "ms" in s] for page in pages
    }
    variants = {"(none)": [], **{i[0]: [i] for i in CANDIDATE_INDEXES}, "all of them": CANDIDATE_INDEXES}
    _create(CANDIDATE_INDEXES)
    try:
        # Interleaved: in each round, each variant in a transaction that drops the other indexes
        # and is rolled back (only the replay is timed).
        cpu = defaultdict(list)
        for n in range(11):
            for variant, kept in variants.items():
                for page in pages:
                    with transaction.atomic():
                        _drop([i for i in CANDIDATE_INDEXES if i not in kept])
                        timing = rounds({"raw": lambda sql=reads[page.label]: run_sql(sql)}, 1, 0)["raw"]
                        transaction.set_rollback(True)
                    if n:  # the first round warms up
                        cpu[variant, page.label].append(timing.cpu_mean)
    finally:
        _drop(CANDIDATE_INDEXES)
    print("\n--try-index: the pages' SQL replayed with each candidate index alone (CPU mean of 10 rounds)")
    print(f"  {'':28} " + " ".join(f"{page.label[:30]:>30}" for page in pages))
    for variant in variants:
        print(
            f"  {variant:28} "
            + " ".join(f"{statistics.fmean(cpu[variant, page.label]):27.1f} ms" for page in pages)
        )

    names = [name for name, _table, _sql in CANDIDATE_INDEXES]
    _create(CANDIDATE_INDEXES, verbose=True)
    try:
        before = index_scans(names)
        for page in pages:
            m = page.measure(repeat)
            report(f"{page.label}, WITH THE CANDIDATE INDEXES", page.url, m)
            without = dict(results)[page.label]
            changes(without["statements"], m["statements"])
            results.append((f"{page.label} + indexes", m))
        after = index_scans(names)
        print("\n  --try-index: index scans during those measurements (0: the planner did not use it)")
        for name in names:
            print(f"    {name:28} {after.get(name, 0) - before.get(name, 0):8,d}")
    finally:
        _drop(CANDIDATE_INDEXES)


def changes(before: list[dict], after: list[dict], shown: int = 8) -> None:
    """The statements whose CPU time changed most with the indexes (same statements, same order)."""
    pairs = [
        (b, a)
        for b, a in zip(before, after, strict=False)
        if b["sql"] == a["sql"] and "cpu" in b and "cpu" in a
    ]
    print(f"  with the indexes, the statements that changed most (CPU alone, {len(pairs)} compared):")
    for b, a in sorted(pairs, key=lambda pair: pair[1]["cpu"] - pair[0]["cpu"])[:shown]:
        print(f"    {b['cpu']:6.1f} -> {a['cpu']:6.1f} ms  {b['origin']:<46} {_short(b['sql'], 48)}")


# ---------------------------------------------------------------------------------------------
# Reporting
# ---------------------------------------------------------------------------------------------


def _short(sql: str, width: int) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _ratio(a: float, b: float) -> float:
    return a / b if b else float("inf")


def _verdict(page: float, raw: float) -> str:
    if math.isnan(page):
        return "n/a (the database server is not on this host)"
    under = "met" if page < TARGET_MS else "NOT MET"
    within = "met" if _ratio(page, raw) <= TARGET_RATIO else "NOT MET"
    return f"< {TARGET_MS} ms {under}, within {TARGET_RATIO:g}x {within}"


def report(label: str, url: str, m: dict) -> None:
    raw, page = m["raw"], m["page"]
    print(f"\n{label}: GET {url} as 'central', {len(page.wall)} rounds (load average {m['load']:.1f})")
    print(
        f"  {len(m['statements'])} statements per page ({m['reads']} SELECTs, replayed); "
        f"{m['html_kib']:.0f} KiB of HTML"
    )
    print(f"  {'':42} {'median':>9} {'p95':>9} {'ratio':>6}   {'CPU':>8} {'ratio':>6}")
    for name, t in (
        ("baseline: the page's SQL replayed raw", raw),
        ("dashboard() alone: the figures", m["figures"]),
        ("measured: the whole page (server time)", page),
    ):
        print(
            f"  {name:42} {t.median:6.1f} ms {t.p95:6.1f} ms {_ratio(t.median, raw.median):6.2f}   "
            f"{t.cpu_mean:5.1f} ms {_ratio(t.cpu_mean, raw.cpu_mean):6.2f}"
        )
    print(f"  target, wall clock: {_verdict(page.median, raw.median)}")
    print(f"  target, CPU time:   {_verdict(page.cpu_mean, raw.cpu_mean)}")
    reads = [s for s in m["statements"] if "ms" in s]
    ranked = sorted(reads, key=lambda s: -s["ms"])
    print(
        f"  the statements, each alone (median of 10 / CPU mean), costliest first; "
        f"sum {sum(s['ms'] for s in reads):.1f} ms / CPU {sum(s['cpu'] for s in reads):.1f} ms:"
    )
    for s in ranked[:LISTED]:
        print(f"    {s['ms']:6.1f} {s['cpu']:6.1f} ms  {s['origin']:<46} {_short(s['sql'], 48)}")
    if len(ranked) > LISTED:
        rest = ranked[LISTED:]
        print(
            f"    {sum(s['ms'] for s in rest):6.1f} {sum(s['cpu'] for s in rest):6.1f} ms  the other {len(rest)}"
        )
    by_origin = defaultdict(lambda: [0, 0.0, 0.0])
    for s in reads:
        where = re.sub(r":\d+ ", " ", s["origin"])
        by_origin[where][0] += 1
        by_origin[where][1] += s["ms"]
        by_origin[where][2] += s["cpu"]
    print("  by where they come from:")
    for where, (n, ms, cpu) in sorted(by_origin.items(), key=lambda kv: -kv[1][1]):
        print(f"    {ms:6.1f} {cpu:6.1f} ms  {n:2d} x  {where}")


def report_rewrite(label: str, r: dict) -> None:
    old, new = r["captured"], r["rewrite"]
    print(
        f"\n  --try-rewrite, {label}: the {r['count']} captured statements that count the deciding "
        f"recognitions on {len(r['days'])} days ({', '.join(d.strftime('%d/%m/%Y') for d in r['days'])})"
    )
    print(f"    {'':34} {'median':>9} {'p95':>9}   {'CPU':>8}")
    for name, t in (("captured, one after the other", old), ("one statement, DISTINCT ON", new)):
        print(f"    {name:34} {t.median:6.1f} ms {t.p95:6.1f} ms   {t.cpu_mean:5.1f} ms")
    print(
        f"    rewrite / captured: x{_ratio(new.median, old.median):.2f} wall, "
        f"x{_ratio(new.cpu_mean, old.cpu_mean):.2f} CPU; same figures: {'yes' if r['same'] else 'NO'}"
    )


def summary(results: list[tuple[str, dict]], cached: list[tuple[str, Timing]]) -> None:
    print(
        f"\nsummary (target: page < {TARGET_MS} ms and within {TARGET_RATIO:g}x its raw SQL; "
        "wall: medians, CPU: means)"
    )
    print(
        f"  {'':44} {'raw SQL':>9} {'page':>9} {'ratio':>6} {'SQL':>4}  {'target (wall)':<8}"
        f" | {'raw CPU':>9} {'page CPU':>9} {'ratio':>6}  target (CPU)"
    )
    for label, m in results:
        raw, page = m["raw"], m["page"]
        wall_met = page.median < TARGET_MS and _ratio(page.median, raw.median) <= TARGET_RATIO
        cpu_met = page.cpu_mean < TARGET_MS and _ratio(page.cpu_mean, raw.cpu_mean) <= TARGET_RATIO
        print(
            f"  {label:44} {raw.median:6.1f} ms {page.median:6.1f} ms {_ratio(page.median, raw.median):6.2f} "
            f"{len(m['statements']):4d}  {'met' if wall_met else 'NOT MET':<13} | {raw.cpu_mean:6.1f} ms "
            f"{page.cpu_mean:6.1f} ms {_ratio(page.cpu_mean, raw.cpu_mean):6.2f}  {'n/a' if math.isnan(page.cpu_mean) else 'met' if cpu_met else 'NOT MET'}"
        )
    for label, page in cached:
        print(
            f"  {label + ', figures cached':44} {'-':>9} {page.median:6.1f} ms {'-':>6} {'-':>4}  "
            f"{'< 200: ' + ('met' if page.median < TARGET_MS else 'NOT MET'):<13} | {'-':>9} "
            f"{page.cpu_mean:6.1f} ms {'-':>6}  < 200: {'met' if page.cpu_mean < TARGET_MS else 'NOT MET'}"
        )


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="timed rounds (default 20)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the costliest statements")
    parser.add_argument("--try-index", action="store_true", help="measure again with CANDIDATE_INDEXES")
    parser.add_argument("--try-rewrite", action="store_true", help="time one DISTINCT ON statement per page")
    parser.add_argument("--keep", action="store_true", help="keep the loaded database")
    parser.add_argument("--reuse", metavar="NAME", help="measure a database kept by --keep (no build)")
    args = parser.parse_args()

    name = args.reuse or f"ocop_bench_monitoring_{os.getpid()}"
    # Stopped with SIGTERM, still drop the database (the finally below).
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    started = time.perf_counter()
    print(f"load average at the start: {_load()} on {os.cpu_count()} cores (other people's work included)")
    if not args.reuse:
        trace_pg._admin(f'CREATE DATABASE "{name}"')
    try:
        setup_django(name)
        run(args, name)
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse):
            trace_pg._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        elif args.keep:
            print(f"\ndatabase kept: {name} (measure it again with --reuse {name})")
    print(f"\nwhole run {time.perf_counter() - started:.0f} s; load average at the end: {_load()}")


def _load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def run(args, name: str) -> None:
    import logging

    from django.contrib.auth import get_user_model
    from django.test import Client

    logging.getLogger("axes").setLevel(logging.WARNING)
    if not args.reuse:
        seconds = build()
        print("built in " + ", ".join(f"{step} {s:.0f} s" for step, s in seconds.items()))
    print(f"database {name}: {dataset()}")

    from django.conf import settings

    # First the cold render (figures computed, as after a write), which the target is about.
    settings.OCOP_DASHBOARD_CACHE_SECONDS = 0
    user = get_user_model().objects.get(username="central")
    client = Client()
    client.force_login(user)
    pages = [Page(client, user, label, url, code) for label, url, code in PAGES]

    results, cached = [], []
    for page in pages:
        m = page.measure(args.repeat)
        report(page.label, page.url, m)
        results.append((page.label, m))
        if args.explain:
            for s in sorted((s for s in m["statements"] if "ms" in s), key=lambda s: -s["ms"])[:EXPLAINED]:
                print(
                    f"\n  EXPLAIN ANALYZE, {s['origin']} ({s['ms']:.1f} ms alone):\n    {_short(s['sql'], 300)}"
                )
                for line in explain(s["sql"]):
                    print("    | " + line)
        if args.try_rewrite:
            report_rewrite(page.label, try_rewrite(page, m, args.repeat))

    # The page as people get it: figures cached under the data version (a cold render happens
    # once after each write to what they count; the pipeline and traceability stay live).
    from django.conf import settings
    from django.core.cache import cache

    settings.OCOP_DASHBOARD_CACHE_SECONDS = 24 * 3600
    cache.clear()
    try:
        for page in pages:
            page.get()  # fills the cache
            t = rounds({"page": page.get}, args.repeat)["page"]
            print(
                f"\n  cached, {page.label}: the page with its figures cached: "
                f"{t.median:.1f} ms (p95 {t.p95:.1f}), CPU {t.cpu_mean:.1f} ms"
            )
            cached.append((page.label, t))
    finally:
        settings.OCOP_DASHBOARD_CACHE_SECONDS = 0

    if args.try_index:
        try_index(pages, results, args.repeat)

    summary(results, cached)


if __name__ == "__main__":
    main()
