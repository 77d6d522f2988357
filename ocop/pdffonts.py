"""Fonts for the PDFs the platform writes (certificates, labels, reports).

DejaVu Sans is vendored in ocop/data/fonts (free licence, LICENSE-DejaVu.txt) so that Vietnamese
renders with fpdf2 on a machine with only Python: no system fonts or libraries are needed.
"""

from pathlib import Path

FONTS_DIR = Path(__file__).resolve().parent / "data" / "fonts"
REGULAR = FONTS_DIR / "DejaVuSans.ttf"
BOLD = FONTS_DIR / "DejaVuSans-Bold.ttf"
FAMILY = "DejaVu"


def add_fonts(pdf) -> str:
    """Register the family on an ``fpdf.FPDF`` document and return its name."""
    pdf.add_font(FAMILY, "", str(REGULAR))
    pdf.add_font(FAMILY, "B", str(BOLD))
    return FAMILY
