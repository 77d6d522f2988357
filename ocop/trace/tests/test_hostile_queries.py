"""Hostile reads: EPCIS query parameters (``GET /epcis/events``) and Digital Link paths the
resolver is asked for. Each answers a 4xx naming the problem (or an ordinary answer), never a
500, and a read writes nothing."""

import pytest

from ocop.trace.models import CaptureJob, Event, EventIdentifier, ScanFlag

from .conftest import GTIN_P

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "lies outside the times this repository can compare (years 1 to 9999 in UTC)."

QUERIES = {
    "per-page-40-digits": ("perPage=" + "1" * 40, "perPage", "perPage has 40 digits; at most 18 are read."),
    "per-page-5000-digits": (
        "perPage=" + "9" * 5000,
        "perPage",
        "perPage has 5000 digits; at most 18 are read.",
    ),
    "count-limit-5000-digits": (
        "eventCountLimit=" + "9" * 5000,
        "eventCountLimit",
        "eventCountLimit has 5000 digits; at most 18 are read.",
    ),
    "per-page-huge": ("perPage=1000001", "perPage", "perPage must be from 1 to 1000."),
    "per-page-arabic-digit": ("perPage=%D9%A3", "perPage", "perPage must be a whole number."),
    "per-page-underscore": ("perPage=1_0", "perPage", "perPage must be a whole number."),
    "per-page-exponent": ("perPage=1e3", "perPage", "perPage must be a whole number."),
    "time-far-future-west": (
        "GE_eventTime=9999-12-31T23:59:59-14:00",
        "GE_eventTime",
        f"GE_eventTime: 9999-12-31T23:59:59-14:00 {OUT_OF_RANGE}",
    ),
    "time-year-one-east": (
        "LT_recordTime=0001-01-01T00:00:00%2B14:00",
        "LT_recordTime",
        f"LT_recordTime: 0001-01-01T00:00:00+14:00 {OUT_OF_RANGE}",
    ),
    "time-year-zero": (
        "GE_eventTime=0000-01-01T00:00:00Z",
        "GE_eventTime",
        "GE_eventTime: '0000-01-01T00:00:00Z' is not a real date and time (year 0 is out of range).",
    ),
    "time-without-offset": (
        "GE_eventTime=2025-01-01T00:00:00",
        "GE_eventTime",
        "GE_eventTime: '2025-01-01T00:00:00' has no time zone: end it with Z or an offset such as +07:00.",
    ),
    "time-leap-second": (
        "LT_eventTime=2016-12-31T23:59:60Z",
        "LT_eventTime",
        "LT_eventTime: '2016-12-31T23:59:60Z' names a leap second (:60), which EPCIS times cannot hold.",
    ),
    "nul-in-event-id": ("EQ_eventID=a%00b", "EQ_eventID", "EQ_eventID holds a NUL character (%00)."),
    "nul-in-biz-step": ("EQ_bizStep=%00", "EQ_bizStep", "EQ_bizStep holds a NUL character (%00)."),
    "nul-in-flag": (
        "EXISTS_errorDeclaration=%00",
        "EXISTS_errorDeclaration",
        "EXISTS_errorDeclaration holds a NUL character (%00).",
    ),
    "encoded-surrogate": (
        "eventType=%ED%A0%80",
        "eventType",
        "eventType: '\ufffd\ufffd\ufffd' is not an EPCIS event type.",
    ),
    "epc-5000-digits": (
        "MATCH_epc=urn:epc:id:sgtin:" + "9" * 5000,
        "MATCH_epc",
        None,
    ),
    "unknown-parameter-with-nul": (
        "EQ_%00=1",
        "EQ_\x00",
        "EQ_\x00 is not a query parameter this repository knows.",
    ),
}


@pytest.mark.parametrize(("query", "parameter", "detail"), list(QUERIES.values()), ids=list(QUERIES))
def test_hostile_query_parameters_are_named(client, owner_a, gtins, query, parameter, detail):
    client.force_login(owner_a)
    response = client.get("/epcis/events", QUERY_STRING=query)
    assert response.status_code == 400, response.content
    body = response.json()
    assert (body["type"], body["parameter"]) == ("epcisException:QueryParameterException", parameter)
    if detail is not None:
        assert body["detail"] == detail


