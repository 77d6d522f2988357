"""Producers' ideas and business plans, and the commune's answer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.registry.models import Product
from ocop.web.edge import text_param
from ocop.web.feedback import act, apply_errors
from ocop.web.paging import paginate

from .. import forms, selectors, services
from ..choices import IdeaStatus
from ..models import Idea, IdeaReview
from ._common import own_producers, query_without_page, serve_file


@login_required
@require_GET
def idea_list(request):
    status = text_param(request.GET, "status")
    page = paginate(request, selectors.ideas_for(request.user, status=status))
    return render(
        request,
        "evaluation/idea_list.html",
        {
            "page": page,
            "status": status,
            "statuses": IdeaStatus.choices,
            "query": query_without_page(request),
            "can_submit": own_producers(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def idea_create(request):
    producers = own_producers(request.user)
    if not producers.exists():
        raise Http404
    products = gate.restrict(Product.objects.filter(producer__in=producers), request.user, Action.CHANGE)
    form = forms.IdeaForm(request.POST or None, producers=producers, products=products)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            idea = services.idea_submit(
                user=request.user,
                producer=data["producer"],
                product=data["product"],
                name=data["name"],
                group=data["group"],
                description=data["description"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            form.add_error("producer", _("You do not act for this producer."))
        else:
            messages.success(request, _("Idea submitted to the commune."))
            return redirect("evaluation:idea_detail", pk=idea.pk)
    return render(request, "evaluation/idea_form.html", {"form": form})


def _idea(request, pk, action=Action.VIEW) -> Idea:
    return gate.get_or_404(
        Idea.objects.select_related("producer", "producer__commune", "producer__province", "product"),
        request.user,
        action,
        pk=pk,
    )


@login_required
@require_GET
def idea_detail(request, pk):
    idea = _idea(request, pk)
    producer = idea.producer
    can_change = gate.allows(request.user, Action.CHANGE, idea)
    can_review = idea.status == IdeaStatus.SUBMITTED and gate.may_create(
        request.user, IdeaReview, province_id=producer.province_id, commune_id=producer.commune_id
    )
    return render(
        request,
        "evaluation/idea_detail.html",
        {
            "idea": idea,
            "reviews": gate.restrict(idea.reviews.select_related("reviewed_by"), request.user, Action.VIEW),
            "can_review": can_review,
            "review_form": forms.ReviewForm(),
            "can_resubmit": can_change and idea.status == IdeaStatus.RETURNED,
            "resubmit_form": forms.IdeaResubmitForm(
                initial={"name": idea.name, "group": idea.group, "description": idea.description}
            ),
            "can_plan": can_change and idea.status in (IdeaStatus.ACCEPTED, IdeaStatus.PLANNED),
            "plan_form": forms.PlanForm(initial={"plan_summary": idea.plan_summary}),
        },
    )


@login_required
@require_POST
def idea_review(request, pk):
    idea = _idea(request, pk)
    form = forms.ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        act(
            request,
            lambda: services.idea_review(
                user=request.user, idea=idea, outcome=data["outcome"], reason=data["reason"]
            ),
            success=_("Answer recorded."),
        )
    else:
        messages.error(request, _("Accept or return the idea."))
    return redirect("evaluation:idea_detail", pk=idea.pk)


@login_required
@require_POST
def idea_resubmit(request, pk):
    idea = _idea(request, pk, Action.CHANGE)
    form = forms.IdeaResubmitForm(request.POST)
    if form.is_valid():
        act(
            request,
            lambda: services.idea_resubmit(user=request.user, idea=idea, **form.cleaned_data),
            success=_("Idea submitted to the commune."),
        )
    else:
        messages.error(request, _("Fill in every field."))
    return redirect("evaluation:idea_detail", pk=idea.pk)


@login_required
@require_POST
def idea_plan(request, pk):
    idea = _idea(request, pk, Action.CHANGE)
    form = forms.PlanForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        act(
            request,
            lambda: services.idea_plan_file(
                user=request.user, idea=idea, summary=data["plan_summary"], upload=data["plan_file"]
            ),
            success=_("Business plan filed."),
        )
    return redirect("evaluation:idea_detail", pk=idea.pk)


@login_required
@require_GET
def idea_plan_file(request, pk):
    idea = _idea(request, pk)
    return serve_file(idea.plan_file, idea.plan_name or "plan")
