"""The EPCIS validator and normaliser (pure core), against documents written like GS1's examples."""

import copy
import json

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ocop.trace import epcis
from ocop.trace.epcisquery import QueryParameterError, parse_query

from .conftest import (
    ALL_EVENTS,
    GTIN_P,
    aggregation_event,
    association_event,
    gs1_document,
    object_event,
    transaction_event,
    transformation_event,
)


def test_the_schema_is_gs1s_ratified_artefact():
    schema = epcis.schema()
    assert schema["$id"] == "https://ref.gs1.org/standards/epcis/2.0.1/epcis-json-schema.json"
    jsonschema.Draft7Validator.check_schema(schema)
    assert len(epcis.vocabulary("bizStep")) == 41
    assert len(epcis.vocabulary("disposition")) == 33


@pytest.mark.parametrize("make", ALL_EVENTS, ids=lambda f: f.__name__)
def test_each_event_type_like_gs1s_examples_is_valid(make):
    events, problems = epcis.validate_document(gs1_document(make()))
    assert problems == []
    assert len(events) == 1
    # The reference implementation agrees.
    assert list(epcis._reference("#").iter_errors(gs1_document(make()))) == []


def test_normalising_keeps_the_event_and_indexes_identifiers_by_canonical_key():
    event = object_event()
    item = epcis.normalise(event, 3)
    assert item.index == 3
    assert item.event_type == "ObjectEvent"
    assert item.event_time.isoformat() == "2025-11-04T02:33:31.116000+00:00"
    assert (item.timezone, item.action, item.biz_step, item.disposition) == (
        "-06:00",
        "OBSERVE",
        "shipping",
        "in_transit",
    )
    assert item.read_point == "https://id.gs1.org/414/0614141073467/254/1234"
    assert item.identifiers == [
        ("epc", f"https://id.gs1.org/01/{GTIN_P}/21/2017"),
        ("epc", f"https://id.gs1.org/01/{GTIN_P}/21/2018"),
    ]
    assert item.document["example:myField"] == "Example of a vendor/user extension"


def test_every_role_of_every_event_type_is_indexed():
    roles = {
        "aggregation": {r for r, _k in epcis.normalise(aggregation_event()).identifiers},
        "transaction": {r for r, _k in epcis.normalise(transaction_event()).identifiers},
        "transformation": {r for r, _k in epcis.normalise(transformation_event()).identifiers},
        "association": {r for r, _k in epcis.normalise(association_event()).identifiers},
    }
    assert roles == {
        "aggregation": {"parent", "child"},
        "transaction": {"parent", "epc"},
        "transformation": {"input_class", "output_class"},
        "association": {"parent", "child", "child_class"},
    }


@pytest.mark.parametrize(
    "written",
    ["shipping", "https://ref.gs1.org/cbv/BizStep-shipping", "urn:epcglobal:cbv:bizstep:shipping"],
)
def test_business_steps_are_stored_in_one_form(written):
    assert epcis.cbv("bizStep", written) == "shipping"
    assert epcis.cbv("bizStep", "https://example.com/steps/drying") == "https://example.com/steps/drying"


@pytest.mark.parametrize(
    ("change", "index", "field", "message"),
    [
        (
            lambda e: e.update(action="LOOK"),
            1,
            "/action",
            "'LOOK' is not one of ['OBSERVE', 'ADD', 'DELETE']",
        ),
        (lambda e: e.pop("eventTime"), 1, "/", "'eventTime' is a required property"),
        (lambda e: e.update(eventTimeZoneOffset="+7"), 1, "/eventTimeZoneOffset", "does not match"),
        (lambda e: e.update(readPoint={"id": "not a uri"}), 1, "/readPoint/id", "'not a uri' is not a 'uri'"),
        (
            lambda e: e.update(eventTime="03/11/2025"),
            1,
            "/eventTime",
            "'03/11/2025' is not an RFC 3339 date-time such as 2025-11-03T20:33:31.116+07:00.",
        ),
        (
            lambda e: e.update(bizStep="urn:epcglobal:cbv:bizstep:shipping"),
            1,
            "/bizStep",
            "is neither a standard value",
        ),
        (lambda e: e.update(myField="x"), 1, "/myField", "extension fields are named"),
        (lambda e: e.update(epcList=["urn:epc:id:sgtin:0614141.107346"]), 1, "/epcList/0", "company prefix"),
        (
            lambda e: e["epcList"].append("https://ocop.example.vn/01/08935001234566/21/9"),
            1,
            "/epcList/2",
            "check digit",
        ),
        (
            lambda e: e.update(epcList=["urn:epc:class:lgtin:0614141.107346.L1"]),
            1,
            "/epcList/0",
            "names a class",
        ),
        (
            lambda e: e.update(quantityList=[{"epcClass": "urn:epc:id:sgtin:0614141.107346.1"}]),
            1,
            "/quantityList/0/epcClass",
            "names an instance",
        ),
    ],
)
def test_malformed_events_are_reported_with_their_index_and_field(change, index, field, message):
    bad = object_event()
    change(bad)
    document = gs1_document(object_event(), bad, object_event(eventID="urn:uuid:another"))
    _events, problems = epcis.validate_document(document)
    assert {p.index for p in problems} == {index}
    assert any(p.field == field and message in p.message for p in problems), [p.as_dict() for p in problems]


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ([], "/"),
        ({"type": "ObjectEvent"}, "/type"),
        ({**gs1_document(), "epcisBody": {}}, "/epcisBody/eventList"),
        ({k: v for k, v in gs1_document(object_event()).items() if k != "@context"}, "/"),
        ({**gs1_document(object_event()), "schemaVersion": "two"}, "/schemaVersion"),
    ],
)
def test_malformed_documents_are_refused_as_a_whole(document, field):
    events, problems = epcis.validate_document(document)
    assert events == []
    assert [p.index for p in problems] == [None]
    assert problems[0].field == field


