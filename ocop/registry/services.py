"""Workflow steps on the registry. Pages, the API, imports and the demo all write through here.

Each service takes the acting user, checks through the permission gate that they may do it,
validates before saving, writes in one transaction, and records an audit event in the same
transaction. Field errors are raised as ``ValidationError({field: [messages]})`` so that a form
shows them next to the field and the API returns them per field.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import ean

from ocop import images
from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record, diff, snapshot
from ocop.concurrency import ensure_current
from ocop.geo.models import Commune, Province
from ocop.geo.services import Location, LocationError, locate
from ocop.jobs.models import Job
from ocop.jobs.services import job_start

from .choices import LEGAL_FORMS_BY_TYPE, RecognitionLevel, RecognitionStatus
from .identifiers import IdentifierError, normalise_gtin, normalise_tax_code
from .models import (
    Certification,
    IntellectualProperty,
    Producer,
    ProducerMember,
    Product,
    ProductPhoto,
    Recognition,
)

PRODUCER_FIELDS = [
    "name",
    "kind",
    "legal_form",
    "tax_code",
    "registration_no",
    "representative",
    "representative_is_woman",
    "representative_is_ethnic_minority",
    "local_capital_pct",
    "address",
    "phone",
    "email",
    "website",
    "description_vi",
    "description_en",
]
PRODUCT_FIELDS = [
    "name_vi",
    "name_en",
    "group",
    "product_set",
    "description_vi",
    "description_en",
    "story_vi",
    "story_en",
    "gtin",
    "ocop_code",
]


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the end of a shorter month (29/2 -> 28/2)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def validity_end(recognised_on: date) -> date:
    """Last day a recognition is valid: the day before the same date N months later."""
    return add_months(recognised_on, settings.OCOP_RECOGNITION_VALIDITY_MONTHS) - timedelta(days=1)


# The pure core (identifiers.py) words its refusals in English; people read them in their language.
_IDENTIFIER_MESSAGES = {
    ("tax_code", "empty"): gettext_lazy("The tax code is empty."),
    ("tax_code", "characters"): gettext_lazy(
        "Tax code '%(value)s' may contain only digits (and a dash before a branch)."
    ),
    ("tax_code", "personal"): gettext_lazy(
        "Tax code '%(value)s': a 12-digit personal number starts with 001-096."
    ),
    ("tax_code", "format"): gettext_lazy("Tax code '%(value)s' is not a valid Vietnamese tax code."),
    ("tax_code", "length"): gettext_lazy(
        "Tax code '%(value)s' has %(digits)s digits; expected 10, 13 (branch) or 12 (personal)."
    ),
    ("tax_code", "checksum"): gettext_lazy("Tax code '%(value)s': the check digit does not match."),
    ("gtin", "empty"): gettext_lazy("The GTIN is empty."),
    ("gtin", "format"): gettext_lazy("GTIN '%(value)s' may contain only digits."),
    ("gtin", "length"): gettext_lazy("GTIN '%(value)s' has %(digits)s digits; expected 8, 12, 13 or 14."),
    ("gtin", "checksum"): gettext_lazy(
        "GTIN '%(value)s': the check digit should be %(expected)s, not %(given)s."
    ),
}


def _identifier_text(kind: str, error: IdentifierError, value: str) -> str:
    raw = (value or "").strip()
    digits = re.sub(r"[\s.\-/]" if kind == "tax_code" else r"\s", "", raw)
    code = error.code
    params = {"value": raw, "digits": len(digits)}
    if kind == "tax_code" and code == "format":
        code = "characters" if not digits.isdigit() else "personal" if len(digits) == 12 else "format"
    if kind == "gtin" and code == "checksum":
        params.update(expected=ean.calc_check_digit(digits[:-1]), given=digits[-1])
    template = _IDENTIFIER_MESSAGES.get((kind, code))
    return str(template) % params if template is not None else str(error)


def identifier_message(kind: str, error: IdentifierError, value: str):
    """The refusal of a tax code (``kind="tax_code"``) or GTIN (``"gtin"``) in the language
    active when the message is shown (lazy: an import report is worded when it is printed)."""
    return lazy(_identifier_text, str)(kind, error, value)


# ---------------------------------------------------------------------------------------------
# Producers
# ---------------------------------------------------------------------------------------------


def _clean_producer_fields(data: dict) -> dict:
    cleaned = {key: value for key, value in data.items() if key in PRODUCER_FIELDS}
    errors: dict[str, list[str]] = {}
    for key in ("name", "address"):
        if key in cleaned:
            cleaned[key] = (cleaned[key] or "").strip()
    tax_code = cleaned.get("tax_code")
    if tax_code:
        try:
            cleaned["tax_code"] = normalise_tax_code(tax_code)
        except IdentifierError as exc:
            errors["tax_code"] = [identifier_message("tax_code", exc, tax_code)]
    elif "tax_code" in cleaned:
        cleaned["tax_code"] = None
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_legal_form(producer: Producer) -> None:
    if producer.legal_form and producer.legal_form not in LEGAL_FORMS_BY_TYPE.get(producer.kind, ()):
        raise ValidationError(
            {
                "legal_form": [
                    _("Legal form “%(form)s” does not fit producer type “%(kind)s”.")
                    % {"form": producer.get_legal_form_display(), "kind": producer.get_kind_display()}
                ]
            }
        )


def _locate(address: str, on: date | None) -> Location:
    try:
        return locate(address, on=on)
    except LocationError as exc:
        raise ValidationError({"address": [str(exc)]}) from None


def _check_place(user, location: Location) -> None:
    if not gate.may_create(
        user,
        Producer,
        province_id=location.province.pk,
        commune_id=location.commune.pk if location.commune else None,
    ):
        where = location.commune or location.province
        raise ValidationError(
            {
                "address": [
                    _("%(unit)s is outside your jurisdiction.") % {"unit": f"{where}, {location.province}"}
                ]
            }
        )


@transaction.atomic
def producer_create(
    *, user, data: dict, location: Location | None = None, on: date | None = None
) -> Producer:
    """Register a producer. Its address is resolved to units unless ``location`` is given."""
    cleaned = _clean_producer_fields(data)
    producer = Producer(**cleaned)
    location = location or _locate(producer.address, on)
    _check_place(user, location)
    for key, value in location.fields.items():
        setattr(producer, key, value)
    _check_legal_form(producer)
    producer.full_clean()
    producer.save()
    audit_record(
        actor=user,
        action="producer.create",
        obj=producer,
        province_id=producer.province_id,
        after=snapshot(producer),
    )
    return producer


@transaction.atomic
def producer_update(
    *,
    user,
    producer: Producer,
    data: dict,
    location: Location | None = None,
    on: date | None = None,
    version: str | Sequence[str] | None = None,
) -> Producer:
    """Change a producer. Moving it (a new address or commune) needs the right to place it there.

    ``version`` is the token of the copy the edit was made from (an edit form's, or If-Match):
    if the producer changed since, nothing is written (:class:`~ocop.concurrency.EditConflict`).
    """
    gate.require(user, Action.CHANGE, producer)
    producer = Producer.objects.select_for_update().get(pk=producer.pk)
    ensure_current(producer, version)
    before = snapshot(producer)
    cleaned = _clean_producer_fields(data)
    for key, value in cleaned.items():
        setattr(producer, key, value)
    if location is None and "address" in cleaned and cleaned["address"] != before["address"]:
        location = _locate(producer.address, on)
    if location is not None:
        new_place = (location.province.pk, location.commune.pk if location.commune else None)
        if new_place != (producer.province_id, producer.commune_id):
            _check_place(user, location)
        for key, value in location.fields.items():
            setattr(producer, key, value)
    _check_legal_form(producer)
    producer.full_clean()
    changes = diff(before, snapshot(producer))
    if changes:  # a save that changes nothing writes nothing, so it leaves others' copies current
        producer.save()
        audit_record(
            actor=user,
            action="producer.update",
            obj=producer,
            province_id=producer.province_id,
            changes=changes,
        )
    return producer


@transaction.atomic
def producer_member_add(*, user, producer: Producer, member) -> ProducerMember:
    """Let a user account act for a producer (officers link the producer's own accounts)."""
    if not gate.may_create(user, Producer, province_id=producer.province_id, commune_id=producer.commune_id):
        raise PermissionDenied
    membership, created = ProducerMember.objects.get_or_create(producer=producer, user=member)
    if created:
        audit_record(
            actor=user,
            action="producer.member_add",
            obj=producer,
            province_id=producer.province_id,
            member_id=member.pk,
        )
    return membership


# ---------------------------------------------------------------------------------------------
# Products
# ---------------------------------------------------------------------------------------------


def _clean_product_fields(data: dict) -> dict:
    cleaned = {key: value for key, value in data.items() if key in PRODUCT_FIELDS}
    errors: dict[str, list[str]] = {}
    if "name_vi" in cleaned:
        cleaned["name_vi"] = (cleaned["name_vi"] or "").strip()
    gtin = cleaned.get("gtin")
    if gtin:
        try:
            cleaned["gtin"] = normalise_gtin(gtin)
        except IdentifierError as exc:
            errors["gtin"] = [identifier_message("gtin", exc, gtin)]
    elif "gtin" in cleaned:
        cleaned["gtin"] = None
    product_set = cleaned.get("product_set")
    if product_set is not None:
        group = cleaned.get("group")
        if not group:
            cleaned["group"] = product_set.group
        elif group != product_set.group:
            errors["product_set"] = [
                _("Product set %(set)s belongs to group “%(set_group)s”, not “%(group)s”.")
                % {"set": product_set.code, "set_group": product_set.get_group_display(), "group": group}
            ]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def product_create(*, user, producer: Producer, data: dict) -> Product:
    if not gate.may_create(
        user,
        Product,
        province_id=producer.province_id,
        commune_id=producer.commune_id,
        owners=producer.members,
    ):
        raise PermissionDenied
    product = Product(producer=producer, **_clean_product_fields(data))
    product.full_clean()
    product.save()
    audit_record(
        actor=user,
        action="product.create",
        obj=product,
        province_id=producer.province_id,
        after=snapshot(product),
    )
    return product


@transaction.atomic
def product_update(
    *, user, product: Product, data: dict, version: str | Sequence[str] | None = None
) -> Product:
    """Change a product's details; ``version`` as for :func:`producer_update`."""
    gate.require(user, Action.CHANGE, product)
    product = Product.objects.select_for_update().get(pk=product.pk)
    ensure_current(product, version)
    before = snapshot(product)
    cleaned = _clean_product_fields(data)
    for key, value in cleaned.items():
        setattr(product, key, value)
    product.full_clean()
    changes = diff(before, snapshot(product))
    if changes:  # a save that changes nothing writes nothing, so it leaves others' copies current
        product.save()
        audit_record(
            actor=user,
            action="product.update",
            obj=product,
            province_id=product.producer.province_id,
            changes=changes,
        )
    return product


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:g}"


def picture_refusal(exc: images.Refused) -> str:
    """Why a photo was refused, in the user's language."""
    match exc.code:
        case "empty":
            return _("The file is empty.")
        case "broken":
            return _("The image cannot be read: it is damaged or incomplete.")
        case "too_many_pixels" if "width" in exc.params:
            return _(
                "The image is %(width)s × %(height)s pixels, over the limit of %(limit)s megapixels."
            ) % {
                **exc.params,
                "limit": _megapixels(exc.params["limit"]),
            }
        case "too_many_pixels":
            return _("The image is over the limit of %(limit)s megapixels.") % {
                "limit": _megapixels(exc.params["limit"])
            }
    return _("Photos must be JPEG, PNG or WebP images; this file is none of these.")


def _picture(upload) -> images.Picture:
    """The photo as it will be stored: decoded and encoded again from its pixels (ocop/images.py),
    whatever its name or declared type say; or a refusal saying why."""
    limit = settings.OCOP_PHOTO_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "image": [
                    _("The photo is %(size)s MB; the limit is %(limit)s MB.")
                    % {"size": round(upload.size / 1_048_576, 1), "limit": round(limit / 1_048_576, 1)}
                ]
            }
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    upload.seek(0)
    try:
        return images.normalise(content, max_pixels=settings.OCOP_IMAGE_MAX_PIXELS)
    except images.Refused as exc:
        raise ValidationError({"image": [picture_refusal(exc)]}) from None


