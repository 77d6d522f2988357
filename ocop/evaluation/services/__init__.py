"""Workflow steps of the OCOP cycle. Pages, the API, commands, tasks and the demo write through here.

Each service takes the acting user, checks through the permission gate that they may do it,
validates before saving, writes in one transaction and records an audit event in the same
transaction. Field errors are raised as ``ValidationError({field: [messages]})``; acting on a
record out of reach raises ``PermissionDenied`` (pages fetch records through the gate first, so
people see "not found" for records they cannot reach).

One module per step of the cycle, in its order (callers import from this package):

* :mod:`.ideas`: :func:`idea_submit`, :func:`idea_resubmit`, :func:`idea_review`,
  :func:`idea_plan_file`
* :mod:`.dossiers`: :func:`dossier_create`, :func:`dossier_self_assess`, :func:`evidence_add`,
  :func:`evidence_remove`, :func:`dossier_submit`, :func:`dossier_check` (the commune)
* :mod:`.councils`, rounds, councils and sittings: :func:`round_create`, :func:`round_close`,
  :func:`council_create`, :func:`seat_add`, :func:`seat_remove`, :func:`sitting_create`,
  :func:`assignment_add`, :func:`assignment_remove`, :func:`sitting_open`, :func:`sitting_close`,
  :func:`assignment_rescore`; members: :func:`sheet_save`, :func:`sheet_submit`,
  :func:`recusal_declare`
* :mod:`.decisions`: :func:`decision_create`, :func:`decision_issue`, :func:`verification_url`
* :mod:`.after_recognition`: :func:`revocation_record`, :func:`expiry_notices_send`

What they share (the province of a dossier, an upload checked and worded, answers in their
stored form) is in :mod:`._common`.
"""

from .after_recognition import (
    CLAIM_TIMEOUT,
    expiry_notices_plan,
    expiry_notices_send,
    revocation_record,
)
from .councils import (
    COUNCIL_RULE_FIELDS,
    assignment_add,
    assignment_remove,
    assignment_rescore,
    council_create,
    recusal_declare,
    round_close,
    round_create,
    seat_add,
    seat_remove,
    sheet_save,
    sheet_submit,
    sitting_close,
    sitting_create,
    sitting_open,
)
from .decisions import (
    decidable,
    decision_create,
    decision_issue,
    verification_url,
)
from .dossiers import (
    criteria_gap_report,
    dossier_check,
    dossier_create,
    dossier_self_assess,
    dossier_submit,
    evidence_add,
    evidence_remove,
)
from .ideas import (
    idea_plan_file,
    idea_resubmit,
    idea_review,
    idea_submit,
)

__all__ = [
    "CLAIM_TIMEOUT",
    "COUNCIL_RULE_FIELDS",
    "assignment_add",
    "assignment_remove",
    "assignment_rescore",
    "council_create",
    "criteria_gap_report",
    "decidable",
    "decision_create",
    "decision_issue",
    "dossier_check",
    "dossier_create",
    "dossier_self_assess",
    "dossier_submit",
    "evidence_add",
    "evidence_remove",
    "expiry_notices_plan",
    "expiry_notices_send",
    "idea_plan_file",
    "idea_resubmit",
    "idea_review",
    "idea_submit",
    "recusal_declare",
    "revocation_record",
    "round_close",
    "round_create",
    "seat_add",
    "seat_remove",
    "sheet_save",
    "sheet_submit",
    "sitting_close",
    "sitting_create",
    "sitting_open",
    "verification_url",
]
