"""Pages of the catalogue and trade promotion, one module per sub-domain (``urls.py`` reads them
from this package):

* :mod:`.catalogue`: the public catalogue, product and producer pages;
* :mod:`.points`: points of sale, public and kept by officers, with what they stock;
* :mod:`.fairs`: fairs, public and kept by their organisers, participants and sales;
* :mod:`.enquiries`: buyers' enquiries, from the buyer's side and the producer's;
* :mod:`.supply`: a product's supply figures and a producer's channels;
* :mod:`.open_data`: the open data downloads;
* :mod:`.hub`: the managing pages' start.

Views parse input, fetch rows through the permission gate and call services; they hold no rules.
"""

from .catalogue import (
    PageInfo,
    catalogue,
    producer,
    product,
    product_redirect,
)
from .enquiries import (
    enquiry_close,
    enquiry_create,
    enquiry_thread,
    manage_enquiries,
    manage_enquiry,
)
from .fairs import (
    fair_create,
    fair_detail,
    fair_edit,
    fair_list,
    manage_fairs,
    participant_add,
    participant_remove,
    sales_report,
)
from .hub import (
    manage_home,
)
from .open_data import (
    OPEN_READERS,
    open_data,
    open_data_file,
    open_data_package,
)
from .points import (
    MAP_LIMIT,
    POINTS_PAGE_SIZE,
    manage_points,
    point_coverage,
    point_create,
    point_detail,
    point_edit,
    point_list,
    stock_add,
    stock_remove,
)
from .supply import (
    channel_end,
    channels,
    supply_edit,
)

__all__ = [
    "MAP_LIMIT",
    "OPEN_READERS",
    "POINTS_PAGE_SIZE",
    "PageInfo",
    "catalogue",
    "channel_end",
    "channels",
    "enquiry_close",
    "enquiry_create",
    "enquiry_thread",
    "fair_create",
    "fair_detail",
    "fair_edit",
    "fair_list",
    "manage_enquiries",
    "manage_enquiry",
    "manage_fairs",
    "manage_home",
    "manage_points",
    "open_data",
    "open_data_file",
    "open_data_package",
    "participant_add",
    "participant_remove",
    "point_coverage",
    "point_create",
    "point_detail",
    "point_edit",
    "point_list",
    "producer",
    "product",
    "product_redirect",
    "sales_report",
    "stock_add",
    "stock_remove",
    "supply_edit",
]
