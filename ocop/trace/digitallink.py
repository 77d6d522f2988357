"""GS1 identifiers on labels and in events: Digital Link URIs, EPC URNs, element strings.

A pure core (no Django): parsing, validating and building GS1 Digital Link URIs
(``https://example.vn/01/08934567000017/10/L2511/21/15?17=261231``), the check digits of
GS1 keys, the order of qualifiers, data attributes in the query string, the canonical form,
and conversion in both directions between Digital Link URIs and EPC URNs
(``urn:epc:id:sgtin:893456.0700001.15``), which EPCIS documents use interchangeably.

What it follows (GS1 Digital Link standard 1.2+, GS1 General Specifications, EPC Tag Data
Standard 2.x):

* a primary key (``01`` GTIN, ``00`` SSCC, ``414`` GLN, ``417`` party GLN, ``8003`` GRAI,
  ``8004`` GIAI) comes first, then its key qualifiers in their fixed order
  (for a GTIN: ``22`` consumer product variant, ``10`` batch/lot, ``21`` serial), each at most
  once and each optional; any other order is an error;
* data attributes (``17`` expiry, ``15`` best before, ``11`` production date, ``3103`` net
  weight...) travel in the query string; an unknown numeric key is an error, non-numeric keys
  (``linkType``, ``lang``...) are the resolver's own parameters and pass through;
* values are percent-decoded per path segment; GTINs of 8, 12, 13 or 14 digits are accepted and
  written as 14; lots and serials are at most 20 characters of GS1's character set 82;
* the canonical form uses GS1's domain ``https://id.gs1.org`` and drops data attributes, so that
  the same object written on different domains compares equal.

Converting a Digital Link to an EPC URN needs the length of the GS1 company prefix (the URN
writes the prefix and the item reference separately); the reverse never does. Matching and
storage therefore use the canonical Digital Link form (:func:`canonical_key`).

Errors are :class:`DigitalLinkError` with a ``code`` (stable, for programs and tests), a
sentence a person can act on, and a ``status`` an HTTP resolver can answer with.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import quote, unquote, urlsplit

from stdnum.ean import calc_check_digit as check_digit

CANONICAL_BASE = "https://id.gs1.org"

# GS1 character set 82 (GS1 General Specifications, figure 7.11-1): what lots and serials may hold.
CSET82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")


class DigitalLinkError(ValueError):
    """A malformed identifier. ``code`` names the problem; ``status`` is 400 (malformed) or 404;
    ``params`` hold what a surface needs to word it in the reader's language
    (``ocop.trace.messages``)."""

    def __init__(self, code: str, message: str, status: int = 400, *, params: dict | None = None):
        super().__init__(message)
        self.code = code
        self.status = status
        self.params = params or {}


def _wrong_check_digit(subject: str, value: str) -> DigitalLinkError:
    expected = check_digit(value[:-1])
    return DigitalLinkError(
        "check-digit",
        f"{subject} {value}: the check digit should be {expected}, not {value[-1]}.",
        params={"subject": f"{subject} {value}", "expected": expected, "given": value[-1]},
    )


# ---------------------------------------------------------------------------------------------
# Check digits
# ---------------------------------------------------------------------------------------------


# ``check_digit(body)``: the GS1 mod-10 check digit of ``body`` (all the digits before it, weights
# 3, 1, 3... from the right), the same for every GS1 key (GTIN, SSCC, GLN, GRAI): python-stdnum's,
# as for the registry's GTINs (ocop/registry/identifiers.py).


def has_valid_check_digit(digits: str) -> bool:
    return len(digits) >= 2 and digits.isdigit() and check_digit(digits[:-1]) == digits[-1]


# ---------------------------------------------------------------------------------------------
# Application identifiers: the ones this platform reads (rules as data)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AI:
    code: str
    title: str
    kind: str  # "digits" (fixed length, check digit), "text" (CSET 82), "date" (YYMMDD), "number", "gtin"
    length: int = 0  # exact length for digits; maximum for text
    check: bool = False
    decimals: int | None = None  # for measures: 3103 = kilograms with 3 decimals


AIS: dict[str, AI] = {
    a.code: a
    for a in [
        AI("00", "SSCC", "digits", 18, check=True),
        AI("01", "GTIN", "gtin", 14, check=True),
        AI("10", "BATCH/LOT", "text", 20),
        AI("11", "PROD DATE", "date"),
        AI("13", "PACK DATE", "date"),
        AI("15", "BEST BEFORE", "date"),
        AI("16", "SELL BY", "date"),
        AI("17", "USE BY OR EXPIRY", "date"),
        AI("21", "SERIAL", "text", 20),
        AI("22", "CPV", "text", 20),
        AI("254", "GLN EXTENSION COMPONENT", "text", 20),
        AI("30", "VAR. COUNT", "number", 8),
        AI("37", "COUNT", "number", 8),
        AI("414", "LOC NO.", "digits", 13, check=True),
        AI("417", "PARTY", "digits", 13, check=True),
        AI("8003", "GRAI", "grai"),
        AI("8004", "GIAI", "text", 30),
        *[AI(f"310{d}", "NET WEIGHT (kg)", "number", 6, decimals=d) for d in range(6)],
        *[AI(f"315{d}", "NET VOLUME (l)", "number", 6, decimals=d) for d in range(6)],
    ]
}

# Primary keys and their key qualifiers, in the one order the standard allows.
QUALIFIERS: dict[str, tuple[str, ...]] = {
    "01": ("22", "10", "21"),
    "00": (),
    "414": ("254",),
    "417": (),
    "8003": (),
    "8004": (),
}
DATE_ATTRIBUTES = ("11", "13", "15", "16", "17")


def _check_text(ai: AI, value: str) -> str:
    if not value:
        raise DigitalLinkError("empty-value", f"({ai.code}) {ai.title} is empty.")
    if len(value) > ai.length:
        raise DigitalLinkError(
            "too-long",
            f"({ai.code}) {ai.title} has {len(value)} characters; at most {ai.length} are allowed.",
        )
    bad = sorted({c for c in value if c not in CSET82})
    if bad:
        shown = " ".join(repr(c) for c in bad[:5])
        raise DigitalLinkError(
            "bad-character", f"({ai.code}) {ai.title} may not contain {shown} (GS1 character set 82 only)."
        )
    return value


def _check_digits(ai: AI, value: str) -> str:
    if not value.isdigit() or len(value) != ai.length:
        raise DigitalLinkError(
            "bad-length", f"({ai.code}) {ai.title} must be {ai.length} digits, not {value!r}.", status=400
        )
    if ai.check and not has_valid_check_digit(value):
        raise _wrong_check_digit(f"({ai.code}) {ai.title}", value)
    return value


def normalise_gtin(value: str) -> str:
    """A GTIN-8/12/13/14 as 14 digits, its check digit verified (``DigitalLinkError`` otherwise)."""
    if not value.isdigit() or len(value) not in (8, 12, 13, 14):
        raise DigitalLinkError("bad-length", f"(01) GTIN must have 8, 12, 13 or 14 digits, not {value!r}.")
    if not has_valid_check_digit(value):
        raise _wrong_check_digit("(01) GTIN", value)
    return value.zfill(14)


def parse_date(value: str) -> date:
    """A GS1 YYMMDD date; day 00 means the last day of the month. Years follow GS1's sliding
    century (within -49..+50 years of today, fixed here at 2000-2099 for determinism)."""
    if not re.fullmatch(r"\d{6}", value):
        raise DigitalLinkError("bad-date", f"{value!r} is not a date written YYMMDD.")
    year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    if not 1 <= month <= 12:
        raise DigitalLinkError("bad-date", f"{value}: month {month:02d} does not exist.")
    if day == 0:
        import calendar

        day = calendar.monthrange(year, month)[1]
    try:
        return date(year, month, day)
    except ValueError:
        raise DigitalLinkError("bad-date", f"{value}: day {day:02d} does not exist in that month.") from None


_PLAIN = re.compile(r"[A-Za-z0-9._~-]*")


def encode_segment(value: str) -> str:
    """A value for a URI path segment: percent-encoded unless it needs no encoding (most do not)."""
    return value if _PLAIN.fullmatch(value) else quote(value, safe="")


def check_value(code: str, value: str) -> str:
    """Validate one AI value; return it normalised (GTINs to 14 digits)."""
    ai = AIS.get(code)
    if ai is None:
        raise DigitalLinkError(
            "unknown-ai", f"({code}) is not an application identifier this resolver knows."
        )
    if ai.kind == "gtin":
        return normalise_gtin(value)
    if ai.kind == "digits":
        return _check_digits(ai, value)
    if ai.kind == "text":
        return _check_text(ai, value)
    if ai.kind == "date":
        parse_date(value)
        return value
    if ai.kind == "number":
        if not value.isdigit() or len(value) > ai.length:
            raise DigitalLinkError("bad-number", f"({code}) {ai.title} must be at most {ai.length} digits.")
        return value
    if ai.kind == "grai":
        # 0 + GTIN-13-like asset type with its check digit, then up to 16 characters of serial.
        if len(value) < 14 or not value[:14].isdigit() or value[0] != "0":
            raise DigitalLinkError(
                "bad-length", f"(8003) GRAI must start with 0 and 13 digits, not {value!r}."
            )
        if not has_valid_check_digit(value[1:14]):
            raise DigitalLinkError("check-digit", f"(8003) GRAI {value[:14]}: the check digit is wrong.")
        if len(value) > 30:
            raise DigitalLinkError("too-long", "(8003) GRAI has more than 30 characters.")
        if len(value) > 14:
            _check_text(AI("8003", "GRAI serial", "text", 16), value[14:])
        return value
    raise AssertionError(ai.kind)  # pragma: no cover


# ---------------------------------------------------------------------------------------------
# Digital Link URIs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DigitalLink:
    """A parsed GS1 Digital Link: its primary key, qualifiers (in order) and data attributes."""

    key: str  # "01"
    value: str  # the key's value, normalised ("08934567000017")
    qualifiers: tuple[tuple[str, str], ...] = ()  # (("10", "L2511"), ("21", "15"))
    attributes: tuple[tuple[str, str], ...] = ()  # GS1 data attributes from the query (("17", "261231"),)
    extra: tuple[tuple[str, str], ...] = field(default=(), compare=False)  # other query parameters

    def qualifier(self, code: str) -> str | None:
        return dict(self.qualifiers).get(code)

    def attribute(self, code: str) -> str | None:
        return dict(self.attributes).get(code)

    def param(self, name: str) -> str | None:
        return dict(self.extra).get(name)

    @property
    def gtin(self) -> str | None:
        return self.value if self.key == "01" else None

    @property
    def lot(self) -> str | None:
        return self.qualifier("10")

    @property
    def serial(self) -> str | None:
        return self.qualifier("21")

    def path(self) -> str:
        """``/01/08934567000017/10/L2511/21/15``, values percent-encoded."""
        parts = [self.key, self.value]
        for code, value in self.qualifiers:
            parts += [code, value]
        return "/" + "/".join(map(encode_segment, parts))

    def uri(self, base: str = CANONICAL_BASE, *, attributes: bool = True) -> str:
        query = ""
        if attributes and self.attributes:
            query = "?" + "&".join(f"{code}={encode_segment(value)}" for code, value in self.attributes)
        return base.rstrip("/") + self.path() + query

    def canonical(self) -> str:
        """The canonical URI: GS1's domain, no data attributes."""
        return self.uri(CANONICAL_BASE, attributes=False)

    def element_string(self) -> str:
        """The human-readable interpretation printed under a barcode: ``(01)…(10)…(21)…``."""
        parts = [(self.key, self.value), *self.qualifiers, *self.attributes]
        return "".join(f"({code}){value}" for code, value in parts)

    def without(self, *codes: str) -> DigitalLink:
        return DigitalLink(
            self.key,
            self.value,
            tuple((c, v) for c, v in self.qualifiers if c not in codes),
            tuple((c, v) for c, v in self.attributes if c not in codes),
            self.extra,
        )


