"""The registry over HTTP: producers, products, recognitions and the product taxonomy."""

from datetime import date
from decimal import Decimal
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Form, Header, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from ocop.accounts import gate
from ocop.accounts.api import ANYONE, READ_ERRORS, SIGNED_IN, SIGNED_IN_READ_ERRORS, WRITE_ERRORS
from ocop.accounts.choices import Action
from ocop.collation import by_name
from ocop.concurrency import IF_MATCH_DESCRIPTION, READ_OPENAPI, WRITE_OPENAPI, etag, if_match_tokens
from ocop.geo.services import LocationError, current_units, place
from ocop.jobs.api import JobOut
from ocop.jobs.models import Job
from ocop.jobs.services import job_start
from ocop.web.edge import BlankText, Code, Id
from ocop.web.paging import window

from . import exporting, selectors, services
from .choices import LegalForm, ProducerType, ProductGroup, RecognitionLevel
from .models import Producer, Product, ProductSet, Recognition, Taxonomy

router = Router(tags=["registry"])

PAGE_SIZE = 50


class Pagination(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1)
        page_size: int = Field(PAGE_SIZE, ge=1, le=500)

    def paginate_queryset(self, queryset, pagination: Input, **params):
        count = self._items_count(queryset)
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": window(queryset, offset=offset, limit=pagination.page_size, count=count),
            "count": count,
        }


# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------


class UnitRef(Schema):
    code: str
    name: str


def _today(context) -> date:
    request = context.get("request") if context else None
    if request is not None and not hasattr(request, "_ocop_today"):
        request._ocop_today = timezone.localdate()
    return request._ocop_today if request is not None else timezone.localdate()


class RecognitionOut(Schema):
    id: int
    product_id: int
    stars: int
    score: Decimal | None
    level: RecognitionLevel
    decision_no: str
    recognised_on: date
    valid_until: date
    status: str
    revoked_on: date | None
    revocation_reason: str
    superseded_on: date | None

    @staticmethod
    def resolve_status(obj, context):
        return obj.status_on(_today(context))


class ProducerBrief(Schema):
    id: int
    name: str
    kind: ProducerType
    province: UnitRef
    commune: UnitRef | None


class ProductSetOut(Schema):
    taxonomy: str = Field(..., alias="taxonomy_id")
    code: str
    name_vi: str
    name_en: str
    group: ProductGroup


class ProductOut(Schema):
    id: int
    name_vi: str
    name_en: str
    group: ProductGroup
    product_set: ProductSetOut | None
    gtin: str | None
    ocop_code: str
    producer: ProducerBrief
    status: str | None = Field(
        None, description="valid, expired, revoked, superseded; null if never recognised"
    )
    stars: int | None = Field(None, description="Stars of the recognition in force today, else null")
    valid_until: date | None = None
    public_url: str = ""

    @staticmethod
    def _current(obj, context):
        if not hasattr(obj, "_api_current"):
            obj._api_current = obj.current_recognition(_today(context))
        return obj._api_current

    @staticmethod
    def resolve_status(obj, context):
        current = ProductOut._current(obj, context)
        return current.status_on(_today(context)) if current else None

    @staticmethod
    def resolve_stars(obj, context):
        current = ProductOut._current(obj, context)
        return current.stars if current and current.status_on(_today(context)) == "valid" else None

    @staticmethod
    def resolve_valid_until(obj, context):
        current = ProductOut._current(obj, context)
        return current.valid_until if current else None

    @staticmethod
    def resolve_public_url(obj, context):
        return context["request"].build_absolute_uri(reverse("market:product_redirect", args=[obj.pk]))


class ProductDetailOut(ProductOut):
    description_vi: str
    description_en: str
    story_vi: str
    story_en: str
    recognitions: list[RecognitionOut]

    @staticmethod
    def resolve_recognitions(obj, context):
        return list(obj.recognitions.all())


