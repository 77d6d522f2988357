"""What an uploaded evidence file really is: a PDF or an image, or refused — whatever its name says.

A pure core: no Django (Pillow for images, the standard library for PDFs). Checked, in order:

1. **Size**: within the limit the caller passes (a setting).
2. **Malware-shaped content**: the EICAR test signature anywhere; executables and archives by
   their magic bytes at the start (Windows ``MZ``, ELF, Mach-O, ZIP/Office, RAR, 7-Zip, gzip,
   shell scripts) and a ZIP directory appended to an image or PDF (a polyglot).
3. **Kind from the content**, never the extension: ``%PDF-`` starts a PDF; JPEG, PNG and WebP
   are told by Pillow. The extension must agree with the content.
4. **Images** are decoded in full within a pixel limit (decompression bombs are refused from
   their header) and encoded again from their pixels (``ocop/images.py``): what is stored has
   no metadata and nothing appended, and is named after its decoded type.
5. **PDFs** must be whole (``%%EOF`` in the last kilobyte, at least one object), not encrypted
   (their content could not be checked), and free of active content: ``/JavaScript``, ``/JS``,
   ``/Launch``, ``/EmbeddedFile``, ``/RichMedia``, ``/XFA``, ``/SubmitForm``, ``/ImportData``,
   looked for in the file and inside every Flate-compressed stream (object streams hide
   dictionaries), with ``#xx`` escapes in names decoded first.

Public API: :func:`inspect` -> :class:`Inspected` (``content`` is what to store, under
``extension``); :class:`Rejected` (``code`` and ``params``, worded by the caller in the user's
language).
"""

from __future__ import annotations

import hashlib
import re
import zlib
from dataclasses import dataclass, field

from ocop import images

PDF = "application/pdf"
JPEG, PNG, WEBP = "image/jpeg", "image/png", "image/webp"
EXTENSIONS = {PDF: {"pdf"}, JPEG: {"jpg", "jpeg"}, PNG: {"png"}, WEBP: {"webp"}}
STORED_EXTENSION = {PDF: "pdf", **images.EXTENSIONS}
# The refusals of ocop/images.py, in this module's words.
_PICTURE_CODES = {"not_image": "not_pdf_or_image", "broken": "broken_image", "empty": "empty"}

EICAR = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"
# Magic bytes of things that must never pass as evidence, whatever they are named.
FORBIDDEN_MAGIC = {
    b"MZ": "a Windows program",
    b"\x7fELF": "a Linux program",
    b"\xcf\xfa\xed\xfe": "a macOS program",
    b"\xfe\xed\xfa\xcf": "a macOS program",
    b"\xca\xfe\xba\xbe": "a program",
    b"PK\x03\x04": "a ZIP archive or Office file",
    b"PK\x05\x06": "a ZIP archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive",
    b"\x1f\x8b": "a gzip archive",
    b"#!": "a script",
    b"\xd0\xcf\x11\xe0": "an old Office file",
}
ACTIVE_PDF_NAMES = (
    b"/JavaScript",
    b"/JS",
    b"/Launch",
    b"/EmbeddedFile",
    b"/EmbeddedFiles",
    b"/RichMedia",
    b"/XFA",
    b"/SubmitForm",
    b"/ImportData",
)
_ACTIVE = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|XFA|SubmitForm|ImportData)(?![A-Za-z0-9])"
)
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
MAX_STREAMS = 5000
MAX_INFLATED = 64 * 1024 * 1024


class Rejected(ValueError):
    """The file is refused. ``code`` is stable; ``params`` fill the caller's message."""

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}" if params else code)


@dataclass(frozen=True, slots=True)
class Inspected:
    """What to store (``content``: a PDF as sent, an image re-encoded), its type, and the size
    and hash of what is stored."""

    content_type: str
    size: int
    sha256: str
    details: dict = field(default_factory=dict)
    content: bytes = field(default=b"", repr=False)

    @property
    def extension(self) -> str:
        return STORED_EXTENSION[self.content_type]


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def inspect(content: bytes, name: str, *, max_bytes: int, max_pixels: int) -> Inspected:
    """Check an upload and say what it is; raise :class:`Rejected` otherwise."""
    size = len(content)
    if size == 0:
        raise Rejected("empty")
    if size > max_bytes:
        raise Rejected("too_large", size=size, limit=max_bytes)
    if EICAR in content:
        raise Rejected("malware")
    for magic, what in FORBIDDEN_MAGIC.items():
        if content.startswith(magic):
            raise Rejected("forbidden_kind", what=what)
    if content.startswith(b"%PDF-"):
        content_type, stored = PDF, content
        details = _check_pdf(content)
    else:
        content_type, details, stored = _check_image(content, max_pixels)
    # An archive's central directory appended after the real content makes a file that is both
    # an image (or PDF) and a ZIP: refuse it.
    if b"PK\x05\x06" in content[-65_558:] and b"PK\x01\x02" in content:
        raise Rejected("forbidden_kind", what="a ZIP archive")
    extension = _extension(name)
    if extension not in EXTENSIONS[content_type]:
        raise Rejected("extension_mismatch", extension=extension or "—", kind=content_type)
    return Inspected(content_type, len(stored), hashlib.sha256(stored).hexdigest(), details, stored)


def _check_image(content: bytes, max_pixels: int) -> tuple[str, dict, bytes]:
    try:
        picture = images.normalise(content, max_pixels=max_pixels)
    except images.Refused as exc:
        raise Rejected(_PICTURE_CODES.get(exc.code, exc.code), **exc.params) from None
    return picture.content_type, {"width": picture.width, "height": picture.height}, picture.content


def _decoded_names(data: bytes) -> bytes:
    return _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _check_pdf(content: bytes) -> dict:
    if b"%%EOF" not in content[-1024:]:
        raise Rejected("broken_pdf")
    if not re.search(rb"\d+\s+\d+\s+obj\b", content):
        raise Rejected("broken_pdf")
    if re.search(rb"/Encrypt(?![A-Za-z0-9])", content):
        raise Rejected("encrypted_pdf")
    found = _ACTIVE.search(_decoded_names(content))
    streams = 0
    inflated = 0
    if not found:
        for match in _STREAM.finditer(content):
            streams += 1
            if streams > MAX_STREAMS:
                raise Rejected("broken_pdf")
            data = match.group(1)
            try:
                decompressor = zlib.decompressobj()
                plain = decompressor.decompress(data, MAX_INFLATED - inflated)
            except zlib.error:
                continue  # not Flate (images, fonts in other filters): nothing to read in it
            inflated += len(plain)
            if inflated >= MAX_INFLATED:
                raise Rejected("broken_pdf")
            found = _ACTIVE.search(_decoded_names(plain))
            if found:
                break
    if found:
        raise Rejected("active_pdf", name=found.group(0).decode("latin-1"))
    pages = len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", content))
    return {"pages": pages}
