"""``ocop criteria_validate FILE...``: check criteria set files without loading them.

Prints each file's code and shape, or every problem with its path in the sheet; exits with
status 1 when a file is invalid. Needs no database.
"""

from django.core.management.base import BaseCommand, CommandError

from ocop.criteria import schema


class Command(BaseCommand):
    help = (
        "Validate criteria set YAML files (maxima, codes, markers, conditions, gates) without loading them."
    )
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="YAML files")

    def handle(self, *args, files, **options):
        failed = 0
        for name in files:
            try:
                data = schema.load_set(name)
            except schema.CriteriaSetError as exc:
                failed += 1
                for line in exc.lines():
                    self.stderr.write(line)
                continue
            parts = ", ".join(f"{p.code} {p.max_points}" for p in data.parts)
            markers = "with star markers" if data.has_markers else "no star markers"
            self.stdout.write(
                f"{name}: OK — {data.code}, {len(data.criteria)} criteria ({parts}; total {data.max_total}), "
                f"{len(data.checks)} checks, {markers}"
            )
        if failed:
            raise CommandError(f"{failed} of {len(files)} file(s) invalid")
