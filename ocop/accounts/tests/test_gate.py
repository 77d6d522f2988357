"""The permission gate itself: how grants and ownership combine."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ocop.accounts import gate
from ocop.accounts.models import ApiToken
from ocop.registry.models import Producer, Product, Recognition


@pytest.mark.django_db
def test_several_grants_add_up(records, geo, officer_a):
    officer_a.grants.create(role="province_officer", province=geo.province_b)
    gate.forget(officer_a)
    assert set(gate.restrict(Producer.objects.all(), officer_a, "change")) == {records.p, records.q}


@pytest.mark.django_db
def test_an_inactive_user_reaches_only_what_the_public_does(records, officer_a):
    officer_a.is_active = False
    officer_a.save()
    gate.forget(officer_a)
    assert not gate.restrict(Producer.objects.all(), officer_a, "view").exists()
    assert set(gate.restrict(Product.objects.all(), officer_a, "view")) == {
        records.p_recognised,
        records.q_recognised,
    }


@pytest.mark.django_db
def test_the_public_sees_recognised_products_only_once_each(records):
    # A product with two recognitions must not appear twice.
    Recognition.objects.create(
        product=records.p_recognised,
        stars=3,
        level="district",
        recognised_on=records.r_p.recognised_on.replace(year=2020),
        valid_until=records.r_p.recognised_on.replace(year=2022),
    )
    visible = list(gate.restrict(Product.objects.all(), None, "view").order_by("pk"))
    assert visible == [records.p_recognised, records.q_recognised]


@pytest.mark.django_db
def test_creating_is_checked_against_the_role_that_grants_it(records, geo, officer_a, owner_b):
    """An officer of A who also works for producer Q in B may not record recognitions in B:
    the right to record comes from the officer grant, which does not reach B."""
    owner_b.grants.create(role="province_officer", province=geo.province_a)
    gate.forget(owner_b)
    q = records.q
    assert gate.may_create(
        owner_b, Product, province_id=q.province_id, commune_id=q.commune_id, owners=q.members
    )
    assert not gate.may_create(owner_b, Recognition, province_id=q.province_id, commune_id=q.commune_id)
    p = records.p
    assert gate.may_create(owner_b, Recognition, province_id=p.province_id, commune_id=p.commune_id)


@pytest.mark.django_db
def test_anonymous_may_create_nothing(records):
    p = records.p
    assert not gate.may_create(
        None, Product, province_id=p.province_id, commune_id=p.commune_id, owners=p.members
    )


@pytest.mark.django_db
def test_bearer_tokens_authenticate_until_revoked_or_expired(client, records, owner_a):
    token, raw = ApiToken.issue(user=owner_a, name="script")
    assert token.key_hash != raw and raw.startswith("ocop_")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    response = client.get("/api/v1/producers", **headers)
    assert response.status_code == 200
    assert [item["name"] for item in response.json()["items"]] == [records.p.name]
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert client.get("/api/v1/producers", HTTP_AUTHORIZATION="Bearer ocop_wrong").status_code == 401
    token.expires_at = timezone.now() - timedelta(minutes=1)
    token.save()
    assert client.get("/api/v1/producers", **headers).status_code == 401
    token.expires_at = None
    token.revoked_at = timezone.now()
    token.save()
    assert client.get("/api/v1/producers", **headers).status_code == 401


@pytest.mark.django_db
def test_session_writes_to_the_api_need_the_csrf_token(records, owner_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner_a)
    response = client.patch(
        f"/api/v1/products/{records.p_draft.pk}", data={"name_en": "Jam"}, content_type="application/json"
    )
    assert response.status_code == 403
    records.p_draft.refresh_from_db()
    assert records.p_draft.name_en == ""


@pytest.mark.django_db
def test_repeated_failed_sign_ins_lock_the_account_out(client, owner_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/accounts/login/", {"username": "owner_a", "password": "wrong"})
        assert response.status_code == 200
    # The attempt that reaches the limit locks the account.
    response = client.post("/accounts/login/", {"username": "owner_a", "password": "wrong"})
    assert response.status_code == 429
    # Even the right password is refused now.
    response = client.post("/accounts/login/", {"username": "owner_a", "password": "pw-owner_a"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert (
        "Too many failed sign-in attempts" in response.content.decode()
        or "Đăng nhập sai" in response.content.decode()
    )


@pytest.mark.django_db
def test_a_correct_sign_in_works(client, owner_a):
    response = client.post("/accounts/login/", {"username": "owner_a", "password": "pw-owner_a"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner_a.pk)
