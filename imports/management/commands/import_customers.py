"""`import_customers`: the customer import guide's name for `import_data`, which imports a file into any target."""

from imports.management.commands.import_data import Command as ImportData


class Command(ImportData):
    help = ImportData.help + " (import_customers is another name for import_data.)"
