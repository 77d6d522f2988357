"""Writing the audit trail (services call :func:`audit_record` inside their own transaction),
and the services on grants and API tokens."""

from django.db import models, transaction
from django.utils import timezone

from ocop.geo.gazetteer import CURRENT

from .choices import GRANTED_ROLES, AuditAction, Role
from .models import ApiToken, AuditEvent, Grant


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


# ---------------------------------------------------------------------------------------------
# Grants and API tokens: the pages, the admin and the operator's commands (ocop grant, ocop token)
# ---------------------------------------------------------------------------------------------


def grant_add(*, actor, user, role: str, province=None, commune=None):
    """Give ``user`` a granted role in its jurisdiction (none for the central office, a current
    province for a province officer, a current commune for a commune officer). Raises
    ValueError naming what is wrong; granting a grant already held changes nothing and returns
    the one held."""
    if role not in {r.value for r in GRANTED_ROLES}:
        raise ValueError(f"unknown role {role!r}: one of {', '.join(r.value for r in GRANTED_ROLES)}")
    needs = {Role.CENTRAL: None, Role.PROVINCE_OFFICER: "province", Role.COMMUNE_OFFICER: "commune"}[role]
    given = "province" if province is not None else "commune" if commune is not None else None
    if province is not None and commune is not None:
        raise ValueError("give a province or a commune, not both")
    if given != needs:
        if needs is None:
            raise ValueError(f"the role {role} covers the whole country: give no province or commune")
        raise ValueError(f"the role {role} needs a {needs}")
    unit = province or commune
    if unit is not None and unit.era_id != CURRENT:
        raise ValueError(f"{unit.name} ({unit.code}) is a unit from before 1 July 2025: give a current one")
    with transaction.atomic():
        grant, created = Grant.objects.get_or_create(
            user=user, role=role, province=province, commune=commune, defaults={"granted_by": actor}
        )
        if created:
            audit_record(
                actor=actor,
                action=AuditAction.GRANT_ADD,
                obj=grant,
                province_id=province.pk if province else commune.province_id if commune else None,
                user=user.pk,
                role=role,
            )
    return grant


def grant_remove(*, actor, grant) -> None:
    """Take a granted role away, with its audit event."""
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditAction.GRANT_REMOVE,
            obj=grant,
            province_id=grant.province_id or (grant.commune.province_id if grant.commune_id else None),
            user=grant.user_id,
            role=grant.role,
        )
        grant.delete()


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
