"""Codes and labels of the monitoring app: statistics columns, programme targets and their status."""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ocop.registry.choices import ProducerType

# Keyed by the registry's codes (ProductGroup, ProducerType), in the order of the format file.
GROUP_COLUMNS = {
    "food": _("Food"),
    "drinks": _("Drinks"),
    "herbal": _("Herbal"),
    "handicraft": _("Handicraft"),
    "ornamental": _("Ornamental"),
    "tourism": _("Tourism"),
}
TYPE_COLUMNS = {
    "cooperative": _("Cooperatives"),
    "cooperative_group": _("Coop. groups"),
    "enterprise": _("Enterprises"),
    "household": _("Households"),
}


class Measure(models.TextChoices):
    """What a programme target measures, counted from the registry on a day (see
    :mod:`ocop.monitoring.measures` for each rule)."""

    PRODUCTS_MIN_STARS = "products_min_stars", _("Products rated at least N stars")
    PRODUCTS_STARS = "products_stars", _("Products rated exactly N stars")
    PRODUCTS_NEW = "products_new", _("Products newly recognised in the period")
    PRODUCTS_UPGRADED = "products_upgraded", _("Products upgraded in the period")
    PRODUCTS_RERATED_SHARE = (
        "products_rerated_share",
        _("Share of earlier-rated products re-rated or upgraded"),
    )
    PRODUCER_KIND_SHARE = "producer_kind_share", _("Share of OCOP producers of a type")
    MODERN_CHANNEL_SHARE = "modern_channel_share", _("Share of OCOP producers selling in modern channels")
    PROVINCES_WITH_SHOWROOM = (
        "provinces_with_showroom",
        _("Share of provinces with an OCOP introduction and sales point"),
    )
    SHOWROOMS = "showrooms", _("OCOP introduction and sales points")
    CRAFT_VILLAGE_SHARE = "craft_village_share", _("Share of craft villages with an OCOP product")


# Measures whose value is a percentage (the others are counts).
SHARE_MEASURES = frozenset(
    {
        Measure.PRODUCTS_RERATED_SHARE,
        Measure.PRODUCER_KIND_SHARE,
        Measure.MODERN_CHANNEL_SHARE,
        Measure.PROVINCES_WITH_SHOWROOM,
        Measure.CRAFT_VILLAGE_SHARE,
    }
)
# Measures that count what happened within the target's period (they start from zero), as
# opposed to a state on a day (which starts from its value when the period opens).
FLOW_MEASURES = frozenset({Measure.PRODUCTS_NEW, Measure.PRODUCTS_UPGRADED, Measure.PRODUCTS_RERATED_SHARE})
# Measures that take a number of stars, and those that take a producer type.
STAR_MEASURES = frozenset({Measure.PRODUCTS_MIN_STARS, Measure.PRODUCTS_STARS, Measure.PRODUCTS_NEW})
KIND_MEASURES = frozenset({Measure.PRODUCER_KIND_SHARE})
# Measures only the whole country can have (a province has no provinces).
COUNTRY_MEASURES = frozenset({Measure.PROVINCES_WITH_SHOWROOM})


def describe(measure: str, *, stars: int = 0, producer_kind: str = "") -> str:
    """The measure in words, with its parameters ("Products rated 3 stars or more", "Share of
    OCOP producers of type “Cooperative”")."""
    kind = ProducerType(producer_kind).label if producer_kind in ProducerType.values else ""
    texts = {
        Measure.PRODUCTS_MIN_STARS: gettext("Products rated %(stars)s stars or more"),
        Measure.PRODUCTS_STARS: gettext("Products rated %(stars)s stars"),
        Measure.PRODUCTS_NEW: gettext("New products rated %(stars)s stars or more"),
        Measure.PRODUCER_KIND_SHARE: gettext("Share of OCOP producers of type “%(kind)s”"),
    }
    if measure in texts:
        return texts[measure] % {"stars": stars or 3, "kind": kind}
    return str(Measure(measure).label)


class TargetStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ACHIEVED = "achieved", _("Achieved")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")
    MISSED = "missed", _("Missed")