class ProducerOut(Schema):
    id: int
    name: str
    kind: ProducerType
    legal_form: str
    tax_code: str | None
    registration_no: str
    representative: str
    representative_is_woman: bool
    representative_is_ethnic_minority: bool
    local_capital_pct: Decimal | None
    address: str
    province: UnitRef
    commune: UnitRef | None
    historical_province: UnitRef | None
    historical_district: UnitRef | None
    historical_commune: UnitRef | None
    phone: str
    email: str
    website: str


class ProducerIn(Schema):
    name: str = Field(..., min_length=1, max_length=250)
    kind: ProducerType
    legal_form: LegalForm | None = None
    tax_code: str | None = None
    registration_no: BlankText = ""
    representative: BlankText = ""
    representative_is_woman: bool = False
    representative_is_ethnic_minority: bool = False
    local_capital_pct: Decimal | None = None
    address: str = Field(..., min_length=1, max_length=300)
    province_code: str | None = Field(
        None, description="Current province code, if the address alone is not enough"
    )
    commune_code: str | None = Field(
        None, description="Current commune code, if the address alone is not enough"
    )
    phone: BlankText = ""
    email: BlankText = ""
    website: BlankText = ""
    description_vi: BlankText = ""
    description_en: BlankText = ""


class ProducerPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=250)
    kind: ProducerType | None = None
    legal_form: LegalForm | None = None
    tax_code: str | None = None
    registration_no: BlankText = None
    representative: BlankText = None
    representative_is_woman: bool | None = None
    representative_is_ethnic_minority: bool | None = None
    local_capital_pct: Decimal | None = None
    address: str | None = Field(None, min_length=1, max_length=300)
    province_code: str | None = None
    commune_code: str | None = None
    phone: BlankText = None
    email: BlankText = None
    website: BlankText = None
    description_vi: BlankText = None
    description_en: BlankText = None


class ProductIn(Schema):
    name_vi: str = Field(..., min_length=1, max_length=250)
    name_en: BlankText = ""
    group: ProductGroup | None = None
    product_set: str | None = Field(None, description="Product set as TAXONOMY:CODE, e.g. 148:I.3.c")
    description_vi: BlankText = ""
    description_en: BlankText = ""
    story_vi: BlankText = ""
    story_en: BlankText = ""
    gtin: str | None = None
    ocop_code: BlankText = ""


class ProductPatch(Schema):
    name_vi: str | None = Field(None, min_length=1, max_length=250)
    name_en: BlankText = None
    group: ProductGroup | None = None
    product_set: str | None = None
    description_vi: BlankText = None
    description_en: BlankText = None
    story_vi: BlankText = None
    story_en: BlankText = None
    gtin: str | None = None
    ocop_code: BlankText = None


class RecognitionIn(Schema):
    stars: int = Field(..., ge=1, le=5)
    recognised_on: date
    level: RecognitionLevel
    decision_no: str = ""
    score: Decimal | None = Field(None, ge=0, le=100)
    valid_until: date | None = None
    note: str = ""


class RevokeIn(Schema):
    revoked_on: date
    reason: str = Field(..., min_length=1, max_length=300)


class TaxonomyOut(Schema):
    code: str
    name: str
    legal_basis: str
    effective_from: date
    effective_until: date | None
    product_sets: list[ProductSetOut]

    @staticmethod
    def resolve_product_sets(obj):
        return list(obj.product_sets.all())


class ProductQuery(Schema):
    q: str = ""
    province: str = Field("", description="Current province code")
    commune: str = Field("", description="Current commune code")
    group: ProductGroup | None = None
    stars: int | None = Field(None, ge=1, le=5)
    status: str = Field("", pattern="^(|valid|expired|revoked|never)$")
    producer_kind: ProducerType | None = None
    producer: int | None = None
    managed: bool = Field(False, description="Only the products you may change")


class ProducerQuery(Schema):
    q: str = ""
    province: str = ""
    commune: str = ""
    kind: ProducerType | None = None


