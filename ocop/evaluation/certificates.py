"""The certificate (giấy chứng nhận) as a PDF: Vietnamese text with an English line under each
heading, the stars, the decision, the validity, and a QR code that opens the public verification
page — which shows the live status of the recognition, never a copy printed here."""

from __future__ import annotations

import io

import segno
from fpdf import FPDF

from ocop.officialpdf import national_header, place_name, signature_block, vn_date, vn_number
from ocop.pdffonts import add_fonts

from .choices import Level

GOLD = (176, 124, 16)
GREEN = (20, 90, 50)
GREY = (90, 90, 90)

ISSUER_VI = {
    Level.DISTRICT: ["ỦY BAN NHÂN DÂN", "CẤP HUYỆN"],
    Level.PROVINCE: ["ỦY BAN NHÂN DÂN", "CẤP TỈNH"],
    Level.CENTRAL: ["BỘ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"],
}
SIGNER_TITLE_VI = {
    Level.DISTRICT: ["TM. ỦY BAN NHÂN DÂN"],
    Level.PROVINCE: ["TM. ỦY BAN NHÂN DÂN"],
    Level.CENTRAL: ["BỘ TRƯỞNG"],
}


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def _issuer(certificate) -> list[str]:
    """The issuing body in the lines its header writes."""
    round_ = certificate.item.decision.round
    if round_.level == Level.PROVINCE and round_.province is not None:
        return ["ỦY BAN NHÂN DÂN", round_.province.name.upper()]
    return ISSUER_VI.get(round_.level, [""])


def _place(certificate) -> str:
    """Where the certificate is issued, as its date line writes it."""
    round_ = certificate.item.decision.round
    if round_.level == Level.CENTRAL or round_.province is None:
        return "Hà Nội"
    return place_name(round_.province.name)


def render(certificate, *, verify_url: str) -> bytes:
    """The certificate's PDF (A4 landscape)."""
    recognition = certificate.recognition
    product = recognition.product
    producer = product.producer
    decision = certificate.item.decision

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_margins(20, 15, 20)
    pdf.set_title(f"Giấy chứng nhận sản phẩm OCOP {certificate.number}")
    pdf.set_author(" ".join(_issuer(certificate)))
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

    bottom = national_header(
        pdf,
        family,
        issuer=_issuer(certificate),
        number=certificate.number,
        place=_place(certificate),
        day=certificate.issued_on or decision.signed_on,
        top=17,
    )
    pdf.set_y(bottom)
    pdf.ln(4)
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

    pdf.ln(3)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(family, "B", 20)
    pdf.multi_cell(width, 10, product.name_vi, align="C", new_x="LMARGIN", new_y="NEXT")
    if product.name_en:
        pdf.set_font(family, "", 11)
        pdf.set_text_color(*GREY)
        pdf.cell(width, 6, product.name_en, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*GOLD)
    pdf.set_font(family, "B", 30)
    pdf.cell(width, 12, "★" * recognition.stars, align="C", new_x="LMARGIN", new_y="NEXT")
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

    pdf.ln(3)
    pdf.set_font(family, "", 12)
    place = ", ".join(x.name for x in (producer.commune, producer.province) if x is not None)
    lines = [
        f"Chủ thể / Producer: {producer.name}",
        f"Địa chỉ / Address: {producer.address}{' — ' + place if place else ''}",
        f"Quyết định công nhận / Decision: số {decision.number} {vn_date(decision.signed_on)}",
        f"Có giá trị đến / Valid until: {recognition.valid_until:%d/%m/%Y}",
    ]
    if recognition.score is not None:
        lines.insert(2, f"Điểm đánh giá / Score: {vn_number(recognition.score)}")
    for line in lines:
        pdf.set_x(pdf.l_margin + 20)
        pdf.multi_cell(width - 40, 6.5, line, new_x="LMARGIN", new_y="NEXT")

    # QR code and the verification line, bottom left
    size = 30
    top = pdf.h - 15 - size - 9
    pdf.image(io.BytesIO(qr_png(verify_url)), x=20, y=top, w=size, h=size)
    pdf.set_xy(20, top + size + 1)
    pdf.set_font(family, "", 8)
    pdf.set_text_color(*GREY)
    pdf.cell(120, 4, "Quét mã để kiểm tra hiệu lực / Scan to check the live status:")
    pdf.set_xy(20, top + size + 5)
    pdf.cell(160, 4, verify_url)

    # Signature block, bottom right
    signature_block(
        pdf,
        family,
        x=pdf.w - 120,
        y=top,
        width=100,
        title=SIGNER_TITLE_VI.get(decision.round.level, []),
        signer=decision.signer,
    )
    return bytes(pdf.output())