@transaction.atomic
def photo_add(*, user, product: Product, image, caption: str = "") -> ProductPhoto:
    """Add a photo to a product. What is stored is the picture re-encoded, under a random name
    with the extension of its decoded type: never the uploaded bytes or name."""
    gate.require(user, Action.CHANGE, product)
    picture = _picture(image)
    photo = ProductPhoto(product=product, caption=caption.strip(), position=product.photos.count())
    photo.full_clean(exclude=["image"])
    photo.image.save(f"photo.{picture.extension}", ContentFile(picture.content), save=False)
    try:
        photo.save()
        audit_record(
            actor=user,
            action="product.photo_add",
            obj=product,
            province_id=product.producer.province_id,
            photo_id=photo.pk,
        )
    except BaseException:
        photo.image.delete(save=False)  # no file without its row
        raise
    return photo


# The name photo_add gives a photo (models._photo_path); a photo under any other name was stored
# before photos were re-encoded, as uploaded.
NORMALISED_PHOTO = re.compile(r"products/\d+/[A-Za-z0-9_-]{24}\.(?:jpg|png|webp)")


def photos_normalise(*, everything: bool = False, dry_run: bool = False, echo=None) -> dict[str, int]:
    """Make photos stored before re-encoding (under the uploader's name, as uploaded) what
    photo_add stores now: re-encoded under a name of the platform's. A stored file that is not
    a JPEG, PNG or WebP picture within the limits is removed with its row. ``everything`` also
    re-encodes photos already named the new way. Each photo is its own transaction, audited;
    ``echo(photo_id, product_id, outcome, detail)`` hears of each. Safe to run again: it resumes."""
    counts = {"normalised": 0, "removed": 0, "missing": 0, "kept": 0}
    photos = ProductPhoto.objects.select_related("product__producer").order_by("pk")
    for photo in photos.iterator(chunk_size=200):
        old, photo_id = photo.image.name, photo.pk
        if not everything and NORMALISED_PHOTO.fullmatch(old):
            counts["kept"] += 1
            continue
        try:
            with photo.image.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            outcome, detail = "missing", old
        else:
            try:
                picture = images.normalise(content, max_pixels=settings.OCOP_IMAGE_MAX_PIXELS)
            except images.Refused as exc:
                outcome, detail = "removed", f"{old} ({exc.code})"
                if not dry_run:
                    _photo_drop(photo, reason=exc.code)
            else:
                outcome, detail = "normalised", old
                if not dry_run:
                    detail = f"{old} → {_photo_rewrite(photo, picture)}"
        counts[outcome] += 1
        if echo:
            echo(photo_id, photo.product_id, outcome, detail)
    return counts


