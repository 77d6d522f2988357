"""Event times are bounded when events are captured or recorded, and no stored time, however
absurd, breaks a page, the API or the EPCIS query interface."""

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ocop.trace import services
from ocop.trace.models import Event, EventIdentifier

from .conftest import gs1_document, object_event
from .test_capture import core, job_of, post

pytestmark = pytest.mark.django_db


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _sensor_event(**where):
    """An ObjectEvent with a sensor reading (EPCIS 2.0 sensorElementList)."""
    metadata = {"time": "2025-11-03T20:00:00Z", **where.get("metadata", {})}
    report = {"type": "Temperature", "value": 26.5, "uom": "CEL", **where.get("report", {})}
    return object_event(sensorElementList=[{"sensorMetadata": metadata, "sensorReport": [report]}])


FAR_FUTURE = "9999-12-31T23:59:59+14:00"
FAR_FUTURE_WEST = "9999-12-31T23:59:59-14:00"
YEAR_ONE = "0001-01-01T00:00:00+14:00"


@pytest.mark.parametrize(
    ("event", "field", "message"),
    [
        (
            object_event(eventTime=FAR_FUTURE),
            "/eventTime",
            f"{FAR_FUTURE} is more than 24 hours after this repository's clock; an event is captured "
            "after it happens.",
        ),
        (
            object_event(eventTime=FAR_FUTURE_WEST),
            "/eventTime",
            f"{FAR_FUTURE_WEST} is more than 24 hours after this repository's clock; an event is "
            "captured after it happens.",
        ),
        (
            object_event(eventTime=YEAR_ONE),
            "/eventTime",
            f"{YEAR_ONE} is before 2000-01-01T00:00:00Z, the earliest time this repository accepts.",
        ),
        (
            object_event(eventTime="1999-12-31T23:59:59.999Z"),
            "/eventTime",
            "1999-12-31T23:59:59.999Z is before 2000-01-01T00:00:00Z, the earliest time this repository "
            "accepts.",
        ),
        (
            object_event(errorDeclaration={"declarationTime": FAR_FUTURE, "reason": "incorrect_data"}),
            "/errorDeclaration/declarationTime",
            f"{FAR_FUTURE} is more than 24 hours after this repository's clock; an event is captured "
            "after it happens.",
        ),
        (
            _sensor_event(metadata={"time": FAR_FUTURE_WEST}),
            "/sensorElementList/0/sensorMetadata/time",
            f"{FAR_FUTURE_WEST} is more than 24 hours after this repository's clock; an event is "
            "captured after it happens.",
        ),
        (
            _sensor_event(report={"time": YEAR_ONE}),
            "/sensorElementList/0/sensorReport/0/time",
            f"{YEAR_ONE} is before 2000-01-01T00:00:00Z, the earliest time this repository accepts.",
        ),
        (
            _sensor_event(metadata={"startTime": "1970-01-01T00:00:00Z", "endTime": FAR_FUTURE}),
            "/sensorElementList/0/sensorMetadata/endTime",
            f"{FAR_FUTURE} is more than 24 hours after this repository's clock; an event is captured "
            "after it happens.",
        ),
    ],
    ids=[
        "far-future",
        "far-future-west",
        "year-one",
        "before-2000",
        "declaration",
        "sensor-metadata",
        "sensor-report",
        "sensor-end",
    ],
)
@pytest.mark.parametrize("behaviour", ["rollback", "proceed"])
def test_capture_refuses_times_outside_the_bounds(client, gtins, token_a, event, field, message, behaviour):
    job = job_of(client, post(client, gs1_document(event), token_a, behaviour), token_a)
    problems = [e for e in job["errors"] if e["field"] == field]
    assert core(problems) == [{"eventIndex": 0, "field": field, "code": "time", "message": message}]
    assert (problems[0]["type"], problems[0]["status"]) == ("epcisException:ValidationException", 400)
    assert (job["success"], job["capturedEventCount"]) == (False, 0)
    assert Event.objects.count() == 0 and EventIdentifier.objects.count() == 0


def test_a_sensor_period_reports_both_ends(client, gtins, token_a):
    event = _sensor_event(metadata={"startTime": "1970-01-01T00:00:00Z", "endTime": FAR_FUTURE})
    job = job_of(client, post(client, gs1_document(event), token_a), token_a)
    assert [e["field"] for e in job["errors"]] == [
        "/sensorElementList/0/sensorMetadata/endTime",
        "/sensorElementList/0/sensorMetadata/startTime",
    ]


