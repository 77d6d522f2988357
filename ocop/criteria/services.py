"""Loading criteria sets: from the data directories after ``migrate``, and uploaded by the central office.

Both go through :func:`criteria_set_install`, which validates with the same loader as everything
else (:mod:`ocop.criteria.schema`), then creates the set, corrects it in place while nothing
depends on it, or — once it is locked — adds a new version that supersedes it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record
from ocop.registry.models import ProductSet

from . import schema
from . import workbook as workbooks
from .choices import CriteriaSetStatus, WorkbookStatus
from .models import CriteriaSet, CriteriaWorkbook

logger = logging.getLogger(__name__)

REFERENCE_NAME = "criteria_sets"

CREATED, UPDATED, SUPERSEDED, UNCHANGED = "created", "updated", "superseded", "unchanged"


def criteria_dirs() -> list[Path]:
    """Where criteria set files are read from: ``settings.OCOP_CRITERIA_DIRS`` (a list of
    directories), by default the package's ``data/sets``."""
    return [Path(d) for d in settings.OCOP_CRITERIA_DIRS]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Outcome:
    """What loading one file did: created, updated (in place), superseded (new version), unchanged."""

    action: str
    criteria_set: CriteriaSet
    previous: CriteriaSet | None = None
    locked_by: tuple[str, ...] = ()

    def describe(self) -> str:
        row = self.criteria_set
        if self.action == SUPERSEDED:
            return (
                f"criteria set {row.code} v{self.previous.version} is locked "
                f"({', '.join(self.locked_by)}): loaded the changed file as v{row.version}, which supersedes it"
            )
        return f"criteria set {row.code} v{row.version}: {self.action}"


def _fields(
    data: schema.CriteriaSet, product_set: ProductSet, raw: dict, source_file: str, text: str
) -> dict:
    return {
        "decision": data.decision,
        "name_vi": data.name_vi,
        "legal_basis": data.legal_basis,
        "effective_from": data.effective_from,
        "effective_until": data.effective_until,
        "product_set": product_set,
        "aliases": list(data.aliases),
        "confidence": data.confidence,
        "markers_cap_stars": data.markers_cap_stars,
        "status": data.status,
        "definition": raw,
        "source_file": source_file,
        "source_hash": content_hash(text),
        "source_text": text,
    }


def _history_entry(text: str, source_file: str, user) -> dict:
    return {
        "hash": content_hash(text),
        "file": source_file,
        "at": timezone.now().isoformat(timespec="seconds"),
        "by": user.pk if getattr(user, "is_authenticated", False) else None,
    }


def _check_codes(data: schema.CriteriaSet) -> None:
    """A code or alias names one set: it may not be another current set's code or alias."""
    mine = {data.code, *data.aliases}
    for row in CriteriaSet.objects.current().exclude(code=data.code).only("code", "aliases"):
        clash = mine & {row.code, *row.aliases}
        if clash:
            raise ValidationError(
                {
                    "code": [
                        _("Code %(code)s is already used by criteria set %(other)s.")
                        % {"code": ", ".join(sorted(clash)), "other": row.code}
                    ]
                }
            )


@transaction.atomic
def criteria_set_install(*, text: str, source_file: str, user=None, new_version: bool = False) -> Outcome:
    """Validate a criteria set file's text and load it.

    Creates the set; or, when its code exists, corrects the current version in place if nothing
    depends on it (unless ``new_version``), else adds a new version that supersedes it. Raises
    :class:`schema.CriteriaSetError` for an invalid file and ``ValidationError`` when the product
    set is unknown or a code is taken.
    """
    raw = schema.plain(schema.read_yaml(text, source=source_file))
    data = schema.parse_set(raw, source=source_file)
    product_set = ProductSet.objects.filter(taxonomy_id=data.taxonomy, code=data.product_set).first()
    if product_set is None:
        raise ValidationError(
            {
                "product_set": [
                    _("No product set %(code)s in taxonomy %(taxonomy)s.")
                    % {"code": data.product_set, "taxonomy": data.taxonomy}
                ]
            }
        )
    _check_codes(data)
    fields = _fields(data, product_set, raw, source_file, text)
    current = CriteriaSet.objects.select_for_update().filter(code=data.code, is_current=True).first()
    if current is None:
        latest = CriteriaSet.objects.filter(code=data.code).order_by("-version").first()
        row = CriteriaSet.objects.create(
            code=data.code,
            version=(latest.version + 1) if latest else 1,
            history=[_history_entry(text, source_file, user)],
            **fields,
        )
        outcome = Outcome(CREATED, row)
    elif current.source_hash == fields["source_hash"]:
        return Outcome(UNCHANGED, current)
    else:
        if current.status == CriteriaSetStatus.PUBLISHED and data.status == CriteriaSetStatus.DRAFT:
            raise ValidationError(
                {
                    "status": [
                        _("Criteria set %(code)s is published: a correction must be published too.")
                        % {"code": data.code}
                    ]
                }
            )
        locked_by = tuple(current.locked_by())
        if locked_by or new_version:
            CriteriaSet.objects.filter(pk=current.pk).update(is_current=False)
            row = CriteriaSet.objects.create(
                code=data.code,
                version=current.version + 1,
                history=[_history_entry(text, source_file, user)],
                **fields,
            )
            current.is_current, current.superseded_by = False, row
            current.save(update_fields=["is_current", "superseded_by", "updated_at"])
            outcome = Outcome(SUPERSEDED, row, previous=current, locked_by=locked_by)
        else:
            for name, value in fields.items():
                setattr(current, name, value)
            current.history = [*current.history, _history_entry(text, source_file, user)]
            current.save()
            outcome = Outcome(UPDATED, current)
    if user is not None:
        audit_record(
            actor=user,
            action=f"criteria_set.{outcome.action}",
            obj=outcome.criteria_set,
            code=data.code,
            version=outcome.criteria_set.version,
            source_file=source_file,
            source_hash=fields["source_hash"],
            supersedes=outcome.previous.pk if outcome.previous else None,
        )
    return outcome


