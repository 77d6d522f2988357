"""Hostile and odd files sent as dossier evidence, through the producer's dossier page.

Evidence is a PDF or a JPEG, PNG or WebP picture whose name agrees with its content. Pictures are
stored re-encoded (no metadata, nothing appended) in private storage under a random name with the
extension of their decoded type; the size and hash recorded are those of what is stored. Anything
else is refused with a message saying why, and nothing is stored (no row, no file).
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from PIL import Image

from . import pictures

NOT_EVIDENCE = "Only PDF files and JPEG, PNG or WebP images are accepted."


@pytest.fixture
def dossier(records, officer_a, owner_a, geo):
    from ocop.criteria.models import CriteriaSet
    from ocop.evaluation import services
    from ocop.registry.models import Product

    criteria_set = CriteriaSet.objects.get(code="148/I.1.a", is_current=True)
    Product.objects.filter(pk=records.p_draft.pk).update(product_set=criteria_set.product_set)
    round_ = services.round_create(
        user=officer_a,
        name="Đợt 1/2026 Tây Ninh",
        level="province",
        held_on=timezone.localdate(),
        province=geo.province_a,
    )
    product = Product.objects.get(pk=records.p_draft.pk)
    return services.dossier_create(user=owner_a, product=product, round=round_, kind="first")


@pytest.fixture
def producer(owner_a):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner_a)
    return client


def _upload(producer, dossier, name: str, content: bytes) -> list[str]:
    upload = io.BytesIO(content)
    upload.name = name
    response = producer.post(f"/cycle/dossiers/{dossier.pk}/evidence/", {"file": upload, "slot": "c:1.a"})
    assert response.status_code == 302
    found = [str(message) for message in get_messages(response.wsgi_request)]
    producer.get(response.url)  # the page shows (and so uses up) the messages
    return found


def _storage():
    from ocop.evaluation.models import Evidence

    return Evidence._meta.get_field("file").storage


ACCEPTED = [
    # name sent, content, stored type, stored extension, stored size
    ("anh.jpg", pictures.jpeg_with_script_comment, "image/jpeg", "jpg", (32, 24)),
    ("anh.jpeg", pictures.jpeg_html_polyglot, "image/jpeg", "jpg", (32, 24)),
    ("anh.JPG", pictures.jpeg_with_exif, "image/jpeg", "jpg", (24, 32)),
    ("in-an.jpg", pictures.cmyk_jpeg, "image/jpeg", "jpg", (20, 10)),
    ("dien-thoai.jpg", pictures.mpo, "image/jpeg", "jpg", (20, 10)),
    ("xam-16bit.png", pictures.png_16bit, "image/png", "png", (20, 10)),
    ("logo.png", pictures.png_palette_transparent, "image/png", "png", (20, 10)),
    ("dong.webp", pictures.animated_webp, "image/webp", "webp", (16, 16)),
    ("dong.png", pictures.animated_png, "image/png", "png", (16, 16)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "make", "content_type", "extension", "size"),
    ACCEPTED,
    ids=[case[1].__name__ for case in ACCEPTED],
)
def test_pictures_are_kept_privately_re_encoded_under_a_name_of_their_type(
    producer, dossier, settings, name, make, content_type, extension, size
):
    assert _upload(producer, dossier, name, make()) == ["File attached."]
    evidence = dossier.evidence.get()
    assert re.fullmatch(rf"evaluation/evidence/[A-Za-z0-9_-]{{24}}\.{extension}", evidence.file.name)
    assert (evidence.original_name, evidence.content_type) == (name, content_type)
    assert Path(_storage().path(evidence.file.name)).is_relative_to(settings.PRIVATE_ROOT)
    with _storage().open(evidence.file.name, "rb") as handle:
        content = handle.read()
    assert (evidence.size, evidence.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert b"<script" not in content and b"<html" not in content.lower()
    with Image.open(io.BytesIO(content)) as image:
        assert (Image.MIME[image.format], image.size, getattr(image, "n_frames", 1)) == (
            content_type,
            size,
            1,
        )
        assert not image.getexif() and not {"comment", "exif", "icc_profile", "xmp"} & set(image.info)
    served = producer.get(f"/cycle/evidence/{evidence.pk}/")
    assert (served["Content-Type"], served["X-Content-Type-Options"]) == (content_type, "nosniff")
    assert b"".join(served.streaming_content) == content


@pytest.mark.django_db
def test_a_pdf_is_kept_as_it_was_sent(producer, dossier):
    from ocop.evaluation.tests.helpers import pdf_bytes

    content = pdf_bytes("Giấy chứng nhận an toàn thực phẩm")
    assert _upload(producer, dossier, "chung-nhan.pdf", content) == ["File attached."]
    evidence = dossier.evidence.get()
    assert re.fullmatch(r"evaluation/evidence/[A-Za-z0-9_-]{24}\.pdf", evidence.file.name)
    with _storage().open(evidence.file.name, "rb") as handle:
        assert handle.read() == content


REFUSED = [
    *pictures.refused_by_every_image_upload(NOT_EVIDENCE),
    ("anh.html", pictures.html, NOT_EVIDENCE),
    ("anh.jpg", pictures.png, "The file's name ends in .jpg but its content is image/png."),
    (
        "anh.html",
        pictures.jpeg_with_script_comment,
        "The file's name ends in .html but its content is image/jpeg.",
    ),
    ("anh", pictures.webp, "The file's name ends in .— but its content is image/webp."),
    ("rong.pdf", lambda: b"", "The submitted file is empty."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "make", "message"), REFUSED, ids=[f"{i}-{c[0]}" for i, c in enumerate(REFUSED)]
)
def test_other_files_are_refused_with_a_reason_and_nothing_is_stored(producer, dossier, name, make, message):
    from ocop.accounts.models import AuditEvent

    storage = _storage()
    before = (
        set(storage.listdir("evaluation/evidence")[1]) if storage.exists("evaluation/evidence") else set()
    )
    assert _upload(producer, dossier, name, make()) == [message]
    assert dossier.evidence.count() == 0
    after = set(storage.listdir("evaluation/evidence")[1]) if storage.exists("evaluation/evidence") else set()
    assert after == before
    assert not AuditEvent.objects.filter(action="dossier.evidence_add").exists()
