"""Workflow steps of traceability: batches and their steps, labels, product links, shoppers'
reports, EPCIS capture.

Every write goes through here: pages, the API, the EPCIS interface, background jobs and the demo.
Each service checks through the permission gate that the person may do it, validates before
saving, writes in one transaction and records an audit event in the same transaction. Field
errors are ``ValidationError({field: [messages]})``.

One module per sub-domain, in the direction they depend on each other:

* :mod:`.identifiers`: the public base URL, the platform's links and codes;
* :mod:`.events`: storing EPCIS events (the ORM or COPY) and the times they may state;
* :mod:`.batches`: batches, their steps (as the platform's own EPCIS events) and label serials;
* :mod:`.links`: the links of a product's linkset;
* :mod:`.reports`: shoppers' reports;
* :mod:`.capture`: capturing partners' EPCIS documents, and cleaning up lost captures.

``from ocop.trace import services; services.batch_create(...)`` reaches every public step.
"""

from .batches import STEP_EVENTS, batch_create, batch_step_record, labels_issue, platform_event
from .capture import (
    CaptureRefused,
    capture_limits,
    capture_run,
    capture_submit,
    captures_clean,
    over_size,
)
from .events import EVENT_COLUMNS, copy_rows, copy_stream, event_row, event_time_bounds, events_store
from .identifiers import (
    class_key,
    class_link,
    class_uri,
    label_link,
    label_uri,
    namespace,
    platform_scheme,
    product_code,
    public_base,
)
from .links import link_add, link_remove
from .reports import report_submit

__all__ = [
    "EVENT_COLUMNS",
    "STEP_EVENTS",
    "CaptureRefused",
    "batch_create",
    "batch_step_record",
    "capture_limits",
    "capture_run",
    "capture_submit",
    "captures_clean",
    "class_key",
    "class_link",
    "class_uri",
    "copy_rows",
    "copy_stream",
    "event_row",
    "event_time_bounds",
    "events_store",
    "label_link",
    "label_uri",
    "labels_issue",
    "link_add",
    "link_remove",
    "namespace",
    "over_size",
    "platform_event",
    "platform_scheme",
    "product_code",
    "public_base",
    "report_submit",
]
