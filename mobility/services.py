"""Writes of the mobility app, each in a transaction: ``<entity>_<action>(*, ...)``.

E-mails go through :func:`cnml.emails.notify` (rendered now, sent by a Celery worker
once the transaction commits, so a refused or rolled-back change sends nothing).
"""

from __future__ import annotations

from django.db import transaction

from cnml.emails import notify
from cnml.models import Region, Structure
from mobility.forms import CARRIER_IN_NETWORK
from mobility.models import (
    ActivityReport,
    Application,
    BudgetLine,
    Call,
    Carrier,
    Milestone,
    Project,
    ProjectDocument,
    Review,
    Target,
)
from mobility.regions import REGIONS_2011


def _link(site_url: str, path: str) -> str:
    return f"{site_url.rstrip('/')}{path}" if site_url else path


# Calls ----------------------------------------------------------------------


@transaction.atomic
def call_save(*, form, criteria_formset, actor) -> Call:
    """Create or update a call and its criteria, from validated forms."""
    call = form.save(commit=False)
    if call.pk is None:
        call.created_by = actor
    call.save()
    form.save_m2m()
    criteria_formset.instance = call
    for order, criterion in enumerate(criteria_formset.save(commit=False)):
        criterion.call = call
        criterion.order = criterion.order or order
        criterion.save()
    for criterion in criteria_formset.deleted_objects:
        criterion.delete()
    return call


@transaction.atomic
def call_publish(*, call: Call, actor) -> None:
    call.publish(actor)


# Carriers and applications --------------------------------------------------


def carrier_get_or_create(*, structure: Structure | None = None, name: str = "", kind: str = "", region_code: str = ""):
    """The carrier of a structure of the network, or the outside organisation of that name in that region."""
    if structure is not None:
        carrier, _ = Carrier.objects.get_or_create(
            structure=structure, defaults={"name": structure.name, "region_id": structure.region_id}
        )
        return carrier
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        region = Region.objects.create(code=region_code, name=REGIONS_2011[region_code])
    carrier = Carrier.objects.filter(structure__isnull=True, name__iexact=name.strip(), region=region).first()
    if carrier is None:
        carrier = Carrier.objects.create(name=name.strip(), kind=kind, region=region)
    elif carrier.kind != kind:
        carrier.kind = kind
        carrier.save(update_fields=["kind"])
    return carrier


@transaction.atomic
def application_save_draft(*, form, formsets: dict, call: Call, actor) -> Application:
    """Save an application as a draft from validated forms; the applicant joins the carrier."""
    data = form.cleaned_data
    if data["carrier_choice"] == CARRIER_IN_NETWORK:
        carrier = carrier_get_or_create(structure=data["carrier_structure"])
    else:
        carrier = carrier_get_or_create(
            name=data["carrier_name"], kind=data["carrier_kind"], region_code=data["carrier_region"]
        )
    application = form.save(commit=False)
    if application.pk is None:
        application.call = call
        application.created_by = actor
    application.carrier = carrier
    application.save()
    form.save_m2m()
    carrier.members.add(application.created_by)
    for formset in formsets.values():
        formset.instance = application
        formset.save()
    return application


def carrier_recipients(application: Application) -> list[str]:
    recipients = {application.created_by.email, application.contact_email}
    recipients.update(application.carrier.members.filter(is_active=True).values_list("email", flat=True))
    return sorted(address for address in recipients if address)


@transaction.atomic
def application_submit(*, application: Application, actor, site_url: str = "") -> None:
    application.submit(actor)
    notify(
        recipients=carrier_recipients(application),
        subject=f"Candidature déposée : {application.title}",
        template="mobility/emails/application_submitted.txt",
        context={"application": application, "link": _link(site_url, application.get_absolute_url())},
    )


@transaction.atomic
def review_save(*, application: Application, reviewer, scores: dict[int, int], comment: str) -> Review:
    """Record (or replace) one reviewer's scores of a submitted application."""
    review, _ = Review.objects.update_or_create(
        application=application, reviewer=reviewer, defaults={"comment": comment}
    )
    for criterion in application.call.criteria.all():
        review.scores.update_or_create(criterion=criterion, defaults={"score": scores[criterion.pk]})
    return review


