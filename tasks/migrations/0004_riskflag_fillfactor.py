"""Leave room on every page of the flags table so that the scan's refresh is a HOT update.

Each scan rewrites ``last_seen_at`` on every open flag. With full pages PostgreSQL must put the
new row version on another page and add it to all eight indexes of the table; with free space on
the page (and no indexed column changed) it updates in place ("heap-only tuple"), which is several
times cheaper. PostgreSQL only: SQLite has no such setting.
"""

from django.db import migrations

FLAG_TABLE = "tasks_riskflag"


def set_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {FLAG_TABLE} SET (fillfactor = 50, autovacuum_vacuum_scale_factor = 0.05)"
        )


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE {FLAG_TABLE} RESET (fillfactor, autovacuum_vacuum_scale_factor)"
        )


class Migration(migrations.Migration):
    dependencies = [("tasks", "0003_scanrun")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor, elidable=False)]
