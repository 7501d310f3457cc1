from django.db import migrations, models


class Migration(migrations.Migration):
    """The job's count of failed rows takes the name the rest of the code gives it (Outcome.FAILED, "failed")."""

    dependencies = [
        ("imports", "0007_job_judged_on_and_writing"),
    ]

    operations = [
        migrations.RenameField(model_name="importexportjob", old_name="error_records", new_name="failed_records"),
        migrations.AlterField(
            model_name="importexportjob", name="failed_records",
            field=models.IntegerField(default=0, verbose_name="error records"),
        ),
    ]
