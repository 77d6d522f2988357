"""EPCIS 2.0 documents: validation against GS1's published JSON schema, and normalisation.

A pure core (no Django). :func:`validate_document` checks a captured document against the
EPCIS 2.0 JSON schema (``data/epcis-json-schema.json``, GS1's ratified artefact, see
``data/SOURCES.md``; draft-07) and reports every problem with the event's position in ``eventList`` and
the field (a JSON pointer inside the event), then checks what the schema cannot: that GS1
identifiers (EPC URNs, Digital Link URIs) are well formed, with right check digits. All five
event types are accepted, and so are user extensions (any field named by a URI or a compact
IRI such as ``example:myField``); the event is stored exactly as captured.

:func:`normalise` turns a valid event into the few columns a repository indexes: type, time,
action, business step and disposition in their canonical CBV form (``shipping``, whether it
was written ``shipping`` or ``https://ref.gs1.org/cbv/BizStep-shipping``), read point and
business location, and every identifier with its role (``epc``, ``parent``, ``child``,
``input``, ``output``, and the class roles of quantity lists), each under its canonical key
(:func:`ocop.trace.digitallink.canonical_key`) so that URN and Digital Link forms match.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import jsonschema_rs

from . import digitallink as dl

SCHEMA_PATH = Path(__file__).resolve().parent / "data" / "epcis-json-schema.json"
CONTEXT_URL = "https://ref.gs1.org/standards/epcis/epcis-context.jsonld"
SCHEMA_VERSION = "2.0"
EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)

# Identifier fields and the role each gives its identifiers.
INSTANCE_FIELDS = {"epcList": "epc", "childEPCs": "child", "inputEPCList": "input", "outputEPCList": "output"}
CLASS_FIELDS = {
    "quantityList": "class",
    "childQuantityList": "child_class",
    "inputQuantityList": "input_class",
    "outputQuantityList": "output_class",
}
INSTANCE_ROLES = ("epc", "parent", "child", "input", "output")
CLASS_ROLES = tuple(CLASS_FIELDS.values())


# ---------------------------------------------------------------------------------------------
# Messages the interfaces translate
# ---------------------------------------------------------------------------------------------


def gettext_noop(message: str) -> str:
    """Marks a message for the translators' catalogue (``makemessages`` finds it by this name)
    while this core stays free of Django; the interface translates it (:meth:`Explained.translate`)."""
    return message


class Explained(ValueError):
    """An error (or a reason) as a message template and its parameters. ``str()`` is English;
    an interface answers ``translate(gettext)`` in its reader's language. Parameters that are
    themselves ``Explained`` are translated too."""

    def __init__(self, template: str, **params):
        self.template, self.params = template, params
        super().__init__(template % params)

    def translate(self, gettext) -> str:
        params = {k: v.translate(gettext) if isinstance(v, Explained) else v for k, v in self.params.items()}
        return gettext(self.template) % params


def _phrase(text: str, known: dict[str, str]):
    """A library's message as a translatable phrase when it is one of ``known``, else as is."""
    return Explained(known[text]) if text in known else text


# ---------------------------------------------------------------------------------------------
# Formats the schema names (jsonschema checks formats only when asked to)
# ---------------------------------------------------------------------------------------------

_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]+$")
_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$")


@functools.lru_cache(maxsize=4096)  # field names and vocabulary URIs repeat from event to event
def is_uri(value: str) -> bool:
    """An absolute URI (RFC 3986): a scheme, a colon, and no spaces or control characters."""
    return bool(_URI.match(value))


# Offsets in use run from -12:00 to +14:00; EPCIS's eventTimeZoneOffset allows -14:00 to +14:00.
MAX_OFFSET = timedelta(hours=14)


def time_reason(value) -> Explained | None:
    """Why ``value`` is not an RFC 3339 date-time with its offset (as EPCIS times are), or None."""
    read = _read_time(value) if isinstance(value, str) else _NOT_A_TIME
    return read if isinstance(read, Explained) else None