# ---------------------------------------------------------------------------------------------
# Serialisation
# ---------------------------------------------------------------------------------------------


def _ref(unit):
    return {"code": unit.code, "name": unit.name} if unit is not None else None


def _product_set(value: str | None):
    """``148:I.3.c`` (or a bare code, looked up in the newest taxonomy) -> ProductSet."""
    if not value:
        return None
    taxonomy, _, code = value.rpartition(":")
    sets = ProductSet.objects.filter(code=code)
    sets = sets.filter(taxonomy_id=taxonomy) if taxonomy else sets.order_by("-taxonomy__effective_from")
    found = sets.first()
    if found is None:
        raise ValidationError({"product_set": [f"Unknown product set {value!r}."]})
    return found


def _location_from(payload: dict, address: str | None):
    """Units for a producer from its address and optional current codes."""
    province_code = payload.pop("province_code", None)
    commune_code = payload.pop("commune_code", None)
    province, commune = current_units(province_code, commune_code)
    if not (address or province or commune):
        return None
    try:
        # Read on today's boundaries when nothing in the address decides (see views._producer_location).
        return place(address or "", province=province, commune=commune, on=timezone.localdate())
    except LocationError as exc:
        raise ValidationError({"address": [str(exc)]}) from None


def _producer_rows():
    return Producer.objects.select_related(
        "province", "commune", "historical_province", "historical_district", "historical_commune"
    )


# ---------------------------------------------------------------------------------------------
# Endpoints
# ---------------------------------------------------------------------------------------------


@router.get(
    "/products", response={200: list[ProductOut], **READ_ERRORS}, auth=ANYONE, summary="List products"
)
@paginate(Pagination)
def list_products(request, filters: Query[ProductQuery]):
    """Products you may see: recognised products for everyone, plus the ones you manage."""
    data = filters.dict()
    managed = data.pop("managed")
    query = selectors.ProductFilters(**{k: v for k, v in data.items() if v not in (None, "")})
    rows = (
        selectors.managed_products(request.user, query)
        if managed
        else selectors.public_products(request.user, query)
    )
    return rows


@router.get(
    "/products/{product_id}",
    response={200: ProductDetailOut, **READ_ERRORS},
    auth=ANYONE,
    summary="One product",
    openapi_extra=READ_OPENAPI,
)
def get_product(request, product_id: Id, response: HttpResponse):
    product = gate.get_or_404(
        selectors.with_recognitions(Product.objects.all()), request.user, Action.VIEW, pk=product_id
    )
    response["ETag"] = etag(product)
    return product


@router.post(
    "/producers/{producer_id}/products", response={201: ProductDetailOut, **WRITE_ERRORS}, auth=SIGNED_IN
)
def create_product(request, producer_id: Id, payload: ProductIn):
    producer = gate.get_or_404(Producer.objects.all(), request.user, Action.VIEW, pk=producer_id)
    data = payload.dict()
    data["product_set"] = _product_set(data.get("product_set"))
    product = services.product_create(user=request.user, producer=producer, data=data)
    return Status(201, selectors.with_recognitions(Product.objects.all()).get(pk=product.pk))


@router.patch(
    "/products/{product_id}",
    response={200: ProductDetailOut, **WRITE_ERRORS},
    auth=SIGNED_IN,
    openapi_extra=WRITE_OPENAPI,
)
def update_product(
    request,
    product_id: Id,
    payload: ProductPatch,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_DESCRIPTION),
):
    product = gate.get_or_404(Product.objects.all(), request.user, Action.CHANGE, pk=product_id)
    version = if_match_tokens(if_match, Product)
    data = payload.dict(exclude_unset=True)
    if "product_set" in data:
        data["product_set"] = _product_set(data["product_set"])
    services.product_update(user=request.user, product=product, data=data, version=version)
    product = selectors.with_recognitions(Product.objects.all()).get(pk=product.pk)
    response["ETag"] = etag(product)
    return product


