"""``ocop grant USER ROLE [--province P | --commune C]``: give an account a role.

ocop grant nguyen central                          # the central coordination office
ocop grant tran province_officer --province 80     # or --province "Tây Ninh"
ocop grant le commune_officer --commune 25804      # or --commune "Phường Ba Đình, Hà Nội"

The grant is written by :func:`ocop.accounts.services.grant_add`, with its audit event, as the
pages do. ``ocop revoke-grant`` takes the same arguments and removes it.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from ocop.accounts import services
from ocop.accounts.management.lookup import add_grant_arguments, grant_of
from ocop.accounts.models import Grant


class Command(BaseCommand):
    help = "Give an account a role: central, or a province or commune officer of a current unit."

    def add_arguments(self, parser):
        add_grant_arguments(parser)

    def handle(self, *args, **options):
        wanted = grant_of(options)
        held = Grant.objects.filter(**wanted).first()
        if held is not None:
            self.stdout.write(f"{held}: already held")
            return
        try:
            grant = services.grant_add(actor=None, **wanted)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"{grant}: granted")
