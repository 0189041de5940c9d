"""The mobility models are a package split by entity: ``from mobility.models import X`` keeps working."""

import re
from pathlib import Path

from django.apps import apps

import mobility.models


def test_every_model_of_the_app_is_importable_from_the_models_package():
    models = list(apps.get_app_config("mobility").get_models())
    assert len(models) > 20
    for model in models:
        assert getattr(mobility.models, model.__name__) is model, model.__name__


def test_every_name_the_migrations_take_from_the_models_is_still_there():
    # The migrations name validators and paths as mobility.models.<name>: a fresh migrate needs them there.
    migrations = Path(mobility.models.__file__).resolve().parents[1] / "migrations"
    names = {
        name for path in migrations.glob("*.py") for name in re.findall(r"mobility\.models\.(\w+)", path.read_text())
    }
    assert names
    for name in names:
        assert callable(getattr(mobility.models, name)), name
