"""A job always ends: whatever stops it, it is marked failed, never left running."""

import os
import subprocess
from datetime import date

import pytest
from django.core.management import call_command

from ocop.jobs import kinds as kinds_module
from ocop.jobs import services
from ocop.jobs.models import Job


def raises(job, progress):
    progress(1, 2, "half way")
    raise RuntimeError("the list could not be read")


def returns_a_date(job, progress):
    return {"day": date(2025, 1, 1)}  # not JSON: storing the result fails


def exits(job, progress):
    raise SystemExit(3)


def succeeds(job, progress):
    return {"rows": 5}


@pytest.fixture
def kinds(job_kinds):
    job_kinds(
        {
            "test.raises": f"{__name__}.raises",
            "test.result": f"{__name__}.returns_a_date",
            "test.exits": f"{__name__}.exits",
            "test.missing": f"{__name__}.no_such_handler",
            "test.succeeds": f"{__name__}.succeeds",
        }
    )


def _run(kind, owner, capture):
    with capture(execute=True):
        job = services.job_start(kind=kind, owner=owner)
    return Job.objects.get(pk=job.pk)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "first_line"),
    [
        ("test.raises", "RuntimeError: the list could not be read"),
        ("test.result", "TypeError: Object of type date is not JSON serializable"),
        (
            "test.missing",
            f'ImportError: Module "{__name__}" does not define a "no_such_handler" attribute/class',
        ),
    ],
)
def test_a_job_that_fails_anywhere_is_marked_failed(
    kind, first_line, central, kinds, django_capture_on_commit_callbacks
):
    job = _run(kind, central, django_capture_on_commit_callbacks)
    assert (job.status, job.error.splitlines()[0], job.result) == ("failed", first_line, {})
    assert job.finished_at is not None


@pytest.mark.django_db
def test_a_job_stopped_by_system_exit_is_marked_failed_and_the_exit_goes_on(central, kinds):
    job = Job.objects.create(kind="test.exits", owner=central)
    with pytest.raises(SystemExit):
        services.job_run(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error.splitlines()[0]) == ("failed", "SystemExit: 3")


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


@pytest.mark.django_db
def test_a_job_whose_process_died_is_marked_failed_when_the_next_job_starts(
    central, kinds, django_capture_on_commit_callbacks
):
    host = services.worker_id().split(":")[0]
    dead = Job.objects.create(
        kind="test.raises", owner=central, status="running", worker=f"{host}:{_dead_pid()}:1"
    )
    reused = Job.objects.create(  # this process's pid, but another process started with it
        kind="test.raises", owner=central, status="running", worker=f"{host}:{os.getpid()}:1"
    )
    alive = Job.objects.create(
        kind="test.raises", owner=central, status="running", worker=services.worker_id()
    )
    elsewhere = Job.objects.create(
        kind="test.raises", owner=central, status="running", worker="other-host:1:1"
    )

    job = _run("test.succeeds", central, django_capture_on_commit_callbacks)
    assert (job.status, job.result) == ("succeeded", {"rows": 5})
    statuses = dict(Job.objects.values_list("pk", "status"))
    assert [statuses[j.pk] for j in (dead, reused, alive, elsewhere)] == [
        "failed",
        "failed",
        "running",
        "running",
    ]
    dead.refresh_from_db()
    assert dead.error == services.LOST and dead.finished_at is not None


@pytest.mark.django_db
def test_the_command_marks_lost_jobs_failed(central, kinds, capsys):
    host = services.worker_id().split(":")[0]
    lost = Job.objects.create(
        kind="test.raises", owner=central, status="running", worker=f"{host}:{_dead_pid()}:"
    )
    call_command("jobs-recover")
    assert capsys.readouterr().out.strip().endswith("Lost jobs (queued again or failed): 1")
    lost.refresh_from_db()
    assert lost.status == "failed"
    call_command("jobs-recover")
    assert capsys.readouterr().out.strip().endswith("Lost jobs (queued again or failed): 0")


@pytest.mark.django_db
def test_a_lost_job_that_may_run_again_is_queued_again_and_finishes(
    central, kinds, django_capture_on_commit_callbacks, settings
):
    """A worker killed during an import: the import wrote nothing (one transaction), so the job
    goes back to the queue for any worker and runs to the end; after its last run it fails."""
    settings.OCOP_JOB_MAX_ATTEMPTS = 2
    kinds_module.register("test.again", f"{__name__}.succeeds", rerun=True)
    try:
        host = services.worker_id().split(":")[0]
        lost = Job.objects.create(
            kind="test.again", owner=central, status="running", attempts=1, worker=f"{host}:{_dead_pid()}:"
        )
        spent = Job.objects.create(
            kind="test.again", owner=central, status="running", attempts=2, worker=f"{host}:{_dead_pid()}:"
        )
        once = Job.objects.create(  # a kind that may not run again
            kind="test.raises", owner=central, status="running", attempts=1, worker=f"{host}:{_dead_pid()}:"
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert services.jobs_recover() == 3
        lost.refresh_from_db()
        assert (lost.status, lost.attempts, lost.result) == ("succeeded", 2, {"rows": 5})
        assert lost.worker == services.worker_id()  # taken up by a live process
        statuses = dict(Job.objects.filter(pk__in=[spent.pk, once.pk]).values_list("pk", "status"))
        assert statuses == {spent.pk: "failed", once.pk: "failed"}
        with django_capture_on_commit_callbacks(execute=True):
            assert services.jobs_recover() == 0  # nothing left running for a dead process
    finally:
        kinds_module.HANDLERS.pop("test.again")
        kinds_module.LABELS.pop("test.again")
        kinds_module.RERUN.discard("test.again")
