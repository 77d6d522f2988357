"""Programme statistics for the whole country on the national demo dataset, against bare counts.

``ocop stats --format json`` is timed in-process (``call_command``: the selector and the JSON),
and the selector alone, each the median of several calls after one warm-up, on:

* today, current boundaries (the 34 provinces): the target is under 300 ms;
* 19/02/2025, historical boundaries (the 63 old provinces, with the fallbacks for producers
  without old units on record).

Baseline (same run, same database): the count of recognitions valid today with 3 stars or more
(``valid_on(today).filter(stars__gte=3).count()``), one pass over what any answer must read; the
ratios are to it. ``SELECT COUNT(*)`` over the recognitions is printed too, as the floor (SQLite
answers it from a b-tree's page counts, so no ratio to it means much).

The dataset: ``OCOP_BENCH_DATA_DIR`` names a data directory whose SQLite database already holds
it (built with ``ocop demo --no-serve``); otherwise it is built in a temporary directory (about
25 s) and removed afterwards. When ``DATABASE_URL`` points to PostgreSQL, the same is measured
there too; the demo is built into that database first unless it is already loaded (``ocop demo``
refuses a database holding other data).
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_MS = 300
REPEAT = 15


# ---------------------------------------------------------------------------------------------
# In the measuring process (Django set up on the database to measure)
# ---------------------------------------------------------------------------------------------


def _median_ms(fn, repeat=REPEAT) -> float:
    fn()  # warm-up: connection, caches, the database's page cache
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure() -> dict:
    import io

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from ocop.monitoring import selectors
    from ocop.registry.models import Product, Recognition

    today = timezone.localdate()

    def count_all():
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM registry_recognition")
            return cursor.fetchone()[0]

    def command(*args):
        out = io.StringIO()
        call_command("stats", "--format", "json", *args, stdout=out)
        return out.getvalue()

    result = selectors.programme_stats(as_of=today)
    return {
        "vendor": connection.vendor,
        "products": Product.objects.count(),
        "recognitions": count_all(),
        "counted_today": result["products"]["total"],
        "producers_today": result["producers"]["total"],
        "count_all_ms": _median_ms(count_all),
        "count_valid_ms": _median_ms(
            lambda: Recognition.objects.valid_on(today).filter(stars__gte=3).count()
        ),
        "selector_ms": _median_ms(lambda: selectors.programme_stats(as_of=today)),
        "command_ms": _median_ms(lambda: command()),
        "historical_ms": _median_ms(lambda: command("--as-of", "2025-02-19", "--boundaries", "historical")),
        "province_by_commune_ms": _median_ms(lambda: command("--province", "80", "--by", "commune")),
        "json_is_the_selectors": json.loads(command()) == json.loads(json.dumps(result)),
    }


# ---------------------------------------------------------------------------------------------
# In the driving process
# ---------------------------------------------------------------------------------------------


def _env(data_dir: Path | None, database_url: str | None) -> dict:
    env = {**os.environ, "OCOP_ENV": "development", "DJANGO_SETTINGS_MODULE": "ocop.settings"}
    env.pop("DATABASE_URL", None)
    if data_dir is not None:
        env["OCOP_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _build(env: dict) -> None:
    subprocess.run(
        [sys.executable, "-m", "ocop", "demo", "--no-serve"], env=env, check=True, capture_output=True
    )


def _measure(env: dict) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_stats", "--measure"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _report(label: str, m: dict) -> None:
    base = m["count_valid_ms"]
    verdict = "OK" if m["command_ms"] < TARGET_MS else "OVER TARGET"
    print(
        f"statistics, whole country, {label}: {m['products']:,} products, {m['recognitions']:,} recognitions; "
        f"today {m['counted_today']:,} products / {m['producers_today']:,} producers counted"
    )
    rows = [
        ("baseline SELECT COUNT(*) over recognitions", m["count_all_ms"], ""),
        ("baseline count valid today, 3 stars or more", base, ""),
        ("selector, today, current boundaries", m["selector_ms"], ""),
        ("ocop stats --format json (in-process)", m["command_ms"], f"  (target < {TARGET_MS} ms: {verdict})"),
        ("  --as-of 2025-02-19 --boundaries historical", m["historical_ms"], ""),
        ("  --province 80 --by commune", m["province_by_commune_ms"], ""),
    ]
    for name, ms, note in rows:
        ratio = f"x{ms / base:5.1f} baseline" if name != rows[0][0] else ""
        print(f"  {name:<46} {ms:8.2f} ms  {ratio}{note}")
    if not m["json_is_the_selectors"]:
        print("  !! the command's JSON differs from the selector's figures")


def main() -> dict:
    results = {}
    given = os.environ.get("OCOP_BENCH_DATA_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(given) if given else Path(tmp) / "demo"
        env = _env(data_dir, None)
        if not given:
            _build(env)
        results["sqlite"] = _measure(env)
    _report("SQLite", results["sqlite"])

    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith(("postgres://", "postgresql://", "pgsql://")):
        env = _env(None, database_url)
        _build(env)
        results["postgresql"] = _measure(env)
        _report("PostgreSQL", results["postgresql"])
    return {"ms": results["sqlite"]["command_ms"]}


if __name__ == "__main__":
    if "--measure" in sys.argv:
        print(json.dumps(measure()))
    else:
        main()
