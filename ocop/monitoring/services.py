"""Writes of the monitoring app: programme targets, from the data file and from officers.

Every change to a target goes through :func:`target_create`, :func:`target_update` or
:func:`target_delete` (pages, API, admin alike): permission through the gate, validation, and an
audit event in the same transaction. :func:`targets_sync` loads ``data/targets.yaml`` after
``migrate``, validating every entry first and naming the file, the entry and the field of any
error; it writes nothing when one entry is wrong.
"""

from __future__ import annotations

import hashlib
import time
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, transaction
from django.db.models import F, Max
from django.utils.translation import gettext as _

from ocop import yamlfile
from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record, diff, snapshot
from ocop.concurrency import ensure_current
from ocop.geo.gazetteer import CURRENT
from ocop.geo.models import Province, ReferenceDataset
from ocop.market.models import PointOfSale, SalesChannel
from ocop.registry.choices import Confidence, ProducerType
from ocop.registry.models import CraftVillage, Producer, Product, Recognition

from .choices import COUNTRY_MEASURES, KIND_MEASURES, SHARE_MEASURES, STAR_MEASURES, Measure
from .models import DataChange, DataVersion, Target

TARGETS_FILE = Path(__file__).resolve().parent / "data" / "targets.yaml"
REFERENCE_NAME = "targets"
FIELDS = [
    "province",
    "measure",
    "stars",
    "producer_kind",
    "period_start",
    "period_end",
    "value",
    "legal_basis",
    "confidence",
    "note",
]


def target_errors(
    *,
    province: Province | None,
    measure: str,
    stars: int,
    producer_kind: str,
    period_start: date | None,
    period_end: date | None,
    value,
) -> dict[str, list[str]]:
    """What is wrong with a target's fields, by field (empty when nothing is)."""
    errors: dict[str, list[str]] = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    if measure not in Measure.values:
        add("measure", _("Unknown measure “%(value)s”.") % {"value": measure})
    if province is not None and province.era_id != CURRENT:
        add("province", _("Targets are set for today's provinces (34 since 1 July 2025)."))
    if province is not None and measure in COUNTRY_MEASURES:
        add("province", _("This measure is for the whole country only."))
    if measure in STAR_MEASURES:
        if stars not in (3, 4, 5):
            add("stars", _("Give the number of stars: 3, 4 or 5."))
    elif stars:
        add("stars", _("This measure takes no number of stars."))
    if measure in KIND_MEASURES:
        if producer_kind not in ProducerType.values:
            add("producer_kind", _("Choose a producer type."))
    elif producer_kind:
        add("producer_kind", _("This measure takes no producer type."))
    if period_start is None:
        add("period_start", _("Enter the first day of the period."))
    if period_end is None:
        add("period_end", _("Enter the last day of the period."))
    if period_start and period_end and period_end < period_start:
        add("period_end", _("The period ends before it starts."))
    try:
        number = Decimal(str(value))
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        add("value", _("Enter a number."))
    else:
        if number < 0:
            add("value", _("A target cannot be negative."))
        elif measure in SHARE_MEASURES and number > 100:
            add("value", _("A share is a percentage: at most 100."))
        elif measure not in SHARE_MEASURES and number != number.to_integral_value():
            add("value", _("A count is a whole number."))
    return errors


def _require_change(user, province: Province | None, action: str) -> None:
    """Province targets are changed by the province's officers; national ones by the centre."""
    if province is None:
        if not gate.actor_of(user).is_central:
            raise PermissionDenied
    elif not gate.may_create(user, Target, province_id=province.pk):
        raise PermissionDenied


def _check(fields: dict) -> None:
    errors = target_errors(**{k: fields.get(k) for k in FIELDS[:7]})
    if errors:
        raise ValidationError(errors)


def _save(target: Target) -> Target:
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError:
        raise ValidationError(
            {"measure": [_("This unit already has a target for this measure and period.")]}
        ) from None
    return target


@transaction.atomic
def target_create(*, user, **fields) -> Target:
    """Set a target for the country (central office) or a province (its officers)."""
    fields = {"stars": 0, "producer_kind": "", "legal_basis": "", "note": "", **fields}
    _require_change(user, fields.get("province"), Action.ADD)
    _check(fields)
    target = _save(Target(created_by=user if user and user.is_authenticated else None, **fields))
    audit_record(
        actor=user, action="target.create", obj=target, province_id=target.province_id, after=snapshot(target)
    )
    return target


@transaction.atomic
def target_update(*, user, target: Target, version: str | list[str] | None = None, **fields) -> Target:
    """Change a target; ``version``: the token of the copy the change was made from, refused
    (:class:`~ocop.concurrency.EditConflict`) if the target changed since."""
    if not gate.allows(user, Action.CHANGE, target):
        raise PermissionDenied
    target = Target.objects.select_for_update().get(pk=target.pk)
    ensure_current(target, version)
    _require_change(user, target.province, Action.CHANGE)
    if "province" in fields:
        _require_change(user, fields["province"], Action.CHANGE)
    before = snapshot(target)
    for key, value in fields.items():
        setattr(target, key, value)
    _check({name: getattr(target, name) for name in FIELDS})
    changes = diff(before, snapshot(target))
    if changes:  # a save that changes nothing writes nothing, so it leaves others' copies current
        _save(target)
        audit_record(
            actor=user, action="target.update", obj=target, province_id=target.province_id, changes=changes
        )
    return target


