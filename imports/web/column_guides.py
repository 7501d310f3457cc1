"""The column guide of an import target: what each column of its blank template means, whether a new record needs
it, its format and allowed values, with an example. The CSV template is the header alone, so this page is where
its guidance lives (the workbook carries it too, in its header cells' comments)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from imports.web.blank_templates import column_guide
from imports.web.targets import target_or_404


@login_required
def column_guide_page(request, target_name: str):
    target = target_or_404(target_name)
    return render(request, "imports/wizard/column_guide.html", {"target": target, "columns": column_guide(target)})
