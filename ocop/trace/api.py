"""Traceability over the platform's API (``/api/v1/trace/``): producers' batches and steps, and
the live status of a product's recognition (what a label's ``gs1:certificationInfo`` link
answers). The EPCIS interface itself lives at ``/epcis/`` (``epcis_views``)."""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from ocop.accounts import gate
from ocop.accounts.api import ANYONE, READ_ERRORS, SIGNED_IN, SIGNED_IN_READ_ERRORS, WRITE_ERRORS
from ocop.accounts.choices import Action
from ocop.geo.services import current_units
from ocop.registry.api import Pagination
from ocop.registry.models import Product
from ocop.web.edge import Id

from . import selectors, services
from .choices import StepKind, Unit
from .models import Batch

router = Router(tags=["trace"])


class StepOut(Schema):
    label: str
    at: datetime
    place: str
    province: str
    quantity: str
    note: str


class BatchOut(Schema):
    id: int
    product_id: int
    product: str = Field(..., alias="product.name_vi")
    lot: str
    produced_on: date
    expires_on: date | None
    quantity: Decimal
    unit: Unit
    raw_material_area: str
    labels_issued: int
    label_uri: str = ""
    scan_page: str = ""

    @staticmethod
    def resolve_label_uri(obj):
        return services.label_uri(obj)

    @staticmethod
    def resolve_scan_page(obj, context):
        from django.urls import reverse

        return context["request"].build_absolute_uri(reverse("trace:scan_batch", args=[obj.pk]))


class BatchDetailOut(BatchOut):
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj):
        return selectors.chain(obj)


class BatchIn(Schema):
    product_id: int
    lot: str
    produced_on: date
    expires_on: date | None = None
    quantity: Decimal = Field(..., gt=0)
    unit: Unit = Unit.PIECE
    raw_material_area: str = ""


class StepIn(Schema):
    kind: StepKind
    happened_at: datetime
    place: str = ""
    province_code: str = ""
    quantity: Decimal | None = Field(None, gt=0)
    note: str = ""


class StatusOut(Schema):
    product_id: int
    name: str
    status: str = Field(..., description="valid, expired, revoked, superseded, pending or never")
    stars: int | None = Field(None, description="Stars held today; null unless the recognition is valid")
    recognised_on: date | None
    valid_until: date | None
    revoked_on: date | None
    revocation_reason: str
    decision_no: str
    checked_at: datetime


def _managed(user, pk) -> Batch:
    return gate.get_or_404(
        Batch.objects.filter(product__in=selectors.managed_products(user)).select_related("product"),
        user,
        Action.VIEW,
        pk=pk,
    )


@router.get(
    "/batches",
    response={200: list[BatchOut], **SIGNED_IN_READ_ERRORS},
    auth=SIGNED_IN,
    url_name="trace_batches",
)
@paginate(Pagination)
def list_batches(request):
    """Batches of the products the caller records (producers) or oversees (officers)."""
    return selectors.managed_batches(request.user)


@router.post(
    "/batches", response={201: BatchOut, **WRITE_ERRORS}, auth=SIGNED_IN, url_name="trace_batch_create"
)
def create_batch(request, payload: BatchIn):
    """Record a batch; the platform writes its EPCIS commissioning event."""
    product = gate.get_or_404(
        Product.objects.select_related("producer"), request.user, Action.VIEW, pk=payload.product_id
    )
    data = payload.dict()
    data.pop("product_id")
    return Status(201, services.batch_create(user=request.user, product=product, **data))


@router.get(
    "/batches/{batch_id}",
    response={200: BatchDetailOut, **SIGNED_IN_READ_ERRORS},
    auth=SIGNED_IN,
    url_name="trace_batch",
)
def get_batch(request, batch_id: Id):
    return _managed(request.user, batch_id)


@router.post(
    "/batches/{batch_id}/steps",
    response={201: StepOut, **WRITE_ERRORS},
    auth=SIGNED_IN,
    url_name="trace_step_create",
)
def add_step(request, batch_id: Id, payload: StepIn):
    """Record a step (harvest, processing, packing, shipping to a shop) as an EPCIS event."""
    batch = _managed(request.user, batch_id)
    province, _commune = current_units(payload.province_code)
    happened_at = payload.happened_at
    if timezone.is_naive(happened_at):
        happened_at = timezone.make_aware(happened_at)
    event = services.batch_step_record(
        user=request.user,
        batch=batch,
        kind=payload.kind,
        happened_at=happened_at,
        place=payload.place,
        province=province,
        quantity=payload.quantity,
        note=payload.note,
    )
    return Status(201, selectors.steps_of([event])[0])


@router.get(
    "/products/{product_id}/status",
    response={200: StatusOut, **READ_ERRORS},
    auth=ANYONE,
    url_name="trace_product_status",
)
def product_status(request, product_id: Id):
    """The live status of a product's OCOP recognition, as a label's ``gs1:certificationInfo``
    link answers it: computed at the moment of the request, never cached for long."""
    product = selectors.scannable(request.user).filter(pk=product_id).first()
    if product is None:
        raise Http404
    current, status = selectors.status_of(product)
    return {
        "product_id": product.pk,
        "name": product.name_vi,
        "status": status,
        "stars": current.stars if current and status == "valid" else None,
        "recognised_on": current.recognised_on if current else None,
        "valid_until": current.valid_until if current else None,
        "revoked_on": current.revoked_on if current else None,
        "revocation_reason": current.revocation_reason if current else "",
        "decision_no": current.decision_no if current else "",
        "checked_at": timezone.now(),
    }
