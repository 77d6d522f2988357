"""Text cells in the spreadsheets and CSV files the platform writes, and how the registry import
reads them back. Every writer of .xlsx or .csv goes through :func:`workbook` or :func:`csv_writer`.

A pure core. In .xlsx a text is written as a text cell, never as a formula, a link or a number
(XlsxWriter's ``write()`` turns a text starting with ``=`` into a formula by default, which the
reader then sees as its cached result, ``0``).

A spreadsheet opening a CSV file runs any cell that starts with ``=``, ``+``,
``-`` or ``@`` (and tab or carriage return, which some strip first) as a formula: a product
named ``=HYPERLINK("http://x","y")`` would become a live link in an officer's spreadsheet. As
OWASP recommends, every CSV writer of the platform goes through :func:`csv_writer`, which prefixes
such a text cell with a single quote; spreadsheets then show it as text. Numbers and dates are
never prefixed (a negative number is not text).

The prefix is what marks a neutralised cell, so reading one back is exact: :func:`restore`
removes one leading quote when it is followed by quotes and then a trigger character, and
:func:`neutral` adds one to every text that starts that way, so a name that itself starts with
``'=`` comes back as written. The registry import applies :func:`restore` to every CSV it reads,
not only the platform's own: a quote before a trigger character means the same in any CSV.
"""

from __future__ import annotations

import csv
import re
from datetime import date, datetime

TRIGGERS = "=+-@\t\r"
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")


def plain(value) -> str:
    """A value as text, the way the platform writes it in its files and forms: empty for None,
    ``true``/``false`` for booleans, ISO 8601 for dates and times."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def neutral(value):
    """``value`` as a CSV cell that no spreadsheet runs: text that starts (after any quotes) with
    a trigger character gets one more quote in front. Anything but text is left alone."""
    if isinstance(value, str) and _NEEDS_QUOTE.match(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The value :func:`neutral` wrote as ``text``."""
    if _NEUTRALISED.match(text):
        return text[1:]
    return text


class _Writer:
    def __init__(self, buffer, **kwargs):
        self._writer = csv.writer(buffer, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([neutral(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(buffer, **kwargs) -> _Writer:
    """A ``csv.writer`` whose text cells are neutralised (same arguments)."""
    return _Writer(buffer, **kwargs)


# Texts stay texts: no formulas, links or numbers made from them.
XLSX_OPTIONS = {
    "in_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def workbook(buffer, **options):
    """An XlsxWriter workbook writing into ``buffer`` whose ``write()`` keeps texts as text."""
    import xlsxwriter

    return xlsxwriter.Workbook(buffer, {**XLSX_OPTIONS, **options})
