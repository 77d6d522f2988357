"""EPCIS capture: POST /epcis/capture, capture jobs, rollback and proceed, limits, permissions."""

import json

import pytest

from ocop.trace import epcis
from ocop.trace.models import CaptureJob, Event, EventIdentifier

from .conftest import ALL_EVENTS, GTIN_P, GTIN_Q, gs1_document, lgtin, object_event, transformation_event

pytestmark = pytest.mark.django_db


def post(client, document, token, behaviour=None, **extra):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if behaviour:
        headers["HTTP_GS1_CAPTURE_ERROR_BEHAVIOUR"] = behaviour
    body = document if isinstance(document, (bytes, str)) else json.dumps(document)
    return client.post(
        "/epcis/capture",
        data=body,
        content_type=extra.pop("content_type", "application/ld+json"),
        **headers,
        **extra,
    )


def core(errors):
    """The problems of a capture job without their RFC 7807 members."""
    return [{k: e[k] for k in ("eventIndex", "field", "code", "message")} for e in errors]


def job_of(client, response, token):
    assert response.status_code == 202, response.content
    location = response["Location"]
    assert location.startswith("/epcis/capture/")
    answer = client.get(location, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200
    return answer.json()


@pytest.mark.parametrize("make", ALL_EVENTS, ids=lambda f: f.__name__)
def test_each_event_type_is_captured_and_stored_as_sent(client, gtins, token_a, make):
    event = make()
    job = job_of(client, post(client, gs1_document(event), token_a), token_a)
    assert (job["success"], job["running"], job["errors"], job["capturedEventCount"]) == (True, False, [], 1)
    stored = Event.objects.get()
    assert stored.event_type == event["type"]
    assert stored.producer_id == gtins.p.pk
    assert stored.capture_id is not None
    expected = dict(
        event,
        recordTime=stored.document["recordTime"],
        **{"@context": [{"example": "http://ns.example.com/epcis/"}]},
    )
    assert stored.document == expected  # standard fields and extensions kept; the context travels with it
    assert EventIdentifier.objects.filter(event=stored).count() == len(
        set(epcis.normalise(event).identifiers)
    )


def test_events_naming_a_batch_are_attached_to_it(client, batch_p, token_a):
    event = transformation_event(outputQuantityList=[{"epcClass": lgtin(GTIN_P, "L2511-01"), "quantity": 5}])
    job = job_of(client, post(client, gs1_document(event), token_a), token_a)
    assert job["success"] is True
    assert Event.objects.filter(batch=batch_p, event_type="TransformationEvent").count() == 1


def test_rollback_stores_nothing_and_reports_every_error(client, gtins, token_a):
    bad_action = object_event(action="LOOK", eventID="urn:uuid:bad-1")
    bad_epc = object_event(eventID="urn:uuid:bad-2", epcList=["urn:epc:id:sgtin:0614141.107346"])
    document = gs1_document(object_event(), bad_action, object_event(eventID="urn:uuid:ok-2"), bad_epc)
    before = Event.objects.count()
    job = job_of(client, post(client, document, token_a, "rollback"), token_a)
    assert job["success"] is False
    assert job["capturedEventCount"] == 0
    assert [(e["eventIndex"], e["field"]) for e in job["errors"]] == [(1, "/action"), (3, "/epcList/0")]
    assert Event.objects.count() == before == 0
    assert EventIdentifier.objects.count() == 0


def test_a_capture_job_reads_as_the_standard_writes_it(client, gtins, token_a):
    document = gs1_document(object_event(action="LOOK"))
    job = job_of(client, post(client, document, token_a), token_a)
    for moment in (job["createdAt"], job["finishedAt"]):
        assert epcis.parse_time(moment).tzinfo is not None  # RFC 3339, with its time zone
    assert job["errors"] == [
        {
            "type": "epcisException:ValidationException",
            "title": "ValidationException",
            "status": 400,
            "detail": "'LOOK' is not one of ['OBSERVE', 'ADD', 'DELETE']",
            "instance": "#/epcisBody/eventList/0/action",
            "eventIndex": 0,
            "field": "/action",
            "code": "schema",
            "message": "'LOOK' is not one of ['OBSERVE', 'ADD', 'DELETE']",
        }
    ]


def test_proceed_stores_the_valid_events_and_reports_the_others(client, gtins, token_a):
    document = gs1_document(
        object_event(),
        object_event(action="LOOK", eventID="urn:uuid:bad"),
        object_event(eventID="urn:uuid:ok-2"),
    )
    job = job_of(client, post(client, document, token_a, "proceed"), token_a)
    assert (job["success"], job["capturedEventCount"], job["eventCount"]) == (False, 2, 3)
    assert [(e["eventIndex"], e["field"], e["code"]) for e in job["errors"]] == [(1, "/action", "schema")]
    assert sorted(Event.objects.values_list("event_id", flat=True)) == [
        "urn:uuid:0f1e0c1a-6b7b-4c9e-9d6e-000000000001",
        "urn:uuid:ok-2",
    ]


def test_a_failure_while_storing_leaves_nothing_half_stored(client, gtins, token_a, monkeypatch):
    real = EventIdentifier.objects.bulk_create

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(EventIdentifier.objects, "bulk_create", explode)
    job = job_of(
        client,
        post(client, gs1_document(object_event(), object_event(eventID="urn:uuid:2")), token_a),
        token_a,
    )
    monkeypatch.setattr(EventIdentifier.objects, "bulk_create", real)
    assert job["success"] is False
    assert core(job["errors"]) == [
        {"eventIndex": None, "field": "/", "code": "internal", "message": "The capture failed: RuntimeError."}
    ]
    assert job["errors"][0]["type"] == "epcisException:ImplementationException"
    assert Event.objects.count() == 0


def test_an_event_id_is_captured_once_but_an_error_declaration_may_repeat_it(client, gtins, token_a):
    assert job_of(client, post(client, gs1_document(object_event()), token_a), token_a)["success"] is True
    again = job_of(client, post(client, gs1_document(object_event()), token_a), token_a)
    assert core(again["errors"]) == [
        {
            "eventIndex": 0,
            "field": "/eventID",
            "code": "duplicate",
            "message": "Event urn:uuid:0f1e0c1a-6b7b-4c9e-9d6e-000000000001 is already captured.",
        }
    ]
    correction = object_event(
        errorDeclaration={"declarationTime": "2025-11-21T08:00:00Z", "reason": "incorrect_data"}
    )
    assert job_of(client, post(client, gs1_document(correction), token_a), token_a)["success"] is True
    assert Event.objects.filter(error_declaration=True).count() == 1


def test_producers_capture_only_for_their_own_products(client, gtins, owner_b, token_a, token_central):
    mine, theirs = object_event(), object_event(GTIN_Q, eventID="urn:uuid:q-1")
    job = job_of(client, post(client, gs1_document(mine, theirs), token_a, "proceed"), token_a)
    assert job["capturedEventCount"] == 1
    assert core(job["errors"]) == [
        {
            "eventIndex": 1,
            "field": "/epcList",
            "code": "permission",
            "message": "The event names a product your account may not record events for.",
        }
    ]
    foreign = object_event("10614141073464", eventID="urn:uuid:foreign")
    refused = job_of(client, post(client, gs1_document(foreign), token_a), token_a)
    assert refused["errors"][0]["code"] == "permission"
    accepted = job_of(client, post(client, gs1_document(foreign), token_central), token_central)
    assert accepted["success"] is True
    assert Event.objects.get(event_id="urn:uuid:foreign").producer_id is None


def test_officers_read_events_but_do_not_capture_them(client, gtins, officer_a):
    """Officers may read the events of their jurisdiction, not write them (as with batches)."""
    from ocop.accounts.models import ApiToken

    _t, token = ApiToken.issue(user=officer_a, name="x")
    job = job_of(client, post(client, gs1_document(object_event()), token), token)
    assert [(e["eventIndex"], e["code"]) for e in job["errors"]] == [(0, "permission")]
    assert Event.objects.count() == 0


def test_capture_needs_a_token_and_json(client, gtins, owner_a, token_a):
    response = post(client, gs1_document(object_event()), None)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["type"] == "epcisException:SecurityException"
    client.force_login(owner_a)  # a browser session is not enough to write
    assert post(client, gs1_document(object_event()), None).status_code == 401
    assert post(client, "<xml/>", token_a, content_type="application/xml").status_code == 415
    not_json = post(client, b"{not json", token_a)
    assert (not_json.status_code, not_json.json()["type"]) == (400, "epcisException:ValidationException")
    assert CaptureJob.objects.count() == 0


def test_oversized_documents_get_413(client, gtins, token_a, settings):
    settings.OCOP_EPCIS_CAPTURE_MAX_BYTES = 2000
    big = gs1_document(*[object_event(eventID=f"urn:uuid:{i}") for i in range(5)])
    response = post(client, big, token_a)
    assert response.status_code == 413
    assert response.json()["type"] == "epcisException:CaptureLimitExceededException"
    settings.OCOP_EPCIS_CAPTURE_MAX_BYTES = 10_000_000
    settings.OCOP_EPCIS_CAPTURE_MAX_EVENTS = 4
    response = post(client, big, token_a)
    assert response.status_code == 413
    assert "5 events" in response.json()["detail"]
    assert CaptureJob.objects.count() == 0 and Event.objects.count() == 0
    options = client.options("/epcis/capture")
    assert (options["GS1-EPCIS-Capture-Limit"], options["GS1-EPCIS-Capture-File-Size-Limit"]) == (
        "4",
        "10000000",
    )


def test_large_documents_are_captured_in_the_background(
    client, gtins, token_a, settings, django_capture_on_commit_callbacks
):
    settings.OCOP_EPCIS_CAPTURE_INLINE_EVENTS = 2
    document = gs1_document(*[object_event(eventID=f"urn:uuid:{i}") for i in range(3)])
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, document, token_a)
    job = job_of(client, response, token_a)
    assert (job["success"], job["capturedEventCount"]) == (True, 3)
    capture = CaptureJob.objects.get()
    assert not capture.document  # the uploaded document is not kept once captured


