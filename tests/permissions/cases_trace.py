"""Permission cases for traceability: the resolver and scan pages (public), the EPCIS interface
(signed-in readers; writes need a bearer token, so no browser session may capture), producers'
batches, steps, labels and links, and officers' flags and reports."""

from __future__ import annotations

from .framework import EVERYONE, OFFICERS, REACH_P, SIGNED_IN, Case, api, count, page

GTIN = "08935001234562"
# Who records batches and steps of producer P's products: its staff and the central office.
RECORDERS_P = {"central", "owner_a"}


def setup(records, users):
    """P's recognised product gets a GTIN and a batch with labels; a link; a capture job."""
    from datetime import date, timedelta
    from decimal import Decimal

    from django.core.cache import cache

    from ocop.trace import services
    from ocop.trace.models import CaptureJob

    cache.clear()  # the report form is rate-limited per client address
    records.p_recognised.gtin = GTIN
    records.p_recognised.save(update_fields=["gtin"])
    records.batch = services.batch_create(
        user=users["owner_a"],
        product=records.p_recognised,
        lot="L1",
        produced_on=date.today() - timedelta(days=3),
        quantity=Decimal(100),
    )
    services.labels_issue(user=users["owner_a"], batch=records.batch, count=5)
    records.link = services.link_add(
        user=users["owner_a"],
        product=records.p_recognised,
        link_type="gs1:hasRetailers",
        href="https://postmart.vn/",
        title="Postmart",
    )
    records.capture = CaptureJob.objects.create(owner=users["owner_a"], status="succeeded")


def _code(r):
    """The platform code of P's recognised product: labels printed before it had a GTIN."""
    from ocop.trace import codes

    return codes.encode(r.p_recognised.pk)


