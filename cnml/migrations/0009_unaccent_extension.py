"""PostgreSQL's unaccent, for the admin's search without accents (cnml/adminsearch.py).

SQLite needs nothing here: its ``unaccent`` is a Python function registered on each connection.
unaccent is a trusted extension (PostgreSQL 13 and later): the database's owner may create it.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cnml", "0008_outbox_request_id"),
    ]

    operations = [UnaccentExtension()]