_NOT_A_TIME = Explained(gettext_noop("is not an RFC 3339 date-time such as 2025-11-03T20:33:31.116+07:00"))


# Each time of a captured event is read three or four times in a row (the schema's format check,
# the time bounds, normalisation): read once.
@functools.lru_cache(maxsize=4096)
def _read_time(value: str) -> datetime | Explained:
    """``value`` as an aware datetime, or why it is not an RFC 3339 date-time with its offset."""
    match = _DATETIME.match(value)
    if not match:
        return _NOT_A_TIME
    if match.group(8) is None:
        return Explained(gettext_noop("has no time zone: end it with Z or an offset such as +07:00"))
    if match.group(6) == "60":
        return Explained(gettext_noop("names a leap second (:60), which EPCIS times cannot hold"))
    try:
        moment = _from_match(match)
    except ValueError as exc:
        return Explained(gettext_noop("is not a real date and time (%(why)s)"), why=str(exc))
    if abs(moment.utcoffset()) > MAX_OFFSET:
        return Explained(
            gettext_noop("has the offset %(offset)s; offsets run from -14:00 to +14:00"),
            offset=match.group(8),
        )
    return moment


def _from_match(match) -> datetime:
    fraction = (match.group(7) or "")[:7]  # Python keeps microseconds; more digits are cut
    offset = match.group(8)
    offset = "+00:00" if offset in ("Z", "z") else offset
    text = f"{match.group(1)}-{match.group(2)}-{match.group(3)}T{match.group(4)}:{match.group(5)}:{match.group(6)}"
    return datetime.fromisoformat(text + fraction + offset)


def parse_time(value: str) -> datetime:
    """An RFC 3339 date-time with its offset, as an aware datetime (``ValueError`` otherwise,
    saying why). The datetime may lie where converting it to UTC overflows (9999-12-31 at
    -14:00): :func:`time_problems` bounds captured times before anything converts them."""
    read = _read_time(value) if isinstance(value, str) else _NOT_A_TIME
    if isinstance(read, Explained):
        raise Explained(gettext_noop("%(value)s %(reason)s."), value=repr(value), reason=read)
    return read


def is_datetime(value: str) -> bool:
    return time_reason(value) is None


FORMATS = {"uri": is_uri, "date-time": is_datetime}


# ---------------------------------------------------------------------------------------------
# Reading a body (before anything looks at it as EPCIS)
# ---------------------------------------------------------------------------------------------

# JSON numbers this repository reads: integers of at most this many digits (a 64-bit integer has
# 19 or 20), and finite floats. RFC 8259 leaves larger ones to each parser: one reads them
# exactly, the next rounds them, Python refuses beyond 4,300 digits, PostgreSQL stores them.
MAX_DIGITS = 20
# An escape that makes a NUL or half of a surrogate pair: only then are strings looked at one by one.
_SUSPECT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")


class DocumentError(Explained):
    """A body that is not a JSON document this repository reads (answered 400 at once)."""


def _integer(text: str) -> int:
    digits = len(text) - text.startswith("-")
    if digits > MAX_DIGITS:
        raise DocumentError(
            gettext_noop(
                "A number has %(digits)s digits (%(start)s…); numbers in an EPCIS document have at "
                "most %(limit)s digits."
            ),
            digits=digits,
            start=text[:12],
            limit=MAX_DIGITS,
        )
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        number = text if len(text) <= 40 else text[:40] + "…"
        raise DocumentError(
            gettext_noop("The number %(number)s is too large for a JSON number."), number=number
        )
    return value


def _constant(name: str):
    raise DocumentError(gettext_noop("%(name)s is not JSON: numbers are finite."), name=name)


def _object(pairs: list) -> dict:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen = set()
        for name, _value in pairs:
            if name in seen:
                raise DocumentError(
                    gettext_noop(
                        "The name %(name)s appears twice in one object; names in a JSON object must be unique."
                    ),
                    name=repr(name) if len(name) <= 60 else repr(name[:60]) + "…",
                )
            seen.add(name)
    return result


