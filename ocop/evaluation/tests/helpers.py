"""Helpers shared by the evaluation tests and the permission matrix: real files and answers."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from ocop.criteria.tests.sheets import SHEET_76, best

# The smallest well-formed PDF: header, catalogue, one page, trailer.
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 100 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def pdf_bytes(text: str = "Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm") -> bytes:
    from fpdf import FPDF

    from ocop.pdffonts import add_fonts

    pdf = FPDF()
    family = add_fonts(pdf)
    pdf.add_page()
    pdf.set_font(family, size=12)
    pdf.multi_cell(0, 8, text)
    return bytes(pdf.output())


def png_bytes(size=(16, 16)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def pdf_upload(name="chung-nhan.pdf", text="Tài liệu minh chứng"):
    return SimpleUploadedFile(name, pdf_bytes(text), content_type="application/pdf")


def png_upload(name="anh.png"):
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


ANSWERS_76 = dict(SHEET_76)
ANSWERS_100 = best("148/I.1.a")
REQUIRED_DOCUMENTS = ("registration_form", "business_registration", "food_safety", "quality_declaration")
