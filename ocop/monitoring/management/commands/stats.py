"""``ocop stats``: programme statistics as officials ask for them (shared/domain/REGISTRY-FORMAT.md).

ocop stats                                             # the whole country today, as a table
ocop stats --province "Tây Ninh" --as-of 2025-02-19 --boundaries historical --format json
ocop stats --province 80 --by commune                  # the communes of a province

The figures come from :func:`ocop.monitoring.selectors.programme_stats`, like the API's and the
officer page's. Errors (unknown or ambiguous province, bad date) exit with status 1 and a message;
bad option values exit with status 2 (argparse).
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ocop.monitoring import selectors
from ocop.monitoring.choices import GROUP_COLUMNS, TYPE_COLUMNS


class Command(BaseCommand):
    help = (
        "Count OCOP products rated 3 stars or more with a recognition valid on a day, and their "
        "producers, for the whole country or one province, by today's or by the day's boundaries."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--province",
            help="A province code (80) or name (Tây Ninh, tinh tay ninh), of the boundaries counted by. "
            "Default: the whole country, with a row per province.",
        )
        parser.add_argument("--as-of", dest="as_of", help="The day, YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--boundaries",
            choices=selectors.BOUNDARIES,
            default=selectors.CURRENT_BOUNDARIES,
            help="current: today's provinces; historical: the provinces in force on the day (default current).",
        )
        parser.add_argument(
            "--by", choices=[selectors.BY_COMMUNE], help="With --province: add a row per commune."
        )
        parser.add_argument("--format", choices=["text", "json"], default="text", help="Default: text.")

    def handle(self, *args, **options):
        try:
            as_of = selectors.parse_day(options["as_of"]) if options["as_of"] is not None else None
            result = selectors.programme_stats(
                as_of=as_of,
                boundaries=options["boundaries"],
                province=options["province"],
                by=options["by"],
            )
        except selectors.StatsError as exc:
            raise CommandError(str(exc)) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_text(result))


# ---------------------------------------------------------------------------------------------
# Text tables
# ---------------------------------------------------------------------------------------------


def _table(headers: list[str], rows: list[list]) -> list[str]:
    """Left-aligned first two columns (code, name), right-aligned numbers."""
    cells = [[str(h) for h in headers], *[[("" if v is None else str(v)) for v in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row):
        parts = [row[i].ljust(widths[i]) if i < 2 else row[i].rjust(widths[i]) for i in range(len(headers))]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * width for width in widths)
    lines = [line(cells[0]), rule]
    if len(cells) > 2:  # unit rows, then the total under a rule
        lines += [line(row) for row in cells[1:-1]] + [rule]
    return [*lines, line(cells[-1])]


def render_text(result: dict) -> str:
    """The figures as two readable tables (products, producers), a row per unit and a total."""
    boundaries = (
        _("current boundaries")
        if result["boundaries"] == selectors.CURRENT_BOUNDARIES
        else _("boundaries in force on that day")
    )
    place = result["province"]
    place_name = f"{place['name']} ({place['code']})" if place["code"] else place["name"]
    title = _("OCOP products rated 3 stars or more, valid on %(day)s — %(place)s, %(boundaries)s") % {
        "day": result["as_of"],
        "place": place_name,
        "boundaries": boundaries,
    }
    if "provinces" in result:
        label, entries, unit_header = "province", result["provinces"], _("Province")
    elif "communes" in result:
        label, entries, unit_header = "commune", result["communes"], _("Commune")
    else:
        label, entries, unit_header = None, [], _("Province")
    units = [
        (entry[label]["code"], entry[label]["name"] or _("(commune not recorded)"), entry)
        for entry in entries
    ]
    total_name = _("Total") if units else place["name"]
    total_code = "" if units else place["code"]
    groups, types = GROUP_COLUMNS, TYPE_COLUMNS

    product_rows = [
        [
            code,
            name,
            e["products"]["total"],
            *e["products"]["by_stars"].values(),
            *e["products"]["by_group"].values(),
        ]
        for code, name, e in [*units, (total_code, total_name, result)]
    ]
    producer_rows = [
        [code, name, e["producers"]["total"], *e["producers"]["by_type"].values()]
        for code, name, e in [*units, (total_code, total_name, result)]
    ]
    lines = [title, "", _("Products")]
    lines += _table(
        [_("Code"), unit_header, _("Total"), "3★", "4★", "5★", *groups.values()],
        product_rows,
    )
    lines += ["", _("Producers")]
    lines += _table([_("Code"), unit_header, _("Total"), *types.values()], producer_rows)
    return "\n".join(lines)
