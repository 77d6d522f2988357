"""The embedded default backend (OCOP_TASKS_BACKEND=thread): a job runs in a thread of the process
that started it, and what it did is stored on the job's row, success or failure."""

import os
import threading

import pytest

from ocop.jobs import services
from ocop.jobs.models import Job


def where_it_ran(job, progress):
    progress(1, 1, "looked around")
    return {"thread": threading.current_thread().name, "pid": os.getpid()}


def breaks(job, progress):
    raise RuntimeError("the file could not be read")


@pytest.fixture
def thread_backend(settings, job_kinds):
    settings.TASKS = {"default": {"BACKEND": "ocop.jobs.backends.ThreadBackend"}}
    job_kinds({"test.where": f"{__name__}.where_it_ran", "test.breaks": f"{__name__}.breaks"})


def _start_and_wait(kind, owner) -> Job:
    before = set(threading.enumerate())
    job = services.job_start(kind=kind, owner=owner)  # queued when its transaction commits
    started = [t for t in threading.enumerate() if t not in before and t.name.startswith("ocop-task-")]
    assert len(started) == 1
    started[0].join()
    job.refresh_from_db()
    return job


@pytest.mark.django_db(transaction=True)
def test_a_job_runs_in_a_thread_of_this_process_and_its_result_is_stored(central, thread_backend):
    job = _start_and_wait("test.where", central)
    assert (job.status, job.done, job.total, job.message) == ("succeeded", 1, 1, "looked around")
    assert job.result["pid"] == os.getpid()
    assert job.result["thread"].startswith("ocop-task-")
    assert job.result["thread"] != threading.current_thread().name
    assert job.worker == services.worker_id()


@pytest.mark.django_db(transaction=True)
def test_a_job_that_fails_in_its_thread_is_marked_failed(central, thread_backend):
    job = _start_and_wait("test.breaks", central)
    assert (job.status, job.error.splitlines()[0], job.result) == (
        "failed",
        "RuntimeError: the file could not be read",
        {},
    )
    assert job.finished_at is not None
