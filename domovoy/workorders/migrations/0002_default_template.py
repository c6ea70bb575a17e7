"""Ship the default work-order form with version 1 in force, so that the demo works (R9)."""

from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from domovoy.workorders.defaults import install_default_templates

    install_default_templates(
        apps.get_model("workorders", "WorkOrderTemplate"),
        apps.get_model("workorders", "WorkOrderTemplateVersion"),
        now=timezone.now(),
    )


class Migration(migrations.Migration):
    dependencies = [("workorders", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
