"""Support for the traceability benchmarks: a throwaway PostgreSQL database, migrated, with a
producer, a product with a GTIN and the producer's account.

``OCOP_BENCH_PG`` (default ``postgres://postgres@127.0.0.1:5432``) names the server; the
database ``ocop_bench_trace`` is created on it (dropped first unless ``--keep`` reuses it).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

SERVER = os.environ.get("OCOP_BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
NAME = "ocop_bench_trace"
URL = f"{SERVER}/{NAME}"
GTIN = "08935001234562"


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def exists() -> bool:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [NAME]).fetchone() is not None


def prepare(*, keep: bool = False) -> float:
    """Create and migrate the database (unless kept); return the seconds it took."""
    start = time.perf_counter()
    if keep and exists():
        return 0.0
    _admin(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')
    _admin(f'CREATE DATABASE "{NAME}"')
    env = {
        **os.environ,
        "DATABASE_URL": URL,
        "OCOP_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "ocop.settings",
    }
    subprocess.run([sys.executable, "-m", "ocop", "migrate", "--verbosity", "0"], check=True, env=env)
    return time.perf_counter() - start


def drop() -> None:
    _admin(f'DROP DATABASE IF EXISTS "{NAME}" WITH (FORCE)')


def setup_django() -> None:
    os.environ["DATABASE_URL"] = URL
    os.environ.setdefault("OCOP_ENV", "development")
    os.environ["DJANGO_SETTINGS_MODULE"] = "ocop.settings"
    os.environ.setdefault("OCOP_PUBLIC_URL", "https://ocop.example.vn")
    import django

    django.setup()


def world():
    """The producer's account and its product (created once)."""
    from django.contrib.auth import get_user_model

    from ocop.geo.models import Commune, Province
    from ocop.registry.models import Producer, ProducerMember, Product

    user, _created = get_user_model().objects.get_or_create(username="bench-producer")
    product = Product.objects.filter(gtin=GTIN).first()
    if product is None:
        province = Province.objects.current().get(code="80")
        commune = Commune.objects.current().filter(province=province).order_by("code").first()
        producer = Producer.objects.create(
            name="HTX Bench", kind="cooperative", address="Ấp 1", province=province, commune=commune
        )
        ProducerMember.objects.create(producer=producer, user=user)
        product = Product.objects.create(producer=producer, name_vi="Sản phẩm đo", group="food", gtin=GTIN)
    return user, product
