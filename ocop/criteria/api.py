"""Criteria sets over HTTP: list them, fetch one, score answers, get upgrade advice, combine a council.

Sets are addressed by their stable code ``DECISION/PRODUCT_SET`` written as two path segments:
``/api/v1/criteria/sets/148/I.1.a`` (an alias such as ``1048/1.3.c`` works too). Published sets are
public law: reading and scoring need no account. Scoring stores nothing.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Field, File, Query, Router, Schema, Status, UploadedFile
from pydantic import StrictInt

from ocop.accounts import gate
from ocop.accounts.api import ANYONE, SIGNED_IN, WRITE_ERRORS, ErrorOut, ValidationErrorOut
from ocop.accounts.choices import Action
from ocop.web.edge import Code, Id

from . import advisor, council, engine, selectors, services
from . import workbook as workbooks
from .messages import problem as problem_text
from .models import CriteriaSet, CriteriaWorkbook

router = Router(tags=["criteria"])

ERRORS = {404: ErrorOut, 422: ValidationErrorOut}
# Scoring computes and writes nothing, but a browser session is checked for its CSRF token all the
# same (403 without it), and a body that is not JSON is a 400.
SCORING_ERRORS = {400: ErrorOut, 403: ErrorOut, **ERRORS}


# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------


class ProductSetRef(Schema):
    taxonomy: str
    code: str
    name_vi: str
    name_en: str


class SetOut(Schema):
    code: str = Field(..., description="Stable code DECISION/PRODUCT_SET, e.g. 148/I.1.a")
    version: int
    decision: str
    aliases: list[str]
    name_vi: str
    product_set: ProductSetRef
    legal_basis: str
    effective_from: date
    effective_until: date | None
    confidence: str = Field(..., description="C confirmed, S secondary source only, U unconfirmed")
    status: str
    markers_cap_stars: bool
    current: bool
    superseded_by: int | None = Field(None, description="Version that supersedes this one")
    sheet_url: str


class SetInForceOut(Schema):
    code: str
    version: int
    name_vi: str
    effective_from: date
    effective_until: date | None
    confidence: str = Field(..., description="C confirmed, S secondary source only, U unconfirmed")
    sheet_url: str


class CoveredProductSetOut(Schema):
    code: str
    name_vi: str
    name_en: str
    path_vi: str
    confidence: str = Field(..., description="Confidence of the product set's name and place in the tree")
    criteria_set: SetInForceOut | None = Field(..., description="The sheet in force; null: not loaded yet")


class CoverageGroupOut(Schema):
    group: str = Field(..., description="Canonical product group code (food, drinks, ...)")
    label: str
    product_sets: list[CoveredProductSetOut]


class CoverageTaxonomyOut(Schema):
    code: str
    name: str
    legal_basis: str
    effective_from: date
    effective_until: date | None


class CriteriaCoverageOut(Schema):
    taxonomy: CoverageTaxonomyOut
    on: date = Field(..., description="Day the sets are in force: today, or the taxonomy's last day")
    loaded: int
    total: int
    groups: list[CoverageGroupOut]


class OptionOut(Schema):
    position: int
    points: int
    label: str
    marker: int | None = Field(None, description="Lowest option allowed for this many stars")


class BlockOut(Schema):
    position: int
    code: str
    label: str
    inferred: str
    max_points: int
    min_points_for_star: dict[int, int]
    options: list[OptionOut]


class ConditionOut(Schema):
    criterion: str
    at_least: int
    inferred: str


class GateOut(Schema):
    stops_below: int
    inferred: str


class CriterionOut(Schema):
    code: str
    name: str
    max_points: int
    notes: list[str]
    marker: int | None
    bonus: str
    applies_if: ConditionOut | None
    gate: GateOut | None
    case_group: str | None
    data_notes: list[str]
    inferred: str
    blocks: list[BlockOut]


class SectionOut(Schema):
    code: str
    name: str
    max_points: int
    criteria: list[CriterionOut]


class PartOut(Schema):
    code: str
    name: str
    max_points: int
    sections: list[SectionOut]


class CheckOut(Schema):
    code: str
    effect: str = Field(..., description="disqualify, or stop (the evaluation stops after `criterion`)")
    text: str
    criterion: str | None
    inferred: str


class SetDetailOut(SetOut):
    source: str
    confidence_note: str
    notes: list[str]
    markers_note: str
    none_option: bool = Field(
        ..., description="Option 0 (no option applies) is allowed where no option gives 0"
    )
    max_total: int
    star_bands: dict[int, int]
    recognised_from_stars: int
    checks: list[CheckOut]
    parts: list[PartOut]


class CaseAnswer(Schema):
    # Strict: true, "3" or 3.0 are not positions (an invalid answer is an error, never a guess).
    case: StrictInt = Field(..., ge=1, description="1-based case, for criteria with alternative cases")
    option: StrictInt = Field(..., ge=0, description="1-based option; 0 = no option applies, where allowed")


class ScoreIn(Schema):
    answers: dict[str, StrictInt | CaseAnswer] = Field(
        ...,
        description='Criterion code -> 1-based option, or {"case": N, "option": M}',
        examples=[{"1.a": 3, "3.2": {"case": 2, "option": 1}}],
    )
    checks: dict[str, bool] = Field(
        default_factory=dict, description="Yes/no checks of the sheet (disqualifiers, stop conditions)"
    )


class AdviseIn(ScoreIn):
    target_stars: int | None = Field(None, ge=2, le=5, description="Default: one more than now")
    limit: int = Field(advisor.DEFAULT_LIMIT, ge=1, le=20, description="Most plans returned")


class ReasonOut(Schema):
    code: str
    params: dict[str, Any]
    message: str


class CriterionScoreOut(Schema):
    code: str
    points: int
    max_points: int
    status: str = Field(..., description="scored, not_applicable, not_evaluated")


class ScoreOut(Schema):
    set: str
    version: int
    parts: dict[str, int]
    sections: dict[str, int]
    total: int
    band_stars: int
    stars: int | None = Field(..., description="null when a gate stopped the evaluation or disqualified")
    disqualified: bool
    stopped_at: str | None
    recognised: bool
    markers_cap_stars: bool
    reasons: list[ReasonOut]
    notices: list[ReasonOut]
    criteria: list[CriterionScoreOut]


class ImprovementOut(Schema):
    criterion: str
    case: int
    from_option: int | None
    to_option: int
    from_points: int
    to_points: int
    gain: int
    required: bool


class PlanOut(Schema):
    improvements: list[ImprovementOut]
    gain: int
    total: int
    stars: int
    answers: dict[str, int | CaseAnswer]


class AdviceOut(Schema):
    set: str
    version: int
    total: int
    stars: int | None
    target_stars: int | None
    points_needed: int
    criteria_needed: int | None
    plans: list[PlanOut]
    complete: bool
    blocked_by: list[ReasonOut]


class RulesIn(Schema):
    quorum: str = Field("3/4", pattern=r"^\d+(/\d+)?$", description="Share of members present, e.g. 3/4")
    chair_required: bool = True
    max_spread: Decimal | None = Field(Decimal(10), ge=0)
    decimals: int = Field(2, ge=0, le=4)
    rounding: str = Field("half_up", pattern="^(half_up|half_even)$")
    band_on_rounded: bool = False
    marker_basis: str = Field("mean", pattern="^(mean|every_member|majority)$")


class CouncilIn(Schema):
    members: int = Field(..., ge=1, description="Seats on the council")
    chair: str | None = Field(None, description="Which sheet is the chair's")
    sheets: dict[str, ScoreIn] = Field(..., description="Member -> their answers")
    rules: RulesIn = Field(default_factory=RulesIn)


class QuorumOut(Schema):
    members: int
    present: int
    required: int
    chair_present: bool
    met: bool


class CriterionSpreadOut(Schema):
    criterion: str
    low: int
    high: int
    low_members: list[str]
    high_members: list[str]
    gap: int


class SpreadOut(Schema):
    spread: int
    limit: str | None
    over_limit: bool
    high_members: list[str]
    low_members: list[str]
    causes: list[str] = Field(..., description="Fewest criteria whose disagreement exceeds the excess")
    criteria: list[CriterionSpreadOut]


class CouncilOut(Schema):
    set: str
    members: dict[str, int]
    mean: str = Field(..., description='Exact mean of the totals, "76" or "227/3"')
    score: str = Field(..., description="Mean rounded per the rules")
    band_stars: int
    stars: int | None
    final: bool
    quorum: QuorumOut
    spread: SpreadOut
    reasons: list[ReasonOut]


# ---------------------------------------------------------------------------------------------
# Serialisation
# ---------------------------------------------------------------------------------------------


def _set_out(row: CriteriaSet) -> dict:
    product_set = row.product_set
    return {
        "code": row.code,
        "version": row.version,
        "decision": row.decision,
        "aliases": row.aliases,
        "name_vi": row.name_vi,
        "product_set": {
            "taxonomy": product_set.taxonomy_id,
            "code": product_set.code,
            "name_vi": product_set.name_vi,
            "name_en": product_set.name_en,
        },
        "legal_basis": row.legal_basis,
        "effective_from": row.effective_from,
        "effective_until": row.effective_until,
        "confidence": row.confidence,
        "status": row.status,
        "markers_cap_stars": row.markers_cap_stars,
        "current": row.is_current,
        "superseded_by": row.superseded_by.version if row.superseded_by_id else None,
        "sheet_url": reverse("criteria:sheet", args=row.code.split("/", 1)),
    }


def _detail(row: CriteriaSet) -> dict:
    data = selectors.definition(row)
    out = _set_out(row)
    out.update(
        source=data.source,
        confidence_note=data.confidence_note,
        notes=list(data.notes),
        markers_note=data.markers_note,
        none_option=data.none_option,
        max_total=data.max_total,
        star_bands=dict(data.bands),
        recognised_from_stars=data.recognised_from_stars,
        checks=[
            {
                "code": c.code,
                "effect": c.effect,
                "text": c.text,
                "criterion": c.criterion,
                "inferred": c.inferred,
            }
            for c in data.checks
        ],
        parts=[
            {
                "code": part.code,
                "name": part.name,
                "max_points": part.max_points,
                "sections": [
                    {
                        "code": section.code,
                        "name": section.name,
                        "max_points": section.max_points,
                        "criteria": [_criterion(c) for c in section.criteria],
                    }
                    for section in part.sections
                ],
            }
            for part in data.parts
        ],
    )
    return out


def _criterion(c) -> dict:
    return {
        "code": c.code,
        "name": c.name,
        "max_points": c.max_points,
        "notes": list(c.notes),
        "marker": c.marker,
        "bonus": c.bonus,
        "applies_if": (
            {
                "criterion": c.applies_if.criterion,
                "at_least": c.applies_if.at_least,
                "inferred": c.applies_if.inferred,
            }
            if c.applies_if
            else None
        ),
        "gate": {"stops_below": c.gate.stops_below, "inferred": c.gate.inferred} if c.gate else None,
        "case_group": c.case_group,
        "data_notes": list(c.data_notes),
        "inferred": c.inferred,
        "blocks": [
            {
                "position": b.position,
                "code": b.code,
                "label": b.label,
                "inferred": b.inferred,
                "max_points": b.max_points,
                "min_points_for_star": dict(b.min_points_for_star),
                "options": [
                    {"position": o.position, "points": o.points, "label": o.label, "marker": o.marker}
                    for o in b.options
                ],
            }
            for b in c.blocks
        ],
    }


def _answers(payload: ScoreIn) -> dict:
    return {
        code: a if isinstance(a, int) else {"case": a.case, "option": a.option}
        for code, a in payload.answers.items()
    }


def _answer_errors(exc: engine.AnswerError, prefix: tuple = ()) -> Status:
    detail = [
        {
            "loc": ["body", *prefix, "answers", p.criterion] if p.criterion else ["body", *prefix, "answers"],
            "msg": problem_text(p),
            "type": p.code,
        }
        for p in exc.problems
    ]
    return Status(422, {"detail": detail})


def score_out(row: CriteriaSet, result: engine.SheetResult) -> dict:
    return {
        **result.as_dict(),
        "version": row.version,
        "sections": dict(result.sections),
        "stopped_at": result.stopped_at,
        "recognised": result.recognised,
        "markers_cap_stars": result.markers_cap_stars,
        "notices": [n.as_dict() for n in result.notices],
        "criteria": [
            {"code": c.code, "points": c.points, "max_points": c.max_points, "status": c.status}
            for c in result.criteria
        ],
    }


# ---------------------------------------------------------------------------------------------
# Endpoints
# ---------------------------------------------------------------------------------------------


class SetQuery(Schema):
    decision: str = Field("", description="Only sets of this decision, e.g. 148")
    taxonomy: str = Field("", description="Only sets for product sets of this taxonomy")


@router.get("/sets", response={200: list[SetOut], **ERRORS}, auth=ANYONE, summary="List criteria sets")
def list_sets(request, filters: Query[SetQuery]):
    """The current version of every criteria set you may see (published sets for everyone)."""
    rows = selectors.visible_sets(request.user).select_related("superseded_by")
    if filters.decision:
        rows = rows.filter(decision=filters.decision)
    if filters.taxonomy:
        rows = rows.filter(product_set__taxonomy_id=filters.taxonomy)
    return [_set_out(row) for row in rows]


def _coverage_out(item: selectors.TaxonomyCoverage) -> dict:
    taxonomy = item.taxonomy
    return {
        "taxonomy": {
            "code": taxonomy.code,
            "name": taxonomy.name,
            "legal_basis": taxonomy.legal_basis,
            "effective_from": taxonomy.effective_from,
            "effective_until": taxonomy.effective_until,
        },
        "on": item.on,
        "loaded": item.loaded,
        "total": item.total,
        "groups": [
            {
                "group": group.group,
                "label": group.label,
                "product_sets": [
                    {
                        "code": row.product_set.code,
                        "name_vi": row.product_set.name_vi,
                        "name_en": row.product_set.name_en,
                        "path_vi": row.product_set.path_vi,
                        "confidence": row.product_set.confidence,
                        "criteria_set": None
                        if row.criteria_set is None
                        else {
                            "code": row.criteria_set.code,
                            "version": row.criteria_set.version,
                            "name_vi": row.criteria_set.name_vi,
                            "effective_from": row.criteria_set.effective_from,
                            "effective_until": row.criteria_set.effective_until,
                            "confidence": row.criteria_set.confidence,
                            "sheet_url": row.criteria_set.get_absolute_url(),
                        },
                    }
                    for row in group.rows
                ],
            }
            for group in item.groups
        ],
    }


@router.get(
    "/coverage",
    response={200: list[CriteriaCoverageOut], **ERRORS},
    auth=ANYONE,
    summary="Which product sets have a criteria set in force",
)
def coverage(request):
    """Every product set of each taxonomy (newest first), grouped by product group, with the
    published criteria set in force for it today (for a taxonomy no longer in force: on its last
    day), or null when none is loaded yet. The page /criteria/ shows the same."""
    return [_coverage_out(item) for item in selectors.coverage(request.user)]


class VersionQuery(Schema):
    version: int | None = Field(None, ge=1, description="A past version; default the current one")


@router.get(
    "/sets/{decision}/{product_set}",
    response={200: SetDetailOut, **ERRORS},
    auth=ANYONE,
    summary="One criteria set, with its whole sheet",
)
def get_set(request, decision: Code, product_set: Code, query: Query[VersionQuery]):
    row = selectors.set_for(request.user, f"{decision}/{product_set}", query.version)
    return _detail(row)


@router.post(
    "/sets/{decision}/{product_set}/score",
    response={200: ScoreOut, **SCORING_ERRORS},
    auth=ANYONE,
    summary="Score answers on a sheet",
)
def score_answers(request, decision: Code, product_set: Code, payload: ScoreIn, query: Query[VersionQuery]):
    """Points per criterion, section, part and in total, the band's stars, the stars after star
    markers, disqualification, and the reasons. Invalid answers are 422 errors, one per problem."""
    row = selectors.set_for(request.user, f"{decision}/{product_set}", query.version)
    try:
        result = engine.score(selectors.definition(row), _answers(payload), payload.checks)
    except engine.AnswerError as exc:
        return _answer_errors(exc)
    return score_out(row, result)


@router.post(
    "/sets/{decision}/{product_set}/advise",
    response={200: AdviceOut, **SCORING_ERRORS},
    auth=ANYONE,
    summary="Upgrade advice: the fewest criterion improvements that reach the next star",
)
def advise(request, decision: Code, product_set: Code, payload: AdviseIn, query: Query[VersionQuery]):
    row = selectors.set_for(request.user, f"{decision}/{product_set}", query.version)
    data = selectors.definition(row)
    try:
        result = advisor.advise(
            data, _answers(payload), payload.checks, target_stars=payload.target_stars, limit=payload.limit
        )
    except engine.AnswerError as exc:
        return _answer_errors(exc)
    except ValueError as exc:
        return Status(
            422, {"detail": [{"loc": ["body", "target_stars"], "msg": str(exc), "type": "value_error"}]}
        )
    return {**result.as_dict(data), "version": row.version}


@router.post(
    "/sets/{decision}/{product_set}/council",
    response={200: CouncilOut, **SCORING_ERRORS},
    auth=ANYONE,
    summary="A council's result from its members' sheets",
)
def council_result(
    request, decision: Code, product_set: Code, payload: CouncilIn, query: Query[VersionQuery]
):
    """The mean of the members' totals, its band and stars, the quorum and the spread between
    members (with the members and criteria that cause it), under the council's rules."""
    row = selectors.set_for(request.user, f"{decision}/{product_set}", query.version)
    try:
        rules = council.CouncilRules(
            quorum=Fraction(payload.rules.quorum),
            chair_required=payload.rules.chair_required,
            max_spread=payload.rules.max_spread,
            decimals=payload.rules.decimals,
            rounding=payload.rules.rounding,
            band_on_rounded=payload.rules.band_on_rounded,
            marker_basis=payload.rules.marker_basis,
        )
        result = council.council_score(
            selectors.definition(row),
            {name: _answers(sheet) for name, sheet in payload.sheets.items()},
            checks={name: sheet.checks for name, sheet in payload.sheets.items()},
            members=payload.members,
            chair=payload.chair,
            rules=rules,
        )
    except engine.AnswerError as exc:
        return _answer_errors(exc, ("sheets",))
    except (ValueError, ZeroDivisionError) as exc:
        return Status(422, {"detail": [{"loc": ["body"], "msg": str(exc), "type": "value_error"}]})
    return result.as_dict()


