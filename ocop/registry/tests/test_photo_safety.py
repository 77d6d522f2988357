"""Issue 11, finding 1: a product photo can never become a page, a script or a document.

A producer uploads a valid JPEG whose comment holds a script, named ``.html`` (or ``.svg``,
``.js``, ``.pdf``). It is stored re-encoded under a name of the platform's own, with the
extension of what it decoded to, linked from the public catalogue with that name and served as
an image that browsers must not sniff.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from tests.hostile import pictures

SAFE_NAME = r"products/{pk}/[A-Za-z0-9_-]{{24}}\.{ext}"


def _stored(photo) -> bytes:
    with photo.image.open("rb") as handle:
        return handle.read()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["anh.html", "anh.svg", "anh.js", "anh.pdf"])
def test_a_jpeg_carrying_a_script_is_stored_and_served_as_a_plain_jpeg(records, owner_a, name):
    product = records.p_recognised
    producer = Client(HTTP_ACCEPT_LANGUAGE="en")
    producer.force_login(owner_a)
    upload = io.BytesIO(pictures.jpeg_with_script_comment())
    upload.name = name
    response = producer.post(f"/manage/products/{product.pk}/photos/", {"image": upload, "caption": "Hộp"})
    assert response.status_code == 302

    photo = product.photos.get()
    assert re.fullmatch(SAFE_NAME.format(pk=product.pk, ext="jpg"), photo.image.name)
    content = _stored(photo)
    assert b"<script" not in content and b"<html" not in content.lower()
    with Image.open(io.BytesIO(content)) as image:
        assert (image.format, image.size, "comment" in image.info) == ("JPEG", (32, 24), False)

    page = Client(HTTP_ACCEPT_LANGUAGE="en").get(f"/catalogue/products/{product.pk}/banh-trang-phoi-suong/")
    assert f'src="/media/{photo.image.name}"' in page.content.decode()
    assert name not in page.content.decode()

    served = Client().get(f"/media/{photo.image.name}")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert not served.get("Content-Disposition", "").startswith("attachment")
    assert b"".join(served.streaming_content) == content


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("products/1/anh.html", pictures.HTML),
        ("products/1/anh.svg", pictures.svg_with_script()),
        ("products/1/anh.js", b"alert(1)"),
        ("products/1/anh.pdf", b"%PDF-1.4\n%%EOF\n"),
        ("products/1/anh", pictures.HTML),
        ("epcis/captures/capture.json", b"{}"),
    ],
)
def test_media_that_is_not_an_image_is_only_ever_downloaded(settings, name, body):
    """Files left in the media folder by earlier versions (or put there by hand) are never
    shown by the browser: downloaded, with no type a browser would run."""
    path = settings.MEDIA_ROOT / name
    path.parent.mkdir(parents=True)
    path.write_bytes(body)
    served = Client().get(f"/media/{name}")
    assert served.status_code == 200
    assert served["Content-Type"] == "application/octet-stream"
    assert served["Content-Disposition"] == f'attachment; filename="{path.name}"'
    assert served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("suffix", "content_type"),
    [("jpg", "image/jpeg"), ("JPEG", "image/jpeg"), ("png", "image/png"), ("webp", "image/webp")],
)
def test_media_images_are_served_with_their_image_type(settings, suffix, content_type):
    path = settings.MEDIA_ROOT / "products" / "7" / f"x.{suffix}"
    path.parent.mkdir(parents=True)
    path.write_bytes(pictures.png())
    served = Client().get(f"/media/products/7/x.{suffix}")
    assert (served.status_code, served["Content-Type"], served["X-Content-Type-Options"]) == (
        200,
        content_type,
        "nosniff",
    )


@pytest.mark.django_db
def test_the_media_route_serves_nothing_outside_the_media_folder(settings):
    (settings.MEDIA_ROOT / "products").mkdir(parents=True)
    (settings.MEDIA_ROOT.parent / "secret.jpg").write_bytes(pictures.jpeg())
    client = Client()
    assert client.get("/media/../secret.jpg").status_code == 404
    assert client.get("/media/products/../../secret.jpg").status_code == 404
    assert client.get("/media/%2e%2e/secret.jpg").status_code == 404
    assert client.get("/media/products/").status_code == 404
    assert client.get("/media/products/missing.jpg").status_code == 404
    assert client.post("/media/products/missing.jpg").status_code == 405


def _old_photo(settings, product, name, content, position=0):
    """A photo as stored before photos were re-encoded: the uploader's name and bytes."""
    from ocop.registry.models import ProductPhoto

    path = settings.MEDIA_ROOT / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return ProductPhoto.objects.create(product=product, image=name, position=position)