def test_the_bounds_are_settings_and_the_edges_are_accepted(client, gtins, token_a, settings):
    now = timezone.now()
    edges = [
        object_event(eventID="urn:uuid:t-1", eventTime="2000-01-01T00:00:00Z"),
        object_event(eventID="urn:uuid:t-2", eventTime=_iso(now + timedelta(hours=23))),
        object_event(
            eventID="urn:uuid:t-3",
            eventTime="2025-11-03T20:33:31Z",
            errorDeclaration={"declarationTime": _iso(now), "reason": "incorrect_data"},
        ),
    ]
    job = job_of(client, post(client, gs1_document(*edges), token_a), token_a)
    assert (job["success"], job["capturedEventCount"], job["errors"]) == (True, 3, [])

    settings.OCOP_EPCIS_EARLIEST_YEAR = 2020
    settings.OCOP_EPCIS_FUTURE_HOURS = 1
    late = object_event(eventID="urn:uuid:t-4", eventTime=_iso(now + timedelta(hours=2)))
    early = object_event(eventID="urn:uuid:t-5", eventTime="2019-12-31T23:59:59+00:00")
    job = job_of(client, post(client, gs1_document(late, early), token_a), token_a)
    assert [(e["eventIndex"], e["field"], e["message"]) for e in job["errors"]] == [
        (
            0,
            "/eventTime",
            f"{late['eventTime']} is more than 1 hours after this repository's clock; an event is "
            "captured after it happens.",
        ),
        (
            1,
            "/eventTime",
            "2019-12-31T23:59:59+00:00 is before 2020-01-01T00:00:00Z, the earliest time this "
            "repository accepts.",
        ),
    ]
    assert Event.objects.count() == 3


def test_the_captured_record_time_is_replaced_by_the_repositorys(client, gtins, token_a):
    """recordTime is the repository's to set (EPCIS 2.0 §7.4.1): a captured one, absurd or not,
    is not kept, so it needs no bound."""
    event = object_event(recordTime="9999-12-31T23:59:59-14:00")
    job = job_of(client, post(client, gs1_document(event), token_a), token_a)
    assert job["success"] is True
    stored = Event.objects.get()
    assert stored.document["recordTime"] != event["recordTime"]
    assert abs(stored.record_time - timezone.now()) < timedelta(minutes=5)


# ---------------------------------------------------------------------------------------------
# Times the platform writes from its own forms
# ---------------------------------------------------------------------------------------------


