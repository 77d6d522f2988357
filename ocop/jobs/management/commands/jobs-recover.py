"""``ocop jobs-recover``: deal with the running jobs whose process on this machine has died
(killed, out of memory), so that nobody waits on them: a job of a kind that may run again (an
import, an export, a report) goes back to the queue for any worker, the others are marked failed. Run it when the service starts
(``ExecStartPre``) and every few minutes (cron, a systemd timer); it is idempotent. Starting a
job does the same."""

from django.core.management.base import BaseCommand

from ocop.jobs.services import jobs_recover


class Command(BaseCommand):
    help = "Queue again, or mark failed, the running jobs whose process on this machine has died."

    def handle(self, *args, **options):
        lost = jobs_recover()
        self.stdout.write(
            f"Công việc bị mất (chạy lại hoặc đánh dấu thất bại) / Lost jobs (queued again or failed): {lost}"
        )
