"""The Owners group, with the permissions to manage the network."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

APPS = ("freelancers", "sops", "tasks")
ACTIONS = ("view", "add", "change")


def create_owners_group(apps, schema_editor):
    # Permissions are normally made after all migrations ran; make them now so we can grant them.
    from django.apps import apps as global_apps

    for label in APPS:
        app_config = global_apps.get_app_config(label)
        create_permissions(app_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Owners")
    perms = Permission.objects.filter(content_type__app_label__in=APPS).filter(
        codename__regex=r"^(%s)_" % "|".join(ACTIONS)
    )
    group.permissions.add(*perms)


def remove_owners_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Owners").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0001_initial"),
        ("freelancers", "0001_initial"),
        ("sops", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_owners_group, remove_owners_group)]
