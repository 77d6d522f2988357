"""PostgreSQL only: a trigram index over the vocabulary, so that the words close to a misspelt
one are found with pg_trgm's ``%`` operator through the index (a fraction of a millisecond)
instead of computing ``similarity()`` for every word (tens of milliseconds at national size).
Nothing on SQLite, where the vocabulary is scanned with a registered function."""

from django.db import migrations

INDEX = "market_searchterm_trgm"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON market_searchterm USING gin (term gin_trgm_ops)"
    )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("market", "0002_postgres_search")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
