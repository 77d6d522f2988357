"""Background job handlers of the cycle: the certificates' PDFs of an issued decision.

Thin and idempotent: a certificate that already has its PDF is left alone, so running the job
again (after a failure) finishes the rest. Registered in EvaluationConfig.ready.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from . import certificates, services
from .models import Certificate


def make_certificates(job, progress) -> dict:
    decision_id = job.params["decision"]
    rows = list(
        Certificate.objects.filter(item__decision_id=decision_id)
        .select_related(
            "recognition",
            "recognition__product",
            "recognition__product__producer",
            "recognition__product__producer__province",
            "recognition__product__producer__commune",
            "item__decision__round__province",
        )
        .order_by("pk")
    )
    progress(0, len(rows), "")
    made = []
    for done, certificate in enumerate(rows, start=1):
        if not certificate.file:
            content = certificates.render(certificate, verify_url=services.verification_url(certificate))
            certificate.file.save(f"{certificate.code}.pdf", ContentFile(content), save=False)
            Certificate.objects.filter(pk=certificate.pk, file="").update(file=certificate.file.name)
            made.append(certificate)
        progress(done, len(rows), certificate.number)
    notified = _notify_producers(made)
    return {"certificates": len(rows), "made": len(made), "notified": notified}


def _notify_producers(made: list[Certificate]) -> int:
    """Tell each producer's staff that a certificate is ready (in Vietnamese, then English)."""
    messages = []
    for certificate in made:
        producer = certificate.recognition.product.producer
        emails = sorted(
            {e for e in producer.members.filter(is_active=True).values_list("email", flat=True) if e}
        )
        if not emails:
            continue
        context = {
            "certificate": certificate,
            "product": certificate.recognition.product,
            "recognition": certificate.recognition,
            "verify_url": services.verification_url(certificate),
            "public_url": settings.OCOP_PUBLIC_URL,
        }
        bodies = []
        for language in ("vi", "en"):
            with translation.override(language):
                bodies.append(render_to_string("evaluation/email/certificate_ready.txt", context).strip())
        subject = f"OCOP: {certificate.recognition.product.name_vi} — {certificate.number}"
        messages.append(EmailMessage(subject=subject, body="\n\n-----\n\n".join(bodies), to=emails))
    if messages:
        from django.core.mail import get_connection

        get_connection().send_messages(messages)
    return len(messages)
