from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TraceConfig(AppConfig):
    name = "ocop.trace"
    label = "trace"
    verbose_name = _("Traceability")

    def ready(self):
        from ocop.accounts.choices import Action, Role
        from ocop.accounts.gate import extend_policy
        from ocop.jobs.services import register

        VIEW, ADD, CHANGE, DELETE = Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE
        officers = {
            "trace.batch": {VIEW},
            "trace.event": {VIEW},
            "trace.eventidentifier": {VIEW},
            "trace.scancount": {VIEW},
            "trace.scanflag": {VIEW},
            "trace.locatedscan": {VIEW},
            "trace.problemreport": {VIEW},
            "trace.productlink": {VIEW, ADD, CHANGE, DELETE},
        }
        extend_policy(
            {
                Role.PROVINCE_OFFICER: officers,
                Role.COMMUNE_OFFICER: officers,
                # Through owner paths: a producer's staff for its batches, events and links; anyone
                # for their own capture jobs.
                Role.PRODUCER: {
                    "trace.batch": {VIEW, ADD, CHANGE},
                    "trace.event": {VIEW, ADD},
                    "trace.scancount": {VIEW},
                    "trace.productlink": {VIEW, ADD, CHANGE, DELETE},
                    "trace.capturejob": {VIEW},
                },
                # Anyone who scans a label reads the batch's page and the product's links.
                Role.PUBLIC: {"trace.batch": {VIEW}, "trace.productlink": {VIEW}},
            }
        )
        register("trace.capture", "ocop.trace.tasks.capture", _("EPCIS capture"))
        register("trace.labels", "ocop.trace.tasks.labels", _("Label sheet"), rerun=True)

        from ocop.jobs import periodic

        from .scans import RECORDER

        # Scans counted in memory are written by the process's background thread.
        periodic.register_local(RECORDER.flush_due)
