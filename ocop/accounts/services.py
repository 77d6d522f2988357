"""Writing the audit trail (services call :func:`audit_record` inside their own transaction), and
the account services: where a person lands, their e-mail address and password mail, officers'
accounts, roles (from the pages and the operator's commands) and API tokens."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from ocop.geo.gazetteer import CURRENT

from . import gate
from .choices import GRANTED_ROLES, AuditAction, Role
from .models import ApiToken, AuditEvent, Grant, User


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """A JSON-able copy of an object's concrete fields (foreign keys as ids)."""
    data = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"id", "created_at", "updated_at", "name_key", "version"}:
            continue
        value = getattr(obj, field.attname)
        data[field.name] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)
    return data


def diff(before: dict, after: dict) -> dict:
    """{field: [old, new]} for the fields that changed."""
    return {key: [before.get(key), after.get(key)] for key in after if before.get(key) != after.get(key)}


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    province_id: int | None = None,
    **data,
) -> AuditEvent:
    """Record what someone did. ``action`` is an :class:`AuditAction` code (an unknown one is a
    programming error, refused before anything is written). ``obj`` is the row acted on; work on
    no single row (an import of a file) names its ``object_type`` and ``object_id`` instead."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}: add it to AuditAction")
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else object_id[:40],
        province_id=province_id,
        data=data,
    )


# ---- Accounts: landing, e-mail, passwords, officer accounts (issue 12) -----------------------


def landing_url(user) -> str:
    """Where a person lands after signing in: their work, not the public home. Officers their
    dashboard, council members their sittings, producers' staff their products; anyone else
    their own page, which says they have no role yet."""
    if gate.actor_of(user).is_officer:
        return reverse("monitoring:dashboard")
    # Through the user's reverse relations, so that accounts imports no app to its right.
    if user.ocop_seats.exists():
        return reverse("evaluation:round_list")
    if user.producer_memberships.exists():
        return reverse("registry:product_list")
    return reverse("accounts:profile")


def email_taken(email: str, *, exclude_pk=None) -> bool:
    """Whether another active account already uses this address (compared without case): a
    reset link must go to one person."""
    others = User.objects.filter(is_active=True, email__iexact=email.strip())
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return bool(email.strip()) and others.exists()


def email_change(*, user, email: str) -> None:
    """Set a person's own e-mail address (the form has checked it and their password)."""
    with transaction.atomic():
        had = bool(user.email)
        user.email = email.strip()
        user.save(update_fields=["email"])
        # Ids, not copies of personal data: the address itself stays on the account only.
        audit_record(
            actor=user, action="account.email_change", obj=user, had_address=had, has_address=bool(email)
        )


