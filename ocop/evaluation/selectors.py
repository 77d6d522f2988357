"""Reads of the OCOP cycle, through the permission gate: lists, a dossier's facts, council results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from ocop.accounts import gate
from ocop.accounts.choices import Action, Role
from ocop.criteria import council as council_core
from ocop.criteria import engine
from ocop.criteria import selectors as criteria_selectors
from ocop.criteria.choices import CriteriaSetStatus
from ocop.criteria.models import CriteriaSet
from ocop.registry.models import Producer, Product, Recognition
from ocop.registry.selectors import search as registry_search

from .choices import SCORING_ROLES, DossierStatus, IdeaStatus, RoundStatus, SheetStatus
from .models import (
    Assignment,
    Certificate,
    Decision,
    Dossier,
    Evidence,
    ExpiryNotice,
    Idea,
    Round,
    Seat,
    Sheet,
    Sitting,
)

# ---------------------------------------------------------------------------------------------
# Lists
# ---------------------------------------------------------------------------------------------


def producers_for_new(user, model) -> QuerySet[Producer]:
    """Producers for which the user may add a ``model`` row (an idea, a dossier): what
    :func:`gate.may_create` says for one producer, as a queryset for a form's choices."""
    producers = gate.restrict(Producer.objects.all(), user, Action.CHANGE)
    actor = gate.actor_of(user)
    if actor.user is None:
        return producers.none()
    label = model._meta.label_lower
    if actor.is_central and gate.allowed(Role.CENTRAL, label, Action.ADD):
        return producers
    allowed = Q(pk__in=[])
    if gate.allowed(Role.PRODUCER, label, Action.ADD):
        allowed |= Q(pk__in=Producer.objects.filter(members=actor.user).values("pk"))
    if actor.province_ids and gate.allowed(Role.PROVINCE_OFFICER, label, Action.ADD):
        allowed |= Q(province_id__in=actor.province_ids)
    if actor.commune_ids and gate.allowed(Role.COMMUNE_OFFICER, label, Action.ADD):
        allowed |= Q(commune_id__in=actor.commune_ids)
    return producers.filter(allowed)


def ideas_for(user, *, status: str = "") -> QuerySet[Idea]:
    rows = Idea.objects.select_related("producer", "producer__commune", "product")
    if status in IdeaStatus.values:
        rows = rows.filter(status=status)
    return gate.restrict(rows, user, Action.VIEW)


@dataclass
class DossierFilters:
    status: str = ""
    round: int | None = None
    level: str = ""
    q: str = ""


def dossiers_for(user, filters: DossierFilters | None = None) -> QuerySet[Dossier]:
    filters = filters or DossierFilters()
    rows = Dossier.objects.select_related(
        "product", "product__producer", "product__producer__commune", "product__producer__province", "round"
    )
    if filters.status in DossierStatus.values:
        rows = rows.filter(status=filters.status)
    if filters.round:
        rows = rows.filter(
            Q(round_id=filters.round) | Q(assignments__sitting__council__round_id=filters.round)
        )
    if filters.level:
        rows = rows.filter(level=filters.level)
    if filters.q:
        # The registry's search: words typed with or without diacritics begin words of the names.
        rows = registry_search(rows, filters.q, ["product__name_key", "product__producer__name_key"])
    return gate.restrict(rows, user, Action.VIEW).distinct().order_by("-created_at", "-pk")


def rounds_for(user) -> QuerySet[Round]:
    rows = Round.objects.select_related("province").annotate(
        dossier_count=Count("dossiers", distinct=True), council_count=Count("councils", distinct=True)
    )
    return gate.restrict(rows, user, Action.VIEW).order_by("-held_on", "-pk")


def sittings_for(user) -> QuerySet[Sitting]:
    """Sittings the user sits on or organises, soonest first."""
    rows = Sitting.objects.select_related("council", "council__round", "council__round__province").annotate(
        dossier_count=Count("assignments", distinct=True)
    )
    return gate.restrict(rows, user, Action.VIEW).order_by("status", "held_on", "pk")


def open_rounds_for(product: Product) -> QuerySet[Round]:
    """Rounds a product's dossier may enter now: open rounds of its producer's province. (The
    process of each decides whether it is the first level; the service checks.)"""
    return Round.objects.filter(province_id=product.producer.province_id, status=RoundStatus.OPEN).order_by(
        "-held_on"
    )


