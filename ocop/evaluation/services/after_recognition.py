"""After recognition: revocation on stated grounds, and notices before a recognition expires."""

from __future__ import annotations

import logging
import secrets
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Role
from ocop.accounts.models import Grant
from ocop.accounts.services import audit_record
from ocop.registry import services as registry
from ocop.registry.models import Recognition

from ..choices import RevocationGround
from ..models import ExpiryNotice, Revocation

log = logging.getLogger(__name__)

# A claim on a notice left by a run that died is taken over after this long.
CLAIM_TIMEOUT = timedelta(minutes=30)


@transaction.atomic
def revocation_record(
    *,
    user,
    recognition: Recognition,
    ground: str,
    decision_no: str,
    decided_on: date,
    revoked_on: date | None = None,
    details: str = "",
    signer: str = "",
) -> Revocation:
    """Revoke a recognition on stated grounds by a revocation decision. The registry records the
    date and reason (through its own service), so every surface shows "revoked" at once."""
    producer = recognition.product.producer
    if not gate.may_create(
        user, Revocation, province_id=producer.province_id, commune_id=producer.commune_id
    ):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    decision_no, details = (decision_no or "").strip(), (details or "").strip()
    if ground not in RevocationGround.values:
        errors["ground"] = [_("Choose the ground for revocation.")]
    if not decision_no:
        errors["decision_no"] = [_("Enter the number of the revocation decision.")]
    if ground == RevocationGround.OTHER and not details:
        errors["details"] = [_("Describe the ground.")]
    if decided_on and decided_on > timezone.localdate():
        errors["decided_on"] = [_("The decision date is in the future.")]
    if errors:
        raise ValidationError(errors)
    revoked_on = revoked_on or decided_on
    reason = f"{RevocationGround(ground).label}{': ' + details if details else ''} ({decision_no}, {decided_on:%d/%m/%Y})"
    registry.recognition_revoke(
        user=user, recognition=recognition, revoked_on=revoked_on, reason=reason[:300]
    )
    revocation = Revocation.objects.create(
        recognition=recognition,
        ground=ground,
        details=details,
        decision_no=decision_no,
        decided_on=decided_on,
        signer=(signer or "").strip()[:200],
        created_by=user,
    )
    audit_record(
        actor=user,
        action="recognition.revocation",
        obj=revocation,
        province_id=producer.province_id,
        recognition_id=recognition.pk,
        ground=ground,
        decision_no=decision_no,
    )
    return revocation


def expiry_notices_plan(*, today: date) -> int:
    """Create the notices due today: for each recognition in force expiring within a notice
    window, the notice of the nearest window it has entered (so a recognition found 20 days
    before expiry gets the 30-day notice, not a late 90-day one). Idempotent."""
    windows = sorted(set(settings.OCOP_EXPIRY_NOTICE_DAYS), reverse=True)
    if not windows:
        return 0
    rows = Recognition.objects.valid_on(today).filter(valid_until__lte=today + timedelta(days=windows[0]))
    due = {}
    for pk, valid_until in rows.values_list("pk", "valid_until"):
        left = (valid_until - today).days
        window = min(w for w in windows if left <= w)
        due[(pk, window)] = valid_until - timedelta(days=window)
    existing = set(
        ExpiryNotice.objects.filter(recognition_id__in={pk for pk, _w in due}).values_list(
            "recognition_id", "days_before"
        )
    )
    new = [
        ExpiryNotice(recognition_id=pk, days_before=window, due_on=day)
        for (pk, window), day in due.items()
        if (pk, window) not in existing
    ]
    # Another run may be planning at the same moment: the unique constraint keeps one row each.
    ExpiryNotice.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _recipients(recognition: Recognition) -> list[str]:
    producer = recognition.product.producer
    User = get_user_model()
    emails = set(
        User.objects.filter(producer_memberships__producer=producer, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    officers = Grant.objects.filter(
        role=Role.PROVINCE_OFFICER, province_id=producer.province_id, user__is_active=True
    )
    emails |= set(officers.exclude(user__email="").values_list("user__email", flat=True))
    return sorted(emails)


def _notice_message(notice: ExpiryNotice, recipients: list[str], today: date) -> EmailMessage:
    recognition = notice.recognition
    context = {
        "recognition": recognition,
        "product": recognition.product,
        "producer": recognition.product.producer,
        "days_left": (recognition.valid_until - today).days,
        "public_url": settings.OCOP_PUBLIC_URL
        + reverse("market:product_redirect", args=[recognition.product_id]),
    }
    bodies, subject = [], ""
    for language in ("vi", "en"):
        with translation.override(language):
            bodies.append(render_to_string("evaluation/email/expiry_notice.txt", context).strip())
            if language == "vi":
                subject = render_to_string("evaluation/email/expiry_subject.txt", context).strip()
    return EmailMessage(subject=subject, body="\n\n-----\n\n".join(bodies), to=recipients)


def expiry_notices_send(*, today: date | None = None, connection=None) -> dict:
    """Plan today's notices and send every pending one once. Each notice is claimed with a
    conditional update first, so two runs at the same time never send the same notice; a claim
    left by a run that died is taken over after ``CLAIM_TIMEOUT``."""
    today = today or timezone.localdate()
    planned = expiry_notices_plan(today=today)
    sent = skipped = failed = 0
    stale = timezone.now() - CLAIM_TIMEOUT
    pending = ExpiryNotice.objects.filter(sent_at__isnull=True).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    )
    connection = connection or get_connection()
    for notice_id in list(pending.values_list("pk", flat=True)):
        token = secrets.token_hex(8)
        claimed = (
            ExpiryNotice.objects.filter(pk=notice_id, sent_at__isnull=True)
            .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
            .update(claimed_at=timezone.now(), claim=token)
        )
        if not claimed:
            continue
        notice = ExpiryNotice.objects.select_related("recognition__product__producer").get(pk=notice_id)
        if notice.recognition.status_on(today) != "valid":
            # Revoked or superseded since it was planned: nothing to tell.
            ExpiryNotice.objects.filter(pk=notice_id, claim=token).update(
                sent_at=timezone.now(), error="not in force"
            )
            skipped += 1
            continue
        recipients = _recipients(notice.recognition)
        try:
            if recipients:
                connection.send_messages([_notice_message(notice, recipients, today)])
        except Exception as exc:  # the mail server refused: release the claim, try again next run
            log.warning("expiry notice %s not sent: %s", notice_id, exc)
            ExpiryNotice.objects.filter(pk=notice_id, claim=token).update(
                claimed_at=None, claim="", error=str(exc)[:300]
            )
            failed += 1
            continue
        ExpiryNotice.objects.filter(pk=notice_id, claim=token).update(
            sent_at=timezone.now(),
            recipients=len(recipients),
            error="" if recipients else "no e-mail address",
        )
        audit_record(
            actor=None,
            action="recognition.expiry_notice",
            obj=notice.recognition,
            province_id=notice.recognition.product.producer.province_id,
            days_before=notice.days_before,
            recipients=len(recipients),
        )
        sent += 1
    return {"planned": planned, "sent": sent, "skipped": skipped, "failed": failed}
