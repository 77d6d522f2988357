"""Sheets of QR labels for a batch, as PDF (fpdf2) and SVG. A pure core (no Django).

Each label carries the QR code of its Digital Link (or platform link), the human-readable code
under it (``(01)…(10)…(21)…``), the product's name and, only while the product's recognition
is valid, the OCOP star mark. Labels are laid out N per A4 page on a regular grid; the QR
codes are drawn as vector squares, so they print sharp at any size.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

import segno

PAGE_W, PAGE_H = 210.0, 297.0  # A4, millimetres
MARGIN = 8.0
# labels per page -> (columns, rows)
LAYOUTS = {8: (2, 4), 21: (3, 7), 24: (3, 8), 40: (4, 10), 65: (5, 13)}


@dataclass(frozen=True)
class Label:
    uri: str  # what the QR code holds
    code: str  # the human-readable code
    title: str  # the product's name
    stars: int | None = None  # printed only while the recognition is valid
    lot_line: str = ""  # e.g. "Lô / Lot L2511 · HSD 31/12/2026"


def _modules(uri: str) -> list[tuple[int, int, int]]:
    """Dark runs of the QR code as (row, first column, length), quiet zone excluded."""
    qr = segno.make(uri, error="m", micro=False)
    runs = []
    for y, row in enumerate(qr.matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return runs, len(qr.matrix)


def _grid(per_page: int):
    columns, rows = LAYOUTS[per_page]
    cell_w = (PAGE_W - 2 * MARGIN) / columns
    cell_h = (PAGE_H - 2 * MARGIN) / rows
    return columns, rows, cell_w, cell_h


def _fit(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


QUIET = 4  # modules of light margin a QR code needs on every side (ISO/IEC 18004)


@dataclass(frozen=True)
class _Place:
    """Where one label goes: its cell, and its QR code with the quiet zone kept clear."""

    x: float
    y: float
    cell_w: float
    cell_h: float
    module: float  # side of one QR module, millimetres
    size: int  # modules per side

    @property
    def qx(self) -> float:
        return self.x + QUIET * self.module

    @property
    def qy(self) -> float:
        return self.y + QUIET * self.module

    @property
    def qr(self) -> float:
        return self.size * self.module

    @property
    def text_x(self) -> float:
        """Where the text beside the code may start (past its quiet zone)."""
        return self.qx + self.qr + QUIET * self.module

    @property
    def below(self) -> float:
        """Where the text under the code may start (past its quiet zone)."""
        return self.qy + self.qr + QUIET * self.module


def _place(per_page: int, index: int, size: int) -> _Place:
    columns, _rows, cell_w, cell_h = _grid(per_page)
    col, row = index % columns, index // columns
    # The code and its quiet zone take a square of most of the cell's height, leaving two lines
    # of text under it and half the cell's width beside it.
    square = min(cell_h * 0.78, cell_w * 0.55)
    return _Place(
        MARGIN + col * cell_w, MARGIN + row * cell_h, cell_w, cell_h, square / (size + 2 * QUIET), size
    )


def _wrap(text: str, width_mm: float, font_mm: float, lines: int) -> list[str]:
    """``text`` in at most ``lines`` lines of about ``width_mm`` (for SVG, which does not wrap)."""
    import textwrap

    chars = max(8, int(width_mm / (0.56 * font_mm)))
    wrapped = textwrap.wrap(text, chars) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], _fit(" ".join(wrapped[lines - 1 :]), chars)]
    return wrapped


def pdf(labels: list[Label], *, per_page: int = 24, title: str = "") -> bytes:
    from fpdf import FPDF

    from ocop.pdffonts import add_fonts

    if per_page not in LAYOUTS:
        raise ValueError(f"per_page must be one of {sorted(LAYOUTS)}")
    document = FPDF(unit="mm", format="A4")
    document.set_auto_page_break(False)
    document.set_title(title or "OCOP labels")
    document.set_creator("OCOP platform")
    family = add_fonts(document)
    _cols, _rows, _cw, cell_h = _grid(per_page)
    small = max(4.5, min(7.5, cell_h * 0.14 * 2.83 / 2))  # points
    for index, label in enumerate(labels):
        slot = index % per_page
        if slot == 0:
            document.add_page()
        runs, size = _modules(label.uri)
        place = _place(per_page, slot, size)
        module = place.module
        document.set_fill_color(0, 0, 0)
        # One path of rectangles per code, written as PDF operators: a thousand rect() calls
        # per label would make a sheet of 10,000 labels take minutes.
        k, height = document.k, document.h
        ops = [
            f"{(place.qx + start * module) * k:.2f} {(height - place.qy - row * module) * k:.2f} "
            f"{length * module * k:.2f} {-module * k:.2f} re"
            for row, start, length in runs
        ]
        document._out("\n".join([*ops, "f"]))  # fpdf2 has no public call for a batch of shapes
        text_w = place.x + place.cell_w - place.text_x - 1
        document.set_xy(place.text_x, place.qy)
        if label.stars:
            document.set_font(family, "B", small + 1)
            document.set_text_color(160, 110, 0)
            document.cell(text_w, (small + 1) * 0.45, "OCOP " + "★" * label.stars, new_x="LEFT", new_y="NEXT")
        document.set_text_color(0, 0, 0)
        document.set_font(family, "B", small)
        document.multi_cell(
            text_w, small * 0.42, _fit(label.title, 60), align="L", new_x="LEFT", new_y="NEXT"
        )
        if label.lot_line:
            document.set_font(family, "", small - 0.5)
            document.multi_cell(text_w, small * 0.42, label.lot_line, align="L", new_x="LEFT", new_y="NEXT")
        line_w = place.cell_w - (place.qx - place.x) - 1
        document.set_font(family, "", max(4, small - 1))
        document.set_xy(place.qx, place.below)
        code_chars = int(line_w / (document.font_size * 0.56))
        document.cell(line_w, small * 0.42, _fit(label.code, code_chars), new_x="LEFT", new_y="NEXT")
        document.set_font(family, "", max(4, small - 1.5))
        document.cell(line_w, small * 0.40, "Quét để kiểm tra / Scan to check")
        # A faint cutting guide.
        document.set_draw_color(210, 210, 210)
        document.rect(place.x, place.y, place.cell_w, place.cell_h)
    return bytes(document.output())


def svg_page(labels: list[Label], *, per_page: int = 24) -> str:
    """One A4 page of labels as SVG (millimetre units)."""
    if per_page not in LAYOUTS:
        raise ValueError(f"per_page must be one of {sorted(LAYOUTS)}")
    _cols, _rows, _cw, cell_h = _grid(per_page)
    font = max(1.6, min(2.7, cell_h * 0.07))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{PAGE_W}mm" height="{PAGE_H}mm" '
        f'viewBox="0 0 {PAGE_W} {PAGE_H}" font-family="DejaVu Sans, Arial, sans-serif">'
    ]
    for slot, label in enumerate(labels[:per_page]):
        runs, size = _modules(label.uri)
        place = _place(per_page, slot, size)
        module, qx, qy = place.module, place.qx, place.qy
        path = "".join(
            f"M{qx + start * module:.3f} {qy + row * module:.3f}h{length * module:.3f}v{module:.3f}h{-length * module:.3f}z"
            for row, start, length in runs
        )
        parts.append(
            f'<g><rect x="{place.x:.2f}" y="{place.y:.2f}" width="{place.cell_w:.2f}" height="{place.cell_h:.2f}" fill="none" stroke="#d2d2d2" stroke-width="0.2"/>'
        )
        parts.append(f'<path d="{path}" fill="#000"/>')
        tx, ty = place.text_x, qy + font
        text_w = place.x + place.cell_w - tx - 1
        if label.stars:
            parts.append(
                f'<text x="{tx:.2f}" y="{ty:.2f}" font-size="{font + 0.4:.2f}" font-weight="bold" fill="#a06e00">OCOP {"★" * label.stars}</text>'
            )
            ty += font * 1.3
        for line in _wrap(label.title, text_w, font, 2):
            parts.append(
                f'<text x="{tx:.2f}" y="{ty:.2f}" font-size="{font:.2f}" font-weight="bold">{escape(line)}</text>'
            )
            ty += font * 1.2
        for piece in label.lot_line.split(" · ") if label.lot_line else ():
            for line in _wrap(piece, text_w, font * 0.9, 2):
                parts.append(
                    f'<text x="{tx:.2f}" y="{ty:.2f}" font-size="{font * 0.9:.2f}">{escape(line)}</text>'
                )
                ty += font * 1.1
        base = place.below + font * 0.85
        line_w = place.cell_w - (qx - place.x) - 1
        parts.append(
            f'<text x="{qx:.2f}" y="{base:.2f}" font-size="{font * 0.85:.2f}">{escape(_fit(label.code, int(line_w / (0.56 * font * 0.85))))}</text>'
        )
        parts.append(
            f'<text x="{qx:.2f}" y="{base + font:.2f}" font-size="{font * 0.75:.2f}">Quét để kiểm tra / Scan to check</text></g>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def svg(labels: list[Label], *, per_page: int = 24) -> tuple[bytes, str]:
    """The sheet as SVG: one file for one page, a ZIP of pages for more. Returns (content, suffix)."""
    pages = [labels[i : i + per_page] for i in range(0, len(labels), per_page)] or [[]]
    if len(pages) == 1:
        return svg_page(pages[0], per_page=per_page).encode("utf-8"), "svg"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, page in enumerate(pages, start=1):
            archive.writestr(f"labels-{number:03d}.svg", svg_page(page, per_page=per_page))
    return buffer.getvalue(), "zip"