@transaction.atomic
def application_select(*, application: Application, actor, comment: str = "", site_url: str = "") -> Project:
    """Select the application and turn it into a project, then tell the carrier."""
    application.select(actor, comment)
    project = project_create_from_application(application=application, actor=actor)
    notify(
        recipients=carrier_recipients(application),
        subject=f"Votre projet de plateforme de mobilité est retenu : {application.title}",
        template="mobility/emails/application_decision.txt",
        context={
            "application": application,
            "selected": True,
            "comment": comment,
            "link": _link(site_url, project.get_absolute_url()),
        },
    )
    return project


@transaction.atomic
def application_decline(*, application: Application, actor, comment: str, site_url: str = "") -> None:
    application.decline(actor, comment)
    notify(
        recipients=carrier_recipients(application),
        subject=f"Votre candidature n'est pas retenue : {application.title}",
        template="mobility/emails/application_decision.txt",
        context={
            "application": application,
            "selected": False,
            "comment": comment,
            "link": _link(site_url, application.get_absolute_url()),
        },
    )


def project_create_from_application(*, application: Application, actor=None) -> Project:
    """The application's axes become the project's plan, without retyping.

    Needs → targets; services to develop → services to launch; the operating plan's
    timetable → milestones; the financing plan → budget lines (planned amounts, actuals
    to follow).
    """
    project = Project.objects.create(
        application=application,
        call=application.call,
        carrier=application.carrier,
        region=application.carrier.region,
        title=application.title,
    )
    project.partners.set(application.partners.all())
    project.existing_services.set(application.existing_services.all())
    project.services_to_launch.set(application.services_to_develop.all())
    Target.objects.bulk_create(
        Target(project=project, label=need.label, public=need.public, target_people=need.people_count)
        for need in application.needs.all()
    )
    Milestone.objects.bulk_create(
        Milestone(project=project, label=step.label, due_on=step.due_on) for step in application.steps.all()
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(
            project=project,
            funder_id=line.funder_id,
            label=line.label,
            planned_amount=line.amount,
            status=line.status,
        )
        for line in application.fundings.all()
    )
    return project


# Projects -------------------------------------------------------------------


@transaction.atomic
def project_move(*, project: Project, verb: str, actor, comment: str = "", reason: str = "") -> None:
    """Move a project along its stages (``verb`` in ``PROJECT_TRANSITIONS``)."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if verb == "stop":
        project.stop(actor, reason)
    else:
        getattr(project, verb)(actor, comment)


@transaction.atomic
def project_plan_save(*, services_form, targets_formset) -> None:
    services_form.save()
    targets_formset.save()


@transaction.atomic
def formset_save(*, formset) -> None:
    formset.save()


@transaction.atomic
def fare_support_save(*, form, sessions_formset) -> None:
    support = form.save(commit=False)
    support.project = form.project
    support.save()
    sessions_formset.save()


@transaction.atomic
def document_add(*, form, project: Project, actor) -> ProjectDocument:
    document = form.save(commit=False)
    document.project = project
    document.uploaded_by = actor
    document.save()
    return document


# Reports --------------------------------------------------------------------


@transaction.atomic
def report_save(*, form, deliveries_formset, actor) -> ActivityReport:
    report = form.save(commit=False)
    if report.pk is None:
        report.created_by = actor
    report.save()
    deliveries_formset.instance = report
    deliveries_formset.save()
    return report


def _report_recipients(report: ActivityReport) -> list[str]:
    return carrier_recipients(report.project.application)


@transaction.atomic
def report_submit(*, report: ActivityReport, actor) -> None:
    report.submit(actor)


@transaction.atomic
def report_approve(*, report: ActivityReport, actor, comment: str = "", site_url: str = "") -> None:
    report.approve(actor, comment)
    notify(
        recipients=_report_recipients(report),
        subject=f"Bilan {report.period_label} approuvé : {report.project}",
        template="mobility/emails/report_decision.txt",
        context={
            "report": report,
            "approved": True,
            "comment": comment,
            "link": _link(site_url, report.get_absolute_url()),
        },
    )


@transaction.atomic
def report_send_back(*, report: ActivityReport, actor, comment: str, site_url: str = "") -> None:
    report.send_back(actor, comment)
    notify(
        recipients=_report_recipients(report),
        subject=f"Bilan {report.period_label} à compléter : {report.project}",
        template="mobility/emails/report_decision.txt",
        context={
            "report": report,
            "approved": False,
            "comment": comment,
            "link": _link(site_url, report.get_absolute_url()),
        },
    )
