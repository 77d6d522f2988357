"""The OpenAPI document as clients and Swagger UI read it."""

import json

import pytest


def _no_repeated_names(pairs):
    names = [name for name, _value in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert not repeated, f"names given twice in one object: {repeated}"
    return dict(pairs)


@pytest.mark.django_db
def test_no_object_names_a_key_twice(client):
    """JSON parsers keep the last of two equal names; Swagger UI's YAML parser refuses the whole
    document (the ETag headers once added a second "200" to the responses of six operations)."""
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.content, object_pairs_hook=_no_repeated_names)
    patch = document["paths"]["/api/v1/products/{product_id}"]["patch"]["responses"]
    assert "ETag" in patch["200"]["headers"]
    assert set(patch) >= {"200", "412", "428"}


def _schema_classes(base):
    for cls in base.__subclasses__():
        yield cls
        yield from _schema_classes(cls)


def test_no_two_schemas_share_a_component_name():
    """django-ninja names a component after its class and keeps only one of two classes with the
    same name: the other operation's document then describes the wrong body (two ``CoverageOut``
    once did, and only the fuzz noticed)."""
    import pydantic

    import ocop.urls  # noqa: F401  (imports every API module)

    by_name: dict[str, set[str]] = {}
    for cls in _schema_classes(pydantic.BaseModel):
        if cls.__module__.startswith("ocop.") and ".tests" not in cls.__module__:
            by_name.setdefault(cls.__name__, set()).add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(paths) for name, paths in by_name.items() if len(paths) > 1}
    assert not shared, f"schema classes sharing a component name: {shared}"