@router.get(
    "/products/{product_id}/recognitions", response={200: list[RecognitionOut], **READ_ERRORS}, auth=ANYONE
)
def list_recognitions(request, product_id: Id):
    product = gate.get_or_404(Product.objects.all(), request.user, Action.VIEW, pk=product_id)
    return gate.restrict(product.recognitions.order_by("-recognised_on", "-pk"), request.user, Action.VIEW)


@router.post(
    "/products/{product_id}/recognitions", response={201: RecognitionOut, **WRITE_ERRORS}, auth=SIGNED_IN
)
def create_recognition(request, product_id: Id, payload: RecognitionIn):
    product = gate.get_or_404(
        Product.objects.select_related("producer", "producer__province"),
        request.user,
        Action.VIEW,
        pk=product_id,
    )
    recognition = services.recognition_record(
        user=request.user, product=product, issuer_province=product.producer.province, **payload.dict()
    )
    return Status(201, recognition)


@router.post(
    "/recognitions/{recognition_id}/revoke", response={200: RecognitionOut, **WRITE_ERRORS}, auth=SIGNED_IN
)
def revoke_recognition(request, recognition_id: Id, payload: RevokeIn):
    recognition = gate.get_or_404(
        Recognition.objects.select_related("product__producer"),
        request.user,
        Action.CHANGE,
        pk=recognition_id,
    )
    recognition = services.recognition_revoke(
        user=request.user, recognition=recognition, revoked_on=payload.revoked_on, reason=payload.reason
    )
    return recognition


@router.get(
    "/producers",
    response={200: list[ProducerOut], **SIGNED_IN_READ_ERRORS},
    auth=SIGNED_IN,
    summary="List producers you manage",
)
@paginate(Pagination)
def list_producers(request, filters: Query[ProducerQuery]):
    data = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    rows = selectors.managed_producers(request.user, selectors.ProducerFilters(**data))
    return rows.select_related("historical_province").order_by(*by_name("name"), "pk")


@router.get(
    "/producers/{producer_id}",
    response={200: ProducerOut, **SIGNED_IN_READ_ERRORS},
    auth=SIGNED_IN,
    openapi_extra=READ_OPENAPI,
)
def get_producer(request, producer_id: Id, response: HttpResponse):
    producer = gate.get_or_404(_producer_rows(), request.user, Action.VIEW, pk=producer_id)
    response["ETag"] = etag(producer)
    return producer


@router.post("/producers", response={201: ProducerOut, **WRITE_ERRORS}, auth=SIGNED_IN)
def create_producer(request, payload: ProducerIn):
    data = payload.dict()
    data["legal_form"] = data.get("legal_form") or ""
    location = _location_from(data, data.get("address"))
    producer = services.producer_create(user=request.user, data=data, location=location)
    return Status(201, _producer_rows().get(pk=producer.pk))


@router.patch(
    "/producers/{producer_id}",
    response={200: ProducerOut, **WRITE_ERRORS},
    auth=SIGNED_IN,
    openapi_extra=WRITE_OPENAPI,
)
def update_producer(
    request,
    producer_id: Id,
    payload: ProducerPatch,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match", description=IF_MATCH_DESCRIPTION),
):
    producer = gate.get_or_404(Producer.objects.all(), request.user, Action.CHANGE, pk=producer_id)
    version = if_match_tokens(if_match, Producer)
    data = payload.dict(exclude_unset=True)
    if "legal_form" in data:
        data["legal_form"] = data["legal_form"] or ""
    moves = {"address", "province_code", "commune_code"} & data.keys()
    location = _location_from(data, data.get("address", producer.address)) if moves else None
    services.producer_update(
        user=request.user, producer=producer, data=data, location=location, version=version
    )
    producer = _producer_rows().get(pk=producer.pk)
    response["ETag"] = etag(producer)
    return producer


