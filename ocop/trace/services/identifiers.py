"""The platform's identifiers: its public base URL and former ones, the namespace of its EPCIS
extension fields, product codes, and the Digital Links (or platform links) of products, batches
and labels. The scheme is documented in ``ocop/trace/codes.py`` and ``docs/traceability.md``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext_lazy

from ocop.registry.models import Product

from .. import codes
from .. import digitallink as dl
from ..models import Batch


def public_base() -> str:
    """The base URL printed on labels and used in the platform's own identifiers."""
    return (settings.OCOP_PUBLIC_URL or "http://localhost").rstrip("/")


def platform_scheme() -> codes.PlatformScheme:
    """Hosts whose ``/t/`` URIs are the platform's: the public URL and former ones."""
    return codes.PlatformScheme.for_urls(public_base(), *settings.OCOP_TRACE_FORMER_URLS)


def namespace() -> str:
    """The JSON-LD namespace of the platform's EPCIS extension fields (``ocop:step``...)."""
    return settings.OCOP_TRACE_NAMESPACE or f"{public_base()}/ns/epcis/"


def product_code(product: Product) -> str:
    """The platform product code (for products without a GTIN): the product's permanent record
    number in Crockford base 32 with a check character."""
    return codes.encode(product.pk)


def class_link(product: Product, lot: str | None = None):
    """The product's (or batch's) identifier: a Digital Link for a GTIN, else a platform link."""
    if product.gtin:
        return dl.build("01", product.gtin, [("10", lot)] if lot else [])
    return codes.PlatformLink(product_code(product), lot)


def class_uri(product: Product, lot: str | None = None) -> str:
    """As written in EPCIS events: canonical Digital Link, or the platform URI."""
    link = class_link(product, lot)
    return link.canonical() if isinstance(link, dl.DigitalLink) else link.uri(public_base())


def class_key(product: Product, lot: str | None = None) -> str:
    """As stored and matched (see :func:`ocop.trace.digitallink.canonical_key`)."""
    link = class_link(product, lot)
    return link.canonical() if isinstance(link, dl.DigitalLink) else link.key()


def label_link(batch: Batch, serial: int | str | None = None):
    if batch.product.gtin:
        qualifiers = [("10", batch.lot)] + ([("21", str(serial))] if serial is not None else [])
        return dl.build("01", batch.product.gtin, qualifiers)
    return codes.PlatformLink(product_code(batch.product), batch.lot, None if serial is None else str(serial))


def label_uri(batch: Batch, serial: int | str | None = None) -> str:
    """What a label's QR code holds: the Digital Link (or platform link) on the public URL."""
    return label_link(batch, serial).uri(public_base())


LOT_MESSAGES = {
    "empty-value": gettext_lazy("Enter the lot number."),
    "too-long": gettext_lazy("A lot number has at most 20 characters."),
    "bad-character": gettext_lazy(
        "Use only letters without accents, digits and the signs - . / _ (the GS1 rules for lot numbers)."
    ),
}


def lot_error(lot: str) -> str | None:
    """Why ``lot`` cannot be printed as a GS1 lot number (in the reader's language), or None."""
    try:
        dl.check_value("10", lot)
    except dl.DigitalLinkError as exc:
        return str(
            LOT_MESSAGES.get(exc.code, gettext_lazy("This lot number cannot be printed in a GS1 code."))
        )
    return None
