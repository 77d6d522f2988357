"""PostgreSQL only: the trigram extension and a full-text index over the catalogue's documents.

On SQLite this migration does nothing: the catalogue there matches words with LIKE and computes
trigram similarity with a function the search registers on the connection (see
ocop/market/search.py), which gives the same results.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEX = "market_entry_document_fts"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON market_catalogueentry "
        "USING gin (to_tsvector('simple'::regconfig, document))"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("market", "0001_catalogue")]

    operations = [
        # CreateExtension is a no-op on other databases.
        TrigramExtension(),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
