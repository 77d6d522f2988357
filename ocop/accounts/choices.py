from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    """Who a person is to the programme. Granted roles carry a jurisdiction; the others follow
    from records (a producer's staff, a council's members) or from not being signed in."""

    CENTRAL = "central", _("Central coordination office")
    PROVINCE_OFFICER = "province_officer", _("Province officer")
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    COUNCIL_MEMBER = "council_member", _("Council member")
    PRODUCER = "producer", _("Producer")
    PUBLIC = "public", _("Public")


GRANTED_ROLES = (Role.CENTRAL, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER)


class Action(models.TextChoices):
    VIEW = "view", _("view")
    ADD = "add", _("add")
    CHANGE = "change", _("change")
    DELETE = "delete", _("delete")
    # Place a new record in a unit (geo): create producers located there.
    PLACE = "place", _("place records in")


class AuditAction(models.TextChoices):
    """What an audit event records: one code per kind of step, written by the service that took it
    (``audit_record`` refuses any other). Codes are ``<object>.<step>``, English and stable (they
    are stored and filtered on); labels are what people read in the audit log. Grouped by the app
    whose services write them; ``accounts/tests/test_audit_actions.py`` checks every code the
    services pass is here."""

    # Accounts: people, grants and API tokens.
    ACCOUNT_CREATE = "account.create", pgettext_lazy("audit action", "Officer account opened")
    ACCOUNT_GRANT_ADD = "account.grant_add", pgettext_lazy("audit action", "Role granted")
    ACCOUNT_GRANT_REMOVE = "account.grant_remove", pgettext_lazy("audit action", "Role taken back")
    ACCOUNT_DEACTIVATE = "account.deactivate", pgettext_lazy("audit action", "Account deactivated")
    ACCOUNT_REACTIVATE = "account.reactivate", pgettext_lazy("audit action", "Account reactivated")
    ACCOUNT_EMAIL_CHANGE = "account.email_change", pgettext_lazy("audit action", "E-mail address changed")
    ACCOUNT_PASSWORD_CHANGE = "account.password_change", pgettext_lazy("audit action", "Password changed")
    ACCOUNT_PASSWORD_RESET = (
        "account.password_reset",
        pgettext_lazy("audit action", "Password set from an e-mailed link"),
    )
    ACCOUNT_PASSWORD_MAIL = (
        "account.password_mail",
        pgettext_lazy("audit action", "Set-password link e-mailed"),
    )
    TOKEN_CREATE = "token.create", pgettext_lazy("audit action", "API token issued")
    TOKEN_REVOKE = "token.revoke", pgettext_lazy("audit action", "API token revoked")

    # Registry: producers, products and their recognitions.
    REGISTRY_IMPORT = "registry.import", pgettext_lazy("audit action", "Registry file imported")
    PRODUCER_CREATE = "producer.create", pgettext_lazy("audit action", "Producer created")
    PRODUCER_UPDATE = "producer.update", pgettext_lazy("audit action", "Producer updated")
    PRODUCER_MEMBER_ADD = "producer.member_add", pgettext_lazy("audit action", "Producer staff member added")
    PRODUCT_CREATE = "product.create", pgettext_lazy("audit action", "Product created")
    PRODUCT_UPDATE = "product.update", pgettext_lazy("audit action", "Product updated")
    PRODUCT_PHOTO_ADD = "product.photo_add", pgettext_lazy("audit action", "Product photo added")
    PRODUCT_PHOTO_NORMALISE = (
        "product.photo_normalise",
        pgettext_lazy("audit action", "Product photo normalised"),
    )
    PRODUCT_PHOTO_REMOVE = "product.photo_remove", pgettext_lazy("audit action", "Product photo removed")
    PRODUCT_CERTIFICATION_ADD = (
        "product.certification_add",
        pgettext_lazy("audit action", "Certification added"),
    )
    PRODUCT_CERTIFICATION_REMOVE = (
        "product.certification_remove",
        pgettext_lazy("audit action", "Certification removed"),
    )
    PRODUCT_IP_RIGHT_ADD = (
        "product.ip_right_add",
        pgettext_lazy("audit action", "Intellectual property right added"),
    )
    PRODUCT_IP_RIGHT_REMOVE = (
        "product.ip_right_remove",
        pgettext_lazy("audit action", "Intellectual property right removed"),
    )
    RECOGNITION_RECORD = "recognition.record", pgettext_lazy("audit action", "Recognition recorded")
    RECOGNITION_REVOKE = "recognition.revoke", pgettext_lazy("audit action", "Recognition revoked")

    # Criteria: loading a criteria set file (the loader's outcomes).
    CRITERIA_SET_CREATED = "criteria_set.created", pgettext_lazy("audit action", "Criteria set loaded")
    CRITERIA_SET_UPDATED = "criteria_set.updated", pgettext_lazy("audit action", "Criteria set updated")
    CRITERIA_SET_SUPERSEDED = (
        "criteria_set.superseded",
        pgettext_lazy("audit action", "Criteria set superseded by a new version"),
    )
    # Criteria sets authored in Excel: uploaded and checked, proposed by a province, published.
    CRITERIA_WORKBOOK_UPLOAD = (
        "criteria_workbook.upload",
        pgettext_lazy("audit action", "Criteria set workbook uploaded"),
    )
    CRITERIA_WORKBOOK_PROPOSE = (
        "criteria_workbook.propose",
        pgettext_lazy("audit action", "Criteria set workbook proposed to the central office"),
    )
    CRITERIA_WORKBOOK_PUBLISH = (
        "criteria_workbook.publish",
        pgettext_lazy("audit action", "Criteria set workbook published as a new version"),
    )

    # Evaluation: ideas, dossiers, councils and sittings, decisions, after recognition.
    IDEA_SUBMIT = "idea.submit", pgettext_lazy("audit action", "Idea submitted")
    IDEA_RESUBMIT = "idea.resubmit", pgettext_lazy("audit action", "Idea resubmitted")
    IDEA_ACCEPTED = "idea.accepted", pgettext_lazy("audit action", "Idea accepted")
    IDEA_RETURNED = "idea.returned", pgettext_lazy("audit action", "Idea returned")
    IDEA_PLAN_FILE = "idea.plan_file", pgettext_lazy("audit action", "Business plan filed")
    DOSSIER_CREATE = "dossier.create", pgettext_lazy("audit action", "Dossier created")
    DOSSIER_SELF_ASSESS = "dossier.self_assess", pgettext_lazy("audit action", "Self-assessment saved")
    DOSSIER_EVIDENCE_ADD = "dossier.evidence_add", pgettext_lazy("audit action", "Evidence added")
    DOSSIER_EVIDENCE_REMOVE = "dossier.evidence_remove", pgettext_lazy("audit action", "Evidence removed")
    DOSSIER_SUBMIT = "dossier.submit", pgettext_lazy("audit action", "Dossier submitted")
    DOSSIER_CRITERIA_GAP = (
        "dossier.criteria_gap",
        pgettext_lazy("audit action", "Province told of a product set without criteria"),
    )
    DOSSIER_CRITERIA_SET = (
        "dossier.criteria_set",
        pgettext_lazy("audit action", "Draft dossier given the criteria set now in force"),
    )
    DOSSIER_CHECK_RETURNED = (
        "dossier.check_returned",
        pgettext_lazy("audit action", "Dossier returned for correction"),
    )
    DOSSIER_CHECK_FORWARDED = (
        "dossier.check_forwarded",
        pgettext_lazy("audit action", "Dossier forwarded to the province"),
    )
    DOSSIER_ASSIGN = "dossier.assign", pgettext_lazy("audit action", "Dossier put on a sitting's agenda")
    DOSSIER_UNASSIGN = (
        "dossier.unassign",
        pgettext_lazy("audit action", "Dossier taken off a sitting's agenda"),
    )
    DOSSIER_EVALUATED = "dossier.evaluated", pgettext_lazy("audit action", "Dossier evaluated")
    DOSSIER_NOT_FINAL = (
        "dossier.not_final",
        pgettext_lazy("audit action", "Dossier left without a final result"),
    )
    DOSSIER_DECIDED = "dossier.decided", pgettext_lazy("audit action", "Dossier decided")
    ROUND_CREATE = "round.create", pgettext_lazy("audit action", "Evaluation round created")
    ROUND_CLOSE = "round.close", pgettext_lazy("audit action", "Evaluation round closed")
    COUNCIL_CREATE = "council.create", pgettext_lazy("audit action", "Council created")
    COUNCIL_SEAT_ADD = "council.seat_add", pgettext_lazy("audit action", "Council member added")
    COUNCIL_SEAT_REMOVE = "council.seat_remove", pgettext_lazy("audit action", "Council member removed")
    SITTING_CREATE = "sitting.create", pgettext_lazy("audit action", "Sitting created")
    SITTING_ASSIGN = "sitting.assign", pgettext_lazy("audit action", "Dossier added to the agenda")
    SITTING_OPEN = "sitting.open", pgettext_lazy("audit action", "Sitting opened")
    SITTING_CLOSE = "sitting.close", pgettext_lazy("audit action", "Sitting closed")
    SITTING_RESCORE = "sitting.rescore", pgettext_lazy("audit action", "Dossier scored again")
    SITTING_RECUSAL = "sitting.recusal", pgettext_lazy("audit action", "Conflict of interest declared")
    SHEET_SUBMIT = "sheet.submit", pgettext_lazy("audit action", "Scoring sheet submitted")
    DECISION_CREATE = "decision.create", pgettext_lazy("audit action", "Recognition decision drafted")
    DECISION_ISSUE = "decision.issue", pgettext_lazy("audit action", "Recognition decision issued")
    RECOGNITION_REVOCATION = (
        "recognition.revocation",
        pgettext_lazy("audit action", "Revocation decision recorded"),
    )
    RECOGNITION_EXPIRY_NOTICE = (
        "recognition.expiry_notice",
        pgettext_lazy("audit action", "Expiry notice sent"),
    )

    # Trace: batches, labels, captured events, links and shoppers' reports.
    BATCH_CREATE = "batch.create", pgettext_lazy("audit action", "Batch created")
    BATCH_STEP = "batch.step", pgettext_lazy("audit action", "Batch step recorded")
    BATCH_LABELS = "batch.labels", pgettext_lazy("audit action", "Batch labels issued")
    EPCIS_CAPTURE = "epcis.capture", pgettext_lazy("audit action", "EPCIS events captured")
    PRODUCT_LINK_ADD = "product.link_add", pgettext_lazy("audit action", "Product link added")
    PRODUCT_LINK_REMOVE = "product.link_remove", pgettext_lazy("audit action", "Product link removed")
    TRACE_REPORT = "trace.report", pgettext_lazy("audit action", "Shopper's report received")

    # Market: supply, points of sale, channels, enquiries and fairs.
    PRODUCT_SUPPLY_UPDATE = "product.supply_update", pgettext_lazy("audit action", "Product supply updated")
    POINT_CREATE = "point.create", pgettext_lazy("audit action", "Point of sale created")
    POINT_UPDATE = "point.update", pgettext_lazy("audit action", "Point of sale updated")
    POINT_STOCK_ADD = "point.stock_add", pgettext_lazy("audit action", "Product stocked at a point of sale")
    POINT_STOCK_REMOVE = (
        "point.stock_remove",
        pgettext_lazy("audit action", "Product no longer stocked at a point of sale"),
    )
    PRODUCER_CHANNEL_ADD = "producer.channel_add", pgettext_lazy("audit action", "Sales channel added")
    PRODUCER_CHANNEL_END = "producer.channel_end", pgettext_lazy("audit action", "Sales channel ended")
    ENQUIRY_CREATE = "enquiry.create", pgettext_lazy("audit action", "Enquiry received")
    ENQUIRY_BUYER_REPLY = "enquiry.buyer_reply", pgettext_lazy("audit action", "Buyer replied to an enquiry")
    ENQUIRY_ANSWER = "enquiry.answer", pgettext_lazy("audit action", "Enquiry answered")
    ENQUIRY_CLOSE = "enquiry.close", pgettext_lazy("audit action", "Enquiry closed")
    ENQUIRY_FORGET_BUYERS = (
        "enquiry.forget_buyers",
        pgettext_lazy("audit action", "Buyers' contact details erased"),
    )
    FAIR_CREATE = "fair.create", pgettext_lazy("audit action", "Fair created")
    FAIR_UPDATE = "fair.update", pgettext_lazy("audit action", "Fair updated")
    FAIR_PARTICIPANT_ADD = "fair.participant_add", pgettext_lazy("audit action", "Fair participant added")
    FAIR_PARTICIPANT_REMOVE = (
        "fair.participant_remove",
        pgettext_lazy("audit action", "Fair participant removed"),
    )
    FAIR_SALES_REPORT = "fair.sales_report", pgettext_lazy("audit action", "Fair sales reported")

    # Monitoring: targets and craft villages.
    TARGET_CREATE = "target.create", pgettext_lazy("audit action", "Target set")
    TARGET_UPDATE = "target.update", pgettext_lazy("audit action", "Target changed")
    TARGET_DELETE = "target.delete", pgettext_lazy("audit action", "Target deleted")
    CRAFT_VILLAGE_CREATE = "craft_village.create", pgettext_lazy("audit action", "Craft village recorded")
    CRAFT_VILLAGE_UPDATE = "craft_village.update", pgettext_lazy("audit action", "Craft village updated")

    # Operations: the operator's commands on the whole installation.
    BACKUP_RESTORE = "backup.restore", pgettext_lazy("audit action", "Backup restored")


def audit_actions():
    """The field's choices, read when used: a new code needs no migration (the column is text)."""
    return AuditAction.choices
