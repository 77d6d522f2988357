"""``ocop token``: API tokens for programs, as the profile page issues them.

ocop token create USER --name N [--expires DAYS]   # prints the key once; only its hash is kept
ocop token revoke ID|NAME [--user USER]            # a name must be unambiguous (with --user)
ocop token list [USER]

Issuing and revoking go through :mod:`ocop.accounts.services`, with their audit events.
"""

import argparse
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ocop.accounts import services
from ocop.accounts.management.lookup import find_user
from ocop.accounts.models import ApiToken

MAX_EXPIRY_DAYS = 3650


def _days(value: str) -> int:
    try:
        days = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of days") from None
    if not 1 <= days <= MAX_EXPIRY_DAYS:
        raise argparse.ArgumentTypeError(f"give 1 to {MAX_EXPIRY_DAYS} days")
    return days


class Command(BaseCommand):
    help = "Create, revoke and list API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="issue a token and print its key once")
        create.add_argument("user")
        create.add_argument("--name", required=True, help="what the token is for")
        create.add_argument(
            "--expires", type=_days, metavar="DAYS", help="valid this many days (default: no end)"
        )
        revoke = actions.add_parser("revoke", help="revoke a token by id or name")
        revoke.add_argument("token", metavar="ID|NAME")
        revoke.add_argument("--user", help="the owner, to tell tokens of the same name apart")
        listing = actions.add_parser("list", help="list tokens, of everyone or of one account")
        listing.add_argument("user", nargs="?")

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options):
        user = find_user(options["user"])
        if not user.is_active:
            raise CommandError(f"{user.username} is not active: a token would not work")
        name = options["name"].strip()
        if not name or len(name) > ApiToken._meta.get_field("name").max_length or not name.isprintable():
            raise CommandError("give the token a name of 1 to 80 printable characters")
        expires_at = timezone.now() + timedelta(days=options["expires"]) if options["expires"] else None
        token, raw = services.token_create(actor=None, user=user, name=name, expires_at=expires_at)
        until = f", valid until {timezone.localtime(expires_at):%Y-%m-%d %H:%M}" if expires_at else ""
        self.stderr.write(f"Token {token.pk} “{token.name}” for {user.username}{until}. Copy the key now:")
        self.stdout.write(raw)

    def _revoke(self, options):
        tokens = ApiToken.objects.select_related("user")
        if options["user"]:
            tokens = tokens.filter(user=find_user(options["user"]))
        text = options["token"]
        found = list(tokens.filter(pk=int(text))) if text.isdigit() else []
        if not found and text.isprintable():
            found = list(tokens.filter(name=text, revoked_at__isnull=True))
        if not found:
            raise CommandError(f"no token {text!r}" + (f" of {options['user']}" if options["user"] else ""))
        if len(found) > 1:
            listed = ", ".join(f"{t.pk} ({t.user.username})" for t in found)
            raise CommandError(f"{len(found)} active tokens are named {text!r}: {listed}; give the id")
        token = found[0]
        if services.token_revoke(actor=None, token=token):
            self.stdout.write(f"Token {token.pk} “{token.name}” of {token.user.username}: revoked")
        else:
            self.stdout.write(f"Token {token.pk} “{token.name}” of {token.user.username}: already revoked")

    def _list(self, options):
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if options["user"]:
            tokens = tokens.filter(user=find_user(options["user"]))
        now = timezone.now()
        for token in tokens:
            if token.revoked_at:
                state = f"revoked {timezone.localtime(token.revoked_at):%Y-%m-%d}"
            elif token.expires_at and token.expires_at <= now:
                state = f"expired {timezone.localtime(token.expires_at):%Y-%m-%d}"
            elif token.expires_at:
                state = f"active until {timezone.localtime(token.expires_at):%Y-%m-%d}"
            else:
                state = "active"
            used = (
                f"{timezone.localtime(token.last_used_at):%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            )
            self.stdout.write(
                f"{token.pk}\t{token.user.username}\t{token.name}\t{token.key_hint}…\t{state}\tlast used {used}"
            )
