"""ocop import-registry FILE [--dry-run] [--format json] [--province NAME] [--user USERNAME]"""

import json
import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from ocop.registry.importing import run_import


class Command(BaseCommand):
    help = (
        "Import a registry list (.xlsx, .xls, .ods, .csv). All or nothing: any problem in any row "
        "rejects the file and lists every problem with its row and column; the exit status is then 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--province", default="", help="province of addresses that do not name one (a name or code)"
        )
        parser.add_argument("--user", default="", help="import as this account, within its jurisdiction")
        parser.add_argument("--language", choices=["vi", "en"], default="vi", help="language of the report")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"no active account {options['user']!r}")
        province = options["province"]
        if province.isdigit():
            from ocop.geo.models import Province

            found = Province.objects.current().filter(code=province.zfill(2)).first()
            if found is None:
                raise CommandError(f"no current province with code {province!r}")
            province = found.name
        show_progress = options["format"] == "text" and sys.stderr.isatty()

        def progress(done, total=None, message=None, *, force=False):
            if show_progress and total:
                sys.stderr.write(f"\r{message or ''} {done:,}/{total:,}".ljust(60))
                sys.stderr.flush()

        with translation.override(options["language"]):
            report = run_import(
                path.read_bytes(),
                path.name,
                user=user,
                dry_run=options["dry_run"],
                default_province=province,
                progress=progress,
            )
            if show_progress:
                sys.stderr.write("\r" + " " * 60 + "\r")
            data = report.as_dict()
            if options["format"] == "json":
                self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
            else:
                self._print(report, data)
        if report.problems:
            sys.exit(1)

    def _print(self, report, data):
        from django.utils.translation import gettext as _
        from django.utils.translation import ngettext

        write = self.stdout.write
        if report.problems:
            write(
                _("%(file)s: rejected, nothing was written. %(count)s problem(s):")
                % {"file": report.file, "count": len(report.problems)}
            )
            for problem in data["problems"]:
                where = _("row %(row)s") % {"row": problem["row"]} if problem["row"] else _("file")
                column = f", {problem['column']}" if problem["column"] else ""
                write(f"  {where}{column}: {problem['message']}")
            return
        verb = _("would be") if report.dry_run else _("were")
        write(_("%(file)s: %(rows)s product rows checked.") % {"file": report.file, "rows": report.rows})
        for label, counts in (
            (_("producers"), data["producers"]),
            (_("products"), data["products"]),
            (_("recognitions"), data["recognitions"]),
        ):
            write(
                "  "
                + _("%(label)s: %(create)s created, %(update)s updated, %(unchanged)s unchanged (%(verb)s)")
                % {"label": label, "verb": verb, **counts}
            )
        if report.kept:
            write(
                "  "
                + ngettext(
                    "%(count)s row left as it was (outside your jurisdiction, unchanged)",
                    "%(count)s rows left as they were (outside your jurisdiction, unchanged)",
                    report.kept,
                )
                % {"count": report.kept}
            )
        if report.skipped_rows:
            write(
                "  "
                + _("rows skipped as titles or totals: %(rows)s")
                % {"rows": ", ".join(map(str, report.skipped_rows))}
            )
        if report.dry_run:
            write(_("Dry run: nothing was written."))
