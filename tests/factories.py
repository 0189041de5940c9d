"""Factories shared by every test package: the network (regions, structures) and its users.

Usage::

    from tests.factories import AntenneFactory, StructureFactory, UserFactory, make_user

    ml = StructureFactory()                       # a mission locale in a new region
    antenne = AntenneFactory(parent=ml)           # same region as its parent
    user = UserFactory(role=Role.DIRECTEUR, structure=ml)
    reviewer = make_user(Role.RELECTEUR_CNML)     # attached to a CNML structure
"""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from cnml.models import Region, Role, Structure, StructureKind, User

DEMO_PASSWORD = "demo-cnml-2011"


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    # Three-digit codes (max_length=3), away from the real two-digit ones of the sample extract.
    code = factory.Sequence(lambda n: f"{100 + n % 900}")
    name = factory.Sequence(lambda n: f"Région {n}")


class StructureFactory(DjangoModelFactory):
    """A mission locale by default; pass ``kind`` for another kind (see the traits)."""

    class Meta:
        model = Structure
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"S{n:05d}")
    name = factory.Sequence(lambda n: f"Mission locale n° {n}")
    kind = StructureKind.ML
    region = factory.SubFactory(RegionFactory)
    parent = None
    active = True

    class Params:
        ml = factory.Trait(kind=StructureKind.ML)
        paio = factory.Trait(kind=StructureKind.PAIO, name=factory.Sequence(lambda n: f"PAIO n° {n}"))
        arml = factory.Trait(
            kind=StructureKind.ARML,
            name=factory.Sequence(lambda n: f"Association régionale n° {n}"),
        )
        cnml = factory.Trait(
            kind=StructureKind.CNML,
            name="Conseil national des missions locales",
            region=None,
        )
        antenne = factory.Trait(
            kind=StructureKind.ANTENNE,
            name=factory.Sequence(lambda n: f"Antenne n° {n}"),
            parent=factory.SubFactory("tests.factories.StructureFactory", kind=StructureKind.ML),
            region=factory.SelfAttribute("parent.region"),
        )


class MissionLocaleFactory(StructureFactory):
    kind = StructureKind.ML


class PaioFactory(StructureFactory):
    paio = True


class ArmlFactory(StructureFactory):
    arml = True


class CnmlFactory(StructureFactory):
    """The national structure (no region)."""

    cnml = True


class AntenneFactory(StructureFactory):
    """An antenne of a mission locale; it lies in its parent's region."""

    antenne = True


class UserFactory(DjangoModelFactory):
    """An active conseiller of a new mission locale, password ``demo-cnml-2011``.

    ``User.save`` puts them in their role's group and derives ``is_staff``.
    """

    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"utilisateur{n}@exemple.cnml.fr")
    first_name = factory.Sequence(lambda n: f"Prénom{n}")
    last_name = factory.Sequence(lambda n: f"Nom{n}")
    role = Role.CONSEILLER
    structure = factory.SubFactory(StructureFactory)
    is_active = True

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or DEMO_PASSWORD)
        if create:
            self.save(update_fields=["password"])


def _default_structure(role: str) -> Structure:
    if role in (Role.RELECTEUR_CNML, Role.ADMINISTRATEUR):
        return CnmlFactory(code="CNML")
    if role == Role.ANIMATEUR_REGIONAL:
        return ArmlFactory()
    return StructureFactory()


def make_user(role: str, structure: Structure | None = None, **kwargs) -> User:
    """A user of ``role``: national roles on the CNML, animators on an ARML, others on an ML."""
    return UserFactory(role=role, structure=structure or _default_structure(role), **kwargs)


def make_conseiller(structure: Structure | None = None, **kwargs) -> User:
    return make_user(Role.CONSEILLER, structure, **kwargs)


def make_directeur(structure: Structure | None = None, **kwargs) -> User:
    return make_user(Role.DIRECTEUR, structure, **kwargs)


def make_animateur(structure: Structure | None = None, **kwargs) -> User:
    return make_user(Role.ANIMATEUR_REGIONAL, structure, **kwargs)


def make_relecteur(structure: Structure | None = None, **kwargs) -> User:
    return make_user(Role.RELECTEUR_CNML, structure, **kwargs)


def make_administrateur(structure: Structure | None = None, **kwargs) -> User:
    return make_user(Role.ADMINISTRATEUR, structure, **kwargs)
