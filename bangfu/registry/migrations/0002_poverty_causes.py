"""The cause-of-poverty code list (致贫原因 / 风险类型, in bangfu.registry.causes), kept as data
so it can be updated.

Codes 01-09 and 99 follow the national relapse-monitoring list (02xx: natural disasters
by kind). Codes 10-15 carry the registry's older causes that the monitoring list folds
into "other"; they are local extensions, kept so that old records keep their meaning.
"""

from django.db import migrations

from bangfu.registry.causes import CAUSES



def load(apps, schema_editor):
    PovertyCause = apps.get_model("registry", "PovertyCause")
    for code, name, parent in CAUSES:
        PovertyCause.objects.update_or_create(code=code, defaults={"name": name, "parent_id": parent})


def unload(apps, schema_editor):
    apps.get_model("registry", "PovertyCause").objects.filter(code__in=[c for c, _, _ in CAUSES]).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
