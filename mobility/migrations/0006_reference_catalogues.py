"""The mobility catalogues as reference data, present after ``migrate`` on an empty database: the
services platforms offer (the newsletter's list: observatory, car-pooling, rental, transport on demand,
car sharing, maintenance workshop, associative garage and driving school, mobility advice) and the
funders of calls and platforms (Fondation MACIF, FPSPP...). CNML roles edit them in the admin.

Re-running is harmless: a service whose code exists, a funder whose name exists, is left as an
administrator made it.
"""

from django.db import migrations

# code, name, unit, description — the services the newsletter lists.
SERVICES = [
    (
        "observatoire",
        "Observatoire des besoins de mobilité",
        "études",
        "Connaître les besoins de déplacement du territoire.",
    ),
    ("covoiturage", "Site de covoiturage", "trajets partagés", "Animation d'un site de covoiturage."),
    ("location", "Location de véhicules", "journées de location", "Voitures, scooters ou vélos à tarif solidaire."),
    (
        "transport-a-la-demande",
        "Déplacement à la demande",
        "trajets",
        "Transport à la demande vers l'emploi ou la formation.",
    ),
    ("autopartage", "Autopartage", "heures d'utilisation", "Véhicules partagés entre usagers."),
    ("atelier-maintenance", "Atelier de maintenance", "réparations", "Entretien des véhicules des usagers."),
    ("garage-associatif", "Garage associatif", "réparations", "Réparations à prix solidaire, avec les usagers."),
    (
        "auto-ecole-associative",
        "Auto-école associative",
        "heures de conduite",
        "Enseignement adapté de la conduite et accompagnement social.",
    ),
    (
        "conseil-mobilite",
        "Conseil en mobilité",
        "entretiens",
        "Diagnostic et accompagnement individuel vers l'autonomie.",
    ),
]

FUNDERS = [
    "Fondation MACIF",
    "FPSPP",
    "État",
    "Conseil régional",
    "Conseil général",
    "Communes et intercommunalités",
    "Fonds social européen",
    "Pôle emploi",
    "Recettes de la plateforme",
]


def load_catalogues(apps, schema_editor):
    Service = apps.get_model("mobility", "Service")
    Funder = apps.get_model("mobility", "Funder")
    for order, (code, name, unit, description) in enumerate(SERVICES):
        Service.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "description": description, "order": order}
        )
    for order, name in enumerate(FUNDERS):
        Funder.objects.get_or_create(name=name, defaults={"order": order})


class Migration(migrations.Migration):
    dependencies = [("mobility", "0005_report_sent_back_content")]

    operations = [migrations.RunPython(load_catalogues, migrations.RunPython.noop)]
