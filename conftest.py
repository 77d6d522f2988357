"""Shared actors and records for every test.

Two current provinces, A (Tây Ninh, 80) and B (Phú Thọ, 25), each with a producer and products.
The actors are the ones every permission test walks through:

* ``central``            the central coordination office (everything)
* ``officer_a``          province officer of A            ``officer_b`` of B
* ``commune_officer_a``  commune officer of A's commune a1 (not of a2)
* ``council_member``     a council member (no sitting yet, so no reach beyond the public)
* ``owner_a``            a producer's staff, member of producer P (in A)
* ``owner_b``            member of producer Q (in B)
* anonymous              no user at all
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# No time limit per example: a deadline is a timing assertion, and it fails on a loaded CI
# machine (an EPCIS property test took 408 ms against the default 200 ms). Speed lives in bench/.
hypothesis_settings.register_profile("ocop", deadline=None)
hypothesis_settings.load_profile("ocop")


def pytest_report_header(config):
    if CHROMIUM:
        return f"browser tests: running with {CHROMIUM}"
    return (
        "browser tests: SKIPPED — Chromium is not installed "
        "(apt-get install chromium, or run .ci/run which installs it)"
    )


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path, monkeypatch):
    from django.apps import apps
    from django.core.files.storage import storages
    from django.db.models import FileField

    from ocop.storage import private_storage

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(settings.PRIVATE_ROOT)},
        },
    }
    # A FileField resolves a callable storage once, when its model is defined: point the fields
    # kept in private storage at this test's folder too (else every test shares one folder).
    for model in apps.get_models():
        for field in model._meta.fields:
            if isinstance(field, FileField) and getattr(field, "_storage_callable", None) is private_storage:
                monkeypatch.setattr(field, "storage", storages["private"])


@pytest.fixture
def client():
    """The test client as an English-speaking browser, so tests read messages in English;
    tests of Vietnamese pages make their own client with HTTP_ACCEPT_LANGUAGE="vi"."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _english_messages():
    """Services speak the active language; tests read their messages in English. Pages set their
    own language per request (tests of Vietnamese pages ask for it)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def geo(db):
    """Units used by the shared records: current provinces A and B with two communes each."""
    from ocop.geo.models import Commune, Province

    province_a = Province.objects.current().get(code="80")
    province_b = Province.objects.current().get(code="25")
    a1, a2 = Commune.objects.current().filter(province=province_a).order_by("code")[:2]
    b1 = Commune.objects.current().filter(province=province_b).order_by("code").first()
    return type("Geo", (), {"province_a": province_a, "province_b": province_b, "a1": a1, "a2": a2, "b1": b1})


def _user(django_user_model, username, **grant):
    user = django_user_model.objects.create_user(username=username, password="pw-" + username)
    if grant:
        user.grants.create(**grant)
    return user


@pytest.fixture
def central(db, django_user_model):
    return _user(django_user_model, "central", role="central")


@pytest.fixture
def officer_a(geo, django_user_model):
    return _user(django_user_model, "officer_a", role="province_officer", province=geo.province_a)


@pytest.fixture
def officer_b(geo, django_user_model):
    return _user(django_user_model, "officer_b", role="province_officer", province=geo.province_b)


@pytest.fixture
def commune_officer_a(geo, django_user_model):
    return _user(django_user_model, "commune_officer_a", role="commune_officer", commune=geo.a1)


@pytest.fixture
def council_member(db, django_user_model):
    return _user(django_user_model, "council_member")


@pytest.fixture
def owner_a(db, django_user_model):
    return _user(django_user_model, "owner_a")


@pytest.fixture
def owner_b(db, django_user_model):
    return _user(django_user_model, "owner_b")


@pytest.fixture
def records(geo, owner_a, owner_b):
    """Producer P in A (commune a1) with a recognised product and an unrecognised one;
    producer Q in B with a recognised product."""
    from ocop.registry.models import Producer, ProducerMember, Product, Recognition

    p = Producer.objects.create(
        name="Hợp tác xã Nông nghiệp Phú Cần",
        kind="cooperative",
        address="Xã A1",
        province=geo.province_a,
        commune=geo.a1,
        tax_code="0100233488",
    )
    q = Producer.objects.create(
        name="Công ty TNHH Chè Phú Thọ",
        kind="enterprise",
        address="Xã B1",
        province=geo.province_b,
        commune=geo.b1,
    )
    ProducerMember.objects.create(producer=p, user=owner_a)
    ProducerMember.objects.create(producer=q, user=owner_b)
    p_recognised = Product.objects.create(producer=p, name_vi="Bánh tráng phơi sương", group="food")
    p_draft = Product.objects.create(producer=p, name_vi="Mứt dừa non", group="food")
    q_recognised = Product.objects.create(producer=q, name_vi="Chè xanh Long Cốc", group="food")
    today = date.today()
    r_p = Recognition.objects.create(
        product=p_recognised,
        stars=4,
        level="province",
        recognised_on=date(today.year - 1, 1, 15),
        valid_until=date(today.year + 2, 1, 14),
        decision_no="123/QĐ-UBND",
    )
    r_q = Recognition.objects.create(
        product=q_recognised,
        stars=3,
        level="province",
        recognised_on=date(today.year - 1, 3, 1),
        valid_until=date(today.year + 2, 2, 28),
    )
    return type(
        "Records",
        (),
        {
            "p": p,
            "q": q,
            "p_recognised": p_recognised,
            "p_draft": p_draft,
            "q_recognised": q_recognised,
            "r_p": r_p,
            "r_q": r_q,
        },
    )


@pytest.fixture
def fixtures_dir() -> Path:
    return Path(__file__).resolve().parent / "tests" / "fixtures"
