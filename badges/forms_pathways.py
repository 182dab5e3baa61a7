"""The LEADS team's pathway form: what a pathway stacks and the rule that earns it."""

from django import forms

from courses.models import CourseStatus

from .models import BadgeClass, Pathway


def _badge_label(badge) -> str:
    return f"{badge.name} — {badge.course.title} ({badge.ects_credits} ECTS)"


class PathwayForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Give the pathway a name."})
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="What the pathway prepares for, as the catalogue shows it.",
        error_messages={"required": "Say what the pathway prepares for."},
    )
    rule = forms.ChoiceField(
        label="How the pathway is earned",
        choices=Pathway.Rule.choices,
        widget=forms.RadioSelect,
        initial=Pathway.Rule.ALL,
    )
    count = forms.IntegerField(
        label="N",
        min_value=0,
        max_value=30,
        required=False,
        help_text="For “any N”: how many of the badges. For “required plus N”: how many electives.",
    )
    eqf_level = forms.IntegerField(
        label="EQF level of the pathway", min_value=1, max_value=8, required=False
    )
    badges = forms.ModelMultipleChoiceField(
        label="Badges of the pathway",
        queryset=BadgeClass.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text="Only the badges of published courses can be stacked.",
        error_messages={"required": "Choose the badges the pathway stacks."},
    )
    required = forms.ModelMultipleChoiceField(
        label="Required badges (for “required plus N” only)",
        queryset=BadgeClass.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, pathway=None, **kwargs):
        if pathway is not None and "initial" not in kwargs:
            rows = list(pathway.components.all())
            kwargs["initial"] = {
                "name": pathway.name,
                "description": pathway.description,
                "rule": pathway.rule,
                "count": pathway.count or None,
                "eqf_level": pathway.eqf_level,
                "badges": [c.badge_class_id for c in rows],
                "required": [c.badge_class_id for c in rows if c.required],
            }
        super().__init__(*args, **kwargs)
        choosable = (
            BadgeClass.objects.filter(course__status=CourseStatus.PUBLISHED)
            .select_related("course")
            .order_by("course__title")
        )
        if pathway is not None:
            # A badge already in the pathway stays listed after its course is retired, so the
            # team sees why the pathway cannot be saved as it is.
            choosable = (
                choosable
                | BadgeClass.objects.filter(pathway_components__pathway=pathway).select_related(
                    "course"
                )
            ).distinct()
        for name in ("badges", "required"):
            self.fields[name].queryset = choosable
            self.fields[name].label_from_instance = _badge_label
