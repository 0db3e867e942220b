"""The programme's default matching weights: one MatchSettings row with the model's defaults.

The built-in bilingual lexicon lives in the engine as code; officers' own entries are LexiconEntry rows
added from the UI, so none are seeded here.
"""

from django.db import migrations


def create_default_settings(apps, schema_editor):
    settings = apps.get_model("matching", "MatchSettings")
    if not settings.objects.exists():
        settings.objects.create()


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_initial")]

    operations = [migrations.RunPython(create_default_settings, migrations.RunPython.noop)]
