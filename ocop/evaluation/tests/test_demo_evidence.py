"""Issue 11, finding 3: the demo's dossier evidence is private, like every other evidence file."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from django.test import Client

from ocop.demo import services as demo
from ocop.evaluation.models import Evidence

pytestmark = pytest.mark.django_db


def test_demo_evidence_is_kept_in_private_storage_and_nothing_in_the_media_folder(settings):
    demo.demo_build(seed=2025, scale=0.01, today=date(2026, 11, 23))
    rows = list(Evidence.objects.select_related("dossier__product__producer"))
    assert rows
    names = {row.file.name for row in rows}
    assert len(names) == 1  # one stored file, shared by the demo's rows
    name = names.pop()
    assert not settings.MEDIA_ROOT.exists() or not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]
    private = Evidence._meta.get_field("file").storage
    assert Path(private.path(name)).is_relative_to(settings.PRIVATE_ROOT)
    with private.open(name, "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")
    assert {(row.size, row.sha256) for row in rows} == {(len(content), hashlib.sha256(content).hexdigest())}
    assert Client().get(f"/media/{name}").status_code == 404

    # The producer reads it through the gate, as any evidence.
    row = rows[0]
    owner = row.dossier.product.producer.members.first()
    producer = Client()
    producer.force_login(owner)
    response = producer.get(f"/cycle/evidence/{row.pk}/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert b"".join(response.streaming_content) == content
