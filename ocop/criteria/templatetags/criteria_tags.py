from django import template

register = template.Library()


@register.filter
def asterisks(stars) -> str:
    """A star marker as printed on the sheets: 4 -> "****"."""
    return "*" * int(stars) if stars else ""


@register.filter
def star_signs(stars) -> str:
    return "★" * int(stars) if stars else ""
