"""Codes used by the registry. Codes are English and stable (exports, JSON); labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProducerType(models.TextChoices):
    COOPERATIVE = "cooperative", _("Cooperative")
    COOPERATIVE_GROUP = "cooperative_group", _("Cooperative group")
    ENTERPRISE = "enterprise", _("Enterprise")
    HOUSEHOLD = "household", _("Household business")


class LegalForm(models.TextChoices):
    """The legal form, which the criteria score (1048 criterion 3.1, 148 criterion A.3.a)."""

    PRIVATE_ENTERPRISE = "private_enterprise", _("Private enterprise (DNTN)")
    LLC_ONE_MEMBER = "llc_one_member", _("Single-member limited liability company")
    LLC_MULTI_MEMBER = "llc_multi_member", _("Multi-member limited liability company")
    JOINT_STOCK = "joint_stock", _("Joint-stock company")
    PARTNERSHIP = "partnership", _("Partnership")
    COOPERATIVE = "cooperative", _("Cooperative (Law on Cooperatives)")
    COOPERATIVE_UNION = "cooperative_union", _("Union of cooperatives")
    COOPERATIVE_GROUP = "cooperative_group", _("Cooperative group (cooperation contract)")
    HOUSEHOLD_BUSINESS = "household_business", _("Registered household business")
    FARM = "farm", _("Farm")


# Which legal forms fit which producer type.
LEGAL_FORMS_BY_TYPE = {
    ProducerType.ENTERPRISE: {
        LegalForm.PRIVATE_ENTERPRISE,
        LegalForm.LLC_ONE_MEMBER,
        LegalForm.LLC_MULTI_MEMBER,
        LegalForm.JOINT_STOCK,
        LegalForm.PARTNERSHIP,
    },
    ProducerType.COOPERATIVE: {LegalForm.COOPERATIVE, LegalForm.COOPERATIVE_UNION},
    ProducerType.COOPERATIVE_GROUP: {LegalForm.COOPERATIVE_GROUP},
    ProducerType.HOUSEHOLD: {LegalForm.HOUSEHOLD_BUSINESS, LegalForm.FARM},
}


class ProductGroup(models.TextChoices):
    """The six canonical groups of Decision 148 (Phụ lục I); older groups map onto them."""

    FOOD = "food", _("Food")
    DRINKS = "drinks", _("Drinks")
    HERBAL = "herbal", _("Herbs and herbal products")
    HANDICRAFT = "handicraft", _("Handicrafts")
    ORNAMENTAL = "ornamental", _("Ornamental plants and animals")
    TOURISM = "tourism", _("Community tourism and tourist spots")


class RecognitionLevel(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    DISTRICT = "district", _("District")
    PROVINCE = "province", _("Province")
    CENTRAL = "central", _("Central")


class RecognitionStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Superseded")
    PENDING = "pending", _("Not yet in force")


class CertificationKind(models.TextChoices):
    FOOD_SAFETY = "food_safety", _("Food-safety eligibility certificate")
    VIETGAP = "vietgap", _("VietGAP")
    GLOBALGAP = "globalgap", _("GlobalG.A.P.")
    ORGANIC = "organic", _("Organic")
    ISO_22000 = "iso_22000", _("ISO 22000")
    HACCP = "haccp", _("HACCP")
    ISO_9001 = "iso_9001", _("ISO 9001")
    FSSC_22000 = "fssc_22000", _("FSSC 22000")
    HALAL = "halal", _("Halal")
    OTHER = "other", _("Other")


class IPKind(models.TextChoices):
    TRADEMARK = "trademark", _("Trademark")
    COLLECTIVE_MARK = "collective_mark", _("Collective mark")
    CERTIFICATION_MARK = "certification_mark", _("Certification mark")
    GEOGRAPHICAL_INDICATION = "geographical_indication", _("Geographical indication")
    INDUSTRIAL_DESIGN = "industrial_design", _("Industrial design")


class Confidence(models.TextChoices):
    """How sure we are of a reference fact (shared/domain/OCOP.md)."""

    CONFIRMED = "C", _("Confirmed")
    SECONDARY = "S", _("Secondary source only")
    UNCONFIRMED = "U", _("Unconfirmed")
