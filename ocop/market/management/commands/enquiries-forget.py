"""``ocop enquiries-forget``: erase buyers' names and e-mail addresses from enquiries untouched
for a year (``OCOP_ENQUIRY_RETENTION_DAYS``, or ``--days``). Run it daily (cron, a systemd
timer); it is idempotent."""

from django.core.management.base import BaseCommand

from ocop.market.services import enquiries_forget_buyers


class Command(BaseCommand):
    help = "Erase buyers' names and e-mails from enquiries untouched for a year (--days N)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="Untouched for this many days.")

    def handle(self, *args, **options):
        erased = enquiries_forget_buyers(older_than_days=options["days"])
        self.stdout.write(f"Đã xoá thông tin người mua / Buyers' details erased: {erased}")