def _flaw(text: str) -> Explained | None:
    """What makes a decoded string unstorable: NUL (PostgreSQL refuses it) or a lone surrogate."""
    if "\x00" in text:
        return Explained(gettext_noop("the NUL character (\\u0000), which this repository does not store"))
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return Explained(
            gettext_noop("half of a UTF-16 surrogate pair (\\ud800 to \\udfff), which is not a character")
        )
    return None


def _within(document, max_depth: int) -> bool:
    """Whether arrays and objects nest at most ``max_depth`` levels (a fast walk, level by level)."""
    level, depth = [document], 1
    while level:
        if depth > max_depth:
            return False
        level = [
            item
            for value in level
            for item in (value.values() if type(value) is dict else value)
            if type(item) is dict or type(item) is list
        ]
        depth += 1
    return True


def _inspect(document, max_depth: int, strings: bool) -> None:
    """Refuse nesting deeper than ``max_depth`` and, when ``strings``, text holding NUL or a lone
    surrogate; walked with a stack, not recursion, and naming the place."""
    stack = [(document, 1, ())]
    while stack:
        value, depth, path = stack.pop()
        if depth > max_depth:
            raise DocumentError(
                gettext_noop(
                    "The document nests arrays and objects more than %(limit)s levels deep (at %(where)s)."
                ),
                limit=max_depth,
                where=_pointer(path),
            )
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if strings and isinstance(key, str) and (flaw := _flaw(key)):
                raise DocumentError(
                    gettext_noop("A name in the object at %(where)s holds %(flaw)s."),
                    where=_pointer(path) or "/",
                    flaw=flaw,
                )
            if isinstance(item, (dict, list)):
                stack.append((item, depth + 1, (*path, key)))
            elif strings and isinstance(item, str) and (flaw := _flaw(item)):
                raise DocumentError(
                    gettext_noop("The text at %(where)s holds %(flaw)s."),
                    where=_pointer((*path, key)),
                    flaw=flaw,
                )


