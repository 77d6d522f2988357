"""Which products anyone may scan: one rule (``selectors.scannable``) behind the resolver, the
scan page, a shopper's report and the live status API. A product is scannable once recognised or
once it has a batch (its labels are in shoppers' hands); any other product is not found on all
four, and nothing is written for it."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache

from ocop.registry.models import Recognition
from ocop.trace import services
from ocop.trace.models import ProblemReport


def answers(client, product) -> dict[str, int]:
    """What each surface answers an anonymous shopper about ``product``."""
    cache.clear()  # the resolver keeps what a code points to for a while
    return {
        "resolver": client.get(f"/t/{services.product_code(product)}").status_code,
        "scan page": client.get(f"/scan/p/{product.pk}/").status_code,
        "report": client.post("/scan/report/", {"product": product.pk, "kind": "quality"}).status_code,
        "status": client.get(f"/api/v1/trace/products/{product.pk}/status").status_code,
    }


SCANNABLE = {"resolver": 307, "scan page": 200, "report": 302, "status": 200}
NOT_FOUND = {"resolver": 404, "scan page": 404, "report": 404, "status": 404}


@pytest.mark.django_db
def test_a_product_neither_recognised_nor_labelled_is_not_found_anywhere(client, records):
    assert answers(client, records.p_draft) == NOT_FOUND
    assert not ProblemReport.objects.exists()


def test_a_product_with_a_batch_is_scannable_everywhere(client, records, batch_draft):
    assert answers(client, records.p_draft) == SCANNABLE
    assert ProblemReport.objects.filter(product=records.p_draft).count() == 1


@pytest.mark.django_db
def test_a_recognised_product_is_scannable_everywhere(client, records):
    assert answers(client, records.p_recognised) == SCANNABLE


@pytest.mark.django_db
def test_a_product_recognised_from_a_later_date_is_scannable_everywhere(client, records):
    """Recorded before it takes effect: the resolver used to judge by today's status (none yet)
    while the pages judged by the recognition being recorded."""
    today = date.today()
    Recognition.objects.create(
        product=records.p_draft,
        stars=3,
        level="province",
        recognised_on=today + timedelta(days=10),
        valid_until=today + timedelta(days=3 * 365),
    )
    assert answers(client, records.p_draft) == SCANNABLE
