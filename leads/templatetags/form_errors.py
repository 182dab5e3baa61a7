"""The error summary shown at the top of a refused form: every error once, linked to its field."""

from django import forms, template

register = template.Library()


def _target(bound_field):
    """The id of the input a link should move to (a radio or checkbox group: its first box)."""
    if bound_field.id_for_label:
        return bound_field.id_for_label
    if isinstance(bound_field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound_field.auto_id}_0"
    return bound_field.auto_id


def _entries(form):
    if isinstance(form, forms.BaseFormSet):
        entries = [{"message": str(e), "target": None} for e in form.non_form_errors()]
        for member in form.forms:
            entries += _entries(member)
        return entries
    entries = [{"message": str(e), "target": None} for e in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name in form.fields:
            target = _target(form[name])
            entries += [{"message": str(e), "target": target} for e in errors]
    return entries


@register.inclusion_tag("includes/error_summary.html")
def error_summary(*forms_or_formsets):
    """Every error of the given forms and formsets (anything else is skipped), in order."""
    entries = []
    for form in forms_or_formsets:
        if isinstance(form, forms.BaseForm | forms.BaseFormSet) and form.is_bound:
            entries += _entries(form)
    return {"entries": entries}
