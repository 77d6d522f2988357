from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_targets(sender, **kwargs):
    # Like the criteria sets: reloaded after migrate and test flushes, a no-op while the file
    # is unchanged.
    from .services import data_triggers_ensure, data_version_ensure, targets_sync

    data_triggers_ensure(kwargs.get("using", "default"))
    data_version_ensure()
    targets_sync()


class MonitoringConfig(AppConfig):
    name = "ocop.monitoring"
    label = "monitoring"
    verbose_name = _("Programme monitoring")

    def ready(self):
        from ocop.accounts.choices import Action, Role
        from ocop.accounts.gate import extend_policy
        from ocop.jobs.services import register

        # Targets are public (their scope says so); province officers set their province's.
        extend_policy(
            {
                Role.PROVINCE_OFFICER: {
                    "monitoring.target": {Action.VIEW, Action.ADD, Action.CHANGE, Action.DELETE}
                },
                Role.PUBLIC: {"monitoring.target": {Action.VIEW}},
            }
        )
        register(
            "monitoring.report", "ocop.monitoring.tasks.quarterly_report", _("Quarterly report"), rerun=True
        )
        from ocop.jobs import periodic

        periodic.register(
            "monitoring.data_version_compact", "ocop.monitoring.services.data_version_compact", every=60
        )
        post_migrate.connect(_load_targets, sender=self, dispatch_uid="ocop.monitoring.targets")