@transaction.atomic
def target_delete(*, user, target: Target) -> None:
    if not gate.allows(user, Action.DELETE, target):
        raise PermissionDenied
    _require_change(user, target.province, Action.DELETE)
    audit_record(
        actor=user,
        action="target.delete",
        obj=target,
        province_id=target.province_id,
        before=snapshot(target),
    )
    target.delete()


# ---------------------------------------------------------------------------------------------
# The data file
# ---------------------------------------------------------------------------------------------


class TargetFileError(ValueError):
    """Problems in a targets file, each naming the entry and the field."""

    def __init__(self, path: Path, problems: list[str]):
        self.problems = problems
        super().__init__(f"{path}: " + "; ".join(problems))


def _day(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def parse_targets_file(path: Path = TARGETS_FILE) -> list[dict]:
    """The targets of a data file, validated; raises :class:`TargetFileError` naming every
    problem (entry number and key, field)."""
    try:
        document = yamlfile.parse(path.read_text(encoding="utf-8"), source=path.name) or {}
    except yamlfile.YamlError as exc:
        raise TargetFileError(path, [f"not valid YAML: {exc.detail}"]) from None
    entries = document.get("targets") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise TargetFileError(path, ["expected a list under “targets”"])
    provinces = {p.code: p for p in Province.objects.filter(era_id=CURRENT)}
    problems, parsed, keys = [], [], set()
    for number, entry in enumerate(entries, start=1):
        where = f"target {number}"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        key = str(entry.get("key") or "").strip()
        where = f"target {number} ({key or 'no key'})"
        if not key:
            problems.append(f"{where}: key: required")
        elif key in keys:
            problems.append(f"{where}: key: used twice")
        keys.add(key)
        period = entry.get("period")
        if not (isinstance(period, list) and len(period) == 2):
            problems.append(f"{where}: period: write [first day, last day]")
            period = [None, None]
        province = None
        if entry.get("province") is not None:
            province = provinces.get(str(entry["province"]).zfill(2))
            if province is None:
                problems.append(f"{where}: province: no current province has code {entry['province']}")
        confidence = str(entry.get("confidence") or Confidence.CONFIRMED)
        if confidence not in Confidence.values:
            problems.append(f"{where}: confidence: one of {', '.join(Confidence.values)}")
        fields = {
            "province": province,
            "measure": str(entry.get("measure") or ""),
            "stars": int(entry.get("stars") or 0) if str(entry.get("stars") or 0).isdigit() else -1,
            "producer_kind": str(entry.get("producer_kind") or ""),
            "period_start": _day(period[0]),
            "period_end": _day(period[1]),
            "value": entry.get("value"),
        }
        for field, messages in target_errors(**fields).items():
            problems.extend(f"{where}: {field}: {message}" for message in messages)
        fields.update(
            key=key,
            value=Decimal(str(entry.get("value", 0))) if "value" not in target_errors(**fields) else None,
            legal_basis=str(entry.get("legal_basis") or "")[:200],
            confidence=confidence,
            note=str(entry.get("note") or "")[:400],
        )
        parsed.append(fields)
    if problems:
        raise TargetFileError(path, problems)
    return parsed


def data_version_ensure() -> None:
    """Put back the data version's row after a flush, starting from the clock so that its numbers
    never repeat ones that keyed figures of the data before (the cache may outlive the data)."""
    DataVersion.objects.get_or_create(pk=1, defaults={"version": time.time_ns() // 1000})


# The tables whose writes change what the dashboards count (DataVersion's docstring).
DATA_TABLES = tuple(
    model._meta.db_table
    for model in (Producer, Product, Recognition, CraftVillage, Target, PointOfSale, SalesChannel)
)


def data_triggers_ensure(using: str = "default") -> None:
    """Install the triggers that record writes to :data:`DATA_TABLES`, where they are missing.

    Run after every ``migrate``: SQLite drops a table's triggers when a migration rebuilds the
    table (adding a column does), and the dashboards' cache would then outlive their data
    without a sign. Migrations 0002 and 0004 made them first; this keeps them there."""
    conn = connections[using]
    with conn.cursor() as cursor:
        if conn.vendor == "sqlite":
            bump = "UPDATE monitoring_dataversion SET version = version + 1 WHERE id = 1"
            for table in DATA_TABLES:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS monitoring_version_{table}_{event.lower()} "
                        f"AFTER {event} ON {table} BEGIN {bump}; END"
                    )
        elif conn.vendor == "postgresql":
            cursor.execute(
                "CREATE OR REPLACE FUNCTION monitoring_bump_version() RETURNS trigger AS $$ "
                "BEGIN INSERT INTO monitoring_datachange DEFAULT VALUES; RETURN NULL; END; $$ "
                "LANGUAGE plpgsql"
            )
            for table in DATA_TABLES:
                cursor.execute(
                    f"CREATE OR REPLACE TRIGGER monitoring_version_{table} "
                    f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                    "FOR EACH STATEMENT EXECUTE FUNCTION monitoring_bump_version()"
                )


def data_version_compact() -> int:
    """Fold the data changes recorded so far into the data version's number (periodic work,
    registered in MonitoringConfig.ready); the version stays what it was. Returns how many."""
    last = DataChange.objects.aggregate(last=Max("pk"))["last"]
    if last is None:
        return 0
    with transaction.atomic():
        folded, _rows = DataChange.objects.filter(pk__lte=last).delete()
        DataVersion.objects.filter(pk=1).update(version=F("version") + folded)
    return folded


def targets_sync(path: Path = TARGETS_FILE, *, force: bool = False) -> int | None:
    """Load the data file's targets (create or update by key) when the file has changed since
    the last load; returns how many were written, None when the file was already loaded."""
    if not Province.objects.filter(era_id=CURRENT).exists():
        return None  # the units are not loaded yet (an empty test database)
    stamp = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    loaded = ReferenceDataset.objects.filter(name=REFERENCE_NAME).values_list("version", flat=True).first()
    if loaded == stamp and not force:
        return None
    entries = parse_targets_file(path)
    with transaction.atomic():
        for fields in entries:
            key = fields.pop("key")
            Target.objects.update_or_create(key=key, defaults=fields)
        ReferenceDataset.objects.update_or_create(name=REFERENCE_NAME, defaults={"version": stamp})
    return len(entries)


# ---------------------------------------------------------------------------------------------
# Craft villages (the measure "share of craft villages with an OCOP product")
# ---------------------------------------------------------------------------------------------

VILLAGE_FIELDS = ["name", "craft", "is_traditional", "province", "commune", "recognised_on", "decision_no"]


@transaction.atomic
def craft_village_save(*, user, village=None, producers=None, version: str | None = None, **fields):
    """Record a craft village (or change one) and which producers belong to it.

    Officers act within their province (commune officers within their commune); the producers
    linked must be the village's province's, and ones the person may change. A change made from
    an older copy of the village (``version``, its token) is refused with
    :class:`~ocop.concurrency.EditConflict`."""
    province, commune = fields.get("province"), fields.get("commune")
    if village is not None:
        if not gate.allows(user, Action.CHANGE, village):
            raise PermissionDenied
        village = CraftVillage.objects.select_for_update().get(pk=village.pk)
        ensure_current(village, version)
        province = province or village.province
    errors: dict[str, list[str]] = {}
    if province is None or province.era_id != CURRENT:
        errors["province"] = [_("Choose one of today's provinces.")]
    elif commune is not None and commune.province_id != province.pk:
        errors["commune"] = [_("This commune is not in the province.")]
    if not (fields.get("name") or "").strip():
        errors["name"] = [_("Enter the village's name.")]
    if errors:
        raise ValidationError(errors)
    if not gate.may_create(
        user, CraftVillage, province_id=province.pk, commune_id=commune.pk if commune else None
    ):
        raise PermissionDenied
    before = snapshot(village) if village is not None else None
    village = village or CraftVillage()
    for key in VILLAGE_FIELDS:
        if key in fields:
            setattr(village, key, fields[key].strip() if isinstance(fields[key], str) else fields[key])
    try:
        village.full_clean()
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    changes = diff(before, snapshot(village)) if before else None
    if before is None or changes:
        village.save()
    linked, relinked = None, False
    if producers is not None:
        producers = list(producers)
        allowed = set(
            gate.restrict(Producer.objects.filter(province=province), user, Action.CHANGE).values_list(
                "pk", flat=True
            )
        )
        if any(p.pk not in allowed for p in producers):
            raise ValidationError({"producers": [_("Choose producers of this province that you manage.")]})
        wanted = {p.pk for p in producers}
        current = set(Producer.objects.filter(craft_village=village).values_list("pk", flat=True))
        Producer.objects.filter(pk__in=current - wanted).update(craft_village=None)
        Producer.objects.filter(pk__in=wanted - current).update(craft_village=village)
        linked, relinked = sorted(wanted), wanted != current
    if before and not changes:
        if not relinked:
            return village  # nothing changed: no write, so other open copies stay current
        # Its producers are part of the village as its form edits it: raise its version too.
        CraftVillage.objects.filter(pk=village.pk).update()
    audit_record(
        actor=user,
        action="craft_village.update" if before else "craft_village.create",
        obj=village,
        province_id=village.province_id,
        changes=changes,
        after=None if before else snapshot(village),
        producers=linked,
    )
    return village
