"""The Digital Link resolver: from a scanned code to the scan page, or to the product's linkset.

``/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}][?attributes]`` for GS1 codes and
``/t/{code}[/10/{lot}][/21/{serial}]`` for the platform's own (see ``codes.py``). By default
a scan is answered with a redirect (307) to the scan page, which states the live status of the
product's recognition. With ``Accept: application/linkset+json`` or ``?linkType=all`` the
answer is the linkset (RFC 9264) of the product: its information page (``gs1:pip``), the live
status of its certificate (``gs1:certificationInfo``), the batch's chain of events
(``gs1:traceability``), its master data (``gs1:masterData``), and the links its owner or an
officer added; titles in the language the client asks for. ``?linkType=gs1:pip`` (or any type)
redirects to the first link of that type.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from ocop.registry.models import Product
from ocop.web.language import page_language

from . import codes
from . import digitallink as dl
from .choices import LinkType
from .models import Batch, ProductLink
from .scans import Target, lookup

VOC = "https://gs1.org/voc/"
LINKSET_TYPE = "application/linkset+json"
# The JSON-LD context GS1 publishes for reading a linkset as linked data.
LINKSET_CONTEXT = "https://ref.gs1.org/standards/resolver/linkset-context"


@dataclass(frozen=True)
class Scanned:
    """A parsed scan: the code as the platform identifies it, and what it points to."""

    link: dl.DigitalLink | codes.PlatformLink
    target: Target

    @property
    def serial(self) -> str | None:
        return self.link.serial

    @property
    def lot(self) -> str | None:
        return self.link.lot

    @property
    def code(self) -> str:
        """The scanned identifier without its data attributes (for flags)."""
        return self.link.path()

    def anchor(self, base: str) -> str:
        if isinstance(self.link, dl.DigitalLink):
            return self.link.canonical()
        return self.link.uri(base)


def raw_path(request) -> str:
    """The request's path as sent, percent-encoding intact when the server passes it on
    (gunicorn's RAW_URI), so a lot containing an encoded ``/`` is read right."""
    raw = request.META.get("RAW_URI") or request.META.get("REQUEST_URI")
    if raw:
        return urlsplit(raw).path
    return quote(request.path, safe="/:@!$&'()*+,;=-._~")


def scan(request) -> Scanned:
    """Parse the scanned address and look up what it points to (``DigitalLinkError`` if malformed)."""
    return scan_path(raw_path(request), request.META.get("QUERY_STRING", ""))


def scan_path(path: str, query: str = "") -> Scanned:
    """Parse a scanned path and query string and look up what they point to."""
    if path.startswith(f"/{codes.PATH}/"):
        link = codes.parse_platform_path(path)
        dl.parse_query(query)  # data attributes are checked the same way
        return Scanned(link, lookup("code", link.code, link.lot))
    link = dl.parse_path(path, query)
    if link.key != "01":
        raise dl.DigitalLinkError(
            "unsupported-key",
            f"({link.key}) codes are not resolved here; this resolver serves products (01).",
            404,
        )
    return Scanned(link, lookup("gtin", link.value, link.lot))


@functools.lru_cache(maxsize=65536)
def _path(name: str, pk: int) -> str:
    """A scan page's path, reversed once per batch or product (every scan asks for it)."""
    return reverse(name, args=[pk])


def scan_page(scanned: Scanned) -> str:
    """Where a shopper's scan lands (the same whatever the status, so it can be cached)."""
    target = scanned.target
    params = {}
    if target.batch_id is not None:
        url = _path("trace:scan_batch", target.batch_id)
        if scanned.serial is not None:
            params["s"] = scanned.serial
        if not target.serial_issued(scanned.serial):
            params["unknown"] = "serial"
    else:
        url = _path("trace:scan_product", target.product_id)
        if target.lot_unknown:
            params["unknown"] = "lot"
    return url + ("?" + urlencode(params) if params else "")


def linkset(request, scanned: Scanned, base: str) -> dict:
    """The RFC 9264 linkset of a scanned code (JSON form)."""
    language = page_language(request)
    product = Product.objects.select_related("producer").get(pk=scanned.target.product_id)
    batch = Batch.objects.filter(pk=scanned.target.batch_id).first() if scanned.target.batch_id else None
    absolute = request.build_absolute_uri
    with translation.override(language):
        scan_url = absolute(scan_page(scanned))
        links: dict[str, list[dict]] = {}

        def add(rel: str, href: str, title: str, kind: str = "text/html", lang: str | None = language):
            entry = {"href": href, "title": title, "type": kind}
            if lang:
                entry["hreflang"] = [lang]
            links.setdefault(VOC + rel.removeprefix("gs1:"), []).append(entry)

        name = product.name_in(language)
        # The default link carries a title and nothing else (GS1-Conformant Resolver).
        links[VOC + "defaultLink"] = [
            {
                "href": scan_url,
                "title": _("%(name)s: what the label says and whether it is true") % {"name": name},
            }
        ]
        add("gs1:pip", scan_url, _("Product information: %(name)s") % {"name": name})
        if product.recognitions.exists():
            add(
                "gs1:pip",
                absolute(reverse("market:product_redirect", args=[product.pk])),
                _("OCOP product page"),
            )
        add(
            "gs1:certificationInfo",
            absolute(reverse("api:trace_product_status", args=[product.pk])),
            _("Live status of the OCOP recognition"),
            "application/json",
            None,
        )
        add("gs1:certificationInfo", scan_url + "#status", _("OCOP recognition status"))
        if batch is not None:
            add("gs1:traceability", scan_url + "#chain", _("The batch's journey"))
            from .services import class_uri

            query = urlencode({"MATCH_anyEPCClass": class_uri(product, batch.lot)})
            add(
                "gs1:traceability",
                absolute(reverse("trace:epcis_events") + "?" + query),
                _("EPCIS events of the batch (for partners with an account)"),
                "application/ld+json",
                None,
            )
        if product.recognitions.exists():
            add(
                "gs1:masterData",
                absolute(f"/api/v1/products/{product.pk}"),
                _("Product master data"),
                "application/json",
                None,
            )
        for link in ProductLink.objects.filter(product=product).order_by("link_type", "pk"):
            if link.language and link.language != language:
                continue
            add(link.link_type, link.href, link.title, "text/html", link.language or None)
    return {"linkset": [{"anchor": scanned.anchor(base), **links}]}


def link_of_type(document: dict, link_type: str, accept: str = "") -> str | None:
    """The link of a type (``gs1:pip`` or its full URI) in a linkset document: the first whose
    media type the client accepts, else the first of that type."""
    if link_type.startswith(("https://ref.gs1.org/voc/", "https://www.gs1.org/voc/")):
        link_type = "gs1:" + link_type.rsplit("/", 1)[-1]
    rel = VOC + link_type.removeprefix("gs1:") if not link_type.startswith("http") else link_type
    entries = document["linkset"][0].get(rel) or []
    if not entries:
        return None
    wanted = [part.split(";")[0].strip() for part in accept.split(",")]
    for entry in entries:
        if entry.get("type") and entry["type"] in wanted:
            return entry["href"]
    return entries[0]["href"]


def description(base: str) -> dict:
    """The resolver description file (``/.well-known/gs1resolver``)."""
    return {
        "name": "OCOP platform resolver",
        "resolverRoot": base,
        "supportedPrimaryKeys": ["01"],
        "supportedLinkType": [{"namespace": VOC, "prefix": "gs1:"}],
        "linkTypeDefaultCanBeLinkset": False,
        "jsonLdContextLocation": LINKSET_CONTEXT,
        "contact": {"fn": "OCOP platform"},
    }


LINK_TYPES = {value for value in LinkType.values} | {"gs1:defaultLink"}
