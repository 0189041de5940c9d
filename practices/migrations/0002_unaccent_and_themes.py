"""The ``unaccent`` extension for the French search (PostgreSQL only), and the initial themes.

``UnaccentExtension`` does nothing on another database (SQLite): the search then uses
its fallback (see practices/search.py). Creating an extension needs a PostgreSQL role
allowed to (the owner of the database since PostgreSQL 13 for trusted extensions such
as ``unaccent``).
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

# Frozen here: the list evolves in the admin afterwards.
INITIAL_THEMES = [
    ("cotraitance", "Cotraitance"),
    ("outils-partages", "Outils partagés"),
    ("formation-des-conseillers", "Formation des conseillers"),
    ("alternance", "Alternance"),
    ("mobilite", "Mobilité"),
    ("sante", "Santé"),
    ("logement", "Logement"),
    ("decrochage", "Décrochage"),
    ("acces-a-l-emploi", "Accès à l'emploi"),
    ("relations-entreprises", "Relations entreprises"),
]


def add_themes(apps, schema_editor):
    Theme = apps.get_model("practices", "Theme")
    for position, (slug, name) in enumerate(INITIAL_THEMES, start=1):
        Theme.objects.get_or_create(slug=slug, defaults={"name": name, "position": position * 10})


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_initial")]

    operations = [
        UnaccentExtension(),
        migrations.RunPython(add_themes, migrations.RunPython.noop),
    ]
