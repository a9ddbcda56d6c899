from django.db import migrations, models
from django.db.models import F

MODELS = ("sessionlog", "checkin", "journalentry")


def fill_latest_updated_at(apps, schema_editor):
    # Until now updated_at only ever moved forward, so it is the high-water mark.
    for name in MODELS:
        apps.get_model("tracker", name).objects.update(latest_updated_at=F("updated_at"))


class Migration(migrations.Migration):
    dependencies = [("tracker", "0003_clinician_list_indexes")]

    operations = [
        *(
            operation
            for name in MODELS
            for operation in (
                migrations.AlterField(
                    model_name=name,
                    name="updated_at",
                    field=models.DateTimeField(
                        help_text="The client's time of the edit that wrote this content."
                    ),
                ),
                migrations.AlterField(
                    model_name=name,
                    name="seq",
                    field=models.BigIntegerField(
                        help_text="Position in the user's change stream (sync cursor), and the entry's version."
                    ),
                ),
                migrations.AddField(
                    model_name=name,
                    name="latest_updated_at",
                    field=models.DateTimeField(null=True),
                ),
                migrations.AddField(
                    model_name=name,
                    name="written_by_device",
                    field=models.CharField(blank=True, default="", max_length=64),
                ),
                migrations.AddField(
                    model_name=name,
                    name="written_from_version",
                    field=models.BigIntegerField(blank=True, null=True),
                ),
            )
        ),
        migrations.RunPython(fill_latest_updated_at, migrations.RunPython.noop),
        *(
            migrations.AlterField(
                model_name=name,
                name="latest_updated_at",
                field=models.DateTimeField(
                    help_text="The latest updated_at any write of this entry carried (v1 clients' high-water mark)."
                ),
            )
            for name in MODELS
        ),
        *(
            migrations.AddConstraint(
                model_name=name,
                constraint=models.CheckConstraint(
                    condition=models.Q(latest_updated_at__gte=F("updated_at")),
                    name=f"{prefix}_latest_updated_at_is_latest",
                ),
            )
            for name, prefix in zip(MODELS, ("sessionlog", "checkin", "journal"), strict=True)
        ),
    ]