# ---------------------------------------------------------------------------------------------
# Criteria sets
# ---------------------------------------------------------------------------------------------


def criteria_sets_for(product: Product, on: date) -> list[CriteriaSet]:
    """Published sets in force on ``on`` for the product's product set, or for the set that
    replaced it or that it replaced (a product classified under 1048 is scored on the 148 sheet
    of its successor set). Latest in force first."""
    if product.product_set_id is None:
        return []
    product_set = product.product_set
    related = {product_set.pk}
    related |= set(product_set.maps_to.values_list("pk", flat=True))
    related |= set(product_set.mapped_from.values_list("pk", flat=True))
    rows = CriteriaSet.objects.current().filter(
        product_set_id__in=related, status=CriteriaSetStatus.PUBLISHED, effective_from__lte=on
    )
    rows = rows.filter(Q(effective_until__isnull=True) | Q(effective_until__gte=on))
    return list(rows.select_related("product_set").order_by("-effective_from", "code"))


def sheet_for(dossier: Dossier) -> CriteriaSet | None:
    """The dossier's criteria set. A draft opened while its product set had none gets the set in
    force now (stored at its next change: see ``services.dossiers``), or None while there is none."""
    if dossier.criteria_set_id is not None:
        return dossier.criteria_set
    if not hasattr(dossier, "_sheet_found"):
        found = criteria_sets_for(dossier.product, dossier.round.held_on)
        dossier._sheet_found = found[0] if found else None
    return dossier._sheet_found


def definition(dossier: Dossier):
    """The sheet the dossier is scored on, or None for a draft still waiting for one."""
    row = sheet_for(dossier)
    return None if row is None else criteria_selectors.definition(row)


# ---------------------------------------------------------------------------------------------
# A dossier's facts
# ---------------------------------------------------------------------------------------------


@dataclass
class Slot:
    """A place for evidence in the dossier: a criterion of the sheet, or a fixed document."""

    key: str  # "c:1.a" or "d:food_safety"
    code: str
    label: str
    required: bool
    files: list
    part: str = ""


def evidence_slots(dossier: Dossier, evidence: list[Evidence]) -> tuple[list[Slot], list[Slot]]:
    """(documents, criteria) with their files, in the order of the process and of the sheet."""
    from .choices import DocumentKind

    data = definition(dossier)
    by_slot: dict[str, list[Evidence]] = {}
    for item in evidence:
        by_slot.setdefault(item.slot, []).append(item)
    documents = [
        Slot(
            key=f"d:{rule.kind}",
            code=rule.kind,
            label=str(DocumentKind(rule.kind).label),
            required=rule.required,
            files=by_slot.get(f"d:{rule.kind}", []),
        )
        for rule in dossier.rules.documents_for(dossier.product.group)
    ]
    criteria = [
        Slot(
            key=f"c:{criterion.code}",
            code=criterion.code,
            label=criterion.name,
            required=False,
            files=by_slot.get(f"c:{criterion.code}", []),
            part=criterion.part,
        )
        for criterion in (data.criteria if data is not None else ())
    ]
    return documents, criteria


def missing_documents(dossier: Dossier) -> list[str]:
    present = set(dossier.evidence.exclude(document="").values_list("document", flat=True))
    return [kind for kind in dossier.rules.required_documents(dossier.product.group) if kind not in present]


def self_assessment(dossier: Dossier):
    """The engine's result for the producer's answers, or None while some are missing."""
    data = definition(dossier)
    if data is None:
        return None
    try:
        return engine.score(data, dossier.answers, dossier.flags)
    except engine.AnswerError:
        return None


# ---------------------------------------------------------------------------------------------
# Councils
# ---------------------------------------------------------------------------------------------


def scoring_seats(council) -> list[Seat]:
    return list(council.seats.filter(role__in=SCORING_ROLES).select_related("user").order_by("pk"))


def seat_of(user, council) -> Seat | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return council.seats.filter(user=user).first()


def seat_names(seats: list[Seat]) -> dict[int, str]:
    """A unique display name per seat (names may repeat)."""
    names: dict[int, str] = {}
    seen: dict[str, int] = {}
    for seat in seats:
        seen[seat.display_name] = seen.get(seat.display_name, 0) + 1
    for seat in seats:
        name = seat.display_name
        names[seat.pk] = f"{name} (#{seat.pk})" if seen[name] > 1 else name
    return names


