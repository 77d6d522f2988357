"""Starting, running and reporting background jobs.

Apps register a handler per job kind (``register("registry.import", "ocop.registry.jobs.run_import")``).
A handler receives the job and a progress callback and returns the result (JSON-able); it may
save an output file on the job. A job is claimed with a conditional update, so two workers
never run the same one.
"""

import logging
import time
import traceback

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .choices import JobStatus
from .models import Job

log = logging.getLogger(__name__)

HANDLERS: dict[str, str] = {}
LABELS: dict[str, str] = {}


def register(kind: str, handler_path: str, label=None) -> None:
    HANDLERS[kind] = handler_path
    LABELS[kind] = label or kind


def job_start(*, kind: str, owner, params: dict | None = None, input_file=None, input_name: str = "") -> Job:
    """Record a job and queue it once the surrounding transaction commits."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler registered for job kind {kind!r}")
    with transaction.atomic():
        job = Job.objects.create(kind=kind, owner=owner, params=params or {})
        if input_file is not None:
            job.input_file.save(input_name or getattr(input_file, "name", "input"), input_file, save=True)
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id) -> None:
    from .tasks import run_job

    run_job.enqueue(str(job_id))


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
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return None
    job = Job.objects.get(pk=job_id)
    handler = import_string(HANDLERS[job.kind])
    try:
        result = handler(job, Progress(job, echo=echo))
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=f"{type(exc).__name__}: {exc}\n\n{traceback.format_exc(limit=8)}",
            finished_at=timezone.now(),
        )
    else:
        job.refresh_from_db(fields=["done", "total"])
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED,
            result=result or {},
            done=max(job.done, job.total),
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


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
