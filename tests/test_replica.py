"""Public reads from a real PostgreSQL streaming replica (ocop/dbrouter.py), measured.

Only with ``OCOP_REPLICA_TESTS=1`` and the pair of ``scripts/replica-demo up`` answering (its
directory: ``OCOP_REPLICA_DEMO_DIR``, default /tmp/ocop-pg). The tests migrate the primary, load
a small demo dataset once (``ocop demo --scale 0.05``, about a minute and a half), start two
gunicorn processes routed to the replica (one allowing 2 seconds of lag, one an hour), and
drive them over HTTP. Which database served a page is read from the replica's own statement
log (the pair logs every statement the replica runs). The figures are printed (run with -s);
docs/operations.md quotes them. The last test stops the replica and starts it again.
"""

from __future__ import annotations

import os
import re
import subprocess
import time
import uuid
from datetime import date
from pathlib import Path

import pytest

from ocop.dbrouter import LAG_QUERY
from ocop.registry.tests.listfiles import csv_bytes
from tests.test_production_stack import _clean_env, _free_ports

ROOT = Path(__file__).resolve().parent.parent
DIR = Path(os.environ.get("OCOP_REPLICA_DEMO_DIR", "/tmp/ocop-pg"))
STRICT_LAG, LENIENT_LAG = 2, 3600


def _urls() -> dict | None:
    done = subprocess.run(
        [str(ROOT / "scripts/replica-demo"), "env", "--dir", str(DIR)], capture_output=True, text=True
    )
    if done.returncode != 0:
        return None
    return dict(line.split("=", 1) for line in done.stdout.split())


def _skip_reason() -> str | None:
    if os.environ.get("OCOP_REPLICA_TESTS") != "1":
        return "the replica tests run only with OCOP_REPLICA_TESTS=1 and scripts/replica-demo up"
    urls = _urls() if (DIR / "primary").exists() else None
    if not urls:
        return f"no pair of scripts/replica-demo under {DIR}: run scripts/replica-demo up"
    try:
        import psycopg

        for url in urls.values():
            psycopg.connect(url, connect_timeout=3).close()
    except Exception as exc:
        return f"the pair under {DIR} does not answer ({type(exc).__name__}): scripts/replica-demo up"
    return None


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")
FIGURES: list[str] = []


def _figure(text: str) -> None:
    FIGURES.append(text)
    print(text)


