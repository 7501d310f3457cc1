"""Names people read in place of the code's: the records a target imports, as they are called ("meter readings",
not "MeterReading")."""

from django import template

from imports.declare.targets import get_target

register = template.Library()


@register.filter
def records_of(target_name: str) -> str:
    """`{{ job.target_model|records_of }}`: the target's records' plural name; the name itself for a target no
    longer registered (an old job's)."""
    try:
        return str(get_target(target_name).verbose_name_plural)
    except KeyError:
        return target_name


@register.filter
def record_of(target_name: str) -> str:
    """`{{ target.name|record_of }}`: what one of the target's records is called ("meter reading")."""
    try:
        return str(get_target(target_name).model._meta.verbose_name)
    except KeyError:
        return target_name
