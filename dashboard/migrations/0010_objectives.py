"""Objectives: a target per count indicator, year and scope (issue 14)."""

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cnml", "0006_outbox_maintenance_schedule"),
        ("dashboard", "0009_ani_contract"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Objective",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "indicator",
                    models.CharField(
                        help_text="Code d'un indicateur de comptage du registre (par exemple alternance).",
                        max_length=60,
                        verbose_name="indicateur",
                    ),
                ),
                (
                    "year",
                    models.PositiveSmallIntegerField(
                        help_text="Du 1er janvier au 31 décembre.",
                        validators=[
                            django.core.validators.MinValueValidator(2000),
                            django.core.validators.MaxValueValidator(2100),
                        ],
                        verbose_name="année",
                    ),
                ),
                (
                    "scope_kind",
                    models.CharField(
                        choices=[("national", "France entière"), ("region", "Région"), ("structure", "Structure")],
                        max_length=10,
                        verbose_name="périmètre",
                    ),
                ),
                (
                    "target",
                    models.PositiveIntegerField(
                        help_text="Nombre de jeunes.",
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="objectif",
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        help_text="Qui a fixé l'objectif, par exemple « Objectif fixé par le président du CNML ».",
                        max_length=300,
                        verbose_name="source",
                    ),
                ),
                ("set_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="fixé le")),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cnml.region",
                        verbose_name="région",
                    ),
                ),
                (
                    "set_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="fixé par",
                    ),
                ),
                (
                    "structure",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="cnml.structure",
                        verbose_name="structure",
                    ),
                ),
            ],
            options={
                "verbose_name": "objectif",
                "verbose_name_plural": "objectifs",
                "ordering": ["year", "indicator", "scope_kind", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("region__isnull", True), ("scope_kind", "national"), ("structure__isnull", True)),
                            models.Q(("region__isnull", False), ("scope_kind", "region"), ("structure__isnull", True)),
                            models.Q(
                                ("region__isnull", True), ("scope_kind", "structure"), ("structure__isnull", False)
                            ),
                            _connector="OR",
                        ),
                        name="objective_scope_consistent",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("scope_kind", "national")),
                        fields=("indicator", "year"),
                        name="objective_one_national",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("scope_kind", "region")),
                        fields=("indicator", "year", "region"),
                        name="objective_one_per_region",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("scope_kind", "structure")),
                        fields=("indicator", "year", "structure"),
                        name="objective_one_per_structure",
                    ),
                ],
            },
        ),
    ]
