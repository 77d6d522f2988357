"""Recognitions: validity, superseding on re-rating, revocation, and status on any date."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ocop.accounts.models import AuditEvent
from ocop.registry import services
from ocop.registry.models import Product, Recognition


@pytest.mark.parametrize(
    ("recognised", "valid_until"),
    [
        (date(2022, 3, 15), date(2025, 3, 14)),
        (date(2021, 1, 1), date(2023, 12, 31)),
        (date(2020, 2, 29), date(2023, 2, 27)),  # 29/2 + 36 months = 28/2, minus one day
        (date(2023, 12, 31), date(2026, 12, 30)),
    ],
)
def test_a_recognition_is_valid_for_36_months(recognised, valid_until):
    assert services.validity_end(recognised) == valid_until


def test_validity_follows_the_setting(settings):
    settings.OCOP_RECOGNITION_VALIDITY_MONTHS = 24
    assert services.validity_end(date(2022, 3, 15)) == date(2024, 3, 14)


@pytest.mark.django_db
def test_recording_a_recognition_sets_validity_and_audits(records, officer_a):
    recognition = services.recognition_record(
        user=officer_a,
        product=records.p_draft,
        stars=3,
        recognised_on=date(2024, 5, 20),
        level="province",
        decision_no="456/QĐ-UBND",
        score=68,
    )
    assert recognition.valid_until == date(2027, 5, 19)
    assert recognition.status_on(date(2027, 5, 19)) == "valid"
    assert recognition.status_on(date(2027, 5, 20)) == "expired"
    assert recognition.status_on(date(2024, 5, 19)) == "pending"
    event = AuditEvent.objects.get(action="recognition.record")
    assert (event.actor, event.object_id, event.province_id) == (
        officer_a,
        str(recognition.pk),
        records.p.province_id,
    )
    assert event.data["after"]["stars"] == 3


@pytest.mark.django_db
def test_re_rating_supersedes_the_recognition_in_force(records, officer_a):
    old = records.r_p  # 4 stars, in force
    new = services.recognition_record(
        user=officer_a,
        product=records.p_recognised,
        stars=3,
        recognised_on=date(2025, 9, 1),
        level="province",
    )
    old.refresh_from_db()
    assert (old.superseded_on, old.superseded_by) == (date(2025, 9, 1), new)
    assert old.status_on(date(2025, 8, 31)) == "valid"
    assert old.status_on(date(2025, 9, 1)) == "superseded"
    # Downgraded: the product now counts as 3 stars.
    valid = Recognition.objects.valid_on(date(2025, 9, 2)).filter(product=records.p_recognised)
    assert list(valid.values_list("stars", flat=True)) == [3]
    assert records.p_recognised.current_recognition(date(2025, 9, 2)) == new


@pytest.mark.django_db
def test_the_same_decision_cannot_be_recorded_twice(records, officer_a):
    kwargs = dict(
        user=officer_a,
        product=records.p_draft,
        stars=3,
        recognised_on=date(2025, 8, 1),
        level="province",
        decision_no="9/QĐ",
    )
    services.recognition_record(**kwargs)
    with pytest.raises(ValidationError) as error:
        services.recognition_record(**kwargs)
    assert "already recorded" in str(error.value)
    assert Recognition.objects.filter(product=records.p_draft).count() == 1


@pytest.mark.django_db
def test_five_stars_only_at_central_level_and_only_by_the_central_office(records, officer_a, central):
    with pytest.raises(ValidationError) as error:
        services.recognition_record(
            user=officer_a, product=records.p_draft, stars=5, recognised_on=date(2025, 8, 1), level="province"
        )
    assert error.value.message_dict == {"level": ["Five-star products are recognised at central level."]}
    with pytest.raises(ValidationError) as error:
        services.recognition_record(
            user=officer_a, product=records.p_draft, stars=5, recognised_on=date(2025, 8, 1), level="central"
        )
    assert error.value.message_dict == {
        "level": ["Only the central office records central-level recognitions."]
    }
    recognition = services.recognition_record(
        user=central, product=records.p_draft, stars=5, recognised_on=date(2025, 8, 1), level="central"
    )
    assert recognition.stars == 5


@pytest.mark.django_db
def test_out_of_jurisdiction_officers_and_producers_cannot_record(
    records, officer_b, owner_a, commune_officer_a
):
    for user in (officer_b, owner_a, commune_officer_a):
        with pytest.raises(PermissionDenied):
            services.recognition_record(
                user=user, product=records.p_draft, stars=3, recognised_on=date(2025, 8, 1), level="province"
            )
    assert not Recognition.objects.filter(product=records.p_draft).exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_a_future_decision_date_is_refused(records, officer_a):
    with pytest.raises(ValidationError) as error:
        services.recognition_record(
            user=officer_a, product=records.p_draft, stars=3, recognised_on=date(2999, 1, 1), level="province"
        )
    assert list(error.value.message_dict) == ["recognised_on"]


@pytest.mark.django_db
def test_revocation_takes_effect_on_its_date(records, officer_a):
    recognition = services.recognition_revoke(
        user=officer_a,
        recognition=records.r_p,
        revoked_on=date(2025, 10, 1),
        reason="Vi phạm an toàn thực phẩm",
    )
    assert recognition.status_on(date(2025, 9, 30)) == "valid"
    assert recognition.status_on(date(2025, 10, 1)) == "revoked"
    assert not Product.objects.valid_on(date(2025, 10, 1)).filter(pk=records.p_recognised.pk).exists()
    assert Product.objects.valid_on(date(2025, 9, 30)).filter(pk=records.p_recognised.pk).exists()
    event = AuditEvent.objects.get(action="recognition.revoke")
    assert event.data == {"revoked_on": "2025-10-01", "reason": "Vi phạm an toàn thực phẩm"}


@pytest.mark.django_db
def test_revocation_needs_a_reason_a_sane_date_and_happens_once(records, officer_a):
    with pytest.raises(ValidationError) as error:
        services.recognition_revoke(
            user=officer_a, recognition=records.r_p, revoked_on=date(2025, 10, 1), reason=" "
        )
    assert list(error.value.message_dict) == ["reason"]
    with pytest.raises(ValidationError) as error:
        services.recognition_revoke(
            user=officer_a, recognition=records.r_p, revoked_on=date(2000, 1, 1), reason="x"
        )
    assert list(error.value.message_dict) == ["revoked_on"]
    services.recognition_revoke(
        user=officer_a, recognition=records.r_p, revoked_on=date(2025, 10, 1), reason="x"
    )
    with pytest.raises(ValidationError) as error:
        services.recognition_revoke(
            user=officer_a, recognition=records.r_p, revoked_on=date(2025, 11, 1), reason="y"
        )
    assert "already revoked on 01/10/2025" in error.value.message_dict["revoked_on"][0]
    records.r_p.refresh_from_db()
    assert (records.r_p.revoked_on, records.r_p.revocation_reason) == (date(2025, 10, 1), "x")


@pytest.mark.django_db
def test_the_database_refuses_impossible_recognitions(records):
    from django.db import IntegrityError, transaction

    for bad in (
        {"stars": 6},
        {"stars": 0},
        {"score": 101},
        {"valid_until": date(2020, 1, 1)},  # before the decision
    ):
        values = (
            dict(
                product=records.p_draft,
                stars=3,
                level="province",
                recognised_on=date(2024, 1, 1),
                valid_until=date(2026, 12, 31),
            )
            | bad
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            Recognition.objects.create(**values)


@pytest.mark.django_db
def test_only_the_central_office_revokes_a_central_recognition(records, officer_a, central):
    """The body that recognised revokes: a province officer cannot revoke a 5-star (central)
    recognition of a product in their own province, and nothing changes when they try."""
    recognition = services.recognition_record(
        user=central, product=records.p_draft, stars=5, recognised_on=date(2025, 8, 1), level="central"
    )
    with pytest.raises(ValidationError) as error:
        services.recognition_revoke(
            user=officer_a, recognition=recognition, revoked_on=date(2025, 10, 1), reason="Vi phạm ATTP"
        )
    assert error.value.message_dict == {
        "level": ["Only the central office revokes central-level recognitions."]
    }
    recognition.refresh_from_db()
    assert (recognition.revoked_on, recognition.revocation_reason) == (None, "")
    assert not AuditEvent.objects.filter(action="recognition.revoke").exists()
    services.recognition_revoke(
        user=central, recognition=recognition, revoked_on=date(2025, 10, 1), reason="x"
    )
    recognition.refresh_from_db()
    assert recognition.status_on(date(2025, 10, 1)) == "revoked"


@pytest.mark.django_db
def test_decisions_recorded_out_of_order_keep_one_chain(records, officer_a, client):
    """History back-filled: a decision dated before one already on record is superseded by it,
    and one dated between two takes its place in the chain. A third decision then supersedes the
    one in force, and only it (two once claimed the same successor: a 500 the fuzzer found)."""
    product = records.p_draft

    def record(day, stars):
        return services.recognition_record(
            user=officer_a, product=product, stars=stars, recognised_on=day, level="province"
        )

    first = record(date(2020, 1, 10), 3)
    latest = record(date(2022, 1, 10), 4)
    between = record(date(2021, 1, 10), 3)  # recorded last, dated between the two
    chain = {r.pk: (r.superseded_on, r.superseded_by_id) for r in Recognition.objects.filter(product=product)}
    assert chain == {
        first.pk: (date(2021, 1, 10), between.pk),
        between.pk: (date(2022, 1, 10), latest.pk),
        latest.pk: (None, None),
    }
    # Back-dated before all of them: superseded by the first on its day.
    earliest = record(date(2019, 6, 1), 3)
    earliest.refresh_from_db()
    assert (earliest.superseded_on, earliest.superseded_by) == (date(2020, 1, 10), first)
    # A new decision supersedes the one in force on its day, through the API too.
    client.force_login(officer_a)
    response = client.post(
        f"/api/v1/products/{product.pk}/recognitions",
        {"stars": 4, "recognised_on": "2022-06-01", "level": "province"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    latest.refresh_from_db()
    assert (latest.superseded_on, latest.superseded_by_id) == (date(2022, 6, 1), response.json()["id"])
    for day in (date(2019, 7, 1), date(2020, 2, 1), date(2021, 2, 1), date(2022, 2, 1), date(2022, 7, 1)):
        assert Recognition.objects.valid_on(day).filter(product=product).count() == 1, day
