"""The permission matrix's vocabulary: actors, cases, and helpers shared by every case module.

Each module ``tests/permissions/cases_*.py`` defines ``CASES`` (and optionally ``EXEMPT``) for
the routes of one area; ``tests/test_permission_matrix.py`` walks them all.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
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


def page(key, url, allowed, **kw):
    kw.setdefault("anonymous", 302)
    return Case(key=key, method=kw.pop("method", "get"), url=url, allowed=allowed, **kw)


def api(key, url, allowed, **kw):
    method = key.split()[0].lower()
    kw.setdefault("anonymous", 401)
    return Case(key=key, method=method, url=url, allowed=allowed, json=True, **kw)


def count(model_label, **filters):
    return apps.get_model(model_label).objects.filter(**filters).count()


def version_of(model_label, pk) -> str:
    """The version token an edit form of the record carries (as a browser that just loaded it)."""
    from ocop.concurrency import token

    return token(apps.get_model(model_label).objects.get(pk=pk))


def _producer_payload(r, geo):
    return {
        "name": "Hợp tác xã Thử nghiệm",
        "kind": "cooperative",
        "legal_form": "cooperative",
        "address": "Ấp 1",
        "province": geo.province_a.pk,
        "commune": geo.a2.pk,
    }


def upload():
    return SimpleUploadedFile("photo.png", png_bytes(), content_type="image/png")
