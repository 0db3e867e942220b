"""On PostgreSQL, drop the expression GIN index of migration 0002 (``to_tsvector('simple', search_text)``).

Every registry search goes through the stored ``search_vector`` (migrations 0004 and 0005, its own GIN
index), so nothing reads this index any more; keeping it made every write compute ``to_tsvector`` twice and
maintain two GIN indexes.
"""

from django.db import migrations

INDEX = "companies_company_search_gin"


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON companies_company "
            "USING gin (to_tsvector('simple'::regconfig, search_text))"
        )


class Migration(migrations.Migration):
    dependencies = [("companies", "0005_filter_tokens")]

    operations = [migrations.RunPython(drop_index, create_index)]
