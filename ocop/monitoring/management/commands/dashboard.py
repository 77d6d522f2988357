"""``ocop dashboard``: every figure of a dashboard, as JSON (the API's) or a short summary.

ocop dashboard --format json                               # the whole country today
ocop dashboard --province 80 --as-of 2025-03-31 --boundaries historical   # old Long An
ocop dashboard --province 80 --commune 25804               # a commune of today

Figures come from :func:`ocop.monitoring.dashboard.dashboard`, like the pages', reports' and
API's, each with the link to the rows it counts (under OCOP_PUBLIC_URL).
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.monitoring import dashboard, figures, presenting, selectors


class Command(BaseCommand):
    help = "Every figure of the dashboard of the country, a province or a commune, on a day."

    def add_arguments(self, parser):
        parser.add_argument("--province", default="", help="Province code, of the boundaries counted by.")
        parser.add_argument("--commune", default="", help="Commune code of today's units (with --province).")
        parser.add_argument("--as-of", dest="as_of", help="The day, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--boundaries", choices=selectors.BOUNDARIES, default=selectors.CURRENT_BOUNDARIES
        )
        parser.add_argument("--format", choices=["text", "json"], default="text", help="Default: text.")

    def handle(self, *args, **options):
        try:
            as_of = selectors.parse_day(options["as_of"]) if options["as_of"] else timezone.localdate()
            boundaries = options["boundaries"] if not options["commune"] else selectors.CURRENT_BOUNDARIES
            era = selectors.boundary_era(as_of, boundaries)
            unit = figures.unit_of(
                figures.Figure(
                    kind=figures.COUNTED,
                    era=era,
                    province=options["province"].zfill(2) if options["province"] else "",
                    commune=options["commune"],
                )
            )
        except (selectors.StatsError, figures.FigureError) as exc:
            raise CommandError(f"{getattr(exc, 'field', '')}: {exc}") from None
        board = dashboard.dashboard(unit=unit, as_of=as_of, boundaries=boundaries, user=None)
        data = presenting.board_json(board, presenting.absolute_link(settings.OCOP_PUBLIC_URL))
        if options["format"] == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, cls=DjangoJSONEncoder))
            return
        self.stdout.write(f"{unit.name} — {as_of:%d/%m/%Y}")
        self.stdout.write(
            _(
                "OCOP products: %(n)s (3★ %(s3)s, 4★ %(s4)s, 5★ %(s5)s); producers: %(p)s; expiring within 90 days: %(e)s"
            )
            % {
                "n": board.products.value,
                "s3": board.by_stars[3].value,
                "s4": board.by_stars[4].value,
                "s5": board.by_stars[5].value,
                "p": board.producers,
                "e": board.expiring.value,
            }
        )
        for period in board.quarters:
            counts = {k: v.value for k, v in period.counts.items()}
            self.stdout.write(
                f"  {period.label:>8}: " + _("new %(new)s, expired %(expired)s, revoked %(revoked)s") % counts
            )
