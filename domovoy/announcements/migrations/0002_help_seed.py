"""Starter «Справка» content (D7); the same function backs ``manage.py help_seed``."""

from django.db import migrations


def seed(apps, schema_editor):
    from domovoy.announcements.seed import seed_help

    seed_help(
        apps.get_model("announcements", "HelpSection"),
        apps.get_model("announcements", "Guide"),
        apps.get_model("announcements", "GuideVersion"),
    )


class Migration(migrations.Migration):
    dependencies = [("announcements", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
