"""Council sittings: confidential sheets until closing, frozen sheets for good, quorum, spread and
re-scoring, conflicts of interest — and an officer of another province sees nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.evaluation import selectors, services
from ocop.evaluation.models import Assignment, Dossier, Evidence, Sheet

from .conftest import ANSWERS_76, ANSWERS_100, forwarded_dossier

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def sitting(cycle, owner_a, commune_officer_a, officer_a):
    dossier = forwarded_dossier(owner_a, commune_officer_a, cycle.records.p_draft, cycle.round)
    assignment = services.assignment_add(user=officer_a, sitting=cycle.sitting, dossier=dossier)
    services.sitting_open(user=officer_a, sitting=cycle.sitting)
    cycle.dossier, cycle.assignment = dossier, assignment
    return cycle


def _submit(user, assignment, answers):
    services.sheet_save(user=user, assignment=assignment, answers=answers, replace=True)
    return services.sheet_submit(user=user, assignment=assignment)


def test_a_member_cannot_read_another_members_sheet_before_the_sitting_closes(sitting, officer_a):
    m = sitting.members
    chair_sheet = _submit(m.chair, sitting.assignment, ANSWERS_100)
    own = _submit(m.member, sitting.assignment, ANSWERS_76)
    member = _login(m.member)

    # Through the gate: only their own sheet, in every surface.
    assert list(gate.restrict(Sheet.objects.all(), m.member, Action.VIEW)) == [own]
    assert list(gate.restrict(Sheet.objects.all(), officer_a, Action.VIEW)) == []
    page = member.get(f"/cycle/assignments/{sitting.assignment.pk}/").content.decode()
    assert "The result and the members' sheets are shown when the sitting closes." in page
    assert m.chair.first_name not in page and '<th class="num">100' not in page
    api = member.get(f"/api/v1/evaluation/assignments/{sitting.assignment.pk}/sheet").json()
    assert api["total"] == 76 and api["answers"] == ANSWERS_76
    # The organiser sees progress, not points.
    page = _login(officer_a).get(f"/cycle/sittings/{sitting.sitting.pk}/").content.decode()
    assert "2 of 3 sheets submitted" in page
    assert "100" not in page.split("agenda")[1].split("</ol>")[0]

    services.sitting_close(user=officer_a, sitting=sitting.sitting)
    # After closing: every sheet of the sitting, to the council and the province.
    assert set(gate.restrict(Sheet.objects.all(), m.member, Action.VIEW)) == {own, chair_sheet}
    assert set(gate.restrict(Sheet.objects.all(), officer_a, Action.VIEW)) == {own, chair_sheet}
    page = member.get(f"/cycle/assignments/{sitting.assignment.pk}/").content.decode()
    assert m.chair.first_name in page and "Thành viên 3" not in page  # the third never scored


def test_a_frozen_sheet_cannot_change(sitting, officer_a):
    m = sitting.members
    for user in (m.chair, m.member, m.third):
        _submit(user, sitting.assignment, ANSWERS_76)
    draft = Sheet.objects.get(assignment=sitting.assignment, seat__user=m.member)
    services.sitting_close(user=officer_a, sitting=sitting.sitting)
    assert Sheet.objects.filter(assignment=sitting.assignment, frozen=True).count() == 3

    # No service changes it...
    with pytest.raises(ValidationError) as error:
        services.sheet_save(user=m.member, assignment=sitting.assignment, answers={"1.a": 1})
    assert "not open for scoring" in str(error.value)
    # ... not the page or the API ...
    response = _login(m.member).post(
        f"/cycle/assignments/{sitting.assignment.pk}/sheet/", {"c:1.a": "1:1"}, follow=True
    )
    assert "The sitting is not open for scoring." in response.content.decode()
    response = _login(m.member).put(
        f"/api/v1/evaluation/assignments/{sitting.assignment.pk}/sheet",
        data={"answers": {"1.a": 1}},
        content_type="application/json",
    )
    assert response.status_code == 422
    # ... and the database refuses any update of a frozen row, whoever asks.
    with pytest.raises(IntegrityError), transaction.atomic():
        Sheet.objects.filter(pk=draft.pk).update(total=1)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE evaluation_sheet SET answers = '{}' WHERE id = %s", [draft.pk])
    draft.refresh_from_db()
    assert (draft.total, draft.answers) == (76, ANSWERS_76)


def test_an_officer_of_another_province_sees_nothing_of_the_dossier(sitting, officer_b, owner_b):
    dossier, assignment = sitting.dossier, sitting.assignment
    evidence = Evidence.objects.filter(dossier=dossier).first()
    for user in (officer_b, owner_b):
        client = _login(user)
        for url in (
            f"/cycle/dossiers/{dossier.pk}/",
            f"/cycle/dossiers/{dossier.pk}/self-assessment/",
            f"/cycle/evidence/{evidence.pk}/",
            f"/cycle/assignments/{assignment.pk}/",
            f"/cycle/sittings/{sitting.sitting.pk}/",
            f"/cycle/rounds/{sitting.round.pk}/",
            f"/cycle/councils/{sitting.council.pk}/",
            f"/api/v1/evaluation/dossiers/{dossier.pk}",
        ):
            assert client.get(url).status_code == 404, (user, url)
        assert dossier.product.name_vi not in client.get("/cycle/").content.decode()
        assert client.get("/api/v1/evaluation/dossiers").json()["items"] == []
        assert client.get("/api/v1/evaluation/rounds").json()["items"] == []
        # Writes are refused and change nothing.
        client.post(f"/cycle/dossiers/{dossier.pk}/check/", {"outcome": "returned", "reasons": "x"})
        client.post(f"/cycle/sittings/{sitting.sitting.pk}/close/", {"confirmed": "1"})
    dossier.refresh_from_db()
    assert dossier.status == "in_sitting"


def test_quorum_spread_and_another_scoring_round(sitting, officer_a):
    m = sitting.members
    assignment = sitting.assignment
    _submit(m.chair, assignment, ANSWERS_100)
    progress = selectors.council_result(assignment)
    assert (progress.result.quorum.met, progress.result.quorum.required) == (False, 3)
    with pytest.raises(ValidationError):
        services.assignment_rescore(user=officer_a, assignment=assignment)
    _submit(m.member, assignment, ANSWERS_76)
    _submit(m.third, assignment, ANSWERS_76)
    progress = selectors.council_result(assignment)
    assert (progress.result.spread.spread, progress.result.spread.over_limit) == (24, True)

    services.assignment_rescore(user=officer_a, assignment=assignment)
    assignment.refresh_from_db()
    assert assignment.attempt == 2
    assert Sheet.objects.filter(assignment=assignment, attempt=1, frozen=True).count() == 3
    # Members start again from their own answers; the chair comes down to 77.
    chair_sheet = services.sheet_save(user=m.chair, assignment=assignment, answers={"2.a": 4, "1.a": 3})
    assert chair_sheet.attempt == 2 and chair_sheet.answers["8"] == ANSWERS_100["8"]
    _submit(m.chair, assignment, {**ANSWERS_76, "2.a": 4})
    _submit(m.member, assignment, {**ANSWERS_76, "2.a": 4})
    services.sitting_close(user=officer_a, sitting=sitting.sitting)
    assignment.refresh_from_db()
    # Two of three sheets: the quorum (3 of 3 x 3/4, rounded up) is not met; no final result.
    assert (assignment.final, assignment.stars, str(assignment.score)) == (False, None, "77.00")
    assert assignment.result["quorum"]["met"] is False
    dossier = Dossier.objects.get(pk=sitting.dossier.pk)
    assert dossier.status == "forwarded"  # awaits another sitting


def test_a_conflict_of_interest_excludes_the_member(sitting, officer_a):
    m = sitting.members
    services.sheet_save(user=m.third, assignment=sitting.assignment, answers=ANSWERS_76)
    services.recusal_declare(user=m.third, assignment=sitting.assignment, reason="Là cổ đông của chủ thể")
    assert not Sheet.objects.filter(seat__user=m.third).exists()
    with pytest.raises(ValidationError) as error:
        services.sheet_save(user=m.third, assignment=sitting.assignment, answers=ANSWERS_76)
    assert "conflict of interest" in str(error.value)
    _submit(m.chair, sitting.assignment, ANSWERS_76)
    _submit(m.member, sitting.assignment, ANSWERS_76)
    services.sitting_close(user=officer_a, sitting=sitting.sitting)
    assignment = Assignment.objects.get(pk=sitting.assignment.pk)
    # Two scoring seats remain: both scored, so the quorum is met.
    assert (assignment.final, assignment.stars, assignment.result["seats"], assignment.result["recused"]) == (
        True,
        3,
        2,
        1,
    )


def test_the_secretary_does_not_score_and_a_submitted_sheet_is_final(sitting):
    m = sitting.members
    with pytest.raises(Exception) as error:
        services.sheet_save(user=m.secretary, assignment=sitting.assignment, answers=ANSWERS_76)
    assert error.type.__name__ == "PermissionDenied"
    assert _login(m.secretary).get(f"/cycle/assignments/{sitting.assignment.pk}/sheet/").status_code == 404
    _submit(m.member, sitting.assignment, ANSWERS_76)
    with pytest.raises(ValidationError) as error:
        services.sheet_save(user=m.member, assignment=sitting.assignment, answers={"1.a": 1})
    assert "has been submitted" in str(error.value)
