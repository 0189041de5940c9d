"""The mobility models are a package split by entity: ``from mobility.models import X`` keeps working."""

import re
from importlib import import_module
from pathlib import Path

from django.apps import apps

import mobility.models


def test_every_model_of_the_app_is_importable_from_the_models_package():
    models = list(apps.get_app_config("mobility").get_models())
    assert len(models) > 20
    for model in models:
        assert getattr(mobility.models, model.__name__) is model, model.__name__


def test_every_name_the_migrations_take_from_the_models_is_still_there():
    # The migration names validators and paths by dotted path (mobility.models.common.not_negative): a
    # fresh migrate needs them there.
    migrations = Path(mobility.models.__file__).resolve().parents[1] / "migrations"
    paths = {
        path
        for source in migrations.glob("*.py")
        for path in re.findall(r"(?<!import )\bmobility\.models(?:\.\w+)+", source.read_text())
    }
    assert paths
    for path in paths:
        module, _, name = path.rpartition(".")
        assert callable(getattr(import_module(module), name)), path
