"""The quarterly report of a province (báo cáo quý), as an .xlsx workbook and as a PDF.

Layout as officials write it: a heading with the province, the quarter and the day the figures
are taken; I. the figures at the end of the quarter next to the end of the previous one; II. what
happened in the quarter (new, expired, revoked recognitions; certificates expiring next); III.
figures by commune; IV. targets; then the lists of new and expired recognitions. The figures
come from :func:`ocop.monitoring.dashboard.dashboard`, the same as the dashboard and the API,
and each one links to the list behind it.

On historical boundaries, for a quarter before 1 July 2025, a province of today is reported as
the provinces of that time that formed it, one section each.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF, FontFace

from ocop import cells
from ocop.geo.gazetteer import CURRENT, LEGACY
from ocop.geo.models import Province
from ocop.officialpdf import national_header, place_name, signature_block
from ocop.pdffonts import add_fonts

from . import figures as F
from .charts import format_number
from .choices import GROUP_COLUMNS, TYPE_COLUMNS, TargetStatus
from .dashboard import ROMAN, Dashboard, dashboard, quarter_span
from .selectors import boundary_era
from .units import Unit

LISTED = 500  # rows of each list printed in the report (the link gives them all)


@dataclass
class Line:
    label: str
    before: int | None
    now: int
    figure: F.Figure | None
    indent: int = 0

    @property
    def change(self) -> int | None:
        return None if self.before is None else self.now - self.before


@dataclass
class Section:
    unit: Unit
    board: Dashboard
    previous: Dashboard
    lines: list[Line]
    quarter_lines: list[Line]


@dataclass
class Report:
    province: Province
    year: int
    quarter: int
    start: date
    end: date  # the day the figures are taken: the quarter's last day, or today
    boundaries: str
    sections: list[Section]
    written_on: date
    link: Callable[[F.Figure], str]

    @property
    def title(self) -> str:
        return _("Report on the OCOP programme, quarter %(quarter)s of %(year)s") % {
            "quarter": ROMAN[self.quarter],
            "year": self.year,
        }


def _lines(board: Dashboard, previous: Dashboard) -> list[Line]:
    lines = [
        Line(
            _("OCOP products (3 stars or more)"),
            previous.products.value,
            board.products.value,
            board.products.figure,
        )
    ]
    for stars, number in board.by_stars.items():
        lines.append(
            Line(
                _("of which %(stars)s stars") % {"stars": stars},
                previous.by_stars[stars].value,
                number.value,
                number.figure,
                1,
            )
        )
    for group, number in board.by_group.items():
        lines.append(
            Line(str(GROUP_COLUMNS[group]), previous.by_group[group].value, number.value, number.figure, 1)
        )
    lines.append(Line(_("OCOP producers"), previous.producers, board.producers, None))
    for kind, count in board.producers_by_type.items():
        lines.append(Line(str(TYPE_COLUMNS[kind]), previous.producers_by_type[kind], count, None, 1))
    return lines


def _quarter_lines(board: Dashboard) -> list[Line]:
    quarter = board.quarters[-1]
    return [
        Line(
            _("Recognitions decided in the quarter"),
            None,
            quarter.counts[F.NEW].value,
            quarter.counts[F.NEW].figure,
        ),
        Line(
            _("Recognitions expired in the quarter"),
            None,
            quarter.counts[F.EXPIRED].value,
            quarter.counts[F.EXPIRED].figure,
        ),
        Line(
            _("Recognitions revoked in the quarter"),
            None,
            quarter.counts[F.REVOKED].value,
            quarter.counts[F.REVOKED].figure,
        ),
        Line(_("Certificates expiring within 90 days"), None, board.expiring.value, board.expiring.figure),
    ]


def quarterly_report(
    *,
    province: Province,
    year: int,
    quarter: int,
    boundaries: str,
    user,
    link: Callable[[F.Figure], str],
    progress=None,
) -> Report:
    """The report's figures (``province``: one of today's)."""
    start, end = quarter_span(year, quarter)
    today = timezone.localdate()
    end = min(end, today)
    previous_end = start - timedelta(days=1)
    era = boundary_era(end, boundaries)
    units = [Unit(era=CURRENT, province=province)]
    if era == LEGACY:
        units = [
            Unit(era=LEGACY, province=p)
            for p in Province.objects.filter(era_id=LEGACY, successor=province).order_by("code")
        ]
    sections = []
    for number, unit in enumerate(units, start=1):
        board = dashboard(unit=unit, as_of=end, boundaries=boundaries, user=user)
        # The previous quarter's end by the same boundaries; a province formed on 1 July 2025
        # did not exist on 30 June, so the quarter that follows compares with today's units.
        previous_boundaries = boundaries if boundary_era(previous_end, boundaries) == unit.era else "current"
        previous = dashboard(unit=unit, as_of=previous_end, boundaries=previous_boundaries, user=user)
        sections.append(Section(unit, board, previous, _lines(board, previous), _quarter_lines(board)))
        if progress:
            progress(number, len(units) + 1, unit.name)
    return Report(province, year, quarter, start, end, boundaries, sections, today, link)


def _boundaries_text(report: Report) -> str:
    if report.sections and report.sections[0].unit.era == LEGACY:
        return _(
            "Counted by the provinces and communes in force at the end of the quarter (before 1 July 2025)."
        )
    return _("Counted by today's provinces and communes (34 provinces since 1 July 2025).")


def _lists(section: Section, report: Report):
    """(title, short title for a sheet, rows, the figure) of the lists the report prints."""
    quarter = section.board.quarters[-1]
    new = F.rows(quarter.counts[F.NEW].figure, section.unit)
    expired = F.rows(quarter.counts[F.EXPIRED].figure, section.unit)
    related = ("product", "product__producer", "product__producer__commune")
    return [
        (
            _("Recognitions decided in the quarter"),
            _("Decided"),
            list(new.select_related(*related).order_by("recognised_on", "pk")[:LISTED]),
            quarter.counts[F.NEW],
        ),
        (
            _("Recognitions expired in the quarter"),
            _("Expired"),
            list(expired.select_related(*related).order_by("valid_until", "pk")[:LISTED]),
            quarter.counts[F.EXPIRED],
        ),
    ]


# ---------------------------------------------------------------------------------------------
# .xlsx
# ---------------------------------------------------------------------------------------------


def write_xlsx(report: Report) -> bytes:
    buffer = io.BytesIO()
    book = cells.workbook(buffer)  # names stay text, never formulas
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format(
        {"bold": True, "bg_color": "#E8F3EC", "border": 1, "text_wrap": True, "valign": "top"}
    )
    cell = book.add_format({"border": 1})
    indent = book.add_format({"border": 1, "indent": 2})
    number = book.add_format({"border": 1, "num_format": "#,##0"})
    linked = book.add_format({"border": 1, "num_format": "#,##0", "font_color": "#1B6B3A", "underline": 1})
    muted = book.add_format({"italic": True, "font_color": "#5B6470"})

    def figure_cell(sheet, row, col, value, figure):
        if figure is not None and value:
            sheet.write_url(row, col, report.link(figure), linked, string=str(value))
            sheet.write_number(row, col, value, linked)
        else:
            sheet.write_number(row, col, value or 0, number)

    summary = book.add_worksheet(_("Summary")[:31])
    summary.set_column(0, 0, 46)
    summary.set_column(1, 3, 16)
    summary.write(0, 0, report.title, title)
    summary.write(1, 0, report.province.name, bold)
    summary.write(
        2,
        0,
        _("Figures on %(day)s.") % {"day": report.end.strftime("%d/%m/%Y")} + " " + _boundaries_text(report),
        muted,
    )
    summary.write(3, 0, _("Every figure links to the list behind it."), muted)
    row = 5
    for section in report.sections:
        if len(report.sections) > 1:
            summary.write(row, 0, section.unit.name, bold)
            row += 1
        summary.write_row(
            row,
            0,
            [_("I. Figures"), _("End of the previous quarter"), _("End of the quarter"), _("Change")],
            head,
        )
        row += 1
        for line in section.lines:
            summary.write(row, 0, line.label, indent if line.indent else cell)
            previous_figure = (
                line.figure.but(day=section.previous.as_of)
                if line.figure is not None and section.previous.unit == section.unit
                else None
            )
            figure_cell(summary, row, 1, line.before, previous_figure)
            figure_cell(summary, row, 2, line.now, line.figure)
            summary.write_number(row, 3, line.change or 0, number)
            row += 1
        row += 1
        summary.write_row(row, 0, [_("II. In the quarter"), "", _("Number"), ""], head)
        row += 1
        for line in section.quarter_lines:
            summary.write(row, 0, line.label, cell)
            summary.write(row, 1, "", cell)
            figure_cell(summary, row, 2, line.now, line.figure)
            summary.write(row, 3, "", cell)
            row += 1
        row += 1

    communes = book.add_worksheet(_("By commune")[:31])
    communes.set_column(0, 0, 10)
    communes.set_column(1, 1, 34)
    communes.set_column(2, 6, 12)
    row = 0
    for section in report.sections:
        communes.write(row, 0, f"III. {section.unit.name}", bold)
        row += 1
        communes.write_row(
            row, 0, [_("Code"), _("Commune"), _("Products"), "3★", "4★", "5★", _("Producers")], head
        )
        row += 1
        for sub in section.board.subunits:
            communes.write(row, 0, sub.code, cell)
            communes.write(row, 1, sub.name, cell)
            figure_cell(communes, row, 2, sub.products.value, sub.products.figure)
            for col, stars in enumerate((3, 4, 5), start=3):
                figure_cell(communes, row, col, sub.by_stars[stars].value, sub.by_stars[stars].figure)
            communes.write_number(row, 6, sub.producers, number)
            row += 1
        row += 1

    targets = book.add_worksheet(_("Targets")[:31])
    targets.set_column(0, 0, 50)
    targets.set_column(1, 7, 14)
    targets.write_row(
        0,
        0,
        [
            _("IV. Target"),
            _("Period"),
            _("Target value"),
            _("Now"),
            _("Expected by now"),
            _("Status"),
            _("Needed per quarter"),
        ],
        head,
    )
    row = 1
    for section in report.sections:
        for target_row in section.board.targets:
            p = target_row.progress
            targets.write(row, 0, target_row.description, cell)
            targets.write(
                row,
                1,
                f"{target_row.target.period_start:%d/%m/%Y}–{target_row.target.period_end:%d/%m/%Y}",
                cell,
            )
            targets.write_number(row, 2, float(p.target), cell)
            targets.write_url(row, 3, report.link(target_row.figure), linked, string=str(p.actual))
            targets.write_number(row, 3, float(p.actual), linked)
            targets.write_number(row, 4, float(p.expected), cell)
            targets.write(row, 5, _status(p.status), cell)
            targets.write(row, 6, float(p.pace_needed) if p.pace_needed is not None else "—", cell)
            row += 1
    if row == 1:
        targets.write(1, 0, _("No targets are set for this province."), muted)

    for section in report.sections:
        for name, short, rows, total in _lists(section, report):
            suffix = f" {section.unit.code}" if len(report.sections) > 1 else ""
            sheet = book.add_worksheet(f"{short[: 31 - len(suffix)]}{suffix}")
            sheet.set_column(0, 1, 36)
            sheet.set_column(2, 6, 14)
            sheet.write(0, 0, f"{name} — {section.unit.name}", bold)
            sheet.write_url(
                1, 0, report.link(total.figure), string=_("All %(n)s in the platform") % {"n": total.value}
            )
            sheet.write_row(
                2,
                0,
                [
                    _("Product"),
                    _("Producer"),
                    _("Commune"),
                    _("Stars"),
                    _("Decision"),
                    _("Recognised on"),
                    _("Valid until"),
                ],
                head,
            )
            for i, recognition in enumerate(rows, start=3):
                producer = recognition.product.producer
                sheet.write_row(
                    i,
                    0,
                    [
                        recognition.product.name_vi,
                        producer.name,
                        producer.commune.name if producer.commune_id else "",
                        recognition.stars,
                        recognition.decision_no,
                        recognition.recognised_on.strftime("%d/%m/%Y"),
                        recognition.valid_until.strftime("%d/%m/%Y"),
                    ],
                    cell,
                )
    book.close()
    return buffer.getvalue()


def _status(status: str) -> str:
    return str(TargetStatus(status).label)


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


HEADINGS = FontFace(emphasis="BOLD", fill_color=(232, 243, 236))
LINKED = FontFace(color=(27, 107, 58))  # a figure in green links to the list behind it


def write_pdf(report: Report) -> bytes:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(report.title)
    pdf.set_creator("OCOP platform")
    family = add_fonts(pdf)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    def text(size, value, *, bold=False, align="L", height=6, colour=(0, 0, 0)):
        pdf.set_font(family, "B" if bold else "", size)
        pdf.set_text_color(*colour)
        pdf.multi_cell(width, height, value, align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)

    def table(widths, rows, *, align, head=()):
        """A table over the page's width (``widths`` in proportion), its heading repeated on each
        page; ``align``: each column's text to the left (L, words) or right (R, figures). A cell
        is its text, or (text, link) for a figure that links to its list. Long texts wrap within
        their cell. No rows, no table: a heading alone says nothing the section's title does not."""
        if not rows:
            pdf.ln(2)
            return
        pdf.set_font(family, "", 9)
        with pdf.table(
            width=width,
            col_widths=widths,
            text_align=["LEFT" if a == "L" else "RIGHT" for a in align],
            line_height=4.5,
            padding=(1, 1.5),
            headings_style=HEADINGS,
            first_row_as_headings=bool(head),
            num_heading_rows=1 if head else 0,
        ) as grid:
            if head:
                grid.row([str(cell) for cell in head])
            for cells in rows:
                row = grid.row()
                for cell in cells:
                    value, link = cell if isinstance(cell, tuple) else (cell, None)
                    row.cell(str(value), link=link or None, style=LINKED if link else None)
        pdf.ln(3)

    below = national_header(
        pdf,
        family,
        issuer=["ỦY BAN NHÂN DÂN", report.province.name.upper()],
        number="……/BC-UBND",
        place=place_name(report.province.name),
        day=report.written_on,
        top=12,
    )
    pdf.set_y(below + 6)
    text(13, report.title.upper(), bold=True, align="C", height=7)
    text(
        9,
        _("Figures on %(day)s.") % {"day": report.end.strftime("%d/%m/%Y")}
        + " "
        + _boundaries_text(report)
        + " "
        + _("Each figure in green links to the list behind it."),
        align="C",
        colour=(90, 90, 90),
    )
    pdf.ln(3)
    for section in report.sections:
        if len(report.sections) > 1:
            text(12, section.unit.name, bold=True)
        text(11, _("I. Figures at the end of the quarter"), bold=True)
        table(
            [width - 3 * 30, 30, 30, 30],
            [
                [
                    ("    " if line.indent else "") + line.label,
                    _fmt(line.before),
                    (
                        _fmt(line.now),
                        report.link(line.figure) if line.figure is not None and line.now else None,
                    ),
                    _signed(line.change),
                ]
                for line in section.lines
            ],
            head=[_("Indicator"), _("Previous quarter"), _("This quarter"), _("Change")],
            align="LRRR",
        )
        text(11, _("II. In the quarter"), bold=True)
        table(
            [width - 30, 30],
            [
                [line.label, (_fmt(line.now), report.link(line.figure) if line.now else None)]
                for line in section.quarter_lines
            ],
            align="LR",
        )
        text(11, _("III. By commune"), bold=True)
        listed = [sub for sub in section.board.subunits if sub.products.value or sub.producers]
        table(
            [18, width - 18 - 5 * 22, 22, 22, 22, 22, 22],
            [
                [
                    sub.code,
                    sub.name,
                    (
                        _fmt(sub.products.value),
                        report.link(sub.products.figure) if sub.products.value else None,
                    ),
                    *[_fmt(sub.by_stars[s].value) for s in (3, 4, 5)],
                    _fmt(sub.producers),
                ]
                for sub in listed
            ],
            head=[_("Code"), _("Commune"), _("Products"), "3★", "4★", "5★", _("Producers")],
            align="LLRRRRR",
        )
        quiet = len(section.board.subunits) - len(listed)
        if quiet:
            text(
                8,
                _(
                    "%(n)s communes without OCOP products are left out of this table (the workbook lists them all)."
                )
                % {"n": quiet},
                colour=(90, 90, 90),
            )
            pdf.ln(3)
        if section.board.targets:
            text(11, _("IV. Targets"), bold=True)
            rows = []
            for target_row in section.board.targets:
                p = target_row.progress
                unit = "%" if target_row.target.is_share else ""
                rows.append(
                    [
                        target_row.description,
                        f"{_fmt(p.target)}{unit}",
                        (f"{_fmt(p.actual)}{unit}", report.link(target_row.figure)),
                        _status(p.status),
                        _fmt(p.pace_needed) if p.pace_needed is not None else "—",
                    ]
                )
            table(
                [width - 28 - 22 - 32 - 28, 28, 22, 32, 28],
                rows,
                head=[_("Target"), _("Target value"), _("Now"), _("Status"), _("Per quarter")],
                align="LRRLR",
            )
        for name, _short, rows, total in _lists(section, report):
            text(11, f"{name} ({total.value})", bold=True)
            table(
                [width - 70 - 20 - 26, 70, 20, 26],
                [
                    [
                        recognition.product.name_vi,
                        recognition.product.producer.name,
                        recognition.stars,
                        (
                            recognition.recognised_on
                            if total.figure.kind == F.NEW
                            else recognition.valid_until
                        ).strftime("%d/%m/%Y"),
                    ]
                    for recognition in rows[:60]
                ],
                head=[_("Product"), _("Producer"), _("Stars"), _("Date")],
                align="LLRR",
            )
            if total.value > 60:
                pdf.set_font(family, "", 8)
                pdf.cell(
                    width,
                    6,
                    _("… and %(n)s more: see the list in the platform.") % {"n": total.value - 60},
                    link=report.link(total.figure),
                )
                pdf.ln(9)
    text(
        8,
        _("Written by the OCOP platform on %(day)s.") % {"day": report.written_on.strftime("%d/%m/%Y")},
        colour=(90, 90, 90),
    )
    # Recipients bottom left, the signature block bottom right, on one page.
    if pdf.get_y() + 45 > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(4)
    top = pdf.get_y()
    pdf.set_font(family, "B", 10)
    pdf.cell(width / 2, 5, "Nơi nhận:", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, "", 9)
    for line in ("- Văn phòng Điều phối nông thôn mới Trung ương;", "- Lưu: VT."):
        pdf.cell(width / 2, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    signature_block(
        pdf, family, x=pdf.l_margin + width / 2, y=top, width=width / 2, title=["TM. ỦY BAN NHÂN DÂN"]
    )
    return bytes(pdf.output())


def _fmt(value) -> str:
    if value is None:
        return "—"
    return format_number(float(value))


def _signed(value) -> str:
    if value is None:
        return "—"
    return ("+" if value > 0 else "") + _fmt(value)
