"""``ocop jobs-recover``: mark failed the running jobs whose process on this machine has died
(killed, out of memory), so that nobody waits on them. Run it when the service starts
(``ExecStartPre``) and every few minutes (cron, a systemd timer); it is idempotent. Starting a
job does the same."""

from django.core.management.base import BaseCommand

from ocop.jobs.services import jobs_recover


class Command(BaseCommand):
    help = "Mark failed the running jobs whose process on this machine has died."

    def handle(self, *args, **options):
        lost = jobs_recover()
        self.stdout.write(f"Công việc bị mất đã đánh dấu thất bại / Lost jobs marked failed: {lost}")
