"""The ``vi`` collation on PostgreSQL (ICU's Vietnamese order); SQLite registers its own on each
connection (ocop/collation.py)."""

from django.db import migrations

# Written out, not imported: a migration stays as it shipped.
NAME, POSTGRESQL_LOCALE = "vi", "vi-u-kn-true"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE COLLATION IF NOT EXISTS "{NAME}" (provider = icu, locale = \'{POSTGRESQL_LOCALE}\')'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP COLLATION IF EXISTS "{NAME}"')


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
