"""Periodic work: maintenance done every so often in the background, never in a request.

A page that reads must not write: under SQLite a write waits for every other writer, so a read
that writes fails when someone holds a long write (issue 11). Work that used to be done "when a
page noticed it was due" is registered here instead, by the apps' ``ready()``:

* **shared** work (:func:`register`), done by one process of the pool each time it is due:
  bringing the catalogue's index up to date, folding the dashboards' data changes. Each has a
  :class:`~ocop.jobs.models.Schedule` row; a process runs the work only when its conditional
  update moved the row's ``due_at`` on, so two processes never do the same turn.
* **local** work (:func:`register_local`), done by every process for itself: writing the scan
  counts it buffered in memory. It runs once more when the process exits.

One daemon thread per web process does both, every second (:data:`TICK_SECONDS`). It is started
by :class:`BackgroundMiddleware` on the process's first request (after any fork), when
``OCOP_BACKGROUND_THREAD`` is on; tests call :func:`run_due` and :func:`run_local` themselves.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

from ocop.web.middleware import database_busy

from .models import Schedule

log = logging.getLogger(__name__)

TICK_SECONDS = 1.0


@dataclass(frozen=True)
class Periodic:
    name: str
    function: str  # dotted path, called without arguments
    every: int | str  # seconds, or the name of the setting that holds them

    @property
    def seconds(self) -> int:
        value = getattr(settings, self.every) if isinstance(self.every, str) else self.every
        return max(int(value), 0)


SHARED: dict[str, Periodic] = {}
LOCAL: list[Callable[[], object]] = []


def register(name: str, function: str, *, every: int | str) -> None:
    """Run ``function`` every ``every`` seconds (or the setting named so) in one process."""
    SHARED[name] = Periodic(name, function, every)


def register_local(function: Callable[[], object]) -> None:
    """Run ``function`` on every tick of every process, and when the process exits."""
    if function not in LOCAL:
        LOCAL.append(function)


def _claim(work: Periodic, now) -> bool:
    """Move the work's next turn on, if it is due and nobody moved it first."""
    return bool(
        Schedule.objects.filter(name=work.name, due_at__lte=now).update(
            due_at=now + timedelta(seconds=work.seconds), started_at=now
        )
    )


def run_due(*, now=None, names=None) -> list[str]:
    """Claim and run the shared work that is due; returns the names run here. Failures are
    recorded on the work's row and logged; the next turn tries again."""
    now = now or timezone.now()
    wanted = [SHARED[name] for name in (names or SHARED)]
    if not wanted:
        return []
    known = dict(Schedule.objects.filter(name__in=[w.name for w in wanted]).values_list("name", "due_at"))
    missing = [Schedule(name=w.name, due_at=now) for w in wanted if w.name not in known]
    if missing:
        Schedule.objects.bulk_create(missing, ignore_conflicts=True)
        known.update({row.name: now for row in missing})
    ran = []
    for work in wanted:
        if known[work.name] > now or not _claim(work, now):
            continue
        ran.append(work.name)
        error = ""
        try:
            import_string(work.function)()
        except Exception:
            log.exception("periodic work %s failed", work.name)
            error = traceback.format_exc(limit=8)
        Schedule.objects.filter(name=work.name).update(finished_at=timezone.now(), error=error)
    return ran


def run_local() -> None:
    for function in LOCAL:
        try:
            function()
        except Exception:
            log.exception("local periodic work %s failed", getattr(function, "__qualname__", function))


def _tick() -> None:
    try:
        run_local()
        run_due()
    except Exception as exc:
        if not database_busy(exc):  # a long write elsewhere: the next tick tries again
            log.exception("periodic work could not run")
    finally:
        close_old_connections()


def _loop() -> None:
    while True:
        time.sleep(TICK_SECONDS)
        _tick()


_started_in: int | None = None
_lock = threading.Lock()


def ensure_started() -> None:
    """Start this process's background thread once (again in a child after a fork)."""
    global _started_in
    if _started_in == os.getpid() or not settings.OCOP_BACKGROUND_THREAD:
        return
    with _lock:
        if _started_in == os.getpid():
            return
        _started_in = os.getpid()
        threading.Thread(target=_loop, name="ocop-periodic", daemon=True).start()
        atexit.register(run_local)


class BackgroundMiddleware:
    """Starts the process's background thread on its first request: in each worker of a
    pre-forking server, not in a parent that only forks, nor in management commands."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ensure_started()
        return self.get_response(request)
