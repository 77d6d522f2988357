"""Programme statistics (``/api/v1/stats/``: the figures of ``ocop stats --format json``, from the
same selector) and monitoring (``/api/v1/monitoring/``: dashboards and targets).

Statistics of recognised products are public: anyone may ask, signed in or not. The rows are
still fetched through the permission gate (recognitions are public to every role).
"""

from datetime import date
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status

from ocop.accounts import gate
from ocop.accounts.api import ANYONE, READ_ERRORS, SIGNED_IN, SIGNED_IN_READ_ERRORS, WRITE_ERRORS
from ocop.accounts.choices import Action
from ocop.concurrency import IF_MATCH_DESCRIPTION, READ_OPENAPI, WRITE_OPENAPI, etag, if_match_tokens
from ocop.geo.gazetteer import CURRENT
from ocop.geo.models import Province
from ocop.web.edge import Id

from . import dashboard, figures, presenting, selectors, services
from .choices import Measure
from .models import Target
from .units import reachable

router = Router(tags=["statistics"])


class StatsUnitRef(Schema):
    code: str | None
    name: str | None


class StarsOut(Schema):
    three: int = Field(..., alias="3")
    four: int = Field(..., alias="4")
    five: int = Field(..., alias="5")


class GroupsOut(Schema):
    food: int
    drinks: int
    herbal: int
    handicraft: int
    ornamental: int
    tourism: int


class ProductFiguresOut(Schema):
    total: int
    by_stars: StarsOut
    by_group: GroupsOut


class TypesOut(Schema):
    cooperative: int
    cooperative_group: int
    enterprise: int
    household: int


class ProducerFiguresOut(Schema):
    total: int
    by_type: TypesOut


class ProvinceFiguresOut(Schema):
    province: StatsUnitRef
    products: ProductFiguresOut
    producers: ProducerFiguresOut


class CommuneFiguresOut(Schema):
    commune: StatsUnitRef = Field(
        ..., description="code and name null: counted producers with no commune on record"
    )
    products: ProductFiguresOut
    producers: ProducerFiguresOut


class StatsOut(Schema):
    province: StatsUnitRef = Field(..., description='The whole country: {"code": null, "name": "Việt Nam"}')
    as_of: date
    boundaries: Literal["current", "historical"]
    products: ProductFiguresOut
    producers: ProducerFiguresOut
    provinces: list[ProvinceFiguresOut] | None = Field(
        None, description="Without a province: every province of the era, by code"
    )
    communes: list[CommuneFiguresOut] | None = Field(None, description="With by=commune")


class StatsQuery(Schema):
    province: str = Field("", description="Province code or name; empty for the whole country")
    as_of: date | None = Field(None, description="YYYY-MM-DD; default today")
    boundaries: Literal["current", "historical"] = "current"
    by: Literal["commune"] | None = Field(None, description="With a province: a row per commune")


@router.get(
    "/",
    response={200: StatsOut, **READ_ERRORS},
    auth=ANYONE,
    summary="Programme statistics",
    # "3", "4", "5" are aliases; absent lists (provinces / communes) stay absent, nulls stay null.
    by_alias=True,
    exclude_unset=True,
)
def programme_stats(request, query: Query[StatsQuery]):
    """Products rated 3 stars or more with a recognition valid on ``as_of``, and their producers,
    for the whole country (with every province) or one province (``by=commune``: with its
    communes), counted by today's boundaries or by those in force on ``as_of``. The same figures
    as ``ocop stats --format json``."""
    try:
        return selectors.programme_stats(
            user=request.user,
            as_of=query.as_of,
            boundaries=query.boundaries,
            province=query.province,
            by=query.by,
        )
    except selectors.StatsError as exc:
        return Status(
            422, {"detail": [{"loc": ["query", exc.field], "msg": str(exc), "type": "value_error"}]}
        )


# ---------------------------------------------------------------------------------------------
# Dashboards and targets: /api/v1/monitoring/
# ---------------------------------------------------------------------------------------------

