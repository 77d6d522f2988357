from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """The operator's work on the whole installation: backups and restores."""

    name = "ocop.operations"
    label = "operations"
    verbose_name = _("Operations")
