"""On PostgreSQL, a stored ``search_vector`` column (tsvector of ``search_text``) with a GIN index, which the
registry list searches: the planner has statistics for it and no row recomputes to_tsvector.

The expression index of migration 0002 stays for now: the matching engine's candidate query still searches
``to_tsvector('simple', search_text)``; drop it in a later migration once that query uses ``search_vector``.

The model does not declare the column (SQLite has none); PostgreSQL fills it on every insert and update,
including the COPY and bulk_create paths. ``companies.search`` targets it.
"""

from django.db import migrations

INDEX = "companies_company_search_vector_gin"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "ALTER TABLE companies_company ADD COLUMN IF NOT EXISTS search_vector tsvector "
        "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, coalesce(search_text, ''))) STORED"
    )
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON companies_company USING gin (search_vector)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute("ALTER TABLE companies_company DROP COLUMN IF EXISTS search_vector")


class Migration(migrations.Migration):
    dependencies = [("companies", "0003_company_updated_index")]

    operations = [migrations.RunPython(forwards, backwards)]
