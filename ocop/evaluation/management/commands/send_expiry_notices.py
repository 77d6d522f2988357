"""``ocop send_expiry_notices``: run once a day (cron, a systemd timer). Sends each notice once.

Notices go 90 and 30 days before a recognition expires (``OCOP_EXPIRY_NOTICE_DAYS``) to the
producer's staff and the province's officers. Safe to run twice, or on two machines at once: each
notice is claimed with a conditional update before it is sent.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from ocop.evaluation import services


class Command(BaseCommand):
    help = "Send the notices of recognitions that expire soon (90 and 30 days before), each once."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = None
        if options.get("today"):
            try:
                today = date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError(f"--today {options['today']!r} is not a date (YYYY-MM-DD)") from None
        counts = services.expiry_notices_send(today=today)
        self.stdout.write(
            "planned {planned}, sent {sent}, skipped {skipped}, failed {failed}".format(**counts)
        )
        if counts["failed"]:
            raise CommandError(f"{counts['failed']} notices could not be sent; they will be tried again")
