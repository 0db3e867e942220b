"""Reference taxonomies, and on PostgreSQL the full-text GIN index that `search_text__fts` uses."""

from django.db import migrations

INDEX = "companies_company_search_gin"


def load(apps, schema_editor):
    from jalin.companies.reference import load_reference

    load_reference(apps)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON companies_company "
            "USING gin (to_tsvector('simple'::regconfig, search_text))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("companies", "0001_initial")]

    operations = [
        migrations.RunPython(load, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index),
    ]
