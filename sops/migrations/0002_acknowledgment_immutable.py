"""Acknowledgements are evidence: the database itself refuses UPDATE and DELETE on them."""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION sops_acknowledgment_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'acknowledgements are evidence and cannot be %', lower(TG_OP)
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER sops_acknowledgment_no_update_delete
    BEFORE UPDATE OR DELETE ON sops_acknowledgment
    FOR EACH ROW EXECUTE FUNCTION sops_acknowledgment_immutable();
CREATE TRIGGER sops_acknowledgment_no_truncate
    BEFORE TRUNCATE ON sops_acknowledgment
    FOR EACH STATEMENT EXECUTE FUNCTION sops_acknowledgment_immutable();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS sops_acknowledgment_no_update_delete ON sops_acknowledgment;
DROP TRIGGER IF EXISTS sops_acknowledgment_no_truncate ON sops_acknowledgment;
DROP FUNCTION IF EXISTS sops_acknowledgment_immutable();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER sops_acknowledgment_no_update BEFORE UPDATE ON sops_acknowledgment
       BEGIN SELECT RAISE(ABORT, 'acknowledgements are evidence and cannot be updated'); END;""",
    """CREATE TRIGGER sops_acknowledgment_no_delete BEFORE DELETE ON sops_acknowledgment
       BEGIN SELECT RAISE(ABORT, 'acknowledgements are evidence and cannot be deleted'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS sops_acknowledgment_no_update;",
    "DROP TRIGGER IF EXISTS sops_acknowledgment_no_delete;",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        # params=None: the trigger text has a literal % that must not be read as a placeholder.
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("sops", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
