from django.db import models
from django.utils.translation import gettext_lazy as _


class CriteriaSetStatus(models.TextChoices):
    """Whether a criteria set is shown to everyone (published) or only to the central office (draft)."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class WorkbookStatus(models.TextChoices):
    """Where a criteria set uploaded as a workbook stands: checked (waiting for its uploader),
    proposed to the central office by a province, published as a version of a criteria set."""

    CHECKED = "checked", _("Checked, not yet proposed")
    PROPOSED = "proposed", _("Proposed to the central office")
    PUBLISHED = "published", _("Published")
