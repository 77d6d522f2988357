"""``ocop trace_captures_clean``: fail EPCIS captures lost to a restart and delete staged documents.

A large capture's document is staged in private storage until its background job has read it,
and deleted when the capture ends, whatever its outcome. A capture whose server stopped while it
ran stays "running" with its document: after ``OCOP_EPCIS_CAPTURE_STALE_MINUTES`` this command
marks it failed (the client is told to send the document again) and deletes the document, with
any staged file no waiting capture needs and any document earlier versions staged in the public
media folder. Run it every few minutes (cron, a systemd timer); it is idempotent.
"""

from django.core.management.base import BaseCommand

from ocop.trace.services import captures_clean


class Command(BaseCommand):
    help = "Fail EPCIS captures lost to a restart; delete staged capture documents no capture needs."

    def handle(self, *args, **options):
        counts = captures_clean()
        self.stdout.write(
            "Lần nhận bị mất / captures lost: {lost}; tệp đã xoá / documents deleted: {deleted}".format(
                **counts
            )
        )
