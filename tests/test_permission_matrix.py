"""Every page and every API operation, walked by every actor, in and out of jurisdiction.

Each case names the actors allowed to act; the others must get the denial status and must
leave the database exactly as it was. Allowed writes must have their effect. A meta-test fails
when a URL or an API operation exists that no case covers, so new views cannot skip this.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import URLResolver, get_resolver, reverse
from PIL import Image

ACTORS = [
    "anonymous",
    "central",
    "officer_a",
    "officer_b",
    "commune_officer_a",
    "council_member",
    "owner_a",
    "owner_b",
]
EVERYONE = set(ACTORS)
SIGNED_IN = EVERYONE - {"anonymous"}
# Who reaches producer P (province A, commune a1, staff owner_a) and its products.
REACH_P = {"central", "officer_a", "commune_officer_a", "owner_a"}
# Who may record and revoke recognitions in province A.
RECOGNISERS_A = {"central", "officer_a"}
OFFICERS = {"central", "officer_a", "officer_b", "commune_officer_a"}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@dataclass
class Case:
    """One route: how to call it and who may."""

    key: str  # URL name for pages, "METHOD /path" for API operations
    method: str
    url: Callable
    allowed: set[str]
    data: Callable | None = None
    json: bool = False
    ok: int | tuple[int, ...] = 200
    denied: int = 404
    anonymous: int | None = None  # defaults: 302 for pages, 401 for signed-in API
    effect: Callable | None = None  # (records, actor_name) -> bool, for allowed writes
    setup: Callable | None = None
    extra: dict = field(default_factory=dict)


def _page(key, url, allowed, **kw):
    kw.setdefault("anonymous", 302)
    return Case(key=key, method=kw.pop("method", "get"), url=url, allowed=allowed, **kw)


def _api(key, url, allowed, **kw):
    method = key.split()[0].lower()
    kw.setdefault("anonymous", 401)
    return Case(key=key, method=method, url=url, allowed=allowed, json=True, **kw)


def _count(model_label, **filters):
    return apps.get_model(model_label).objects.filter(**filters).count()


def _producer_payload(r, geo):
    return {
        "name": "Hợp tác xã Thử nghiệm",
        "kind": "cooperative",
        "legal_form": "cooperative",
        "address": "Ấp 1",
        "province": geo.province_a.pk,
        "commune": geo.a2.pk,
    }


CASES: list[Case] = [
    # ---- public pages -------------------------------------------------------------------------
    _page("home", lambda r: "/", EVERYONE, anonymous=200),
    _page("healthz", lambda r: "/healthz", EVERYONE, anonymous=200),
    _page(
        "set_language",
        lambda r: "/i18n/setlang/",
        EVERYONE,
        method="post",
        data=lambda r, g: {"language": "en"},
        ok=302,
        anonymous=302,
    ),
    _page("registry:public_product", lambda r: f"/products/{r.p_recognised.pk}/", EVERYONE, anonymous=200),
    _page("registry:public_product#draft", lambda r: f"/products/{r.p_draft.pk}/", REACH_P, anonymous=404),
    # ---- accounts -----------------------------------------------------------------------------
    _page("accounts:login", lambda r: "/accounts/login/", {"anonymous"}, anonymous=200, denied=302),
    _page("accounts:logout", lambda r: "/accounts/logout/", EVERYONE, method="post", ok=302, anonymous=302),
    _page("accounts:profile", lambda r: "/accounts/me/", SIGNED_IN),
    _page(
        "accounts:token_create",
        lambda r: "/accounts/me/tokens/",
        SIGNED_IN,
        method="post",
        data=lambda r, g: {"name": "script"},
        ok=302,
        effect=lambda r, actor: _count("accounts.apitoken", user__username=actor, name="script") == 1,
    ),
    _page(
        "accounts:token_revoke",
        lambda r: f"/accounts/me/tokens/{r.token_a.pk}/revoke/",
        {"owner_a"},
        method="post",
        ok=302,
        effect=lambda r, actor: _count("accounts.apitoken", pk=r.token_a.pk, revoked_at__isnull=False) == 1,
    ),
    # ---- management pages ---------------------------------------------------------------------
    _page("registry:manage_home", lambda r: "/manage/", SIGNED_IN),
    _page("registry:producer_list", lambda r: "/manage/producers/", SIGNED_IN),
    _page("registry:product_list", lambda r: "/manage/products/", SIGNED_IN),
    _page("registry:producer_create", lambda r: "/manage/producers/new/", OFFICERS, denied=403),
    _page(
        "registry:producer_create#post",
        lambda r: "/manage/producers/new/",
        {"central", "officer_a"},
        method="post",
        data=_producer_payload,
        ok=302,
        denied=(200, 403),
        effect=lambda r, actor: _count("registry.producer", name="Hợp tác xã Thử nghiệm") == 1,
    ),
    _page("registry:commune_options", lambda r: "/manage/producers/communes/", SIGNED_IN),
    _page("registry:producer_detail", lambda r: f"/manage/producers/{r.p.pk}/", REACH_P),
    _page("registry:producer_edit", lambda r: f"/manage/producers/{r.p.pk}/edit/", REACH_P),
    _page(
        "registry:producer_edit#post",
        lambda r: f"/manage/producers/{r.p.pk}/edit/",
        REACH_P,
        method="post",
        data=lambda r, g: {
            "name": "HTX Phú Cần (đổi tên)",
            "kind": "cooperative",
            "address": r.p.address,
            "province": g.province_a.pk,
            "commune": g.a1.pk,
            "tax_code": "0100233488",
        },
        ok=302,
        effect=lambda r, actor: _count("registry.producer", pk=r.p.pk, name="HTX Phú Cần (đổi tên)") == 1,
    ),
    _page("registry:product_create", lambda r: f"/manage/producers/{r.p.pk}/products/new/", REACH_P),
    _page(
        "registry:product_create#post",
        lambda r: f"/manage/producers/{r.p.pk}/products/new/",
        REACH_P,
        method="post",
        data=lambda r, g: {"name_vi": "Kẹo dừa sáp", "group": "food"},
        ok=302,
        effect=lambda r, actor: _count("registry.product", producer=r.p, name_vi="Kẹo dừa sáp") == 1,
    ),
    _page("registry:product_detail", lambda r: f"/manage/products/{r.p_draft.pk}/", REACH_P),
    _page("registry:product_detail#public", lambda r: f"/manage/products/{r.p_recognised.pk}/", SIGNED_IN),
    _page("registry:product_edit", lambda r: f"/manage/products/{r.p_draft.pk}/edit/", REACH_P),
    _page(
        "registry:product_edit#post",
        lambda r: f"/manage/products/{r.p_draft.pk}/edit/",
        REACH_P,
        method="post",
        data=lambda r, g: {"name_vi": "Mứt dừa non Bến Tre", "group": "food"},
        ok=302,
        effect=lambda r, actor: (
            _count("registry.product", pk=r.p_draft.pk, name_vi="Mứt dừa non Bến Tre") == 1
        ),
    ),
    _page(
        "registry:recognition_create",
        lambda r: f"/manage/products/{r.p_recognised.pk}/recognitions/new/",
        RECOGNISERS_A,
    ),
    _page(
        "registry:recognition_create#post",
        lambda r: f"/manage/products/{r.p_draft.pk}/recognitions/new/",
        RECOGNISERS_A,
        method="post",
        data=lambda r, g: {
            "stars": 3,
            "level": "province",
            "recognised_on": "2025-09-01",
            "decision_no": "9/QĐ",
        },
        ok=302,
        effect=lambda r, actor: _count("registry.recognition", product=r.p_draft, decision_no="9/QĐ") == 1,
    ),
    _page("registry:recognition_revoke", lambda r: f"/manage/recognitions/{r.r_p.pk}/revoke/", RECOGNISERS_A),
    _page(
        "registry:recognition_revoke#post",
        lambda r: f"/manage/recognitions/{r.r_p.pk}/revoke/",
        RECOGNISERS_A,
        method="post",
        data=lambda r, g: {"revoked_on": "2025-10-01", "reason": "Vi phạm ATTP"},
        ok=302,
        effect=lambda r, actor: _count("registry.recognition", pk=r.r_p.pk, revoked_on__isnull=False) == 1,
    ),
    _page(
        "registry:certification_add",
        lambda r: f"/manage/products/{r.p_draft.pk}/certifications/",
        REACH_P,
        method="post",
        data=lambda r, g: {"kind": "vietgap", "number": "VG-1"},
        ok=302,
        effect=lambda r, actor: _count("registry.certification", product=r.p_draft, number="VG-1") == 1,
    ),
    _page(
        "registry:ip_right_add",
        lambda r: f"/manage/products/{r.p_draft.pk}/ip-rights/",
        REACH_P,
        method="post",
        data=lambda r, g: {"kind": "trademark", "title": "Dừa Xiêm"},
        ok=302,
        effect=lambda r, actor: (
            _count("registry.intellectualproperty", product=r.p_draft, title="Dừa Xiêm") == 1
        ),
    ),
    _page(
        "registry:photo_add",
        lambda r: f"/manage/products/{r.p_draft.pk}/photos/",
        REACH_P,
        method="post",
        data=lambda r, g: {"image": _upload(), "caption": "Mặt trước"},
        ok=302,
        effect=lambda r, actor: _count("registry.productphoto", product=r.p_draft, caption="Mặt trước") == 1,
    ),
    _page(
        "registry:certification_remove",
        lambda r: f"/manage/certifications/{r.certification.pk}/remove/",
        REACH_P,
        method="post",
        ok=302,
        effect=lambda r, actor: _count("registry.certification", pk=r.certification.pk) == 0,
    ),
    _page(
        "registry:ip_right_remove",
        lambda r: f"/manage/ip-rights/{r.ip_right.pk}/remove/",
        REACH_P,
        method="post",
        ok=302,
        effect=lambda r, actor: _count("registry.intellectualproperty", pk=r.ip_right.pk) == 0,
    ),
    _page(
        "registry:photo_remove",
        lambda r: f"/manage/photos/{r.photo.pk}/remove/",
        REACH_P,
        method="post",
        ok=302,
        effect=lambda r, actor: _count("registry.productphoto", pk=r.photo.pk) == 0,
    ),
    # ---- API ----------------------------------------------------------------------------------
    _api("GET /api/v1/openapi.json", lambda r: "/api/v1/openapi.json", EVERYONE, anonymous=200),
    _api("GET /api/v1/docs", lambda r: "/api/v1/docs", EVERYONE, anonymous=200),
    _api("GET /api/v1/geo/provinces", lambda r: "/api/v1/geo/provinces?era=legacy", EVERYONE, anonymous=200),
    _api(
        "GET /api/v1/geo/provinces/{code}/communes",
        lambda r: "/api/v1/geo/provinces/80/communes",
        EVERYONE,
        anonymous=200,
    ),
    _api(
        "GET /api/v1/geo/districts/{code}/communes",
        lambda r: "/api/v1/geo/districts/001/communes",
        EVERYONE,
        anonymous=200,
    ),
    _api(
        "GET /api/v1/geo/resolve",
        lambda r: "/api/v1/geo/resolve?address=Tỉnh Tây Ninh",
        EVERYONE,
        anonymous=200,
    ),
    _api("GET /api/v1/products", lambda r: "/api/v1/products", EVERYONE, anonymous=200),
    _api(
        "GET /api/v1/products/{product_id}",
        lambda r: f"/api/v1/products/{r.p_draft.pk}",
        REACH_P,
        anonymous=404,
    ),
    _api(
        "GET /api/v1/products/{product_id}#public",
        lambda r: f"/api/v1/products/{r.q_recognised.pk}",
        EVERYONE,
        anonymous=200,
    ),
    _api(
        "PATCH /api/v1/products/{product_id}",
        lambda r: f"/api/v1/products/{r.p_draft.pk}",
        REACH_P,
        data=lambda r, g: {"name_en": "Young coconut jam"},
        effect=lambda r, actor: _count("registry.product", pk=r.p_draft.pk, name_en="Young coconut jam") == 1,
    ),
    _api(
        "POST /api/v1/producers/{producer_id}/products",
        lambda r: f"/api/v1/producers/{r.p.pk}/products",
        REACH_P,
        data=lambda r, g: {"name_vi": "Dầu dừa ép lạnh", "group": "food"},
        ok=201,
        effect=lambda r, actor: _count("registry.product", producer=r.p, name_vi="Dầu dừa ép lạnh") == 1,
    ),
    _api(
        "GET /api/v1/products/{product_id}/recognitions",
        lambda r: f"/api/v1/products/{r.p_recognised.pk}/recognitions",
        EVERYONE,
        anonymous=200,
    ),
    _api(
        "POST /api/v1/products/{product_id}/recognitions",
        lambda r: f"/api/v1/products/{r.p_recognised.pk}/recognitions",
        RECOGNISERS_A,
        ok=201,
        denied=403,
        data=lambda r, g: {
            "stars": 4,
            "level": "province",
            "recognised_on": "2025-08-01",
            "decision_no": "77/QĐ",
        },
        effect=lambda r, actor: _count("registry.recognition", decision_no="77/QĐ") == 1,
    ),
    _api(
        "POST /api/v1/recognitions/{recognition_id}/revoke",
        lambda r: f"/api/v1/recognitions/{r.r_p.pk}/revoke",
        RECOGNISERS_A,
        data=lambda r, g: {"revoked_on": "2025-10-01", "reason": "Ngừng sản xuất"},
        effect=lambda r, actor: _count("registry.recognition", pk=r.r_p.pk, revoked_on__isnull=False) == 1,
    ),
    _api("GET /api/v1/producers", lambda r: "/api/v1/producers", SIGNED_IN),
    _api("GET /api/v1/producers/{producer_id}", lambda r: f"/api/v1/producers/{r.p.pk}", REACH_P),
    _api(
        "POST /api/v1/producers",
        lambda r: "/api/v1/producers",
        {"central", "officer_a"},
        ok=201,
        denied=422,
        data=lambda r, g: {
            "name": "Công ty TNHH Thử",
            "kind": "enterprise",
            "address": "Ấp 2",
            "province_code": "80",
            "commune_code": g.a2.code,
        },
        effect=lambda r, actor: _count("registry.producer", name="Công ty TNHH Thử") == 1,
    ),
    _api(
        "PATCH /api/v1/producers/{producer_id}",
        lambda r: f"/api/v1/producers/{r.p.pk}",
        REACH_P,
        data=lambda r, g: {"phone": "0276 3812345"},
        effect=lambda r, actor: _count("registry.producer", pk=r.p.pk, phone="0276 3812345") == 1,
    ),
    _api("GET /api/v1/taxonomies", lambda r: "/api/v1/taxonomies", EVERYONE, anonymous=200),
    _api("GET /api/v1/taxonomies/{code}", lambda r: "/api/v1/taxonomies/148", EVERYONE, anonymous=200),
]

# Routes that are not application views: framework plumbing, tested elsewhere or not at all.
EXEMPT = {
    "?": "media files served on developer machines only",
    "api:api-root": "ninja's router root, not an endpoint",
}


def _upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")


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
    return records, geo, users


def fingerprint() -> dict:
    """Everything a denied request could have touched, in a comparable form."""
    labels = [
        "registry.producer",
        "registry.product",
        "registry.recognition",
        "registry.certification",
        "registry.intellectualproperty",
        "registry.productphoto",
        "registry.producermember",
        "accounts.apitoken",
        "accounts.auditevent",
        "accounts.grant",
    ]
    return {label: sorted(map(repr, apps.get_model(label).objects.values_list())) for label in labels}


def _call(client, case: Case, records, geo):
    url = case.url(records)
    data = case.data(records, geo) if case.data else None
    method = getattr(client, case.method)
    if case.json and data is not None:
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
        assert response.status_code == expected, (actor, case.key, response.content[:500])
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
                name = pattern.name or "?"
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
