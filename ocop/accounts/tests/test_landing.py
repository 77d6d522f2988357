"""After signing in each person lands on their work; a safe ``next`` still wins."""

import pytest
from django.utils import timezone


def _sign_in(client, username, next_url=None):
    data = {"username": username, "password": "pw-" + username}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "landing"),
    [
        ("central", "/manage/dashboard/"),
        ("officer_a", "/manage/dashboard/"),
        ("commune_officer_a", "/manage/dashboard/"),
        ("owner_a", "/manage/products/"),
    ],
)
def test_each_role_lands_on_its_work(client, records, central, officer_a, commune_officer_a, actor, landing):
    response = _sign_in(client, actor)
    assert response.status_code == 302
    assert response.url == landing
    # The dashboard sends each officer on to their own jurisdiction's page, which they may read.
    assert client.get(response.url, follow=True).status_code == 200


@pytest.mark.django_db
def test_a_council_member_lands_on_their_sittings(client, geo, officer_a, council_member):
    from ocop.evaluation import services

    round_ = services.round_create(
        user=officer_a, name="Đợt 1", level="province", held_on=timezone.localdate(), province=geo.province_a
    )
    council = services.council_create(user=officer_a, round=round_, name="Hội đồng tỉnh")
    services.seat_add(user=officer_a, council=council, member=council_member, role="member")
    response = _sign_in(client, "council_member")
    assert response.url == "/cycle/rounds/"


@pytest.mark.django_db
def test_someone_without_a_role_lands_on_their_own_page(client, django_user_model):
    django_user_model.objects.create_user(username="newcomer", password="pw-newcomer")
    assert _sign_in(client, "newcomer").url == "/accounts/me/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("next_url", "landing"),
    [
        ("/manage/producers/", "/manage/producers/"),  # a page of this site wins
        ("/", "/manage/dashboard/"),  # the header's link from the public home says nothing
        ("https://evil.example/", "/manage/dashboard/"),  # another site never
        ("//evil.example/x", "/manage/dashboard/"),
    ],
)
def test_a_safe_next_wins(client, officer_a, next_url, landing):
    assert _sign_in(client, "officer_a", next_url).url == landing


@pytest.mark.django_db
def test_a_signed_in_person_opening_the_login_page_goes_to_their_work(client, records):
    client.force_login(records.p.memberships.get().user)
    assert client.get("/accounts/login/").url == "/manage/products/"
