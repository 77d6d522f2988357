"""Every page and every API operation, walked by every actor, in and out of jurisdiction.

Each case names the actors allowed to act; the others must get the denial status and must
leave the database exactly as it was. Allowed writes must have their effect. A meta-test fails
when a URL or an API operation exists that no case covers, so new views cannot skip this.
The cases live in ``tests/permissions/cases_*.py``, one module per area.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import URLResolver, get_resolver, reverse

from tests import permissions
from tests.permissions.framework import ACTORS, Case, png_bytes

CASES: list[Case] = []
EXEMPT: dict[str, str] = {}
SETUPS = []  # each module may add records its cases need: setup(records, users)
for module_info in pkgutil.iter_modules(permissions.__path__):
    if module_info.name.startswith("cases_"):
        module = importlib.import_module(f"tests.permissions.{module_info.name}")
        CASES.extend(module.CASES)
        EXEMPT.update(getattr(module, "EXEMPT", {}))
        if hasattr(module, "setup"):
            SETUPS.append(module.setup)


@pytest.fixture
def world(records, geo, central, officer_a, officer_b, commune_officer_a, council_member, owner_a, owner_b):
    from django.core.files.base import ContentFile

    from ocop.accounts.models import ApiToken
    from ocop.registry.models import Certification, IntellectualProperty, ProductPhoto

    records.certification = Certification.objects.create(product=records.p_draft, kind="haccp", number="H-1")
    records.ip_right = IntellectualProperty.objects.create(
        product=records.p_draft, kind="trademark", title="Phú Cần"
    )
    records.photo = ProductPhoto(product=records.p_draft, caption="cũ")
    records.photo.image.save("old.png", ContentFile(png_bytes()), save=True)
    records.token_a, _ = ApiToken.issue(user=owner_a, name="owner token")
    users = {
        "central": central,
        "officer_a": officer_a,
        "officer_b": officer_b,
        "commune_officer_a": commune_officer_a,
        "council_member": council_member,
        "owner_a": owner_a,
        "owner_b": owner_b,
        "anonymous": None,
    }
    for setup in SETUPS:
        setup(records, users)
    return records, geo, users


def fingerprint() -> dict:
    """Everything a denied request could have touched, in a comparable form: every table of
    the platform's own apps except the reference geography."""
    models = [
        model
        for model in apps.get_models()
        if model.__module__.startswith("ocop.") and model._meta.app_label != "geo"
    ]
    return {model._meta.label: sorted(map(repr, model.objects.values_list())) for model in models}


def _call(client, case: Case, records, geo):
    url = case.url(records)
    data = case.data(records, geo) if case.data else None
    method = getattr(client, case.method)
    if case.json and data is not None and not case.extra.get("multipart"):
        return method(url, data=data, content_type="application/json")
    if case.method == "get":
        return method(url)
    return method(url, data=data or {})


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("case", CASES, ids=[c.key for c in CASES])
def test_permission_matrix(client, world, case, actor):
    records, geo, users = world
    if users[actor] is not None:
        client.force_login(users[actor])
    before = fingerprint()
    response = _call(client, case, records, geo)

    if actor in case.allowed:
        expected = case.ok if actor != "anonymous" else case.anonymous
        expected = expected if isinstance(expected, tuple) else (expected,)
        assert response.status_code in expected, (actor, case.key, response.content[:500])
        if case.effect and actor != "anonymous":
            assert case.effect(records, actor), f"{case.key}: {actor} was allowed but nothing happened"
    else:
        expected = case.anonymous if actor == "anonymous" else case.denied
        allowed_statuses = expected if isinstance(expected, tuple) else (expected,)
        assert response.status_code in allowed_statuses, (actor, case.key, response.status_code)
        if case.method != "get" and case.key not in {"accounts:logout", "set_language"}:
            assert fingerprint() == before, f"{case.key}: denied {actor} changed the database"


@pytest.mark.django_db
def test_the_matrix_covers_every_route():
    """A new page or API operation must get a case above (or an exemption with a reason)."""
    from ocop.api import api

    covered = {case.key.split("#")[0] for case in CASES}
    page_names = set()

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace in {"admin", "api"}:
                    continue
                walk(pattern.url_patterns, pattern.namespace or namespace)
            else:
                # An unnamed pattern is known by its route, so that each needs its own case.
                name = pattern.name or f"?{pattern.pattern}"
                page_names.add(f"{namespace}:{name}" if namespace else name)

    walk(get_resolver().url_patterns)
    operations = {
        f"{method.upper()} /api/v1{path}"
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
    }
    operations = {op.replace("/api/v1/api/v1", "/api/v1") for op in operations}
    missing = sorted((page_names | operations) - covered - set(EXEMPT))
    assert missing == [], f"routes without a permission case: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ACTORS)
def test_admin_is_for_the_central_office_only(client, world, actor):
    """Every registered admin screen: the central office gets it, everyone else is sent to sign in."""
    _records, _geo, users = world
    if users[actor] is not None:
        client.force_login(users[actor])
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    for url in urls:
        response = client.get(url)
        if actor == "central":
            assert response.status_code == 200, url
        else:
            assert response.status_code == 302, url
            assert "/accounts/login/" in response.url or "/admin/login/" in response.url


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "visible"),
    [
        ("central", {"p", "q"}),
        ("officer_a", {"p"}),
        ("officer_b", {"q"}),
        ("commune_officer_a", {"p"}),
        ("owner_a", {"p"}),
        ("owner_b", {"q"}),
        ("council_member", set()),
    ],
)
def test_lists_show_exactly_the_records_in_reach(client, world, actor, visible):
    records, _geo, users = world
    client.force_login(users[actor])
    names = {"p": records.p.name, "q": records.q.name}
    page = client.get("/manage/producers/").content.decode()
    api = client.get("/api/v1/producers").json()
    for key, name in names.items():
        assert (name in page) == (key in visible), (actor, key)
    assert {item["name"] for item in api["items"]} == {names[k] for k in visible}
    drafts = {item["name_vi"] for item in client.get("/api/v1/products?managed=true").json()["items"]}
    assert ("Mứt dừa non" in drafts) == ("p" in visible)
