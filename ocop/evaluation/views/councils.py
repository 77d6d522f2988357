"""Rounds, councils and sittings (province and central organisers): seats, agendas, results; the
member's scoring screen (tablet first; htmx saves each answer, works without JavaScript)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.criteria import engine, sheetform
from ocop.geo.models import Province
from ocop.web.confirm import ask, confirmed
from ocop.web.feedback import REFUSED, act, apply_errors, flash_errors
from ocop.web.paging import paginate

from .. import forms, selectors, services
from ..choices import DossierStatus, SheetStatus, SittingStatus
from ..models import Assignment, Council, Decision, Dossier, Round, Seat, Sheet, Sitting
from ._common import round_or_404


@login_required
@require_GET
def round_list(request):
    return render(
        request,
        "evaluation/round_list.html",
        {
            "page": paginate(request, selectors.rounds_for(request.user)),
            "sittings": list(selectors.sittings_for(request.user).exclude(status=SittingStatus.CLOSED)[:20]),
            "can_create": gate.can(request.user, Action.ADD, Round),
            "query": "",
        },
    )


def _round_provinces(user):
    actor = gate.actor_of(user)
    provinces = Province.objects.current().alphabetical()
    return provinces if actor.is_central else provinces.filter(pk__in=actor.province_ids)


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request):
    if not gate.can(request.user, Action.ADD, Round):
        raise Http404
    form = forms.RoundForm(request.POST or None, provinces=_round_provinces(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.round_create(
                user=request.user,
                name=data["name"],
                level=data["level"],
                held_on=data["held_on"],
                province=data["province"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("level", _("You may not open a round at this level or in this province."))
        else:
            messages.success(request, _("Round opened."))
            return redirect("evaluation:round_detail", pk=round_.pk)
    return render(request, "evaluation/round_form.html", {"form": form})


def _awaiting(user, round_: Round):
    """Dossiers awaiting a council at this round's level, in its province (any for central)."""
    rows = Dossier.objects.filter(status=DossierStatus.FORWARDED, level=round_.level)
    if round_.province_id:
        rows = rows.filter(product__producer__province_id=round_.province_id)
    rows = rows.select_related("product", "product__producer")
    return gate.restrict(rows, user, Action.VIEW).order_by("submitted_at", "pk")


@login_required
@require_GET
def round_detail(request, pk):
    round_ = round_or_404(request, pk)
    user = request.user
    can_manage = gate.allows(user, Action.CHANGE, round_)
    councils = gate.restrict(
        round_.councils.prefetch_related(
            Prefetch("seats", queryset=Seat.objects.select_related("user")),
            Prefetch("sittings", queryset=Sitting.objects.order_by("held_on", "pk")),
        ),
        user,
        Action.VIEW,
    )
    return render(
        request,
        "evaluation/round_detail.html",
        {
            "round": round_,
            "rules": round_.rules,
            "level_rule": round_.level_rule,
            "councils": councils,
            "awaiting": _awaiting(user, round_) if can_manage else [],
            "decisions": gate.restrict(round_.decisions.all(), user, Action.VIEW),
            "decidable": len(services.decidable(round_)) if can_manage else 0,
            "can_manage": can_manage,
            "council_form": forms.CouncilForm(
                initial={"name": _("Council of %(round)s") % {"round": round_.name}}
            ),
            "can_decide": gate.may_create(user, Decision, province_id=round_.province_id),
        },
    )


@login_required
@require_POST
def round_close(request, pk):
    round_ = round_or_404(request, pk, Action.CHANGE)
    services.round_close(user=request.user, round=round_)
    messages.success(request, _("The round takes no more dossiers."))
    return redirect("evaluation:round_detail", pk=round_.pk)


@login_required
@require_POST
def council_create(request, pk):
    round_ = round_or_404(request, pk)
    if not gate.may_create(request.user, Council, province_id=round_.province_id):
        raise Http404
    form = forms.CouncilForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        name = data.pop("name")
        council = act(
            request,
            lambda: services.council_create(user=request.user, round=round_, name=name, rules=data),
            success=_("Council set up. Add its members."),
        )
        if council is not REFUSED:
            return redirect("evaluation:council_detail", pk=council.pk)
    else:
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label}: {error}" if field in form.fields else error
                )
    return redirect("evaluation:round_detail", pk=round_.pk)


def _council(request, pk, action=Action.VIEW) -> Council:
    return gate.get_or_404(
        Council.objects.select_related("round", "round__province"), request.user, action, pk=pk
    )