def build(key: str, value: str, qualifiers=(), attributes=()) -> DigitalLink:
    """Validate and assemble a Digital Link (qualifiers given in any order are put in order)."""
    if key not in QUALIFIERS:
        raise DigitalLinkError("not-a-key", f"({key}) is not a primary key of GS1 Digital Link.")
    value = check_value(key, value)
    allowed = QUALIFIERS[key]
    given = dict(qualifiers)
    for code in given:
        if code not in allowed:
            raise DigitalLinkError(
                "qualifier-not-allowed",
                f"({code}) cannot qualify ({key}); allowed: {', '.join(allowed) or 'none'}.",
            )
    ordered = tuple(
        (code, check_value(code, given[code])) for code in allowed if given.get(code) not in (None, "")
    )
    attrs = tuple((code, check_value(code, v)) for code, v in attributes)
    return DigitalLink(key, value, ordered, attrs)


def parse_path(path: str, query: str = "") -> DigitalLink:
    """Parse the path (and query string) of a Digital Link URI.

    The primary key is the first path segment that is a primary key AI followed by a value; any
    segments before it are a custom prefix (``/scan/01/…``), which the standard allows.
    """
    segments = [unquote(s) for s in path.strip("/").split("/")] if path.strip("/") else []
    start = next(
        (i for i in range(len(segments) - 1) if segments[i] in QUALIFIERS and segments[i + 1] != ""),
        None,
    )
    if start is None:
        if any(s.isdigit() for s in segments[::2]):
            first = next(s for s in segments[::2] if s.isdigit())
            if first in AIS:
                raise DigitalLinkError(
                    "not-a-key", f"({first}) is not a primary key; a Digital Link starts with one."
                )
            raise DigitalLinkError(
                "unknown-ai", f"({first}) is not an application identifier this resolver knows."
            )
        raise DigitalLinkError("no-key", "The address holds no GS1 primary key (such as /01/ and a GTIN).")
    key, value = segments[start], segments[start + 1]
    qualifiers = path_qualifiers(segments[start + 2 :], QUALIFIERS[key], f"({key})")
    attributes, extra = parse_query(query)
    link = build(key, value, qualifiers, ())
    return DigitalLink(link.key, link.value, link.qualifiers, attributes, extra)


