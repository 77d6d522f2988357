"""Codes used by the catalogue and trade promotion. Codes are English and stable (open data,
the API); labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PointKind(models.TextChoices):
    """What a point of sale is. OCOP introduction and sales points (điểm giới thiệu và bán sản
    phẩm OCOP, Decision 950/QĐ-BCT) are the ones every province is meant to have."""

    OCOP_POINT = "ocop_point", _("OCOP introduction and sales point")
    SUPERMARKET = "supermarket", _("Supermarket")
    CONVENIENCE = "convenience", _("Convenience store")
    SPECIALTY_SHOP = "specialty_shop", _("Specialty shop")
    TOURIST_SPOT = "tourist_spot", _("Shop at a tourist site or airport")
    MARKET = "market", _("Market stall")
    OTHER = "other", _("Other shop")


class ChannelKind(models.TextChoices):
    SUPERMARKET_CHAIN = "supermarket_chain", _("Supermarket chain")
    CONVENIENCE_CHAIN = "convenience_chain", _("Convenience store chain")
    ECOMMERCE = "ecommerce", _("E-commerce marketplace")
    WEBSHOP = "webshop", _("Own online shop")
    LIVESTREAM = "livestream", _("Livestream selling")
    EXPORT = "export", _("Export market")
    DISTRIBUTOR = "distributor", _("Distributor or wholesaler")


# "Modern channels" as the programme counts them (Decision 919/QĐ-TTg: at least half of OCOP
# producers selling through supermarkets, convenience stores or e-commerce).
MODERN_CHANNELS = frozenset(
    {
        ChannelKind.SUPERMARKET_CHAIN,
        ChannelKind.CONVENIENCE_CHAIN,
        ChannelKind.ECOMMERCE,
        ChannelKind.WEBSHOP,
        ChannelKind.LIVESTREAM,
    }
)
# Channels that need a link to be useful to a shopper.
ONLINE_CHANNELS = frozenset({ChannelKind.ECOMMERCE, ChannelKind.WEBSHOP, ChannelKind.LIVESTREAM})


class WhereSold(models.TextChoices):
    """The catalogue's "where sold" filter."""

    POINT_OF_SALE = "point_of_sale", _("At a point of sale")
    SUPERMARKET = "supermarket", _("In supermarket chains")
    ONLINE = "online", _("Online")
    EXPORT = "export", _("Exported")


class Unit(models.TextChoices):
    KG = "kg", _("kg")
    TONNE = "tonne", _("tonnes")
    LITRE = "litre", _("litres")
    ITEM = "item", _("items")
    BOX = "box", _("boxes")
    BOTTLE = "bottle", _("bottles")
    PACK = "pack", _("packs")
    JAR = "jar", _("jars")
    POT = "pot", _("pots")
    GUEST = "guest", _("guests")


class CapacityPeriod(models.TextChoices):
    SEASON = "season", _("per season")
    MONTH = "month", _("per month")
    YEAR = "year", _("per year")


class BuyerKind(models.TextChoices):
    SUPERMARKET = "supermarket", _("Supermarket or chain")
    EXPORTER = "exporter", _("Exporter or importer")
    SHOP = "shop", _("Shop or retailer")
    DISTRIBUTOR = "distributor", _("Distributor or wholesaler")
    HOSPITALITY = "hospitality", _("Restaurant, hotel or caterer")
    OTHER = "other", _("Other business")


class EnquiryStatus(models.TextChoices):
    OPEN = "open", _("Awaiting an answer")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class Side(models.TextChoices):
    """Who wrote a message of an enquiry."""

    BUYER = "buyer", _("Buyer")
    PRODUCER = "producer", _("Producer")


class FairKind(models.TextChoices):
    FAIR = "fair", _("Trade fair")
    FESTIVAL = "festival", _("Festival")
    EXHIBITION = "exhibition", _("Exhibition")
    TRADE_MISSION = "trade_mission", _("Trade mission or buyer meeting")
    ONLINE = "online", _("Online event or livestream")


class CatalogueSort(models.TextChoices):
    RELEVANCE = "relevance", _("Best match")
    STARS = "stars", _("Most stars")
    NAME = "name", _("Name")
    NEWEST = "newest", _("Newest recognition")


class CatalogueStatus(models.TextChoices):
    """Which products the catalogue lists: by default only those whose recognition is valid;
    on request also the expired and revoked ones, marked as such."""

    VALID = "valid", _("Valid recognition")
    ALL = "all", _("Also expired and revoked")
    LAPSED = "lapsed", _("Only expired or revoked")
