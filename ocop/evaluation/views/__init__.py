"""Pages of the OCOP cycle, each for its role, one module per step of the cycle (``urls.py`` reads
them from this package):

* :mod:`.ideas`: producers' ideas and business plans, the commune's answer
* :mod:`.dossiers`: dossiers, the self-assessment, evidence, submission, the commune's check
* :mod:`.councils`: the province's rounds, councils and sittings; members' scoring screen
* :mod:`.decisions`: decisions, certificates and the public certificate check
* :mod:`.after_recognition`: recognitions about to expire, revocation

Views parse input, fetch rows through the permission gate and call services; they hold no rules.
"""

from .after_recognition import (
    expiring,
    revoke,
)
from .councils import (
    assignment_add,
    assignment_detail,
    assignment_remove,
    assignment_rescore,
    council_create,
    council_detail,
    recusal_declare,
    round_close,
    round_create,
    round_detail,
    round_list,
    seat_add,
    seat_remove,
    sheet,
    sheet_answer,
    sheet_submit,
    sitting_close,
    sitting_create,
    sitting_detail,
    sitting_open,
)
from .decisions import (
    certificate_pdf,
    decision_create,
    decision_detail,
    decision_issue,
    verify,
)
from .dossiers import (
    dossier_assessment,
    dossier_check,
    dossier_create,
    dossier_detail,
    dossier_list,
    dossier_submit,
    evidence_add,
    evidence_file,
    evidence_remove,
)
from .ideas import (
    idea_create,
    idea_detail,
    idea_list,
    idea_plan,
    idea_plan_file,
    idea_resubmit,
    idea_review,
)

__all__ = [
    "assignment_add",
    "assignment_detail",
    "assignment_remove",
    "assignment_rescore",
    "certificate_pdf",
    "council_create",
    "council_detail",
    "decision_create",
    "decision_detail",
    "decision_issue",
    "dossier_assessment",
    "dossier_check",
    "dossier_create",
    "dossier_detail",
    "dossier_list",
    "dossier_submit",
    "evidence_add",
    "evidence_file",
    "evidence_remove",
    "expiring",
    "idea_create",
    "idea_detail",
    "idea_list",
    "idea_plan",
    "idea_plan_file",
    "idea_resubmit",
    "idea_review",
    "recusal_declare",
    "revoke",
    "round_close",
    "round_create",
    "round_detail",
    "round_list",
    "seat_add",
    "seat_remove",
    "sheet",
    "sheet_answer",
    "sheet_submit",
    "sitting_close",
    "sitting_create",
    "sitting_detail",
    "sitting_open",
    "verify",
]
