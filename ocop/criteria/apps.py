from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_sets(sender, **kwargs):
    # Like the taxonomy (whose product sets the criteria sets belong to, loaded just before):
    # reloaded after migrate and test flushes, a no-op while the files are unchanged.
    from .services import criteria_sets_sync

    criteria_sets_sync()


class CriteriaConfig(AppConfig):
    name = "ocop.criteria"
    label = "criteria"
    verbose_name = _("Criteria sets and scoring")

    def ready(self):
        from ocop.accounts.choices import Action, Role
        from ocop.accounts.gate import extend_policy

        post_migrate.connect(_load_sets, sender=self, dispatch_uid="ocop.criteria.sets")
        # Province officers upload a criteria set workbook, preview it and propose it; only the
        # central office publishes (it alone may add criteria sets).
        extend_policy(
            {Role.PROVINCE_OFFICER: {"criteria.criteriaworkbook": {Action.VIEW, Action.ADD, Action.CHANGE}}}
        )
