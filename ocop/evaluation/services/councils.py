"""Rounds, councils and sittings: seats, agendas, opening and closing a sitting, another scoring
round; members' sheets and their recusals."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record, snapshot
from ocop.criteria import engine
from ocop.criteria.choices import CriteriaSetStatus
from ocop.criteria.services import criteria_set_mark_used

from .. import process as processes
from .. import selectors
from ..choices import SCORING_ROLES, DossierStatus, Level, RoundStatus, SeatRole, SheetStatus, SittingStatus
from ..models import Assignment, Council, Dossier, Recusal, Round, Seat, Sheet, Sitting
from ._common import clean_answers, province_of


@transaction.atomic
def round_create(*, user, name: str, level: str, held_on: date, province=None) -> Round:
    """Open a round. Its date chooses the process; the level must be one of that process's."""
    if level == Level.CENTRAL:
        province = None
    if not gate.may_create(user, Round, province_id=getattr(province, "pk", None)):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("Name the round.")]
    try:
        rules = processes.process_on(held_on)
    except processes.ProcessError:
        rules = None
        errors["held_on"] = [_("No evaluation process was in force on this date.")]
    if rules is not None and not rules.has_level(level):
        errors["level"] = [
            _("The process in force on %(day)s has no %(level)s level.")
            % {
                "day": held_on.strftime("%d/%m/%Y"),
                "level": Level(level).label if level in Level.values else level,
            }
        ]
    if level != Level.CENTRAL and province is None:
        errors["province"] = [_("Choose the province.")]
    if errors:
        raise ValidationError(errors)
    round_ = Round.objects.create(
        name=name, level=level, province=province, held_on=held_on, process=rules.code, created_by=user
    )
    audit_record(
        actor=user, action="round.create", obj=round_, province_id=round_.province_id, after=snapshot(round_)
    )
    return round_


@transaction.atomic
def round_close(*, user, round: Round) -> Round:
    """Stop taking new dossiers into the round (its councils go on)."""
    gate.require(user, Action.CHANGE, round)
    Round.objects.filter(pk=round.pk).update(status=RoundStatus.CLOSED)
    round.refresh_from_db()
    audit_record(actor=user, action="round.close", obj=round, province_id=round.province_id)
    return round


COUNCIL_RULE_FIELDS = (
    "quorum_numerator",
    "quorum_denominator",
    "chair_required",
    "max_spread",
    "decimals",
    "rounding",
    "band_on_rounded",
    "marker_basis",
)


@transaction.atomic
def council_create(*, user, round: Round, name: str, rules: dict | None = None) -> Council:
    """Set up a council for a round, with its rules (quorum, largest spread, rounding...)."""
    if not gate.may_create(user, Council, province_id=round.province_id):
        raise PermissionDenied
    council = Council(round=round, name=(name or "").strip(), created_by=user)
    for key, value in (rules or {}).items():
        if key in COUNCIL_RULE_FIELDS and value is not None:
            setattr(council, key, value)
    council.full_clean()
    try:
        council.rules()
    except ValueError as exc:
        raise ValidationError({"quorum_numerator": [str(exc)]}) from None
    council.save()
    audit_record(
        actor=user,
        action="council.create",
        obj=council,
        province_id=round.province_id,
        after=snapshot(council),
    )
    return council


def _no_sitting_open(council: Council) -> None:
    if council.sittings.filter(status=SittingStatus.OPEN).exists():
        raise ValidationError(_("The council has an open sitting: change its seats after it closes."))


