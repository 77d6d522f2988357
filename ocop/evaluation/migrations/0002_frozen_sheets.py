"""A frozen scoring sheet never changes: the database refuses any UPDATE of a frozen row.

The services refuse first, with a message; this trigger is the guarantee for everything else
(the admin, a shell, a bug). Rows may still be deleted with their dossier's assignment, so that
a database can be emptied (``flush``).
"""

from django.db import migrations

SQLITE_CREATE = """
CREATE TRIGGER evaluation_sheet_frozen
BEFORE UPDATE ON evaluation_sheet
FOR EACH ROW WHEN OLD.frozen
BEGIN
    SELECT RAISE(ABORT, 'evaluation_sheet_frozen: a frozen scoring sheet cannot be changed');
END;
"""
SQLITE_DROP = "DROP TRIGGER IF EXISTS evaluation_sheet_frozen;"

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION evaluation_sheet_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'evaluation_sheet_frozen: a frozen scoring sheet cannot be changed'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER evaluation_sheet_frozen
BEFORE UPDATE ON evaluation_sheet
FOR EACH ROW WHEN (OLD.frozen) EXECUTE FUNCTION evaluation_sheet_frozen();
"""
POSTGRES_DROP = """
DROP TRIGGER IF EXISTS evaluation_sheet_frozen ON evaluation_sheet;
DROP FUNCTION IF EXISTS evaluation_sheet_frozen();
"""


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP)
    elif vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
