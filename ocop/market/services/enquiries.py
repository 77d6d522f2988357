"""Buyers' enquiries to producers: submitted and answered on the platform, the buyer reached
through a signed link; spam checks, rate limits and forgetting buyers after a year."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ocop.accounts import gate
from ocop.accounts.choices import Action
from ocop.accounts.services import audit_record
from ocop.registry.models import Producer, Product

from ..choices import EnquiryStatus, Side
from ..models import (
    Enquiry,
    EnquiryMessage,
    SupplyCapacity,
)
from ._common import public_products

ENQUIRY_SALT = "ocop.market.enquiry"
FORM_SALT = "ocop.market.enquiry-form"
ENQUIRY_FIELDS = [
    "buyer_kind",
    "buyer_organisation",
    "buyer_name",
    "buyer_email",
    "destination",
    "quantity",
    "unit",
    "wanted_from",
    "wanted_until",
]
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)


class Refused(ValidationError):
    """An enquiry or reply turned away as spam or over the rate limit (nothing is saved)."""


def client_key(address: str) -> str:
    """An opaque key for a client address: rate limits count by it; it is never stored."""
    return hmac.new(settings.SECRET_KEY.encode(), (address or "").encode(), hashlib.sha256).hexdigest()[:24]


def form_started_token(now: float | None = None) -> str:
    """A signed time put in the enquiry form, to tell a person from a script posting at once."""
    return signing.dumps(now if now is not None else time.time(), salt=FORM_SALT)


def _check_human(*, honeypot: str, started: str, now: float) -> None:
    if honeypot:
        raise Refused(_("Your message could not be sent."))
    try:
        started_at = float(signing.loads(started or "", salt=FORM_SALT, max_age=24 * 3600))
    except (signing.BadSignature, TypeError, ValueError):
        raise Refused(_("The form has expired: reload the page and send it again.")) from None
    if now - started_at < settings.OCOP_ENQUIRY_MIN_SECONDS:
        raise Refused(_("Your message could not be sent."))


def _count(key: str, limit: int, window: int) -> None:
    cache.add(key, 0, window)
    try:
        value = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        value = 1
    if value > limit:
        raise Refused(_("Too many messages from here for now: please try again later."))


def _rate_limit(client: str) -> None:
    _count(f"ocop:market:enq:c:{client}", settings.OCOP_ENQUIRY_LIMIT_PER_HOUR, 3600)


def _check_body(body: str) -> str:
    body = (body or "").replace("\x00", "").strip()
    if len(body) < 10:
        raise ValidationError({"message": [_("Say a little more about what you need.")]})
    if len(body) > 4000:
        raise ValidationError({"message": [_("Keep the message under 4,000 characters.")]})
    if len(_URL.findall(body)) > settings.OCOP_ENQUIRY_MAX_LINKS:
        raise Refused(_("Messages may hold at most two links."))
    return body


def accepts_enquiries(producer: Producer, product: Product | None = None) -> bool:
    """Whether anyone at the producer can answer (it has accounts on the platform) and, for a
    product, whether its supply figures turn enquiries away."""
    if not producer.memberships.exists():
        return False
    if product is None:
        return True
    return not SupplyCapacity.objects.filter(product=product, accepts_enquiries=False).exists()


def enquiry_token(enquiry: Enquiry) -> str:
    return signing.Signer(salt=ENQUIRY_SALT).sign(f"{enquiry.pk}.{enquiry.key}")


def enquiry_from_token(token: str) -> Enquiry | None:
    try:
        value = signing.Signer(salt=ENQUIRY_SALT).unsign(token or "")
        pk, key = value.split(".", 1)
        enquiry = Enquiry.objects.select_related("producer", "product").get(pk=int(pk))
    except (signing.BadSignature, ValueError, Enquiry.DoesNotExist):
        return None
    return enquiry if secrets.compare_digest(enquiry.key, key) else None


def _absolute(path: str) -> str:
    return f"{settings.OCOP_PUBLIC_URL}{path}"


def _notify_buyer(enquiry: Enquiry, *, first: bool) -> None:
    if not enquiry.buyer_email:
        return  # forgotten (enquiries_forget_buyers)
    link = _absolute(reverse("market:enquiry_thread", args=[enquiry_token(enquiry)]))
    with translation.override(enquiry.language):
        if first:
            subject = _("Your enquiry to %(producer)s") % {"producer": enquiry.producer.name}
            body = _(
                "Thank you. Your enquiry has been passed to %(producer)s. Their answer will appear here, "
                "where you can also reply:\n\n%(link)s\n\nKeep this link: it is your access to the conversation."
            ) % {"producer": enquiry.producer.name, "link": link}
        else:
            subject = _("%(producer)s answered your enquiry") % {"producer": enquiry.producer.name}
            body = _("Read the answer and reply here:\n\n%(link)s") % {"link": link}
    send_mail(subject, body, None, [enquiry.buyer_email], fail_silently=True)


def _notify_producer(enquiry: Enquiry) -> None:
    recipients = [
        email
        for email in enquiry.producer.members.filter(is_active=True).values_list("email", flat=True)
        if email
    ]
    if not recipients:
        return
    link = _absolute(reverse("market:manage_enquiry", args=[enquiry.pk]))
    with translation.override("vi"):
        subject = _("A buyer's enquiry: %(organisation)s") % {"organisation": enquiry.buyer_organisation}
        body = _("Read and answer it on the OCOP platform:\n\n%(link)s") % {"link": link}
    send_mail(subject, body, None, recipients, fail_silently=True)


@transaction.atomic
def enquiry_submit(
    *,
    producer: Producer,
    data: dict,
    message: str,
    client: str,
    honeypot: str = "",
    started: str = "",
    product: Product | None = None,
    language: str = "vi",
    now: float | None = None,
) -> tuple[Enquiry, str]:
    """A buyer asks a producer for a quote. Returns the enquiry and the buyer's link token.

    Turned away (:class:`Refused`, nothing saved) when the hidden field was filled, the form
    was sent faster than a person types, the address or e-mail sent too many lately, or the
    producer received too many today.
    """
    now = time.time() if now is None else now
    _rate_limit(client)
    _check_human(honeypot=honeypot, started=started, now=now)
    if not public_products().filter(producer=producer).exists():
        raise PermissionDenied
    if product is not None and (
        product.producer_id != producer.pk or not public_products().filter(pk=product.pk).exists()
    ):
        raise ValidationError({"product": [_("The product is not this producer's.")]})
    if not accepts_enquiries(producer, product):
        raise ValidationError(_("This producer does not take enquiries on the platform yet."))
    body = _check_body(message)
    enquiry = Enquiry(
        producer=producer,
        product=product,
        key=secrets.token_urlsafe(24),
        language=language if language in ("vi", "en") else "vi",
        **{k: v for k, v in data.items() if k in ENQUIRY_FIELDS},
    )
    enquiry.buyer_organisation = (enquiry.buyer_organisation or "").strip()
    enquiry.buyer_name = (enquiry.buyer_name or "").strip()
    if enquiry.wanted_from and enquiry.wanted_until and enquiry.wanted_until < enquiry.wanted_from:
        raise ValidationError({"wanted_until": [_("The end is before the start.")]})
    if enquiry.quantity is not None and not enquiry.unit:
        raise ValidationError({"unit": [_("Say what the quantity is counted in.")]})
    enquiry.full_clean()
    _rate_limit_email(enquiry.buyer_email)
    _rate_limit_producer(producer)
    enquiry.save()
    EnquiryMessage.objects.create(enquiry=enquiry, side=Side.BUYER, body=body)
    # No personal data in the audit trail: the buyer's name and e-mail stay on the enquiry.
    audit_record(
        actor=None,
        action="enquiry.create",
        obj=enquiry,
        province_id=producer.province_id,
        producer_id=producer.pk,
        buyer_kind=enquiry.buyer_kind,
    )
    transaction.on_commit(lambda: (_notify_buyer(enquiry, first=True), _notify_producer(enquiry)))
    return enquiry, enquiry_token(enquiry)


def _rate_limit_email(email: str) -> None:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:24]
    _count(f"ocop:market:enq:e:{digest}", settings.OCOP_ENQUIRY_LIMIT_PER_DAY, 86400)


def _rate_limit_producer(producer: Producer) -> None:
    """A ceiling on the enquiries one producer receives a day, whoever sends them: a flood
    from many addresses and e-mails must not bury a cooperative's inbox."""
    limit = settings.OCOP_ENQUIRY_LIMIT_PER_PRODUCER_PER_DAY
    try:
        _count(f"ocop:market:enq:p:{producer.pk}", limit, 86400)
    except Refused:
        raise Refused(
            _("This producer has received many enquiries today: please try again tomorrow.")
        ) from None


