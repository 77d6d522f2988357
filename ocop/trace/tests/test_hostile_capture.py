"""A hostile corpus for EPCIS capture (``POST /epcis/capture``): bodies and events built to break
a parser, a database or a page. Large ones are generated here, at test time.

Each case states the exact answer: a body the repository cannot read is refused at once (400,
413 or 415, an RFC 7807 problem typed with the EPCIS exception, no capture job); a readable
document whose events break the rules gets its capture job (202) listing each problem with the
event's index and field. Either way, nothing is stored.
"""

import gzip
import json

import pytest

from ocop.jobs.models import Job
from ocop.trace.models import CaptureJob, Event, EventIdentifier

from .conftest import GTIN_P, gs1_document, lgtin, object_event
from .test_capture import core, job_of, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def nothing_stored(db):
    """Asserts, after the test, that no event, identifier, capture job or background job exists."""
    counts = lambda: (  # noqa: E731
        Event.objects.count(),
        EventIdentifier.objects.count(),
        CaptureJob.objects.count(),
        Job.objects.count(),
    )
    before = counts()
    yield
    assert counts() == before


@pytest.fixture
def nothing_captured(db):
    """Asserts, after the test, that no event or identifier was stored (a capture job may exist)."""
    before = (Event.objects.count(), EventIdentifier.objects.count())
    yield
    assert (Event.objects.count(), EventIdentifier.objects.count()) == before


def text(document) -> str:
    return json.dumps(document, ensure_ascii=False)


def one_event(**extra) -> str:
    """A valid document of one event, as JSON text."""
    return text(gs1_document(object_event(**extra)))


def splice(value: str) -> str:
    """The document with the extension field ``example:raw`` holding ``value``, written as is."""
    return one_event(**{"example:raw": "@@"}).replace('"@@"', value, 1)