def path_qualifiers(rest: list[str], allowed: tuple[str, ...], subject: str) -> list[tuple[str, str]]:
    """The ``(AI, value)`` pairs that follow a key in a path (``["10", "L1", "21", "5"]``), each
    one of the key's ``allowed`` qualifiers, at most once, in their one order; values are not
    checked here. ``subject`` names the key in messages: ``(01)``, ``a product code``."""
    if len(rest) % 2:
        raise DigitalLinkError("odd-path", f"The path ends with {rest[-1]!r} without a value.")
    pairs: list[tuple[str, str]] = []
    for i in range(0, len(rest), 2):
        code, raw = rest[i], rest[i + 1]
        if code not in AIS:
            raise DigitalLinkError(
                "unknown-ai", f"({code}) is not an application identifier this resolver knows."
            )
        if code not in allowed:
            raise DigitalLinkError(
                "qualifier-not-allowed",
                f"({code}) cannot qualify {subject} in the path; allowed there: {', '.join(allowed) or 'none'}.",
            )
        if any(code == seen for seen, _value in pairs):
            raise DigitalLinkError("repeated-qualifier", f"({code}) appears twice.")
        if pairs and allowed.index(code) < allowed.index(pairs[-1][0]):
            order = " then ".join(f"/{c}/" for c in allowed)
            raise DigitalLinkError(
                "qualifier-order",
                f"({code}) comes after ({pairs[-1][0]}); for {subject} the order is {order}.",
            )
        pairs.append((code, raw))
    return pairs