@login_required
@require_GET
def council_detail(request, pk):
    council = _council(request, pk)
    user = request.user
    return render(
        request,
        "evaluation/council_detail.html",
        {
            "council": council,
            "rules": council.rules(),
            "seats": gate.restrict(council.seats.select_related("user"), user, Action.VIEW),
            "sittings": gate.restrict(council.sittings.all(), user, Action.VIEW).order_by("held_on", "pk"),
            "can_manage": gate.allows(user, Action.CHANGE, council),
            "seat_form": forms.SeatForm(),
            "sitting_form": forms.SittingForm(initial={"held_on": timezone.localdate()}),
        },
    )


@login_required
@require_POST
def seat_add(request, pk):
    council = _council(request, pk)
    if not gate.may_create(request.user, Seat, province_id=council.round.province_id):
        raise Http404
    form = forms.SeatForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        act(
            request,
            lambda: services.seat_add(
                user=request.user,
                council=council,
                member=data["user"],
                role=data["role"],
                title=data["title"],
            ),
            success=_("Seat added."),
        )
    else:
        flash_errors(request, form)
    return redirect("evaluation:council_detail", pk=council.pk)


@login_required
@require_POST
def seat_remove(request, pk):
    seat = gate.get_or_404(Seat.objects.select_related("council__round"), request.user, Action.DELETE, pk=pk)
    act(request, lambda: services.seat_remove(user=request.user, seat=seat), success=_("Seat removed."))
    return redirect("evaluation:council_detail", pk=seat.council_id)


@login_required
@require_POST
def sitting_create(request, pk):
    council = _council(request, pk)
    if not gate.may_create(request.user, Sitting, province_id=council.round.province_id):
        raise Http404
    form = forms.SittingForm(request.POST)
    if form.is_valid():
        sitting = services.sitting_create(user=request.user, council=council, **form.cleaned_data)
        messages.success(request, _("Sitting planned. Put dossiers on its agenda."))
        return redirect("evaluation:sitting_detail", pk=sitting.pk)
    messages.error(request, _("Enter the date of the sitting."))
    return redirect("evaluation:council_detail", pk=council.pk)


def _sitting(request, pk, action=Action.VIEW) -> Sitting:
    return gate.get_or_404(
        Sitting.objects.select_related("council", "council__round", "council__round__province"),
        request.user,
        action,
        pk=pk,
    )


@login_required
@require_GET
def sitting_detail(request, pk):
    sitting = _sitting(request, pk)
    user = request.user
    council = sitting.council
    can_manage = gate.allows(user, Action.CHANGE, sitting)
    seat = selectors.seat_of(user, council)
    seats = selectors.scoring_seats(council)
    assignments = list(gate.restrict(selectors.sitting_assignments(sitting), user, Action.VIEW))
    rows = []
    for assignment in assignments:
        sheets = [s for s in assignment.sheets.all() if s.attempt == assignment.attempt]
        recused = {r.seat_id for r in assignment.recusals.all()}
        progress = None
        if can_manage and sitting.status == SittingStatus.OPEN:
            progress = selectors.council_result(assignment, sheets=sheets, seats=seats, recused=recused)
        mine = next((s for s in sheets if seat is not None and s.seat_id == seat.pk), None)
        rows.append(
            {
                "assignment": assignment,
                "submitted": sum(
                    1 for s in sheets if s.status == SheetStatus.SUBMITTED and s.seat_id not in recused
                ),
                "seats": len([s for s in seats if s.pk not in recused]),
                "progress": progress,
                "mine": mine,
                "recused": seat is not None and seat.pk in recused,
            }
        )
    return render(
        request,
        "evaluation/sitting_detail.html",
        {
            "sitting": sitting,
            "council": council,
            "rows": rows,
            "seat": seat,
            "scores": seat is not None and seat.scores,
            "can_manage": can_manage,
            "assign_form": forms.AssignForm(dossiers=_awaiting(user, council.round)) if can_manage else None,
        },
    )


@login_required
@require_POST
def sitting_open(request, pk):
    sitting = _sitting(request, pk, Action.CHANGE)
    act(
        request,
        lambda: services.sitting_open(user=request.user, sitting=sitting),
        success=_("The sitting is open: members can score."),
    )
    return redirect("evaluation:sitting_detail", pk=sitting.pk)