@router.get(
    "/taxonomies",
    response={200: list[TaxonomyOut], **READ_ERRORS},
    auth=ANYONE,
    summary="Product classifications",
)
def list_taxonomies(request):
    return Taxonomy.objects.prefetch_related("product_sets").order_by("effective_from")


@router.get("/taxonomies/{code}", response={200: TaxonomyOut, **READ_ERRORS}, auth=ANYONE)
def get_taxonomy(request, code: Code):
    return get_object_or_404(Taxonomy.objects.prefetch_related("product_sets"), code=code)


# ---------------------------------------------------------------------------------------------
# Imports and exports (background jobs; poll /api/v1/jobs/{id})
# ---------------------------------------------------------------------------------------------


class ExportIn(Schema):
    format: str = Field("xlsx", pattern="^(xlsx|csv)$")
    language: str = Field("vi", pattern="^(vi|en)$")
    province: str = Field("", description="Current province code")
    commune: str = ""
    group: ProductGroup | None = None
    stars: int | None = Field(None, ge=1, le=5)
    status: str = Field("", pattern="^(|valid|expired|revoked|never)$")
    producer_kind: ProducerType | None = None


def _may_import(user) -> None:
    from django.core.exceptions import PermissionDenied

    if not services.may_import(user):
        raise PermissionDenied


@router.post(
    "/imports", response={202: JobOut, **WRITE_ERRORS}, auth=SIGNED_IN, summary="Check (and import) a list"
)
def create_import(
    request,
    file: UploadedFile = File(..., description=".xlsx, .xls, .ods or .csv"),
    dry_run: bool = Form(True, description="Only check; confirm later with /imports/{id}/confirm"),
    province: str = Form("", description="Province of addresses that do not name one"),
):
    """Starts a background job that checks the list (and writes it, when ``dry_run`` is false and
    it has no problem). Poll the job: its ``result`` is the report, problems by row and column."""
    _may_import(request.user)
    if file.size > settings.OCOP_IMPORT_MAX_BYTES:
        raise ValidationError(
            {"file": [f"The file is larger than {settings.OCOP_IMPORT_MAX_BYTES // 1_048_576} MB."]}
        )
    job = services.list_import_start(
        user=request.user,
        upload=file,
        default_province=province,
        language=getattr(request, "LANGUAGE_CODE", "vi"),
        dry_run=dry_run,
    )
    return Status(202, Job.objects.get(pk=job.pk))


@router.get(
    "/imports/template",
    response={401: dict, 403: dict},
    auth=SIGNED_IN,
    summary="The list template (.xlsx)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The import's columns, an example row to replace, and a guide sheet",
                "content": {exporting.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def import_template(request):
    """The registry list to fill in and upload to /imports, in the language of the request."""
    _may_import(request.user)
    name, content = exporting.template_file(getattr(request, "LANGUAGE_CODE", "vi"))
    response = HttpResponse(content, content_type=exporting.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post("/imports/{job_id}/confirm", response={202: JobOut, **WRITE_ERRORS}, auth=SIGNED_IN)
def confirm_import(request, job_id: UUID):
    checked = gate.get_or_404(Job.objects.all(), request.user, Action.VIEW, pk=job_id, kind="registry.import")
    job = services.list_import_confirm(user=request.user, checked=checked)
    return Status(202, Job.objects.get(pk=job.pk))


@router.post(
    "/exports", response={202: JobOut, **WRITE_ERRORS}, auth=SIGNED_IN, summary="Export the registry"
)
def create_export(request, payload: ExportIn):
    """Exports the products you manage that match the filters; download the file from the job."""
    data = payload.dict()
    fmt, language = data.pop("format"), data.pop("language")
    filters = {k: v for k, v in data.items() if v not in (None, "")}
    job = job_start(
        kind="registry.export",
        owner=request.user,
        params={
            "filters": filters,
            "format": fmt,
            "language": language,
            "slug": filters.get("province") or "registry",
        },
    )
    return Status(202, Job.objects.get(pk=job.pk))
