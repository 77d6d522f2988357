from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _load_reference(sender, using, **kwargs):
    # Reference data, like Django's own content types, is (re)loaded after migrate and
    # after a test flush; the version stamp makes it a no-op when nothing changed.
    from .services import geo_reference_sync

    geo_reference_sync()


class GeoConfig(AppConfig):
    name = "ocop.geo"
    label = "geo"
    verbose_name = _("Geography")

    def ready(self):
        from ocop.collation import register_sqlite

        post_migrate.connect(_load_reference, sender=self, dispatch_uid="ocop.geo.reference")
        # Names are ordered with the "vi" collation (ocop/collation.py); SQLite learns it here.
        connection_created.connect(register_sqlite, dispatch_uid="ocop.collation.sqlite")
