"""Life after recognition: notices 90 and 30 days before expiry, sent once; expiry on the day;
revocation with grounds and decision; every surface shows the live status."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ocop.evaluation import services
from ocop.evaluation.models import Certificate, DecisionItem, ExpiryNotice, Revocation
from ocop.registry.models import Recognition

pytestmark = pytest.mark.django_db


@pytest.fixture
def expiring(records, owner_a, officer_a, officer_b):
    """P's recognition ends in 100 days; the owner and both province officers have e-mail."""
    for user, email in ((owner_a, "owner@p.vn"), (officer_a, "tayninh@gov.vn"), (officer_b, "phutho@gov.vn")):
        user.email = email
        user.save()
    today = timezone.localdate()
    Recognition.objects.filter(pk=records.r_p.pk).update(valid_until=today + timedelta(days=100))
    Recognition.objects.filter(pk=records.r_q.pk).update(valid_until=today + timedelta(days=400))
    records.r_p.refresh_from_db()
    return records


def _run(day):
    out = StringIO()
    call_command("send_expiry_notices", today=day.isoformat(), stdout=out)
    return out.getvalue().strip()


def test_notices_go_90_and_30_days_before_expiry_each_once(expiring):
    today = timezone.localdate()
    assert _run(today) == "planned 0, sent 0, skipped 0, failed 0"
    assert _run(today + timedelta(days=10)) == "planned 1, sent 1, skipped 0, failed 0"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["owner@p.vn", "tayninh@gov.vn"]  # not the other province
    assert "Bánh tráng phơi sương" in message.subject
    assert "in 90 days" in message.body
    # Daily runs in between send nothing again, even two at once.
    assert _run(today + timedelta(days=11)) == "planned 0, sent 0, skipped 0, failed 0"
    assert _run(today + timedelta(days=11)) == "planned 0, sent 0, skipped 0, failed 0"
    assert _run(today + timedelta(days=70)) == "planned 1, sent 1, skipped 0, failed 0"
    assert "in 30 days" in mail.outbox[1].body
    assert list(ExpiryNotice.objects.order_by("days_before").values_list("days_before", "recipients")) == [
        (30, 2),
        (90, 2),
    ]
    assert len(mail.outbox) == 2


def test_a_recognition_found_late_gets_only_the_nearest_notice(expiring):
    late = timezone.localdate() + timedelta(days=85)  # 15 days left
    assert _run(late) == "planned 1, sent 1, skipped 0, failed 0"
    assert ExpiryNotice.objects.get().days_before == 30


def test_a_claimed_notice_is_not_sent_twice(expiring):
    day = timezone.localdate() + timedelta(days=10)
    services.expiry_notices_plan(today=day)
    notice = ExpiryNotice.objects.get()
    ExpiryNotice.objects.filter(pk=notice.pk).update(claimed_at=timezone.now(), claim="other-worker")
    assert _run(day) == "planned 0, sent 0, skipped 0, failed 0"
    assert mail.outbox == []
    # A claim left behind by a worker that died is taken over later.
    ExpiryNotice.objects.filter(pk=notice.pk).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert _run(day) == "planned 0, sent 1, skipped 0, failed 0"


def test_a_failing_mail_server_leaves_the_notice_for_the_next_run(expiring, settings):
    settings.EMAIL_BACKEND = "ocop.evaluation.tests.test_after_recognition.BrokenBackend"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        _run(timezone.localdate() + timedelta(days=10))
    notice = ExpiryNotice.objects.get()
    assert (notice.sent_at, notice.claimed_at, notice.error) == (None, None, "connection refused")


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("connection refused")


def test_the_status_turns_to_expired_on_the_day(records):
    recognition = records.r_p
    assert recognition.status_on(recognition.valid_until) == "valid"
    assert recognition.status_on(recognition.valid_until + timedelta(days=1)) == "expired"


@pytest.fixture
def certificate(records, cycle, officer_a):
    """A certificate of P's recognition, as an issued decision leaves it."""
    from ocop.evaluation.models import Assignment, Decision, Dossier

    dossier = Dossier.objects.create(
        product=records.p_recognised,
        round=cycle.round,
        kind="rerating",
        criteria_set=cycle.records.p_draft.product_set.criteria_sets.get(is_current=True),
        level="province",
        status="recognised",
    )
    assignment = Assignment.objects.create(
        sitting=cycle.sitting, dossier=dossier, score=80, stars=4, final=True
    )
    decision = Decision.objects.create(
        round=cycle.round,
        number="123/QĐ-UBND",
        signed_on=records.r_p.recognised_on,
        signer="X",
        status="issued",
    )
    item = DecisionItem.objects.create(
        decision=decision, dossier=dossier, assignment=assignment, score=80, stars=4, recognition=records.r_p
    )
    return Certificate.objects.create(
        item=item, recognition=records.r_p, number="GCN-1", issued_on=date.today()
    )


def test_revocation_with_grounds_and_decision_shows_everywhere(certificate, records, officer_a):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert "Valid OCOP certificate" in client.get(f"/verify/{certificate.code}/").content.decode()
    officer = Client(HTTP_ACCEPT_LANGUAGE="en")
    officer.force_login(officer_a)
    today = timezone.localdate()
    response = officer.post(
        f"/cycle/recognitions/{records.r_p.pk}/revoke/",
        {
            "ground": "food_safety",
            "details": "Mẫu không đạt chỉ tiêu vi sinh",
            "decision_no": "88/QĐ-UBND",
            "decided_on": today.isoformat(),
            "confirmed": "1",
        },
    )
    assert response.status_code == 302
    revocation = Revocation.objects.get()
    assert (revocation.ground, revocation.decision_no, revocation.created_by) == (
        "food_safety",
        "88/QĐ-UBND",
        officer_a,
    )
    records.r_p.refresh_from_db()
    assert records.r_p.revoked_on == today
    assert records.r_p.revocation_reason.startswith(
        "Food-safety violation: Mẫu không đạt chỉ tiêu vi sinh (88/QĐ-UBND"
    )
    page = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Certificate revoked" in page and "88/QĐ-UBND" in page
    assert client.get(f"/api/v1/evaluation/certificates/{certificate.code}").json()["status"] == "revoked"
    assert (
        client.get(f"/api/v1/products/{records.p_recognised.pk}").json()["recognitions"][0]["status"]
        == "revoked"
    )
    assert (
        "OCOP recognition revoked"
        in client.get(f"/products/{records.p_recognised.pk}/", follow=True).content.decode()
    )


def test_a_revocation_needs_its_decision(records, officer_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.revocation_record(
            user=officer_a,
            recognition=records.r_p,
            ground="other",
            decision_no="",
            decided_on=timezone.localdate(),
        )
    assert set(error.value.message_dict) == {"decision_no", "details"}
    records.r_p.refresh_from_db()
    assert records.r_p.revoked_on is None


def test_the_verification_page_turns_to_expired_on_the_day_after_validity(certificate, records):
    yesterday = timezone.localdate() - timedelta(days=1)
    Recognition.objects.filter(pk=records.r_p.pk).update(valid_until=yesterday)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Certificate expired" in page and yesterday.strftime("%d/%m/%Y") in page
    assert client.get(f"/api/v1/evaluation/certificates/{certificate.code}").json()["status"] == "expired"
    vietnamese = Client(HTTP_ACCEPT_LANGUAGE="vi").get(f"/verify/{certificate.code}/")
    assert vietnamese.status_code == 200 and 'lang="vi"' in vietnamese.content.decode()
    assert client.get("/verify/not-a-code/").status_code == 404
