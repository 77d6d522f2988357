"""``ocop criteria_load``: load the criteria set files now (``migrate`` does it too).

ocop criteria_load            # the files of OCOP_CRITERIA_DIRS that changed
ocop criteria_load --force    # re-read all of them
ocop criteria_load FILE...    # these files (a new set, or a correction)
"""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ocop.criteria import schema, services


class Command(BaseCommand):
    help = "Load criteria set files into the database; a changed file of a used set becomes a new version."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="YAML files (default: every file of OCOP_CRITERIA_DIRS)")
        parser.add_argument("--force", action="store_true", help="Re-read the directories even if unchanged")

    def handle(self, *args, files, force, **options):
        try:
            if files:
                outcomes = [
                    services.criteria_set_install(
                        text=Path(name).read_text(encoding="utf-8"), source_file=Path(name).name
                    )
                    for name in files
                ]
            else:
                outcomes = services.criteria_sets_sync(force=force)
        except schema.CriteriaSetError as exc:
            raise CommandError("\n".join(exc.lines())) from None
        except (ValidationError, ImproperlyConfigured, OSError) as exc:
            raise CommandError(str(exc)) from None
        for outcome in outcomes:
            self.stdout.write(outcome.describe())
        if not outcomes:
            self.stdout.write("Criteria sets are up to date.")
