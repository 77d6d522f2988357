"""Labels for the statistics' columns: short forms of the registry's groups and producer types."""

from django.utils.translation import gettext_lazy as _

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
