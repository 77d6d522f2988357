from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_reference(sender, **kwargs):
    # Like the geography: reference data reloaded after migrate and test flushes, versioned.
    from .services import taxonomy_reference_sync

    taxonomy_reference_sync()


class RegistryConfig(AppConfig):
    name = "ocop.registry"
    label = "registry"
    verbose_name = _("Registry")

    def ready(self):
        from ocop.jobs.services import register

        post_migrate.connect(_load_reference, sender=self, dispatch_uid="ocop.registry.reference")
        register(
            "registry.import", "ocop.registry.tasks.import_list", _("Import of a registry list"), rerun=True
        )
        register(
            "registry.export", "ocop.registry.tasks.export_list", _("Export of the registry"), rerun=True
        )
