"""What the operator's commands name on their command line: an account, a current province or
commune (by its code, or by its name through the address resolver), turned into rows or a
CommandError that says what was not found."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from ocop.accounts.choices import GRANTED_ROLES
from ocop.geo.gazetteer import CURRENT
from ocop.geo.models import Commune, Province
from ocop.geo.services import LocationError, locate


def find_user(username: str):
    # isprintable: PostgreSQL refuses a NUL in a query's text, which would end in a traceback.
    user = get_user_model().objects.filter(username=username).first() if username.isprintable() else None
    if user is None:
        raise CommandError(f"no account {username!r}")
    return user


def find_province(text: str) -> Province:
    """A current province by code ("80") or name ("Tây Ninh", "tinh tay ninh")."""
    if text.strip().isdigit():
        return _by_code(Province, text, width=2)
    location = _locate(text)
    if location.commune is not None:
        raise CommandError(f"{text!r} names a commune ({location.commune.name}): give a province")
    return location.province


def find_commune(text: str) -> Commune:
    """A current commune by code ("25804") or name with its province ("Phường Ba Đình, Hà Nội")."""
    if text.strip().isdigit():
        return _by_code(Commune, text, width=5)
    location = _locate(text)
    if location.commune is None:
        raise CommandError(f"{text!r} names no commune: give the commune with its province, or its code")
    return location.commune


def _by_code(model, text: str, *, width: int):
    found = model.objects.current().filter(code=text.strip().zfill(width)).first()
    if found is None:
        raise CommandError(f"no current {model._meta.model_name} with code {text.strip()!r}")
    return found


def _locate(text: str):
    try:
        location = locate(text)
    except LocationError as exc:
        raise CommandError(str(exc)) from None
    if location.resolution.era != CURRENT:
        # An old unit is now (part of) a larger one: granting that one silently would widen a reach.
        raise CommandError(
            f"{text!r} is a unit from before 1 July 2025, now in {location.province.name}: give a current unit"
        )
    return location


ROLES = [r.value for r in GRANTED_ROLES]


def add_grant_arguments(parser):
    parser.add_argument("user", help="the account's username")
    parser.add_argument("role", choices=ROLES)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--province", help="a current province's code (80) or name (Tây Ninh)")
    where.add_argument("--commune", help="a current commune's code (25804) or name with its province")


def grant_of(options) -> dict:
    """The user, role and unit named on the command line, as grant_add's keyword arguments."""
    return {
        "user": find_user(options["user"]),
        "role": options["role"],
        "province": find_province(options["province"]) if options["province"] else None,
        "commune": find_commune(options["commune"]) if options["commune"] else None,
    }
