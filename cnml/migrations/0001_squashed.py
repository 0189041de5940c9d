"""The core: users, the network (regions, structures, committees), roles, the audit trail, the outbox.

Also installs PostgreSQL's ``unaccent`` (the admin's search without accents, cnml/adminsearch.py; SQLite
registers a Python function on each connection instead; a trusted extension since PostgreSQL 13, the
database's owner may create it) and schedules the core's periodic tasks (cnml/schedules.py): the hourly
clean-up of personal data past its time (cnml/retention.py), the outbox's pass every minute
(cnml/outbox.py).

Squashed on 7 December 2026 from 0001_initial … 0011_french_spacing (``replaces``): a database migrated
to the last of those takes this one as applied (docs/migrations.md)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations, models

import cnml.models
from cnml.schedules import every


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("cnml", "0001_initial"),
        ("cnml", "0002_transition_log"),
        ("cnml", "0003_session_cleanup_schedule"),
        ("cnml", "0004_password_reset_request"),
        ("cnml", "0005_outbox_and_worker_heartbeat"),
        ("cnml", "0006_outbox_maintenance_schedule"),
        ("cnml", "0007_purge_expired_schedule"),
        ("cnml", "0008_outbox_request_id"),
        ("cnml", "0009_unaccent_extension"),
        ("cnml", "0010_committees"),
        ("cnml", "0011_french_spacing"),
    ]

    dependencies = [
        ("django_celery_beat", "0019_alter_periodictasks_options"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        UnaccentExtension(),
        migrations.CreateModel(
            name="Region",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=3, unique=True, verbose_name="code INSEE")),
                ("name", models.CharField(max_length=100, verbose_name="nom")),
            ],
            options={
                "verbose_name": "région",
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="WorkerHeartbeat",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("hostname", models.CharField(max_length=200, unique=True, verbose_name="worker")),
                ("seen_at", models.DateTimeField(verbose_name="dernier signe de vie")),
            ],
            options={
                "verbose_name": "signe de vie de worker",
                "verbose_name_plural": "signes de vie des workers",
            },
        ),
        migrations.CreateModel(
            name="WorkerProbe",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="créé le")),
                ("completed_at", models.DateTimeField(blank=True, null=True, verbose_name="traité le")),
                ("worker_hostname", models.CharField(blank=True, max_length=200, verbose_name="worker")),
            ],
            options={
                "verbose_name": "sonde de worker",
                "verbose_name_plural": "sondes de worker",
            },
        ),
        migrations.CreateModel(
            name="User",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("password", models.CharField(max_length=128, verbose_name="password")),
                ("last_login", models.DateTimeField(blank=True, null=True, verbose_name="last login")),
                (
                    "is_superuser",
                    models.BooleanField(
                        default=False,
                        help_text="Designates that this user has all permissions without explicitly assigning them.",
                        verbose_name="superuser status",
                    ),
                ),
                ("email", models.EmailField(max_length=254, unique=True, verbose_name="adresse e-mail")),
                ("first_name", models.CharField(blank=True, max_length=150, verbose_name="prénom")),
                ("last_name", models.CharField(blank=True, max_length=150, verbose_name="nom")),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("conseiller", "Conseiller ou conseillère"),
                            ("directeur", "Directeur ou directrice de structure"),
                            ("animateur_regional", "Animateur ou animatrice régionale"),
                            ("relecteur_cnml", "Relecteur ou relectrice CNML"),
                            ("administrateur", "Administrateur ou administratrice"),
                            ("partenaire", "Partenaire d'un comité de pilotage"),
                        ],
                        default="conseiller",
                        max_length=20,
                        verbose_name="rôle",
                    ),
                ),
                ("is_active", models.BooleanField(default=True, verbose_name="actif")),
                (
                    "is_staff",
                    models.BooleanField(
                        default=False,
                        editable=False,
                        help_text="Déduit du rôle\xa0: relecteurs CNML et administrateurs.",
                        verbose_name="accès à l'administration",
                    ),
                ),
                (
                    "date_joined",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="date d'inscription"),
                ),
                (
                    "groups",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The groups this user belongs to. A user will get all permissions granted to each of their groups.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.group",
                        verbose_name="groups",
                    ),
                ),
                (
                    "user_permissions",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Specific permissions for this user.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.permission",
                        verbose_name="user permissions",
                    ),
                ),
            ],
            options={
                "verbose_name": "utilisateur",
                "ordering": ["last_name", "first_name", "email"],
            },
            managers=[
                ("objects", cnml.models.UserManager()),
            ],
        ),
        migrations.CreateModel(
            name="OutboxMessage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("task", models.CharField(max_length=200, verbose_name="tâche")),
                ("kwargs", models.JSONField(blank=True, default=dict, verbose_name="arguments")),
                (
                    "key",
                    models.CharField(blank=True, max_length=200, null=True, unique=True, verbose_name="clé d'unicité"),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="enregistré le")),
                (
                    "due_at",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="à confier au broker à partir du"
                    ),
                ),
                ("dispatched_at", models.DateTimeField(blank=True, null=True, verbose_name="confié au broker le")),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="commencé le")),
                ("done_at", models.DateTimeField(blank=True, null=True, verbose_name="fait le")),
                ("failed_at", models.DateTimeField(blank=True, null=True, verbose_name="abandonné le")),
                ("attempts", models.PositiveIntegerField(default=0, verbose_name="exécutions")),
                ("last_error", models.TextField(blank=True, verbose_name="dernière erreur")),
                ("request_id", models.CharField(blank=True, max_length=64, verbose_name="identifiant de la requête")),
            ],
            options={
                "verbose_name": "travail différé",
                "verbose_name_plural": "travaux différés",
                "indexes": [
                    models.Index(
                        condition=models.Q(("done_at__isnull", True), ("failed_at__isnull", True)),
                        fields=["due_at"],
                        name="cnml_outbox_pending_idx",
                    ),
                    models.Index(
                        condition=models.Q(("done_at__isnull", False)), fields=["done_at"], name="cnml_outbox_done_idx"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Structure",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=20, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=200, verbose_name="nom")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("CNML", "Conseil national des missions locales"),
                            ("ARML", "Association régionale des missions locales"),
                            ("ML", "Mission locale"),
                            ("PAIO", "Permanence d'accueil, d'information et d'orientation"),
                            ("ANTENNE", "Antenne"),
                        ],
                        max_length=10,
                        verbose_name="type",
                    ),
                ),
                ("active", models.BooleanField(default=True, verbose_name="active")),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="antennes",
                        to="cnml.structure",
                        verbose_name="structure de rattachement",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        blank=True,
                        help_text="Vide pour une structure nationale (CNML).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="structures",
                        to="cnml.region",
                        verbose_name="région",
                    ),
                ),
            ],
            options={
                "verbose_name": "structure",
                "ordering": ["code"],
            },
        ),
        migrations.CreateModel(
            name="Committee",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, verbose_name="nom")),
                (
                    "level",
                    models.CharField(
                        choices=[("regional", "Régional"), ("local", "Local")], max_length=10, verbose_name="niveau"
                    ),
                ),
                (
                    "territory",
                    models.CharField(
                        blank=True,
                        help_text="Pour un comité local\xa0: le bassin, le département…",
                        max_length=200,
                        verbose_name="territoire",
                    ),
                ),
                ("active", models.BooleanField(default=True, verbose_name="actif")),
                (
                    "members",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Les personnes qui rédigent pour le comité\u202f; seuls les administrateurs les désignent.",
                        related_name="committees",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="membres",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="committees",
                        to="cnml.region",
                        verbose_name="région",
                    ),
                ),
                (
                    "structures",
                    models.ManyToManyField(
                        blank=True, related_name="committees", to="cnml.structure", verbose_name="structures membres"
                    ),
                ),
            ],
            options={
                "verbose_name": "comité de pilotage",
                "verbose_name_plural": "comités de pilotage",
                "ordering": ["region__name", "name"],
            },
        ),
        migrations.AddField(
            model_name="user",
            name="structure",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="users",
                to="cnml.structure",
                verbose_name="structure",
            ),
        ),
        migrations.CreateModel(
            name="TransitionLog",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("object_id", models.CharField(max_length=64)),
                ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="le")),
                ("from_state", models.CharField(blank=True, max_length=40, verbose_name="de")),
                ("to_state", models.CharField(max_length=40, verbose_name="vers")),
                ("comment", models.TextField(blank=True, verbose_name="commentaire")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="par",
                    ),
                ),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="contenttypes.contenttype"
                    ),
                ),
            ],
            options={
                "verbose_name": "transition",
                "ordering": ["at", "pk"],
            },
        ),
        migrations.CreateModel(
            name="PasswordResetRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("requested_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="demandée le")),
                ("address_key", models.CharField(max_length=64, verbose_name="empreinte de l'adresse")),
                ("sent", models.BooleanField(default=False, verbose_name="courriel envoyé")),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="compte",
                    ),
                ),
            ],
            options={
                "verbose_name": "demande de réinitialisation de mot de passe",
                "verbose_name_plural": "demandes de réinitialisation de mot de passe",
                "indexes": [
                    models.Index(fields=["address_key", "requested_at"], name="cnml_reset_address_idx"),
                    models.Index(fields=["user", "requested_at"], name="cnml_reset_user_idx"),
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="structure",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind", "ANTENNE"), _negated=True), ("parent__isnull", False), _connector="OR"
                ),
                name="structure_antenne_has_parent",
            ),
        ),
        migrations.AddConstraint(
            model_name="structure",
            constraint=models.CheckConstraint(
                condition=models.Q(("kind", "ANTENNE"), ("parent__isnull", True), _connector="OR"),
                name="structure_only_antenne_has_parent",
            ),
        ),
        migrations.AddIndex(
            model_name="transitionlog",
            index=models.Index(fields=["content_type", "object_id", "at"], name="cnml_transi_content_49a413_idx"),
        ),
        every(
            1,
            "hours",
            name="Socle : supprimer les données personnelles dont la durée de conservation est échue",
            task="cnml.tasks.purge_expired",
        ),
        every(
            1,
            "minutes",
            name="Socle : confier de nouveau les travaux différés en attente, signe de vie du worker",
            task="cnml.tasks.outbox_maintenance",
        ),
    ]
