"""``ocop backup DIR``: the database and the uploaded files, with a manifest (ocop/operations/backup.py).

ocop backup /srv/backups/ocop-$(date +%F)     # DIR must be new or empty
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ocop.operations.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online, PostgreSQL with pg_dump) and the uploaded files into "
        "a new directory, with a manifest of every file's size and SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="a new or empty directory")

    def handle(self, *args, **options):
        try:
            backup = backup_create(Path(options["directory"]), using=options.get("database", "default"))
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = backup.manifest
        self.stdout.write(
            f"Backup of the {manifest['engine']} database and {len(manifest['files']) - 1} file(s), "
            f"{backup.total_bytes:,} bytes, in {backup.directory}"
        )