@transaction.atomic
def seat_add(*, user, council: Council, member, role: str, title: str = "") -> Seat:
    """Give a person a seat: chair, member (both score), secretary or advisory team."""
    if not gate.may_create(user, Seat, province_id=council.round.province_id):
        raise PermissionDenied
    _no_sitting_open(council)
    if role not in SeatRole.values:
        raise ValidationError({"role": [_("Choose the role on the council.")]})
    if council.seats.filter(user=member).exists():
        raise ValidationError({"user": [_("This person already sits on the council.")]})
    if role == SeatRole.CHAIR and council.seats.filter(role=SeatRole.CHAIR).exists():
        raise ValidationError({"role": [_("The council already has a chair.")]})
    seat = Seat.objects.create(council=council, user=member, role=role, title=(title or "").strip()[:200])
    audit_record(
        actor=user,
        action="council.seat_add",
        obj=council,
        province_id=council.round.province_id,
        seat_id=seat.pk,
        user_id=member.pk,
        role=role,
    )
    return seat


@transaction.atomic
def seat_remove(*, user, seat: Seat) -> None:
    gate.require(user, Action.DELETE, seat)
    council = seat.council
    _no_sitting_open(council)
    if seat.sheets.exists():
        raise ValidationError(_("This member has scored: the seat stays on the record."))
    record = {"seat_id": seat.pk, "user_id": seat.user_id, "role": seat.role}
    seat.delete()
    audit_record(
        actor=user, action="council.seat_remove", obj=council, province_id=council.round.province_id, **record
    )


@transaction.atomic
def sitting_create(*, user, council: Council, held_on: date, place: str = "") -> Sitting:
    if not gate.may_create(user, Sitting, province_id=council.round.province_id):
        raise PermissionDenied
    sitting = Sitting.objects.create(council=council, held_on=held_on, place=(place or "").strip()[:200])
    audit_record(
        actor=user,
        action="sitting.create",
        obj=sitting,
        province_id=council.round.province_id,
        after=snapshot(sitting),
    )
    return sitting


@transaction.atomic
def assignment_add(*, user, sitting: Sitting, dossier: Dossier) -> Assignment:
    """Put a dossier awaiting a council of this level on the sitting's agenda."""
    round_ = sitting.council.round
    if not gate.may_create(user, Assignment, province_id=round_.province_id):
        raise PermissionDenied
    gate.require(user, Action.VIEW, dossier)
    dossier = Dossier.objects.select_for_update().select_related("product__producer").get(pk=dossier.pk)
    sitting = Sitting.objects.select_for_update().get(pk=sitting.pk)
    if sitting.status == SittingStatus.CLOSED:
        raise ValidationError(_("The sitting is closed."))
    if dossier.status != DossierStatus.FORWARDED:
        raise ValidationError({"dossier": [_("This dossier is not awaiting a council.")]})
    if dossier.level != round_.level or not round_.rules.has_level(dossier.level):
        raise ValidationError({"dossier": [_("This dossier awaits a council of another level.")]})
    if round_.province_id is not None and dossier.product.producer.province_id != round_.province_id:
        raise ValidationError({"dossier": [_("This dossier belongs to another province.")]})
    position = (sitting.assignments.aggregate(m=Max("position"))["m"] or 0) + 1
    assignment = Assignment.objects.create(sitting=sitting, dossier=dossier, position=position)
    dossier.status = DossierStatus.IN_SITTING
    dossier.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=user,
        action="sitting.assign",
        obj=sitting,
        province_id=round_.province_id,
        dossier_id=dossier.pk,
        assignment_id=assignment.pk,
    )
    audit_record(
        actor=user,
        action="dossier.assign",
        obj=dossier,
        province_id=province_of(dossier),
        sitting_id=sitting.pk,
    )
    return assignment


@transaction.atomic
def assignment_remove(*, user, assignment: Assignment) -> None:
    """Take a dossier off an agenda before anyone scored it; it awaits a council again."""
    gate.require(user, Action.DELETE, assignment)
    if assignment.sheets.exists() or assignment.sitting.status == SittingStatus.CLOSED:
        raise ValidationError(_("Members have scored this dossier: it stays on the agenda."))
    dossier = assignment.dossier
    sitting_id = assignment.sitting_id
    assignment.delete()
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.FORWARDED, updated_at=timezone.now())
    audit_record(
        actor=user,
        action="dossier.unassign",
        obj=dossier,
        province_id=province_of(dossier),
        sitting_id=sitting_id,
    )