@login_required
@require_POST
def sitting_close(request, pk):
    sitting = _sitting(request, pk, Action.CHANGE)
    if not confirmed(request):
        return ask(
            request,
            title=_("Close the sitting"),
            consequence=_("Every sheet of this sitting is frozen for good and the results are recorded."),
            facts=[(_("Council"), sitting.council.name), (_("Date"), sitting.held_on.strftime("%d/%m/%Y"))],
            back=reverse("evaluation:sitting_detail", args=[sitting.pk]),
        )
    act(
        request,
        lambda: services.sitting_close(user=request.user, sitting=sitting),
        success=_("The sitting is closed: every sheet is frozen and the results recorded."),
    )
    return redirect("evaluation:sitting_detail", pk=sitting.pk)


@login_required
@require_POST
def assignment_add(request, pk):
    sitting = _sitting(request, pk)
    if not gate.may_create(request.user, Assignment, province_id=sitting.council.round.province_id):
        raise Http404
    form = forms.AssignForm(request.POST, dossiers=_awaiting(request.user, sitting.council.round))
    if form.is_valid():
        act(
            request,
            lambda: services.assignment_add(
                user=request.user, sitting=sitting, dossier=form.cleaned_data["dossier"]
            ),
            success=_("Dossier put on the agenda."),
        )
    else:
        messages.error(request, _("Choose a dossier awaiting a council."))
    return redirect("evaluation:sitting_detail", pk=sitting.pk)


def _assignment(request, pk, action=Action.VIEW) -> Assignment:
    return gate.get_or_404(
        Assignment.objects.select_related(
            "sitting",
            "sitting__council",
            "sitting__council__round",
            "dossier",
            "dossier__product",
            "dossier__product__producer",
            "dossier__criteria_set",
        ),
        request.user,
        action,
        pk=pk,
    )


@login_required
@require_POST
def assignment_remove(request, pk):
    assignment = _assignment(request, pk, Action.DELETE)
    act(
        request,
        lambda: services.assignment_remove(user=request.user, assignment=assignment),
        success=_("Dossier taken off the agenda."),
    )
    return redirect("evaluation:sitting_detail", pk=assignment.sitting_id)


@login_required
@require_POST
def assignment_rescore(request, pk):
    assignment = _assignment(request, pk, Action.CHANGE)
    act(
        request,
        lambda: services.assignment_rescore(user=request.user, assignment=assignment),
        success=_("Members score this dossier again."),
    )
    return redirect("evaluation:sitting_detail", pk=assignment.sitting_id)


@login_required
@require_GET
def assignment_detail(request, pk):
    """A dossier's result in a sitting, and the sheets the user may read (their own; all of them
    once the sitting has closed)."""
    assignment = _assignment(request, pk)
    data = selectors.definition(assignment.dossier)
    sheets = list(selectors.visible_sheets(request.user, assignment))
    names = selectors.seat_names(selectors.scoring_seats(assignment.sitting.council))
    return render(
        request,
        "evaluation/assignment_detail.html",
        {
            "assignment": assignment,
            "sitting": assignment.sitting,
            "data": data,
            "sheets": [{"sheet": s, "name": names.get(s.seat_id, s.seat.display_name)} for s in sheets],
            "matrix": _matrix(data, sheets),
            "result": assignment.result if assignment.sitting.status == SittingStatus.CLOSED else None,
            "recusals": gate.restrict(
                assignment.recusals.select_related("seat__user"), request.user, Action.VIEW
            ),
        },
    )


def _matrix(data, sheets: list[Sheet]) -> list[dict]:
    """Criteria down, sheets across: the points each member gave."""
    rows = []
    for criterion in data.criteria:
        cells = []
        for sheet in sheets:
            value = sheet.answers.get(criterion.code)
            cells.append(engine.points_given(data, {criterion.code: value}) if value is not None else None)
        rows.append({"criterion": criterion, "cells": cells})
    return rows


# ---------------------------------------------------------------------------------------------
# The member's scoring screen (tablet first; htmx saves each answer, works without JavaScript)
# ---------------------------------------------------------------------------------------------


