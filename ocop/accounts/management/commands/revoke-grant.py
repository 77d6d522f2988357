"""``ocop revoke-grant USER ROLE [--province P | --commune C]``: take a role away (the same
arguments as ``ocop grant``)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ocop.accounts import services
from ocop.accounts.management.lookup import add_grant_arguments, grant_of
from ocop.accounts.models import Grant


class Command(BaseCommand):
    help = "Take a role away from an account (the same arguments as ocop grant)."

    def add_arguments(self, parser):
        add_grant_arguments(parser)

    def handle(self, *args, **options):
        wanted = grant_of(options)
        grant = Grant.objects.filter(**wanted).select_related("user", "province", "commune").first()
        if grant is None:
            held = ", ".join(str(g) for g in wanted["user"].grants.select_related("province", "commune"))
            raise CommandError(f"{wanted['user']} holds no such grant (holds: {held or 'none'})")
        label = str(grant)
        try:
            services.grant_remove(actor=None, grant=grant)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"{label}: revoked")
