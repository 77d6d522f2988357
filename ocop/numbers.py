"""Numbers written the way readers of a language write them: Django's number formatting with the
separators of the language's locale (Vietnamese groups thousands with a dot and writes decimals
after a comma: 1.234,5; English the other way round: 1,234.5).

Django's Vietnamese locale does not group by itself, and its formatting cuts extra decimals
rather than rounding them, so grouping is forced here and the value is rounded first."""

from __future__ import annotations

from django.utils import numberformat
from django.utils.formats import get_format


def grouped(value, *, decimals: int | None = None, language: str = "vi") -> str:
    """``value`` with thousands grouped, rounded to ``decimals`` places (as many as it has with
    None), in ``language``'s separators."""
    if decimals is not None:
        value = round(value, decimals)
    return numberformat.format(
        value,
        get_format("DECIMAL_SEPARATOR", language),
        decimal_pos=decimals,
        grouping=3,
        thousand_sep=get_format("THOUSAND_SEPARATOR", language),
        force_grouping=True,
    )