def _photo_rewrite(photo: ProductPhoto, picture: images.Picture) -> str:
    old = photo.image.name
    storage = photo.image.storage
    photo.image.save(f"photo.{picture.extension}", ContentFile(picture.content), save=False)
    try:
        with transaction.atomic():
            ProductPhoto.objects.filter(pk=photo.pk).update(image=photo.image.name)
            audit_record(
                actor=None,
                action="product.photo_normalise",
                obj=photo.product,
                province_id=photo.product.producer.province_id,
                photo_id=photo.pk,
                before=old,
                after=photo.image.name,
            )
    except BaseException:
        storage.delete(photo.image.name)
        raise
    storage.delete(old)
    return photo.image.name


@transaction.atomic
def _photo_drop(photo: ProductPhoto, *, reason: str) -> None:
    name, storage, photo_id = photo.image.name, photo.image.storage, photo.pk
    photo.delete()
    audit_record(
        actor=None,
        action="product.photo_remove",
        obj=photo.product,
        province_id=photo.product.producer.province_id,
        photo_id=photo_id,
        file=name,
        reason=reason,
    )
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def photo_remove(*, user, photo: ProductPhoto) -> None:
    gate.require(user, Action.DELETE, photo)
    product = photo.product
    photo_id = photo.pk
    photo.image.delete(save=False)
    photo.delete()
    audit_record(
        actor=user,
        action="product.photo_remove",
        obj=product,
        province_id=product.producer.province_id,
        photo_id=photo_id,
    )


