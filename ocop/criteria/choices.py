from django.db import models
from django.utils.translation import gettext_lazy as _


class CriteriaSetStatus(models.TextChoices):
    """Whether a criteria set is shown to everyone (published) or only to the central office (draft)."""

    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
