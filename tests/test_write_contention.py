"""SQLite under write contention (issue 11, finding 8): while another connection holds the
database's write lock, reads go on (WAL), and a write that cannot get the lock within the busy
timeout answers 503 with Retry-After, never 500.

The test database is in memory, where SQLite has neither WAL nor busy timeouts: these tests copy
it into a file and point the default connection there.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from datetime import date

import pytest
from django.db import connection, connections

from ocop.registry.models import Producer, Product, Recognition

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason=(
        "PostgreSQL locks rows, not the database: a long write blocks only writers of the same "
        "rows, and reads never wait (the data version's test covers writers of other rows)"
    ),
)

BUSY_TIMEOUT = 0.2  # seconds: long enough for SQLite to retry, short enough for a test


@contextmanager
def default_connection_on(path):
    """The default connection on the SQLite file ``path`` (its busy timeout shortened)."""
    original = connections["default"]
    settings_dict = {
        **original.settings_dict,
        "NAME": str(path),
        "OPTIONS": {**original.settings_dict["OPTIONS"], "timeout": BUSY_TIMEOUT},
    }
    on_file = original.__class__(settings_dict, alias="default")
    connections["default"] = on_file
    try:
        yield
    finally:
        on_file.close()
        connections["default"] = original


@pytest.fixture(scope="module")
def database_file(django_db_setup, django_db_blocker, tmp_path_factory):
    """A file copy of the test database (before any test wraps it in a transaction), in WAL
    mode, with a recognised product in the catalogue's index and a central officer."""
    from django.contrib.auth import get_user_model

    from ocop.geo.models import Province
    from ocop.market import services

    path = tmp_path_factory.mktemp("contention") / "ocop.sqlite3"
    with django_db_blocker.unblock():
        original = connections["default"]
        original.ensure_connection()
        target = sqlite3.connect(path)
        original.connection.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
        target.close()
        with default_connection_on(path):
            province = Province.objects.current().get(code="80")
            producer = Producer.objects.create(
                name="Hợp tác xã Bánh tráng Trảng Bàng", kind="cooperative", address="Ấp 1", province=province
            )
            product = Product.objects.create(producer=producer, name_vi="Bánh tráng phơi sương", group="food")
            today = date.today()
            Recognition.objects.create(
                product=product,
                stars=4,
                level="province",
                recognised_on=date(today.year - 1, 1, 15),
                valid_until=date(today.year + 2, 1, 14),
            )
            services.catalogue_refresh()
            central = get_user_model().objects.create_user(username="central", password="x")
            central.grants.create(role="central")
    return type("Records", (), {"path": path, "product": product, "central": central})


@pytest.fixture
def catalogue(db, database_file, settings):
    """The default connection on the file for the test's duration."""
    from django.core.cache import cache

    # Whatever a read might once have found due is due now.
    settings.OCOP_CATALOGUE_REFRESH_SECONDS = 0
    cache.clear()
    with default_connection_on(database_file.path):
        yield database_file


class WriteLock:
    """Another process's long write: a connection holding SQLite's write lock, uncommitted."""

    def __init__(self, path):
        self.connection = sqlite3.connect(path, isolation_level=None, timeout=5)

    def __enter__(self):
        self.connection.execute("BEGIN IMMEDIATE")
        self.connection.execute("UPDATE registry_product SET name_en = name_en")
        return self

    def __exit__(self, *exc):
        self.connection.execute("ROLLBACK")
        self.connection.close()


def test_catalogue_searches_answer_while_another_connection_holds_a_write(client, catalogue):
    with WriteLock(catalogue.path):
        page = client.get("/catalogue/?q=banh+trang")
        api = client.get("/api/v1/market/catalogue?q=banh+trang")
    assert page.status_code == 200
    assert "Bánh tráng phơi sương" in page.content.decode()
    assert api.status_code == 200
    assert [item["name_vi"] for item in api.json()["items"]] == ["Bánh tráng phơi sương"]


def test_a_page_write_that_cannot_get_the_lock_answers_503_with_retry_after(client, catalogue, settings):
    from ocop.accounts.models import ApiToken

    client.force_login(catalogue.central)
    with WriteLock(catalogue.path):
        response = client.post("/accounts/me/tokens/", {"name": "script"})
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.OCOP_BUSY_RETRY_AFTER_SECONDS)
    assert "The platform is busy" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_api_write_that_cannot_get_the_lock_answers_503_with_retry_after(client, catalogue, settings):
    client.force_login(catalogue.central)
    with WriteLock(catalogue.path):
        response = client.patch(
            f"/api/v1/products/{catalogue.product.pk}",
            data={"name_en": "Dew-dried rice paper"},
            content_type="application/json",
        )
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.OCOP_BUSY_RETRY_AFTER_SECONDS)
    assert response.json() == {"detail": "The platform is busy: try again in a few seconds."}
    catalogue.product.refresh_from_db()
    assert catalogue.product.name_en == ""