# ---------------------------------------------------------------------------------------------
# Criteria sets authored in Excel
# ---------------------------------------------------------------------------------------------


class WorkbookOut(Schema):
    id: int
    code: str
    name_vi: str
    status: str = Field(..., description="checked, proposed (to the central office), published")
    province: str | None = Field(None, description="Province code of a province officer's upload")
    source_file: str
    preview_url: str = Field(..., description="The printed scoring sheet it makes")
    published_version: int | None = None


class PublishedOut(Schema):
    workbook: WorkbookOut
    set: SetOut


def _workbook_out(row: CriteriaWorkbook) -> dict:
    return {
        "id": row.pk,
        "code": row.code,
        "name_vi": row.name_vi,
        "status": row.status,
        "province": row.province.code if row.province_id else None,
        "source_file": row.source_file,
        "preview_url": reverse("criteria:workbook", args=[row.pk]),
        "published_version": row.published.version if row.published_id else None,
    }


def _workbook(request, pk: int) -> CriteriaWorkbook:
    rows = CriteriaWorkbook.objects.select_related("province", "published")
    return gate.get_or_404(rows, request.user, Action.VIEW, pk=pk)


@router.post(
    "/workbooks",
    response={201: WorkbookOut, **WRITE_ERRORS},
    auth=SIGNED_IN,
    summary="Upload a criteria set workbook (.xlsx) to check and preview",
)
def upload_workbook(request, file: UploadedFile = File(..., description="The Excel template, filled in")):
    """The central office and province officers upload a workbook filled from the template
    (``/criteria/template.xlsx``). Every problem is a 422 detail whose ``loc`` is
    ``["file", sheet, row, column]`` (row and column left out when the problem is a whole sheet's); nothing is kept then. A valid workbook is kept for preview;
    the central office publishes it, a province officer proposes it."""
    if not gate.can(request.user, Action.ADD, CriteriaWorkbook):
        raise Http404
    if file.size > workbooks.MAX_BYTES:
        problems = [workbooks.Problem("", 0, "", "", gettext("The file is larger than 5 MB."))]
    else:
        try:
            row = services.criteria_workbook_upload(
                user=request.user, source_file=file.name or "upload.xlsx", content=file.read()
            )
        except workbooks.WorkbookError as exc:
            problems = exc.problems
        else:
            return Status(201, _workbook_out(_workbook(request, row.pk)))
    detail = [
        {
            "loc": ["file", *[part for part in (p.sheet, p.row, p.column) if part]],
            "msg": p.message,
            "type": "workbook",
        }
        for p in problems
    ]
    return Status(422, {"detail": detail})


@router.post(
    "/workbooks/{workbook_id}/propose",
    response={200: WorkbookOut, **WRITE_ERRORS},
    auth=SIGNED_IN,
    summary="Propose an uploaded workbook to the central office",
)
def propose_workbook(request, workbook_id: Id):
    row = _workbook(request, workbook_id)
    try:
        services.criteria_workbook_propose(user=request.user, workbook=row)
    except PermissionDenied:
        raise Http404 from None
    return _workbook_out(_workbook(request, workbook_id))


@router.post(
    "/workbooks/{workbook_id}/publish",
    response={200: PublishedOut, **WRITE_ERRORS},
    auth=SIGNED_IN,
    summary="Publish an uploaded workbook as a new version of its criteria set (central office)",
)
def publish_workbook(request, workbook_id: Id):
    row = _workbook(request, workbook_id)
    if not services.may_publish(request.user):
        raise Http404
    outcome = services.criteria_workbook_publish(user=request.user, workbook=row)
    published = CriteriaSet.objects.select_related("product_set", "superseded_by").get(
        pk=outcome.criteria_set.pk
    )
    return {"workbook": _workbook_out(_workbook(request, workbook_id)), "set": _set_out(published)}
