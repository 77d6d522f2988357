"""The production stack, brought up by ``scripts/production-up`` and driven through nginx.

Only with ``OCOP_STACK_TESTS=1``, nginx installed and the PostgreSQL at 127.0.0.1:5432 answering:
it starts the whole stack (two gunicorn processes behind nginx, two ``db_worker`` processes,
Redis, a throwaway PostgreSQL database with the demo dataset) on free ports, which takes a few
minutes, then signs in, makes an API token, imports a list (run by a worker), opens a dashboard,
captures an EPCIS event and scans a label, and brings it all down again.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from ocop.registry.tests.listfiles import csv_bytes

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def _skip_reason() -> str | None:
    if os.environ.get("OCOP_STACK_TESTS") != "1":
        return "the production stack test runs only with OCOP_STACK_TESTS=1 (it takes minutes)"
    if not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()):
        return "nginx is not installed (apt-get install nginx-light)"
    try:
        import psycopg

        psycopg.connect(**PG, dbname="postgres", connect_timeout=3).close()
    except Exception:
        return "PostgreSQL does not answer at 127.0.0.1:5432"
    return None


pytestmark = pytest.mark.skipif(_skip_reason() is not None, reason=_skip_reason() or "")


def _free_ports(count: int) -> int:
    """A port such that it and the ``count - 1`` after it are free."""
    for _attempt in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = s.getsockname()[1]
        if base + count > 65535:
            continue
        try:
            for port in range(base, base + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no free ports")


def _clean_env() -> dict:
    """The caller's environment without the test run's settings (production-up sets its own)."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("OCOP_", "DJANGO_")) and key not in {"DATABASE_URL", "REDIS_URL"}
    }
    # The venv holds the test dependencies: keep it so, rather than reinstall the runtime lock.
    env["OCOP_LOCK"] = "requirements-dev.lock"
    return env


