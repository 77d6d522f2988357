"""Dossiers: the producer's list, a new dossier, the self-assessment, evidence, submission; the
commune's check."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.criteria import sheetform
from ocop.registry.models import Product
from ocop.web.confirm import ask, confirmed
from ocop.web.edge import text_param
from ocop.web.feedback import act, apply_errors, flash_errors
from ocop.web.paging import paginate

from .. import forms, selectors, services
from ..choices import DocumentKind, DossierStatus, Level, RoundStatus
from ..models import CriteriaGap, Dossier, DossierCheck, Evidence, Round
from ._common import own_producers, query_without_page, serve_file


@login_required
@require_GET
def dossier_list(request):
    filters = selectors.DossierFilters(
        status=text_param(request.GET, "status"),
        level=text_param(request.GET, "level"),
        q=text_param(request.GET, "q"),
    )
    page = paginate(request, selectors.dossiers_for(request.user, filters))
    can_create = own_producers(request.user, Dossier).exists()
    return render(
        request,
        "evaluation/dossier_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": DossierStatus.choices,
            "levels": Level.choices,
            "query": query_without_page(request),
            "can_create": can_create,
            "can_rounds": gate.can(request.user, Action.VIEW, Round),
            # Product sets producers of the officer's province wait for (none for others).
            "gaps": list(
                gate.restrict(
                    CriteriaGap.objects.select_related("product_set", "province"), request.user, Action.VIEW
                )[:50]
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dossier_create(request):
    producers = own_producers(request.user, Dossier)
    if not producers.exists():
        raise Http404
    products = gate.restrict(
        Product.objects.filter(producer__in=producers).select_related("producer"), request.user, Action.CHANGE
    )
    provinces = products.values("producer__province_id")
    rounds = Round.objects.filter(province_id__in=provinces, status=RoundStatus.OPEN).select_related(
        "province"
    )
    initial = {}
    if request.GET.get("product", "").isdigit():
        initial["product"] = int(request.GET["product"])
    # The choice to save a draft without a criteria set is offered once the product set is known
    # to have none (the service says so on the "draft" field).
    offer_draft = "draft" in request.POST
    form = forms.DossierCreateForm(
        request.POST or None, products=products, rounds=rounds, initial=initial, offer_draft=offer_draft
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dossier = services.dossier_create(
                user=request.user,
                product=data["product"],
                round=data["round"],
                kind=data["kind"],
                draft=bool(data.get("draft")),
            )
        except ValidationError as exc:
            if "draft" in getattr(exc, "error_dict", {}) and not offer_draft:
                form = forms.DossierCreateForm(
                    request.POST, products=products, rounds=rounds, offer_draft=True
                )
                form.is_valid()
            apply_errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
        else:
            if dossier.criteria_set_id is None:
                messages.warning(request, _("Dossier saved as a draft until its criteria set is in force."))
            else:
                messages.success(request, _("Dossier opened."))
            return redirect("evaluation:dossier_detail", pk=dossier.pk)
    return render(request, "evaluation/dossier_form.html", {"form": form})


def _dossier(request, pk, action=Action.VIEW) -> Dossier:
    return gate.get_or_404(
        Dossier.objects.select_related(
            "product",
            "product__producer",
            "product__producer__commune",
            "product__producer__province",
            "product__product_set",
            "round",
            "round__province",
            "criteria_set",
            "previous",
        ),
        request.user,
        action,
        pk=pk,
    )


def _self_assessed(dossier, data) -> sheetform.Outcome | None:
    """The self-assessed result and the upgrade advice, or None while answers are missing."""
    outcome = sheetform.assess(data, dossier.answers, dossier.flags)
    return outcome if outcome.result is not None else None


@login_required
@require_GET
def dossier_detail(request, pk):
    dossier = _dossier(request, pk)
    user = request.user
    producer = dossier.product.producer
    data = selectors.definition(dossier)
    evidence = list(gate.restrict(dossier.evidence.all(), user, Action.VIEW))
    checks = gate.restrict(dossier.commune_checks.select_related("checked_by"), user, Action.VIEW)
    documents, criteria = selectors.evidence_slots(dossier, evidence)
    can_edit = gate.allows(user, Action.CHANGE, dossier) and dossier.editable
    can_check = dossier.status == DossierStatus.SUBMITTED and gate.may_create(
        user, DossierCheck, province_id=producer.province_id, commune_id=producer.commune_id
    )
    assignments = gate.restrict(
        dossier.assignments.select_related("sitting", "sitting__council", "sitting__council__round"),
        user,
        Action.VIEW,
    )
    items = gate.restrict(
        dossier.decision_items.select_related("decision", "certificate", "recognition"), user, Action.VIEW
    )
    return render(
        request,
        "evaluation/dossier_detail.html",
        {
            "dossier": dossier,
            "rules": dossier.rules,
            "data": data,
            "sheet": selectors.sheet_for(dossier),
            "documents": documents,
            "criteria": criteria,
            "answered": len(dossier.answers),
            "criteria_count": len(data.criteria) if data is not None else 0,
            "self": _self_assessed(dossier, data) if dossier.editable and data is not None else None,
            "missing": [DocumentKind(kind).label for kind in selectors.missing_documents(dossier)],
            "can_edit": can_edit,
            "can_check": can_check,
            "checks": checks,
            "assignments": assignments,
            "items": items,
            "evidence_form": forms.EvidenceForm(),
            "carried": sum(1 for e in evidence if e.carried_from_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dossier_assessment(request, pk):
    """The producer's self-assessment on the product's sheet, with the score and the advice."""
    dossier = _dossier(request, pk)
    data = selectors.definition(dossier)
    if data is None:
        messages.info(
            request, _("The self-assessment opens once the criteria set of the product set is in force.")
        )
        return redirect("evaluation:dossier_detail", pk=dossier.pk)
    can_edit = gate.allows(request.user, Action.CHANGE, dossier) and dossier.editable
    errors = []
    if request.method == "POST":
        if not can_edit:
            raise Http404
        ticked = sheetform.ticked(request.POST)
        try:
            dossier = services.dossier_self_assess(
                user=request.user, dossier=dossier, answers=ticked.answers, flags=ticked.checks
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            if not request.htmx:
                messages.success(request, _("Self-assessment saved."))
                return redirect("evaluation:dossier_assessment", pk=dossier.pk)
    context = {
        "dossier": dossier,
        "data": data,
        "sheet": selectors.sheet_for(dossier),
        "rows": sheetform.criterion_rows(data, sheetform.radio_values(dossier.answers)),
        "flags": set(dossier.flags),
        "general_checks": [c for c in data.checks if c.criterion is None],
        "self": _self_assessed(dossier, data),
        "answered": len(dossier.answers),
        "criteria_count": len(data.criteria),
        "can_edit": can_edit,
        "errors": errors,
    }
    if request.htmx:
        return render(request, "evaluation/_self_result.html", context)
    return render(request, "evaluation/dossier_assessment.html", context)


@login_required
@require_POST
def evidence_add(request, pk):
    dossier = _dossier(request, pk)
    form = forms.EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        replaces = None
        if form.cleaned_data.get("replaces"):
            replaces = gate.get_or_404(
                Evidence.objects.all(),
                request.user,
                Action.DELETE,
                pk=form.cleaned_data["replaces"],
                dossier=dossier,
            )
        act(
            request,
            lambda: services.evidence_add(
                user=request.user,
                dossier=dossier,
                upload=form.cleaned_data["file"],
                replaces=replaces,
                **form.slot_fields(),
            ),
            success=_("File attached."),
        )
    else:
        flash_errors(request, form)
    return redirect("evaluation:dossier_detail", pk=dossier.pk)


@login_required
@require_POST
def evidence_remove(request, pk):
    evidence = gate.get_or_404(Evidence.objects.select_related("dossier"), request.user, Action.DELETE, pk=pk)
    act(
        request,
        lambda: services.evidence_remove(user=request.user, evidence=evidence),
        success=_("File removed."),
    )
    return redirect("evaluation:dossier_detail", pk=evidence.dossier_id)


@login_required
@require_GET
def evidence_file(request, pk):
    evidence = gate.get_or_404(Evidence.objects.all(), request.user, Action.VIEW, pk=pk)
    return serve_file(evidence.file, evidence.original_name, evidence.content_type)


@login_required
@require_POST
def dossier_submit(request, pk):
    dossier = _dossier(request, pk, Action.CHANGE)
    if not confirmed(request):
        return ask(
            request,
            title=_("Submit the dossier"),
            consequence=_("The dossier goes to the commune for its check; you can no longer change it."),
            facts=[(_("Product"), dossier.product.name_vi)],
            back=reverse("evaluation:dossier_detail", args=[dossier.pk]),
        )
    act(
        request,
        lambda: services.dossier_submit(user=request.user, dossier=dossier),
        success=_("Dossier submitted."),
    )
    return redirect("evaluation:dossier_detail", pk=dossier.pk)


@login_required
@require_http_methods(["GET", "POST"])
def dossier_check(request, pk):
    """The commune's check: completeness, the local criteria, return or forward."""
    dossier = _dossier(request, pk)
    producer = dossier.product.producer
    if not gate.may_create(
        request.user, DossierCheck, province_id=producer.province_id, commune_id=producer.commune_id
    ):
        raise Http404
    rules = dossier.rules
    form = forms.CheckForm(request.POST or None, local_criteria=rules.local_criteria)
    if request.method == "POST" and form.is_valid():
        try:
            services.dossier_check(
                user=request.user,
                dossier=dossier,
                outcome=form.cleaned_data["outcome"],
                reasons=form.cleaned_data["reasons"],
                findings=form.findings(),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Check recorded."))
            return redirect("evaluation:dossier_detail", pk=dossier.pk)
    evidence = list(dossier.evidence.all())
    documents, _criteria = selectors.evidence_slots(dossier, evidence)
    return render(
        request,
        "evaluation/dossier_check.html",
        {
            "dossier": dossier,
            "form": form,
            "documents": documents,
            "missing": selectors.missing_documents(dossier),
            "awaiting": dossier.status == DossierStatus.SUBMITTED,
            "local_fields": [(form[f"finding_{c}"], form[f"note_{c}"]) for c in rules.local_criteria],
        },
    )