@transaction.atomic
def sitting_open(*, user, sitting: Sitting) -> Sitting:
    """Open the sitting: members may score its dossiers."""
    gate.require(user, Action.CHANGE, sitting)
    sitting = Sitting.objects.select_for_update().select_related("council").get(pk=sitting.pk)
    if sitting.status != SittingStatus.PLANNED:
        raise ValidationError(_("Only a planned sitting can be opened."))
    council = sitting.council
    rules = council.rules()
    seats = selectors.scoring_seats(council)
    errors = []
    if rules.chair_required and not any(s.role == SeatRole.CHAIR for s in seats):
        errors.append(_("The council has no chair."))
    if not seats:
        errors.append(_("The council has no scoring members."))
    if not sitting.assignments.exists():
        errors.append(_("No dossier is on the agenda."))
    if errors:
        raise ValidationError(errors)
    for dossier in Dossier.objects.filter(assignments__sitting=sitting).select_related("criteria_set"):
        if dossier.criteria_set.status == CriteriaSetStatus.PUBLISHED and not dossier.criteria_set.used:
            criteria_set_mark_used(criteria_set=dossier.criteria_set)
    sitting.status, sitting.opened_by, sitting.opened_at = SittingStatus.OPEN, user, timezone.now()
    sitting.save(update_fields=["status", "opened_by", "opened_at"])
    audit_record(actor=user, action="sitting.open", obj=sitting, province_id=council.round.province_id)
    return sitting


def _result_record(progress: selectors.Progress) -> dict:
    result = progress.result
    record = {
        "seats": progress.seats,
        "submitted": progress.submitted,
        "drafts": progress.drafts,
        "recused": progress.recused,
    }
    if result is not None:
        record.update(result.as_dict())
    return record


@transaction.atomic
def sitting_close(*, user, sitting: Sitting) -> Sitting:
    """Close the sitting: record each dossier's result, freeze every sheet (for good) and reveal
    the sheets to the council. A dossier without a final result (no quorum, members too far
    apart, evaluation stopped) awaits another sitting."""
    gate.require(user, Action.CHANGE, sitting)
    sitting = (
        Sitting.objects.select_for_update().select_related("council", "council__round").get(pk=sitting.pk)
    )
    if sitting.status != SittingStatus.OPEN:
        raise ValidationError(_("Only an open sitting can be closed."))
    now = timezone.now()
    outcomes = {}
    for assignment in selectors.sitting_assignments(sitting):
        progress = selectors.council_result(assignment, sheets=list(assignment.sheets.all()))
        result = progress.result
        final = bool(result is not None and result.final)
        Assignment.objects.filter(pk=assignment.pk).update(
            score=result.score if result is not None else None,
            band_stars=result.band_stars if result is not None else None,
            stars=result.stars if final else None,
            final=final,
            result=_result_record(progress),
        )
        status = DossierStatus.EVALUATED if final else DossierStatus.FORWARDED
        Dossier.objects.filter(pk=assignment.dossier_id).update(status=status, updated_at=now)
        outcomes[assignment.dossier_id] = {
            "score": str(result.score) if result is not None else None,
            "stars": result.stars if final else None,
            "final": final,
        }
        audit_record(
            actor=user,
            action="dossier.evaluated" if final else "dossier.not_final",
            obj=assignment.dossier,
            province_id=assignment.dossier.product.producer.province_id,
            sitting_id=sitting.pk,
            **outcomes[assignment.dossier_id],
        )
    frozen = Sheet.objects.filter(assignment__sitting=sitting, frozen=False).update(
        frozen=True, frozen_at=now
    )
    sitting.status, sitting.closed_by, sitting.closed_at = SittingStatus.CLOSED, user, now
    sitting.revealed_to = sitting.council
    sitting.save(update_fields=["status", "closed_by", "closed_at", "revealed_to"])
    audit_record(
        actor=user,
        action="sitting.close",
        obj=sitting,
        province_id=sitting.council.round.province_id,
        frozen_sheets=frozen,
        results={str(k): v for k, v in outcomes.items()},
    )
    return sitting


