"""``ocop score``: score a member's answers on a criteria set, from the command line.

ocop score --set 148/I.1.a --answers answers.json --format json
ocop score --set 1048/I.3.c --answers - --advise          # answers on standard input

The answers file is ``{"answers": {"1.a": 3, "3.2": {"case": 2, "option": 1}}}``: criterion codes
as printed on the sheet, each mapped to the 1-based position of the chosen option (and of the
case, for criteria with alternative cases). An optional ``"checks": {"D1": true}`` answers the
sheet's yes/no checks (disqualifiers, stop conditions). Invalid answers exit with status 1 and
say which criterion is wrong and why.
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ocop.criteria import advisor, engine, messages, selectors


class Command(BaseCommand):
    help = "Score answers on a criteria set: points per part, total, stars and the reasons."

    def add_arguments(self, parser):
        parser.add_argument(
            "--set", required=True, dest="set_code", help="DECISION/PRODUCT_SET, e.g. 148/I.1.a"
        )
        parser.add_argument(
            "--answers", required=True, help="JSON file with the answers ('-' for standard input)"
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--set-version", type=int, dest="set_version", help="A past version of the set")
        parser.add_argument("--advise", action="store_true", help="Also show what would reach the next star")

    def handle(self, *args, set_code, answers, format, set_version, advise, **options):
        try:
            row = selectors.find_set(set_code, set_version)
        except Http404:
            known = ", ".join(sorted(selectors.CriteriaSet.objects.current().values_list("code", flat=True)))
            raise CommandError(f"No criteria set {set_code}. Known sets: {known}.") from None
        data = selectors.definition(row)
        payload = self._read(answers)
        try:
            result = engine.score(data, payload["answers"], payload.get("checks"))
            advice = advisor.advise(data, payload["answers"], payload.get("checks")) if advise else None
        except engine.AnswerError as exc:
            lines = "\n".join(f"  - {p.message}" for p in exc.problems)
            raise CommandError(f"Invalid answers for {row.code}:\n{lines}") from None
        if format == "json":
            out = result.as_dict()
            if advice is not None:
                out["advice"] = advice.as_dict(data)
            self.stdout.write(json.dumps(out, ensure_ascii=False))
        else:
            self._text(row, data, result, advice)

    def _read(self, name: str) -> dict:
        try:
            text = sys.stdin.read() if name == "-" else open(name, encoding="utf-8").read()  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}") from None
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{name} is not JSON: {exc}") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("answers"), dict):
            raise CommandError(f'{name} must be {{"answers": {{"1.a": 3, ...}}}}')
        if "checks" in payload and not isinstance(payload["checks"], dict):
            raise CommandError(f'{name}: "checks" must map check codes to true or false')
        return payload

    def _text(self, row, data, result, advice):
        write = self.stdout.write
        write(f"{row.code} v{row.version} — {row.name_vi} ({row.legal_basis})")
        for part in data.parts:
            write(
                _("Part %(code)s: %(points)s / %(max)s")
                % {"code": part.code, "points": result.parts[part.code], "max": part.max_points}
            )
        write(_("Total: %(total)s / %(max)s") % {"total": result.total, "max": data.max_total})
        write(_("Band: %(n)s stars") % {"n": result.band_stars})
        if result.stars is None:
            write(_("Stars: none"))
        else:
            write(_("Stars: %(n)s") % {"n": result.stars})
        for item in result.reasons:
            write("  - " + messages.describe(item.code, item.params))
        for item in result.notices:
            write("  · " + messages.describe(item.code, item.params))
        if advice is None:
            return
        if advice.blocked_by or advice.target_stars is None:
            write(_("No upgrade advice."))
            return
        if not advice.plans:
            write(_("%(n)s stars cannot be reached on this sheet.") % {"n": advice.target_stars})
            return
        write(
            ngettext(
                "To reach %(target)s stars, improve %(n)s criterion:",
                "To reach %(target)s stars, improve %(n)s criteria:",
                advice.criteria_needed,
            )
            % {"target": advice.target_stars, "n": advice.criteria_needed}
        )
        for number, plan in enumerate(advice.plans, start=1):
            steps = "; ".join(messages.improvement(i) for i in plan.improvements)
            write(f"  {number}. {steps} → {plan.total}")
