"""Issue 11, finding 3: a document waiting for its background capture is never public.

It is staged in private storage (never under anything the web server serves), named after its
capture, and deleted when the capture ends, whatever the outcome; a capture lost to a restart is
failed, and its document deleted, by ``ocop trace_captures_clean``.
"""

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ocop.trace import epcis
from ocop.trace.models import CaptureJob, Event

from .conftest import gs1_document, object_event
from .test_capture import job_of, post

pytestmark = pytest.mark.django_db


def _storage():
    return CaptureJob._meta.get_field("document").storage


def _media_files(settings) -> list:
    return sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())


def _large(count=3, **changes):
    return gs1_document(*[object_event(eventID=f"urn:uuid:{i}", **changes) for i in range(count)])


@pytest.fixture
def background(settings):
    settings.OCOP_EPCIS_CAPTURE_INLINE_EVENTS = 2


def _clean() -> str:
    out = io.StringIO()
    call_command("trace_captures_clean", stdout=out)
    return out.getvalue().strip()


def test_a_document_waiting_for_its_capture_is_staged_privately_then_deleted(
    client, gtins, token_a, settings, background, django_capture_on_commit_callbacks
):
    document = _large()
    with django_capture_on_commit_callbacks() as queued:  # the job is not run yet
        response = post(client, document, token_a)
    capture = CaptureJob.objects.get()
    assert capture.document.name == f"epcis/captures/{capture.pk}.json"
    path = Path(_storage().path(capture.document.name))
    assert path.is_relative_to(settings.PRIVATE_ROOT) and not path.is_relative_to(settings.MEDIA_ROOT)
    assert json.loads(path.read_bytes()) == document
    assert _media_files(settings) == []
    assert Client().get(f"/media/{capture.document.name}").status_code == 404
    assert job_of(client, response, token_a)["running"] is True

    for callback in queued:
        callback()
    job = job_of(client, response, token_a)
    assert (job["running"], job["success"], job["capturedEventCount"]) == (False, True, 3)
    assert not path.exists()
    assert CaptureJob.objects.get().document.name == ""


def test_the_document_is_deleted_when_the_capture_fails(
    client, gtins, token_a, background, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, _large(action="LOOK"), token_a)
    job = job_of(client, response, token_a)
    assert (job["success"], job["capturedEventCount"], len(job["errors"])) == (False, 0, 3)
    assert CaptureJob.objects.get().document.name == ""
    assert _storage().listdir("epcis/captures") == ([], [])


def test_the_document_is_deleted_when_the_capture_breaks(
    client, gtins, token_a, background, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(document):
        raise RuntimeError("the validator broke")

    monkeypatch.setattr(epcis, "check_document", broken)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, _large(), token_a)
    job = job_of(client, response, token_a)
    assert (job["running"], job["success"]) == (False, False)
    assert [(e["code"], e["detail"]) for e in job["errors"]] == [
        ("internal", "The capture failed: RuntimeError.")
    ]
    assert CaptureJob.objects.get().document.name == ""
    assert _storage().listdir("epcis/captures") == ([], [])


def test_a_capture_lost_to_a_restart_is_failed_and_its_document_deleted(
    client, gtins, token_a, settings, background, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as lost_job:
        lost = post(client, _large(), token_a)
    with django_capture_on_commit_callbacks() as fresh_job:
        fresh = post(client, _large(), token_a)
    lost_capture = CaptureJob.objects.get(pk=lost["Location"].rsplit("/", 1)[-1])
    fresh_capture = CaptureJob.objects.get(pk=fresh["Location"].rsplit("/", 1)[-1])
    CaptureJob.objects.filter(pk=lost_capture.pk).update(created_at=timezone.now() - timedelta(minutes=61))
    # A staged file no capture knows (a crash between staging and recording), and a document an
    # earlier version staged in the public media folder.
    _storage().save("epcis/captures/orphan.json", io.BytesIO(b"{}"))
    public = settings.MEDIA_ROOT / "epcis" / "captures" / "capture_Ab12Cd3.json"
    public.parent.mkdir(parents=True)
    public.write_bytes(b"{}")

    assert _clean() == "Lần nhận bị mất / captures lost: 1; tệp đã xoá / documents deleted: 3"
    job = job_of(client, lost, token_a)
    assert (job["running"], job["success"], job["capturedEventCount"]) == (False, False, 0)
    assert [(e["type"], e["detail"]) for e in job["errors"]] == [
        (
            "epcisException:ImplementationException",
            "The capture was lost (the server stopped while it ran): send the document again.",
        )
    ]
    assert _storage().listdir("epcis/captures")[1] == [f"{fresh_capture.pk}.json"]
    assert _media_files(settings) == []
    assert job_of(client, fresh, token_a)["running"] is True

    for callback in lost_job:  # the lost job's worker comes back: it leaves the failed capture alone
        callback()
    assert CaptureJob.objects.get(pk=lost_capture.pk).status == "failed"
    assert Event.objects.count() == 0
    for callback in fresh_job:
        callback()
    assert job_of(client, fresh, token_a)["capturedEventCount"] == 3

    assert _clean() == "Lần nhận bị mất / captures lost: 0; tệp đã xoá / documents deleted: 0"
    assert _storage().listdir("epcis/captures") == ([], [])
