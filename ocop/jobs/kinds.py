"""The kinds of background job: each app registers, in its ``ready()``, the handler that does a
kind's work and the label people see (``register("registry.import", "ocop.registry.jobs.run_import",
_("Import"))``). A handler receives the job and a progress callback and returns the result
(JSON-able); it may save an output file on the job."""

HANDLERS: dict[str, str] = {}  # kind -> dotted path of its handler
LABELS: dict[str, str] = {}  # kind -> what people call it


def register(kind: str, handler_path: str, label=None) -> None:
    HANDLERS[kind] = handler_path
    LABELS[kind] = label or kind
