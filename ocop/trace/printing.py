"""Label sheets for a batch: the registry's facts put on :mod:`ocop.trace.labels`' layout."""

from __future__ import annotations

from django.utils import timezone

from . import labels, services
from .models import Batch


def label_sheet(batch: Batch, serials, *, per_page: int = 24, fmt: str = "pdf") -> tuple[bytes, str, str]:
    """The sheet of ``serials`` as (content, file name, content type). The OCOP star mark is
    printed only if the product's recognition is valid today."""
    product = batch.product
    today = timezone.localdate()
    current = product.current_recognition(today)
    stars = current.stars if current and current.status_on(today) == "valid" else None
    lot_line = f"Lô / Lot {batch.lot}"
    if batch.expires_on:
        lot_line += f" · HSD {batch.expires_on:%d/%m/%Y}"
    items = []
    for serial in serials:
        link = services.label_link(batch, serial)
        items.append(
            labels.Label(
                uri=link.uri(services.public_base()),
                code=link.element_string(),
                title=product.name_vi,
                stars=stars,
                lot_line=lot_line,
            )
        )
    stem = f"ocop-labels-{batch.lot}-{serials[0]}-{serials[-1]}".replace("/", "-")
    if fmt == "svg":
        content, suffix = labels.svg(items, per_page=per_page)
        return content, f"{stem}.{suffix}", "image/svg+xml" if suffix == "svg" else "application/zip"
    return (
        labels.pdf(items, per_page=per_page, title=f"{product.name_vi} — {batch.lot}"),
        f"{stem}.pdf",
        "application/pdf",
    )
