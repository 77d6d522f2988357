"""Hostile and odd files sent as product photos, through the producer's page.

Each is either accepted and stored re-encoded, under a random name with the extension of the
type it decoded as (whatever it was called), with no metadata and nothing appended; or refused
with a message saying why, and nothing stored (no row, no file, no audit event).
"""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from PIL import Image

from . import pictures

NOT_A_PHOTO = "Photos must be JPEG, PNG or WebP images; this file is none of these."


@pytest.fixture
def producer(owner_a):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner_a)
    return client


def _upload(producer, product, name: str, content: bytes):
    upload = io.BytesIO(content)
    upload.name = name
    response = producer.post(f"/manage/products/{product.pk}/photos/", {"image": upload, "caption": ""})
    assert response.status_code == 302 and response.url == f"/manage/products/{product.pk}/"
    found = [str(message) for message in get_messages(response.wsgi_request)]
    producer.get(response.url)  # the page shows (and so uses up) the messages
    return found


def _stored_files(settings) -> list:
    """Every file under the media folder."""
    return sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())


ACCEPTED = [
    # name sent, content, stored extension, stored mode, stored size
    ("anh.html", pictures.jpeg_with_script_comment, "jpg", "RGB", (32, 24)),
    ("anh.svg", pictures.jpeg_html_polyglot, "jpg", "RGB", (32, 24)),
    ("anh.jpg", pictures.jpeg_with_exif, "jpg", "RGB", (24, 32)),  # turned upright
    ("in-an.jpg", pictures.cmyk_jpeg, "jpg", "RGB", (20, 10)),
    ("dien-thoai.jpg", pictures.mpo, "jpg", "RGB", (20, 10)),  # the first picture only
    ("xam-16bit.png", pictures.png_16bit, "png", "L", (20, 10)),
    ("logo.png", pictures.png_palette_transparent, "png", "RGBA", (20, 10)),
    ("dong.webp", pictures.animated_webp, "webp", "RGB", (16, 16)),
    ("dong.png", pictures.animated_png, "png", "RGBA", (16, 16)),
    ("trong-suot.webp", pictures.rgba_webp, "webp", "RGBA", (16, 16)),
    ("sai-duoi.jpg", pictures.png, "png", "RGB", (32, 24)),  # a PNG named .jpg is stored as .png
    ("khong-duoi", pictures.webp, "webp", "RGB", (32, 24)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "make", "extension", "mode", "size"), ACCEPTED, ids=[case[1].__name__ for case in ACCEPTED]
)
def test_pictures_are_stored_re_encoded_under_a_name_of_their_decoded_type(
    producer, records, settings, name, make, extension, mode, size
):
    product = records.p_draft
    assert _upload(producer, product, name, make()) == ["Photo added."]
    photo = product.photos.get()
    assert re.fullmatch(rf"products/{product.pk}/[A-Za-z0-9_-]{{24}}\.{extension}", photo.image.name)
    assert _stored_files(settings) == [settings.MEDIA_ROOT / photo.image.name]
    content = (settings.MEDIA_ROOT / photo.image.name).read_bytes()
    assert b"<script" not in content and b"<html" not in content.lower() and b"alert(" not in content
    with Image.open(io.BytesIO(content)) as image:
        assert (image.format, image.mode, image.size) == (
            {"jpg": "JPEG"}.get(extension, extension.upper()),
            mode,
            size,
        )
        assert getattr(image, "n_frames", 1) == 1
        assert not image.getexif() and not {"comment", "exif", "icc_profile", "xmp"} & set(image.info)
    served = Client().get(f"/media/{photo.image.name}")
    assert served["Content-Type"] == f"image/{ {'jpg': 'jpeg'}.get(extension, extension) }"
    assert served["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_re_encoding_keeps_what_the_picture_shows(producer, records, settings):
    product = records.p_draft
    _upload(producer, product, "xam.png", pictures.png_16bit())
    _upload(producer, product, "logo.png", pictures.png_palette_transparent())
    grey, logo = (settings.MEDIA_ROOT / p.image.name for p in product.photos.order_by("position"))
    with Image.open(grey) as image:
        assert image.getpixel((0, 0)) == 156  # 40000 / 65535 of white, scaled, not clipped to 255
    with Image.open(logo) as image:
        assert (image.getpixel((0, 0)), image.getpixel((15, 5))) == ((0, 0, 0, 0), (255, 0, 0, 255))


REFUSED = [
    *pictures.refused_by_every_image_upload(NOT_A_PHOTO),
    ("anh.jpg", lambda: b"MZ\x90\x00" + b"\x00" * 200, NOT_A_PHOTO),
    ("rong.jpg", lambda: b"", "Photo: The submitted file is empty."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "make", "message"), REFUSED, ids=[f"{i}-{c[0]}" for i, c in enumerate(REFUSED)]
)
def test_other_files_are_refused_with_a_reason_and_nothing_is_stored(
    producer, records, settings, name, make, message
):
    from ocop.accounts.models import AuditEvent

    product = records.p_draft
    assert _upload(producer, product, name, make()) == [message]
    assert product.photos.count() == 0
    assert _stored_files(settings) == []
    assert not AuditEvent.objects.filter(action="product.photo_add").exists()


@pytest.mark.django_db
def test_the_pixel_limit_is_a_setting(producer, records, settings):
    settings.OCOP_IMAGE_MAX_PIXELS = 700
    product = records.p_draft
    assert _upload(producer, product, "anh.jpg", pictures.jpeg()) == [
        "The image is 32 × 24 pixels, over the limit of 0.0007 megapixels."
    ]
    assert _upload(producer, product, "anh.jpg", pictures.jpeg(size=(35, 20))) == ["Photo added."]
    assert product.photos.count() == 1


@pytest.mark.django_db
def test_the_refusal_is_in_vietnamese_for_a_vietnamese_browser(owner_a, records):
    producer = Client(HTTP_ACCEPT_LANGUAGE="vi")
    producer.force_login(owner_a)
    assert _upload(producer, records.p_draft, "anh.svg", pictures.svg_with_script()) == [
        "Ảnh phải ở định dạng JPEG, PNG hoặc WebP; tệp này không thuộc định dạng nào trong số đó."
    ]
    assert _upload(producer, records.p_draft, "bom.png", pictures.png_bomb()) == [
        "Ảnh có kích thước 7000 × 6000 điểm ảnh, vượt giới hạn 40 megapixel."
    ]
    assert _upload(producer, records.p_draft, "bom.png", pictures.png_header(100_000, 100_000)) == [
        "Ảnh vượt giới hạn 40 megapixel."
    ]
    assert records.p_draft.photos.count() == 0
