"""``Company.filter_tokens`` (region, province, processes, materials and certification types by id, see
``companies.search.filter_tokens``), filled for the existing rows; on PostgreSQL the stored ``search_vector``
now holds them too, so that one GIN lookup answers a search with its filters.

On PostgreSQL the generated column is dropped and added again with the new expression (PostgreSQL 15 cannot
change a generation expression in place), and the GIN indexes are built once after the rows are filled
instead of being updated row by row.
"""

from django.db import migrations, models

VECTOR_INDEX = "companies_company_search_vector_gin"
TEXT_INDEX = "companies_company_search_gin"  # migration 0002

OLD_VECTOR = "to_tsvector('simple'::regconfig, coalesce(search_text, ''))"
NEW_VECTOR = (
    "to_tsvector('simple'::regconfig, coalesce(search_text, '')) || "
    "array_to_tsvector(array_remove(string_to_array(coalesce(filter_tokens, ''), ' '), ''))"
)

# The tokens of every company, as companies.services.Deriver writes them (sorted bytewise).
TOKENS = """
SELECT c.id, {agg} AS tokens
FROM companies_company c
JOIN (
    SELECT id AS company_id, '=r' || region_id AS token FROM companies_company
    UNION SELECT c2.id, '=pr' || r.parent_id FROM companies_company c2
        JOIN regions_region r ON r.id = c2.region_id WHERE r.parent_id IS NOT NULL
    UNION SELECT company_id, '=p' || process_id FROM companies_company_processes
    UNION SELECT company_id, '=m' || material_id FROM companies_company_materials
    UNION SELECT company_id, '=c' || certification_type_id FROM companies_certification
) t ON t.company_id = c.id
GROUP BY c.id
"""


def _vector(schema_editor, expression: str) -> None:
    schema_editor.execute(f"DROP INDEX IF EXISTS {VECTOR_INDEX}")
    schema_editor.execute("ALTER TABLE companies_company DROP COLUMN IF EXISTS search_vector")
    schema_editor.execute(
        f"ALTER TABLE companies_company ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ({expression}) STORED"
    )


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # Dropped first, so that neither the update nor the rewrite maintains them row by row.
        schema_editor.execute(f"DROP INDEX IF EXISTS {VECTOR_INDEX}")
        schema_editor.execute("ALTER TABLE companies_company DROP COLUMN IF EXISTS search_vector")
        schema_editor.execute(f"DROP INDEX IF EXISTS {TEXT_INDEX}")
        agg = "string_agg(t.token, ' ' ORDER BY t.token COLLATE \"C\")"
        schema_editor.execute(
            f"UPDATE companies_company SET filter_tokens = f.tokens FROM ({TOKENS.format(agg=agg)}) f "  # noqa: S608
            "WHERE companies_company.id = f.id"
        )
        _vector(schema_editor, NEW_VECTOR)
        schema_editor.execute(f"CREATE INDEX {VECTOR_INDEX} ON companies_company USING gin (search_vector)")
        schema_editor.execute(
            f"CREATE INDEX {TEXT_INDEX} ON companies_company USING gin (to_tsvector('simple'::regconfig, search_text))"
        )
        # Statistics of the new vector (its lexemes and tokens), so that the very next list query plans for them.
        schema_editor.execute("ANALYZE companies_company")
    else:
        # SQLite (and others): group_concat() has no ORDER BY before SQLite 3.44; sort in Python.
        Company = apps.get_model("companies", "Company")
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(TOKENS.format(agg="group_concat(t.token, ' ')"))
            rows = [(" ".join(sorted(tokens.split(" "))), pk) for pk, tokens in cursor.fetchall()]
        for pk_tokens in rows:
            Company.objects.filter(pk=pk_tokens[1]).update(filter_tokens=pk_tokens[0])


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _vector(schema_editor, OLD_VECTOR)
        schema_editor.execute(f"CREATE INDEX {VECTOR_INDEX} ON companies_company USING gin (search_vector)")


class Migration(migrations.Migration):
    dependencies = [("companies", "0004_search_vector")]

    operations = [
        migrations.AddField(
            model_name="company",
            name="filter_tokens",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="filter tokens"),
            preserve_default=False,
        ),
        migrations.RunPython(forwards, backwards),
    ]
