from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _move_public_files(sender, using="default", verbosity=1, **kwargs):
    """After every ``migrate``: files still lying under the old public MEDIA_ROOT move into
    private storage (S5, docs/decisions.md «Private files»). Does nothing when MEDIA_ROOT is
    empty or the database is not migrated to the latest state."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    from . import private_files

    if not private_files._public_names():
        return
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    moved = private_files.move_public_files(using=using)
    if moved and verbosity:
        print(f"Moved {moved} uploaded file(s) from MEDIA_ROOT into private storage.")


class CoreConfig(AppConfig):
    name = "domovoy.core"
    label = "core"

    def ready(self):
        post_migrate.connect(_move_public_files, sender=self)