@transaction.atomic
def enquiry_buyer_reply(*, enquiry: Enquiry, message: str, client: str) -> EnquiryMessage:
    """The buyer writes again, through their link."""
    _rate_limit(client)
    enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    if enquiry.status == EnquiryStatus.CLOSED:
        raise ValidationError(_("This enquiry is closed."))
    body = _check_body(message)
    reply = EnquiryMessage.objects.create(enquiry=enquiry, side=Side.BUYER, body=body)
    enquiry.status = EnquiryStatus.OPEN
    enquiry.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=None, action="enquiry.buyer_reply", obj=enquiry, province_id=enquiry.producer.province_id
    )
    transaction.on_commit(lambda: _notify_producer(enquiry))
    return reply


@transaction.atomic
def enquiry_answer(*, user, enquiry: Enquiry, message: str) -> EnquiryMessage:
    """The producer answers on the platform; the buyer is told by e-mail, with their link."""
    gate.require(user, Action.CHANGE, enquiry)
    enquiry = Enquiry.objects.select_for_update().select_related("producer").get(pk=enquiry.pk)
    if enquiry.status == EnquiryStatus.CLOSED:
        raise ValidationError(_("This enquiry is closed."))
    body = _check_body(message)
    reply = EnquiryMessage.objects.create(enquiry=enquiry, side=Side.PRODUCER, author=user, body=body)
    enquiry.status = EnquiryStatus.ANSWERED
    enquiry.save(update_fields=["status", "updated_at"])
    audit_record(actor=user, action="enquiry.answer", obj=enquiry, province_id=enquiry.producer.province_id)
    transaction.on_commit(lambda: _notify_buyer(enquiry, first=False))
    return reply


