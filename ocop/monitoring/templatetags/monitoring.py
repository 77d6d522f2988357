"""Template helpers of the monitoring pages: numbers as Vietnamese documents write them, and
links to the list behind a figure."""

from django import template

from ..charts import format_number
from ..choices import TargetStatus
from ..presenting import rows_link

register = template.Library()


@register.filter
def vnnum(value):
    """10000 -> "10.000"; 12.5 -> "12,5"."""
    if value is None or value == "":
        return "—"
    try:
        return format_number(float(value))
    except (TypeError, ValueError):
        return value


@register.filter
def status_label(status: str) -> str:
    """A target's status in words (achieved, on track, behind, missed, not started)."""
    return TargetStatus(status).label


@register.filter
def rows_url(figure):
    """The list of the rows a :class:`~ocop.monitoring.figures.Figure` counts."""
    return rows_link(figure)