# Certifications and intellectual-property rights are records attached to a product: whoever
# may change the product may add or remove them, and each change is audited on the product.
ATTACHMENTS = {Certification: "certification", IntellectualProperty: "ip_right"}


@transaction.atomic
def attachment_add(*, user, product: Product, model: type[Certification | IntellectualProperty], data: dict):
    """Attach a certification or an intellectual-property right to a product."""
    gate.require(user, Action.CHANGE, product)
    attachment = model(product=product, **data)
    attachment.full_clean()
    attachment.save()
    name = ATTACHMENTS[model]
    audit_record(
        actor=user,
        action=f"product.{name}_add",
        obj=product,
        province_id=product.producer.province_id,
        **{name: snapshot(attachment)},
    )
    return attachment


@transaction.atomic
def attachment_remove(*, user, attachment: Certification | IntellectualProperty) -> None:
    product = attachment.product
    gate.require(user, Action.CHANGE, product)
    name = ATTACHMENTS[type(attachment)]
    record = snapshot(attachment)
    attachment.delete()
    audit_record(
        actor=user,
        action=f"product.{name}_remove",
        obj=product,
        province_id=product.producer.province_id,
        **{name: record},
    )


# ---------------------------------------------------------------------------------------------
# Recognitions
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def recognition_record(
    *,
    user,
    product: Product,
    stars: int,
    recognised_on: date,
    level: str,
    decision_no: str = "",
    score: Decimal | None = None,
    valid_until: date | None = None,
    taxonomy=None,
    issuer_province=None,
    note: str = "",
) -> Recognition:
    """Record a recognition decision for a product. A recognition of the product still in force
    on the new decision's date is superseded by it (re-rating, upgrade or downgrade)."""
    producer = product.producer
    if not gate.may_create(
        user, Recognition, province_id=producer.province_id, commune_id=producer.commune_id
    ):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if level == RecognitionLevel.CENTRAL and not gate.actor_of(user).is_central:
        errors["level"] = [_("Only the central office records central-level recognitions.")]
    if stars == 5 and level != RecognitionLevel.CENTRAL:
        errors["level"] = [_("Five-star products are recognised at central level.")]
    if recognised_on and recognised_on > timezone.localdate():
        errors["recognised_on"] = [_("The decision date is in the future.")]
    if errors:
        raise ValidationError(errors)

    recognition = Recognition(
        product=product,
        stars=stars,
        score=score,
        level=level,
        decision_no=(decision_no or "").strip(),
        recognised_on=recognised_on,
        valid_until=valid_until or validity_end(recognised_on),
        taxonomy=taxonomy,
        issuer_province=issuer_province,
        note=note,
    )
    recognition.full_clean()
    # Lock the product's recognitions so two officers recording at once cannot both supersede.
    existing = list(Recognition.objects.select_for_update().filter(product=product))
    if any(
        (r.recognised_on, r.stars, r.decision_no) == (recognised_on, stars, recognition.decision_no)
        for r in existing
    ):
        raise ValidationError({"recognised_on": [_("This recognition is already recorded for the product.")]})

    # One chain of decisions: the new one supersedes the decision in force on its day (the
    # latest, if history was recorded out of order), and is superseded by the next decision on
    # record when it was recorded late (back-filled history). A decision supersedes at most one.
    def chronological(r):
        return (r.recognised_on, r.pk)

    in_force = [r for r in existing if r.status_on(recognised_on) == RecognitionStatus.VALID]
    replaced = max(in_force, key=chronological, default=None)
    successor = min((r for r in existing if r.recognised_on > recognised_on), key=chronological, default=None)
    recognition.save()
    if replaced is not None:
        # Re-pointed first: if it was superseded by the successor, that one is free for the new.
        replaced.superseded_on = recognised_on
        replaced.superseded_by = recognition
        replaced.save(update_fields=["superseded_on", "superseded_by"])
    if (
        successor is not None
        and recognition.status_on(successor.recognised_on) == RecognitionStatus.VALID
        and not Recognition.objects.filter(superseded_by=successor).exists()
    ):
        recognition.superseded_on = successor.recognised_on
        recognition.superseded_by = successor
        recognition.save(update_fields=["superseded_on", "superseded_by"])
    audit_record(
        actor=user,
        action="recognition.record",
        obj=recognition,
        province_id=producer.province_id,
        after=snapshot(recognition),
        superseded=[replaced.pk] if replaced is not None else [],
    )
    return recognition


