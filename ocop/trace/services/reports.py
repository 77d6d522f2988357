"""Shoppers' reports about a product or batch, sent from the scan page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ocop.accounts.services import audit_record
from ocop.registry.models import Product

from ..choices import ReportKind
from ..models import Batch, ProblemReport


@transaction.atomic
def report_submit(*, product: Product, batch: Batch | None, kind: str, message: str = "", province=None):
    """A shopper's report about a product (anonymous: nothing about the person is kept)."""
    if kind not in ReportKind.values:
        raise ValidationError({"kind": [_("Choose what is wrong.")]})
    report = ProblemReport.objects.create(
        product=product, batch=batch, kind=kind, message=(message or "").strip()[:1000], province=province
    )
    audit_record(
        actor=None,
        action="trace.report",
        obj=product,
        province_id=product.producer.province_id,
        report_id=report.pk,
        kind=kind,
    )
    return report
