"""Pages of the criteria sets: the list, the printable scoring sheet with its scoring form, the upload.

Views parse input, fetch rows through the permission gate and call the sheet form
(:mod:`ocop.criteria.sheetform`, which scores and advises through the engine) or a service; they
hold no rules.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action

from . import schema, selectors, services, sheetform
from .forms import UploadForm
from .models import CriteriaSet


def _version(request) -> int | None:
    raw = request.GET.get("version") or request.POST.get("version")
    return int(raw) if raw and raw.isdigit() and int(raw) > 0 else None


@require_GET
def set_list(request):
    """Every product set of each taxonomy with its sheet in force (or "not loaded yet"), then the
    loaded sets with their versions."""
    return render(
        request,
        "criteria/set_list.html",
        {
            "coverage": selectors.coverage(request.user),
            "rows": list(selectors.visible_sets(request.user)),
            "can_upload": gate.can(request.user, Action.ADD, CriteriaSet),
        },
    )


# --- the sheet ---------------------------------------------------------------------------------


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
        "parts": sheetform.by_part(data, sheetform.criterion_rows(data, selected or {})),
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


@require_POST
def score(request, decision: str, product_set: str):
    """Score the answers ticked on the sheet; show the result, the reasons and the upgrade advice."""
    row = selectors.set_for(request.user, f"{decision}/{product_set}", _version(request))
    data = selectors.definition(row)
    form = sheetform.ticked(request.POST)
    outcome = sheetform.assess(data, form.answers, form.checks)
    if request.htmx:
        return render(request, "criteria/_result.html", {"outcome": outcome, "data": data, "row": row})
    return render(
        request,
        "criteria/sheet.html",
        _context(request, row, selected=form.selected, checked=form.checks, outcome=outcome),
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
