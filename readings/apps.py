from django.apps import AppConfig


class ReadingsConfig(AppConfig):
    name = "readings"
    verbose_name = "Meter readings"
