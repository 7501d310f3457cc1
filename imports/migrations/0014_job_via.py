from django.db import migrations, models


def via_from_options(apps, schema_editor):
    """Exports, look-ups, backups and restores kept their face in options["via"] already: copy it, set-based."""
    job = apps.get_model("imports", "ImportExportJob")
    for via in ("web", "api", "cli", "schedule"):
        job.objects.filter(options__via=via).update(via=via)


class Migration(migrations.Migration):

    dependencies = [
        ("imports", "0013_import_change_runs"),
    ]

    operations = [
        migrations.AddField(
            model_name="importexportjob",
            name="via",
            field=models.CharField(
                blank=True,
                choices=[("web", "Browser"), ("api", "API"), ("cli", "Command line"), ("schedule", "Schedule")],
                help_text="Where the job was asked for.",
                max_length=10,
            ),
        ),
        migrations.RunPython(via_from_options, migrations.RunPython.noop),
    ]
