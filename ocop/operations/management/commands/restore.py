"""``ocop restore DIR [--yes]``: replace the database and the uploaded files with a backup.

The backup is checked first (manifest, database engine, migrations known to this version,
every file's size and SHA-256); nothing is replaced unless all of it is right and the operator
confirms (``--yes``, or answering "yes"). Stop the web processes and workers before, start them
after; run ``ocop migrate`` when the backup is older than the code.
"""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ocop.operations.backup import BackupError, file_roots, restore, restore_check


class Command(BaseCommand):
    help = "Replace the database and the uploaded files with a backup made by ocop backup."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a directory written by ocop backup")
        parser.add_argument("--yes", action="store_true", help="replace without asking")

    def handle(self, *args, **options):
        try:
            backup = restore_check(Path(options["directory"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = backup.manifest
        database = settings.DATABASES["default"]["NAME"]
        roots = " and ".join(str(root) for root in file_roots().values())
        self.stdout.write(
            f"Backup of {manifest['created_at']} (version {manifest['version']}, {manifest['engine']}): "
            f"{len(manifest['files']) - 1} file(s), {backup.total_bytes:,} bytes, checked."
        )
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError("this replaces the database and the files: give --yes to go on")
            answer = input(f"Replace the database {database} and everything in {roots}? Type yes: ")
            if answer.strip().lower() != "yes":
                raise CommandError("nothing was replaced")
        try:
            restore(backup)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Restored into {database} and {roots}. Run `ocop migrate` if this version is newer."
        )
