"""A company's own validation rules on the web (imports.engine.validation_rules): the editor on an import
template's page, the short list on a job's page, and the rules an upload's dry run and import run with.

The editor is two plain forms, so it works without JavaScript: one adds a rule (field, kind, its value, its
message), each listed rule has a Remove button. A refused rule re-renders the template page with the sentence and
what was entered. The wizard applies the rules of the template the upload's mapping came from, as they are when
its preview is drawn, its dry run starts or its import starts; the dry run's fingerprint holds them, so a rule
edited after a dry run asks for a new one.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from imports.declare.errors import ImportFileError
from imports.declare.targets import ImportTarget, get_target
from imports.engine.validation_rules import ValidationRules, rule_parse, validation_rules_parse
from imports.jobs.services import template_rules
from imports.models import DataTemplate, ImportExportJob, ImportUpload
from imports.web.forms import PlainLabels, TemplateForm

KIND_LABELS = {
    "required": "Required",
    "pattern": "Matches a pattern (regular expression)",
    "allowed": "One of these values (comma-separated)",
    "min": "At least (number or date)",
    "max": "At most (number or date)",
    "unique": "Unique in the file",
}
_VALUE_KEYS = {"pattern": "pattern", "allowed": "values", "min": "value", "max": "value"}


@dataclass
class ListedRule:
    position: int
    label: str
    described: str
    message: str


def rules_listed(rules: ValidationRules, target: ImportTarget) -> list[ListedRule]:
    """The rules as the pages list them: the field's label, the rule in a few words, its own message."""
    labels = {import_field.name: import_field.label for import_field in target.fields}
    return [
        ListedRule(position, labels.get(rule.field, rule.field), rule.describe(), rule.message)
        for position, rule in enumerate(rules.rules)
    ]


def job_rules_listed(job: ImportExportJob) -> list[ListedRule]:
    """The rules an import job ran with, for its page."""
    if not job.validation_rules:
        return []
    return rules_listed(ValidationRules.from_dict(job.validation_rules), get_target(job.target_model))


def upload_rules(upload: ImportUpload) -> ValidationRules:
    """The rules the upload's preview, dry run and import apply: its template's, as saved now."""
    return template_rules(company=upload.company, target_name=upload.target_model, name=upload.template_name)


class RuleForm(PlainLabels, forms.Form):
    field = forms.ChoiceField(label="Field")
    rule = forms.ChoiceField(label="Rule", choices=list(KIND_LABELS.items()))
    value = forms.CharField(label="Pattern, values or bound", required=False, max_length=2000,
                            help_text="A pattern must match the whole value; allowed values are comma-separated.")
    message = forms.CharField(label="Message", required=False, max_length=300,
                              help_text="Shown on each row that breaks the rule; leave empty for a standard one.")

    def __init__(self, *args, target: ImportTarget, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self.fields["field"].choices = [(f.name, f.label) for f in target.fields]

    def rule_given(self) -> dict:
        """The rule as the engine reads it, e.g. {"rule": "max", "value": "5000", "message": "..."}."""
        data = self.cleaned_data
        given = {"rule": data["rule"], "message": data["message"]}
        if data["rule"] in _VALUE_KEYS:
            given[_VALUE_KEYS[data["rule"]]] = data["value"]
        return given


def rules_editor(template: DataTemplate, form: RuleForm | None = None) -> dict:
    """The template page's context for its rules: the listed rules and the form adding one."""
    target = get_target(template.target_model)
    rules = ValidationRules.from_dict(template.validation_rules)
    return {"rules": rules_listed(rules, target), "rule_form": form or RuleForm(target=target)}


def _import_template(request, template_id) -> DataTemplate:
    return get_object_or_404(DataTemplate, pk=template_id, company=request.user.company,
                             template_type=DataTemplate.TemplateType.IMPORT)


@login_required
@require_POST
def rule_add(request, template_id):
    """Add a rule to an import template; a refused one is shown on the template's page with what was entered."""
    template = _import_template(request, template_id)
    target = get_target(template.target_model)
    form = RuleForm(request.POST, target=target)
    if form.is_valid():
        try:
            rule = rule_parse(target, target.fields_by_name[form.cleaned_data["field"]], form.rule_given())
            rules = ValidationRules.from_dict(template.validation_rules)
            checked = validation_rules_parse(target, ValidationRules((*rules.rules, rule)).as_dict())
        except ImportFileError as refused:
            form.add_error(None, str(refused))
        else:
            template.validation_rules = checked.as_dict()
            template.save(update_fields=["validation_rules", "updated_at"])
            messages.success(request, f"Rule added to template '{template.template_name}'.")
            return redirect("imports:template_edit", template_id=template.pk)
    return render(request, "imports/template_edit.html", {
        "template": template, "form": TemplateForm(instance=template, target=target), **rules_editor(template, form),
    }, status=400)


@login_required
@require_POST
def rule_remove(request, template_id, position: int):
    template = _import_template(request, template_id)
    rules = ValidationRules.from_dict(template.validation_rules)
    if position < len(rules.rules):
        template.validation_rules = rules.without(position).as_dict()
        template.save(update_fields=["validation_rules", "updated_at"])
        messages.success(request, f"Rule removed from template '{template.template_name}'.")
    return redirect("imports:template_edit", template_id=template.pk)
