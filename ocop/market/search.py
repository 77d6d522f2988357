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
from django.db.models import BooleanField, Count, F, Func, Q, Value

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
    """A word of ``field`` begins with ``word`` (the folded columns are padded with spaces)."""
    return Q(**{f"{field}__contains": f" {word}"})


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


def configure_connection(sender, connection, **kwargs) -> None:
    """Run on every new database connection (``connection_created``): on SQLite, register
    ``similarity()``; on PostgreSQL, set the similarity threshold of pg_trgm's ``%`` operator
    for the session, so that the vocabulary is searched through its trigram index. Done when
    the connection opens, before any transaction, so that no rollback undoes it."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("similarity", 2, _sqlite_similarity, deterministic=True)
    elif connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, false)",
                [str(matching.CANDIDATE_SIMILARITY)],
            )


def vocabulary_candidates(query: str) -> dict[str, int]:
    """Vocabulary terms that may correct the words of ``query`` (term -> frequency): those
    whose trigram similarity to a typed word reaches the threshold, and the exact terms a
    run-together or two-letters-swapped word would be. One query; on PostgreSQL, pg_trgm's
    ``%`` operator (similarity at least the session's threshold, set to
    :data:`ocop.market.matching.CANDIDATE_SIMILARITY` by :func:`configure_connection`) served
    by a trigram index, rather than ``similarity()`` computed for every term."""
    typed, parts = matching.candidate_probes(query)
    typed = typed[:MAX_QUERY_WORDS]
    if not typed:
        return {}
    table = connection.ops.quote_name(SearchTerm._meta.db_table)
    params: list = []
    if connection.vendor == "postgresql":
        conditions = ["term %% %s" for _word in typed]
        params += typed
    else:
        conditions = ["similarity(term, %s) >= %s" for _word in typed]
        for word in typed:
            params += [word, matching.CANDIDATE_SIMILARITY]
    if parts:
        conditions.append(f"term IN ({', '.join(['%s'] * len(parts))})")
        params += parts
    sql = f"SELECT term, frequency FROM {table} WHERE {' OR '.join(conditions)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def reading_counts(queryset, readings: list[matching.Reading]) -> list[tuple[int, int, int]]:
    """For each reading, how many rows of ``queryset`` hold its words side by side as a phrase,
    how many hold them as whole words anywhere, and how many hold words beginning with them
    (what the catalogue lists for it). One query: the rows matching any reading are found
    through the full-text index, then counted per reading with LIKE over the folded document
    (padded with spaces; its words keep the order of the names they come from)."""
    if not readings:
        return []
    positions = len(readings[0].plan.groups)
    either = matching.Plan(
        tuple(tuple(dict.fromkeys(r.plan.groups[i][0] for r in readings)) for i in range(positions))
    )
    aggregates = {}
    for n, reading in enumerate(readings):
        words = [word for group in reading.plan.groups for word in group[0]]
        whole, prefix = Q(), Q()
        for word in words:
            whole &= Q(document__contains=f" {word} ")
            prefix &= Q(document__contains=f" {word}")
        aggregates[f"s{n}"] = Count("pk", filter=Q(document__contains=f" {' '.join(words)} "))
        aggregates[f"w{n}"] = Count("pk", filter=whole)
        aggregates[f"p{n}"] = Count("pk", filter=prefix)
    figures = queryset.filter(plan_condition("document", either)).aggregate(**aggregates)
    return [(figures[f"s{n}"], figures[f"w{n}"], figures[f"p{n}"]) for n in range(len(readings))]


def best_reading(queryset, readings: list[matching.Reading]) -> tuple[matching.Reading | None, int]:
    """The reading of a misspelt query to show, and the number of rows it lists: among the
    cheapest readings that find something, the one whose words go together in most products,
    as a phrase first ("banh trang", not "binh trang": both words are common, but only the
    first is a name), then anywhere. Readings are counted a level of cost at a time (one
    query per level, at most two)."""
    for level in sorted({r.cost for r in readings})[:2]:
        candidates = [r for r in readings if r.cost == level]
        counts = reading_counts(queryset, candidates)
        found = [(*figures, -n) for n, figures in enumerate(counts) if figures[2]]
        if found:
            # The first of equals: readings come with their most used corrections first.
            *_figures, prefix, minus_index = max(found)
            return candidates[-minus_index], prefix
    return None, 0


def limit_words(query: str) -> str:
    """At most :data:`MAX_QUERY_WORDS` words are searched (a pasted paragraph is not a query)."""
    return " ".join(matching.words(query)[:MAX_QUERY_WORDS])