def parse_document(body: bytes, *, max_depth: int):
    """The JSON value of a captured body, or :class:`DocumentError` saying what makes it
    unreadable: not UTF-8 (RFC 8259 §8.1; a byte order mark is ignored), not JSON, NaN or
    Infinity, a number beyond :data:`MAX_DIGITS` digits or beyond a float, a name twice in one
    object (parsers disagree on which one counts), nesting deeper than ``max_depth``, or text
    holding NUL or a lone surrogate."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(
            gettext_noop("The body is not UTF-8 (byte 0x%(byte)02x at position %(position)s: %(reason)s)."),
            byte=body[exc.start],
            position=exc.start,
            reason=_phrase(exc.reason, _UTF8_REASONS),
        ) from None
    try:
        document = json.loads(
            text.removeprefix("\ufeff"),
            parse_int=_integer,
            parse_float=_float,
            parse_constant=_constant,
            object_pairs_hook=_object,
        )
    except json.JSONDecodeError as exc:
        raise DocumentError(
            gettext_noop("The body is not JSON: %(problem)s (line %(line)s, column %(column)s)."),
            problem=_phrase(exc.msg, _JSON_PROBLEMS),
            line=exc.lineno,
            column=exc.colno,
        ) from None
    except RecursionError:
        raise DocumentError(
            gettext_noop("The document nests arrays and objects more than %(limit)s levels deep."),
            limit=max_depth,
        ) from None
    if isinstance(document, (dict, list)):
        strings = bool(_SUSPECT_ESCAPE.search(text))
        if strings or not _within(document, max_depth):
            _inspect(document, max_depth, strings)  # the slower walk that names the place
    elif isinstance(document, str) and (flaw := _flaw(document)):
        raise DocumentError(gettext_noop("The body is a text holding %(flaw)s."), flaw=flaw)
    return document


# What Python's decoders say, as phrases translators see.
_UTF8_REASONS = {
    text: text
    for text in (
        gettext_noop("invalid start byte"),
        gettext_noop("invalid continuation byte"),
        gettext_noop("unexpected end of data"),
    )
}
_JSON_PROBLEMS = {
    text: text
    for text in (
        gettext_noop("Expecting value"),
        gettext_noop("Extra data"),
        gettext_noop("Expecting property name enclosed in double quotes"),
        gettext_noop("Expecting ',' delimiter"),
        gettext_noop("Expecting ':' delimiter"),
        gettext_noop("Unterminated string starting at"),
        gettext_noop("Invalid control character at"),
        gettext_noop("Invalid \\escape"),
        gettext_noop("Invalid \\uXXXX escape"),
        gettext_noop("Illegal trailing comma before end of object"),
        gettext_noop("Illegal trailing comma before end of array"),
    )
}


@functools.cache
def schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _target(pointer: str) -> dict:
    """The schema, or the part of it at ``pointer`` (with the definitions it refers to)."""
    root = schema()
    return root if pointer == "#" else {"$ref": pointer, "definitions": root["definitions"]}


@functools.cache
def _fast(pointer: str):
    """Whether an instance is valid, fast: jsonschema-rs (compiled, about 30 µs an event where
    jsonschema takes a millisecond), with the same format checks."""
    validator = jsonschema_rs.Draft7Validator(_target(pointer), formats=FORMATS, validate_formats=True)
    return validator.is_valid


@functools.cache
def _reference(pointer: str):
    """jsonschema's validator, for the precise errors of what the fast check rejected."""
    import jsonschema

    checker = jsonschema.FormatChecker(formats=())
    for name, test in FORMATS.items():
        checker.checks(name)(lambda value, test=test: not isinstance(value, str) or test(value))
    return jsonschema.Draft7Validator(_target(pointer), format_checker=checker)


def _schema_problems(pointer: str, instance, index: int | None) -> list[Problem]:
    """What the schema (at ``pointer``) finds wrong with ``instance``, with jsonschema's precise
    errors. jsonschema is the reference: the fast check only spares asking it about valid
    instances. Where the two differ, jsonschema decides: jsonschema-rs reads the schema's
    patterns as ECMA-262 regular expressions (``$`` only at the very end, ``\\d`` ASCII digits),
    jsonschema as Python's (``$`` also before a final newline, ``\\d`` any decimal digit), so a
    few values pass only the second; nothing passes only the first (a property test holds it)."""
    if _fast(pointer)(instance):
        return []
    return _explain(pointer, instance, index)


def vocabulary(definition: str) -> frozenset[str]:
    """The CBV words the schema lists for a field (``bizStep``, ``disposition``...): rules as data."""
    for option in schema()["definitions"][definition].get("anyOf", []):
        if "enum" in option:
            return frozenset(option["enum"])
    return frozenset()


