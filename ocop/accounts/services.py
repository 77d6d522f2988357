"""Writing the audit trail. Services call :func:`audit_record` inside their own transaction."""

from django.db import models

from .choices import AuditAction
from .models import AuditEvent


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