def test_capture_jobs_are_their_owners(client, gtins, token_a, owner_b):
    from ocop.accounts.models import ApiToken

    response = post(client, gs1_document(object_event()), token_a)
    _t, token_b = ApiToken.issue(user=owner_b, name="b")
    assert client.get(response["Location"], HTTP_AUTHORIZATION=f"Bearer {token_b}").status_code == 404
    listing = client.get("/epcis/capture", HTTP_AUTHORIZATION=f"Bearer {token_b}").json()
    assert listing == []
    mine = client.get("/epcis/capture", HTTP_AUTHORIZATION=f"Bearer {token_a}").json()
    assert [j["captureID"] for j in mine] == [response["Location"].rsplit("/", 1)[-1]]


def test_every_identifier_row_has_its_event(client, gtins, token_a):
    """The identifiers table has no database constraint to its events (for speed): the code that
    writes both keeps them together, through rollbacks too."""
    from .conftest import ALL_EVENTS

    document = gs1_document(*[make(eventID=f"urn:uuid:{i}") for i, make in enumerate(ALL_EVENTS)])
    post(client, document, token_a)
    post(
        client,
        gs1_document(object_event(eventID="urn:uuid:x"), object_event(action="LOOK", eventID="urn:uuid:y")),
        token_a,
        "rollback",
    )
    assert EventIdentifier.objects.count() > 0
    assert not EventIdentifier.objects.exclude(event_id__in=Event.objects.values("pk")).exists()


@pytest.mark.parametrize("behaviour", ["rollback", "proceed"])
def test_large_captures_written_with_copy_keep_the_same_promises(
    client, gtins, token_a, monkeypatch, behaviour
):
    """On PostgreSQL, documents from ``COPY_THRESHOLD`` events on are streamed with COPY while
    they are checked: a bad last event must still leave nothing under rollback."""
    from ocop.trace.services import events

    monkeypatch.setattr(events, "COPY_THRESHOLD", 2)
    events = [object_event(eventID=f"urn:uuid:copy-{i}") for i in range(3)]
    events.append(object_event(eventID="urn:uuid:copy-bad", action="LOOK"))
    job = job_of(client, post(client, gs1_document(*events), token_a, behaviour), token_a)
    assert [(e["eventIndex"], e["field"]) for e in job["errors"]] == [(3, "/action")]
    stored = 0 if behaviour == "rollback" else 3
    assert job["capturedEventCount"] == stored
    assert Event.objects.count() == stored
    assert EventIdentifier.objects.count() == 2 * stored  # two serials each
    assert not EventIdentifier.objects.exclude(event_id__in=Event.objects.values("pk")).exists()