def criteria_set_upload(*, user, source_file: str, content: bytes) -> Outcome:
    """The central office loads a criteria set file (new, or a correction)."""
    if not gate.may_create(user, CriteriaSet) or not gate.can(user, Action.CHANGE, CriteriaSet):
        raise PermissionDenied
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise schema.CriteriaSetError(source_file, [("", "the file is not UTF-8 text")]) from None
    return criteria_set_install(text=text, source_file=source_file, user=user)


@transaction.atomic
def criteria_set_mark_used(*, criteria_set: CriteriaSet) -> CriteriaSet:
    """Record that scores depend on this version (called by whatever records scores)."""
    if criteria_set.status != CriteriaSetStatus.PUBLISHED:
        raise ValidationError(_("Only a published criteria set can be used for scores."))
    CriteriaSet.objects.filter(pk=criteria_set.pk).update(used=True, updated_at=timezone.now())
    criteria_set.refresh_from_db()
    return criteria_set


def _files(dirs: list[Path]) -> list[Path]:
    files = []
    for directory in dirs:
        if not directory.is_dir():
            raise ImproperlyConfigured(f"OCOP_CRITERIA_DIRS: {directory} is not a directory")
        files.extend(sorted(directory.glob("*.yaml")))
    return files


def criteria_sets_sync(*, force: bool = False, dirs: list[Path] | None = None) -> list[Outcome]:
    """Load every ``*.yaml`` of the criteria directories, unless this exact collection is loaded.

    A file whose content some version of its set already held is skipped, so a correction
    uploaded by the central office is not undone by the file it corrected. Raises
    :class:`schema.CriteriaSetError` (naming the file and path) for an invalid file.
    """
    from ocop.geo.models import ReferenceDataset

    files = _files(dirs or criteria_dirs())
    texts = {path: path.read_text(encoding="utf-8") for path in files}
    stamp = hashlib.sha256(
        "\n".join(f"{path.resolve()}:{content_hash(text)}" for path, text in texts.items()).encode()
    ).hexdigest()[:32]
    loaded = ReferenceDataset.objects.filter(name=REFERENCE_NAME).values_list("version", flat=True).first()
    if loaded == stamp and not force:
        return []
    outcomes = []
    for path, text in texts.items():
        data = schema.load_text(text, source=path.name)
        digest = content_hash(text)
        held = CriteriaSet.objects.filter(code=data.code).values_list("history", flat=True)
        if any(entry.get("hash") == digest for history in held for entry in history):
            continue
        try:
            outcome = criteria_set_install(text=text, source_file=path.name, user=None)
        except ValidationError as exc:
            raise ImproperlyConfigured(f"{path.name}: {'; '.join(exc.messages)}") from None
        logger.info("%s (from %s)", outcome.describe(), path)
        outcomes.append(outcome)
    ReferenceDataset.objects.update_or_create(name=REFERENCE_NAME, defaults={"version": stamp})
    return outcomes


# ---------------------------------------------------------------------------------------------
# Criteria sets authored in Excel (ocop/criteria/workbook.py)
# ---------------------------------------------------------------------------------------------


def _about_problem(reader, key: str, message: str) -> workbooks.Problem:
    row = reader.meta_rows.get(key, 0)
    return workbooks.Problem(workbooks.ABOUT, row, "C" if row else "", "", message)


