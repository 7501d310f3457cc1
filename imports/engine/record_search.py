"""Finding a company's records on its records page: words matched against the target's plain text columns, and a
value chosen for any of its choice columns. Health data is never searched: a match would tell a name apart
while the page masks it."""

from django.db import models
from django.db.models import Q, QuerySet

from imports.declare.fields import ChoiceField, ImportField
from imports.declare.targets import ImportTarget

WORDS_AT_MOST = 5  # "first last city" narrows; a pasted paragraph is not a search


def searched_fields(target: ImportTarget) -> list[ImportField]:
    """The record fields words are looked for in: the text columns of the model, health data left out."""
    text_columns = {
        field.name for field in target.model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField)) and not field.choices
    }
    return [field for field in target.record_fields
            if field.name in text_columns and field.name not in target.sensitive_fields]


def choice_filters(target: ImportTarget) -> list[ChoiceField]:
    """The record fields a value can be chosen for (status, customer type, ...)."""
    columns = {field.name for field in target.model._meta.concrete_fields}
    return [field for field in target.record_fields
            if isinstance(field, ChoiceField) and field.name in columns and field.name not in target.sensitive_fields]


def records_matching(queryset: QuerySet, target: ImportTarget, *, text: str = "",
                     chosen: dict[str, str] | None = None) -> QuerySet:
    """`queryset` narrowed to records holding every word of `text` in one of their searched fields (ignoring
    case), and the value `chosen` for each choice field named; unknown fields and values are ignored (the page
    offers only known ones)."""
    names = [field.name for field in searched_fields(target)]
    for word in text.split()[:WORDS_AT_MOST]:
        anywhere = Q()
        for name in names:
            anywhere |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(anywhere) if names else queryset.none()
    for field in choice_filters(target):
        value = (chosen or {}).get(field.name)
        if value in field.values:
            queryset = queryset.filter(**{field.name: value})
    return queryset
