"""Codes used by traceability. Codes are English and stable; labels are translated."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StepKind(models.TextChoices):
    """What a producer records about a batch, in plain words. Each becomes an EPCIS event
    (see ``services.STEP_EVENTS``)."""

    HARVEST = "harvest", _("Harvest")
    PROCESSING = "processing", _("Processing")
    PACKING = "packing", _("Packing")
    SHIPPING = "shipping", _("Shipping to a shop")


class Unit(models.TextChoices):
    """Units of a batch's quantity, as UN/CEFACT codes (what EPCIS quantities carry)."""

    PIECE = "H87", _("pieces")
    KILOGRAM = "KGM", _("kilograms")
    LITRE = "LTR", _("litres")
    BOX = "XBX", _("boxes")
    BOTTLE = "XBO", _("bottles")
    PACKET = "XPA", _("packets")


class CaptureStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class ErrorBehaviour(models.TextChoices):
    """``GS1-Capture-Error-Behaviour``: store nothing if any event fails, or store the valid ones."""

    ROLLBACK = "rollback", _("Store nothing if any event is invalid")
    PROCEED = "proceed", _("Store the valid events")


class FlagKind(models.TextChoices):
    """Scan patterns that suggest a copied code or a lapsed mark still on sale."""

    DISTANT = "distant", _("Same code scanned in distant provinces")
    EXPIRED = "expired", _("Scanned while the recognition is expired")
    REVOKED = "revoked", _("Scanned while the recognition is revoked")
    NEVER_ISSUED = "never_issued", _("Code never issued")


class ReportKind(models.TextChoices):
    EXPIRED_MARK = "expired_mark", _("OCOP mark on a product whose recognition is not valid")
    LABEL = "label", _("Label or code does not match the product")
    QUALITY = "quality", _("Quality or safety problem")
    OTHER = "other", _("Something else")


class LinkType(models.TextChoices):
    """GS1 web vocabulary link types a product's Digital Link may point to (linkset, RFC 9264)."""

    PIP = "gs1:pip", _("Product information page")
    CERTIFICATION = "gs1:certificationInfo", _("Certification information")
    TRACEABILITY = "gs1:traceability", _("Traceability information")
    MASTER_DATA = "gs1:masterData", _("Master data")
    RETAILERS = "gs1:hasRetailers", _("Where to buy")
    RECIPE = "gs1:recipeInfo", _("Recipes")
    INSTRUCTIONS = "gs1:instructions", _("Instructions")
    SUSTAINABILITY = "gs1:sustainabilityInfo", _("Sustainability information")
    SOCIAL = "gs1:socialMedia", _("Social media")
