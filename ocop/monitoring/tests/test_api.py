"""GET /api/v1/stats/: the same figures as ``ocop stats --format json``, public, errors declared."""

import io
import json

import pytest
from django.core.management import call_command

from .conftest import AS_OF


def command_json(*args) -> dict:
    out = io.StringIO()
    call_command("stats", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def counted(units, registry):
    r = registry
    la = r.producer(
        province=units.tay_ninh,
        commune=units.long_an_ward,
        historical_province=units.old_long_an,
        historical_commune=units.old_tan_an_5,
        kind="enterprise",
    )
    r.recognised_product(la, 4, group="drinks")
    r.recognised_product(la, 3, group="food")
    tv = r.producer(
        province=units.vinh_long,
        commune=units.tra_vinh_ward,
        historical_province=units.old_tra_vinh,
        historical_commune=units.old_tra_vinh_1,
        kind="household",
    )
    r.recognised_product(tv, 5, group="herbal")
    r.recognised_product(r.producer(province=units.tay_ninh), 3)  # no commune on record


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "args"),
    [
        ("", []),
        ("?as_of=2025-02-19", ["--as-of", "2025-02-19"]),
        ("?as_of=2025-02-19&boundaries=historical", ["--as-of", "2025-02-19", "--boundaries", "historical"]),
        ("?province=80", ["--province", "80"]),
        (
            "?province=t%C3%A2y+ninh&by=commune&as_of=2025-02-19",
            ["--province", "tây ninh", "--by", "commune", "--as-of", "2025-02-19"],
        ),
        (
            "?province=Tr%C3%A0+Vinh&by=commune&as_of=2025-02-19&boundaries=historical",
            [
                "--province",
                "Trà Vinh",
                "--by",
                "commune",
                "--as-of",
                "2025-02-19",
                "--boundaries",
                "historical",
            ],
        ),
    ],
)
def test_the_api_answers_what_the_command_prints(client, counted, query, args):
    response = client.get(f"/api/v1/stats/{query}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == command_json(*args)
    # Same keys in the same order, nulls kept and absent lists absent.
    assert list(response.json()) == list(command_json(*args))
    assert json.loads(response.content, object_pairs_hook=list) == json.loads(
        json.dumps(command_json(*args)), object_pairs_hook=list
    )


@pytest.mark.django_db
def test_every_actor_gets_the_same_public_figures(client, counted, records, officer_b, owner_a):
    anonymous = client.get("/api/v1/stats/?as_of=2025-02-19").json()
    client.force_login(officer_b)
    officer = client.get("/api/v1/stats/?as_of=2025-02-19").json()
    client.force_login(owner_a)
    owner = client.get("/api/v1/stats/?as_of=2025-02-19").json()
    assert anonymous == officer == owner
    assert anonymous["province"] == {"code": None, "name": "Việt Nam"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        (
            "?province=Atlantis",
            "province",
            "Unknown province “Atlantis”: give a code (e.g. 80) or a name (e.g. Tây Ninh).",
        ),
        (
            "?province=Long+An",
            "province",
            "Tỉnh Long An (80) is a province of the boundaries before 1 July 2025; since then it is part of Tỉnh Tây Ninh. Ask for Tỉnh Tây Ninh, or use historical boundaries with a date before 1 July 2025.",
        ),
        ("?by=commune", "by", "Figures by commune need a province."),
    ],
)
def test_refusals_are_422_naming_the_parameter(client, query, field, message):
    response = client.get(f"/api/v1/stats/{query}")

    assert response.status_code == 422
    assert response.json() == {"detail": [{"loc": ["query", field], "msg": message, "type": "value_error"}]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?as_of=2025-02-30", "as_of"),
        ("?as_of=soon", "as_of"),
        ("?boundaries=old", "boundaries"),
        ("?by=district", "by"),
    ],
)
def test_malformed_parameters_are_422(client, query, field):
    response = client.get(f"/api/v1/stats/{query}")

    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["query", field]]


@pytest.mark.django_db
def test_the_openapi_document_declares_the_answer_and_the_errors(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"]["/api/v1/stats/"]["get"]

    assert set(operation["responses"]) == {"200", "404", "422"}
    assert {p["name"] for p in operation["parameters"]} == {"province", "as_of", "boundaries", "by"}
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert list(schemas["StarsOut"]["properties"]) == ["3", "4", "5"]
    assert list(schemas["StatsOut"]["properties"]) == [
        "province", "as_of", "boundaries", "products", "producers", "provinces", "communes",
    ]  # fmt: skip


@pytest.mark.django_db
def test_as_of_defaults_to_today(client):
    from django.utils import timezone

    assert client.get("/api/v1/stats/").json()["as_of"] == timezone.localdate().isoformat()
    assert AS_OF.isoformat() == client.get("/api/v1/stats/?as_of=2025-02-19").json()["as_of"]
