"""Catalogues, editable in the admin: the mobility services platforms offer, and the funders."""

from __future__ import annotations

from django.db import models

__all__ = ["Funder", "Service"]


class Service(models.Model):
    """A mobility service a platform offers (car-pooling, rental, associative garage...)."""

    code = models.SlugField("code", max_length=40, unique=True)
    name = models.CharField("nom", max_length=120, unique=True)
    unit = models.CharField(
        "unité de mesure",
        max_length=60,
        help_text="Unité dans laquelle les bilans comptent ce service : « journées de location », « trajets »…",
    )
    description = models.TextField("description", blank=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    active = models.BooleanField("proposé aux candidats", default=True)

    class Meta:
        verbose_name = "service de mobilité"
        verbose_name_plural = "services de mobilité"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label_with_unit(self) -> str:
        return f"{self.name} (en {self.unit})"


class Funder(models.Model):
    """A funder of calls and platforms (Fondation MACIF, FPSPP, conseil régional...)."""

    name = models.CharField("nom", max_length=120, unique=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "financeur"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name