@dataclass
class Progress:
    """How far the scoring of one dossier is, without showing anyone's points."""

    seats: int  # scoring seats not recused
    submitted: int
    drafts: int
    recused: int
    result: council_core.CouncilResult | None  # computed from the submitted sheets


def council_result(
    assignment: Assignment,
    *,
    sheets: list[Sheet] | None = None,
    seats: list[Seat] | None = None,
    recused: set[int] | None = None,
) -> Progress:
    """Combine the submitted sheets of the assignment's current scoring round (recused members
    left out) with the council's rules. Used when the sitting closes, to decide on a re-score,
    and on the organiser's view of the sitting (pass what is already loaded to save queries)."""
    council = assignment.sitting.council
    seats = scoring_seats(council) if seats is None else seats
    if recused is None:
        recused = set(assignment.recusals.values_list("seat_id", flat=True))
    counted = [s for s in seats if s.pk not in recused]
    if sheets is None:
        sheets = list(assignment.sheets.filter(attempt=assignment.attempt))
    names = seat_names(seats)
    submitted = {
        s.seat_id: s
        for s in sheets
        if s.attempt == assignment.attempt and s.status == SheetStatus.SUBMITTED and s.seat_id not in recused
    }
    drafts = sum(1 for s in sheets if s.attempt == assignment.attempt and s.status == SheetStatus.DRAFT)
    result = None
    if submitted and counted:
        chair = next((s for s in counted if s.role == "chair"), None)
        result = council_core.council_score(
            definition(assignment.dossier),
            {names[seat_id]: sheet.answers for seat_id, sheet in submitted.items()},
            members=len(counted),
            chair=names[chair.pk] if chair is not None and chair.pk in submitted else None,
            rules=council.rules(),
            checks={names[seat_id]: sheet.flags for seat_id, sheet in submitted.items()},
        )
    return Progress(
        seats=len(counted), submitted=len(submitted), drafts=drafts, recused=len(recused), result=result
    )


def sitting_assignments(sitting: Sitting) -> QuerySet[Assignment]:
    return sitting.assignments.select_related(
        "dossier", "dossier__product", "dossier__product__producer", "dossier__criteria_set"
    ).prefetch_related(
        Prefetch("sheets", queryset=Sheet.objects.order_by("attempt", "seat_id")),
        "recusals",
    )


def visible_sheets(user, assignment: Assignment) -> QuerySet[Sheet]:
    """The sheets of a dossier the user may read: their own, and every sheet once it closed."""
    rows = assignment.sheets.select_related("seat", "seat__user").order_by("attempt", "seat_id")
    return gate.restrict(rows, user, Action.VIEW)


# ---------------------------------------------------------------------------------------------
# Decisions, certificates, expiry
# ---------------------------------------------------------------------------------------------


def decision_items(decision: Decision):
    return decision.items.select_related(
        "dossier", "dossier__product", "dossier__product__producer", "recognition", "certificate"
    ).order_by("pk")


def certificate_by_code(user, code: str) -> Certificate:
    rows = Certificate.objects.select_related(
        "recognition",
        "recognition__superseded_by",
        "recognition__product",
        "recognition__product__producer",
        "recognition__product__producer__province",
        "recognition__product__producer__commune",
        "item__decision",
    )
    return gate.get_or_404(rows, user, Action.VIEW, code=code)


@dataclass
class Expiring:
    recognition: Recognition
    days_left: int
    notices: list[ExpiryNotice]


def expiring_recognitions(user, *, today: date | None = None, within: int = 90) -> list[Expiring]:
    """Recognitions in the user's reach valid today that expire within ``within`` days."""
    today = today or timezone.localdate()
    rows = (
        Recognition.objects.valid_on(today)
        .filter(valid_until__lte=today + timedelta(days=within))
        .select_related("product", "product__producer", "product__producer__province")
        .prefetch_related(
            Prefetch("ocop_expiry_notices", queryset=ExpiryNotice.objects.order_by("-days_before"))
        )
        .order_by("valid_until", "pk")
    )
    # Recognitions are public; what the user manages is decided by the products they may change
    # (their own products for a producer's staff, their jurisdiction's for officers).
    rows = rows.filter(product__in=gate.restrict(Product.objects.all(), user, Action.CHANGE).values("pk"))
    return [Expiring(r, (r.valid_until - today).days, list(r.ocop_expiry_notices.all())) for r in rows]
