"""Fairs: the public list and page; and where organisers keep them, participants and sales."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.web.edge import text_param
from ocop.web.feedback import REFUSED, act, flash_errors, submitted

from .. import forms, selectors, services
from ..models import Fair, FairParticipant

# ---------------------------------------------------------------------------------------------
# Fairs
# ---------------------------------------------------------------------------------------------


@require_GET
def fair_list(request):
    today = timezone.localdate()
    province = text_param(request.GET, "province")
    return render(
        request,
        "market/fair_list.html",
        {
            "upcoming": selectors.fairs(user=request.user, upcoming=True, day=today, province=province),
            "past": selectors.fairs(user=request.user, upcoming=False, day=today, province=province)[:30],
            "provinces": forms.current_provinces(),
            "province": province,
            "can_add": gate.can(request.user, Action.ADD, Fair),
        },
    )


@require_GET
def fair_detail(request, pk):
    fair, participants, totals = selectors.fair_detail(pk, user=request.user)
    today = timezone.localdate()
    return render(
        request,
        "market/fair_detail.html",
        {
            "fair": fair,
            "participants": participants,
            "totals": totals,
            "started": fair.starts_on <= today,
            "can_change": request.user.is_authenticated and gate.allows(request.user, Action.CHANGE, fair),
            "today": today,
        },
    )


# ---------------------------------------------------------------------------------------------
# Managing fairs
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def manage_fairs(request):
    fairs = (
        gate.restrict(Fair.objects.all(), request.user, Action.CHANGE)
        .select_related("province")
        .order_by("-starts_on", "pk")
    )
    participations = (
        gate.restrict(FairParticipant.objects.all(), request.user, Action.CHANGE)
        .filter(producer__members=request.user)
        .select_related("fair", "producer")
        .order_by("-fair__starts_on", "pk")
    )
    return render(
        request,
        "market/manage_fairs.html",
        {
            "fairs": Paginator(fairs, 50).get_page(request.GET.get("page")),
            "participations": participations,
            "can_add": gate.can(request.user, Action.ADD, Fair),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def fair_create(request):
    if not gate.can(request.user, Action.ADD, Fair):
        return render(request, "403.html", status=403)
    form = forms.FairForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fair, form, _status = submitted(
            request,
            form,
            lambda: services.fair_create(user=request.user, data=form.service_data()),
            success=lambda fair: _("Event “%(name)s” recorded.") % {"name": fair.name},
        )
        if fair is not REFUSED:
            return redirect("market:fair_edit", pk=fair.pk)
    return render(request, "market/fair_form.html", {"form": form, "fair": None})


@login_required
@require_http_methods(["GET", "POST"])
def fair_edit(request, pk):
    fair = gate.get_or_404(Fair.objects.select_related("province"), request.user, Action.CHANGE, pk=pk)
    form = forms.FairForm(request.POST or None, instance=fair, user=request.user)
    status = 200
    if request.method == "POST" and form.is_valid():
        saved, form, status = submitted(
            request,
            form,
            lambda: services.fair_update(
                user=request.user, fair=fair, data=form.service_data(), version=form.cleaned_data["version"]
            ),
            success=_("Saved."),
        )
        if saved is not REFUSED:
            return redirect("market:fair_edit", pk=fair.pk)
    participants = (
        FairParticipant.objects.filter(fair=fair)
        .select_related("producer")
        .prefetch_related("products")
        .order_by("booth", "pk")
    )
    return render(
        request,
        "market/fair_form.html",
        {
            "form": form,
            "fair": fair,
            "participants": participants,
            "participant_form": forms.ParticipantForm(),
        },
        status=status,
    )


@login_required
@require_POST
def participant_add(request, pk):
    fair = gate.get_or_404(Fair.objects.all(), request.user, Action.CHANGE, pk=pk)
    form = forms.ParticipantForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        act(
            request,
            lambda: services.participant_add(
                user=request.user,
                fair=fair,
                producer=data["producer"],
                booth=data["booth"],
                products=data["products"],
            ),
            success=_("Participant added."),
        )
    else:
        flash_errors(request, form)
    return redirect("market:fair_edit", pk=fair.pk)


@login_required
@require_POST
def participant_remove(request, pk):
    participant = gate.get_or_404(
        FairParticipant.objects.select_related("fair"), request.user, Action.VIEW, pk=pk
    )
    if not gate.allows(request.user, Action.CHANGE, participant.fair):
        raise Http404
    services.participant_remove(user=request.user, participant=participant)
    messages.success(request, _("Participant removed."))
    return redirect("market:fair_edit", pk=participant.fair_id)


@login_required
@require_http_methods(["GET", "POST"])
def sales_report(request, pk):
    participant = gate.get_or_404(
        FairParticipant.objects.select_related("fair", "producer"), request.user, Action.CHANGE, pk=pk
    )
    form = forms.SalesReportForm(request.POST or None, instance=participant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved, form, _status = submitted(
            request,
            form,
            lambda: services.participant_sales_report(
                user=request.user,
                participant=participant,
                sales_vnd=data["sales_vnd"],
                contracts=data["contracts"],
                note=data["sales_note"],
            ),
            success=_("Sales reported. Thank you."),
        )
        if saved is not REFUSED:
            return redirect("market:fair_detail", pk=participant.fair_id)
    return render(request, "market/sales_form.html", {"form": form, "participant": participant})
