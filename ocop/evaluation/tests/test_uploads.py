"""Evidence files: PDFs and images only, told by their content; anything else refused cleanly."""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image

from ocop.evaluation import uploads

from .helpers import TINY_PDF, pdf_bytes, png_bytes

MB = 1024 * 1024


def _inspect(content, name="f.pdf", **kw):
    return uploads.inspect(content, name, **{"max_bytes": 10 * MB, "max_pixels": 40_000_000, **kw})


def _code(content, name="f.pdf", **kw):
    with pytest.raises(uploads.Rejected) as error:
        _inspect(content, name, **kw)
    return error.value.code, error.value.params


def test_real_pdfs_and_images_pass_with_their_kind_and_hash():
    found = _inspect(pdf_bytes("Giấy chứng nhận VietGAP"), "vietgap.PDF")
    assert (found.content_type, found.details["pages"]) == ("application/pdf", 1)
    assert len(found.sha256) == 64
    assert _inspect(png_bytes(), "anh.png").content_type == "image/png"
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10)).save(buffer, format="JPEG")
    assert _inspect(buffer.getvalue(), "anh.jpeg").details == {"width": 20, "height": 10}
    assert _inspect(TINY_PDF).content_type == "application/pdf"


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"MZ\x90\x00" + b"\0" * 100, "a Windows program"),
        (b"\x7fELF" + b"\0" * 100, "a Linux program"),
        (b"PK\x03\x04" + b"\0" * 100, "a ZIP archive or Office file"),
        (b"#!/bin/sh\nrm -rf /\n", "a script"),
    ],
)
def test_programs_and_archives_are_refused_whatever_their_name(content, what):
    assert _code(content, "bao-cao.pdf") == ("forbidden_kind", {"what": what})


def test_the_eicar_test_virus_is_refused_even_inside_a_pdf():
    eicar = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    assert _code(eicar, "x.pdf")[0] == "malware"
    assert _code(TINY_PDF.replace(b"trailer", eicar + b"\ntrailer"))[0] == "malware"


def test_a_zip_hidden_behind_an_image_is_refused():
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.exe", b"MZ")
    assert _code(png_bytes() + buffer.getvalue(), "anh.png") == ("forbidden_kind", {"what": "a ZIP archive"})


@pytest.mark.parametrize(
    "active",
    [
        b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>",
        b"/OpenAction<</S/Launch/F(cmd.exe)>>",
        b"/Names<</EmbeddedFiles 9 0 R>>",
        b"/OpenAction<</S/J#61vaScript/JS(x)>>",  # a name spelt with an escape
    ],
)
def test_pdfs_with_active_content_are_refused(active):
    content = TINY_PDF.replace(b"/Type/Catalog", b"/Type/Catalog" + active)
    assert _code(content)[0] == "active_pdf"


def test_active_content_hidden_in_a_compressed_stream_is_found():
    hidden = zlib.compress(b"<</S/JavaScript/JS(app.alert(1))>>")
    stream = (
        b"4 0 obj<</Length %d/Filter/FlateDecode>>stream\n" % len(hidden) + hidden + b"\nendstream endobj\n"
    )
    content = TINY_PDF.replace(b"trailer", stream + b"trailer")
    assert _code(content) == ("active_pdf", {"name": "/JavaScript"})


def test_broken_encrypted_and_mislabelled_files_are_refused():
    assert _code(TINY_PDF[:-8])[0] == "broken_pdf"  # no %%EOF: truncated
    assert _code(TINY_PDF.replace(b"trailer<<", b"trailer<</Encrypt 5 0 R"))[0] == "encrypted_pdf"
    assert _code(png_bytes()[:-20], "a.png")[0] == "broken_image"
    assert _code(b"just some text", "a.txt")[0] == "not_pdf_or_image"
    assert _code(png_bytes(), "anh.pdf") == ("extension_mismatch", {"extension": "pdf", "kind": "image/png"})
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="GIF")
    assert _code(buffer.getvalue(), "a.gif")[0] == "not_pdf_or_image"
    assert _code(b"")[0] == "empty"


def test_size_and_pixel_limits():
    assert _code(TINY_PDF, max_bytes=100) == ("too_large", {"size": len(TINY_PDF), "limit": 100})
    assert _code(png_bytes((100, 100)), "a.png", max_pixels=5000)[0] == "too_many_pixels"


def test_the_service_words_a_refusal_for_people(cycle, owner_a, settings):
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    from ocop.evaluation import services

    dossier = services.dossier_create(
        user=owner_a, product=cycle.records.p_draft, round=cycle.round, kind="first"
    )
    settings.OCOP_EVIDENCE_MAX_BYTES = 300
    with pytest.raises(ValidationError) as error:
        services.evidence_add(
            user=owner_a, dossier=dossier, upload=SimpleUploadedFile("a.pdf", pdf_bytes()), criterion="1.a"
        )
    assert error.value.message_dict["file"][0].startswith("The file is ")
    assert "the limit is 0" in error.value.message_dict["file"][0]
    assert dossier.evidence.count() == 0
