"""Codes of the OCOP cycle. Codes are English and stable (API, audit, data files); labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdeaStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned to the producer")
    ACCEPTED = "accepted", _("Accepted")
    PLANNED = "planned", _("Business plan filed")


class ReviewOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class DossierKind(models.TextChoices):
    FIRST = "first", _("First rating")
    UPGRADE = "upgrade", _("Upgrade")
    RERATING = "rerating", _("Re-rating")


class DossierStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    SUBMITTED = "submitted", _("Submitted, awaiting the commune check")
    RETURNED = "returned", _("Returned for correction")
    FORWARDED = "forwarded", _("Awaiting a council")
    IN_SITTING = "in_sitting", _("In a council sitting")
    EVALUATED = "evaluated", _("Evaluated, awaiting the decision")
    RECOGNISED = "recognised", _("Recognised")
    NOT_RECOGNISED = "not_recognised", _("Not recognised")


# A product has at most one dossier in these statuses at a time.
OPEN_DOSSIER_STATUSES = (
    DossierStatus.DRAFT,
    DossierStatus.SUBMITTED,
    DossierStatus.RETURNED,
    DossierStatus.FORWARDED,
    DossierStatus.IN_SITTING,
    DossierStatus.EVALUATED,
)
# The producer edits the dossier only in these (read through ``Dossier.editable``).
EDITABLE_DOSSIER_STATUSES = (DossierStatus.DRAFT, DossierStatus.RETURNED)


class Level(models.TextChoices):
    """The level of government that evaluates (and names the registry's recognition level)."""

    DISTRICT = "district", _("District")
    PROVINCE = "province", _("Province")
    CENTRAL = "central", _("Central")


class DocumentKind(models.TextChoices):
    """The fixed documents of a dossier (which are required is the process's data)."""

    REGISTRATION_FORM = "registration_form", _("Registration form for evaluation")
    BUSINESS_REGISTRATION = "business_registration", _("Business registration certificate")
    FOOD_SAFETY = "food_safety", _("Food-safety eligibility certificate")
    QUALITY_DECLARATION = "quality_declaration", _("Quality self-declaration or product standard")
    TEST_REPORT = "test_report", _("Test report on quality and safety indicators")
    BUSINESS_PLAN = "business_plan", _("Business plan")
    PRODUCT_STORY = "product_story", _("Product story")
    OTHER = "other", _("Other document")


class LocalCriterion(models.TextChoices):
    """What the commune assesses itself since 6 July 2025 (QĐ 1489)."""

    LOCAL_ORIGIN = "local_origin", _("Local origin of the product and its raw material")
    LOCAL_LABOUR = "local_labour", _("Use of local labour")
    IDEA_ORIGIN = "idea_origin", _("Origin of the product idea")
    LOCAL_IDENTITY = "local_identity", _("Local identity and know-how")


class Finding(models.TextChoices):
    MEETS = "meets", _("Meets")
    PARTLY = "partly", _("Partly meets")
    DOES_NOT_MEET = "does_not_meet", _("Does not meet")


class CheckOutcome(models.TextChoices):
    RETURNED = "returned", _("Returned for correction")
    FORWARDED = "forwarded", _("Forwarded to the province")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SeatRole(models.TextChoices):
    CHAIR = "chair", _("Chair")
    MEMBER = "member", _("Member")
    SECRETARY = "secretary", _("Secretary")
    ADVISOR = "advisor", _("Advisory team")


# Seats whose holders score dossiers.
SCORING_ROLES = (SeatRole.CHAIR, SeatRole.MEMBER)


class Rounding(models.TextChoices):
    HALF_UP = "half_up", _("Half up")
    HALF_EVEN = "half_even", _("Half to even")


class MarkerBasis(models.TextChoices):
    MEAN = "mean", _("Members' mean points")
    EVERY_MEMBER = "every_member", _("Every member")
    MAJORITY = "majority", _("A majority of members")


class SittingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SheetStatus(models.TextChoices):
    DRAFT = "draft", _("Being scored")
    SUBMITTED = "submitted", _("Submitted")


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ISSUED = "issued", _("Issued")


class RevocationGround(models.TextChoices):
    """Grounds for revoking a certificate seen in provinces' practice (OCOP.md §5.6)."""

    NOT_REEVALUATED = "not_reevaluated", _("Not re-evaluated within the validity period")
    FAILS_CRITERIA = "fails_criteria", _("Fails the mandatory criteria on re-evaluation")
    QUALITY = "quality", _("Not produced to the certified quality, packaging or labelling")
    FOOD_SAFETY = "food_safety", _("Food-safety violation")
    INACTIVE = "inactive", _("Producer no longer active or product withdrawn")
    FRAUD = "fraud", _("False or forged dossier")
    OTHER = "other", _("Other ground")
