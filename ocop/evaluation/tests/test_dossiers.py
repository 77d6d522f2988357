"""Dossiers: who may open and edit them, evidence per criterion carried over at an upgrade with
only what changed replaced, and lists that cost a fixed number of queries."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ocop.evaluation import services
from ocop.evaluation.models import Dossier

from .conftest import ANSWERS_76, pdf_upload, png_upload, submitted_dossier

pytestmark = pytest.mark.django_db


def test_an_upgrade_carries_the_evidence_over_and_replaces_only_what_changed(
    cycle, owner_a, officer_a, commune_officer_a
):
    records = cycle.records
    first = submitted_dossier(owner_a, records.p_draft, cycle.round, ANSWERS_76)
    services.dossier_check(user=commune_officer_a, dossier=first, outcome="returned", reasons="Bổ sung ảnh")
    first.refresh_from_db()
    assert first.status == "returned"
    services.evidence_add(user=owner_a, dossier=first, upload=png_upload("vuon.png"), criterion="1.a")
    services.evidence_add(user=owner_a, dossier=first, upload=pdf_upload("hop-dong.pdf"), criterion="1.d")
    # The first evaluation ends (not recognised here), and the product is recognised elsewhere.
    Dossier.objects.filter(pk=first.pk).update(status="not_recognised")
    records.p_draft.recognitions.create(
        stars=3,
        level="province",
        recognised_on=records.r_p.recognised_on,
        valid_until=records.r_p.valid_until,
    )
    upgrade = services.dossier_create(
        user=owner_a, product=records.p_draft, round=cycle.round, kind="upgrade"
    )
    assert upgrade.previous == first
    assert upgrade.answers == first.answers and upgrade.self_total == 76
    carried = {e.slot: e for e in upgrade.evidence.all()}
    assert set(carried) == {
        "d:registration_form",
        "d:business_registration",
        "d:food_safety",
        "d:quality_declaration",
        "c:1.a",
        "c:1.d",
    }
    assert all(
        e.carried_from is not None and e.file.name == e.carried_from.file.name for e in carried.values()
    )
    # Only the changed contract is replaced; the previous dossier keeps its file.
    old = carried["c:1.d"]
    new = services.evidence_add(
        user=owner_a, dossier=upgrade, upload=pdf_upload("hop-dong-2026.pdf"), criterion="1.d", replaces=old
    )
    assert set(upgrade.evidence.values_list("criterion", "original_name").filter(criterion="1.d")) == {
        ("1.d", "hop-dong-2026.pdf")
    }
    assert first.evidence.get(criterion="1.d").file.storage.exists(
        first.evidence.get(criterion="1.d").file.name
    )
    assert new.carried_from is None
    # Removing a carried file from the upgrade leaves the stored file for the first dossier.
    services.evidence_remove(user=owner_a, evidence=carried["c:1.a"])
    kept = first.evidence.get(criterion="1.a")
    assert kept.file.storage.exists(kept.file.name)


def test_the_producer_edits_until_submission_only(cycle, owner_a, owner_b, officer_a):
    records = cycle.records
    with pytest.raises(PermissionDenied):
        services.dossier_create(user=owner_b, product=records.p_draft, round=cycle.round, kind="first")
    with pytest.raises(PermissionDenied):
        services.dossier_create(user=officer_a, product=records.p_draft, round=cycle.round, kind="first")
    with pytest.raises(ValidationError) as error:
        services.dossier_create(user=owner_a, product=records.p_recognised, round=cycle.round, kind="first")
    assert "file an upgrade or a re-rating" in str(error.value)
    dossier = submitted_dossier(owner_a, records.p_draft, cycle.round)
    with pytest.raises(ValidationError) as error:
        services.dossier_self_assess(user=owner_a, dossier=dossier, answers=ANSWERS_76)
    assert "can no longer be changed" in str(error.value)
    with pytest.raises(ValidationError):
        services.evidence_add(user=owner_a, dossier=dossier, upload=pdf_upload(), criterion="1.a")
    with pytest.raises(ValidationError) as error:
        services.dossier_create(user=owner_a, product=records.p_draft, round=cycle.round, kind="first")
    assert "already has a dossier in progress" in str(error.value)


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    [
        "/cycle/",
        "/cycle/ideas/",
        "/cycle/rounds/",
        "/api/v1/evaluation/dossiers",
        "SITTING",
        "/cycle/expiring/",
    ],
)
def test_lists_cost_a_fixed_number_of_queries(cycle, central, officer_a, url, django_user_model):
    from ocop.evaluation.models import Assignment, Idea, Sheet
    from ocop.registry.models import Product

    records = cycle.records
    client = Client()
    client.force_login(central)

    def add(n):
        for index in range(n):
            product = Product.objects.create(
                producer=records.p,
                name_vi=f"SP {Product.objects.count()}",
                group="food",
                product_set=records.p_draft.product_set,
            )
            dossier = Dossier.objects.create(
                product=product,
                round=cycle.round,
                kind="first",
                criteria_set=records.p_draft.product_set.criteria_sets.get(is_current=True),
                level="province",
                status="in_sitting",
            )
            assignment = Assignment.objects.create(sitting=cycle.sitting, dossier=dossier)
            Sheet.objects.create(
                assignment=assignment,
                seat=cycle.seats["chair"],
                answers=ANSWERS_76,
                total=76,
                status="submitted",
                submitted_at=dossier.created_at,
            )
            Idea.objects.create(
                producer=records.p,
                name=f"Ý tưởng {index}",
                group="food",
                description="x",
                submitted_by=central,
                submitted_at=dossier.created_at,
            )

    target = f"/cycle/sittings/{cycle.sitting.pk}/" if url == "SITTING" else url
    cycle.sitting.status = "open"
    cycle.sitting.save()
    add(2)
    few = _queries(client, target)
    add(12)
    assert _queries(client, target) == few
