"""What the steps of the cycle share: the province of a dossier, an upload checked and worded
for the person, a stored file deleted once nothing uses it, a sheet's answers in their stored form."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ocop import images
from ocop.criteria import engine
from ocop.criteria.messages import problem as problem_text
from ocop.registry import services as registry

from .. import uploads
from ..models import Dossier, Evidence


def province_of(dossier: Dossier) -> int:
    return dossier.product.producer.province_id


def megabytes(size: int) -> str:
    return f"{size / 1_048_576:.1f}".rstrip("0").rstrip(".")


def rejection_text(exc: uploads.Rejected) -> str:
    p = exc.params
    match exc.code:
        case "empty":
            return _("The file is empty.")
        case "too_large":
            return _("The file is %(size)s MB; the limit is %(limit)s MB.") % {
                "size": megabytes(p["size"]),
                "limit": megabytes(p["limit"]),
            }
        case "malware":
            return _("The file was refused: it carries a virus signature.")
        case "forbidden_kind":
            return _("The file was refused: it is %(what)s, not a PDF or an image.") % {"what": p["what"]}
        case "not_pdf_or_image":
            return _("Only PDF files and JPEG, PNG or WebP images are accepted.")
        case "broken_image":
            return registry.picture_refusal(images.Refused("broken"))
        case "too_many_pixels":
            return registry.picture_refusal(images.Refused("too_many_pixels", **p))
        case "broken_pdf":
            return _("The PDF cannot be read: it is damaged or incomplete.")
        case "encrypted_pdf":
            return _("The PDF is encrypted or password-protected; upload an unprotected copy.")
        case "active_pdf":
            return _("The PDF contains active content (%(name)s), which is not accepted.") % p
        case "extension_mismatch":
            return _("The file's name ends in .%(extension)s but its content is %(kind)s.") % p
    return str(exc)  # pragma: no cover - every code is worded above


def inspect_upload(upload, field: str = "file") -> tuple[bytes, uploads.Inspected]:
    limit = settings.OCOP_EVIDENCE_MAX_BYTES
    if getattr(upload, "size", 0) and upload.size > limit:
        raise ValidationError(
            {field: [rejection_text(uploads.Rejected("too_large", size=upload.size, limit=limit))]}
        )
    upload.seek(0)
    content = upload.read(limit + 1)
    upload.seek(0)
    try:
        found = uploads.inspect(
            content,
            getattr(upload, "name", "") or "",
            max_bytes=limit,
            max_pixels=settings.OCOP_IMAGE_MAX_PIXELS,
        )
    except uploads.Rejected as exc:
        raise ValidationError({field: [rejection_text(exc)]}) from None
    return found.content, found


def delete_file_if_unused(name: str) -> None:
    """Stored files may be shared by dossiers (carried-over evidence): delete only the last."""
    if name and not Evidence.objects.filter(file=name).exists():
        storage = Evidence._meta.get_field("file").storage
        transaction.on_commit(lambda: storage.delete(name))


def clean_answers(data, answers, flags) -> tuple[dict, list]:
    """Checked answers in one stored form (an option, or ``{"case", "option"}`` where the
    criterion has alternative cases) and the yes/no checks ticked."""
    try:
        choices = engine.parse_answers(data, answers)
        yes = engine.parse_checks(data, flags)
    except engine.AnswerError as exc:
        raise ValidationError({"answers": [problem_text(p) for p in exc.problems]}) from None
    stored = {code: choice.as_json(data.criterion(code).has_cases) for code, choice in choices.items()}
    return stored, sorted(yes)