@transaction.atomic
def recognition_revoke(*, user, recognition: Recognition, revoked_on: date, reason: str) -> Recognition:
    """Revoke a certificate (thu hồi) from a date, with the reason stated."""
    gate.require(user, Action.CHANGE, recognition)
    recognition = Recognition.objects.select_for_update().get(pk=recognition.pk)
    errors: dict[str, list[str]] = {}
    if recognition.revoked_on:
        errors["revoked_on"] = [
            _("This recognition was already revoked on %(day)s.")
            % {"day": recognition.revoked_on.strftime("%d/%m/%Y")}
        ]
    elif revoked_on < recognition.recognised_on:
        errors["revoked_on"] = [_("A recognition cannot be revoked before it was granted.")]
    if recognition.level == RecognitionLevel.CENTRAL and not gate.actor_of(user).is_central:
        # The body that recognised revokes: as only the central office records central-level
        # (5-star) recognitions, only it revokes them; a province proposes.
        errors["level"] = [_("Only the central office revokes central-level recognitions.")]
    if not (reason or "").strip():
        errors["reason"] = [_("State the reason for revocation.")]
    if errors:
        raise ValidationError(errors)
    recognition.revoked_on = revoked_on
    recognition.revocation_reason = reason.strip()
    recognition.save(update_fields=["revoked_on", "revocation_reason"])
    audit_record(
        actor=user,
        action="recognition.revoke",
        obj=recognition,
        province_id=recognition.product.producer.province_id,
        revoked_on=revoked_on.isoformat(),
        reason=recognition.revocation_reason,
    )
    return recognition


