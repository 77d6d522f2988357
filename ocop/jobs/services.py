"""Starting background jobs; and, for the other apps, the names to register and run them by.

Apps register a handler per job kind (:func:`~ocop.jobs.kinds.register`) and start jobs with
:func:`job_start`, which queues the task (:mod:`ocop.jobs.tasks`) that runs each job through
:mod:`ocop.jobs.runner`.
"""

from django.db import transaction

from . import runner
from .kinds import HANDLERS, LABELS, register
from .models import Job
from .runner import LOST, RERUNNING, Progress, job_run, run_queued, worker_id
from .tasks import run_job

__all__ = [
    "HANDLERS",
    "LABELS",
    "LOST",
    "RERUNNING",
    "Progress",
    "job_run",
    "job_start",
    "jobs_recover",
    "register",
    "run_queued",
    "worker_id",
]


def jobs_recover() -> int:
    """Fail, or queue again for any worker, the running jobs whose process is gone (see
    :func:`ocop.jobs.runner.jobs_recover`); how many were found."""
    return runner.jobs_recover(enqueue=lambda pk: transaction.on_commit(lambda: run_job.enqueue(str(pk))))


def job_start(*, kind: str, owner, params: dict | None = None, input_file=None, input_name: str = "") -> Job:
    """Record a job and queue it once the surrounding transaction commits."""
    if kind not in HANDLERS:
        raise ValueError(f"no handler registered for job kind {kind!r}")
    jobs_recover()
    with transaction.atomic():
        job = Job.objects.create(kind=kind, owner=owner, params=params or {})
        if input_file is not None:
            job.input_file.save(input_name or getattr(input_file, "name", "input"), input_file, save=True)
        transaction.on_commit(lambda: run_job.enqueue(str(job.pk)))
    return job
