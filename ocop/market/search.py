"""The catalogue's text search on each database engine, with the same results on both.

PostgreSQL: full-text search over the folded documents with prefix matching
(``to_tsvector('simple', document) @@ to_tsquery('simple', 'banh:* & trang:*')``, served by a
GIN index), and pg_trgm's ``similarity()`` to find vocabulary words close to a misspelt one.

SQLite: every word must begin a word of the document (``LIKE 'w%' OR LIKE '% w%'``, a scan
that takes a few milliseconds at national size), and ``similarity()`` is a Python function
registered on the connection that computes exactly what pg_trgm does
(:func:`ocop.market.matching.similarity`).

Both engines see the same folded text (:func:`ocop.market.matching.document`), so a query
matches the same products on either; the tests run on both.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, F, Func, Q, Value

from . import matching
from .models import SearchTerm

MAX_QUERY_WORDS = 8


class TsMatch(Func):
    """``to_tsvector('simple', field) @@ to_tsquery('simple', query)`` (PostgreSQL)."""

    output_field = BooleanField()

    def __init__(self, field: str, query: str):
        super().__init__(F(field), Value(query))

    def as_sql(self, compiler, connection, **extra):
        field_sql, field_params = compiler.compile(self.source_expressions[0])
        query = self.source_expressions[1].value
        sql = f"to_tsvector('simple'::regconfig, {field_sql}) @@ to_tsquery('simple'::regconfig, %s)"
        return sql, [*field_params, query]


def _word_start(field: str, word: str) -> Q:
    return Q(**{f"{field}__startswith": word}) | Q(**{f"{field}__contains": f" {word}"})


def plan_condition(field: str, plan: matching.Plan, *, indexed: bool = True):
    """The condition that ``field`` (a folded text column) matches ``plan``. ``indexed``: served
    by the full-text index on PostgreSQL (finding rows); otherwise the same test with LIKE,
    cheaper for ranking the few rows already found than building their text vectors."""
    if indexed and connection.vendor == "postgresql":
        return TsMatch(field, plan.tsquery())
    condition = Q()
    for group in plan.groups:
        either = Q()
        for alternative in group:
            every = Q()
            for word in alternative:
                every &= _word_start(field, word)
            either |= every
        condition &= either
    return condition


def prefix_condition(field: str, phrase: str) -> Q:
    return Q(**{f"{field}__startswith": phrase})


def phrase_condition(field: str, phrase: str) -> Q:
    """The words of ``phrase``, in order and adjacent, begin at a word of ``field``."""
    return _word_start(field, phrase)


def _sqlite_similarity(a, b):
    return matching.similarity(a or "", b or "")


def _prepare_connection() -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        connection.connection.create_function("similarity", 2, _sqlite_similarity, deterministic=True)


def vocabulary_candidates(query: str) -> dict[str, int]:
    """Vocabulary terms that may correct the words of ``query`` (term -> frequency): those
    whose trigram similarity to a typed word reaches the threshold, and the exact terms a
    run-together word would split into. One query."""
    typed, parts = matching.candidate_probes(query)
    typed = typed[:MAX_QUERY_WORDS]
    if not typed:
        return {}
    _prepare_connection()
    table = connection.ops.quote_name(SearchTerm._meta.db_table)
    conditions = ["similarity(term, %s) >= %s" for _word in typed]
    params: list = []
    for word in typed:
        params += [word, matching.CANDIDATE_SIMILARITY]
    if parts:
        conditions.append(f"term IN ({', '.join(['%s'] * len(parts))})")
        params += parts
    sql = f"SELECT term, frequency FROM {table} WHERE {' OR '.join(conditions)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def limit_words(query: str) -> str:
    """At most :data:`MAX_QUERY_WORDS` words are searched (a pasted paragraph is not a query)."""
    return " ".join(matching.words(query)[:MAX_QUERY_WORDS])