class Stack:
    def __init__(self, directory: Path, port: int, database: str):
        self.dir, self.port, self.database = directory, port, database
        self.url = f"http://127.0.0.1:{port}"

    def ocop(self, code: str) -> str:
        """Run Python in ``ocop shell`` with the stack's settings; its last line of output."""
        command = f'set -a; . {self.dir}/env; set +a; exec {ROOT}/.venv/bin/ocop shell -c "$0"'
        done = subprocess.run(
            ["bash", "-c", command, code], env=_clean_env(), capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def stack():
    import psycopg

    # Under the checkout's var/, not the temporary directory: nginx's workers (www-data) must
    # reach it, and pytest's temporary directories are closed to other users.
    directory = ROOT / "var" / f"stack-test-{uuid.uuid4().hex[:8]}"
    port = _free_ports(3)
    database = f"ocop_stack_{uuid.uuid4().hex[:8]}"
    up = [str(ROOT / "scripts/production-up"), "--demo", "--dir", str(directory)]
    up += ["--port", str(port), "--apps", "2", "--workers", "2", "--database", database]
    started = time.monotonic()
    try:
        done = subprocess.run(up, env=_clean_env(), capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        print(f"production-up took {time.monotonic() - started:.0f} s")
        yield Stack(directory, port, database)
    finally:
        subprocess.run(
            [str(ROOT / "scripts/production-down"), "--dir", str(directory)], env=_clean_env(), timeout=120
        )
        with psycopg.connect(**PG, dbname="postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        assert not list((directory / "run").glob("*.pid")), "production-down left pid files"
        shutil.rmtree(directory)


def _submit_and_wait(url: str, *, headers: dict, status_url, done, seconds: float = 120, **post) -> dict:
    """POST work that answers 202, then poll ``status_url(answer)`` until ``done(body)``."""
    import requests

    answer = requests.post(url, headers=headers, timeout=60, **post)
    assert answer.status_code == 202, answer.text[:500]
    deadline = time.monotonic() + seconds
    while True:
        polled = requests.get(status_url(answer), headers=headers, timeout=30)
        assert polled.status_code == 200, polled.text[:500]
        body = polled.json()
        if done(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.5)


def test_the_stack_serves_a_working_day(stack):
    import requests

    health = requests.get(f"{stack.url}/health/", timeout=10)
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    assert health.json()["checks"]["queue"]["backend"] == "database"

    # Sign in as the demo's central office, through the form and its CSRF token.
    browser = requests.Session()
    browser.get(f"{stack.url}/accounts/login/", timeout=30)
    signed_in = browser.post(
        f"{stack.url}/accounts/login/",
        data={
            "username": "central",
            "password": "demo",
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        timeout=30,
        allow_redirects=False,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]
    assert "sessionid" in browser.cookies

    # A dashboard, drawn for the whole country.
    dashboard = browser.get(f"{stack.url}/manage/dashboard/", timeout=60)
    assert dashboard.status_code == 200
    assert "<svg" in dashboard.text

    # An API token from the profile page, shown once.
    made = browser.post(
        f"{stack.url}/accounts/me/tokens/",
        data={"name": "smoke", "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        timeout=30,
    )
    assert made.status_code == 200
    token = re.search(r"ocop_[A-Za-z0-9_-]{40,}", made.text).group(0)
    bearer = {"Authorization": f"Bearer {token}"}

    # An import through the API, run by one of the db_worker processes.
    name = f"Trà thử nghiệm {uuid.uuid4().hex[:6]}"
    header = ["STT", "Tên sản phẩm", "Tên chủ thể", "Địa chỉ", "Nhóm sản phẩm", "Hạng sao", "Ngày công nhận"]
    row = [1, name, "Hợp tác xã Thử nghiệm Ngăn xếp", "Ấp Chợ, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh"]
    row += ["Đồ uống", 3, "15/08/2024"]
    job = _submit_and_wait(
        f"{stack.url}/api/v1/imports",
        headers=bearer,
        files={"file": ("ds.csv", csv_bytes(header, [row]), "text/csv")},
        data={"dry_run": "false"},
        status_url=lambda answer: f"{stack.url}/api/v1/jobs/{answer.json()['id']}",
        done=lambda body: body["status"] in ("succeeded", "failed"),
    )
    assert job["status"] == "succeeded", job
    assert job["result"]["status"] == "applied", job["result"]
    found = requests.get(f"{stack.url}/api/v1/products", params={"q": name}, timeout=30)
    assert [product["name_vi"] for product in found.json()["items"]] == [name]

    # A label of the demo's, scanned as a shopper does: the redirect, then the scan page, the
    # second time from nginx's cache.
    gtin, lot = stack.ocop(
        "from ocop.trace.models import Batch; "
        "b = Batch.objects.filter(labels_issued__gt=0, product__gtin__isnull=False)"
        ".select_related('product').order_by('pk').first(); print(b.product.gtin, b.lot)"
    ).split()
    scan = requests.get(f"{stack.url}/01/{gtin}/10/{lot}/21/1", timeout=30, allow_redirects=False)
    assert scan.status_code == 307, scan.text[:300]
    page = requests.get(f"{stack.url}{scan.headers['Location']}", timeout=30)
    assert page.status_code == 200
    again = requests.get(f"{stack.url}{scan.headers['Location']}", timeout=30)
    assert (again.status_code, again.headers["X-Cache"]) == (200, "HIT")

    # An EPCIS capture of one event about that lot.
    from ocop.trace import digitallink as dl
    from ocop.trace.tests.conftest import gs1_document, object_event

    event = object_event(
        gtin,
        eventID=f"urn:uuid:{uuid.uuid4()}",
        epcList=[],
        quantityList=[{"epcClass": dl.link_to_urn(dl.build("01", gtin, [("10", lot)]), 9), "quantity": 1}],
    )
    capture = _submit_and_wait(
        f"{stack.url}/epcis/capture",
        headers={**bearer, "Content-Type": "application/ld+json"},
        json=gs1_document(event),
        status_url=lambda answer: f"{stack.url}{answer.headers['Location']}",
        done=lambda body: not body.get("running", False),
    )
    assert capture["success"] is True, capture
