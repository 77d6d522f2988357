"""Where producers keep a product's supply figures and their sales channels."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.registry.models import Producer, Product
from ocop.web.feedback import REFUSED, act, submitted

from .. import forms, selectors, services
from ..models import SalesChannel


@login_required
@require_http_methods(["GET", "POST"])
def supply_edit(request, pk):
    product = gate.get_or_404(
        Product.objects.select_related("producer", "producer__province"), request.user, Action.CHANGE, pk=pk
    )
    supply = getattr(product, "supply", None)
    form = forms.SupplyForm(request.POST or None, instance=supply)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form._meta.fields}
        saved, form, status = submitted(
            request,
            form,
            lambda: services.supply_update(
                user=request.user, product=product, data=data, version=form.cleaned_data["version"]
            ),
            success=_("Supply capacity saved."),
        )
        if saved is not REFUSED:
            return redirect("market:supply_edit", pk=product.pk)
    return render(request, "market/supply_form.html", {"form": form, "product": product}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def channels(request, pk):
    producer = gate.get_or_404(
        Producer.objects.select_related("province"), request.user, Action.CHANGE, pk=pk
    )
    form = forms.ChannelForm(request.POST or None, producer=producer)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("kind", "partner", "url", "country", "started_on")}
        saved, form, _status = submitted(
            request,
            form,
            lambda: services.channel_add(
                user=request.user, producer=producer, product=form.cleaned_data["product"], data=data
            ),
            success=_("Sales channel added."),
        )
        if saved is not REFUSED:
            return redirect("market:channels", pk=producer.pk)
    return render(
        request,
        "market/channels.html",
        {
            "producer": producer,
            "form": form,
            "channels": selectors.producer_channels(producer, user=request.user),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def channel_end(request, pk):
    channel = gate.get_or_404(
        SalesChannel.objects.select_related("producer"), request.user, Action.VIEW, pk=pk
    )
    if not gate.allows(request.user, Action.CHANGE, channel.producer):
        raise Http404
    act(
        request,
        lambda: services.channel_end(user=request.user, channel=channel),
        success=_("Channel marked as ended."),
    )
    return redirect("market:channels", pk=channel.producer_id)
