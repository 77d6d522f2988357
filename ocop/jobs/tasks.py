"""The one task every job goes through; the work itself is the job kind's handler."""

from django_tasks import task


@task()
def run_job(job_id: str) -> None:
    from .services import job_run

    job_run(job_id)
