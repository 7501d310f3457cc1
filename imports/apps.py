from django.apps import AppConfig
from django.core import checks
from django.utils.module_loading import autodiscover_modules


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = "Imports and exports"

    def ready(self):
        # Every installed app may declare import targets in import_targets.py, as apps declare admin.py.
        autodiscover_modules("import_targets")
        # Once every target is registered, `check` (and every start-up) validates each against its model.
        from imports.declare.checks import check_import_targets

        checks.register(check_import_targets)
        # The workers' tasks live in the jobs layer, not in a top-level tasks.py Celery would find by itself.
        from imports.jobs import tasks  # noqa: F401
