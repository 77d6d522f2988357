"""Every irreversible step asks first, on a page of its own (no JavaScript needed): the first
POST changes nothing and answers with the confirmation page; its "Confirm" form, posted back as a
browser would, does the step. The cases (who may, what to send, what should happen) are the
permission matrix's own, so the two cannot drift apart."""

from __future__ import annotations

import re

import pytest

from tests.formdata import browser_form
from tests.test_permission_matrix import CASES, fingerprint
from tests.test_permission_matrix import world as world  # the matrix's records, as a fixture here

IRREVERSIBLE = {
    "evaluation:dossier_submit": "owner_a",
    "evaluation:sitting_close": "officer_a",
    "evaluation:sheet_submit": "council_member",
    "evaluation:decision_issue": "officer_a",
    "evaluation:revoke#post": "officer_a",
    "registry:recognition_revoke#post": "officer_a",
    "accounts:officer_deactivate": "officer_a",
}
BY_KEY = {case.key: case for case in CASES if case.key in IRREVERSIBLE}


def test_every_irreversible_step_has_a_case():
    assert set(BY_KEY) == set(IRREVERSIBLE)
    assert all(actor in BY_KEY[key].allowed for key, actor in IRREVERSIBLE.items())


@pytest.mark.django_db
@pytest.mark.parametrize("key", sorted(IRREVERSIBLE))
def test_the_first_post_only_asks_and_the_confirmation_acts(
    client, world, key, django_capture_on_commit_callbacks
):
    records, geo, users = world
    case = BY_KEY[key]
    client.force_login(users[IRREVERSIBLE[key]])
    data = {k: v for k, v in (case.data(records, geo) if case.data else {}).items() if k != "confirmed"}
    url = case.url(records)
    before = fingerprint()

    response = client.post(url, data)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="confirmed" value="1"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert fingerprint() == before, f"{key}: the unconfirmed POST changed the database"
    assert not case.effect(records, IRREVERSIBLE[key])
    # "Go back" leads to a page the person may open.
    back = re.search(r'<a class="btn secondary" href="([^"]+)"', page).group(1)
    assert client.get(back).status_code == 200

    confirm = browser_form(response, "confirmed")
    assert {k: v for k, v in confirm.items() if k != "confirmed"} == data  # the entries are kept
    action = re.search(r'<form method="post" action="([^"]+)" class="actions">', page).group(1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action, confirm)
    assert response.status_code == 302
    assert case.effect(records, IRREVERSIBLE[key]), f"{key}: confirmed, yet nothing happened"


@pytest.mark.django_db
def test_the_confirmation_page_speaks_vietnamese(client, world):
    records, _geo, users = world
    case = BY_KEY["evaluation:sitting_close"]
    client.force_login(users["officer_a"])
    page = client.post(case.url(records), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Không thể hoàn tác" in page
    assert "Xác nhận" in page
    assert "Quay lại" in page


@pytest.mark.django_db
def test_submitting_a_sheet_saves_the_answers_and_asks_before_handing_it_in(client, world):
    from ocop.evaluation.models import Sheet

    records, _geo, users = world
    client.force_login(users["council_member"])
    sheet = Sheet.objects.get(pk=records.sheet_member.pk)
    url = f"/cycle/assignments/{records.assignment.pk}/sheet/"
    answers = browser_form(client.get(url), "flags")
    first = next(k for k in answers if k.startswith("c:"))
    answers.pop(first, None)  # one criterion left open: saved as it is, the service refuses it

    response = client.post(url, {**answers, "submit": "1"})

    assert response.status_code == 200
    assert f'action="/cycle/assignments/{records.assignment.pk}/sheet/submit/"' in response.content.decode()
    sheet.refresh_from_db()
    assert sheet.status == "draft"
    assert first.removeprefix("c:") not in sheet.answers
    response = client.post(f"/cycle/assignments/{records.assignment.pk}/sheet/submit/", {"confirmed": "1"})
    sheet.refresh_from_db()
    assert sheet.status == "draft"  # refused: a criterion has no answer
