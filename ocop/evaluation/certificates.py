"""The certificate (giấy chứng nhận) as a PDF: Vietnamese text with an English line under each
heading, the stars, the decision, the validity, and a QR code that opens the public verification
page — which shows the live status of the recognition, never a copy printed here."""

from __future__ import annotations

import io

import segno
from fpdf import FPDF

from ocop.pdffonts import add_fonts

from .choices import Level

GOLD = (176, 124, 16)
GREEN = (20, 90, 50)
GREY = (90, 90, 90)

ISSUER_VI = {
    Level.DISTRICT: "ỦY BAN NHÂN DÂN CẤP HUYỆN",
    Level.PROVINCE: "ỦY BAN NHÂN DÂN",
    Level.CENTRAL: "BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
}


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def _issuer(certificate) -> str:
    decision = certificate.item.decision
    round_ = decision.round
    if round_.level == Level.PROVINCE and round_.province is not None:
        return f"ỦY BAN NHÂN DÂN {round_.province.name.upper()}"
    return ISSUER_VI.get(round_.level, "")


def render(certificate, *, verify_url: str) -> bytes:
    """The certificate's PDF (A4 landscape)."""
    recognition = certificate.recognition
    product = recognition.product
    producer = product.producer
    decision = certificate.item.decision

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"Giấy chứng nhận sản phẩm OCOP {certificate.number}")
    pdf.set_author(_issuer(certificate))
    pdf.set_creator("OCOP platform")
    family = add_fonts(pdf)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.w - 2 * pdf.l_margin

    # Double border
    pdf.set_draw_color(*GOLD)
    pdf.set_line_width(1.2)
    pdf.rect(8, 8, pdf.w - 16, pdf.h - 16)
    pdf.set_line_width(0.4)
    pdf.rect(11, 11, pdf.w - 22, pdf.h - 22)

    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, 18)
    pdf.set_font(family, "B", 12)
    pdf.cell(width / 2, 6, _issuer(certificate), align="C")
    pdf.cell(width / 2, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 11)
    pdf.cell(width / 2, 6, f"Số: {certificate.number}", align="C")
    pdf.cell(width / 2, 6, "Độc lập - Tự do - Hạnh phúc", align="C", new_x="LMARGIN", new_y="NEXT")

    pdf.ln(8)
    pdf.set_text_color(*GREEN)
    pdf.set_font(family, "B", 26)
    pdf.cell(width, 12, "GIẤY CHỨNG NHẬN", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "B", 16)
    pdf.cell(width, 8, "SẢN PHẨM OCOP", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 10)
    pdf.set_text_color(*GREY)
    pdf.cell(
        width,
        5,
        "OCOP product certificate — One Commune One Product",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )

    pdf.ln(5)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(family, "B", 20)
    pdf.multi_cell(width, 10, product.name_vi, align="C", new_x="LMARGIN", new_y="NEXT")
    if product.name_en:
        pdf.set_font(family, "", 11)
        pdf.set_text_color(*GREY)
        pdf.cell(width, 6, product.name_en, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*GOLD)
    pdf.set_font(family, "B", 30)
    pdf.cell(width, 14, "★" * recognition.stars, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(family, "B", 14)
    pdf.cell(
        width,
        7,
        f"Đạt hạng: {recognition.stars} sao  ·  {recognition.stars}-star OCOP product",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )

    pdf.ln(4)
    pdf.set_font(family, "", 12)
    place = ", ".join(x.name for x in (producer.commune, producer.province) if x is not None)
    lines = [
        f"Chủ thể / Producer: {producer.name}",
        f"Địa chỉ / Address: {producer.address}{' — ' + place if place else ''}",
        f"Quyết định công nhận / Decision: số {decision.number} ngày {decision.signed_on:%d/%m/%Y}",
        f"Có giá trị đến / Valid until: {recognition.valid_until:%d/%m/%Y}",
    ]
    if recognition.score is not None:
        lines.insert(2, f"Điểm đánh giá / Score: {recognition.score}")
    for line in lines:
        pdf.set_x(pdf.l_margin + 30)
        pdf.multi_cell(width - 90, 7, line, new_x="LMARGIN", new_y="NEXT")

    # QR code and the verification line, bottom left
    size = 36
    top = pdf.h - 18 - size - 8
    pdf.image(io.BytesIO(qr_png(verify_url)), x=20, y=top, w=size, h=size)
    pdf.set_xy(20, top + size + 1)
    pdf.set_font(family, "", 8)
    pdf.set_text_color(*GREY)
    pdf.cell(120, 4, "Quét mã để kiểm tra hiệu lực / Scan to check the live status:")
    pdf.set_xy(20, top + size + 5)
    pdf.cell(160, 4, verify_url)

    # Signature block, bottom right
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(pdf.w - 120, top)
    pdf.set_font(family, "", 11)
    pdf.cell(
        100,
        6,
        f"Ngày {decision.signed_on:%d} tháng {decision.signed_on:%m} năm {decision.signed_on:%Y}",
        align="C",
        new_x="LEFT",
        new_y="NEXT",
    )
    pdf.set_font(family, "B", 12)
    pdf.multi_cell(100, 6, decision.signer, align="C")
    return bytes(pdf.output())
