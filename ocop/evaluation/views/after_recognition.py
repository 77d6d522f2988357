"""After recognition: the recognitions about to expire, and revocation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.registry.models import Recognition
from ocop.registry.views import ask_revoke
from ocop.web.confirm import confirmed
from ocop.web.feedback import apply_errors

from .. import forms, selectors, services
from ..choices import RevocationGround
from ..models import Revocation


@login_required
@require_GET
def expiring(request):
    rows = selectors.expiring_recognitions(request.user)
    return render(
        request,
        "evaluation/expiring.html",
        {"rows": rows, "can_revoke": gate.can(request.user, Action.ADD, Revocation)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def revoke(request, pk):
    recognition = gate.get_or_404(
        Recognition.objects.select_related("product", "product__producer"), request.user, Action.CHANGE, pk=pk
    )
    producer = recognition.product.producer
    if not gate.may_create(
        request.user, Revocation, province_id=producer.province_id, commune_id=producer.commune_id
    ):
        raise Http404
    form = forms.RevocationForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid() and not confirmed(request):
        data = form.cleaned_data
        return ask_revoke(
            request,
            recognition,
            [
                (_("Ground"), RevocationGround(data["ground"]).label),
                (_("Revocation decision number"), data["decision_no"]),
                (_("Revoked from"), (data["revoked_on"] or data["decided_on"]).strftime("%d/%m/%Y")),
            ],
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.revocation_record(user=request.user, recognition=recognition, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Recognition revoked."))
            return redirect("registry:product_detail", pk=recognition.product_id)
    return render(request, "evaluation/revoke.html", {"form": form, "recognition": recognition})