# ---------------------------------------------------------------------------------------------
# Importing lists (background jobs; the import itself is ocop.registry.importing)
# ---------------------------------------------------------------------------------------------


def may_import(user) -> bool:
    """Officers who place producers in a commune or a province may import lists (their
    jurisdiction then applies row by row)."""
    return gate.can(user, Action.PLACE, Commune) or gate.can(user, Action.PLACE, Province)


def list_import_start(*, user, upload, default_province: str, language: str, dry_run: bool = True) -> Job:
    """Queue the check of an uploaded list, and its import too when ``dry_run`` is false."""
    return job_start(
        kind="registry.import",
        owner=user,
        params={
            "dry_run": dry_run,
            "file_name": upload.name,
            "default_province": default_province,
            "language": language,
        },
        input_file=upload,
        input_name=upload.name,
    )


def list_import_confirm(*, user, checked: Job) -> Job:
    """Queue the import of a list that a dry run checked without problems."""
    if checked.result.get("status") != "checked" or not checked.params.get("dry_run"):
        raise ValidationError({"job": [_("Only a checked list without problems can be imported.")]})
    return job_start(
        kind="registry.import",
        owner=user,
        params={**checked.params, "dry_run": False, "checked_job": str(checked.pk)},
        input_file=checked.input_file,
        input_name=checked.params.get("file_name", "list"),
    )


# ---------------------------------------------------------------------------------------------
# Reference data: the product taxonomies
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def taxonomy_reference_sync(*, force: bool = False) -> bool:
    """Load data/taxonomy.yaml into Taxonomy and ProductSet rows, unless this version is loaded.

    Rows are keyed by (taxonomy, code) and updated in place, so products keep their set.
    """
    import hashlib

    from ocop.geo.models import ReferenceDataset

    from .models import ProductSet, Taxonomy
    from .taxonomy import DEFAULT_PATH, load_taxonomies

    version = hashlib.sha256(DEFAULT_PATH.read_bytes()).hexdigest()[:16]
    loaded = ReferenceDataset.objects.filter(name="taxonomy").values_list("version", flat=True).first()
    if loaded == version and not force:
        return False
    taxonomies = load_taxonomies()
    sets_by_key = {}
    for data in taxonomies:
        Taxonomy.objects.update_or_create(
            code=data.code,
            defaults={
                "name": data.name,
                "legal_basis": data.legal_basis,
                "effective_from": data.effective_from,
                "effective_until": data.effective_until,
            },
        )
        for item in data.product_sets:
            row, _created = ProductSet.objects.update_or_create(
                taxonomy_id=data.code,
                code=item.code,
                defaults={
                    "name_vi": item.name_vi,
                    "name_en": item.name_en,
                    "path_vi": item.path_vi,
                    "group": item.group,
                    "lead_ministry": item.lead_ministry,
                    "confidence": item.confidence,
                },
            )
            sets_by_key[(data.code, item.code)] = row
    for data in taxonomies:
        for item in data.product_sets:
            row = sets_by_key[(data.code, item.code)]
            row.maps_to.set([sets_by_key[(data.superseded_by, code)] for code in item.maps_to])
    ReferenceDataset.objects.update_or_create(name="taxonomy", defaults={"version": version})
    return True
