"""Workflow steps of the catalogue and trade promotion. Pages, the API, the demo and commands
write through here.

Each service checks through the permission gate that the acting user may do it, validates
before saving, writes in one transaction and records an audit event in the same transaction.
Field errors are raised as ``ValidationError({field: [messages]})``.

One module per sub-domain (callers import from this package: ``services.point_create(...)``):

* :mod:`.catalogue`: the catalogue's search index (:func:`catalogue_refresh`), maintenance
  rather than a person's act: brought up to date from the registry's own stamps by periodic
  work in the background (pages only read it) and by ``ocop catalogue-index``; no audit event;
* :mod:`.supply`: a product's supply capacity;
* :mod:`.points`: points of sale and what they stock;
* :mod:`.channels`: the channels a producer sells through;
* :mod:`.enquiries`: buyers' enquiries, their spam and rate limits, forgetting buyers;
* :mod:`.fairs`: fairs and events, their participants and sales.

What several share (the products anyone may see) is in :mod:`._common`.
"""

from .catalogue import (
    BATCH,
    FTS_INDEX,
    INDEX_FORMAT,
    PRODUCT_ROW_FIELDS,
    STATUS_FIELDS,
    VERSION_KEY,
    RefreshReport,
    catalogue_refresh,
    catalogue_refresh_if_stale,
    catalogue_stale,
)
from .channels import (
    CHANNEL_FIELDS,
    channel_add,
    channel_end,
)
from .enquiries import (
    ENQUIRY_FIELDS,
    ENQUIRY_SALT,
    FORM_SALT,
    Refused,
    accepts_enquiries,
    client_key,
    enquiries_forget_buyers,
    enquiry_answer,
    enquiry_buyer_reply,
    enquiry_close,
    enquiry_from_token,
    enquiry_submit,
    enquiry_token,
    form_started_token,
)
from .fairs import (
    FAIR_FIELDS,
    fair_create,
    fair_update,
    participant_add,
    participant_remove,
    participant_sales_report,
)
from .points import (
    POINT_FIELDS,
    parse_hours,
    point_create,
    point_update,
    stock_add,
    stock_remove,
)
from .supply import (
    SUPPLY_FIELDS,
    supply_update,
)

__all__ = [
    "BATCH",
    "CHANNEL_FIELDS",
    "ENQUIRY_FIELDS",
    "ENQUIRY_SALT",
    "FAIR_FIELDS",
    "FORM_SALT",
    "FTS_INDEX",
    "INDEX_FORMAT",
    "POINT_FIELDS",
    "PRODUCT_ROW_FIELDS",
    "STATUS_FIELDS",
    "SUPPLY_FIELDS",
    "VERSION_KEY",
    "RefreshReport",
    "Refused",
    "accepts_enquiries",
    "catalogue_refresh",
    "catalogue_refresh_if_stale",
    "catalogue_stale",
    "channel_add",
    "channel_end",
    "client_key",
    "enquiries_forget_buyers",
    "enquiry_answer",
    "enquiry_buyer_reply",
    "enquiry_close",
    "enquiry_from_token",
    "enquiry_submit",
    "enquiry_token",
    "fair_create",
    "fair_update",
    "form_started_token",
    "parse_hours",
    "participant_add",
    "participant_remove",
    "participant_sales_report",
    "point_create",
    "point_update",
    "stock_add",
    "stock_remove",
    "supply_update",
]
