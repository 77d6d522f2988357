"""``ocop catalogue-index``: bring the catalogue's search index up to date with the registry.

The web processes do this by themselves in the background (every OCOP_CATALOGUE_REFRESH_SECONDS)
from the registry's stamps and a fingerprint of the recognitions. Run ``--full`` after changes that leave no stamp:
renamed administrative units or product sets, or edits made in SQL.
"""

import time

from django.core.management.base import BaseCommand

from ocop.market.services import catalogue_refresh


class Command(BaseCommand):
    help = "Bring the catalogue's search index up to date (--full: rebuild it whole)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Rebuild every entry and the vocabulary.")

    def handle(self, *args, **options):
        started = time.monotonic()
        report = catalogue_refresh(full=options["full"])
        self.stdout.write(
            f"Chỉ mục danh mục / Catalogue index v{report.version}: "
            f"mới / new {report.created}, văn bản / text {report.text_updated}, "
            f"trạng thái / status {report.status_updated}, bỏ / removed {report.removed}, "
            f"từ vựng / terms {report.terms} — {time.monotonic() - started:.1f} s"
        )
