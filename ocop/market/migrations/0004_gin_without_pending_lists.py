"""PostgreSQL only: the catalogue's two GIN indexes (full text over the documents, trigrams over
the vocabulary) take their entries directly, without a pending list.

With GIN's default ``fastupdate``, rows written by an index refresh wait in a pending list that
every search scans until VACUUM merges it. After a rebuild of the vocabulary (12,000 words on
the demo) that list made the planner give up the trigram index (16 ms per misspelt query
instead of 0.2 ms); a server without autovacuum never recovers. The index refresh writes in
batches, so direct insertion costs it little."""

from django.db import migrations

INDEXES = ("market_searchterm_trgm", "market_entry_document_fts")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {index} SET (fastupdate = off)")
        # Merge what already waits in the list.
        schema_editor.execute(
            "SELECT gin_clean_pending_list(c.oid) FROM pg_class c WHERE c.relname = %s", [index]
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {index} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("market", "0003_searchterm_trigram_index")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
