"""EPCIS query: GET /epcis/events with the standard parameters, identifiers in both forms, paging."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ocop.trace import digitallink as dl
from ocop.trace import services

from .conftest import (
    GTIN_P,
    GTIN_Q,
    aggregation_event,
    association_event,
    gs1_document,
    lgtin,
    object_event,
    transaction_event,
    transformation_event,
    urn,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(gtins, owner_a, owner_b):
    """Five events of P's (one of each type) and one of Q's, captured by their producers."""
    import json

    p_events = [
        object_event(),
        aggregation_event(),
        transaction_event(),
        transformation_event(),
        association_event(),
    ]
    assert (
        services.capture_submit(user=owner_a, body=json.dumps(gs1_document(*p_events)).encode()).captured == 5
    )
    q_event = object_event(
        GTIN_Q, eventID="urn:uuid:q-event", eventTime="2025-11-10T08:00:00+07:00", bizStep="receiving"
    )
    assert (
        services.capture_submit(user=owner_b, body=json.dumps(gs1_document(q_event)).encode()).captured == 1
    )
    return gtins


def ids(response):
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["type"] == "EPCISQueryDocument"
    return [e["eventID"][-2:] for e in body["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]


def get(client, user, **params):
    client.force_login(user)
    return client.get("/epcis/events", params)


@pytest.mark.parametrize(
    ("event_type", "expected"),
    [
        ("ObjectEvent", ["01"]),
        ("AggregationEvent", ["02"]),
        ("TransactionEvent", ["03"]),
        ("TransformationEvent", ["04"]),
        ("AssociationEvent", ["05"]),
        ("ObjectEvent,AssociationEvent", ["01", "05"]),
    ],
)
def test_each_event_type_is_queried(client, stored, owner_a, event_type, expected):
    assert sorted(ids(get(client, owner_a, eventType=event_type))) == expected


def test_identifiers_match_whether_written_as_urn_or_digital_link(client, stored, owner_a):
    as_dl = dl.build("01", GTIN_P, [("21", "2018")]).uri("https://shop.example.com")
    assert sorted(ids(get(client, owner_a, MATCH_epc=as_dl))) == ["01", "02"]  # epcList and childEPCs
    assert ids(get(client, owner_a, MATCH_epc=urn(GTIN_P, "2018"), eventType="ObjectEvent")) == ["01"]
    assert sorted(ids(get(client, owner_a, MATCH_anyEPC=urn(GTIN_P, "2017")))) == ["01", "02", "03"]
    assert sorted(ids(get(client, owner_a, MATCH_parentID="urn:epc:id:sscc:0614141.1234567890"))) == [
        "02",
        "03",
    ]
    gtin_pattern = dl.link_to_urn(dl.build("01", GTIN_P), 9)  # urn:epc:idpat:sgtin:…*
    assert sorted(ids(get(client, owner_a, MATCH_epc=gtin_pattern))) == ["01", "02", "03"]
    assert ids(get(client, owner_a, MATCH_outputEPCClass=lgtin(GTIN_P, "L2511"))) == ["04"]
    assert sorted(ids(get(client, owner_a, MATCH_anyEPCClass=dl.build("01", GTIN_P).canonical()))) == [
        "04",
        "05",
    ]
    assert ids(get(client, owner_a, MATCH_inputEPCClass="urn:epc:idpat:sgtin:4012345.066666.*")) == ["04"]


def test_times_steps_dispositions_and_places(client, stored, owner_a, central):
    assert ids(get(client, owner_a, GE_eventTime="2025-11-05T00:00:00Z")) == ["03", "05"]
    assert ids(get(client, owner_a, LT_eventTime="2025-11-03T00:00:00Z")) == ["04"]
    assert ids(get(client, owner_a, EQ_bizStep="https://ref.gs1.org/cbv/BizStep-packing")) == ["02"]
    assert ids(get(client, owner_a, EQ_disposition="in_transit")) == ["01", "03"]
    assert ids(get(client, owner_a, EQ_action="DELETE")) == []
    assert ids(get(client, owner_a, EQ_readPoint="https://id.gs1.org/414/0614141073467/254/1234")) == ["01"]
    assert ids(get(client, owner_a, WD_readPoint="urn:epc:id:sgln:4012345.00001.0")) == ["04", "05"]
    assert ids(get(client, owner_a, EQ_eventID="urn:uuid:0f1e0c1a-6b7b-4c9e-9d6e-000000000003")) == ["03"]
    assert ids(get(client, central, GE_recordTime="2000-01-01T00:00:00Z", orderDirection="DESC"))[0] == "nt"
    assert ids(get(client, owner_a, orderBy="eventTime", orderDirection="DESC")) == [
        "05",
        "03",
        "02",
        "01",
        "04",
    ]


@pytest.mark.parametrize(
    ("actor", "visible"),
    [
        ("central", 6),
        ("officer_a", 5),
        ("officer_b", 1),
        ("commune_officer_a", 5),
        ("owner_a", 5),
        ("owner_b", 1),
        ("council_member", 0),
    ],
)
def test_each_caller_sees_the_events_in_reach(client, stored, request, actor, visible):
    assert len(ids(get(client, request.getfixturevalue(actor)))) == visible


def test_pages_follow_the_standard(client, stored, owner_a):
    first = get(client, owner_a, perPage=2)
    assert ids(first) == ["04", "01"]
    link = first["Link"]
    assert link.endswith('>; rel="next"')
    next_url = re.match(r"<(.+)>", link).group(1)
    assert "GS1-Next-Page-Token-Expires" in first
    assert parse_qs(urlsplit(next_url).query)["perPage"] == ["2"]
    second = client.get(next_url)
    assert ids(second) == ["02", "03"]
    third = client.get(re.match(r"<(.+)>", second["Link"]).group(1))
    assert ids(third) == ["05"]
    assert "Link" not in third
    token = parse_qs(urlsplit(next_url).query)["nextPageToken"][0]
    tampered = client.get("/epcis/events", {"perPage": 2, "nextPageToken": token[:-2] + "xx"})
    assert (tampered.status_code, tampered.json()["parameter"]) == (400, "nextPageToken")
    other_query = client.get(
        "/epcis/events", {"perPage": 2, "eventType": "ObjectEvent", "nextPageToken": token}
    )
    assert other_query.status_code == 400
    limited = get(client, owner_a, perPage=2, eventCountLimit=3)
    limited_next = client.get(re.match(r"<(.+)>", limited["Link"]).group(1))
    assert ids(limited_next) == ["02"]
    assert "Link" not in limited_next


def test_a_page_costs_the_same_queries_whatever_its_size(client, stored, owner_a):
    client.force_login(owner_a)
    client.get("/epcis/events", {"perPage": 1})
    counts = []
    for size in (1, 5):
        with CaptureQueriesContext(connection) as queries:
            assert (
                client.get(
                    "/epcis/events", {"perPage": size, "MATCH_anyEPC": urn(GTIN_P, "2017")}
                ).status_code
                == 200
            )
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 5  # session, user, grants, events (+ savepoint-free)


def test_bad_parameters_and_anonymous_callers_are_refused(client, stored, owner_a):
    assert client.get("/epcis/events").status_code == 401
    response = get(client, owner_a, EQ_colour="red")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert response.json() == {
        "type": "epcisException:QueryParameterException",
        "title": "QueryParameterException",
        "status": 400,
        "detail": "EQ_colour is not a query parameter this repository knows.",
        "parameter": "EQ_colour",
    }
    assert get(client, owner_a, MATCH_epc=f"https://x.vn/01/{GTIN_P[:-1]}0").status_code == 400


def test_bearer_tokens_work_for_queries(client, stored, token_a):
    response = client.get(
        "/epcis/events", {"eventType": "ObjectEvent"}, HTTP_AUTHORIZATION=f"Bearer {token_a}"
    )
    assert ids(response) == ["01"]
    assert response["GS1-EPCIS-Version"] == "2.0.0"