monitoring_router = Router(tags=["monitoring"])


class FigureOut(Schema):
    value: int
    rows_url: str = Field(..., description="The list of what the figure counts (a signed-in page)")


class DashboardUnitOut(Schema):
    level: Literal["country", "province", "commune"]
    era: str
    code: str | None
    name: str


class SubUnitOut(Schema):
    code: str
    name: str
    products: FigureOut
    by_stars: dict[str, FigureOut]
    producers: int


class PeriodOut(Schema):
    label: str
    start: date
    end: date
    counts: dict[str, FigureOut] = Field(
        ..., description='Years: by stars ("3", "4", "5"); quarters: new, expired, revoked'
    )


class PipelineOut(Schema):
    status: str
    label: str
    count: int


class TargetProgressOut(Schema):
    id: int
    province: StatsUnitRef | None
    measure: str
    description: str
    stars: int | None
    producer_kind: str | None
    period_start: date
    period_end: date
    value: Decimal
    is_share: bool
    legal_basis: str
    confidence: str
    note: str
    actual: Decimal
    numerator: int | None
    denominator: int | None
    baseline: Decimal
    expected: Decimal
    status: Literal["not_started", "achieved", "on_track", "behind", "missed"]
    gap: Decimal
    behind_by: Decimal
    elapsed: Decimal
    quarters_left: Decimal
    pace_so_far: Decimal | None
    pace_needed: Decimal | None = Field(..., description="Per quarter, for the rest of the period")
    rows_url: str


class TraceOut(Schema):
    products_traced: int
    batches: int
    scans: int
    flags: int


class DashboardOut(Schema):
    unit: DashboardUnitOut
    as_of: date
    boundaries: Literal["current", "historical"]
    products: FigureOut
    by_stars: dict[str, FigureOut]
    by_group: dict[str, FigureOut]
    producers: int
    producers_by_type: dict[str, int]
    subunits: list[SubUnitOut]
    years: list[PeriodOut]
    new_by_year: list[PeriodOut]
    quarters: list[PeriodOut]
    expiring: FigureOut
    pipeline: list[PipelineOut]
    targets: list[TargetProgressOut]
    trace: TraceOut


class DashboardQuery(Schema):
    province: str = Field(
        "", description="Province code in the era of the day and boundaries; empty: the country"
    )
    commune: str = Field("", description="Commune code of today's units (with its province)")
    as_of: date | None = Field(None, description="YYYY-MM-DD; default today")
    boundaries: Literal["current", "historical"] = "current"


def _link(request):
    def link(figure):
        return request.build_absolute_uri(presenting.rows_link(figure))

    return link


@monitoring_router.get(
    "/dashboard",
    response={200: DashboardOut, **SIGNED_IN_READ_ERRORS},
    auth=SIGNED_IN,
    url_name="monitoring_dashboard",
)
def dashboard_figures(request, query: Query[DashboardQuery]):
    """Every figure of the dashboard of the country (central office), a province or a commune
    (officers within their jurisdiction), each with the URL of the rows it counts."""
    today = timezone.localdate()
    as_of = min(query.as_of or today, today)
    boundaries = query.boundaries if not query.commune else selectors.CURRENT_BOUNDARIES
    era = selectors.boundary_era(as_of, boundaries)
    try:
        unit = figures.unit_of(
            figures.Figure(kind=figures.COUNTED, era=era, province=query.province, commune=query.commune)
        )
    except figures.FigureError as exc:
        return Status(
            422, {"detail": [{"loc": ["query", exc.field], "msg": str(exc), "type": "value_error"}]}
        )
    if not reachable(request.user, unit):
        raise Http404
    board = dashboard.cached_dashboard(unit=unit, as_of=as_of, boundaries=boundaries, user=request.user)
    return presenting.board_json(board, _link(request))


class TargetQuery(Schema):
    province: str = Field("", description="Code of one of today's provinces; 'national' for the country's")
    as_of: date | None = Field(None, description="Progress on this day; default today")


