"""Importing a national list: 18,000 product rows from 10,000 producers, in .xlsx.

Baseline (same run): reading the file's cells with the fastest reader available
(python-calamine), and with openpyxl's read-only mode for reference. The import is timed into
an empty SQLite database and, when PostgreSQL answers at 127.0.0.1:5432 (or BENCH_PG_URL), an
empty PostgreSQL database. Targets: the whole import within 3x of the read-only time, and
under 20 s on a 2-core machine.

Then a zip bomb: an .xlsx of ~2 MB whose sheet unpacks to 2 GB of XML, posted to the import. It
must be refused in under 2 s with the process's peak memory growing by less than 100 MB over its
baseline (the process with the file in memory, before the import). ``python
bench/bench_import.py bomb`` runs only that; BENCH_BOMB_UNGUARDED=1 also times the reader alone
on it, as the import did before the check (about 17 s and 2 GB).
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

PRODUCERS, ROWS = 10_000, 18_000
TARGET_SECONDS, TARGET_RATIO = 20, 3
BOMB_BYTES, BOMB_SECONDS, BOMB_MEGABYTES = 2 << 30, 2, 100
HEADER = [
    "STT",
    "Tên sản phẩm",
    "Tên chủ thể",
    "Loại hình chủ thể",
    "Địa chỉ",
    "Nhóm sản phẩm",
    "Hạng sao",
    "Điểm",
    "Số quyết định",
    "Ngày công nhận",
    "Mã số thuế",
]
GROUPS = [
    "Thực phẩm",
    "Đồ uống",
    "Dược liệu và sản phẩm từ dược liệu",
    "Hàng thủ công mỹ nghệ",
    "Sinh vật cảnh",
]
KINDS = ["Hợp tác xã", "Doanh nghiệp", "Hộ kinh doanh", "Tổ hợp tác"]
PRODUCTS = ["Bánh tráng", "Nước mắm", "Mật ong", "Chè", "Gạo", "Rượu", "Mứt", "Nem", "Miến", "Tinh dầu"]


def _tax_code(serial: int) -> str:
    from stdnum.vn import mst

    for bump in range(20):
        body = f"{(serial + bump) % 10**9:09d}"
        try:
            return mst.validate(body + mst.calc_check_digit(body))
        except Exception:
            continue
    return ""


def build_list(path: Path) -> None:
    import xlsxwriter

    from ocop.geo import gazetteer as gz

    rng = random.Random(18_000)
    g = gz.gazetteer()
    communes = g.units(gz.LEGACY, gz.COMMUNE)
    producers = []
    for index in range(PRODUCERS):
        unit = rng.choice(communes)
        address = (
            f"Thôn {rng.randint(1, 9)}, {unit.name}, {g.district(unit.district_code).name}, "
            + g.province(gz.LEGACY, unit.province_code).name
        )
        kind = rng.choice(KINDS)
        name = f"{kind} {rng.choice(PRODUCTS)} {unit.short_name} số {index}"
        producers.append(
            (name, kind, address, _tax_code(100_000_000 + index * 37) if kind != "Hộ kinh doanh" else "")
        )
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    date_format = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write(0, 0, "DANH SÁCH SẢN PHẨM OCOP TOÀN QUỐC")
    for col, text in enumerate(HEADER):
        sheet.write_string(2, col, text)
    for row in range(ROWS):
        name, kind, address, tax = producers[row if row < PRODUCERS else rng.randrange(PRODUCERS)]
        stars = rng.choice([3, 3, 3, 4, 4])
        day = date(2019, 9, 1) + timedelta(days=rng.randrange(2200))
        values = [
            row + 1,
            f"{rng.choice(PRODUCTS)} loại {row}",
            name,
            kind,
            address,
            rng.choice(GROUPS),
            stars,
            50 + stars * 8,
            f"{rng.randint(100, 3000)}/QĐ-UBND",
        ]
        for col, value in enumerate(values):
            sheet.write(row + 3, col, value)
        sheet.write_datetime(row + 3, 9, day, date_format)
        if tax:
            sheet.write_string(row + 3, 10, tax)
    book.close()


def read_only(path: Path) -> dict:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    calamine = time.perf_counter() - start
    import openpyxl

    start = time.perf_counter()
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = sum(1 for _ in book.active.iter_rows(values_only=True))
    openpyxl_time = time.perf_counter() - start
    return {"calamine": calamine, "openpyxl": openpyxl_time, "rows": len(rows), "openpyxl_rows": count}


def import_into(path: Path, database_url: str | None) -> dict:
    """Run in a fresh process: migrate an empty database, then time the import."""
    env = {**os.environ, "OCOP_ENV": "development", "OCOP_TASKS_BACKEND": "immediate"}
    with tempfile.TemporaryDirectory() as data_dir:
        env["OCOP_DATA_DIR"] = data_dir
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        code = (
            "import django, json, time; django.setup();"
            "from django.core.management import call_command; call_command('migrate', verbosity=0);"
            "from ocop.registry.importing import run_import;"
            f"content = open({str(path)!r}, 'rb').read(); start = time.perf_counter();"
            "report = run_import(content, 'national.xlsx');"
            "print(json.dumps({'seconds': time.perf_counter() - start, 'status': report.status,"
            " 'problems': len(report.problems), 'producers': report.producers.create,"
            " 'products': report.products.create, 'recognitions': report.recognitions.create}))"
        )
        env["DJANGO_SETTINGS_MODULE"] = "ocop.settings"
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        return json.loads(out.stdout.strip().splitlines()[-1])


def _postgres_url() -> str | None:
    url = os.environ.get("BENCH_PG_URL")
    if url:
        return url
    try:
        import psycopg

        name = f"ocop_bench_{os.getpid()}"
        with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgres://postgres@127.0.0.1:5432/{name}"
    except Exception:
        return None


def _drop(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[-1]
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_bomb(path: Path) -> None:
    """An .xlsx whose sheet part is 2 GB of blank space inside <sheetData>, compressed ~1,000 times."""
    import zipfile

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from ocop.registry.tests import hostile

    chunk = b" " * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in (
            ("[Content_Types].xml", hostile.CONTENT_TYPES),
            ("_rels/.rels", hostile.PACKAGE_RELS),
            ("xl/workbook.xml", hostile.WORKBOOK),
            ("xl/_rels/workbook.xml.rels", hostile.WORKBOOK_RELS),
        ):
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(hostile.SHEET_OPEN.encode() + b"<sheetData>")
            for _ in range(BOMB_BYTES // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")


def _measure(path: Path, code: str) -> dict:
    """Run ``code`` in a fresh process holding the file's bytes as ``content``; its time and the
    growth of its peak memory (ru_maxrss) over the process before it ran."""
    env = {**os.environ, "OCOP_ENV": "development", "DJANGO_SETTINGS_MODULE": "ocop.settings"}
    script = (
        "import django, json, resource, time; django.setup()\n"
        "from ocop.registry.importing import run_import\n"
        "from python_calamine import CalamineWorkbook\n"
        "import io\n"
        f"content = open({str(path)!r}, 'rb').read()\n"
        "base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "start = time.perf_counter()\n"
        f"outcome = {code}\n"
        "seconds = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(json.dumps({'seconds': seconds, 'base_mb': base / 1024, 'growth_mb': (peak - base) / 1024,"
        " 'outcome': outcome}))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bomb() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bomb.xlsx"
        start = time.perf_counter()
        build_bomb(path)
        built = time.perf_counter() - start
        size = path.stat().st_size
        guarded = _measure(
            path, "[p.message() for p in run_import(content, 'bomb.xlsx', dry_run=True).problems]"
        )
        unguarded = None
        if os.environ.get("BENCH_BOMB_UNGUARDED"):
            unguarded = _measure(
                path,
                "len(CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python())",
            )
    verdict = (
        "OK" if guarded["seconds"] < BOMB_SECONDS and guarded["growth_mb"] < BOMB_MEGABYTES else "OVER TARGET"
    )
    print(
        f"zip bomb: .xlsx {size / 1e6:.1f} MB holding {BOMB_BYTES / 2**30:.0f} GB of XML (built in {built:.0f} s)"
    )
    print(
        f"  import refuses it                       {guarded['seconds']:6.2f} s, peak memory +{guarded['growth_mb']:.0f} MB"
        f" over the process's {guarded['base_mb']:.0f} MB  [targets < {BOMB_SECONDS} s, < {BOMB_MEGABYTES} MB: {verdict}]"
    )
    print(f"    {guarded['outcome'][0] if guarded['outcome'] else 'NOT REFUSED'}")
    if unguarded:
        print(
            f"  the reader alone (before the check)     {unguarded['seconds']:6.2f} s, peak memory "
            f"+{unguarded['growth_mb']:.0f} MB"
        )
    return {"size": size, "guarded": guarded, "unguarded": unguarded}


def main() -> dict:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ocop.settings")
    os.environ.setdefault("OCOP_ENV", "development")
    django.setup()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "national.xlsx"
        build_list(path)
        size = path.stat().st_size
        read = read_only(path)
        results = {"sqlite": import_into(path, None)}
        pg_url = None if os.environ.get("BENCH_PG_URL") == "" else _postgres_url()
        if pg_url:
            try:
                results["postgresql"] = import_into(path, pg_url)
            finally:
                if not os.environ.get("BENCH_PG_URL"):
                    _drop(pg_url)
    print(f"registry import: {ROWS:,} rows, {PRODUCERS:,} producers, .xlsx {size / 1e6:.1f} MB")
    print(f"  read cells, python-calamine (baseline)  {read['calamine']:6.2f} s")
    print(f"  read cells, openpyxl read-only          {read['openpyxl']:6.2f} s")
    for engine, result in results.items():
        seconds = result["seconds"]
        verdict = (
            "OK" if seconds < TARGET_SECONDS and seconds / read["calamine"] <= TARGET_RATIO else "OVER TARGET"
        )
        print(
            f"  import into empty {engine:<10}          {seconds:6.2f} s  x{seconds / read['calamine']:.1f} calamine, "
            f"x{seconds / read['openpyxl']:.1f} openpyxl  ({result['status']}: {result['producers']:,} producers, "
            f"{result['products']:,} products, {result['recognitions']:,} recognitions)  "
            f"[targets < {TARGET_SECONDS} s, x{TARGET_RATIO}: {verdict}]"
        )
    return {"read": read, "imports": results, "bomb": bomb()}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    if sys.argv[1:] == ["bomb"]:
        bomb()
    else:
        main()