def _row_problems(data: schema.CriteriaSet, reader) -> list[workbooks.Problem]:
    """What the validator does not know but the rows need: the product set exists, the texts
    kept in columns fit them (a database would refuse a longer one)."""
    problems = []
    for key, value in (("code", data.code), ("name_vi", data.name_vi), ("legal_basis", data.legal_basis)):
        limit = CriteriaSet._meta.get_field(key).max_length
        if len(value) > limit:
            problems.append(
                _about_problem(reader, key, _("At most %(limit)s characters here.") % {"limit": limit})
            )
    if not ProductSet.objects.filter(taxonomy_id=data.taxonomy, code=data.product_set).exists():
        message = _("No product set %(code)s in taxonomy %(taxonomy)s.") % {
            "code": data.product_set,
            "taxonomy": data.taxonomy,
        }
        problems.append(_about_problem(reader, "product_set", message))
    return problems


@transaction.atomic
def criteria_workbook_upload(*, user, source_file: str, content: bytes) -> CriteriaWorkbook:
    """Check an uploaded criteria set workbook and keep it for preview (nothing is kept when it
    has any problem: :class:`workbook.WorkbookError` lists them all by sheet, row and column).

    The central office and province officers may upload; a province officer's upload belongs to
    their province. Raises ``PermissionDenied`` for anyone else."""
    if not gate.can(user, Action.ADD, CriteriaWorkbook):
        raise PermissionDenied
    actor = gate.actor_of(user)
    data, parsed, reader = workbooks.read_set(content, source_file)
    problems = _row_problems(parsed, reader)
    if problems:
        raise workbooks.WorkbookError(problems)
    province_id = None if actor.is_central else min(actor.province_ids)
    row = CriteriaWorkbook.objects.create(
        code=parsed.code,
        name_vi=parsed.name_vi,
        province_id=province_id,
        status=WorkbookStatus.CHECKED,
        definition=data,
        source_file=source_file[:200],
        uploaded_by=user,
    )
    audit_record(
        actor=user,
        action="criteria_workbook.upload",
        obj=row,
        province_id=province_id,
        code=parsed.code,
        source_file=row.source_file,
    )
    return row


@transaction.atomic
def criteria_workbook_propose(*, user, workbook: CriteriaWorkbook) -> CriteriaWorkbook:
    """A province officer proposes a checked workbook to the central office."""
    gate.require(user, Action.CHANGE, workbook)
    changed = CriteriaWorkbook.objects.filter(pk=workbook.pk, status=WorkbookStatus.CHECKED).update(
        status=WorkbookStatus.PROPOSED, updated_at=timezone.now()
    )
    if not changed:
        raise ValidationError(_("Only a checked workbook that is not yet proposed can be proposed."))
    workbook.refresh_from_db()
    audit_record(
        actor=user,
        action="criteria_workbook.propose",
        obj=workbook,
        province_id=workbook.province_id,
        code=workbook.code,
    )
    return workbook


def may_publish(user) -> bool:
    """Only the central office publishes criteria sets (it alone may add and change them)."""
    return gate.can(user, Action.ADD, CriteriaSet) and gate.can(user, Action.CHANGE, CriteriaSet)


@transaction.atomic
def criteria_workbook_publish(*, user, workbook: CriteriaWorkbook) -> Outcome:
    """The central office publishes a checked or proposed workbook as a new version of its
    criteria set: a new set, or a version that supersedes the current one (which is never
    edited, used or not). Publishing the content the current version already has is refused."""
    gate.require(user, Action.CHANGE, workbook)
    if not may_publish(user):
        raise PermissionDenied
    locked = CriteriaWorkbook.objects.select_for_update().get(pk=workbook.pk)
    if locked.status == WorkbookStatus.PUBLISHED:
        raise ValidationError(_("This workbook is already published."))
    definition = dict(locked.definition)
    definition["meta"] = {**definition["meta"], "status": CriteriaSetStatus.PUBLISHED.value}
    data = schema.parse_set(definition, source=locked.source_file)
    current = CriteriaSet.objects.filter(code=data.code, is_current=True).first()
    if current is not None and schema.parse_set(current.definition, source=current.source_file) == data:
        raise ValidationError(
            _("Criteria set %(code)s version %(version)s already has exactly this content.")
            % {"code": data.code, "version": current.version}
        )
    outcome = criteria_set_install(
        text=workbooks.yaml_text(definition), source_file=locked.source_file, user=user, new_version=True
    )
    locked.status, locked.published = WorkbookStatus.PUBLISHED, outcome.criteria_set
    locked.save(update_fields=["status", "published", "updated_at"])
    audit_record(
        actor=user,
        action="criteria_workbook.publish",
        obj=locked,
        province_id=locked.province_id,
        code=data.code,
        version=outcome.criteria_set.version,
        criteria_set=outcome.criteria_set.pk,
    )
    return outcome