CASES: list[Case] = [
    # ---- labels and scans (public) ------------------------------------------------------------
    page("trace:resolve_gtin", lambda r: f"/01/{GTIN}/10/L1/21/1", EVERYONE, ok=307, anonymous=307),
    page("trace:resolve_code", lambda r: f"/t/{_code(r)}/10/L1", EVERYONE, ok=307, anonymous=307),
    page("trace:resolver_description", lambda r: "/.well-known/gs1resolver", EVERYONE, anonymous=200),
    page("trace:scan_batch", lambda r: f"/scan/b/{r.batch.pk}/", EVERYONE, anonymous=200),
    page("trace:scan_product", lambda r: f"/scan/p/{r.p_recognised.pk}/", EVERYONE, anonymous=200),
    # A product never recognised and without batches has no public page.
    page("trace:scan_product#draft", lambda r: f"/scan/p/{r.p_draft.pk}/", REACH_P, anonymous=404),
    page(
        "trace:report",
        lambda r: "/scan/report/",
        EVERYONE,
        method="post",
        data=lambda r, g: {"product": r.p_recognised.pk, "batch": r.batch.pk, "kind": "other"},
        ok=302,
        anonymous=302,
        effect=lambda r, actor: count("trace.problemreport", batch=r.batch) == 1,
    ),
    page(
        "trace:report#draft",
        lambda r: "/scan/report/",
        REACH_P,
        method="post",
        data=lambda r, g: {"product": r.p_draft.pk, "kind": "other"},
        ok=302,
        anonymous=404,
        effect=lambda r, actor: count("trace.problemreport", product=r.p_draft) == 1,
    ),
    page(
        "trace:locate",
        lambda r: f"/scan/b/{r.batch.pk}/where/",
        EVERYONE,
        method="post",
        data=lambda r, g: {"province": g.province_b.pk, "s": "2"},
        ok=302,
        anonymous=302,
        effect=lambda r, actor: count("trace.locatedscan", batch=r.batch) == 1,
    ),
    # ---- EPCIS interface ----------------------------------------------------------------------
    # Capture needs a bearer token: a browser session is refused (so no cross-site writes).
    page(
        "trace:epcis_capture",
        lambda r: "/epcis/capture",
        set(),
        method="post",
        data=lambda r, g: {},
        denied=401,
        anonymous=401,
    ),
    page("trace:epcis_capture#list", lambda r: "/epcis/capture", SIGNED_IN, anonymous=401),
    page(
        "trace:epcis_capture_detail",
        lambda r: f"/epcis/capture/{r.capture.pk}",
        {"central", "owner_a"},
        anonymous=401,
    ),
    page("trace:epcis_events", lambda r: "/epcis/events", SIGNED_IN, anonymous=401),
    # ---- producers' batches -------------------------------------------------------------------
    page("trace:batch_list", lambda r: "/trace/", SIGNED_IN),
    page(
        "trace:batch_create",
        lambda r: f"/trace/batches/new/?product={r.p_recognised.pk}",
        {"central", "owner_a", "owner_b"},  # owner_b sees a form for its own products
        denied=403,
    ),
    page(
        "trace:batch_create#post",
        lambda r: f"/trace/batches/new/?product={r.p_recognised.pk}",
        RECORDERS_P,
        method="post",
        data=lambda r, g: {
            "product": r.p_recognised.pk,
            "lot": "PM-1",
            "produced_on": "2025-10-01",
            "quantity": "5",
            "unit": "H87",
        },
        ok=302,
        denied=(200, 403),
        effect=lambda r, actor: count("trace.batch", lot="PM-1") == 1,
    ),
    page("trace:batch_detail", lambda r: f"/trace/batches/{r.batch.pk}/", REACH_P),
    page(
        "trace:step_add",
        lambda r: f"/trace/batches/{r.batch.pk}/steps/",
        RECORDERS_P,
        method="post",
        data=lambda r, g: {"kind": "packing", "happened_at": "2025-10-02T08:00"},
        ok=302,
        effect=lambda r, actor: count("trace.event", batch=r.batch, biz_step="packing") == 1,
    ),
    page(
        "trace:labels",
        lambda r: f"/trace/batches/{r.batch.pk}/labels/",
        RECORDERS_P,
        method="post",
        data=lambda r, g: {"count": 2, "per_page": 24, "format": "pdf"},
        effect=lambda r, actor: count("trace.batch", pk=r.batch.pk, labels_issued=7) == 1,
    ),
    page("trace:link_list", lambda r: f"/trace/products/{r.p_recognised.pk}/links/", REACH_P),
    page(
        "trace:link_list#post",
        lambda r: f"/trace/products/{r.p_recognised.pk}/links/",
        REACH_P,
        method="post",
        data=lambda r, g: {
            "link_type": "gs1:recipeInfo",
            "href": "https://example.vn/r",
            "title": "Công thức",
        },
        ok=302,
        effect=lambda r, actor: count("trace.productlink", link_type="gs1:recipeInfo") == 1,
    ),
    page(
        "trace:link_remove",
        lambda r: f"/trace/links/{r.link.pk}/remove/",
        REACH_P,
        method="post",
        ok=302,
        effect=lambda r, actor: count("trace.productlink", pk=r.link.pk) == 0,
    ),
    # ---- officers -----------------------------------------------------------------------------
    page("trace:flag_list", lambda r: "/trace/flags/", OFFICERS, denied=403),
    page("trace:report_list", lambda r: "/trace/reports/", OFFICERS, denied=403),
    # ---- API ----------------------------------------------------------------------------------
    api("GET /api/v1/trace/batches", lambda r: "/api/v1/trace/batches", SIGNED_IN),
    api(
        "POST /api/v1/trace/batches",
        lambda r: "/api/v1/trace/batches",
        RECORDERS_P,
        ok=201,
        denied=403,
        data=lambda r, g: {
            "product_id": r.p_recognised.pk,
            "lot": "API-9",
            "produced_on": "2025-10-01",
            "quantity": "3",
        },
        effect=lambda r, actor: count("trace.batch", lot="API-9") == 1,
    ),
    api("GET /api/v1/trace/batches/{batch_id}", lambda r: f"/api/v1/trace/batches/{r.batch.pk}", REACH_P),
    api(
        "POST /api/v1/trace/batches/{batch_id}/steps",
        lambda r: f"/api/v1/trace/batches/{r.batch.pk}/steps",
        RECORDERS_P,
        ok=201,
        denied=(403, 404),  # officers see the batch but may not record; others do not see it
        data=lambda r, g: {"kind": "harvest", "happened_at": "2025-10-01T07:00:00+07:00"},
        effect=lambda r, actor: count("trace.event", batch=r.batch, biz_step="other") == 1,
    ),
    api(
        "GET /api/v1/trace/products/{product_id}/status",
        lambda r: f"/api/v1/trace/products/{r.p_recognised.pk}/status",
        EVERYONE,
        anonymous=200,
    ),
]
