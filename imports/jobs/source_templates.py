"""The template library's built-in mappings: files other systems export (ImportTarget.source_mappings), added to
a company's import templates under the source's name, after which the wizard offers them like its own (and applies
one by itself to a file whose columns match)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from companies.models import Company
from imports.declare.targets import ImportTarget, all_targets, get_target
from imports.models import DataTemplate


class SourceTemplateRefused(Exception):
    """A built-in mapping could not be added; the message says why in one sentence."""


@dataclass(frozen=True)
class SourceTemplate:
    target: ImportTarget
    source: str
    mapping: dict[str, str | None]
    added: DataTemplate | None  # the company's template of that name, once added

    @property
    def mapped(self) -> int:
        return sum(1 for name in self.mapping.values() if name)


def source_templates(*, company: Company) -> list[SourceTemplate]:
    """Every target's built-in mappings, each with the company's template of its name if it has one."""
    own = {
        (template.target_model, template.template_name): template
        for template in DataTemplate.objects.filter(company=company, template_type=DataTemplate.TemplateType.IMPORT)
    }
    return [
        SourceTemplate(target, source, mapping, own.get((target.name, source)))
        for target in all_targets() for source, mapping in target.source_mappings.items()
    ]


def source_template_add(*, company: Company, user, target_name: str, source: str) -> DataTemplate:
    """The built-in mapping `source` of `target_name` as one of the company's import templates."""
    try:
        mapping = get_target(target_name).source_mappings[source]
    except KeyError:
        raise SourceTemplateRefused(f"There is no built-in mapping named '{source}' for {target_name}.") from None
    try:
        with transaction.atomic():
            return DataTemplate.objects.create(
                company=company, target_model=get_target(target_name).name, template_name=source,
                template_type=DataTemplate.TemplateType.IMPORT, field_mapping=dict(mapping), created_by=user,
            )
    except IntegrityError:
        raise SourceTemplateRefused(
            f"You have a template named '{source}' already: it is in your templates below."
        ) from None
