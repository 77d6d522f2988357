"""The index's reading of recognitions agrees with the registry's own rule, in every state."""

import itertools
import random
from datetime import date, timedelta

import pytest

from ocop.market import indexing
from ocop.registry.models import Product, Recognition

pytestmark = pytest.mark.django_db


def _random_history(rng, product, today):
    rows = []
    start = today - timedelta(days=rng.randint(0, 2500))
    for _ in range(rng.randint(1, 4)):
        until = start + timedelta(days=rng.choice([30, 400, 1095]))
        revoked = start + timedelta(days=rng.randint(0, 500)) if rng.random() < 0.2 else None
        rows.append(
            Recognition(
                product=product,
                stars=rng.randint(3, 5),
                level="province",
                recognised_on=start,
                valid_until=until,
                revoked_on=revoked,
                superseded_on=None,
            )
        )
        start = start + timedelta(days=rng.randint(-100, 1200))
    # Supersede as the registry does: a later decision ends the one in force on its date.
    rows.sort(key=lambda r: r.recognised_on)
    for earlier, later in itertools.pairwise(rows):
        if earlier.recognised_on < later.recognised_on and earlier.status_on(later.recognised_on) == "valid":
            earlier.superseded_on = later.recognised_on
    return rows


def test_the_index_reads_recognitions_as_the_registry_does(records):
    rng = random.Random(11)
    today = date(2026, 11, 23)
    products = [
        Product.objects.create(producer=records.p, name_vi=f"Thử {i}", group="food") for i in range(150)
    ]
    Recognition.objects.bulk_create([r for p in products for r in _random_history(rng, p, today)])
    rows = [
        indexing.RecognitionRow(*values)
        for values in Recognition.objects.filter(product__in=products).values_list(
            "product_id", "pk", "stars", "recognised_on", "valid_until", "revoked_on", "superseded_on"
        )
    ]
    for day in (today, today - timedelta(days=700), today + timedelta(days=400)):
        columns = indexing.recognition_columns(rows, day)
        for product in Product.objects.filter(pk__in=[p.pk for p in products]).prefetch_related(
            "recognitions"
        ):
            current = product.current_recognition(day)
            got = columns[product.pk]
            status = current.status_on(day) if current else "pending"
            assert got.status == status, (product.pk, day)
            if status == "valid":
                assert got.valid_stars == current.stars
                assert got.valid_from <= day <= got.valid_to
                assert current.status_on(got.valid_to) == "valid"
                assert current.status_on(got.valid_to + timedelta(days=1)) != "valid"
            else:
                assert got.valid_stars == 0 and got.valid_to is None