# ---------------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a captured document.

    ``index``: position of the event in ``epcisBody.eventList`` (from 0), None for the document;
    ``field``: JSON pointer inside the event (``/readPoint/id``), or inside the document.
    """

    index: int | None
    field: str
    message: str
    code: str = "schema"

    def as_dict(self) -> dict:
        return {"eventIndex": self.index, "field": self.field, "code": self.code, "message": self.message}


def _pointer(path) -> str:
    return "".join(f"/{str(p).replace('~', '~0').replace('/', '~1')}" for p in path)


@dataclass(frozen=True)
class _Combined:
    """Several alternatives that failed equally: reported together, at the place they share."""

    absolute_path: tuple
    message: str
    instance: object = None
    validator: str = "anyOf"


def _leaves(error) -> list:
    """The errors that say what to fix. For "valid under none of these" (anyOf/oneOf): the
    errors of the alternative that came closest, or, when several came equally close, one
    message naming what any of them needs."""
    if error.validator not in ("anyOf", "oneOf") or not error.context:
        return [error]
    branches: dict[int, list] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    fewest = min(len(b) for b in branches.values())
    best = [b for b in branches.values() if len(b) == fewest]
    if len(best) == 1 or fewest > 1:
        chosen = max(best, key=lambda b: max(len(e.absolute_path) for e in b))
        return [leaf for sub in chosen for leaf in _leaves(sub)]
    leaves = [leaf for b in best for leaf in _leaves(b[0])]
    paths = {tuple(leaf.absolute_path) for leaf in leaves}
    enum = next((leaf for leaf in leaves if leaf.validator == "enum"), None)
    if len(paths) == 1 and enum is not None:
        shown = ", ".join(repr(v) for v in list(enum.validator_value)[:4])
        message = (
            f"{enum.instance!r} is neither a standard value ({shown}, …) "
            "nor a URI outside the CBV's namespaces."
        )
        return [_Combined(tuple(enum.absolute_path), message, enum.instance)]
    message = "Needs one of: " + "; ".join(dict.fromkeys(_message(leaf) for leaf in leaves)) + "."
    where = next(iter(paths)) if len(paths) == 1 else tuple(error.absolute_path)
    return [_Combined(where, message, error.instance)]


def _message(error) -> str:
    instance = error.instance
    if isinstance(error, _Combined):
        return error.message
    if error.validator == "format" and error.validator_value == "date-time":
        return f"{instance!r} {time_reason(instance) or 'is not a date-time'}."  # jobs keep English, as jsonschema
    if isinstance(instance, (dict, list)):
        text = error.message.replace(repr(instance), "The value", 1)
    else:
        text = error.message
    return text if len(text) <= 300 else text[:297] + "..."


def _explain(pointer: str, instance, index: int | None, prefix=()) -> list[Problem]:
    problems: list[Problem] = []
    seen = set()
    for error in _reference(pointer).iter_errors(instance):
        for leaf in _leaves(error):
            path = list(leaf.absolute_path)
            message = _message(leaf)
            parent = instance
            for part in path:
                parent = parent[part] if isinstance(parent, (dict, list)) else None
            if isinstance(parent, dict) and isinstance(leaf.instance, str) and leaf.instance in parent:
                # A property name refused (propertyNames): name the field itself.
                path.append(leaf.instance)
                message = (
                    f"{leaf.instance!r} is not a field of this event type; extension fields are named "
                    "by a URI or a prefixed name declared in @context (example:myField)."
                )
            where = _pointer([*prefix, *path]) or "/"
            if (where, message) not in seen:
                seen.add((where, message))
                problems.append(Problem(index, where, message))
    # One problem per field is enough (the first is the most direct); and a problem at a field
    # makes a vaguer one about the object holding it redundant.
    first: dict[str, Problem] = {}
    for problem in problems:
        first.setdefault(problem.field, problem)
    fields = list(first)
    problems = [
        p
        for p in first.values()
        if not (
            p.message.startswith("The value")
            and any(f != p.field and f.startswith(p.field.rstrip("/") + "/") for f in fields)
        )
    ]
    return problems


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


# What a repository indexes has a length (the columns of ocop.trace.models.Event and
# EventIdentifier): identifiers and eventIDs up to 300 characters, CBV words up to 200. A longer
# value would be cut, and two different identifiers would then match.
MAX_IDENTIFIER = 300
MAX_WORD = 200


def _indexed(event: dict):
    """The values of an event a repository indexes, with their pointers and length limits."""

    def items(name):
        value = event.get(name)
        return enumerate(value) if isinstance(value, list) else ()

    yield "/eventID", event.get("eventID"), MAX_IDENTIFIER
    yield "/parentID", event.get("parentID"), MAX_IDENTIFIER
    for name in INSTANCE_FIELDS:
        for i, value in items(name):
            yield f"/{name}/{i}", value, MAX_IDENTIFIER
    for name in CLASS_FIELDS:
        for i, item in items(name):
            yield (
                f"/{name}/{i}/epcClass",
                item.get("epcClass") if isinstance(item, dict) else None,
                MAX_IDENTIFIER,
            )
    for name in ("readPoint", "bizLocation"):
        place = event.get(name)
        yield f"/{name}/id", place.get("id") if isinstance(place, dict) else None, MAX_IDENTIFIER
    yield "/bizStep", event.get("bizStep"), MAX_WORD
    yield "/disposition", event.get("disposition"), MAX_WORD


def length_problems(event: dict, index: int | None) -> list[Problem]:
    return [
        Problem(
            index,
            where,
            f"The value is {len(value)} characters long; this repository indexes at most {limit}.",
            "length",
        )
        for where, value, limit in _indexed(event)
        if isinstance(value, str) and len(value) > limit
    ]


def _check_identifier(value: str, *, instance: bool) -> str | None:
    """What is wrong with a GS1 identifier, or None. Other URIs are private identifiers: fine.
    One too long to index is reported by :func:`length_problems` alone."""
    if len(value) > MAX_IDENTIFIER:
        return None
    if value.startswith("urn:epc:"):
        if instance and not value.startswith("urn:epc:id:"):
            return f"{value} names a class or pattern; this list holds instances (urn:epc:id:…)."
        if not instance and value.startswith("urn:epc:id:"):
            return f"{value} names an instance; a quantity names a class (urn:epc:class:… or idpat)."
    link = dl.link_of(value)
    return str(link) if isinstance(link, dl.DigitalLinkError) else None


def identifier_problems(event: dict, index: int | None) -> list[Problem]:
    problems = []
    for name in INSTANCE_FIELDS:
        for i, value in enumerate(event.get(name) or ()):
            if isinstance(value, str) and (why := _check_identifier(value, instance=True)):
                problems.append(Problem(index, f"/{name}/{i}", why, "identifier"))
    parent = event.get("parentID")
    if isinstance(parent, str) and (why := _check_identifier(parent, instance=True)):
        problems.append(Problem(index, "/parentID", why, "identifier"))
    for name in CLASS_FIELDS:
        for i, item in enumerate(event.get(name) or ()):
            value = item.get("epcClass") if isinstance(item, dict) else None
            if isinstance(value, str) and (why := _check_identifier(value, instance=False)):
                problems.append(Problem(index, f"/{name}/{i}/epcClass", why, "identifier"))
    for name in ("readPoint", "bizLocation"):
        value = (event.get(name) or {}).get("id") if isinstance(event.get(name), dict) else None
        if isinstance(value, str) and (why := _check_identifier(value, instance=True)):
            problems.append(Problem(index, f"/{name}/id", why, "identifier"))
    return problems


@dataclass(frozen=True)
class TimeBounds:
    """The times a repository accepts in the events it captures: from ``earliest`` to ``latest``
    (its clock plus ``future_hours``, for clocks that run ahead). Outside them a time is a
    mistake, and one that breaks whatever converts it (9999-12-31T23:59:59-14:00 has no UTC)."""

    earliest: datetime
    latest: datetime
    future_hours: int


def _times(event: dict):
    """The times an event states, with their JSON pointers: when it happened, when an error was
    declared, and when sensors read (the repository sets recordTime itself)."""
    yield "/eventTime", event.get("eventTime")
    declaration = event.get("errorDeclaration")
    if isinstance(declaration, dict):
        yield "/errorDeclaration/declarationTime", declaration.get("declarationTime")
    elements = event.get("sensorElementList")
    for i, element in enumerate(elements if isinstance(elements, list) else ()):
        if not isinstance(element, dict):
            continue
        metadata = element.get("sensorMetadata")
        if isinstance(metadata, dict):
            for name in ("time", "startTime", "endTime"):
                yield f"/sensorElementList/{i}/sensorMetadata/{name}", metadata.get(name)
        reports = element.get("sensorReport")
        for j, report in enumerate(reports if isinstance(reports, list) else ()):
            if isinstance(report, dict):
                yield f"/sensorElementList/{i}/sensorReport/{j}/time", report.get("time")


def time_problems(event: dict, index: int | None, bounds: TimeBounds) -> list[Problem]:
    """The times of a (schema-valid) event that lie outside ``bounds``."""
    problems = []
    for where, value in _times(event):
        if not isinstance(value, str) or not is_datetime(value):
            continue  # absent, or already reported by the schema
        moment = parse_time(value)  # compared as instants: no conversion, so no overflow
        if moment > bounds.latest:
            message = (
                f"{value} is more than {bounds.future_hours} hours after this repository's clock; "
                "an event is captured after it happens."
            )
        elif moment < bounds.earliest:
            earliest = bounds.earliest.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            message = f"{value} is before {earliest}, the earliest time this repository accepts."
        else:
            continue
        problems.append(Problem(index, where, message, "time"))
    return problems


def check_event(event, index: int | None, *, bounds: TimeBounds | None = None) -> list[Problem]:
    """Every problem of one event of a document (empty when it is valid); with ``bounds``, its
    times must lie within them (a capture always gives them)."""
    if problems := _schema_problems("#/definitions/EPCIS-Document-Event", event, index):
        return problems
    problems = length_problems(event, index) + identifier_problems(event, index)
    if bounds is not None:
        problems += time_problems(event, index, bounds)
    return problems


def check_document(document) -> tuple[list, list[Problem]]:
    """The events of an EPCIS document and its document-level problems (not an
    ``EPCISDocument``, no ``@context``, no ``eventList``...), reported with ``index=None``.
    The events themselves are not checked here (see :func:`check_event`)."""
    if not isinstance(document, dict):
        return [], [Problem(None, "/", "An EPCIS document is a JSON object.")]
    if document.get("type") != "EPCISDocument":
        return [], [Problem(None, "/type", f"Capture takes an EPCISDocument, not {document.get('type')!r}.")]
    body = document.get("epcisBody")
    events = body.get("eventList") if isinstance(body, dict) else None
    if not isinstance(events, list):
        return [], [Problem(None, "/epcisBody/eventList", "The document has no eventList.")]
    shell = {**document, "epcisBody": {**body, "eventList": []}}
    if problems := _schema_problems("#", shell, None):
        return [], problems
    return events, []


def validate_document(document) -> tuple[list, list[Problem]]:
    """The events of an EPCIS document and every problem found in it.

    Document-level problems (not an ``EPCISDocument``, no ``@context``, no ``eventList``...) are
    reported with ``index=None`` and stop there; otherwise each event is checked on its own.
    """
    events, problems = check_document(document)
    if problems:
        return [], problems
    for index, event in enumerate(events):
        problems.extend(check_event(event, index))
    return events, problems


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------

# Prefixes under which the CBV words may be written as URIs (EPCIS 2.0 JSON uses the bare word).
_CBV_PREFIXES = {
    "bizStep": (
        "https://ref.gs1.org/cbv/BizStep-",
        "https://gs1.org/voc/Bizstep-",
        "urn:epcglobal:cbv:bizstep:",
    ),
    "disposition": (
        "https://ref.gs1.org/cbv/Disp-",
        "https://gs1.org/voc/Disposition-",
        "urn:epcglobal:cbv:disp:",
    ),
}


def cbv(definition: str, value: str | None) -> str:
    """A business step or disposition in canonical form: the bare CBV word when it is one."""
    if not value:
        return ""
    words = vocabulary(definition)
    if value in words:
        return value
    for prefix in _CBV_PREFIXES.get(definition, ()):
        if value.startswith(prefix) and value[len(prefix) :] in words:
            return value[len(prefix) :]
    return value


@dataclass
class NormalisedEvent:
    """What the repository indexes of one valid event; ``document`` is the event as captured."""

    index: int
    event_type: str
    event_time: datetime
    timezone: str
    event_id: str
    action: str
    biz_step: str
    disposition: str
    read_point: str
    biz_location: str
    identifiers: list[tuple[str, str]] = field(default_factory=list)  # (role, canonical key)
    error_declaration: bool = False
    document: dict = field(default_factory=dict)

    def keys(self, roles=None) -> set[str]:
        return {key for role, key in self.identifiers if roles is None or role in roles}


def normalise(event: dict, index: int = 0, *, platform=None) -> NormalisedEvent:
    """The indexed columns of a valid event (see the module docstring)."""
    identifiers: list[tuple[str, str]] = []
    seen = set()

    def add(role: str, value) -> None:
        if isinstance(value, str) and value:
            pair = (role, dl.canonical_key(value, platform=platform))
            if pair not in seen:
                seen.add(pair)
                identifiers.append(pair)

    for name, role in INSTANCE_FIELDS.items():
        for value in event.get(name) or ():
            add(role, value)
    add("parent", event.get("parentID"))
    for name, role in CLASS_FIELDS.items():
        for item in event.get(name) or ():
            add(role, item.get("epcClass"))

    def location(name: str) -> str:
        value = event.get(name)
        value = value.get("id") if isinstance(value, dict) else None
        return dl.canonical_key(value, platform=platform) if value else ""

    return NormalisedEvent(
        index=index,
        event_type=event["type"],
        event_time=parse_time(event["eventTime"]).astimezone(UTC),
        timezone=event.get("eventTimeZoneOffset", "+00:00"),
        event_id=event.get("eventID", "") or "",
        action=event.get("action", "") or "",
        biz_step=cbv("bizStep", event.get("bizStep")),
        disposition=cbv("disposition", event.get("disposition")),
        read_point=location("readPoint"),
        biz_location=location("bizLocation"),
        identifiers=identifiers,
        error_declaration="errorDeclaration" in event,
        document=event,
    )


# ---------------------------------------------------------------------------------------------
# Which products a key names (for permissions and for attaching events to batches)
# ---------------------------------------------------------------------------------------------

_GTIN_PREFIX = "https://id.gs1.org/01/"
_CODE_PREFIX = "ocop:t/"


def product_of_key(key: str) -> tuple[str, str, str | None] | None:
    """``("gtin", "08934567000017", lot)`` or ``("code", "00001AG", lot)`` for a product key
    (a canonical key: see :func:`ocop.trace.digitallink.canonical_key`), else None."""
    if key.startswith(_GTIN_PREFIX):
        kind, value, rest = "gtin", key[22:36], key[36:]
    elif key.startswith(_CODE_PREFIX):
        kind, value, rest = "code", key[7:14], key[14:]
    else:
        return None
    if rest and rest[0] != "/":
        return None
    parts = rest.split("/")[1:]  # qualifier, value, qualifier, value...
    for i in range(0, len(parts) - 1, 2):
        if parts[i] == "10":
            return kind, value, unquote(parts[i + 1])
    return kind, value, None


def document(events: list[dict], *, created: datetime, context_extra: dict | None = None) -> dict:
    """An EPCISDocument holding ``events`` (for the platform's own events and for tests)."""
    context: list = [CONTEXT_URL]
    if context_extra:
        context.append(context_extra)
    return {
        "@context": context,
        "type": "EPCISDocument",
        "schemaVersion": SCHEMA_VERSION,
        "creationDate": created.isoformat().replace("+00:00", "Z"),
        "epcisBody": {"eventList": events},
    }


def shown(value, limit: int = 300) -> str:
    """An extension field's value as text for people: a string as it is, anything else (a
    list, an object, a number, true) as its JSON, nothing for null or an absent field; cut to
    ``limit`` characters. Events hold whatever their senders wrote: pages show it as text
    rather than trust its type."""
    if value is None:
        return ""
    if not isinstance(value, str):
        try:
            value = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError, RecursionError):
            value = ""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def format_time(moment: datetime) -> str:
    """An aware datetime as EPCIS writes it (UTC, milliseconds, ``Z``)."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
