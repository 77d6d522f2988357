from html import escape

from django import template
from django.utils import timezone
from django.utils.formats import date_format, get_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from ocop.market import hours, selectors
from ocop.market.choices import ChannelKind
from ocop.market.countries import export_market
from ocop.market.links import product_url as _product_url
from ocop.numbers import grouped

register = template.Library()


@register.simple_tag
def where_to_buy(product, day=None, user=None):
    """Where ``product`` is sold today (points of sale and channels), in two queries."""
    return selectors.where_to_buy(product, day=day or timezone.localdate(), user=user)


@register.filter
def catalogue_url(product) -> str:
    return _product_url(product)


@register.simple_tag(takes_context=True)
def name_of(context, product) -> str:
    """The product's name in the page's language (English only where the producer gave it)."""
    language = context.get("LANGUAGE_CODE", "vi")
    return product.name_in("en" if language == "en" else "vi")


@register.simple_tag(takes_context=True)
def partner_of(context, channel) -> str:
    """Who or where a channel sells to, as the reader reads it: an export market's country in
    the page's language ("Germany" for a channel the producer typed as "Đức", code DE)."""
    if channel.kind == ChannelKind.EXPORT:
        language = "en" if context.get("LANGUAGE_CODE", "vi") == "en" else "vi"
        return export_market(channel.partner, channel.country, language)
    return channel.partner


def _language() -> str:
    return "en" if (get_language() or "vi").split("-")[0] == "en" else "vi"


@register.filter
def vnd(value) -> str:
    """1234567 -> "1.234.567 ₫" on a Vietnamese page, "1,234,567 ₫" on an English one."""
    if value in (None, ""):
        return ""
    return grouped(int(value), language=_language()) + " ₫"


@register.filter
def number(value) -> str:
    """A quantity without trailing zeros, grouped for the page's language: 1500.00 is "1.500"
    and 2.50 is "2,5" in Vietnamese, "1,500" and "2.5" in English (where "1.500 kg" would read
    as one and a half)."""
    if value in (None, ""):
        return ""
    language = _language()
    written = grouped(value, decimals=2, language=language)
    return written.rstrip("0").rstrip(get_format("DECIMAL_SEPARATOR", language))


@register.simple_tag(takes_context=True)
def opening_hours(context, point) -> list[str]:
    language = context.get("LANGUAGE_CODE", "vi")
    return hours.describe(point.opening_rules, "en" if language == "en" else "vi")


_OPTIONS: dict[tuple, str] = {}


@register.simple_tag
def select(field):
    """A form's <select> written directly: Django renders each <option> through a template,
    which costs more than the rest of the catalogue page for a few hundred options. The escaped
    options of a list of choices are kept; only the selected one changes."""
    value = field.value()
    value = "" if value is None else str(value)
    choices = tuple((str(choice), str(label)) for choice, label in field.field.choices)
    options = _OPTIONS.get(choices)
    if options is None:
        options = "".join(
            f'<option value="{escape(choice)}">{escape(label)}</option>' for choice, label in choices
        )
        if len(_OPTIONS) > 256:
            _OPTIONS.clear()
        _OPTIONS[choices] = options
    if value:
        marker = f'<option value="{escape(value)}">'
        options = options.replace(marker, marker[:-1] + " selected>", 1)
    return mark_safe(
        f'<select name="{escape(field.html_name)}" id="{escape(field.auto_id)}">{options}</select>'
    )


SOLD_CHIPS = [  # marked here, translated when a page is written (in its reader's language)
    ("point_of_sale", gettext_noop("In shops")),
    ("supermarket", gettext_noop("Supermarkets")),
    ("online", gettext_noop("Online")),
    ("export", gettext_noop("Exported")),
]


def _day(value) -> str:
    return date_format(value, "d/m/Y") if value else ""


def _status(card) -> str:
    if card.status == "valid":
        label = ngettext("%(n)s star", "%(n)s stars", card.stars) % {"n": card.stars}
        return f'<span class="stars" aria-label="{escape(label)}">{"★" * card.stars}</span>'
    recognition = card.recognition
    if card.status == "revoked":
        text = gettext("revoked %(day)s") % {"day": _day(recognition.revoked_on)}
    elif card.status == "expired":
        text = gettext("expired %(day)s") % {"day": _day(recognition.valid_until)}
    elif card.status == "superseded":
        text = gettext("superseded")
    elif card.status == "pending":
        text = gettext("not yet in force")
    else:
        text = gettext("not recognised")
    return f'<span class="badge {escape(card.status)}">{escape(text)}</span>'


@register.simple_tag
def card_grid(cards, hide_producer=False):
    """Catalogue cards, written in Python: the catalogue's hottest markup, several times faster
    than the same through the template engine. Every value is escaped; stars appear only for a
    valid recognition."""
    parts = []
    chips = [(flag, escape(gettext(label))) for flag, label in SOLD_CHIPS]
    for card in cards:
        entry = card.entry
        url = escape(card.url)
        name = escape(card.name)
        if card.photo_url:
            cover = (
                f'<a class="cover" href="{url}" tabindex="-1" aria-hidden="true">'
                f'<img src="{escape(card.photo_url)}" alt="" loading="lazy"></a>'
            )
        else:
            cover = (
                f'<a class="cover g-{escape(entry.group)}" href="{url}" tabindex="-1" aria-hidden="true">'
                f'<span class="initial">{escape(card.name[:1].upper())}</span></a>'
            )
        who = ""
        if not hide_producer:
            place = f"{entry.commune.name}, {entry.province.name}" if entry.commune else entry.province.name
            who = f'<div class="muted">{escape(entry.producer_name)}</div><div class="muted">{escape(place)}</div>'
        sold = ""
        if card.sold:
            sold = (
                '<div class="where">'
                + "".join(f'<span class="chip">{label}</span>' for flag, label in chips if flag in card.sold)
                + "</div>"
            )
        parts.append(
            f'<article class="pcard" data-product="{int(entry.product_id)}">{cover}<div class="body">'
            f'<h3><a href="{url}">{name}</a></h3><div>{_status(card)}</div>{who}{sold}</div></article>'
        )
    return mark_safe("\n".join(parts))
