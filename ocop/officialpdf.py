"""The parts every official document the platform prints shares, laid out as Vietnamese
administrative documents are (Nghị định 30/2020/NĐ-CP, appendix I): the issuing body and the
document's number top left; the national title and motto top right, each block underlined; the
place and date under the motto; the signature block bottom right.

These documents are Vietnamese whatever the reader's language: they are the copy an office files.
"""

from __future__ import annotations

from datetime import date

from ocop.numbers import grouped


def vn_date(day: date) -> str:
    """``ngày 05 tháng 3 năm 2026``: days below 10 and the months 1 and 2 take a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def vn_number(value) -> str:
    """A figure as Vietnamese documents write it: 100, 1.234, 87,5."""
    whole = value == int(value)
    return grouped(int(value) if whole else value, decimals=None if whole else 2)


def place_name(name: str) -> str:
    """A province's name without its prefix, as a date line writes it: "Tỉnh Tây Ninh" → "Tây Ninh"."""
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _underline(pdf, x: float, width: float, text: str) -> None:
    """A rule under the line just written, a little wider than ``text`` (the current font's)."""
    half = min(pdf.get_string_width(text), width) / 2 + 2
    middle = x + width / 2
    pdf.set_line_width(0.3)
    pdf.line(middle - half, pdf.get_y() + 0.5, middle + half, pdf.get_y() + 0.5)


def national_header(
    pdf, family: str, *, issuer: list[str], number: str, place: str, day: date | None, top: float
) -> float:
    """Draw the header between the page's margins from ``top``; returns the y below it.
    ``issuer``: the issuing body in lines (bold, the last one underlined); ``day`` None leaves
    the date for the signer to write."""
    left = pdf.l_margin
    width = pdf.w - pdf.l_margin - pdf.r_margin
    col = width * 0.42
    right = left + col
    rcol = width - col
    pdf.set_text_color(0, 0, 0)
    pdf.set_draw_color(0, 0, 0)

    pdf.set_xy(left, top)
    pdf.set_font(family, "B", 11)
    for line in issuer:
        pdf.set_x(left)
        pdf.cell(col, 5.5, line, align="C", new_x="LEFT", new_y="NEXT")
    _underline(pdf, left, col, issuer[-1])
    # The number and the date on one line, however many lines the issuer takes.
    number_y = top + max(len(issuer), 2) * 5.5 + 2.5
    pdf.set_font(family, "", 11)
    pdf.set_xy(left, number_y)
    pdf.cell(col, 6, f"Số: {number}", align="C", new_x="LEFT", new_y="NEXT")
    bottom_left = pdf.get_y()

    pdf.set_xy(right, top)
    pdf.set_font(family, "B", 11)
    pdf.cell(rcol, 5.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(family, "B", 11.5)
    motto = "Độc lập - Tự do - Hạnh phúc"
    pdf.cell(rcol, 5.5, motto, align="C", new_x="LEFT", new_y="NEXT")
    _underline(pdf, right, rcol, motto)
    pdf.set_xy(right, number_y)
    pdf.set_font(family, "", 11)
    when = vn_date(day) if day else "ngày …… tháng …… năm ……"
    pdf.cell(rcol, 6, f"{place}, {when}", align="C", new_x="LEFT", new_y="NEXT")
    return max(bottom_left, pdf.get_y())


def signature_block(
    pdf, family: str, *, x: float, y: float, width: float, title: list[str], signer: str = ""
) -> None:
    """The signer's title (bold), room for the signature and seal, and the signer's name."""
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(x, y)
    pdf.set_font(family, "B", 11)
    for line in title:
        pdf.cell(width, 5.5, line, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font(family, "", 8.5)
    pdf.set_text_color(90, 90, 90)
    pdf.cell(width, 5, "(Ký, ghi rõ họ tên, đóng dấu)", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(x, pdf.get_y() + 14)
    if signer:
        pdf.set_font(family, "B", 12)
        pdf.multi_cell(width, 6, signer, align="C", new_x="LEFT", new_y="NEXT")