@monitoring_router.get(
    "/targets",
    response={200: list[TargetProgressOut], **READ_ERRORS},
    auth=ANYONE,
    url_name="monitoring_targets",
)
def target_list(request, query: Query[TargetQuery]):
    """Programme targets (public decisions) and their progress on a day."""
    as_of = query.as_of or timezone.localdate()
    targets = gate.restrict(Target.objects.select_related("province"), request.user, Action.VIEW)
    if query.province == "national":
        targets = targets.filter(province__isnull=True)
    elif query.province:
        targets = targets.filter(province__code=query.province, province__era_id=CURRENT)
    link = _link(request)
    return [
        presenting.progress_json(dashboard.target_row(t, as_of), link)
        for t in targets.order_by("province__code", "period_end", "measure", "pk")
    ]


@monitoring_router.get(
    "/targets/{target_id}",
    response={200: TargetProgressOut, **READ_ERRORS},
    auth=ANYONE,
    url_name="monitoring_target",
    openapi_extra=READ_OPENAPI,
)
def target_detail(request, target_id: int, response: HttpResponse):
    """One target and its progress today; its ETag is what a change sends in If-Match."""
    target = gate.get_or_404(
        Target.objects.select_related("province"), request.user, Action.VIEW, pk=target_id
    )
    response["ETag"] = etag(target)
    return presenting.progress_json(dashboard.target_row(target, timezone.localdate()), _link(request))


class TargetIn(Schema):
    province: str | None = Field(
        None, description="Code of one of today's provinces; null: the whole country"
    )
    measure: Measure
    stars: int = 0
    producer_kind: str = ""
    period_start: date
    period_end: date
    value: Decimal
    legal_basis: str = ""
    note: str = ""


def _target_fields(payload: TargetIn) -> dict:
    data = payload.dict()
    code = data.pop("province")
    province = None
    if code:
        province = Province.objects.filter(era_id=CURRENT, code=code).first()
        if province is None:
            raise ValidationError({"province": ["No current province has this code."]})
    return {**data, "province": province}


@monitoring_router.post(
    "/targets",
    response={201: TargetProgressOut, **WRITE_ERRORS},
    auth=SIGNED_IN,
    url_name="monitoring_target_create",
)
def target_create(request, payload: TargetIn):
    """Set a target: the central office for the country or any province, a province officer for
    their province."""
    try:
        target = services.target_create(user=request.user, **_target_fields(payload))
    except PermissionDenied:
        raise Http404 from None
    return Status(
        201, presenting.progress_json(dashboard.target_row(target, timezone.localdate()), _link(request))
    )


@monitoring_router.put(
    "/targets/{target_id}",
    response={200: TargetProgressOut, **WRITE_ERRORS},
    auth=SIGNED_IN,
    url_name="monitoring_target_update",
    openapi_extra=WRITE_OPENAPI,
)
def target_update(
    request,
    target_id: Id,
    payload: TargetIn,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_DESCRIPTION),
):
    target = gate.get_or_404(Target.objects.all(), request.user, Action.CHANGE, pk=target_id)
    version = if_match_tokens(if_match, Target)
    try:
        target = services.target_update(
            user=request.user, target=target, version=version, **_target_fields(payload)
        )
    except PermissionDenied:
        raise Http404 from None
    target = Target.objects.select_related("province").get(pk=target.pk)
    response["ETag"] = etag(target)
    return presenting.progress_json(dashboard.target_row(target, timezone.localdate()), _link(request))


@monitoring_router.delete(
    "/targets/{target_id}",
    response={204: None, **WRITE_ERRORS},
    auth=SIGNED_IN,
    url_name="monitoring_target_delete",
)
def target_delete(request, target_id: Id):
    target = gate.get_or_404(Target.objects.all(), request.user, Action.DELETE, pk=target_id)
    try:
        services.target_delete(user=request.user, target=target)
    except PermissionDenied:
        raise Http404 from None
    return Status(204, None)
