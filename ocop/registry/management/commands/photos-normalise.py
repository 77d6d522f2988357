"""``ocop photos-normalise [--dry-run] [--all]``: re-encode product photos stored before photos
were re-encoded on upload (issue 11), under a name and extension of the platform's; remove those
that are not pictures. Run it once after upgrading; it is safe to run again."""

from django.core.management.base import BaseCommand

from ocop.registry.services import photos_normalise


class Command(BaseCommand):
    help = "Re-encode product photos stored as uploaded; remove stored files that are not pictures."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would be done; change nothing.")
        parser.add_argument(
            "--all", action="store_true", help="Re-encode photos already named the new way too."
        )

    def handle(self, *args, **options):
        def echo(photo_id, product_id, outcome, detail):
            self.stdout.write(f"{outcome:10} photo {photo_id} (product {product_id}): {detail}")

        counts = photos_normalise(everything=options["all"], dry_run=options["dry_run"], echo=echo)
        self.stdout.write(
            "Đã mã hoá lại / re-encoded: {normalised}; đã xoá / removed: {removed}; "
            "thiếu tệp / file missing: {missing}; giữ nguyên / kept: {kept}".format(**counts)
        )
        if options["dry_run"]:
            self.stdout.write("Chạy thử: không thay đổi gì / dry run: nothing changed")