@transaction.atomic
def assignment_rescore(*, user, assignment: Assignment) -> Assignment:
    """Members' totals are further apart than the council allows: freeze this scoring round's
    sheets and start another, in which members score again (starting from their answers)."""
    gate.require(user, Action.CHANGE, assignment)
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("sitting__council", "dossier")
        .get(pk=assignment.pk)
    )
    if assignment.sitting.status != SittingStatus.OPEN:
        raise ValidationError(_("Scores can be taken again only while the sitting is open."))
    progress = selectors.council_result(assignment)
    if progress.result is None or not progress.result.quorum.met or not progress.result.spread.over_limit:
        raise ValidationError(
            _("Another scoring round is for a quorum of sheets further apart than the council allows.")
        )
    now = timezone.now()
    frozen = Sheet.objects.filter(assignment=assignment, attempt=assignment.attempt, frozen=False).update(
        frozen=True, frozen_at=now
    )
    previous = assignment.attempt
    assignment.attempt = previous + 1
    assignment.save(update_fields=["attempt"])
    audit_record(
        actor=user,
        action="sitting.rescore",
        obj=assignment.sitting,
        province_id=assignment.sitting.council.round.province_id,
        assignment_id=assignment.pk,
        attempt=assignment.attempt,
        spread=progress.result.spread.spread,
        frozen_sheets=frozen,
    )
    return assignment


# ---------------------------------------------------------------------------------------------
# Members' sheets
# ---------------------------------------------------------------------------------------------


def _member_seat(user, assignment: Assignment) -> Seat:
    seat = selectors.seat_of(user, assignment.sitting.council)
    if seat is None or seat.role not in SCORING_ROLES:
        raise PermissionDenied
    return seat


def _scoring_open(assignment: Assignment, seat: Seat) -> None:
    if assignment.sitting.status != SittingStatus.OPEN:
        raise ValidationError(_("The sitting is not open for scoring."))
    if assignment.recusals.filter(seat=seat).exists():
        raise ValidationError(_("You declared a conflict of interest: you do not score this dossier."))


def _current_sheet(assignment: Assignment, seat: Seat, *, create: bool) -> Sheet | None:
    sheet = (
        Sheet.objects.select_for_update()
        .filter(assignment=assignment, seat=seat, attempt=assignment.attempt)
        .first()
    )
    if sheet is None and create:
        earlier = (
            Sheet.objects.filter(assignment=assignment, seat=seat, attempt__lt=assignment.attempt)
            .order_by("-attempt")
            .first()
        )
        sheet = Sheet.objects.create(
            assignment=assignment,
            seat=seat,
            attempt=assignment.attempt,
            answers=dict(earlier.answers) if earlier else {},
            flags=list(earlier.flags) if earlier else [],
        )
    return sheet


def _writable(sheet: Sheet) -> None:
    if sheet.frozen:
        raise ValidationError(_("This sheet is frozen: its scores can no longer change."))
    if sheet.status == SheetStatus.SUBMITTED:
        raise ValidationError(_("This sheet has been submitted: its scores can no longer change."))


def _save_sheet(sheet: Sheet, **fields) -> None:
    # Conditional update: nothing changes a frozen sheet, even if it froze a moment ago.
    changed = Sheet.objects.filter(pk=sheet.pk, frozen=False).update(updated_at=timezone.now(), **fields)
    if not changed:
        raise ValidationError(_("This sheet is frozen: its scores can no longer change."))
    for key, value in fields.items():
        setattr(sheet, key, value)