def test_a_step_before_the_earliest_time_is_refused_on_the_page_and_the_api(client, batch_p, owner_a):
    client.force_login(owner_a)
    before = Event.objects.count()
    response = client.post(
        f"/trace/batches/{batch_p.pk}/steps/", {"kind": "packing", "happened_at": "0001-01-01T00:00"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "This is before 01/01/2000, the earliest date events are recorded from." in page
    response = client.post(
        f"/api/v1/trace/batches/{batch_p.pk}/steps",
        {"kind": "packing", "happened_at": "0001-01-01T00:00:00+14:00"},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"] == [
        {
            "loc": ["body", "happened_at"],
            "msg": "This is before 01/01/2000, the earliest date events are recorded from.",
            "type": "value_error",
        }
    ]
    assert Event.objects.count() == before


def test_a_batch_produced_before_the_earliest_time_is_refused(client, gtins, owner_a):
    from ocop.trace.models import Batch

    client.force_login(owner_a)
    response = client.post(
        "/api/v1/trace/batches",
        {"product_id": gtins.p_recognised.pk, "lot": "OLD-1", "produced_on": "0001-01-01", "quantity": "1"},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"] == ["body", "produced_on"]
    assert response.json()["detail"][0]["msg"] == (
        "This is before 01/01/2000, the earliest date events are recorded from."
    )
    assert Batch.objects.count() == 0 and Event.objects.count() == 0


# ---------------------------------------------------------------------------------------------
# Times already stored: every page still answers
# ---------------------------------------------------------------------------------------------


def _stored(batch, moment: datetime, **document) -> Event:
    """An event written straight into the table, as an older version of the platform may have."""
    return Event.objects.create(
        event_id=f"urn:uuid:{moment.year}-{moment.month}",
        event_type="ObjectEvent",
        event_time=moment,
        timezone="+14:00",
        record_time=timezone.now(),
        action="OBSERVE",
        biz_step="shipping",
        batch=batch,
        producer_id=batch.product.producer_id,
        document={"type": "ObjectEvent", "eventTime": "x", "ocop:step": "shipping", **document},
    )


@pytest.fixture
def absurd_times(batch_p):
    _stored(batch_p, datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), **{"ocop:place": "Tận thế"})
    _stored(batch_p, datetime(1, 1, 1, tzinfo=UTC), **{"ocop:place": "Khởi thủy"})
    return batch_p


def test_the_scan_page_shows_events_at_any_stored_time(client, absurd_times):
    html = client.get(f"/scan/b/{absurd_times.pk}/").content.decode()
    assert "01/01/0001 07:06</time> · Khởi thủy" in html  # local mean time, then
    assert "31/12/9999 23:59</time> · Tận thế" in html  # beyond local time: shown as stored (UTC)


def test_the_batch_page_and_the_api_show_events_at_any_stored_time(client, absurd_times, owner_a):
    client.force_login(owner_a)
    html = client.get(f"/trace/batches/{absurd_times.pk}/").content.decode()
    assert "31/12/9999 23:59 · Tận thế" in html
    response = client.get(f"/api/v1/trace/batches/{absurd_times.pk}")
    assert response.status_code == 200, response.content
    steps = response.json()["steps"]
    assert [(s["at"][:16], s["place"]) for s in steps[:1] + steps[-1:]] == [
        ("0001-01-01T07:06", "Khởi thủy"),
        ("9999-12-31T23:59", "Tận thế"),
    ]


def test_the_query_interface_returns_events_at_any_stored_time(client, absurd_times, owner_a):
    client.force_login(owner_a)
    response = client.get("/epcis/events", {"orderDirection": "DESC", "perPage": "1"})
    assert response.status_code == 200, response.content
    events = response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["ocop:place"] for e in events] == ["Tận thế"]
    following = client.get(response["Link"].split(">")[0][1:])
    assert following.status_code == 200, following.content


@pytest.mark.parametrize("value", [FAR_FUTURE_WEST, YEAR_ONE, "9999-12-31T23:59:59Z"])
@pytest.mark.parametrize("name", ["GE_eventTime", "LT_eventTime", "GE_recordTime", "LT_recordTime"])
def test_query_times_beyond_what_the_database_holds_are_refused(client, absurd_times, owner_a, name, value):
    client.force_login(owner_a)
    response = client.get("/epcis/events", {name: value})
    if value.endswith("Z"):  # 9999-12-31T23:59:59Z is within range: an ordinary query
        assert response.status_code == 200, response.content
        return
    assert response.status_code == 400
    assert response.json() == {
        "type": "epcisException:QueryParameterException",
        "title": "QueryParameterException",
        "status": 400,
        "detail": f"{name}: {value} lies outside the times this repository can compare "
        "(years 1 to 9999 in UTC).",
        "parameter": name,
    }


def test_the_admin_lists_and_shows_events_at_any_stored_time(client, absurd_times, central):
    client.force_login(central)
    response = client.get("/admin/trace/event/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "9999-12-31 23:59:59 UTC" in html and "0001-01-01 07:06:" in html
    latest = Event.objects.order_by("-event_time").first()
    response = client.get(f"/admin/trace/event/{latest.pk}/change/")
    assert response.status_code == 200
    assert "9999-12-31 23:59:59 UTC" in response.content.decode()


def test_storing_a_step_writes_a_time_the_pages_show(client, batch_p, owner_a):
    """The usual path, for contrast: a step in local time reads back in local time."""
    services.batch_step_record(
        user=owner_a,
        batch=batch_p,
        kind="packing",
        happened_at=timezone.make_aware(datetime(2025, 11, 3, 9, 30)),
        quantity=Decimal(5),
    )
    html = client.get(f"/scan/b/{batch_p.pk}/").content.decode()
    assert "03/11/2025 09:30" in html
    assert date(2025, 11, 3) == Event.objects.filter(biz_step="packing").get().event_time.date()
    assert json.loads(json.dumps(Event.objects.filter(biz_step="packing").get().document))["eventTime"] == (
        "2025-11-03T02:30:00.000Z"
    )
