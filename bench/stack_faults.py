"""Faults against the stack ``scripts/production-up`` started, under a bounded load; the figures
in docs/operations.md come from here.

    python -m bench.stack_faults app-kill   [--dir var/production] [--seconds 40]
    python -m bench.stack_faults worker-kill [--dir var/production] [--rows 20000]
    python -m bench.stack_faults db-outage  [--dir var/production] [--seconds 60]

``app-kill``: wrk (8 connections, 2 threads) on a mix of scan pages, product pages and catalogue
pages; at a third of the run the whole of the first application process (gunicorn's master and
worker, ``kill -9`` of its process group); wrk's count of failed requests (socket errors and
answers other than 2xx/3xx) is the figure.

``worker-kill``: an import of a generated list big enough to run for a while, queued through
the API; ``kill -9`` of the ``db_worker`` that claimed it while it runs; then what became of the
job and of the registry (rows counted before and after).

``db-outage``: one request every 0.1 s to ``/health/`` and to the catalogue while the operator
restarts PostgreSQL in another shell; prints each change of answer and how long each took.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def stack_env(directory: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OCOP_", "DJANGO_"))}
    for line in (directory / "env").read_text().splitlines():
        key, _sep, value = line.partition("=")
        env[key] = value
    return env


def ocop_shell(directory: Path, code: str) -> str:
    done = subprocess.run(
        [str(ROOT / ".venv/bin/ocop"), "shell", "-c", code],
        env=stack_env(directory),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def base_url(directory: Path) -> str:
    return stack_env(directory)["OCOP_PUBLIC_URL"]


def app_kill(directory: Path, seconds: int) -> None:
    url = base_url(directory)
    paths = json.loads(
        ocop_shell(
            directory,
            "import json; from ocop.trace.models import Batch; from ocop.registry.models import Product\n"
            "b = list(Batch.objects.filter(labels_issued__gt=0).values_list('pk', flat=True)[:50])\n"
            "p = list(Product.objects.order_by('pk').values_list('pk', flat=True)[:50])\n"
            "print(json.dumps([f'/scan/b/{x}/' for x in b] + [f'/products/{x}/' for x in p]"
            " + ['/catalogue/', '/catalogue/?q=tra', '/catalogue/?q=mat+ong', '/catalogue/points-of-sale/']))",
        ).splitlines()[-1]
    )
    lua = Path(tempfile.mkstemp(suffix=".lua")[1])
    lua.write_text(
        "local paths = {" + ",".join(json.dumps(p) for p in paths) + "}\n"
        "local i = 0\n"
        "request = function()\n  i = i + 1\n  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n"
    )
    pgid = int((directory / "run/app-1.pid").read_text())
    wrk = subprocess.Popen(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--timeout", "10s", "-s", str(lua), "--latency", url],
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(seconds / 3)
    os.killpg(pgid, signal.SIGKILL)
    killed_at = time.strftime("%H:%M:%S")
    out = wrk.communicate()[0]
    print(out)
    print(f"app-1 (process group {pgid}) killed with SIGKILL at {killed_at}, a third into the run")
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    non2xx = int((re.search(r"Non-2xx or 3xx responses: (\d+)", out) or [0, 0])[1])
    total = int(re.search(r"(\d+) requests in", out)[1])
    print(f"RESULT requests={total} socket_errors={errors} non_2xx_3xx={non2xx}")
    upstream = directory / "log/nginx-error.log"
    if upstream.exists():
        lines = [line for line in upstream.read_text().splitlines() if "upstream" in line]
        print(f"nginx logged {len(lines)} upstream errors (each retried on the other process)")


def _list_csv(rows: int) -> bytes:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["STT", "Tên sản phẩm", "Tên chủ thể", "Địa chỉ", "Nhóm sản phẩm", "Hạng sao", "Ngày công nhận"]
    )
    stamp = time.strftime("%H%M%S")
    for n in range(rows):
        writer.writerow(
            [
                n + 1,
                f"Sản phẩm lỗi {stamp} số {n}",
                f"Hợp tác xã thử lỗi {stamp} số {n // 3}",
                "Ấp Chợ, xã Phú Cần, huyện Tiểu Cần, tỉnh Trà Vinh",
                "Thực phẩm",
                3,
                "15/08/2024",
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def _api(url, method="GET", token=None, body=None, headers=None):
    request = urllib.request.Request(url, method=method, data=body, headers=headers or {})
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=60) as answer:
        return json.loads(answer.read())


def worker_kill(directory: Path, rows: int) -> None:
    url = base_url(directory)
    token = ocop_shell(
        directory,
        "from ocop.accounts.models import ApiToken, User\n"
        "print(ApiToken.issue(user=User.objects.get(username='central'), name='faults')[1])",
    ).splitlines()[-1]
    count = "from ocop.registry.models import Product; print(Product.objects.count())"
    before = int(ocop_shell(directory, count).splitlines()[-1])
    boundary = "ocopfaults"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="dry_run"\r\n\r\nfalse\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="faults.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + _list_csv(rows)
        + f"\r\n--{boundary}--\r\n".encode()
    )
    job = _api(
        f"{url}/api/v1/imports",
        "POST",
        token,
        body,
        {"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    job_id = job["id"]
    print(f"import of {rows} rows queued as job {job_id}")
    # Wait until a worker has it and has made progress, then kill that worker.
    while True:
        job = _api(f"{url}/api/v1/jobs/{job_id}", token=token)
        if (job["status"] == "running" and job["done"] > 0) or job["status"] in ("succeeded", "failed"):
            break
        time.sleep(0.2)
    import psycopg  # straight to the database: `ocop shell` takes seconds to start

    with psycopg.connect(stack_env(directory)["DATABASE_URL"]) as conn:
        worker = conn.execute("SELECT worker FROM jobs_job WHERE id = %s", [job_id]).fetchone()[0]
    pid = int(worker.split(":")[1])
    names = {int(p.read_text()): p.stem for p in (directory / "run").glob("worker-*.pid")}
    print(
        f"job {job['status']} at {job['done']}/{job['total']} on {worker} ({names.get(pid, '?')}); kill -9 {pid}"
    )
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    states = []
    while time.monotonic() - killed < 150:
        job = _api(f"{url}/api/v1/jobs/{job_id}", token=token)
        if not states or states[-1][1] != job["status"]:
            states.append((round(time.monotonic() - killed, 1), job["status"]))
            print(f"  +{states[-1][0]} s: {job['status']} {job['error'][:100]!r}")
        if job["status"] in ("succeeded", "failed"):
            break
        time.sleep(1)
    tasks = ocop_shell(
        directory,
        "from django_tasks_db.models import DBTaskResult\n"
        "print(list(DBTaskResult.objects.order_by('-enqueued_at').values_list('status', 'worker_ids')[:1]))",
    ).splitlines()[-1]
    after = int(ocop_shell(directory, count).splitlines()[-1])
    print(f"django-tasks' own row for the task: {tasks}")
    print(f"RESULT products before={before} after={after} (difference {after - before}); job {job['status']}")


def db_outage(directory: Path, seconds: int) -> None:
    url = base_url(directory)
    timeline: list[tuple[float, str, int, float]] = []
    stop = time.monotonic() + seconds
    start = time.monotonic()

    def probe(path):
        last = None
        while time.monotonic() < stop:
            began = time.monotonic()
            try:
                with urllib.request.urlopen(url + path, timeout=30) as answer:
                    status = answer.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except Exception:
                status = 0
            took = time.monotonic() - began
            timeline.append((began - start, path, status, took))
            if status != last:
                print(
                    f"  {time.strftime('%H:%M:%S')} +{began - start:6.2f} s {path}: {status} ({took * 1000:.0f} ms)"
                )
                last = status
            time.sleep(0.1)

    threads = [threading.Thread(target=probe, args=(p,)) for p in ("/health/", "/catalogue/?q=mat")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for path in ("/health/", "/catalogue/?q=mat"):
        rows = [t for t in timeline if t[1] == path]
        bad = [t for t in rows if t[2] != 200]
        slowest_bad = max((t[3] for t in bad), default=0)
        others = sorted({t[2] for t in bad})
        span = (bad[-1][0] - bad[0][0]) if bad else 0
        print(
            f"RESULT {path}: {len(rows)} requests, {len(bad)} not 200 (statuses {others}) over {span:.1f} s;"
            f" slowest failed answer {slowest_bad * 1000:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("fault", choices=["app-kill", "worker-kill", "db-outage"])
    parser.add_argument("--dir", default=str(ROOT / "var/production"))
    parser.add_argument("--seconds", type=int, default=40)
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    directory = Path(args.dir).resolve()
    if args.fault == "app-kill":
        app_kill(directory, args.seconds)
    elif args.fault == "worker-kill":
        worker_kill(directory, args.rows)
    else:
        db_outage(directory, args.seconds)


if __name__ == "__main__":
    main()
