"""Running a job: claiming it, calling its kind's handler with a progress callback, storing
the result, and marking it failed whatever stops it.

A job is claimed with a conditional update, so two workers never run the same one. A job always
ends: whatever goes wrong once it is claimed (the handler cannot be loaded, raises, returns a
result that cannot be stored) marks it failed. A job whose process died outright (killed, out of
memory, an abort in native code) cannot mark itself: the claim records the process (host:pid and
its start time) and :func:`jobs_recover`, run whenever a job starts and by ``ocop jobs-recover``,
finds the running jobs whose process on this machine is gone: a job of a kind that may run again
(``rerun``, in :mod:`ocop.jobs.kinds`) is queued again, up to ``OCOP_JOB_MAX_ATTEMPTS`` runs in
all, for any worker to take; any other is marked failed.
"""

import logging
import os
import socket
import time
import traceback

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from .choices import JobStatus
from .kinds import HANDLERS, RERUN
from .models import Job

log = logging.getLogger(__name__)


class Progress:
    """Reports progress to the job row, at most every ``interval`` seconds (plus the last call)."""

    def __init__(self, job: Job, interval: float = 0.5, echo=None):
        self.job_id = job.pk
        self.interval = interval
        self.echo = echo
        self._last = 0.0

    def __call__(
        self, done: int, total: int | None = None, message: str | None = None, *, force: bool = False
    ):
        now = time.monotonic()
        if self.echo:
            self.echo(done, total, message)
        if not force and now - self._last < self.interval and (total is None or done < total):
            return
        self._last = now
        fields = {"done": done}
        if total is not None:
            fields["total"] = total
        if message is not None:
            fields["message"] = message[:200]
        Job.objects.filter(pk=self.job_id).update(**fields)


def job_run(job_id, *, echo=None) -> Job | None:
    """Claim a queued job and run its handler. Returns None when someone else has it."""
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now(), worker=worker_id(), attempts=F("attempts") + 1
    )
    if not claimed:
        return None
    try:
        job = Job.objects.get(pk=job_id)
        handler = import_string(HANDLERS[job.kind])
        result = handler(job, Progress(job, echo=echo))
        job.refresh_from_db(fields=["done", "total"])
        with transaction.atomic():  # a result that cannot be stored fails the job, not the caller
            Job.objects.filter(pk=job_id).update(
                status=JobStatus.SUCCEEDED,
                result=result or {},
                done=max(job.done, job.total),
                finished_at=timezone.now(),
            )
    except BaseException as exc:  # a job must end, whatever stopped it
        log.exception("job %s failed", job_id)
        _fail(job_id, f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}")
        if not isinstance(exc, Exception):
            raise  # SystemExit, KeyboardInterrupt: marked failed, and the process still stops
    return Job.objects.get(pk=job_id)


def _fail(job_id, error: str) -> None:
    """Mark a running job failed, on a fresh connection if the handler broke its own."""
    for attempt in range(2):
        try:
            with transaction.atomic():
                Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
                    status=JobStatus.FAILED, error=error, finished_at=timezone.now()
                )
            return
        except Exception:
            if attempt:
                log.exception("job %s could not be marked failed", job_id)
                return
            connection.close()


def _process_start(pid: int) -> str:
    """When a process started (clock ticks since boot, from /proc), to tell a reused pid; ""
    where /proc does not say."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return ""


def worker_id() -> str:
    """This process, as recorded on the jobs it runs: host:pid:start."""
    return f"{socket.gethostname()}:{os.getpid()}:{_process_start(os.getpid())}"


def _worker_alive(worker: str) -> bool:
    host, _sep, rest = worker.partition(":")
    pid, _sep, start = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's process: its own jobs_recover judges it
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, under another user
    return not start or _process_start(int(pid)) == start


LOST = "The process running the job ended before it finished (killed, out of memory or restarted)."


RERUNNING = "The process running the job ended before it finished; the job was queued again."


def jobs_recover(enqueue=None) -> int:
    """Deal with the running jobs whose process on this machine is gone; how many. A job of a
    kind that may run again, with runs left, is put back in the queue and ``enqueue(job_id)``
    hands it to the task backend (:func:`ocop.jobs.services.jobs_recover` passes it); the others
    are marked failed."""
    lost = [
        (pk, kind, attempts)
        for pk, kind, attempts, worker in Job.objects.filter(status=JobStatus.RUNNING)
        .exclude(worker="")
        .values_list("pk", "kind", "attempts", "worker")
        if not _worker_alive(worker)
    ]
    again = [
        pk
        for pk, kind, attempts in lost
        if enqueue and kind in RERUN and attempts < settings.OCOP_JOB_MAX_ATTEMPTS
    ]
    failed = [pk for pk, _kind, _attempts in lost if pk not in again]
    if failed:
        log.warning("marking %s lost job(s) failed: %s", len(failed), failed)
        Job.objects.filter(pk__in=failed, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED, error=LOST, finished_at=timezone.now()
        )
    for pk in again:
        # Conditional, as a claim is: of two recoveries at once, one queues it.
        queued = Job.objects.filter(pk=pk, status=JobStatus.RUNNING).update(
            status=JobStatus.QUEUED, worker="", started_at=None, done=0, message=RERUNNING[:200]
        )
        if queued:
            log.warning("queueing lost job %s again", pk)
            enqueue(pk)
    return len(lost)


def run_queued(*, limit: int | None = None, echo=None) -> int:
    """Run jobs left queued (a thread backend whose process stopped). Returns how many ran."""
    count = 0
    for job_id in (
        Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at").values_list("pk", flat=True)
    ):
        if job_run(job_id, echo=echo) is not None:
            count += 1
        if limit and count >= limit:
            break
    return count
