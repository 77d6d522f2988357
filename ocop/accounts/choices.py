from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Who a person is to the programme. Granted roles carry a jurisdiction; the others follow
    from records (a producer's staff, a council's members) or from not being signed in."""

    CENTRAL = "central", _("Central coordination office")
    PROVINCE_OFFICER = "province_officer", _("Province officer")
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    COUNCIL_MEMBER = "council_member", _("Council member")
    PRODUCER = "producer", _("Producer")
    PUBLIC = "public", _("Public")


GRANTED_ROLES = (Role.CENTRAL, Role.PROVINCE_OFFICER, Role.COMMUNE_OFFICER)


class Action(models.TextChoices):
    VIEW = "view", _("view")
    ADD = "add", _("add")
    CHANGE = "change", _("change")
    DELETE = "delete", _("delete")
    # Place a new record in a unit (geo): create producers located there.
    PLACE = "place", _("place records in")
