"""The wizard's forms. Checks that need the file (type by content, encoding, header) live in imports.web.uploads."""

from django import forms

from imports.declare.targets import ImportTarget
from imports.engine.readers.limits import file_size_refusal
from imports.models import DataTemplate, ImportUpload


class PlainLabels:
    """Labels as written ("Mode", not "Mode:"): they read better aloud and match what help texts name."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class UploadForm(forms.Form):
    file = forms.FileField(label="File (CSV, Excel or JSON)")

    def clean_file(self):
        file = self.cleaned_data["file"]
        if refusal := file_size_refusal(file.size):
            raise forms.ValidationError(refusal)
        return file


class SheetForm(PlainLabels, forms.Form):
    sheet = forms.ChoiceField(label="Sheet to import")

    def __init__(self, *args, sheet_names: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sheet"].choices = [(name, name) for name in sheet_names]


class MappingForm(forms.Form):
    """One select per file column shown (`shown`: (index, column) pairs, every column by default): the field it
    feeds, or nothing. A field is named by the column's index in the file, so a page of columns posts only its own
    and the others keep their mapping."""

    def __init__(self, *args, upload: ImportUpload, target: ImportTarget,
                 shown: list[tuple[int, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.upload = upload
        choices = [("", "— ignore this column —")] + [
            (field.name, f"{field.label}{' (required)' if field.required else ''}") for field in target.fields
        ]
        self.columns = []
        for index, column in enumerate(upload.columns) if shown is None else shown:
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=column, choices=choices, required=False, initial=upload.mapping.get(column) or ""
            )
            self.columns.append((name, column))

    def chosen(self) -> dict[str, str | None]:
        """The mapping of every column: the choices made here, the upload's mapping for the columns not shown."""
        chosen = {column: self.upload.mapping.get(column) or None for column in self.upload.columns}
        chosen.update({column: self.cleaned_data.get(name) or None for name, column in self.columns})
        return chosen


class OptionsForm(PlainLabels, forms.ModelForm):
    class Meta:
        model = ImportUpload
        fields = ["import_mode", "duplicate_handling", "all_or_nothing"]
        labels = {
            "import_mode": "What the file does",
            "duplicate_handling": "When a row matches a record you already have",
            "all_or_nothing": "Import nothing if any row fails",
        }
        help_texts = {
            "import_mode": "A row matches a record you have by its identifying column (a customer's account number, "
                           "say).",
            "duplicate_handling": "Only with “Add new records only”: the other choices update matching records "
                                  "anyway.",
            "all_or_nothing": "Every row is checked before any is written.",
        }


class TemplateNameForm(PlainLabels, forms.Form):
    template_name = forms.CharField(label="Template name", max_length=200)


class TemplateForm(PlainLabels, forms.ModelForm):
    """Renaming a saved template and editing its mapping (one line per column: `File column = field`)."""

    mapping_text = forms.CharField(
        label="Mapping", widget=forms.Textarea(attrs={"rows": 12}),
        help_text="One line per file column: File column = field (leave the field empty to ignore the column).",
    )

    class Meta:
        model = DataTemplate
        fields = ["template_name"]

    def __init__(self, *args, target: ImportTarget, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self.fields["mapping_text"].initial = "\n".join(
            f"{column} = {name or ''}" for column, name in self.instance.field_mapping.items()
        )

    def clean_template_name(self):
        name = self.cleaned_data["template_name"].strip()
        taken = DataTemplate.objects.filter(
            company=self.instance.company, target_model=self.instance.target_model,
            template_type=self.instance.template_type, template_name=name,
        ).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(f"Another template is already named '{name}'.")
        return name

    def clean_mapping_text(self):
        mapping = {}
        for number, line in enumerate(self.cleaned_data["mapping_text"].splitlines(), start=1):
            if not line.strip():
                continue
            column, separator, name = line.rpartition("=")
            if not separator or not column.strip():
                raise forms.ValidationError(f"Line {number} needs the form: File column = field.")
            name = name.strip() or None
            if name is not None and name not in self.target.fields_by_name:
                raise forms.ValidationError(
                    f"Line {number}: {self.target.name} has no field '{name}'. "
                    f"Fields are: {', '.join(self.target.fields_by_name)}."
                )
            mapping[column.strip()] = name
        fed = [name for name in mapping.values() if name]
        repeated = sorted({name for name in fed if fed.count(name) > 1})
        if repeated:
            raise forms.ValidationError(f"Several columns feed the same field: {', '.join(repeated)}.")
        return mapping

    def save(self, commit=True):
        self.instance.field_mapping = self.cleaned_data["mapping_text"]
        return super().save(commit)
