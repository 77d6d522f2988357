"""The demo shows the whole OCOP cycle: an issued decision whose certificates verify as valid, a
dossier awaiting the check of the demo commune officer's own commune, an open sitting awaiting the
printed council member, every council account printed, and QR codes on the demo's own port.

One build (at scale 0.1: enough fresh-produce products in Tây Ninh for every stage), through the
command as a newcomer runs it."""

from datetime import date
from io import StringIO

import pytest
from django.conf import settings as live_settings
from django.core.management import call_command
from django.test import Client

from ocop.accounts.models import Grant
from ocop.evaluation.models import Certificate, Decision, Dossier, Seat, Sheet, Sitting
from ocop.evaluation.services import verification_url

pytestmark = pytest.mark.django_db


def test_the_demo_shows_the_whole_cycle(settings, monkeypatch):
    monkeypatch.delenv("OCOP_PUBLIC_URL", raising=False)
    settings.OCOP_PUBLIC_URL = "http://127.0.0.1:8000"  # the command's change is undone after the test
    out = StringIO()
    call_command("demo", "--no-serve", "--scale", "0.1", "--port", "8765", stdout=out)
    printed = out.getvalue()

    # Certificates and labels use the port the demo serves on.
    assert live_settings.OCOP_PUBLIC_URL == "http://127.0.0.1:8765"

    # An issued decision whose certificates verify as valid.
    decision = Decision.objects.get(status="issued")
    certificates = list(Certificate.objects.filter(item__decision=decision).select_related("recognition"))
    assert len(certificates) == 2
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    for certificate in certificates:
        assert certificate.recognition.status_on(date.today()) == "valid"
        assert verification_url(certificate) == f"http://127.0.0.1:8765/verify/{certificate.code}/"
        page = client.get(f"/verify/{certificate.code}/")
        assert page.status_code == 200
        assert 'class="badge valid"' in page.content.decode()
    assert Dossier.objects.filter(status="recognised").count() == 2
    assert "Giấy chứng nhận đã cấp / Certificates issued: 2" in printed

    # A dossier awaiting the check of xa's own commune.
    commune = Grant.objects.get(user__username="xa").commune_id
    waiting = Dossier.objects.filter(status="submitted").select_related("product__producer")
    assert [d.product.producer.commune_id for d in waiting] == [commune]

    # A sitting waiting for the printed council member hoidong.
    sitting = Sitting.objects.get(status="open")
    assert Seat.objects.filter(council=sitting.council, user__username="hoidong", role="member").exists()
    assert sitting.assignments.count() >= 1
    assert not Sheet.objects.filter(assignment__sitting=sitting, seat__user__username="hoidong").exists()

    # Every council account is printed.
    usernames = set(Seat.objects.values_list("user__username", flat=True))
    assert usernames == {"chutich", "hoidong", "thanhvien", "tayninh"}
    for username in usernames:
        assert f"\n {username} " in printed, username