def password_mail(*, user, base_url: str, welcome: bool = False) -> None:
    """Send ``user`` a link to choose a password, through the configured EMAIL_BACKEND, in the
    platform's first language. Django's token generator makes and later checks the link; it
    stops working once the password changes or PASSWORD_RESET_TIMEOUT passes. ``base_url`` is
    the site's public address (OCOP_PUBLIC_URL), not the one a request's Host header claims."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("accounts:password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    context = {
        "user": user,
        "link": base_url.rstrip("/") + path,
        "welcome": welcome,
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "base_url": base_url,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("accounts/email/password_subject.txt", context).split())
        body = render_to_string("accounts/email/password_body.txt", context)
    EmailMessage(subject, body, to=[user.email]).send()
    audit_record(actor=None, action="account.password_mail", obj=user, welcome=welcome)


def _grant_audit(grant: Grant) -> dict:
    """What the audit event of an account's role given or taken back records: the account, filed
    under the province the role concerns."""
    province_id = grant.province_id or (grant.commune.province_id if grant.commune_id else None)
    return {"obj": grant.user, "province_id": province_id, "grant": grant.pk, "role": grant.role}


def officer_create(
    *, actor, username, first_name, last_name, email, phone, role, province=None, commune=None, base_url
):
    """Open an officer's account with one role. It has no usable password: the person chooses
    one from the link mailed to them (nobody chooses a password for someone else)."""
    if not gate.may_grant(actor, role=role, province=province, commune=commune):
        raise PermissionDenied
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    if email_taken(email):
        raise ValidationError({"email": _("Another active account uses this address.")})
    user = User(username=username, first_name=first_name, last_name=last_name, email=email, phone=phone)
    user.set_unusable_password()
    with transaction.atomic():
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # taken by a request that got there first
            raise ValidationError({"username": _("This username is taken.")}) from None
        grant = user.grants.create(role=role, province=province, commune=commune, granted_by=actor)
        audit_record(actor=actor, action="account.create", **_grant_audit(grant))
        transaction.on_commit(lambda: password_mail(user=user, base_url=base_url, welcome=True))
    return user


def grant_problem(*, role: str, province=None, commune=None) -> str | None:
    """What is wrong with a role and its jurisdiction, or None: the central office covers the
    whole country, a province officer a current province, a commune officer a current commune."""
    if role not in {r.value for r in GRANTED_ROLES}:
        return _("Unknown role %(role)s.") % {"role": role}
    if province is not None and commune is not None:
        return _("Give a province or a commune, not both.")
    needs = {Role.CENTRAL: None, Role.PROVINCE_OFFICER: "province", Role.COMMUNE_OFFICER: "commune"}[role]
    given = "province" if province is not None else "commune" if commune is not None else None
    if given != needs:
        if needs is None:
            return _("The central office covers the whole country: give no province or commune.")
        return _("This role needs a province.") if needs == "province" else _("This role needs a commune.")
    unit = province or commune
    if unit is not None and unit.era_id != CURRENT:
        return _("%(unit)s (%(code)s) is a unit from before 1 July 2025: give a current one.") % {
            "unit": unit.name,
            "code": unit.code,
        }
    return None


def grant_add(*, actor, user, role, province=None, commune=None):
    """Give an account one more role. ``actor`` is the person on the pages, whom the gate must let
    grant it; None is the operator at the machine (``ocop grant``, ``createsuperuser``)."""
    problem = grant_problem(role=role, province=province, commune=commune)
    if problem:
        raise ValidationError(problem)
    if actor is not None and not gate.may_grant(actor, role=role, province=province, commune=commune):
        raise PermissionDenied
    with transaction.atomic():
        # The unique constraint cannot see a repeat (its empty jurisdiction is NULL, and NULLs
        # differ): the account's row is locked and the roles it holds are read under the lock.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if user.grants.filter(role=role, province=province, commune=commune).exists():
            raise ValidationError(_("The account already holds this role."))
        grant = user.grants.create(role=role, province=province, commune=commune, granted_by=actor)
        audit_record(actor=actor, action="account.grant_add", **_grant_audit(grant))
    gate.forget(user)
    return grant


def grant_remove(*, actor, grant) -> None:
    """Take a role back (``actor`` as for :func:`grant_add`). The last role stays: an account
    without one would leave the province's reach, so it is deactivated instead."""
    if actor is not None and not gate.may_grant(
        actor, role=grant.role, province=grant.province, commune=grant.commune
    ):
        raise PermissionDenied
    with transaction.atomic():
        # Locks the account's grants, so that two removals cannot both leave it with none.
        held = list(
            Grant.objects.select_for_update().filter(user_id=grant.user_id).values_list("pk", flat=True)
        )
        if grant.pk not in held:
            return
        if len(held) == 1:
            raise ValidationError(_("This is the account's only role: deactivate the account instead."))
        audit_record(actor=actor, action="account.grant_remove", **_grant_audit(grant))
        Grant.objects.filter(pk=grant.pk).delete()


def officer_set_active(*, actor, user, active: bool) -> None:
    """Deactivate an account (it can no longer sign in or use its tokens) or reactivate it."""
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if active and email_taken(user.email, exclude_pk=user.pk):
        raise ValidationError(_("Another active account uses this account's e-mail address."))
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, is_active=not active).update(is_active=active)
        if changed:
            audit_record(
                actor=actor, action="account.reactivate" if active else "account.deactivate", obj=user
            )


def token_create(*, actor, user, name: str, expires_at=None):
    """Issue an API token to ``user``; returns (token, key). Only the key's hash is kept, so the
    key is shown once, by the caller."""
    with transaction.atomic():
        token, raw = ApiToken.issue(user=user, name=name, expires_at=expires_at)
        audit_record(actor=actor, action=AuditAction.TOKEN_CREATE, obj=token, user=user.pk, name=name)
    return token, raw


def token_revoke(*, actor, token) -> bool:
    """Revoke a token now; False when it was already revoked (nothing changes)."""
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if changed:
            audit_record(
                actor=actor, action=AuditAction.TOKEN_REVOKE, obj=token, user=token.user_id, name=token.name
            )
    return bool(changed)
