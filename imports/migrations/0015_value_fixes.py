from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("imports", "0014_job_via"),
    ]

    operations = [
        migrations.AddField(
            model_name="datatemplate",
            name="value_fixes",
            field=models.JSONField(
                blank=True, default=dict,
                help_text="An import's date formats, value maps and ZIP padding (imports.engine.value_fixes), applied "
                "with its mapping.",
            ),
        ),
        migrations.AddField(
            model_name="importupload",
            name="value_fixes",
            field=models.JSONField(
                blank=True, default=dict, help_text="Date formats, value maps and ZIP padding chosen with the mapping."
            ),
        ),
    ]
