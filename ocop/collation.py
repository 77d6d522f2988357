"""Vietnamese alphabetical order in the database, the same on SQLite and PostgreSQL.

Both engines know a collation named ``vi``: PostgreSQL's is ICU's Vietnamese order (created by
the migration ``geo.0002_vietnamese_collation``), SQLite's is registered on every new connection
and compares with :func:`ocop.vntext.sort_key`, which follows the same order. Lists sorted by a
name people read order by :func:`by_name` ("Bắc" before "Bình", "Đà" after "Dung", "Phường 2"
before "Phường 10"), never by the bytes of the name.
"""

from functools import lru_cache

from django.db.models import F
from django.db.models.functions import Collate

from .vntext import sort_key

NAME = "vi"

# PostgreSQL: ICU's Vietnamese with numbers compared by value. ``kn`` matches sort_key.
POSTGRESQL_LOCALE = "vi-u-kn-true"


def by_name(*fields: str) -> list:
    """order_by() arguments for ``fields`` in Vietnamese order; "-field" orders descending."""
    ordering = []
    for field in fields:
        descending = field.startswith("-")
        expression = Collate(F(field.lstrip("-")), NAME)
        ordering.append(expression.desc() if descending else expression.asc())
    return ordering


@lru_cache(maxsize=65536)
def _key(text: str) -> tuple:
    return sort_key(text)


def _compare(left: str, right: str) -> int:
    a, b = _key(left), _key(right)
    return (a > b) - (a < b)


def register_sqlite(sender, connection, **kwargs):
    """connection_created receiver: teach a new SQLite connection the ``vi`` collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(NAME, _compare)
