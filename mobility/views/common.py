"""What the pages of the mobility app share: the breadcrumb from the app's home, the frame of a
project's editing pages."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

HOME_CRUMB = ("Appels à projets", "/mobilite/")


def crumbs(*items) -> list[tuple[str, str | None]]:
    return [HOME_CRUMB, *items]


def project_edit_page(request, project, *, template: str, title: str, context: dict) -> HttpResponse:
    context.update(
        {
            "title": title,
            "project": project,
            "breadcrumb": crumbs(
                ("Projets", reverse("mobility:project_list")),
                (project.title, project.get_absolute_url()),
                (title, None),
            ),
        }
    )
    return render(request, template, context)


def project_forms_page(
    request,
    project,
    *,
    forms: dict,
    save: Callable[[], object],
    success: str,
    template: str,
    title: str,
    context: dict | None = None,
) -> HttpResponse:
    """A project's editing page: on POST, when every form (or formset) of `forms` is valid,
    `save()` runs, `success` is said and the project shown; else the page, with each form
    in its context under its key."""
    if request.method == "POST" and all(form.is_valid() for form in forms.values()):
        save()
        messages.success(request, success)
        return redirect(project)
    return project_edit_page(request, project, template=template, title=title, context={**forms, **(context or {})})


def project_formset_page(
    request, project, formset_class, *, prefix: str, save: Callable[..., object], success: str, title: str, intro: str
) -> HttpResponse:
    """A project's page of one formset of its rows (``mobility/project_formset.html``, ``intro`` above it):
    ``save(formset=…)`` once it is valid."""
    formset = formset_class(request.POST if request.method == "POST" else None, instance=project, prefix=prefix)
    return project_forms_page(
        request,
        project,
        forms={"formset": formset},
        save=lambda: save(formset=formset),
        success=success,
        template="mobility/project_formset.html",
        title=title,
        context={"intro": intro},
    )