def _member_context(request, assignment: Assignment) -> dict:
    council = assignment.sitting.council
    seat = selectors.seat_of(request.user, council)
    if seat is None or not seat.scores:
        raise Http404
    dossier = assignment.dossier
    data = selectors.definition(dossier)
    sheet = Sheet.objects.filter(assignment=assignment, seat=seat, attempt=assignment.attempt).first()
    earlier = None
    if sheet is None and assignment.attempt > 1:
        earlier = Sheet.objects.filter(assignment=assignment, seat=seat).order_by("-attempt").first()
    answers = sheet.answers if sheet else (earlier.answers if earlier else {})
    evidence: dict[str, list] = {}
    for item in gate.restrict(dossier.evidence.filter(document=""), request.user, Action.VIEW):
        evidence.setdefault(item.criterion, []).append(item)
    recused = assignment.recusals.filter(seat=seat).exists()
    writable = (
        assignment.sitting.status == SittingStatus.OPEN
        and not recused
        and (sheet is None or (not sheet.frozen and sheet.status == SheetStatus.DRAFT))
    )
    return {
        "assignment": assignment,
        "dossier": dossier,
        "data": data,
        "seat": seat,
        "sheet": sheet,
        "rows": sheetform.criterion_rows(
            data,
            sheetform.radio_values(answers),
            hints=sheetform.radio_values(dossier.answers),
            evidence=evidence,
        ),
        "flags": set(sheet.flags if sheet else []),
        "general_checks": [c for c in data.checks if c.criterion is None],
        "answered": len(answers),
        "criteria_count": len(data.criteria),
        "points": engine.points_given(data, answers),
        "writable": writable,
        "recused": recused,
        "recusal_form": forms.RecusalForm(),
        "documents": gate.restrict(dossier.evidence.exclude(document=""), request.user, Action.VIEW),
    }


@login_required
@require_http_methods(["GET", "POST"])
def sheet(request, pk):
    assignment = _assignment(request, pk)
    if request.method == "POST":
        ticked = sheetform.ticked(request.POST)
        # "Submit the sheet" saves the answers as a draft, then asks on a page of its own;
        # only a confirmed POST hands the sheet in.
        submit = bool(request.POST.get("submit")) and confirmed(request)
        asking = bool(request.POST.get("submit")) and not submit

        def save():
            services.sheet_save(
                user=request.user,
                assignment=assignment,
                answers=ticked.answers,
                flags=ticked.checks,
                replace=True,
            )
            if submit:
                services.sheet_submit(user=request.user, assignment=assignment)

        saved = act(
            request, save, success=_("Sheet submitted.") if submit else "" if asking else _("Answers saved.")
        )
        if asking and saved is not REFUSED:
            return _ask_submit(request, assignment)
        return redirect("evaluation:sheet", pk=assignment.pk)
    return render(request, "evaluation/sheet.html", _member_context(request, assignment))


@login_required
@require_POST
def sheet_answer(request, pk):
    """htmx: save the one answer just ticked; answer with the progress bar."""
    assignment = _assignment(request, pk)
    ticked = sheetform.ticked(request.POST)
    error = ""
    try:
        services.sheet_save(
            user=request.user,
            assignment=assignment,
            answers=ticked.answers,
            flags=ticked.checks if "flags" in request.POST else None,
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        error = " ".join(exc.messages)
    context = _member_context(request, assignment)
    context["error"] = error
    return render(request, "evaluation/_sheet_progress.html", context, status=200)


def _ask_submit(request, assignment: Assignment):
    """The member's saved sheet, its points and stars, before it is handed in for good."""
    context = _member_context(request, assignment)
    sheet = context["sheet"]
    facts = [
        (_("Product"), assignment.dossier.product.name_vi),
        (_("Criteria answered"), f"{context['answered']}/{context['criteria_count']}"),
        (_("Points"), context["points"]),
    ]
    if sheet is not None:
        try:
            result = engine.score(context["data"], sheet.answers, sheet.flags)
        except engine.AnswerError:
            pass  # the service names the criteria left unanswered when the member confirms
        else:
            facts.append((_("Stars"), result.stars or _("not recognised")))
    return ask(
        request,
        title=_("Submit the sheet"),
        consequence=_("Your answers are saved. Once submitted, the sheet is handed to the council as it is."),
        facts=facts,
        action=reverse("evaluation:sheet_submit", args=[assignment.pk]),
        back=reverse("evaluation:sheet", args=[assignment.pk]),
        carry=False,
    )


@login_required
@require_POST
def sheet_submit(request, pk):
    assignment = _assignment(request, pk)
    if not confirmed(request):
        return _ask_submit(request, assignment)
    act(
        request,
        lambda: services.sheet_submit(user=request.user, assignment=assignment),
        success=_("Sheet submitted."),
    )
    return redirect("evaluation:sheet", pk=assignment.pk)


@login_required
@require_POST
def recusal_declare(request, pk):
    assignment = _assignment(request, pk)
    form = forms.RecusalForm(request.POST)
    if form.is_valid():
        act(
            request,
            lambda: services.recusal_declare(
                user=request.user, assignment=assignment, reason=form.cleaned_data["reason"]
            ),
            success=_("Conflict of interest declared: you do not score this dossier."),
        )
    else:
        messages.error(request, _("State the conflict of interest."))
    return redirect("evaluation:sitting_detail", pk=assignment.sitting_id)
