"""Identifiers the platform issues to producers that hold no GS1 company prefix.

A pure core (no Django). The scheme (also described for users in ``docs/traceability.md``):

* **No GTIN is ever invented.** A GTIN belongs to the holder of a GS1 company prefix; a
  product without one keeps no GTIN on the platform.
* Such a product gets a **platform product code**: six characters of Crockford base-32 (digits
  and capitals without I, L, O, U, so it is read aloud and typed without ambiguity) counting the
  codes issued, then one check character (Damm, see :func:`check_char`), e.g. ``00001AG``. It
  is issued once and never changes, whatever happens to the product's name, producer or
  province.
* Its labels carry an HTTP URI on the platform under a path of its own, ``/t/``, shaped like a
  Digital Link (the same qualifiers, in the same order, with the same character rules):
  ``{OCOP_PUBLIC_URL}/t/00001AG/10/{lot}/21/{serial}``. The separate path keeps it clearly apart
  from GS1 keys (a GS1 resolver never mistakes it for a GTIN), while one parser and one resolver
  serve both. EPCIS accepts any URI as an identifier, so events name these items directly.
* Serials on labels are issued by the platform per batch, counting up from 1, for GTIN products
  and coded products alike; a serial above the batch's issued count was never issued.

The trade-off: a ``/t/`` URI resolves only through this platform (GS1's global resolver knows
nothing of it), and its host is part of the printed label. Identifiers are therefore stored
under a host-independent key (``ocop:t/00001AG/10/L1``) so that moving the platform to another
domain (listing the old one in ``platform hosts``) keeps every stored event and printed label
working. A producer who later joins GS1 records a GTIN on the product; new labels then use
``/01/``, old ``/t/`` labels keep resolving to the same product.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from .digitallink import DigitalLinkError, check_value, encode_segment, path_qualifiers

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
# Crockford's decoding rules: letters people confuse with digits read as those digits.
_ALIASES = {"I": "1", "L": "1", "O": "0", "U": "V"}
CODE_LENGTH = 7  # six characters of payload and one check character
PATH = "t"
KEY_PREFIX = "ocop:t/"


def _times_two(value: int) -> int:
    """``value`` times x in GF(32) (polynomial x^5 + x^2 + 1)."""
    value <<= 1
    return value ^ 0b100101 if value & 0b100000 else value


def check_char(payload: str) -> str:
    """The Damm check character over the Crockford alphabet, with the quasigroup
    ``a * b = 2a + b`` in GF(32), which is totally anti-symmetric: it detects every single wrong
    character and every swap of two adjacent different characters, the check character included
    (Luhn mod 32, which it replaces, missed swaps of ``0`` and ``Z``)."""
    interim = 0
    for char in payload:
        interim = _times_two(interim) ^ _VALUE[char]
    return ALPHABET[_times_two(interim)]


def encode(number: int) -> str:
    """The code of the ``number``-th issued product (1-based)."""
    if number < 1 or number >= len(ALPHABET) ** (CODE_LENGTH - 1):
        raise ValueError("code number out of range")
    digits = []
    while number:
        number, rest = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[rest])
    payload = "".join(reversed(digits)).rjust(CODE_LENGTH - 1, "0")
    return payload + check_char(payload)


def normalise_code(text: str) -> str:
    """A product code as typed (any case, hyphens, confusable letters) in its printed form."""
    raw = text.strip().upper().replace("-", "").replace(" ", "")
    code = "".join(_ALIASES.get(c, c) for c in raw)
    if len(code) != CODE_LENGTH or any(c not in _VALUE for c in code):
        raise DigitalLinkError(
            "bad-code", f"{text!r} is not a platform product code (7 letters and digits).", 404
        )
    if check_char(code[:-1]) != code[-1]:
        raise DigitalLinkError(
            "check-digit", f"{text!r}: the last character of the code does not match.", 400
        )
    return code


def decode(code: str) -> int:
    code = normalise_code(code)
    number = 0
    for char in code[:-1]:
        number = number * len(ALPHABET) + _VALUE[char]
    return number


@dataclass(frozen=True)
class PlatformLink:
    """A ``/t/`` identifier: product code, then optional lot and serial."""

    code: str
    lot: str | None = None
    serial: str | None = None

    def path(self) -> str:
        parts = [PATH, self.code]
        if self.lot is not None:
            parts += ["10", self.lot]
        if self.serial is not None:
            parts += ["21", self.serial]
        return "/" + "/".join(map(encode_segment, parts))

    def uri(self, base: str) -> str:
        return base.rstrip("/") + self.path()

    def key(self) -> str:
        return "ocop:" + self.path().lstrip("/")

    def element_string(self) -> str:
        text = f"OCOP {self.code}"
        if self.lot is not None:
            text += f" (10){self.lot}"
        if self.serial is not None:
            text += f" (21){self.serial}"
        return text

    def batch(self) -> PlatformLink:
        return PlatformLink(self.code, self.lot)


def parse_platform_path(path: str) -> PlatformLink:
    """``/t/00001AG/10/L1/21/5`` (or without ``/t``): the lot and serial follow the Digital Link
    rules (``10`` before ``21``, at most 20 characters of GS1 character set 82)."""
    segments = [unquote(s) for s in path.strip("/").split("/")]
    if segments and segments[0] == PATH:
        segments = segments[1:]
    if not segments or not segments[0]:
        raise DigitalLinkError("no-key", "The address holds no product code.", 404)
    code = normalise_code(segments[0])
    values = {
        ai: check_value(ai, value)
        for ai, value in path_qualifiers(segments[1:], ("10", "21"), "a product code")
    }
    return PlatformLink(code, values.get("10"), values.get("21"))


@dataclass(frozen=True)
class PlatformScheme:
    """Which hosts issue ``/t/`` identifiers (the public URL and any former ones)."""

    hosts: frozenset[str]

    @classmethod
    def for_urls(cls, *urls: str) -> PlatformScheme:
        return cls(frozenset(urlsplit(u).netloc.lower() for u in urls if u))

    def key_of(self, uri: str) -> str | None:
        """The storage key of a platform URI, or None if the URI is not one of the platform's."""
        if uri.startswith(KEY_PREFIX):
            try:
                return parse_platform_path(uri[len("ocop:") :]).key()
            except DigitalLinkError:
                return None
        parts = urlsplit(uri)
        if parts.netloc.lower() not in self.hosts or not parts.path.startswith(f"/{PATH}/"):
            return None
        try:
            return parse_platform_path(parts.path).key()
        except DigitalLinkError:
            return None