@transaction.atomic
def sheet_save(*, user, assignment: Assignment, answers: dict, flags=None, replace: bool = False) -> Sheet:
    """Save a member's answers while the sitting is open: merged into the sheet (one answer at a
    time from the tablet screen), or replacing it (the whole form)."""
    assignment = Assignment.objects.select_related("sitting__council", "dossier__criteria_set").get(
        pk=assignment.pk
    )
    seat = _member_seat(user, assignment)
    _scoring_open(assignment, seat)
    sheet = _current_sheet(assignment, seat, create=True)
    _writable(sheet)
    data = selectors.definition(assignment.dossier)
    merged = dict(answers) if replace else {**sheet.answers, **answers}
    merged = {k: v for k, v in merged.items() if v not in (None, "")}
    new_flags = list(flags) if flags is not None else list(sheet.flags)
    merged, new_flags = clean_answers(data, merged, new_flags)
    try:
        result = engine.score(data, merged, new_flags)
        total, stars = result.total, result.stars
    except engine.AnswerError:
        total, stars = None, None
    _save_sheet(sheet, answers=merged, flags=new_flags, total=total, stars=stars)
    return sheet


@transaction.atomic
def sheet_submit(*, user, assignment: Assignment) -> Sheet:
    """The member hands in the sheet: every criterion answered. It cannot change afterwards."""
    assignment = Assignment.objects.select_related("sitting__council", "dossier__criteria_set").get(
        pk=assignment.pk
    )
    seat = _member_seat(user, assignment)
    _scoring_open(assignment, seat)
    sheet = _current_sheet(assignment, seat, create=False)
    if sheet is None:
        raise ValidationError(_("Score the dossier before submitting the sheet."))
    _writable(sheet)
    try:
        result = engine.score(selectors.definition(assignment.dossier), sheet.answers, sheet.flags)
    except engine.AnswerError as exc:
        missing = [p.criterion for p in exc.problems if p.code == "missing_answer"]
        raise ValidationError(
            _("Criteria %(codes)s have no answer.") % {"codes": ", ".join(missing)} if missing else str(exc)
        ) from None
    _save_sheet(
        sheet,
        status=SheetStatus.SUBMITTED,
        submitted_at=timezone.now(),
        total=result.total,
        stars=result.stars,
    )
    audit_record(
        actor=user,
        action="sheet.submit",
        obj=sheet,
        province_id=assignment.sitting.council.round.province_id,
        assignment_id=assignment.pk,
        attempt=sheet.attempt,
        total=result.total,
        answers=sheet.answers,
        flags=sheet.flags,
    )
    return sheet


@transaction.atomic
def recusal_declare(*, user, assignment: Assignment, reason: str) -> Recusal:
    """A member declares a conflict of interest on a dossier: they are left out of its scoring
    (their unfrozen sheets for it are withdrawn)."""
    assignment = Assignment.objects.select_related("sitting__council__round").get(pk=assignment.pk)
    seat = _member_seat(user, assignment)
    if assignment.sitting.status == SittingStatus.CLOSED:
        raise ValidationError(_("The sitting is closed."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("State the conflict of interest.")]})
    if assignment.recusals.filter(seat=seat).exists():
        raise ValidationError(_("You have already declared a conflict of interest on this dossier."))
    recusal = Recusal.objects.create(
        assignment=assignment, seat=seat, reason=reason[:300], declared_at=timezone.now()
    )
    withdrawn = list(
        Sheet.objects.filter(assignment=assignment, seat=seat, frozen=False).values_list("pk", flat=True)
    )
    Sheet.objects.filter(pk__in=withdrawn).delete()
    audit_record(
        actor=user,
        action="sitting.recusal",
        obj=assignment.sitting,
        province_id=assignment.sitting.council.round.province_id,
        assignment_id=assignment.pk,
        seat_id=seat.pk,
        reason=recusal.reason,
        withdrawn_sheets=withdrawn,
    )
    return recusal
