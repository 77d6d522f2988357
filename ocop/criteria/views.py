"""Pages of the criteria sets: the list, the printable scoring sheet with its scoring form, the upload.

Views parse input, fetch rows through the permission gate and call the sheet form
(:mod:`ocop.criteria.sheetform`, which scores and advises through the engine) or a service; they
hold no rules.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.web.feedback import flash_errors

from . import schema, selectors, services, sheetform
from . import workbook as workbooks
from .choices import WorkbookStatus
from .forms import UploadForm, WorkbookForm
from .models import CriteriaSet, CriteriaWorkbook


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
            "can_upload_workbook": gate.can(request.user, Action.ADD, CriteriaWorkbook),
            # What provinces proposed, for the office that publishes it.
            "proposed": gate.restrict(
                CriteriaWorkbook.objects.filter(status=WorkbookStatus.PROPOSED), request.user, Action.VIEW
            ).count()
            if services.may_publish(request.user)
            else 0,
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


def _printed(data: schema.CriteriaSet, *, selected=None, checked=()) -> dict:
    """What the printed sheet (``criteria/_sheet.html``) shows of a set."""
    return {
        "data": data,
        "parts": sheetform.by_part(data, sheetform.criterion_rows(data, selected or {})),
        "general_checks": [c for c in data.checks if c.criterion is None],
        "checked": set(checked),
        "bands": _bands(data),
    }


def _context(request, row: CriteriaSet, *, selected=None, checked=(), outcome=None) -> dict:
    data = selectors.definition(row)
    return {
        "row": row,
        **_printed(data, selected=selected, checked=checked),
        "versions": list(selectors.versions_of(request.user, row))
        if row.version > 1 or not row.is_current
        else [],
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


# --- criteria sets as Excel workbooks ------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The filled example of the template: the one set of the current decision (148) on hand.
TEMPLATE_CODE = "148/I.1.a"


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(code: str, version: int | None = None) -> str:
    stem = "bo-tieu-chi-" + code.replace("/", "-")
    return f"{stem}-v{version}.xlsx" if version else f"{stem}.xlsx"


@require_GET
def export(request, decision: str, product_set: str):
    """Any criteria set one may see, as the Excel template filled with it."""
    row = selectors.set_for(request.user, f"{decision}/{product_set}", _version(request))
    return _xlsx(workbooks.export(row.definition), _filename(row.code, row.version))


@require_GET
def template(request):
    """The Excel template, filled with a shipped set as the example to follow."""
    row = selectors.set_for(request.user, TEMPLATE_CODE)
    return _xlsx(workbooks.export(row.definition, note=workbooks.template_note()), "mau-bo-tieu-chi.xlsx")


def _workbooks_in_reach(request):
    if not gate.can(request.user, Action.VIEW, CriteriaWorkbook):
        raise Http404
    return gate.restrict(
        CriteriaWorkbook.objects.select_related("province", "published"), request.user, Action.VIEW
    )


@login_required
@require_http_methods(["GET", "POST"])
def workbook_upload(request):
    """Upload a criteria set workbook (central office, province officers): every problem is listed
    by sheet, row and column and nothing is kept; a valid one opens its preview."""
    rows = _workbooks_in_reach(request)
    form = WorkbookForm(request.POST or None, request.FILES or None)
    problems: list[workbooks.Problem] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            found = services.criteria_workbook_upload(
                user=request.user, source_file=upload.name, content=upload.read()
            )
        except workbooks.WorkbookError as exc:
            problems = exc.problems
        else:
            return redirect("criteria:workbook", pk=found.pk)
    return render(
        request,
        "criteria/workbook_upload.html",
        {"form": form, "problems": problems, "rows": rows[:50], "template_code": TEMPLATE_CODE},
    )


def _workbook(request, pk: int, action: str = Action.VIEW) -> CriteriaWorkbook:
    return gate.get_or_404(_workbooks_in_reach(request), request.user, action, pk=pk)


@login_required
@require_GET
def workbook(request, pk: int):
    """The uploaded set as its printed scoring sheet, with what may be done with it."""
    found = _workbook(request, pk)
    data = schema.parse_set(found.definition, source=found.source_file)
    latest = CriteriaSet.objects.filter(code=found.code).order_by("-version").first()
    return render(
        request,
        "criteria/workbook.html",
        {
            "workbook": found,
            "row": {"code": data.code, "version": (latest.version + 1) if latest else 1},
            "current": latest,
            "may_publish": services.may_publish(request.user) and found.status != WorkbookStatus.PUBLISHED,
            "may_propose": found.status == WorkbookStatus.CHECKED
            and gate.allows(request.user, Action.CHANGE, found)
            and not services.may_publish(request.user),
            **_printed(data),
        },
    )


@login_required
@require_GET
def workbook_export(request, pk: int):
    found = _workbook(request, pk)
    return _xlsx(workbooks.export(found.definition), _filename(found.code))


@login_required
@require_POST
def workbook_propose(request, pk: int):
    found = _workbook(request, pk)
    try:
        services.criteria_workbook_propose(user=request.user, workbook=found)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Proposed to the central office, which may publish it."))
    return redirect("criteria:workbook", pk=found.pk)


@login_required
@require_POST
def workbook_publish(request, pk: int):
    found = _workbook(request, pk)
    if not services.may_publish(request.user):
        raise Http404
    try:
        outcome = services.criteria_workbook_publish(user=request.user, workbook=found)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("criteria:workbook", pk=found.pk)
    row = outcome.criteria_set
    messages.success(
        request,
        _("Criteria set %(code)s published as version %(version)s.")
        % {"code": row.code, "version": row.version},
    )
    return redirect(row.get_absolute_url())
