"""The kinds of background job: each app registers, in its ``ready()``, the handler that does a
kind's work and the label people see (``register("registry.import", "ocop.registry.jobs.run_import",
_("Import"))``). A handler receives the job and a progress callback and returns the result
(JSON-able); it may save an output file on the job.

A kind registered with ``rerun=True`` is one whose handler writes in a single transaction, or
writes only its output file: a run whose process died wrote nothing, so the job is queued again
(:func:`ocop.jobs.runner.jobs_recover`) rather than failed."""

HANDLERS: dict[str, str] = {}  # kind -> dotted path of its handler
LABELS: dict[str, str] = {}  # kind -> what people call it
RERUN: set[str] = set()  # kinds that may run again after their process died


def register(kind: str, handler_path: str, label=None, *, rerun: bool = False) -> None:
    HANDLERS[kind] = handler_path
    LABELS[kind] = label or kind
    if rerun:
        RERUN.add(kind)
    else:
        RERUN.discard(kind)
