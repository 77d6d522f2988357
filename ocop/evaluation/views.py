"""Pages of the OCOP cycle, each for its role: producers' ideas and dossiers, the commune's
check, the province's rounds, councils, sittings and decisions, members' scoring screen, the
public certificate check.

Views parse input, fetch rows through the permission gate and call services; they hold no rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.criteria import advisor, engine
from ocop.criteria import messages as words
from ocop.geo.models import Province
from ocop.registry.models import Product, Recognition
from ocop.web.edge import text_param
from ocop.web.feedback import apply_errors, flash_errors
from ocop.web.paging import paginate

from . import forms, selectors, services
from .choices import (
    EDITABLE_DOSSIER_STATUSES,
    DecisionStatus,
    DossierStatus,
    IdeaStatus,
    Level,
    SheetStatus,
    SittingStatus,
)
from .models import (
    Assignment,
    Certificate,
    Council,
    Decision,
    Dossier,
    DossierCheck,
    Evidence,
    Idea,
    IdeaReview,
    Revocation,
    Round,
    Seat,
    Sheet,
    Sitting,
)

ANSWER_PREFIX = "c:"
CHECK_PREFIX = "k:"


def _query_without_page(request) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _not_found():
    raise Http404


# ---------------------------------------------------------------------------------------------
# The sheet as rows of radio buttons (self-assessment and members' screen)
# ---------------------------------------------------------------------------------------------


@dataclass
class _Option:
    value: str
    points: int
    label: str
    marker: int | None
    checked: bool
    hinted: bool
    none: bool = False


def _selected(data, answers: dict) -> dict[str, str]:
    """Stored answers as radio values "case:option"."""
    out = {}
    for code, value in (answers or {}).items():
        if isinstance(value, dict):
            out[code] = f"{value.get('case')}:{value.get('option')}"
        else:
            out[code] = f"1:{value}"
    return out


def _answers_from(post) -> tuple[dict, list[str]]:
    answers = {}
    for key, value in post.items():
        if key.startswith(ANSWER_PREFIX) and value:
            case, _sep, option = value.partition(":")
            answers[key.removeprefix(ANSWER_PREFIX)] = (
                {"case": int(case), "option": int(option)} if case.isdigit() and option.isdigit() else value
            )
    flags = [key.removeprefix(CHECK_PREFIX) for key in post if key.startswith(CHECK_PREFIX)]
    return answers, flags


def _rows(data, answers: dict, hints: dict | None = None, evidence: dict | None = None) -> list[dict]:
    """Criteria in sheet order, each with its options (radio values) and evidence files."""
    selected, hinted = _selected(data, answers), _selected(data, hints or {})
    rows = []
    for part in data.parts:
        for section in part.sections:
            for criterion in section.criteria:
                blocks = []
                for block in criterion.blocks:
                    options = [
                        _Option(
                            value=f"{block.position}:{o.position}",
                            points=o.points,
                            label=o.label,
                            marker=o.marker,
                            checked=selected.get(criterion.code) == f"{block.position}:{o.position}",
                            hinted=hinted.get(criterion.code) == f"{block.position}:{o.position}",
                        )
                        for o in block.options
                    ]
                    if data.none_option and not block.has_zero:
                        value = f"{block.position}:0"
                        options.append(
                            _Option(
                                value, 0, "", None, selected.get(criterion.code) == value, False, none=True
                            )
                        )
                    blocks.append({"block": block, "options": options})
                rows.append(
                    {
                        "criterion": criterion,
                        "part": part,
                        "section": section,
                        "blocks": blocks,
                        "answered": criterion.code in selected,
                        "evidence": (evidence or {}).get(criterion.code, []),
                        "checks": data.checks_at(criterion.code),
                    }
                )
    return rows


def _points_so_far(data, answers: dict) -> int:
    total = 0
    for code, value in answers.items():
        criterion = data.criterion(code)
        if criterion is None:
            continue
        case, option = (
            (value.get("case", 1), value.get("option", 0)) if isinstance(value, dict) else (1, value)
        )
        block = criterion.block(case)
        chosen = block.option(option) if block else None
        total += chosen.points if chosen else 0
    return total


# ---------------------------------------------------------------------------------------------
# Ideas and plans
# ---------------------------------------------------------------------------------------------


def _own_producers(user, model=Idea):
    return selectors.producers_for_new(user, model).order_by("name")


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
            "query": _query_without_page(request),
            "can_submit": _own_producers(request.user).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def idea_create(request):
    producers = _own_producers(request.user)
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
        try:
            services.idea_review(
                user=request.user,
                idea=idea,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Answer recorded."))
    else:
        messages.error(request, _("Accept or return the idea."))
    return redirect("evaluation:idea_detail", pk=idea.pk)


@login_required
@require_POST
def idea_resubmit(request, pk):
    idea = _idea(request, pk, Action.CHANGE)
    form = forms.IdeaResubmitForm(request.POST)
    if form.is_valid():
        try:
            services.idea_resubmit(user=request.user, idea=idea, **form.cleaned_data)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Idea submitted to the commune."))
    else:
        messages.error(request, _("Fill in every field."))
    return redirect("evaluation:idea_detail", pk=idea.pk)


@login_required
@require_POST
def idea_plan(request, pk):
    idea = _idea(request, pk, Action.CHANGE)
    form = forms.PlanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.idea_plan_file(
                user=request.user,
                idea=idea,
                summary=form.cleaned_data["plan_summary"],
                upload=form.cleaned_data["plan_file"],
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Business plan filed."))
    return redirect("evaluation:idea_detail", pk=idea.pk)


def _serve(field, name: str, content_type: str | None = None):
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=False, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def idea_plan_file(request, pk):
    idea = _idea(request, pk)
    return _serve(idea.plan_file, idea.plan_name or "plan")


# ---------------------------------------------------------------------------------------------
# Dossiers
# ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def dossier_list(request):
    filters = selectors.DossierFilters(
        status=text_param(request.GET, "status"),
        level=text_param(request.GET, "level"),
        q=text_param(request.GET, "q"),
    )
    page = paginate(request, selectors.dossiers_for(request.user, filters))
    can_create = _own_producers(request.user, Dossier).exists()
    return render(
        request,
        "evaluation/dossier_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": DossierStatus.choices,
            "levels": Level.choices,
            "query": _query_without_page(request),
            "can_create": can_create,
            "can_rounds": gate.can(request.user, Action.VIEW, Round),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dossier_create(request):
    producers = _own_producers(request.user, Dossier)
    if not producers.exists():
        raise Http404
    products = gate.restrict(
        Product.objects.filter(producer__in=producers).select_related("producer"), request.user, Action.CHANGE
    )
    provinces = products.values("producer__province_id")
    rounds = Round.objects.filter(province_id__in=provinces, status="open").select_related("province")
    initial = {}
    if request.GET.get("product", "").isdigit():
        initial["product"] = int(request.GET["product"])
    form = forms.DossierCreateForm(request.POST or None, products=products, rounds=rounds, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            dossier = services.dossier_create(
                user=request.user, product=data["product"], round=data["round"], kind=data["kind"]
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except PermissionDenied:
            raise Http404 from None
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


def _advice(dossier, data):
    """The self-assessed result and the upgrade advice, or None while answers are missing."""
    try:
        result = engine.score(data, dossier.answers, dossier.flags)
        advice = advisor.advise(data, dossier.answers, dossier.flags)
    except engine.AnswerError:
        return None
    plans = [
        {"plan": plan, "steps": [words.improvement(i) for i in plan.improvements]} for plan in advice.plans
    ]
    return {
        "result": result,
        "reasons": [words.describe(r.code, r.params) for r in result.reasons],
        "advice": advice,
        "plans": plans,
        "blocked_by": [words.describe(r.code, r.params) for r in advice.blocked_by],
    }


@login_required
@require_GET
def dossier_detail(request, pk):
    dossier = _dossier(request, pk)
    user = request.user
    producer = dossier.product.producer
    data = selectors.definition(dossier)
    evidence = list(gate.restrict(dossier.evidence.all(), user, Action.VIEW))
    documents, criteria = selectors.evidence_slots(dossier, evidence)
    can_edit = gate.allows(user, Action.CHANGE, dossier) and dossier.status in EDITABLE_DOSSIER_STATUSES
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
            "documents": documents,
            "criteria": criteria,
            "answered": len(dossier.answers),
            "criteria_count": len(data.criteria),
            "self": _advice(dossier, data)
            if dossier.status in EDITABLE_DOSSIER_STATUSES or can_edit
            else None,
            "missing": selectors.missing_documents(dossier),
            "can_edit": can_edit,
            "can_check": can_check,
            "checks": gate.restrict(dossier.commune_checks.select_related("checked_by"), user, Action.VIEW),
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
    can_edit = (
        gate.allows(request.user, Action.CHANGE, dossier) and dossier.status in EDITABLE_DOSSIER_STATUSES
    )
    errors = []
    if request.method == "POST":
        if not can_edit:
            raise Http404
        answers, flags = _answers_from(request.POST)
        try:
            dossier = services.dossier_self_assess(
                user=request.user, dossier=dossier, answers=answers, flags=flags
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
        "rows": _rows(data, dossier.answers),
        "flags": set(dossier.flags),
        "general_checks": [c for c in data.checks if c.criterion is None],
        "self": _advice(dossier, data),
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
        try:
            services.evidence_add(
                user=request.user,
                dossier=dossier,
                upload=form.cleaned_data["file"],
                replaces=replaces,
                **form.slot_fields(),
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("File attached."))
    else:
        flash_errors(request, form)
    return redirect("evaluation:dossier_detail", pk=dossier.pk)


@login_required
@require_POST
def evidence_remove(request, pk):
    evidence = gate.get_or_404(Evidence.objects.select_related("dossier"), request.user, Action.DELETE, pk=pk)
    try:
        services.evidence_remove(user=request.user, evidence=evidence)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("File removed."))
    return redirect("evaluation:dossier_detail", pk=evidence.dossier_id)


@login_required
@require_GET
def evidence_file(request, pk):
    evidence = gate.get_or_404(Evidence.objects.all(), request.user, Action.VIEW, pk=pk)
    return _serve(evidence.file, evidence.original_name, evidence.content_type)


@login_required
@require_POST
def dossier_submit(request, pk):
    dossier = _dossier(request, pk, Action.CHANGE)
    try:
        dossier = services.dossier_submit(user=request.user, dossier=dossier)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Dossier submitted."))
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


# ---------------------------------------------------------------------------------------------
# Rounds, councils, sittings (province and central organisers)
# ---------------------------------------------------------------------------------------------


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
    provinces = Province.objects.current().order_by("name")
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


def _round(request, pk, action=Action.VIEW) -> Round:
    return gate.get_or_404(Round.objects.select_related("province"), request.user, action, pk=pk)


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
    round_ = _round(request, pk)
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
    round_ = _round(request, pk, Action.CHANGE)
    services.round_close(user=request.user, round=round_)
    messages.success(request, _("The round takes no more dossiers."))
    return redirect("evaluation:round_detail", pk=round_.pk)


@login_required
@require_POST
def council_create(request, pk):
    round_ = _round(request, pk)
    if not gate.may_create(request.user, Council, province_id=round_.province_id):
        raise Http404
    form = forms.CouncilForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        name = data.pop("name")
        try:
            council = services.council_create(user=request.user, round=round_, name=name, rules=data)
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Council set up. Add its members."))
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
        try:
            services.seat_add(
                user=request.user,
                council=council,
                member=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Seat added."))
    else:
        flash_errors(request, form)
    return redirect("evaluation:council_detail", pk=council.pk)


@login_required
@require_POST
def seat_remove(request, pk):
    seat = gate.get_or_404(Seat.objects.select_related("council__round"), request.user, Action.DELETE, pk=pk)
    try:
        services.seat_remove(user=request.user, seat=seat)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Seat removed."))
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
    try:
        services.sitting_open(user=request.user, sitting=sitting)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("The sitting is open: members can score."))
    return redirect("evaluation:sitting_detail", pk=sitting.pk)


@login_required
@require_POST
def sitting_close(request, pk):
    sitting = _sitting(request, pk, Action.CHANGE)
    try:
        services.sitting_close(user=request.user, sitting=sitting)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("The sitting is closed: every sheet is frozen and the results recorded."))
    return redirect("evaluation:sitting_detail", pk=sitting.pk)


@login_required
@require_POST
def assignment_add(request, pk):
    sitting = _sitting(request, pk)
    if not gate.may_create(request.user, Assignment, province_id=sitting.council.round.province_id):
        raise Http404
    form = forms.AssignForm(request.POST, dossiers=_awaiting(request.user, sitting.council.round))
    if form.is_valid():
        try:
            services.assignment_add(user=request.user, sitting=sitting, dossier=form.cleaned_data["dossier"])
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Dossier put on the agenda."))
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
    try:
        services.assignment_remove(user=request.user, assignment=assignment)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Dossier taken off the agenda."))
    return redirect("evaluation:sitting_detail", pk=assignment.sitting_id)


@login_required
@require_POST
def assignment_rescore(request, pk):
    assignment = _assignment(request, pk, Action.CHANGE)
    try:
        services.assignment_rescore(user=request.user, assignment=assignment)
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Members score this dossier again."))
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
            cells.append(_points_so_far(data, {criterion.code: value}) if value is not None else None)
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
        "rows": _rows(data, answers, hints=dossier.answers, evidence=evidence),
        "flags": set(sheet.flags if sheet else []),
        "general_checks": [c for c in data.checks if c.criterion is None],
        "answered": len(answers),
        "criteria_count": len(data.criteria),
        "points": _points_so_far(data, answers),
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
        answers, flags = _answers_from(request.POST)
        try:
            services.sheet_save(
                user=request.user, assignment=assignment, answers=answers, flags=flags, replace=True
            )
            if request.POST.get("submit"):
                services.sheet_submit(user=request.user, assignment=assignment)
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(
                request, _("Sheet submitted.") if request.POST.get("submit") else _("Answers saved.")
            )
        return redirect("evaluation:sheet", pk=assignment.pk)
    return render(request, "evaluation/sheet.html", _member_context(request, assignment))


@login_required
@require_POST
def sheet_answer(request, pk):
    """htmx: save the one answer just ticked; answer with the progress bar."""
    assignment = _assignment(request, pk)
    answers, flags = _answers_from(request.POST)
    error = ""
    try:
        services.sheet_save(
            user=request.user,
            assignment=assignment,
            answers=answers,
            flags=flags if "flags" in request.POST else None,
        )
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        error = " ".join(exc.messages)
    context = _member_context(request, assignment)
    context["error"] = error
    return render(request, "evaluation/_sheet_progress.html", context, status=200)


@login_required
@require_POST
def sheet_submit(request, pk):
    assignment = _assignment(request, pk)
    try:
        services.sheet_submit(user=request.user, assignment=assignment)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, _("Sheet submitted."))
    return redirect("evaluation:sheet", pk=assignment.pk)


@login_required
@require_POST
def recusal_declare(request, pk):
    assignment = _assignment(request, pk)
    form = forms.RecusalForm(request.POST)
    if form.is_valid():
        try:
            services.recusal_declare(
                user=request.user, assignment=assignment, reason=form.cleaned_data["reason"]
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as exc:
            flash_errors(request, exc)
        else:
            messages.success(request, _("Conflict of interest declared: you do not score this dossier."))
    else:
        messages.error(request, _("State the conflict of interest."))
    return redirect("evaluation:sitting_detail", pk=assignment.sitting_id)


# ---------------------------------------------------------------------------------------------
# Decisions and certificates
# ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def decision_create(request, pk):
    round_ = _round(request, pk)
    if not gate.may_create(request.user, Decision, province_id=round_.province_id):
        raise Http404
    candidates = services.decidable(round_)
    rules = round_.rules
    from . import process as processes

    previews = [
        {"assignment": a, "outcome": processes.outcome(rules, round_.level, a.score, a.stars)}
        for a in candidates
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
    return _serve(
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


# ---------------------------------------------------------------------------------------------
# After recognition
# ---------------------------------------------------------------------------------------------


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
    if request.method == "POST" and form.is_valid():
        try:
            services.revocation_record(user=request.user, recognition=recognition, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Recognition revoked."))
            return redirect("registry:product_detail", pk=recognition.product_id)
    return render(request, "evaluation/revoke.html", {"form": form, "recognition": recognition})
