"""``/health/``: what a load balancer or a monitor asks each application process.

200 when the database answers and the cache keeps what it is given, 503 when either does not,
so that the balancer takes the process out of rotation. The job queue is reported (how many jobs
wait and for how long, how many run) but never makes the process unhealthy: a long backlog is a
matter for the workers, not a reason to stop serving pages.

The view reads no session, no user and no form, so it writes nothing (no session, no CSRF
cookie); it costs one trivial query, one cache write and read, and one aggregate over the
waiting jobs. The body names no host, address or error text, only what is up or down.
"""

from __future__ import annotations

import logging
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Min
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ocop.jobs.choices import JobStatus
from ocop.jobs.models import Job

log = logging.getLogger(__name__)

_CACHE_KEY = "ocop:health"


def _timed(check):
    """Run ``check``; its answer with ``ok`` and the milliseconds it took. A check that raises is
    down, logged with its reason here (never in the body)."""
    started = time.perf_counter()
    try:
        answer = {"ok": True, **(check() or {})}
    except Exception as exc:  # whatever the backend raises, the answer is "down"
        log.warning("health check %s failed: %s: %s", check.__name__, type(exc).__name__, exc)
        answer = {"ok": False}
    answer["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return answer


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _cache():
    token = uuid.uuid4().hex
    cache.set(_CACHE_KEY, token, 30)
    if cache.get(_CACHE_KEY) != token:
        raise RuntimeError("the cache did not keep what it was given")


def _queue():
    """The jobs waiting (count, the oldest's age in seconds) and running, whichever backend runs
    them: every background job has its row in ``Job`` from the moment it is queued."""
    rows = {
        row["status"]: row
        for row in Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING])
        .values("status")
        .annotate(count=Count("pk"), oldest=Min("created_at"))
        .order_by()
    }
    queued = rows.get(JobStatus.QUEUED, {"count": 0, "oldest": None})
    oldest = queued["oldest"]
    return {
        "backend": settings.OCOP_TASKS_BACKEND,
        "queued": queued["count"],
        "oldest_queued_seconds": round((timezone.now() - oldest).total_seconds()) if oldest else None,
        "running": rows.get(JobStatus.RUNNING, {"count": 0})["count"],
    }


@never_cache
@require_safe
def health(request):
    checks = {"database": _timed(_database), "cache": _timed(_cache)}
    # Without a database the queue cannot be read: say so rather than wait for it twice.
    checks["queue"] = _timed(_queue) if checks["database"]["ok"] else {"ok": False, "ms": 0.0}
    healthy = checks["database"]["ok"] and checks["cache"]["ok"]
    return JsonResponse(
        {"status": "ok" if healthy else "down", "checks": checks}, status=200 if healthy else 503
    )
