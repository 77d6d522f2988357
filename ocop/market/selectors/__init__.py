"""Reads for the catalogue, points of sale, channels, enquiries, fairs and open data.

Every list goes through the permission gate. A product's stars and status on any page come
from its recognitions themselves (``Product.current_recognition``), never from the index, so
an expired or revoked product can never look certified; the index only finds and orders.

One module per sub-domain (callers import from this package: ``selectors.catalogue_search(...)``):

* :mod:`.catalogue`: searching the catalogue and the cards of its results;
* :mod:`.front`: the home page's featured products, newest 5-star products and map;
* :mod:`.products`: a product, its producer, where to buy it;
* :mod:`.points`: points of sale and their coverage of the provinces;
* :mod:`.channels`: sales channels and the share of modern ones;
* :mod:`.enquiries`: enquiries a producer's staff read;
* :mod:`.fairs`: fairs and their totals;
* :mod:`.opendata`: the rows of the open data downloads and the API.

What several share (points of sale open on a day) is in :mod:`._common`.
"""

from .catalogue import (
    COUNT_SECONDS,
    PAGE_SIZE,
    RECOGNITION_ROW,
    SOLD_BY_CHANNEL,
    Card,
    CatalogueFilters,
    CatalogueResults,
    card_facts,
    catalogue_cards,
    catalogue_search,
    where_sold_flags,
)
from .channels import (
    ChannelShare,
    modern_channel_share,
    producer_channels,
)
from .enquiries import (
    enquiries_for,
    enquiry_thread,
)
from .fairs import (
    FairTotals,
    fair_detail,
    fairs,
)
from .front import (
    Front,
    front,
)
from .opendata import (
    OPEN_PRODUCT_FIELDS,
    OpenSlice,
    changed_product_ids,
    open_points,
    open_producers,
    open_products,
)
from .points import (
    CoverageRow,
    PointFilters,
    coverage,
    managed_points,
    point_detail,
    points_of_sale,
)
from .products import (
    WhereToBuy,
    catalogue_product,
    catalogue_product_name,
    other_products,
    public_producer,
    upcoming_fairs_of,
    where_to_buy,
)

__all__ = [
    "COUNT_SECONDS",
    "OPEN_PRODUCT_FIELDS",
    "PAGE_SIZE",
    "RECOGNITION_ROW",
    "SOLD_BY_CHANNEL",
    "Card",
    "CatalogueFilters",
    "CatalogueResults",
    "ChannelShare",
    "CoverageRow",
    "FairTotals",
    "Front",
    "OpenSlice",
    "PointFilters",
    "WhereToBuy",
    "card_facts",
    "catalogue_cards",
    "catalogue_product",
    "catalogue_product_name",
    "catalogue_search",
    "changed_product_ids",
    "coverage",
    "enquiries_for",
    "enquiry_thread",
    "fair_detail",
    "fairs",
    "front",
    "managed_points",
    "modern_channel_share",
    "open_points",
    "open_producers",
    "open_products",
    "other_products",
    "point_detail",
    "points_of_sale",
    "producer_channels",
    "public_producer",
    "upcoming_fairs_of",
    "where_sold_flags",
    "where_to_buy",
]