def refused(response, status: int, exception: str, detail: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert (body["type"], body["title"], body["status"]) == (f"epcisException:{exception}", exception, status)
    assert body["detail"] == detail


# ---------------------------------------------------------------------------------------------
# Bodies that are not a readable JSON document: refused before any capture job
# ---------------------------------------------------------------------------------------------

DIGITS_5000 = "7" * 5000
NESTED_100K = "[" * 100_000 + "]" * 100_000

UNREADABLE = {
    "5000-digit-integer": (
        splice(DIGITS_5000),
        "A number has 5000 digits (777777777777…); numbers in an EPCIS document have at most 20 digits.",
    ),
    "5000-digit-quantity": (
        text(
            gs1_document(object_event(quantityList=[{"epcClass": lgtin(GTIN_P, "L1"), "quantity": 1}]))
        ).replace('"quantity": 1', '"quantity": -' + DIGITS_5000),
        "A number has 5000 digits (-77777777777…); numbers in an EPCIS document have at most 20 digits.",
    ),
    "21-digit-integer": (
        splice("123456789012345678901"),
        "A number has 21 digits (123456789012…); numbers in an EPCIS document have at most 20 digits.",
    ),
    "float-overflow": (splice("1e400"), "The number 1e400 is too large for a JSON number."),
    "5000-digit-float": (
        splice(DIGITS_5000 + ".5"),
        f"The number {DIGITS_5000[:40]}… is too large for a JSON number.",
    ),
    "NaN": (splice("NaN"), "NaN is not JSON: numbers are finite."),
    "Infinity": (splice("-Infinity"), "-Infinity is not JSON: numbers are finite."),
    "100000-nested-arrays": (
        splice(NESTED_100K),
        "The document nests arrays and objects more than 32 levels deep.",
    ),
    "100000-nested-arrays-alone": (
        NESTED_100K,
        "The document nests arrays and objects more than 32 levels deep.",
    ),
    "33-nested-objects": (
        splice('{"a":' * 29 + "1" + "}" * 29),
        "The document nests arrays and objects more than 32 levels deep "
        "(at /epcisBody/eventList/0/example:raw" + "/a" * 28 + ").",
    ),
    "duplicate-key": (
        one_event().replace('"action": "OBSERVE"', '"action": "OBSERVE", "action": "DELETE"'),
        "The name 'action' appears twice in one object; names in a JSON object must be unique.",
    ),
    "duplicate-key-top": (
        one_event().replace(
            '"type": "EPCISDocument"', '"type": "EPCISDocument", "type": "EPCISQueryDocument"'
        ),
        "The name 'type' appears twice in one object; names in a JSON object must be unique.",
    ),
    "nul-in-value": (
        splice('"caf\\u0000e"'),
        "The text at /epcisBody/eventList/0/example:raw holds the NUL character (\\u0000), "
        "which this repository does not store.",
    ),
    "nul-in-name": (
        one_event().replace('"example:myField"', '"example:my\\u0000Field"'),
        "A name in the object at /epcisBody/eventList/0 holds the NUL character (\\u0000), "
        "which this repository does not store.",
    ),
    "nul-in-list": (
        one_event().replace('"epcList": [', '"epcList": ["\\u0000", '),
        "The text at /epcisBody/eventList/0/epcList/0 holds the NUL character (\\u0000), "
        "which this repository does not store.",
    ),
    "lone-high-surrogate": (
        splice('"\\ud800"'),
        "The text at /epcisBody/eventList/0/example:raw holds half of a UTF-16 surrogate pair "
        "(\\ud800 to \\udfff), which is not a character.",
    ),
    "lone-low-surrogate": (
        splice('["ok", "x\\uDC00y"]'),
        "The text at /epcisBody/eventList/0/example:raw/1 holds half of a UTF-16 surrogate pair "
        "(\\ud800 to \\udfff), which is not a character.",
    ),
    "not-json": (
        "{not json",
        "The body is not JSON: Expecting property name enclosed in double quotes (line 1, column 2).",
    ),
    "trailing-garbage": (one_event() + " {}", None),
    "blank": (" ", "The body is not JSON: Expecting value (line 1, column 2)."),
    "null": ("null", "An EPCIS document is a JSON object, not null."),
    "array": ("[]", "An EPCIS document is a JSON object, not an array."),
    "string": ('"EPCISDocument"', "An EPCIS document is a JSON object, not a string."),
    "number": ("0", "An EPCIS document is a JSON object, not a number."),
    "boolean": ("true", "An EPCIS document is a JSON object, not true or false."),
    "nul-alone": (
        '"\\u0000"',
        "The body is a text holding the NUL character (\\u0000), which this repository does not store.",
    ),
}


@pytest.mark.parametrize(("body", "detail"), list(UNREADABLE.values()), ids=list(UNREADABLE))
def test_unreadable_json_is_refused_with_a_400(client, gtins, token_a, nothing_stored, body, detail):
    response = post(client, body, token_a)
    if detail is None:
        assert response.status_code == 400
        assert response.json()["detail"].startswith("The body is not JSON: Extra data (line 1, column")
        return
    refused(response, 400, "ValidationException", detail)


BYTES = {
    "latin-1": (one_event(**{"example:raw": "Café"}).encode("latin-1"), 0xE9, "invalid continuation byte"),
    "utf-16": (one_event().encode("utf-16"), 0xFF, "invalid start byte"),
    "encoded-surrogate": (
        splice('"x"').encode().replace(b'"x"', b'"\xed\xa0\x80"'),
        0xED,
        "invalid continuation byte",
    ),
    "truncated-character": (
        one_event(**{"example:raw": "@@"}).encode().replace(b"@@", "ệ".encode()[:2]),
        0xE1,
        "invalid continuation byte",
    ),
    "lone-continuation-byte": (
        one_event(**{"example:raw": "@@"}).encode().replace(b"@@", b"\x80"),
        0x80,
        "invalid start byte",
    ),
}


@pytest.mark.parametrize(("body", "byte", "reason"), list(BYTES.values()), ids=list(BYTES))
def test_bytes_that_are_not_utf8_are_refused(client, gtins, token_a, nothing_stored, body, byte, reason):
    position = body.index(bytes([byte]))
    refused(
        post(client, body, token_a),
        400,
        "ValidationException",
        f"The body is not UTF-8 (byte 0x{byte:02x} at position {position}: {reason}).",
    )


def test_a_utf8_byte_order_mark_is_ignored(client, gtins, token_a):
    job = job_of(client, post(client, ("\ufeff" + one_event()).encode(), token_a), token_a)
    assert (job["success"], job["capturedEventCount"]) == (True, 1)


def test_a_compressed_body_is_refused_unread(client, gtins, token_a, nothing_stored):
    """A gzip bomb: 10 MB of zeros in 10 kB. The capture interface does not take compressed
    bodies at all, so nothing is ever inflated."""
    bomb = gzip.compress(b"0" * 10_000_000, compresslevel=9)
    assert len(bomb) < 20_000
    for coding in ("gzip", "deflate", "br", "gzip, identity"):
        refused(
            post(client, bomb, token_a, HTTP_CONTENT_ENCODING=coding),
            415,
            "ValidationException",
            f"Content-Encoding {coding} is not accepted: send the document uncompressed.",
        )


def test_an_identity_content_encoding_is_plain(client, gtins, token_a):
    job = job_of(client, post(client, one_event(), token_a, HTTP_CONTENT_ENCODING="identity"), token_a)
    assert (job["success"], job["capturedEventCount"]) == (True, 1)


def test_one_event_over_the_limit_is_refused_whole(client, gtins, token_a, settings, nothing_stored):
    """Exactly the default maximum of events plus one (generated here: about 7 MB)."""
    limit = settings.OCOP_EPCIS_CAPTURE_MAX_EVENTS
    assert limit == 10_000
    event = object_event()
    body = text(gs1_document(*[dict(event, eventID=f"urn:uuid:{i}") for i in range(limit + 1)]))
    assert len(body) < settings.OCOP_EPCIS_CAPTURE_MAX_BYTES
    refused(
        post(client, body, token_a),
        413,
        "CaptureLimitExceededException",
        f"The document holds {limit + 1} events; the limit is {limit}.",
    )


def test_exactly_the_limits_are_accepted(client, gtins, token_a, settings):
    settings.OCOP_EPCIS_CAPTURE_MAX_EVENTS = 3
    events = [object_event(eventID=f"urn:uuid:{i}") for i in range(3)]
    body = text(gs1_document(*events))
    settings.OCOP_EPCIS_CAPTURE_MAX_BYTES = len(body.encode())
    job = job_of(client, post(client, body, token_a), token_a)
    assert (job["success"], job["capturedEventCount"]) == (True, 3)
    refused(
        post(client, body + " ", token_a),
        413,
        "CaptureLimitExceededException",
        f"The document is over {len(body.encode())} bytes.",
    )
    assert Event.objects.count() == 3


def test_large_documents_are_read_the_same_before_the_background_job(
    client, gtins, token_a, settings, nothing_stored, django_capture_on_commit_callbacks
):
    """Documents captured in the background are read (and refused) before the job is queued."""
    settings.OCOP_EPCIS_CAPTURE_INLINE_EVENTS = 1
    body = text(gs1_document(object_event(), object_event(eventID="urn:uuid:2"))).replace(
        '"example:myField": "Example of a vendor/user extension"', f'"example:myField": {DIGITS_5000}', 1
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, body, token_a)
    refused(
        response,
        400,
        "ValidationException",
        "A number has 5000 digits (777777777777…); numbers in an EPCIS document have at most 20 digits.",
    )


# ---------------------------------------------------------------------------------------------
# Readable documents whose events break the rules: a capture job lists every problem
# ---------------------------------------------------------------------------------------------

TIMES = {
    "far-future": (
        "9999-12-31T23:59:59+14:00",
        "time",
        "is more than 24 hours after this repository's clock",
    ),
    "far-future-west": (
        "9999-12-31T23:59:59-14:00",
        "time",
        "is more than 24 hours after this repository's clock",
    ),
    "far-past": ("0001-01-01T00:00:00+14:00", "time", "is before 2000-01-01T00:00:00Z"),
    "unix-epoch": ("1970-01-01T00:00:00Z", "time", "is before 2000-01-01T00:00:00Z"),
    "offset-24": ("2025-11-03T20:33:31+24:00", "schema", "is not a real date and time"),
    "offset-15": (
        "2025-11-03T20:33:31+15:00",
        "schema",
        "has the offset +15:00; offsets run from -14:00 to +14:00",
    ),
    "offset-no-colon": ("2025-11-03T20:33:31+0700", "schema", "is not an RFC 3339 date-time"),
    "leap-second": ("2016-12-31T23:59:60Z", "schema", "names a leap second (:60)"),
    "no-offset": (
        "2025-11-03T20:33:31",
        "schema",
        "has no time zone: end it with Z or an offset such as +07:00",
    ),
    "date-only": ("2025-11-03", "schema", "is not an RFC 3339 date-time"),
    "february-30": (
        "2025-02-30T00:00:00Z",
        "schema",
        "is not a real date and time (day is out of range for month)",
    ),
    "hour-25": ("2025-11-03T25:00:00Z", "schema", "is not a real date and time (hour must be in 0..23)"),
    "number": (1762200811, "schema", "1762200811 is not of type 'string'"),
}


@pytest.mark.parametrize(("value", "code", "message"), list(TIMES.values()), ids=list(TIMES))
@pytest.mark.parametrize("behaviour", ["rollback", "proceed"])
def test_hostile_event_times(client, gtins, token_a, nothing_captured, value, code, message, behaviour):
    job = job_of(
        client, post(client, gs1_document(object_event(eventTime=value)), token_a, behaviour), token_a
    )
    (error,) = job["errors"]
    assert (error["eventIndex"], error["field"], error["code"]) == (0, "/eventTime", code)
    assert message in error["detail"]
    assert (error["type"], error["status"]) == ("epcisException:ValidationException", 400)
    assert (job["success"], job["capturedEventCount"]) == (False, 0)


@pytest.mark.parametrize(
    "value",
    ["2025-11-03t20:33:31.116z", "2025-11-03T20:33:31.123456789012+07:00", "2025-11-03T20:33:31-14:00"],
    ids=["lower-case", "twelve-decimals", "offset-minus-14"],
)
def test_unusual_but_valid_times_are_captured(client, gtins, token_a, value):
    job = job_of(client, post(client, gs1_document(object_event(eventTime=value)), token_a), token_a)
    assert (job["success"], job["errors"]) == (True, [])
    assert Event.objects.get().document["eventTime"] == value


LONG = "9" * 100_000
OVERLONG = {
    "event-id": (object_event(eventID="urn:uuid:" + LONG), "/eventID", 300),
    "epc": (object_event(epcList=["urn:epc:id:sgtin:0614141.107346." + LONG]), "/epcList/0", 300),
    "read-point": (object_event(readPoint={"id": "https://example.com/rp/" + LONG}), "/readPoint/id", 300),
    "biz-step": (object_event(bizStep="https://example.com/steps/" + LONG), "/bizStep", 200),
}


@pytest.mark.parametrize(("event", "field", "limit"), list(OVERLONG.values()), ids=list(OVERLONG))
def test_what_is_indexed_has_a_length(client, gtins, token_a, nothing_captured, event, field, limit):
    """Identifiers, eventIDs and CBV words are indexed: one longer than its column would be
    cut, and two different ones would then match."""
    job = job_of(client, post(client, gs1_document(event), token_a), token_a)
    (error,) = [e for e in job["errors"] if e["field"] == field]
    length = len(event[field[1:].split("/")[0]]) if field.count("/") == 1 else None
    assert error["code"] == "length"
    assert error["detail"].endswith(f"characters long; this repository indexes at most {limit}.")
    if length:
        assert (
            error["detail"]
            == f"The value is {length} characters long; this repository indexes at most {limit}."
        )
    assert job["capturedEventCount"] == 0


def test_a_huge_extension_string_is_kept_whole(client, gtins, token_a):
    """Extension values are not indexed: a 1 MB string is stored as sent (within the document's
    size limit), and pages show its beginning (see test_extension_values)."""
    huge = "Phở " * 250_000
    job = job_of(
        client, post(client, gs1_document(object_event(**{"example:myField": huge})), token_a), token_a
    )
    assert job["success"] is True
    assert Event.objects.get().document["example:myField"] == huge


VALUES = {
    "string": "x",
    "empty-string": "",
    "integer": 20,
    "negative": -7,
    "twenty-digits": 99999999999999999999,
    "float": 2.5,
    "exponent": 2.5e-7,  # PostgreSQL writes it 0.00000025: the same number
    "true": True,
    "false": False,
    "null": None,
    "list": ["80", 1, None],
    "empty-list": [],
    "object": {"ocop:code": "80", "nested": {"deeper": [1, 2]}},
    "empty-object": {},
    "unicode": "Bánh pía Sóc Trăng 🥮",
    "surrogate-pair": "\U0001f96e",
    "nested-20": json.loads("[" * 20 + "]" * 20),
    "nested-to-the-limit": json.loads('{"a":' * 28 + "1" + "}" * 28),  # 32 levels with the document's
}


@pytest.mark.parametrize("value", list(VALUES.values()), ids=list(VALUES))
def test_extension_values_of_every_json_type_are_stored_as_sent(client, gtins, token_a, value):
    event = object_event(**{"example:myField": value})
    body = text(gs1_document(event)).replace("🥮", "\\ud83e\\udd6e")  # a pair, escaped
    job = job_of(client, post(client, body, token_a), token_a)
    assert (job["success"], job["errors"]) == (True, [])
    assert Event.objects.get().document["example:myField"] == value


CONTEXTS = {
    "number": (42, "/@context"),
    "null": (None, "/@context"),
    "list-with-null": (["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", None], "/@context"),
    "repeated": (
        ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"] * 2,
        "/@context",
    ),
    "not-a-uri": ("epcis context", "/@context"),
}


@pytest.mark.parametrize(("context", "field"), list(CONTEXTS.values()), ids=list(CONTEXTS))
def test_invalid_json_ld_contexts_fail_the_capture(client, gtins, token_a, nothing_captured, context, field):
    document = gs1_document(object_event())
    document["@context"] = context
    job = job_of(client, post(client, document, token_a), token_a)
    (error,) = job["errors"]
    assert (error["eventIndex"], error["type"]) == (None, "epcisException:ValidationException")
    assert error["field"].startswith(field)
    assert (job["success"], job["capturedEventCount"]) == (False, 0)


def test_a_context_copied_onto_every_event_has_a_size(client, gtins, token_a, nothing_captured, settings):
    """The document's own @context travels with each of its events; a large one would be
    stored once per event (10,000 copies of a few megabytes)."""
    document = gs1_document(object_event(), object_event(eventID="urn:uuid:2"))
    document["@context"].append({f"p{i}": f"https://example.com/{'x' * 90}/{i}" for i in range(200)})
    own = document["@context"][1:]
    size = len(json.dumps(own, ensure_ascii=False, separators=(",", ":")))
    limit = settings.OCOP_EPCIS_MAX_CONTEXT_CHARS
    assert size > limit
    job = job_of(client, post(client, document, token_a), token_a)
    assert core(job["errors"]) == [
        {
            "eventIndex": None,
            "field": "/@context",
            "code": "length",
            "message": f"The document's own @context is {size:,} characters of JSON; this repository "
            f"keeps at most {limit:,} with each event.",
        }
    ]
    assert job["capturedEventCount"] == 0


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ('{"type": "EPCISDocument"}', "/epcisBody/eventList", "The document has no eventList."),
        (
            '{"type": "EPCISQueryDocument"}',
            "/type",
            "Capture takes an EPCISDocument, not 'EPCISQueryDocument'.",
        ),
        ("{}", "/type", "Capture takes an EPCISDocument, not None."),
    ],
    ids=["no-body", "query-document", "empty-object"],
)
def test_an_object_that_is_not_an_epcis_document_fails_the_capture(
    client, gtins, token_a, nothing_captured, body, field, message
):
    job = job_of(client, post(client, body, token_a), token_a)
    assert core(job["errors"]) == [{"eventIndex": None, "field": field, "code": "schema", "message": message}]
    assert (job["errors"][0]["type"], job["success"]) == ("epcisException:ValidationException", False)


