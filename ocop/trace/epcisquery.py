"""The EPCIS 2.0 query parameters of ``GET /events``, read into a plain specification.

A pure core (no Django). The names are the standard's (EPCIS 2.0 §8.2.7.1, SimpleEventQuery,
as bound to REST query strings): ``eventType``, ``GE_eventTime``/``LT_eventTime``,
``GE_recordTime``/``LT_recordTime``, ``EQ_action``, ``EQ_bizStep``, ``EQ_disposition``,
``EQ_readPoint``/``WD_readPoint``, ``EQ_bizLocation``/``WD_bizLocation``, ``MATCH_epc``,
``MATCH_parentID``, ``MATCH_inputEPC``, ``MATCH_outputEPC``, ``MATCH_anyEPC``,
``MATCH_epcClass``, ``MATCH_inputEPCClass``, ``MATCH_outputEPCClass``, ``MATCH_anyEPCClass``,
``EQ_eventID``, ``EXISTS_errorDeclaration``, ``orderBy``, ``orderDirection``,
``eventCountLimit``, and the REST binding's ``perPage`` and ``nextPageToken``.

A parameter may be repeated or hold several values separated by commas; values match if any
matches. Identifiers are accepted as EPC URNs and as Digital Link URIs (on any domain) and are
matched by their canonical key, so ``urn:epc:id:sgtin:0614141.107346.2017`` finds an event
captured with ``https://id.gs1.org/01/10614141073464/21/2017``. An EPC pattern
(``urn:epc:idpat:sgtin:0614141.107346.*``) or a Digital Link naming a GTIN alone matches every
item of that GTIN. This repository holds no location hierarchy, so ``WD_`` ("with
descendants") matches like ``EQ_``. An unknown parameter is an error, as the standard asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from . import digitallink as dl
from .epcis import CLASS_ROLES, EVENT_TYPES, INSTANCE_ROLES, Explained, cbv, gettext_noop, parse_time


class QueryParameterError(Explained):
    """A parameter the query cannot be read with; ``parameter`` names it (a message template
    and its parameters, so that the interface answers in its reader's language)."""

    def __init__(self, parameter: str, template: str, **params):
        super().__init__(template, name=parameter, **params)
        self.parameter = parameter


# MATCH_ parameter -> the identifier roles it looks in
MATCH_ROLES = {
    "MATCH_epc": ("epc", "child"),
    "MATCH_parentID": ("parent",),
    "MATCH_inputEPC": ("input",),
    "MATCH_outputEPC": ("output",),
    "MATCH_anyEPC": INSTANCE_ROLES,
    "MATCH_epcClass": ("class", "child_class"),
    "MATCH_inputEPCClass": ("input_class",),
    "MATCH_outputEPCClass": ("output_class",),
    "MATCH_anyEPCClass": CLASS_ROLES,
}


@dataclass(frozen=True)
class Match:
    """Identifiers to look for in some roles: exact keys, and key prefixes for patterns."""

    roles: tuple[str, ...]
    keys: tuple[str, ...] = ()
    prefixes: tuple[str, ...] = ()


@dataclass
class QuerySpec:
    event_types: list[str] = field(default_factory=list)
    event_time_ge: datetime | None = None
    event_time_lt: datetime | None = None
    record_time_ge: datetime | None = None
    record_time_lt: datetime | None = None
    actions: list[str] = field(default_factory=list)
    biz_steps: list[str] = field(default_factory=list)
    dispositions: list[str] = field(default_factory=list)
    read_points: list[str] = field(default_factory=list)
    biz_locations: list[str] = field(default_factory=list)
    event_ids: list[str] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    error_declaration: bool | None = None
    order_by: str = "eventTime"
    descending: bool = False
    event_count_limit: int | None = None
    per_page: int = 30
    next_page_token: str = ""


def _values(params: dict[str, list[str]], name: str) -> list[str]:
    out = []
    for raw in params.get(name, []):
        out.extend(v.strip() for v in raw.split(",") if v.strip())
    return out


def _time(params, name) -> datetime | None:
    values = _values(params, name)
    if not values:
        return None
    try:
        moment = parse_time(values[-1])
    except Explained as exc:
        raise QueryParameterError(name, gettext_noop("%(name)s: %(problem)s"), problem=exc) from None
    try:
        return moment.astimezone(UTC)  # as the database compares it
    except OverflowError:
        raise QueryParameterError(
            name,
            gettext_noop(
                "%(name)s: %(value)s lies outside the times this repository can compare (years 1 to 9999 in UTC)."
            ),
            value=values[-1],
        ) from None


_WHOLE = re.compile(r"[+-]?[0-9]+")


def _int(params, name, *, minimum: int, maximum: int | None = None) -> int | None:
    values = _values(params, name)
    if not values:
        return None
    text = values[-1]
    if not _WHOLE.fullmatch(text):  # ASCII digits only (int() also reads ٣ and 1_000)
        raise QueryParameterError(name, gettext_noop("%(name)s must be a whole number."))
    if len(text.lstrip("+-")) > 18:  # beyond any count, and beyond what int() reads past 4,300
        raise QueryParameterError(
            name,
            gettext_noop("%(name)s has %(digits)s digits; at most 18 are read."),
            digits=len(text.lstrip("+-")),
        )
    number = int(text)
    if maximum is not None and not minimum <= number <= maximum:
        raise QueryParameterError(
            name,
            gettext_noop("%(name)s must be from %(minimum)s to %(maximum)s."),
            minimum=minimum,
            maximum=maximum,
        )
    if number < minimum:
        raise QueryParameterError(name, gettext_noop("%(name)s must be from %(minimum)s."), minimum=minimum)
    return number


def match_of(value: str, roles: tuple[str, ...], *, platform=None, parameter: str = "") -> Match:
    """How one identifier given in a query matches stored keys."""
    text = value.strip()
    if text.startswith("urn:epc:idpat:") or (text.startswith("urn:epc:") and text.endswith(".*")):
        try:
            link = dl.urn_to_link(text)
        except dl.DigitalLinkError as exc:
            raise QueryParameterError(
                parameter, gettext_noop("%(name)s: %(problem)s"), problem=str(exc)
            ) from None
        base = link.canonical()
        return Match(roles, keys=(base,), prefixes=(base + "/",))
    link = dl.link_of(text)
    if isinstance(link, dl.DigitalLinkError):
        raise QueryParameterError(parameter, gettext_noop("%(name)s: %(problem)s"), problem=str(link))
    key = dl.canonical_key(text, platform=platform)
    # A Digital Link naming a GTIN alone, or a platform product code alone, names every item of it.
    if (isinstance(link, dl.DigitalLink) and link.key == "01" and not link.qualifiers) or (
        key.startswith("ocop:t/") and key.count("/") == 1
    ):
        return Match(roles, keys=(key,), prefixes=(key + "/",))
    return Match(roles, keys=(key,))


def parse_query(
    params: dict[str, list[str]], *, platform=None, max_per_page: int = 1000, default_per_page: int = 30
):
    """Read the query parameters (``{name: [values]}``) into a :class:`QuerySpec`."""
    known = {
        "eventType",
        "GE_eventTime",
        "LT_eventTime",
        "GE_recordTime",
        "LT_recordTime",
        "EQ_action",
        "EQ_bizStep",
        "EQ_disposition",
        "EQ_readPoint",
        "WD_readPoint",
        "EQ_bizLocation",
        "WD_bizLocation",
        "EQ_eventID",
        "EXISTS_errorDeclaration",
        "orderBy",
        "orderDirection",
        "eventCountLimit",
        "perPage",
        "nextPageToken",
        *MATCH_ROLES,
    }
    unknown = sorted(set(params) - known)
    if unknown:
        raise QueryParameterError(
            unknown[0], gettext_noop("%(name)s is not a query parameter this repository knows.")
        )
    for name, values in params.items():
        if any("\x00" in value for value in values):
            # PostgreSQL cannot compare text holding NUL; nothing stored holds it either.
            raise QueryParameterError(name, gettext_noop("%(name)s holds a NUL character (%%00)."))
    spec = QuerySpec()
    for value in _values(params, "eventType"):
        if value not in EVENT_TYPES and ":" not in value:
            raise QueryParameterError(
                "eventType",
                gettext_noop("%(name)s: %(value)s is not an EPCIS event type."),
                value=repr(value),
            )
        spec.event_types.append(value)
    spec.event_time_ge = _time(params, "GE_eventTime")
    spec.event_time_lt = _time(params, "LT_eventTime")
    spec.record_time_ge = _time(params, "GE_recordTime")
    spec.record_time_lt = _time(params, "LT_recordTime")
    for value in _values(params, "EQ_action"):
        if value not in ("ADD", "OBSERVE", "DELETE"):
            raise QueryParameterError(
                "EQ_action",
                gettext_noop("%(name)s: %(value)s is not ADD, OBSERVE or DELETE."),
                value=repr(value),
            )
        spec.actions.append(value)
    spec.biz_steps = [cbv("bizStep", v) for v in _values(params, "EQ_bizStep")]
    spec.dispositions = [cbv("disposition", v) for v in _values(params, "EQ_disposition")]
    for name, target in (
        ("EQ_readPoint", spec.read_points),
        ("WD_readPoint", spec.read_points),
        ("EQ_bizLocation", spec.biz_locations),
        ("WD_bizLocation", spec.biz_locations),
    ):
        for value in _values(params, name):
            link = dl.link_of(value)
            if isinstance(link, dl.DigitalLinkError):
                raise QueryParameterError(name, gettext_noop("%(name)s: %(problem)s"), problem=str(link))
            target.append(dl.canonical_key(value, platform=platform))
    spec.event_ids = _values(params, "EQ_eventID")
    for name, roles in MATCH_ROLES.items():
        values = _values(params, name)
        if values:
            matches = [match_of(v, roles, platform=platform, parameter=name) for v in values]
            spec.matches.append(
                Match(
                    roles,
                    keys=tuple(k for m in matches for k in m.keys),
                    prefixes=tuple(p for m in matches for p in m.prefixes),
                )
            )
    if "EXISTS_errorDeclaration" in params:
        spec.error_declaration = True
    order = _values(params, "orderBy")
    if order:
        if order[-1] not in ("eventTime", "recordTime"):
            raise QueryParameterError("orderBy", gettext_noop("%(name)s must be eventTime or recordTime."))
        spec.order_by = order[-1]
    direction = _values(params, "orderDirection")
    if direction:
        if direction[-1] not in ("ASC", "DESC"):
            raise QueryParameterError("orderDirection", gettext_noop("%(name)s must be ASC or DESC."))
        spec.descending = direction[-1] == "DESC"
    spec.event_count_limit = _int(params, "eventCountLimit", minimum=1)
    spec.per_page = _int(params, "perPage", minimum=1, maximum=max_per_page) or default_per_page
    tokens = _values(params, "nextPageToken")
    spec.next_page_token = tokens[-1] if tokens else ""
    return spec


def fingerprint(params: dict[str, list[str]]) -> str:
    """The query without its paging parameters, to bind a page token to the query it came from."""
    import hashlib

    items = sorted(
        (name, tuple(values)) for name, values in params.items() if name not in ("nextPageToken", "perPage")
    )
    return hashlib.sha256(repr(items).encode()).hexdigest()[:16]
