"""People's names read in Vietnamese order, family and middle names first: "Nguyễn Văn Minh",
never Django's "Minh Nguyễn Văn", on the council's page and on the scores a sitting reveals."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ocop.evaluation import services

from .conftest import ANSWERS_76, ANSWERS_100, forwarded_dossier

pytestmark = pytest.mark.django_db


def _vietnamese(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(user)
    return client


@pytest.fixture
def named(cycle):
    """The council's chair is Nguyễn Văn Minh, its member Trần Thị Lan; the secretary has no
    name on the account."""
    for user, family, given in (
        (cycle.members.chair, "Nguyễn Văn", "Minh"),
        (cycle.members.member, "Trần Thị", "Lan"),
    ):
        user.last_name, user.first_name = family, given
        user.save(update_fields=["last_name", "first_name"])
    return cycle


def test_the_council_page_names_its_members_family_name_first(named, officer_a):
    page = _vietnamese(officer_a).get(f"/cycle/councils/{named.council.pk}/").content.decode()
    assert "Nguyễn Văn Minh" in page and "Trần Thị Lan" in page
    assert "Minh Nguyễn Văn" not in page and "Lan Trần Thị" not in page
    assert "secretary" in page  # an account without a name is shown by its username


def test_the_scores_of_a_closed_sitting_name_the_members_family_name_first(
    named, owner_a, commune_officer_a, officer_a
):
    dossier = forwarded_dossier(owner_a, commune_officer_a, named.records.p_draft, named.round)
    assignment = services.assignment_add(user=officer_a, sitting=named.sitting, dossier=dossier)
    services.sitting_open(user=officer_a, sitting=named.sitting)
    for user, answers in ((named.members.chair, ANSWERS_100), (named.members.member, ANSWERS_76)):
        services.sheet_save(user=user, assignment=assignment, answers=answers, replace=True)
        services.sheet_submit(user=user, assignment=assignment)
    services.sitting_close(user=officer_a, sitting=named.sitting)

    page = _vietnamese(officer_a).get(f"/cycle/assignments/{assignment.pk}/").content.decode()
    assert "Nguyễn Văn Minh" in page and "Trần Thị Lan" in page
    assert "Minh Nguyễn Văn" not in page and "Lan Trần Thị" not in page


def test_the_officer_form_asks_family_and_middle_names_before_the_given_name(central):
    page = _vietnamese(central).get(reverse("accounts:officer_create")).content.decode()
    family, given = page.index('for="id_last_name"'), page.index('for="id_first_name"')
    assert family < given
    assert "Họ và tên đệm" in page[family : family + 80] and "Tên" in page[given : given + 40]
