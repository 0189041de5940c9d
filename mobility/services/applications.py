"""Writes of calls, carriers and applications, up to a selected application's project (:mod:`mobility.services`)."""

from __future__ import annotations

from django.db import transaction

from cnml.audit import log_transition
from cnml.emails import notify
from cnml.links import absolute_url
from cnml.models import Region, Role, Structure
from cnml.permissions import active_users
from mobility.forms import CARRIER_IN_NETWORK
from mobility.models import (
    Application,
    ApplicationAnswer,
    BudgetLine,
    Call,
    Carrier,
    CarrierMembershipRequest,
    MembershipStatus,
    Milestone,
    Project,
    Review,
    Target,
)
from mobility.permissions import is_cnml, is_member
from mobility.regions import REGIONS_2011

# Calls ----------------------------------------------------------------------


def save_with_creator(form, actor):
    """The form's object saved, with ``actor`` recorded as its creator when it is new."""
    instance = form.save(commit=False)
    if instance.pk is None:
        instance.created_by = actor
    instance.save()
    return instance


@transaction.atomic
def call_save(*, form, criteria_formset, actor, sections_formset=None) -> Call:
    """Create or update a call, its criteria and its form's sections, from validated forms."""
    call = save_with_creator(form, actor)
    form.save_m2m()
    _save_rows_of_call(criteria_formset, call)
    if sections_formset is not None:
        _save_rows_of_call(sections_formset, call)
    return call


def _save_rows_of_call(formset, call: Call) -> None:
    """A call's ordered rows (criteria, sections): kept in the order of the form unless one has its own."""
    # A new call gets its pk only now: the rows' formset was built without it.
    formset.instance = call
    for order, row in enumerate(formset.save(commit=False)):
        row.call = call
        row.order = row.order or order
        row.save()
    for row in formset.deleted_objects:
        row.delete()


def call_publish(*, call: Call, actor) -> None:
    call.publish(actor)


# Carriers and applications --------------------------------------------------


def carrier_of_structure(*, structure: Structure) -> Carrier:
    """The carrier record of a structure of the network (its users act for it by structure)."""
    carrier, _ = Carrier.objects.get_or_create(
        structure=structure, defaults={"name": structure.name, "region_id": structure.region_id}
    )
    return carrier


def carrier_outside_find_or_create(*, name: str, kind: str, region_code: str) -> tuple[Carrier, bool]:
    """The outside organisation of that name in that region, or a new one; ``(carrier, created)``.

    An existing carrier is returned untouched: what an applicant types never rewrites it.
    """
    region = Region.objects.filter(code=region_code).first()
    if region is None:
        region = Region.objects.create(code=region_code, name=REGIONS_2011[region_code])
    name = " ".join(name.split())
    carrier = Carrier.objects.filter(structure__isnull=True, name__iexact=name, region=region).first()
    if carrier is not None:
        return carrier, False
    return Carrier.objects.create(name=name, kind=kind, region=region), True


@transaction.atomic
def application_save_draft(*, form, formsets: dict, call: Call, actor) -> Application:
    """Save an application as a draft from validated forms.

    Who reaches the carrier afterwards is a permission decision (``docs/permissions.md``):
    the applicant of a new outside organisation becomes its first member; naming an existing
    one opens a membership request its members or the CNML decide; a network structure's
    users act for it by structure, so nobody is added.
    """
    data = form.cleaned_data
    created = False
    if data["carrier_choice"] == CARRIER_IN_NETWORK:
        carrier = carrier_of_structure(structure=data["carrier_structure"])
    else:
        carrier, created = carrier_outside_find_or_create(
            name=data["carrier_name"], kind=data["carrier_kind"], region_code=data["carrier_region"]
        )
    application = form.save(commit=False)
    previous_carrier_id = application.carrier_id if application.pk else None
    if application.pk is None:
        application.call = call
        application.created_by = actor
    application.carrier = carrier
    application.save()
    form.save_m2m()
    for formset in formsets.values():
        formset.instance = application
        formset.save()
    for section, text in form.section_answers().items():
        ApplicationAnswer.objects.update_or_create(application=application, section=section, defaults={"text": text})
    # Requests opened for a carrier the application no longer names are moot.
    for request in application.membership_requests.filter(status=MembershipStatus.EN_ATTENTE).exclude(carrier=carrier):
        request.withdraw(actor, comment="La candidature a changé de porteur.")
    if created:
        carrier.members.add(actor)
    elif _asks_to_join(actor, carrier, previous_carrier_id):
        membership_request_open(carrier=carrier, user=actor, actor=actor, application=application)
    return application


