"""Pages of the criteria sets: the list, the printable scoring sheet with its scoring form, the upload.

Views parse input, fetch rows through the permission gate and call the engine, the advisor or a
service; they hold no rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action

from . import advisor, engine, schema, selectors, services
from . import messages as words
from .forms import UploadForm
from .models import CriteriaSet

ANSWER_PREFIX = "c:"
CHECK_PREFIX = "k:"


def _version(request) -> int | None:
    raw = request.GET.get("version") or request.POST.get("version")
    return int(raw) if raw and raw.isdigit() and int(raw) > 0 else None


@require_GET
def set_list(request):
    rows = list(selectors.visible_sets(request.user))
    return render(
        request,
        "criteria/set_list.html",
        {"rows": rows, "can_upload": gate.can(request.user, Action.ADD, CriteriaSet)},
    )


# --- the sheet ---------------------------------------------------------------------------------


@dataclass
class _OptionRow:
    id: str
    value: str  # "case:option", the radio button's value
    points: int
    label: str
    marker: int | None
    checked: bool
    none: bool = False


@dataclass
class _BlockRow:
    position: int
    code: str
    label: str
    inferred: str
    options: list[_OptionRow]


def _sheet_rows(data: schema.CriteriaSet, selected: dict[str, str]) -> list:
    """Parts -> sections -> criteria with their option rows, for the template."""
    parts = []
    for part in data.parts:
        sections = []
        for section in part.sections:
            criteria = []
            for criterion in section.criteria:
                blocks = []
                for block in criterion.blocks:
                    options = [
                        _OptionRow(
                            id=f"o{criterion.position}-{block.position}-{o.position}",
                            value=f"{block.position}:{o.position}",
                            points=o.points,
                            label=o.label,
                            marker=o.marker,
                            checked=selected.get(criterion.code) == f"{block.position}:{o.position}",
                        )
                        for o in block.options
                    ]
                    if data.none_option and not block.has_zero:
                        value = f"{block.position}:0"
                        options.append(
                            _OptionRow(
                                f"o{criterion.position}-{block.position}-0",
                                value,
                                0,
                                "",
                                None,
                                selected.get(criterion.code) == value,
                                none=True,
                            )
                        )
                    blocks.append(_BlockRow(block.position, block.code, block.label, block.inferred, options))
                criteria.append(
                    {
                        "criterion": criterion,
                        "blocks": blocks,
                        "stop_checks": data.checks_at(criterion.code, "stop"),
                        "disqualify_checks": data.checks_at(criterion.code, "disqualify"),
                    }
                )
            sections.append({"section": section, "criteria": criteria})
        parts.append({"part": part, "sections": sections})
    return parts


def _bands(data: schema.CriteriaSet) -> list[dict]:
    """5 stars: from 90; 4 stars: from 70 to under 90; ...; 1 star: under 30."""
    bands, above = [], None
    for stars in sorted(data.bands, reverse=True):
        bands.append({"stars": stars, "low": data.bands[stars], "below": above})
        above = data.bands[stars]
    bands.append({"stars": 1, "low": None, "below": above})
    return bands


def _context(request, row: CriteriaSet, *, selected=None, checked=(), outcome=None) -> dict:
    data = selectors.definition(row)
    return {
        "row": row,
        "data": data,
        "parts": _sheet_rows(data, selected or {}),
        "general_checks": [c for c in data.checks if c.criterion is None],
        "checked": set(checked),
        "versions": list(selectors.versions_of(request.user, row))
        if row.version > 1 or not row.is_current
        else [],
        "bands": _bands(data),
        "outcome": outcome,
        "score_url": reverse("criteria:score", args=row.code.split("/", 1)),
    }


@require_GET
def sheet(request, decision: str, product_set: str):
    row = selectors.set_for(request.user, f"{decision}/{product_set}", _version(request))
    return render(request, "criteria/sheet.html", _context(request, row))


@dataclass
class _Outcome:
    """What the scoring form shows: the result and the advice, or why the answers cannot be scored."""

    result: engine.SheetResult | None = None
    advice: advisor.Advice | None = None
    problems: tuple = ()

    def reasons(self):
        return [words.describe(r.code, r.params) for r in self.result.reasons] if self.result else []

    def notices(self):
        return [words.describe(r.code, r.params) for r in self.result.notices] if self.result else []

    def plans(self):
        if not self.advice:
            return []
        return [
            {"plan": plan, "steps": [words.improvement(i) for i in plan.improvements]}
            for plan in self.advice.plans
        ]

    def blocked_by(self):
        return [words.describe(r.code, r.params) for r in self.advice.blocked_by] if self.advice else []


def _answers_from(post, data: schema.CriteriaSet) -> tuple[dict, dict[str, str], list[str]]:
    answers, selected = {}, {}
    for key, value in post.items():
        if not key.startswith(ANSWER_PREFIX):
            continue
        code = key.removeprefix(ANSWER_PREFIX)
        case, _sep, option = value.partition(":")
        selected[code] = value
        answers[code] = (
            {"case": int(case), "option": int(option)} if case.isdigit() and option.isdigit() else value
        )
    checked = [key.removeprefix(CHECK_PREFIX) for key in post if key.startswith(CHECK_PREFIX)]
    return answers, selected, checked


def _problem_text(problem: engine.AnswerProblem) -> str:
    if problem.code == "missing_answer":
        return _("Criterion %(criterion)s has no answer.") % {"criterion": problem.criterion}
    return problem.message


@require_POST
def score(request, decision: str, product_set: str):
    """Score the answers ticked on the sheet; show the result, the reasons and the upgrade advice."""
    row = selectors.set_for(request.user, f"{decision}/{product_set}", _version(request))
    data = selectors.definition(row)
    answers, selected, checked = _answers_from(request.POST, data)
    try:
        result = engine.score(data, answers, checked)
        outcome = _Outcome(result=result, advice=advisor.advise(data, answers, checked))
    except engine.AnswerError as exc:
        outcome = _Outcome(problems=tuple(_problem_text(p) for p in exc.problems))
    if request.htmx:
        return render(request, "criteria/_result.html", {"outcome": outcome, "data": data, "row": row})
    return render(
        request,
        "criteria/sheet.html",
        _context(request, row, selected=selected, checked=checked, outcome=outcome),
    )


# --- loading a set ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    """The central office loads a new criteria set, or a correction, from a YAML file."""
    if not gate.can(request.user, Action.ADD, CriteriaSet):
        return render(request, "403.html", status=403)
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            outcome = services.criteria_set_upload(
                user=request.user, source_file=upload.name, content=upload.read()
            )
        except schema.CriteriaSetError as exc:
            problems = exc.problems
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            row = outcome.criteria_set
            text = {
                services.CREATED: _("Criteria set %(code)s loaded (version %(version)s)."),
                services.UPDATED: _("Criteria set %(code)s corrected (version %(version)s)."),
                services.SUPERSEDED: _(
                    "Criteria set %(code)s is used by scores: the file was loaded as version %(version)s, "
                    "which supersedes the previous one."
                ),
                services.UNCHANGED: _("Criteria set %(code)s is already loaded with this content."),
            }[outcome.action]
            messages.success(request, text % {"code": row.code, "version": row.version})
            url = reverse("criteria:sheet", args=row.code.split("/", 1))
            return redirect(f"{url}?version={row.version}")
    return render(request, "criteria/upload.html", {"form": form, "problems": problems})