@transaction.atomic
def enquiry_close(*, user, enquiry: Enquiry) -> Enquiry:
    gate.require(user, Action.CHANGE, enquiry)
    enquiry = Enquiry.objects.select_for_update().get(pk=enquiry.pk)
    enquiry.status = EnquiryStatus.CLOSED
    enquiry.save(update_fields=["status", "updated_at"])
    audit_record(actor=user, action="enquiry.close", obj=enquiry, province_id=enquiry.producer.province_id)
    return enquiry


def enquiries_forget_buyers(*, older_than_days: int | None = None, now=None) -> int:
    """Erase the buyer's name and e-mail address from enquiries untouched for
    ``older_than_days`` (``OCOP_ENQUIRY_RETENTION_DAYS``, a year by default): they were kept to
    send the buyer their link and notices, and a conversation that quiet needs neither. The
    organisation, the figures and the messages stay (the producer's record of the trade); the
    buyer's link still opens the conversation. Returns how many were erased; run daily by
    ``ocop enquiries-forget``."""
    days = older_than_days if older_than_days is not None else settings.OCOP_ENQUIRY_RETENTION_DAYS
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        # update(): the enquiries' updated_at stays, as nobody took part in them.
        erased = (
            Enquiry.objects.filter(updated_at__lt=cutoff)
            .exclude(buyer_email="", buyer_name="")
            .update(buyer_email="", buyer_name="")
        )
        if erased:
            audit_record(
                actor=None,
                action="enquiry.forget_buyers",
                object_type="market.enquiry",
                count=erased,
                untouched_since=cutoff.isoformat(),
            )
    return erased