class Pair:
    def __init__(self, urls: dict, data_dir: Path):
        self.primary_url, self.replica_url = urls["DATABASE_URL"], urls["OCOP_REPLICA_URL"]
        self.env = {
            **_clean_env(),
            "OCOP_ENV": "development",
            "OCOP_DATA_DIR": str(data_dir),
            "DATABASE_URL": self.primary_url,
            "OCOP_REPLICA_URL": self.replica_url,
        }

    def sql(self, url: str, query: str, *params):
        import psycopg

        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            return conn.execute(query, params).fetchone()

    def lag(self) -> float | None:
        """The router's own measure, asked of the replica."""
        value = self.sql(self.replica_url, LAG_QUERY)[0]
        return None if value is None else float(value)

    def ocop(self, *args: str, timeout: float = 600) -> str:
        done = subprocess.run(
            [str(ROOT / ".venv/bin/ocop"), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
        return done.stdout

    def revoke_one(self) -> int:
        """Revoke a valid recognition on the primary, as the central office does; its product."""
        product, recognition = self.sql(
            self.primary_url,
            "SELECT product_id, id FROM registry_recognition WHERE revoked_on IS NULL"
            " AND superseded_on IS NULL AND recognised_on <= %s AND valid_until > %s + 30"
            " ORDER BY id DESC LIMIT 1",
            date.today(),
            date.today(),
        )
        self.ocop(
            "shell",
            "-c",
            "from datetime import date; from django.contrib.auth import get_user_model;"
            "from ocop.registry import services; from ocop.registry.models import Recognition;"
            f"services.recognition_revoke(user=get_user_model().objects.get(username='central'),"
            f" recognition=Recognition.objects.get(pk={recognition}), revoked_on=date.today(),"
            " reason='replica test')",
        )
        return product


class Server:
    def __init__(self, pair: Pair, max_lag: int):
        self.port = _free_ports(1)
        self.url = f"http://127.0.0.1:{self.port}"
        env = {**pair.env, "OCOP_REPLICA_MAX_LAG_SECONDS": str(max_lag)}
        command = [str(ROOT / ".venv/bin/gunicorn"), "ocop.wsgi", "-b", f"127.0.0.1:{self.port}"]
        self.process = subprocess.Popen(
            [*command, "-w", "1", "--threads", "2"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def get(self, path: str, **kwargs):
        import requests

        return requests.get(self.url + path, timeout=30, **kwargs)

    def wait(self) -> None:
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz").status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.3)
        raise AssertionError(f"gunicorn on {self.port} did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(30)


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    pair = Pair(_urls(), tmp_path_factory.mktemp("replica-data"))
    pair.ocop("migrate", "--no-input", "-v", "0")
    pair.ocop("demo", "--no-serve", "--scale", "0.05", timeout=1200)  # once: later runs keep it
    yield pair
    print("\n".join(["", "Figures:", *FIGURES]))


@pytest.fixture(scope="module")
def servers(pair):
    strict, lenient = Server(pair, STRICT_LAG), Server(pair, LENIENT_LAG)
    try:
        strict.wait()
        lenient.wait()
        yield strict, lenient
    finally:
        strict.stop()
        lenient.stop()


def _replica_reads(action) -> tuple[object, list[str]]:
    """What ``action()`` returns, and the statements on the application's tables the replica ran
    meanwhile (its log; the router's lag query left out)."""
    log = DIR / "replica.log"
    start = log.stat().st_size
    result = action()
    time.sleep(0.3)  # the log is written as statements run; leave it a moment
    with log.open("rb") as handle:
        handle.seek(start)
        lines = handle.read().decode("utf-8", "replace").splitlines()
    reads = [line for line in lines if "statement:" in line and ' FROM "' in line]
    return result, reads


def _banner(response) -> str:
    """The status a product page or scan page states first."""
    assert response.status_code == 200, response.status_code
    found = re.search(
        r'class="status(?:-banner)? (valid|revoked|expired|superseded|pending|never)"', response.text
    )
    assert found, "no status on the page"
    return found.group(1)


def _a_valid_product(pair) -> int:
    return pair.sql(
        pair.primary_url,
        "SELECT product_id FROM registry_recognition WHERE revoked_on IS NULL AND superseded_on IS NULL"
        " AND recognised_on <= %s AND valid_until > %s + 30 ORDER BY id LIMIT 1",
        date.today(),
        date.today(),
    )[0]


def test_public_reads_come_from_the_replica_and_the_rest_from_the_primary(pair, servers):
    import requests

    strict, _ = servers
    product = _a_valid_product(pair)
    for path in ("/catalogue/", "/open-data/products.csv", f"/catalogue/products/{product}/"):
        answer, reads = _replica_reads(lambda path=path: strict.get(path))
        assert answer.status_code == 200, path
        assert reads, f"{path} read nothing from the replica"
        _figure(f"anonymous GET {path}: {len(reads)} statements on the replica")

    # The scan page must show a revocation at once: the primary, always.
    answer, reads = _replica_reads(lambda: strict.get(f"/scan/p/{product}/"))
    assert answer.status_code == 200
    assert reads == []

    # Signed in, the catalogue and an officer's page read the primary.
    browser = requests.Session()
    browser.get(f"{strict.url}/accounts/login/", timeout=30)
    login = {"username": "central", "password": "demo", "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
    assert browser.post(f"{strict.url}/accounts/login/", data=login, allow_redirects=False).status_code == 302
    for path in ("/catalogue/", "/manage/products/"):
        answer, reads = _replica_reads(lambda path=path: browser.get(strict.url + path, timeout=60))
        assert answer.status_code == 200, path
        assert reads == [], path
    _figure("scan page, signed-in catalogue, /manage/products/: 0 statements on the replica")


def test_a_revocation_shows_at_once_on_the_scan_page_and_soon_on_the_catalogue(pair, servers):
    strict, _ = servers
    product = pair.revoke_one()
    written = time.monotonic()
    assert _banner(strict.get(f"/scan/p/{product}/")) == "revoked"
    scan_seconds = time.monotonic() - written
    while _banner(strict.get(f"/catalogue/products/{product}/")) != "revoked":
        assert time.monotonic() - written < 30, "the catalogue never showed the revocation"
        time.sleep(0.02)
    _figure(
        f"revocation: scan page revoked after {scan_seconds * 1000:.0f} ms (primary), "
        f"catalogue page after {(time.monotonic() - written) * 1000:.0f} ms (replica, bound {STRICT_LAG} s)"
    )


def test_the_lag_under_an_import_burst(pair, servers, tmp_path):
    rows = 2000
    tag = uuid.uuid4().hex[:6]
    header = ["STT", "Tên sản phẩm", "Tên chủ thể", "Địa chỉ", "Nhóm sản phẩm", "Hạng sao", "Ngày công nhận"]
    address = "Ấp Chợ, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"
    lines = [
        [
            i,
            f"Trà bản sao {tag} số {i}",
            f"Hợp tác xã Bản sao {tag} {i // 10}",
            address,
            "Đồ uống",
            3,
            "15/08/2024",
        ]
        for i in range(1, rows + 1)
    ]
    listfile = tmp_path / "burst.csv"
    listfile.write_bytes(csv_bytes(header, lines))
    command = [str(ROOT / ".venv/bin/ocop"), "import-registry", str(listfile), "--format", "json"]
    started = time.monotonic()
    importing = subprocess.Popen(command, env=pair.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    samples = []
    while importing.poll() is None or time.monotonic() - started < 5:
        samples.append(pair.lag())
        time.sleep(0.05)
    out, err = importing.communicate()
    took = time.monotonic() - started
    assert importing.returncode == 0, out[-2000:] + err[-2000:]
    assert None not in samples, "the replica stopped streaming during the burst"
    caught_up = time.monotonic()
    while pair.lag() != 0:
        time.sleep(0.02)
    imported = pair.sql(
        pair.replica_url, "SELECT count(*) FROM registry_product WHERE name_vi LIKE %s", f"%{tag}%"
    )
    assert imported == (rows,)
    behind = [s for s in samples if s > 0]
    _figure(
        f"import of {rows} rows in {took:.1f} s: {len(samples)} lag samples, {len(behind)} behind, "
        f"max {max(samples):.2f} s, over {STRICT_LAG} s: {sum(s > STRICT_LAG for s in samples)}; "
        f"caught up {1000 * (time.monotonic() - caught_up):.0f} ms after the import ended"
    )


def test_a_replica_too_far_behind_is_left_for_the_primary(pair, servers):
    strict, lenient = servers
    pair.sql(pair.replica_url, "SELECT pg_wal_replay_pause()")
    try:
        product = pair.revoke_one()
        paused = time.monotonic()
        # The lenient server still reads the replica, which has not replayed the revocation:
        # the proof that the replica serves it, and the reason for the bound.
        assert _banner(lenient.get(f"/catalogue/products/{product}/")) == "valid"
        assert _banner(lenient.get(f"/scan/p/{product}/")) == "revoked"
        while (pair.lag() or 0) <= STRICT_LAG:
            time.sleep(0.1)
        time.sleep(1.1)  # the router asks at most once a second
        answer, reads = _replica_reads(lambda: strict.get(f"/catalogue/products/{product}/"))
        assert _banner(answer) == "revoked"
        assert reads == []
        _figure(
            f"replay paused: lag {pair.lag():.1f} s > {STRICT_LAG} s after "
            f"{time.monotonic() - paused:.1f} s; the strict server's catalogue read the primary "
            "(revoked, 0 statements on the replica); the lenient one still showed valid"
        )
    finally:
        pair.sql(pair.replica_url, "SELECT pg_wal_replay_resume()")
    resumed = time.monotonic()
    while _banner(lenient.get(f"/catalogue/products/{product}/")) != "revoked":
        time.sleep(0.05)
    _figure(
        f"replay resumed: the replica showed the revocation {1000 * (time.monotonic() - resumed):.0f} ms later"
    )


def test_a_stopped_replica_leaves_public_pages_to_the_primary(pair, servers):
    strict, _ = servers
    product = _a_valid_product(pair)
    paths = ["/catalogue/", "/open-data/products.csv", f"/catalogue/products/{product}/"]
    for path in paths:
        assert strict.get(path).status_code == 200  # warm: a connection to the replica is open
    pg_ctl = [str(ROOT / "scripts/replica-demo"), "stop-replica", "--dir", str(DIR)]
    subprocess.run(pg_ctl, check=True, timeout=60)
    try:
        timings = []
        for _round in range(3):
            for path in paths:
                started = time.monotonic()
                answer = strict.get(path)
                timings.append(time.monotonic() - started)
                assert answer.status_code == 200, (path, answer.status_code)
            time.sleep(0.5)
        _figure(
            f"replica stopped: {len(timings)} public GETs all 200 from the primary, "
            f"slowest {max(timings) * 1000:.0f} ms, median {sorted(timings)[len(timings) // 2] * 1000:.0f} ms"
        )
    finally:
        subprocess.run([str(ROOT / "scripts/replica-demo"), "up", "--dir", str(DIR)], check=True, timeout=120)
