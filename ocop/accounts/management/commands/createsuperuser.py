"""``ocop createsuperuser``: Django's command, and the new account gets the central grant.

What an account may do comes from its grants, not from Django's superuser flag (the admin and
every page ask the permission gate), so a first administrator without the central grant could
not even open the admin. This command gives it, with its audit event, and says so.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.management.commands import createsuperuser

from ocop.accounts import services
from ocop.accounts.choices import Role


class Command(createsuperuser.Command):
    help = createsuperuser.Command.help + " The account is given the central office's grant."

    def handle(self, *args, **options):
        users = get_user_model()._default_manager.db_manager(options["database"])
        before = set(users.filter(is_superuser=True).values_list("pk", flat=True))
        super().handle(*args, **options)
        for user in users.filter(is_superuser=True).exclude(pk__in=before):
            services.grant_add(actor=None, user=user, role=Role.CENTRAL)
            self.stdout.write(
                f"{user.username} holds the central office's grant (ocop revoke-grant {user.username} central "
                "takes it away)."
            )