def _asks_to_join(actor, carrier: Carrier, previous_carrier_id: int | None) -> bool:
    """Naming an outside carrier one is not a member of asks to join it (once: saving the draft again asks nothing)."""
    if carrier.pk == previous_carrier_id or carrier.in_network:
        return False
    return not is_member(actor, carrier) and not is_cnml(actor)


# Membership requests ----------------------------------------------------------


def cnml_reviewer_emails() -> list[str]:
    return list(active_users(Role.RELECTEUR_CNML).values_list("email", flat=True))


@transaction.atomic
def membership_request_open(
    *, carrier: Carrier, user, actor, application: Application | None = None, reason: str = ""
) -> CarrierMembershipRequest:
    """Ask for ``user`` to join ``carrier``; its members and the CNML reviewers are told.

    A request already pending for that user and carrier is returned as it is (no second e-mail).
    """
    Carrier.objects.select_for_update().get(pk=carrier.pk)  # one pending request, even under concurrency
    pending = carrier.membership_requests.filter(user=user, status=MembershipStatus.EN_ATTENTE).first()
    if pending is not None:
        return pending
    request = CarrierMembershipRequest.objects.create(
        carrier=carrier, user=user, application=application, reason=reason.strip(), requested_by=actor
    )
    log_transition(request, actor=actor, from_state="", to_state=request.status, comment=request.reason)
    members = carrier.members.filter(is_active=True).exclude(pk=user.pk).values_list("email", flat=True)
    notify(
        recipients=[*members, *cnml_reviewer_emails()],
        subject=f"Demande de rattachement à {carrier.name}",
        template="mobility/emails/membership_request.txt",
        context={
            "request": request,
            "carrier": carrier,
            "user": user,
            "link": absolute_url("mobility:membership_requests"),
        },
    )
    return request


def _membership_decide(*, request: CarrierMembershipRequest, actor, verb: str, comment: str):
    locked = getattr(request, verb)(actor, comment=comment)
    notify(
        recipients=[locked.user.email],
        subject=f"Votre demande de rattachement à {locked.carrier.name} : {locked.get_status_display().lower()}",
        template="mobility/emails/membership_decision.txt",
        context={
            "request": locked,
            "approved": locked.status == MembershipStatus.ACCEPTEE,
            "comment": locked.decision_comment,
            "link": absolute_url("mobility:home"),
        },
    )
    return locked


@transaction.atomic
def membership_request_approve(
    *, request: CarrierMembershipRequest, actor, comment: str = ""
) -> CarrierMembershipRequest:
    return _membership_decide(request=request, actor=actor, verb="approve", comment=comment)


@transaction.atomic
def membership_request_refuse(
    *, request: CarrierMembershipRequest, actor, comment: str = ""
) -> CarrierMembershipRequest:
    return _membership_decide(request=request, actor=actor, verb="refuse", comment=comment)


def carrier_recipients(application: Application) -> list[str]:
    recipients = {application.created_by.email, application.contact_email}
    recipients.update(application.carrier.members.filter(is_active=True).values_list("email", flat=True))
    return sorted(address for address in recipients if address)


@transaction.atomic
def application_submit(*, application: Application, actor) -> None:
    application.submit(actor)
    notify(
        recipients=carrier_recipients(application),
        subject=f"Candidature déposée : {application.title}",
        template="mobility/emails/application_submitted.txt",
        context={"application": application, "link": absolute_url(application)},
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
def application_select(*, application: Application, actor, comment: str = "") -> Project:
    """Select the application and turn it into a project, then tell the carrier."""
    application.select(actor, comment=comment)
    project = project_create_from_application(application=application, actor=actor)
    _notify_application_decision(
        application,
        subject=(
            f"Votre projet de plateforme de mobilité est retenu : {application.title}"
            if application.call.is_mobility
            else f"Votre projet est retenu à l'{application.call.label} : {application.title}"
        ),
        selected=True,
        comment=comment,
        link=absolute_url(project),
    )
    return project


@transaction.atomic
def application_decline(*, application: Application, actor, comment: str) -> None:
    application.decline(actor, comment=comment)
    _notify_application_decision(
        application,
        subject=f"Votre candidature n'est pas retenue : {application.title}",
        selected=False,
        comment=comment,
        link=absolute_url(application),
    )


def _notify_application_decision(application: Application, *, subject: str, selected: bool, comment: str, link: str):
    notify(
        recipients=carrier_recipients(application),
        subject=subject,
        template="mobility/emails/application_decision.txt",
        context={"application": application, "selected": selected, "comment": comment, "link": link},
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
