from django import template
from django.utils import timezone

from ocop.registry.identifiers import display_gtin

register = template.Library()


@register.filter
def stars(count) -> str:
    """★★★ for 3."""
    try:
        return "★" * int(count)
    except (TypeError, ValueError):
        return ""


@register.inclusion_tag("registry/_status_badge.html")
def recognition_badge(recognition, day=None, show_stars=True):
    """The status of a recognition on a day, as a small badge. Stars appear as held only when
    the recognition is valid that day, so an expired or revoked product never looks certified.
    Histories, which list past stars themselves, pass ``show_stars=False``."""
    day = day or timezone.localdate()
    status = recognition.status_on(day) if recognition is not None else "never"
    return {"recognition": recognition, "status": status, "show_stars": show_stars}


@register.filter
def gtin(value) -> str:
    """A stored GTIN-14 in its usual printed length (13 digits for most Vietnamese barcodes)."""
    return display_gtin(value) if value else ""


@register.simple_tag
def current_recognition(product, day=None):
    return product.current_recognition(day)
