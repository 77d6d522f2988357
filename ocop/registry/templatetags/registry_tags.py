from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def stars(count) -> str:
    """★★★ for 3."""
    try:
        return "★" * int(count)
    except (TypeError, ValueError):
        return ""


@register.inclusion_tag("registry/_status_badge.html")
def recognition_badge(recognition, day=None):
    """The status of a recognition on a day, as a small badge: the only place stars are shown
    as held, so an expired or revoked product can never look certified."""
    day = day or timezone.localdate()
    status = recognition.status_on(day) if recognition is not None else "never"
    return {"recognition": recognition, "status": status}


@register.simple_tag
def current_recognition(product, day=None):
    return product.current_recognition(day)