def parse_query(query: str) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
    """Split a query string into GS1 data attributes (validated) and other parameters."""
    attributes: list[tuple[str, str]] = []
    extra: list[tuple[str, str]] = []
    for part in filter(None, query.lstrip("?").split("&")):
        name, _sep, raw = part.partition("=")
        name, value = unquote(name.replace("+", " ")), unquote(raw.replace("+", " "))
        if name.isdigit():
            if name in QUALIFIERS or any(name in q for q in QUALIFIERS.values()):
                raise DigitalLinkError(
                    "key-in-query",
                    f"({name}) is a key or key qualifier; it belongs in the path, not the query.",
                )
            attributes.append((name, check_value(name, value)))
        else:
            extra.append((name, value))
    return tuple(attributes), tuple(extra)


def parse(uri: str) -> DigitalLink:
    """Parse a whole Digital Link URI (any domain)."""
    parts = urlsplit(uri.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise DigitalLinkError("not-http", f"{uri!r} is not an http(s) address.")
    return parse_path(parts.path, parts.query)


# ---------------------------------------------------------------------------------------------
# EPC URNs (Tag Data Standard) <-> Digital Link
# ---------------------------------------------------------------------------------------------

# TDS §6.3: these characters are escaped in the serial/lot parts of an EPC URN.
_URN_ESCAPE = {'"': "%22", "%": "%25", "&": "%26", "/": "%2F", "<": "%3C", ">": "%3E", "?": "%3F"}


def urn_escape(value: str) -> str:
    return "".join(_URN_ESCAPE.get(c, c) for c in value)


def urn_unescape(value: str) -> str:
    return unquote(value)


_EPC_URN = re.compile(r"^urn:epc:(id|class|idpat):([a-z]+):(.+)$")


def _digits(part: str, what: str) -> str:
    if not part.isdigit():
        raise DigitalLinkError("bad-urn", f"{what} must be digits, not {part!r}.")
    return part


def urn_to_link(urn: str) -> DigitalLink:
    """An EPC pure-identity, class or pattern URN as a Digital Link.

    ``urn:epc:idpat:sgtin:CP.IR.*`` (all serials of a GTIN) becomes the GTIN alone, which is
    how a GTIN-level class is written in Digital Link form.
    """
    match = _EPC_URN.match(urn.strip())
    if not match:
        raise DigitalLinkError("bad-urn", f"{urn!r} is not an EPC URN.")
    kind, scheme, body = match.groups()
    # The last component (serial, lot, extension) may itself contain dots.
    parts = body.split(".", 2 if scheme in ("sgtin", "lgtin", "sgln", "grai") else 1)
    if (kind, scheme) in {("id", "sgtin"), ("class", "lgtin"), ("idpat", "sgtin")}:
        if len(parts) != 3:
            raise DigitalLinkError(
                "bad-urn", f"{urn!r}: expected company prefix, item reference and a third part."
            )
        prefix, item, last = (
            _digits(parts[0], "The company prefix"),
            _digits(parts[1], "The item reference"),
            parts[2],
        )
        if len(prefix) + len(item) != 13:
            raise DigitalLinkError(
                "bad-urn", f"{urn!r}: company prefix and item reference must total 13 digits."
            )
        body13 = item[0] + prefix + item[1:]
        gtin = body13 + check_digit(body13)
        if kind == "idpat":
            if last != "*":
                raise DigitalLinkError("bad-urn", f"{urn!r}: only the pattern CP.IR.* is supported.")
            return DigitalLink("01", gtin)
        code = "21" if scheme == "sgtin" else "10"
        return DigitalLink("01", gtin, ((code, check_value(code, urn_unescape(last))),))
    if (kind, scheme) == ("id", "sscc"):
        if len(parts) != 2:
            raise DigitalLinkError("bad-urn", f"{urn!r}: expected company prefix and serial reference.")
        prefix, serial = _digits(parts[0], "The company prefix"), _digits(parts[1], "The serial reference")
        if len(prefix) + len(serial) != 17:
            raise DigitalLinkError(
                "bad-urn", f"{urn!r}: company prefix and serial reference must total 17 digits."
            )
        body17 = serial[0] + prefix + serial[1:]
        return DigitalLink("00", body17 + check_digit(body17))
    if (kind, scheme) in {("id", "sgln"), ("id", "pgln")}:
        expected = 3 if scheme == "sgln" else 2
        if len(parts) != expected:
            raise DigitalLinkError("bad-urn", f"{urn!r}: wrong number of parts for {scheme}.")
        prefix, location = (
            _digits(parts[0], "The company prefix"),
            _digits(parts[1], "The location reference"),
        )
        if len(prefix) + len(location) != 12:
            raise DigitalLinkError(
                "bad-urn", f"{urn!r}: company prefix and location reference must total 12 digits."
            )
        gln = prefix + location + check_digit(prefix + location)
        if scheme == "pgln":
            return DigitalLink("417", gln)
        extension = urn_unescape(parts[2])
        return DigitalLink("414", gln, (("254", check_value("254", extension)),) if extension != "0" else ())
    if (kind, scheme) == ("id", "grai"):
        if len(parts) != 3:
            raise DigitalLinkError("bad-urn", f"{urn!r}: expected company prefix, asset type and serial.")
        prefix, asset = _digits(parts[0], "The company prefix"), _digits(parts[1], "The asset type")
        if len(prefix) + len(asset) != 12:
            raise DigitalLinkError("bad-urn", f"{urn!r}: company prefix and asset type must total 12 digits.")
        body12 = prefix + asset
        return build("8003", "0" + body12 + check_digit(body12) + urn_unescape(parts[2]))
    if (kind, scheme) == ("id", "giai"):
        if len(parts) != 2:
            raise DigitalLinkError("bad-urn", f"{urn!r}: expected company prefix and asset reference.")
        return build("8004", _digits(parts[0], "The company prefix") + urn_unescape(parts[1]))
    raise DigitalLinkError("unsupported-urn", f"{urn!r}: EPC scheme {kind}:{scheme} is not supported here.")


def link_to_urn(link: DigitalLink, gcp_length: int) -> str:
    """The EPC URN of a Digital Link, given the length of the GS1 company prefix (6 to 12)."""
    if not 6 <= gcp_length <= 12:
        raise DigitalLinkError("bad-prefix-length", "A GS1 company prefix has 6 to 12 digits.")
    if link.key == "01":
        gtin = link.value
        prefix, item = gtin[1 : 1 + gcp_length], gtin[0] + gtin[1 + gcp_length : 13]
        serial, lot = link.serial, link.lot
        if serial is not None:
            return f"urn:epc:id:sgtin:{prefix}.{item}.{urn_escape(serial)}"
        if lot is not None:
            return f"urn:epc:class:lgtin:{prefix}.{item}.{urn_escape(lot)}"
        return f"urn:epc:idpat:sgtin:{prefix}.{item}.*"
    if link.key == "00":
        sscc = link.value
        return f"urn:epc:id:sscc:{sscc[1 : 1 + gcp_length]}.{sscc[0]}{sscc[1 + gcp_length : 17]}"
    if link.key in ("414", "417"):
        gln = link.value
        prefix, location = gln[:gcp_length], gln[gcp_length:12]
        if link.key == "417":
            return f"urn:epc:id:pgln:{prefix}.{location}"
        return f"urn:epc:id:sgln:{prefix}.{location}.{urn_escape(link.qualifier('254') or '0')}"
    if link.key == "8003":
        body = link.value
        return (
            f"urn:epc:id:grai:{body[1 : 1 + gcp_length]}.{body[1 + gcp_length : 13]}.{urn_escape(body[14:])}"
        )
    if link.key == "8004":
        return f"urn:epc:id:giai:{link.value[:gcp_length]}.{urn_escape(link.value[gcp_length:])}"
    raise DigitalLinkError("unsupported", f"({link.key}) has no EPC URN here.")  # pragma: no cover


def gtin_class(link: DigitalLink) -> str:
    """The canonical GTIN-level class of an item (all serials and lots of the GTIN)."""
    return build("01", link.value).canonical()


# ---------------------------------------------------------------------------------------------
# One key per identifier, for storage and matching
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def link_of(identifier: str) -> DigitalLink | DigitalLinkError | None:
    """The Digital Link an EPC URN or a Digital Link URI stands for, the error that makes it
    malformed, or None when it is neither (a private identifier). Cached: a capture checks and
    then indexes the same identifiers."""
    text = identifier.strip()
    try:
        if text.startswith("urn:epc:"):
            return urn_to_link(text)
        if text.startswith(("http://", "https://")):
            parts = urlsplit(text)
            if any(s in QUALIFIERS for s in parts.path.strip("/").split("/")):
                return parse_path(parts.path, parts.query)
    except DigitalLinkError as exc:
        return exc
    return None


@functools.lru_cache(maxsize=65536)
def canonical_key(identifier: str, *, platform=None) -> str:
    """The form an identifier is stored and matched under.

    GS1 identifiers (EPC URNs and Digital Link URIs on any domain) become canonical Digital Link
    URIs; identifiers of the platform's own scheme become their scheme key (``platform`` is a
    :class:`ocop.trace.codes.PlatformScheme`); anything else is kept as written (EPCIS accepts
    any URI as an identifier).
    """
    text = identifier.strip()
    if platform is not None and text.startswith(("http://", "https://", "ocop:")):
        key = platform.key_of(text)
        if key is not None:
            return key
    link = link_of(text)
    if isinstance(link, DigitalLink):
        return link.canonical()
    return text