@pytest.mark.parametrize(
    "query",
    ["eventCountLimit=" + "1" * 18, "GE_eventTime=9999-12-31T23:59:59Z", "LT_eventTime=0001-01-01T00:00:00Z"],
    ids=["count-limit-18-digits", "last-second", "first-second"],
)
def test_the_edges_of_what_is_read_are_ordinary_queries(client, owner_a, gtins, query):
    client.force_login(owner_a)
    response = client.get("/epcis/events", QUERY_STRING=query)
    assert response.status_code == 200, response.content
    assert response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == []


# (path, status, problem type) as the linkset client reads them (application/linkset+json)
RESOLVER = {
    "nul-lot": (f"/01/{GTIN_P}/10/%00", 400, "bad-character"),
    "overlong-utf8": (f"/01/{GTIN_P}/10/%C0%80", 400, "bad-character"),
    "encoded-surrogate": (f"/01/{GTIN_P}/10/%ED%A0%80", 400, "bad-character"),
    "lot-10000": (f"/01/{GTIN_P}/10/" + "A" * 10_000, 400, "too-long"),
    "serial-40-digits": (f"/01/{GTIN_P}/10/L2511-01/21/" + "9" * 40, 400, "too-long"),
    "nul-serial": (f"/01/{GTIN_P}/10/L2511-01/21/%00", 400, "bad-character"),
    "gtin-40-digits": ("/01/" + "9" * 40, 400, None),
    "qualifiers-out-of-order": (f"/01/{GTIN_P}/21/1/10/L1", 400, None),
    "serial-twice": (f"/01/{GTIN_P}/10/L1/21/1/21/2", 400, None),
    "unknown-qualifier": (f"/01/{GTIN_P}/10/L1/99/x", 400, None),
    "attribute-surrogate": (f"/01/{GTIN_P}/10/L2511-01?17=%ED%A0%80", 400, "bad-date"),
    "attribute-5000-digits": (f"/01/{GTIN_P}?3103=" + "9" * 5000, 400, None),
    "platform-nul": ("/t/%00", 404, "bad-code"),
    "platform-surrogate": ("/t/%ED%A0%80/10/x", 404, "bad-code"),
    "platform-long": ("/t/" + "Z" * 500, 404, None),
}


@pytest.mark.parametrize(("path", "status", "code"), list(RESOLVER.values()), ids=list(RESOLVER))
def test_odd_digital_links_are_refused_and_count_nothing(client, batch_p, path, status, code):
    before = (ScanFlag.objects.count(), Event.objects.count())
    # RAW_URI as gunicorn passes it: the path exactly as sent, percent-encoding intact
    response = client.get(path, HTTP_ACCEPT="application/linkset+json", RAW_URI=path)
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == status
    if code is not None:
        assert body["type"] == f"https://ref.gs1.org/standards/resolver/{code}"
    page = client.get(path, RAW_URI=path)
    assert page.status_code == status
    assert (ScanFlag.objects.count(), Event.objects.count()) == before


def test_reads_write_nothing(client, owner_a, gtins):
    client.force_login(owner_a)
    before = (Event.objects.count(), EventIdentifier.objects.count(), CaptureJob.objects.count())
    for query in QUERIES.values():
        client.get("/epcis/events", QUERY_STRING=query[0])
    assert (Event.objects.count(), EventIdentifier.objects.count(), CaptureJob.objects.count()) == before


def test_query_refusals_speak_the_readers_language(owner_a, gtins):
    from django.test import Client

    vietnamese = Client(HTTP_ACCEPT_LANGUAGE="vi")
    vietnamese.force_login(owner_a)
    answers = [
        vietnamese.get("/epcis/events", QUERY_STRING=query).json()["detail"]
        for query in ("perPage=" + "9" * 40, "GE_eventTime=2025-01-01T00:00:00", "EQ_eventID=%00")
    ]
    assert answers == [
        "perPage có 40 chữ số; chỉ đọc tối đa 18 chữ số.",
        "GE_eventTime: '2025-01-01T00:00:00' thiếu múi giờ: hãy kết thúc bằng Z hoặc độ lệch như +07:00.",
        "EQ_eventID chứa ký tự NUL (%00).",
    ]
