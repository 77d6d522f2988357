from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "ocop.market"
    label = "market"
    verbose_name = _("Catalogue and trade promotion")

    def ready(self):
        from django.db.backends.signals import connection_created

        from ocop.accounts.choices import Role
        from ocop.accounts.gate import ADD, CHANGE, DELETE, VIEW, extend_policy
        from ocop.jobs import periodic

        from . import search

        connection_created.connect(search.configure_connection, dispatch_uid="ocop.market.search")
        # The index follows the registry in the background; pages only read it.
        periodic.register(
            "market.catalogue_refresh",
            "ocop.market.services.catalogue_refresh_if_stale",
            every="OCOP_CATALOGUE_REFRESH_SECONDS",
        )

        # Supply figures and sales channels are changed by whoever may change the product or
        # the producer (the services ask the gate about those); stock by whoever may change the
        # point of sale; participants by whoever may change the fair. Enquiries reach only the
        # producer's own staff (and the central office): officers do not read trade talk.
        extend_policy(
            {
                Role.PROVINCE_OFFICER: {
                    "market.supplycapacity": {VIEW},
                    "market.saleschannel": {VIEW},
                    "market.pointofsale": {VIEW, ADD, CHANGE, DELETE},
                    "market.stock": {VIEW},
                    "market.fair": {VIEW, ADD, CHANGE, DELETE},
                    "market.fairparticipant": {VIEW, CHANGE},
                },
                Role.COMMUNE_OFFICER: {
                    "market.supplycapacity": {VIEW},
                    "market.saleschannel": {VIEW},
                    "market.pointofsale": {VIEW, ADD, CHANGE},
                    "market.stock": {VIEW},
                },
                Role.PRODUCER: {
                    "market.supplycapacity": {VIEW},
                    "market.saleschannel": {VIEW},
                    "market.enquiry": {VIEW, CHANGE},
                    "market.enquirymessage": {VIEW},
                    "market.fairparticipant": {VIEW, CHANGE},
                },
                Role.PUBLIC: {
                    "market.catalogueentry": {VIEW},
                    "market.supplycapacity": {VIEW},
                    "market.saleschannel": {VIEW},
                    "market.pointofsale": {VIEW},
                    "market.stock": {VIEW},
                    "market.fair": {VIEW},
                    "market.fairparticipant": {VIEW},
                },
            }
        )
