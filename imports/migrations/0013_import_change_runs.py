from django.db import migrations, models


def last_is_first(apps, schema_editor):
    """Every line kept so far stands for one record."""
    ImportChange = apps.get_model("imports", "ImportChange")
    ImportChange.objects.update(last_record_id=models.F("record_id"))


class Migration(migrations.Migration):

    dependencies = [
        ("imports", "0012_import_changes_and_undo"),
    ]

    operations = [
        migrations.AddField(
            model_name="importchange",
            name="last_record_id",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(last_is_first, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="importchange",
            name="last_record_id",
            field=models.BigIntegerField(help_text="A run's last primary key; an update's own record_id."),
        ),
        migrations.AddField(
            model_name="importchange",
            name="row_numbers",
            field=models.JSONField(
                blank=True, null=True,
                help_text="A run's data rows, one for each record in key order; none for an update.",
            ),
        ),
        migrations.AlterField(
            model_name="importchange",
            name="record_id",
            field=models.BigIntegerField(help_text="The record's primary key (a run's first)."),
        ),
        migrations.AlterField(
            model_name="importchange",
            name="row_number",
            field=models.PositiveIntegerField(help_text="The data row that wrote the record (a run's first)."),
        ),
    ]