def test_refusals_speak_the_readers_language(gtins, token_a):
    from django.test import Client

    vietnamese = Client(HTTP_ACCEPT_LANGUAGE="vi")
    refused(
        post(vietnamese, splice(DIGITS_5000), token_a),
        400,
        "ValidationException",
        "Có một số gồm 5000 chữ số (777777777777…); số trong tài liệu EPCIS có tối đa 20 chữ số.",
    )
    refused(
        post(vietnamese, splice('"\\u0000"'), token_a),
        400,
        "ValidationException",
        "Chuỗi văn bản tại /epcisBody/eventList/0/example:raw chứa ký tự NUL (\\u0000), kho dữ liệu này "
        "không lưu ký tự đó.",
    )
    refused(
        post(vietnamese, b"{\xff}", token_a),
        400,
        "ValidationException",
        "Nội dung gửi lên không phải UTF-8 (byte 0xff ở vị trí 1: byte mở đầu không hợp lệ).",
    )
    refused(
        post(vietnamese, "{", token_a),
        400,
        "ValidationException",
        "Nội dung gửi lên không phải JSON: thiếu tên thuộc tính đặt trong dấu ngoặc kép (dòng 1, cột 2).",
    )
    assert CaptureJob.objects.count() == 0 and Event.objects.count() == 0
