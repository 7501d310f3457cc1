from django.apps import AppConfig


class SalesProConfig(AppConfig):
    name = "salespro"
    verbose_name = "SalesPro"