def test_extensions_and_the_documents_own_context_are_kept():
    event = object_event(**{"example:nested": {"example:a": [1, 2]}})
    _events, problems = epcis.validate_document(gs1_document(event))
    assert problems == []
    assert epcis.normalise(event).document["example:nested"] == {"example:a": [1, 2]}


# ---------------------------------------------------------------------------------------------
# The fast check (jsonschema-rs) never accepts what jsonschema refuses
# ---------------------------------------------------------------------------------------------

EVENT = "#/definitions/EPCIS-Document-Event"

FIELDS = [
    "action",
    "bizStep",
    "disposition",
    "eventTime",
    "eventTimeZoneOffset",
    "readPoint",
    "epcList",
    "type",
    "ilmd",
    "quantityList",
    "parentID",
    "persistentDisposition",
    "sensorElementList",
    "@context",
]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
    st.sampled_from(
        [
            "ADD",
            "OBSERVE",
            "shipping",
            "urn:x:y",
            "x",
            "",
            "2025-01-01T00:00:00Z",
            "2025-01-01T00:00:60Z",
            "+07:00",
            "+07:00\n",
            "ObjectEvent",
            "AggregationEvent",
        ]
    ),
    st.lists(st.sampled_from(["urn:epc:id:sgtin:0614141.107346.1", "bad", "urn:a:b", "urn:a b"]), max_size=3),
    st.dictionaries(
        st.sampled_from(["id", "epcClass", "quantity", "uom", "set", "example:x"]),
        st.sampled_from(["urn:a:b", "x", 3, 1.0, "KGM", ["active", "active"]]),
        max_size=2,
    ),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(ALL_EVENTS),
    st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=3),
    st.lists(st.sampled_from(FIELDS), max_size=2),
)
def test_the_fast_check_never_passes_what_jsonschema_refuses(make, changes, removed):
    event = make()
    for name in removed:
        event.pop(name, None)
    for name, value in changes.items():
        if value is None:
            event.pop(name, None)
        else:
            event[name] = copy.deepcopy(value)
    reference = epcis._reference(EVENT).is_valid(event)
    assert epcis._fast(EVENT)(event) <= reference, json.dumps(event)
    # And what the capture says about the schema is jsonschema's verdict.
    assert (epcis._schema_problems(EVENT, event, 0) == []) == reference, json.dumps(event)


@pytest.mark.parametrize(
    "changes",
    [
        {"eventTimeZoneOffset": "+07:00\n"},
        {"quantityList": [{"epcClass": "urn:a:b", "quantity": 1, "uom": "KG\n"}]},
    ],
    ids=["offset", "unit"],
)
def test_where_the_fast_check_reads_a_pattern_more_strictly_jsonschema_decides(changes):
    """The schema's patterns end in ``$``: Python's regular expressions (jsonschema) let it match
    before a final newline, ECMA-262's (jsonschema-rs) do not. The event is judged as before,
    by jsonschema."""
    event = object_event(**changes)
    assert not epcis._fast(EVENT)(event)
    assert epcis._reference(EVENT).is_valid(event)
    assert epcis.check_event(event, 0) == []


# ---------------------------------------------------------------------------------------------
# Query parameters
# ---------------------------------------------------------------------------------------------


def test_query_parameters_are_read_with_identifiers_in_both_forms():
    spec = parse_query(
        {
            "eventType": ["ObjectEvent,AggregationEvent"],
            "GE_eventTime": ["2025-11-01T00:00:00Z"],
            "EQ_bizStep": ["https://ref.gs1.org/cbv/BizStep-shipping"],
            "MATCH_epc": ["urn:epc:id:sgtin:0614141.107346.2017", "https://x.vn/01/10614141073464/21/2018"],
            "MATCH_epcClass": ["urn:epc:idpat:sgtin:4012345.066666.*"],
            "perPage": ["2"],
        }
    )
    assert spec.event_types == ["ObjectEvent", "AggregationEvent"]
    assert spec.biz_steps == ["shipping"]
    assert spec.per_page == 2
    epc, klass = spec.matches
    assert epc.keys == (
        "https://id.gs1.org/01/10614141073464/21/2017",
        "https://id.gs1.org/01/10614141073464/21/2018",
    )
    assert klass.prefixes == ("https://id.gs1.org/01/04012345666663/",)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"EQ_colour": ["red"]}, "EQ_colour"),
        ({"GE_eventTime": ["yesterday"]}, "GE_eventTime"),
        ({"EQ_action": ["LOOK"]}, "EQ_action"),
        ({"perPage": ["0"]}, "perPage"),
        ({"MATCH_epc": ["https://x.vn/01/10614141073465"]}, "MATCH_epc"),
        ({"orderBy": ["colour"]}, "orderBy"),
    ],
)
def test_bad_query_parameters_are_named(params, parameter):
    with pytest.raises(QueryParameterError) as error:
        parse_query(params)
    assert error.value.parameter == parameter
