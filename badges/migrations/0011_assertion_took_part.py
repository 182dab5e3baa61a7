"""Issued badges keep the offering their learner took, as it was at issue (title and dates)."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    # The best record there is of a badge issued before: the offering as it stands now.
    Assertion = apps.get_model("badges", "Assertion")
    rows = Assertion.objects.filter(enrollment__isnull=False).select_related("enrollment__offering")
    changed = []
    for assertion in rows.iterator(chunk_size=2000):
        offering = assertion.enrollment.offering
        title = offering.title or f"{offering.starts_on:%-d %b %Y} to {offering.ends_on:%-d %b %Y}"
        assertion.took_part = {
            "title": title,
            "starts_on": offering.starts_on.isoformat(),
            "ends_on": offering.ends_on.isoformat(),
        }
        changed.append(assertion)
        if len(changed) == 2000:
            Assertion.objects.bulk_update(changed, ["took_part"])
            changed = []
    Assertion.objects.bulk_update(changed, ["took_part"])


class Migration(migrations.Migration):
    dependencies = [("badges", "0010_pathways")]

    operations = [
        migrations.AddField(
            model_name="assertion",
            name="took_part",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
