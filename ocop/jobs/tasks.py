"""The one task every job goes through; the work itself is the job kind's handler."""

from django_tasks import task

from .runner import job_run


@task()
def run_job(job_id: str) -> None:
    job_run(job_id)
