"""Recognition decisions and certificates, and the public check a certificate's QR code opens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.web.confirm import ask, confirmed
from ocop.web.feedback import apply_errors, flash_errors

from .. import forms, selectors, services
from .. import process as processes
from ..choices import DecisionStatus, Level
from ..models import Certificate, Decision, Revocation
from ._common import round_or_404, serve_file


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request, pk):
    round_ = round_or_404(request, pk)
    if not gate.may_create(request.user, Decision, province_id=round_.province_id):
        raise Http404
    candidates = services.decidable(round_)
    rules = round_.rules
    previews = [
        {
            "assignment": a,
            "outcome": outcome,
            "forward_to": Level(outcome.forward_to).label if outcome.forward_to else "",
        }
        for a in candidates
        for outcome in [processes.outcome(rules, round_.level, a.score, a.stars)]
    ]
    form = forms.DecisionForm(request.POST or None, initial={"signed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        chosen_ids = {int(x) for x in request.POST.getlist("assignments") if x.isdigit()}
        chosen = [a for a in candidates if a.pk in chosen_ids] if chosen_ids else None
        try:
            decision = services.decision_create(
                user=request.user, round=round_, assignments=chosen, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Decision drafted. Check it, then issue it."))
            return redirect("evaluation:decision_detail", pk=decision.pk)
    return render(
        request, "evaluation/decision_form.html", {"round": round_, "form": form, "previews": previews}
    )


def _decision(request, pk, action=Action.VIEW) -> Decision:
    return gate.get_or_404(
        Decision.objects.select_related("round", "round__province", "job"), request.user, action, pk=pk
    )


@login_required
@require_GET
def decision_detail(request, pk):
    decision = _decision(request, pk)
    return render(
        request,
        "evaluation/decision_detail.html",
        {
            "decision": decision,
            "items": selectors.decision_items(decision),
            "can_issue": decision.status == DecisionStatus.DRAFT
            and gate.allows(request.user, Action.CHANGE, decision),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def decision_issue(request, pk):
    decision = _decision(request, pk, Action.CHANGE)
    if not confirmed(request):
        return ask(
            request,
            title=_("Issue the decision"),
            consequence=_(
                "The recognitions go into the registry at once; one certificate per product is made "
                "as a PDF with its QR code."
            ),
            facts=[
                (_("Decision number"), decision.number),
                (_("Signed on"), decision.signed_on.strftime("%d/%m/%Y")),
                (_("Products"), decision.items.count()),
            ],
            back=reverse("evaluation:decision_detail", args=[decision.pk]),
        )
    try:
        decision, job = services.decision_issue(user=request.user, decision=decision)
    except ValidationError as exc:
        flash_errors(request, exc)
        return redirect("evaluation:decision_detail", pk=decision.pk)
    except PermissionDenied:
        messages.error(request, _("You may not record recognitions at this level."))
        return redirect("evaluation:decision_detail", pk=decision.pk)
    messages.success(
        request, _("Decision issued: the recognitions are in the registry; the certificates are being made.")
    )
    if job is not None:
        return redirect("jobs:detail", pk=job.pk)
    return redirect("evaluation:decision_detail", pk=decision.pk)


@login_required
@require_GET
def certificate_pdf(request, pk):
    certificate = gate.get_or_404(
        Certificate.objects.select_related("item"), request.user, Action.VIEW, pk=pk
    )
    if not gate.allows(request.user, Action.VIEW, certificate.item):
        raise Http404
    return serve_file(
        certificate.file, f"giay-chung-nhan-{certificate.number.replace('/', '-')}.pdf", "application/pdf"
    )


@require_GET
def verify(request, code):
    """What a certificate's QR code opens: the live status of the recognition, for anyone."""
    certificate = selectors.certificate_by_code(request.user, code)
    recognition = certificate.recognition
    today = timezone.localdate()
    revocation = Revocation.objects.filter(recognition=recognition).first()
    current = recognition.product.current_recognition(today)
    return render(
        request,
        "evaluation/verify.html",
        {
            "certificate": certificate,
            "recognition": recognition,
            "product": recognition.product,
            "status": recognition.status_on(today),
            "revocation": revocation,
            "current": current if current is not None and current.pk != recognition.pk else None,
            "today": today,
        },
    )
