"""``ocop targets``: programme targets and their progress on a day.

ocop targets                                  # every target, progress today, as a table
ocop targets --province national --as-of 2025-12-31 --format json
ocop targets --province 80                    # the targets Tây Ninh set

The figures come from :func:`ocop.monitoring.dashboard.target_row`, like the dashboards', the
reports' and the API's (``/api/v1/monitoring/targets``); JSON is the API's.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.geo.gazetteer import CURRENT
from ocop.monitoring import dashboard, presenting, selectors
from ocop.monitoring.charts import format_number
from ocop.monitoring.models import Target


class Command(BaseCommand):
    help = "Programme targets (national and provincial) and how far each has come on a day."

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            default="",
            help="A code of today's provinces, or 'national'. Default: every target.",
        )
        parser.add_argument("--as-of", dest="as_of", help="The day, YYYY-MM-DD (default: today).")
        parser.add_argument("--format", choices=["text", "json"], default="text", help="Default: text.")

    def handle(self, *args, **options):
        try:
            as_of = selectors.parse_day(options["as_of"]) if options["as_of"] else None
        except selectors.StatsError as exc:
            raise CommandError(str(exc)) from None
        as_of = as_of or timezone.localdate()
        targets = Target.objects.select_related("province").order_by(
            "province__code", "period_end", "measure", "pk"
        )
        if options["province"] == "national":
            targets = targets.filter(province__isnull=True)
        elif options["province"]:
            targets = targets.filter(province__code=options["province"].zfill(2), province__era_id=CURRENT)
            if not targets.exists():
                raise CommandError(_("No targets for province “%(code)s”.") % {"code": options["province"]})
        link = presenting.absolute_link(settings.OCOP_PUBLIC_URL)
        rows = [dashboard.target_row(target, as_of) for target in targets]
        if options["format"] == "json":
            data = [presenting.progress_json(row, link) for row in rows]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder))
            return
        self.stdout.write(_("Targets, progress on %(day)s") % {"day": as_of.strftime("%d/%m/%Y")})
        for row in rows:
            p, t = row.progress, row.target
            unit = "%" if t.is_share else ""
            scope = t.province.name if t.province else _("Whole country")
            actual, target = format_number(float(p.actual)) + unit, format_number(float(p.target)) + unit
            needed = ""
            if p.pace_needed is not None:
                needed = "  " + _("(needed per quarter: %(pace)s)") % {
                    "pace": format_number(float(p.pace_needed))
                }
            self.stdout.write(
                f"{scope:<22} {row.description[:58]:<58} {t.period_end:%Y} {actual:>10} / {target:>10}  "
                f"{p.status}{needed}"
            )
