"""The start of the managing pages: what this person may keep in the market."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.collation import by_name
from ocop.registry.models import Producer

from .. import selectors
from ..models import Fair, FairParticipant, PointOfSale


@login_required
@require_GET
def manage_home(request):
    user = request.user
    producers = gate.restrict(Producer.objects.all(), user, Action.CHANGE)
    own = list(producers.filter(members=user).order_by(*by_name("name"))[:20])
    return render(
        request,
        "market/manage_home.html",
        {
            "own_producers": own,
            "open_enquiries": selectors.enquiries_for(user, status="open").count(),
            "points": gate.can(user, Action.CHANGE, PointOfSale),
            "point_count": gate.restrict(PointOfSale.objects.all(), user, Action.CHANGE).count()
            if gate.can(user, Action.CHANGE, PointOfSale)
            else 0,
            "fairs": gate.can(user, Action.CHANGE, Fair),
            "participations": gate.restrict(FairParticipant.objects.all(), user, Action.CHANGE)
            .filter(producer__members=user)
            .select_related("fair", "producer")
            .order_by("-fair__starts_on")[:20],
        },
    )