@pytest.mark.django_db
def test_photos_stored_before_are_re_encoded_or_removed_by_a_command(
    records, owner_a, settings, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from ocop.accounts.models import AuditEvent
    from ocop.registry import services
    from ocop.registry.models import ProductPhoto

    product = records.p_recognised
    script = _old_photo(
        settings, product, f"products/{product.pk}/anh.html", pictures.jpeg_with_script_comment()
    )
    svg = _old_photo(settings, product, f"products/{product.pk}/logo.svg", pictures.svg_with_script(), 1)
    gone = ProductPhoto.objects.create(product=product, image=f"products/{product.pk}/gone.jpg", position=2)
    new = services.photo_add(user=owner_a, product=product, image=SimpleUploadedFile("x.png", pictures.png()))
    new_bytes = _stored(new)

    out = io.StringIO()
    call_command("photos-normalise", "--dry-run", stdout=out)
    assert out.getvalue().splitlines()[-2:] == [
        "Đã mã hoá lại / re-encoded: 1; đã xoá / removed: 1; thiếu tệp / file missing: 1; giữ nguyên / kept: 1",
        "Chạy thử: không thay đổi gì / dry run: nothing changed",
    ]
    assert sorted(ProductPhoto.objects.values_list("image", flat=True)) == sorted(
        [script.image.name, svg.image.name, gone.image.name, new.image.name]
    )
    assert (settings.MEDIA_ROOT / svg.image.name).exists()

    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("photos-normalise", stdout=out)
    lines = out.getvalue().splitlines()
    script.refresh_from_db()
    assert re.fullmatch(SAFE_NAME.format(pk=product.pk, ext="jpg"), script.image.name)
    assert (
        lines[0]
        == f"normalised photo {script.pk} (product {product.pk}): products/{product.pk}/anh.html → {script.image.name}"
    )
    assert (
        lines[1]
        == f"removed    photo {svg.pk} (product {product.pk}): products/{product.pk}/logo.svg (not_image)"
    )
    assert lines[2] == f"missing    photo {gone.pk} (product {product.pk}): products/{product.pk}/gone.jpg"
    assert b"<script" not in _stored(script)
    assert not (settings.MEDIA_ROOT / f"products/{product.pk}/anh.html").exists()
    assert not ProductPhoto.objects.filter(pk=svg.pk).exists()
    assert not (settings.MEDIA_ROOT / f"products/{product.pk}/logo.svg").exists()
    assert _stored(ProductPhoto.objects.get(pk=new.pk)) == new_bytes  # already safe: untouched
    assert list(
        AuditEvent.objects.filter(action__in=["product.photo_normalise", "product.photo_remove"])
        .order_by("pk")
        .values_list("action", "actor", "data")
    ) == [
        (
            "product.photo_normalise",
            None,
            {"photo_id": script.pk, "before": f"products/{product.pk}/anh.html", "after": script.image.name},
        ),
        (
            "product.photo_remove",
            None,
            {"photo_id": svg.pk, "file": f"products/{product.pk}/logo.svg", "reason": "not_image"},
        ),
    ]

    out = io.StringIO()
    call_command("photos-normalise", stdout=out)  # again: nothing left to do but the missing file
    assert out.getvalue().splitlines()[-1] == (
        "Đã mã hoá lại / re-encoded: 0; đã xoá / removed: 0; thiếu tệp / file missing: 1; giữ nguyên / kept: 2"
    )
