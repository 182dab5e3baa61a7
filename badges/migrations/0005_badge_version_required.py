import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("badges", "0004_badge_class_versions_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="assertion",
            name="badge_version",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="assertions",
                to="badges.badgeclassversion",
            ),
        ),
    ]
