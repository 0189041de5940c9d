"""Writes of the mobility app, each in a transaction: ``<entity>_<action>(*, ...)``.

A decision is a move of the object's workflow (:mod:`cnml.workflows`): the move re-reads and
locks its row, checks it again and logs it, so that of two decisions at once the second waits,
then meets the guard of the new state (a clear refusal, never a double move nor a 500); the
caller's copy is brought up to date. The service owes the move's work in the same transaction.
E-mails go through :func:`cnml.emails.notify` (rendered now, sent by a Celery worker once the
transaction commits, so a refused or rolled-back change sends nothing).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from cnml.audit import answered_send_back, log_transition
from cnml.changes import changes_text, compare
from cnml.emails import notify
from cnml.links import absolute_url
from cnml.models import Region, Role, Structure, User
from cnml.workflows import TransitionRefused
from mobility.forms import CARRIER_IN_NETWORK
from mobility.models import (
    ROLE_REFUSAL,
    ActivityReport,
    AmendmentStatus,
    Application,
    BudgetAmendment,
    BudgetAmendmentLine,
    BudgetLine,
    Call,
    Carrier,
    CarrierMembershipRequest,
    MembershipStatus,
    Milestone,
    Project,
    ProjectDocument,
    ReportStatus,
    Review,
    Target,
)
from mobility.models.reports import content_labels
from mobility.permissions import amendment_request_refusals, is_cnml, is_member
from mobility.regions import REGIONS_2011

# Calls ----------------------------------------------------------------------


def _save_with_creator(form, actor):
    """The form's object saved, with ``actor`` recorded as its creator when it is new."""
    instance = form.save(commit=False)
    if instance.pk is None:
        instance.created_by = actor
    instance.save()
    return instance


@transaction.atomic
def call_save(*, form, criteria_formset, actor) -> Call:
    """Create or update a call and its criteria, from validated forms."""
    call = _save_with_creator(form, actor)
    form.save_m2m()
    criteria_formset.instance = call
    for order, criterion in enumerate(criteria_formset.save(commit=False)):
        criterion.call = call
        criterion.order = criterion.order or order
        criterion.save()
    for criterion in criteria_formset.deleted_objects:
        criterion.delete()
    return call


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


def _cnml_reviewer_emails() -> list[str]:
    return list(User.objects.filter(role=Role.RELECTEUR_CNML, is_active=True).values_list("email", flat=True))


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
        recipients=[*members, *_cnml_reviewer_emails()],
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
        subject=f"Votre demande de rattachement à {locked.carrier.name} : {locked.get_status_display().lower()}",
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
        subject=f"Candidature déposée : {application.title}",
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
        subject=f"Votre projet de plateforme de mobilité est retenu : {application.title}",
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
        subject=f"Votre candidature n'est pas retenue : {application.title}",
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


# Projects -------------------------------------------------------------------


def project_move(*, project: Project, verb: str, actor, comment: str = "") -> None:
    """Move a project along its stages: ``verb`` is a transition of ``Project.workflow`` (its stop's
    reason is the comment). A move owes no e-mail."""
    if verb not in Project.workflow.transitions:
        raise ValueError(f"Unknown project move: {verb}")
    getattr(project, verb)(actor, comment=comment)


@transaction.atomic
def project_plan_save(*, services_form, targets_formset) -> None:
    services_form.save()
    targets_formset.save()


@transaction.atomic
def formset_save(*, formset) -> None:
    formset.save()


@transaction.atomic
def budget_actuals_save(*, formset) -> None:
    """Save what the carrier follows (actual amounts, funding status), never the approved planned amounts."""
    for line in formset.save(commit=False):
        line.save(update_fields=["actual_amount", "status"])


# Budget amendments ------------------------------------------------------------


@transaction.atomic
def budget_amendment_request(*, project: Project, actor, reason: str, changes: list) -> BudgetAmendment:
    """Ask for new planned amounts: ``changes`` are ``(budget line or None, funder, label, new amount)``.

    Nothing changes in the budget until a CNML role approves; the CNML reviewers are told.
    """
    # Two requests at once: the second waits for the first, then meets the pending amendment.
    locked = Project.objects.select_for_update().get(pk=project.pk)
    reasons = amendment_request_refusals(actor, locked)
    if reasons:
        raise TransitionRefused(reasons, by_role=ROLE_REFUSAL in reasons)
    amendment = BudgetAmendment.objects.create(project=locked, reason=reason.strip(), requested_by=actor)
    BudgetAmendmentLine.objects.bulk_create(
        BudgetAmendmentLine(
            amendment=amendment,
            budget_line=line,
            funder_id=line.funder_id if line else funder.pk,
            label=line.label if line else label.strip(),
            planned_before=line.planned_amount if line else Decimal(0),
            planned_after=after,
        )
        for line, funder, label, after in changes
    )
    log_transition(amendment, actor=actor, from_state="", to_state=amendment.status, comment=amendment.reason)
    notify(
        recipients=_cnml_reviewer_emails(),
        subject=f"Avenant au budget à décider : {locked.title}",
        template="mobility/emails/budget_amendment_requested.txt",
        context={
            "amendment": amendment,
            "project": locked,
            "lines": list(amendment.lines.select_related("funder")),
            "link": absolute_url(f"{locked.get_absolute_url()}#budget"),
        },
    )
    return amendment


def _amendment_decide(*, amendment: BudgetAmendment, actor, verb: str, comment: str):
    locked = getattr(amendment, verb)(actor, comment=comment)
    project = locked.project
    recipients = carrier_recipients(project.application)
    if locked.requested_by is not None:
        recipients.append(locked.requested_by.email)
    notify(
        recipients=recipients,
        subject=f"Avenant au budget {locked.get_status_display().lower()} : {project.title}",
        template="mobility/emails/budget_amendment_decision.txt",
        context={
            "amendment": locked,
            "project": project,
            "approved": locked.status == AmendmentStatus.APPROUVE,
            "lines": list(locked.lines.select_related("funder")),
            "link": absolute_url(f"{project.get_absolute_url()}#budget"),
        },
    )
    return locked


@transaction.atomic
def budget_amendment_approve(*, amendment: BudgetAmendment, actor, comment: str = ""):
    """Approve and apply the new planned amounts, in one transaction."""
    return _amendment_decide(amendment=amendment, actor=actor, verb="approve", comment=comment)


@transaction.atomic
def budget_amendment_refuse(*, amendment: BudgetAmendment, actor, comment: str):
    return _amendment_decide(amendment=amendment, actor=actor, verb="refuse", comment=comment)


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
    report = _save_with_creator(form, actor)
    deliveries_formset.instance = report
    deliveries_formset.save()
    return report


def _report_recipients(report: ActivityReport) -> list[str]:
    return carrier_recipients(report.project.application)


@transaction.atomic
def report_submit(*, report: ActivityReport, actor) -> None:
    """Submit; a report sent back tells the reviewer who sent it what the carrier changed since."""
    locked = report.submit(actor)
    asked = answered_send_back(locked, back_to=ReportStatus.BROUILLON)
    reviewer = asked.actor if asked is not None else None
    if reviewer is None or not reviewer.is_active or not is_cnml(reviewer):
        return
    changes = compare(locked.sent_back_content, locked.content(), content_labels())
    notify(
        recipients=[reviewer.email],
        subject=f"Bilan {locked.period_label} corrigé, à relire : {locked.project}",
        template="mobility/emails/report_resubmitted.txt",
        context={"report": locked, "actor": actor, "asked": asked, "changes": changes_text(changes)}
        | {"link": absolute_url(locked)},
    )


@transaction.atomic
def report_approve(*, report: ActivityReport, actor, comment: str = "") -> None:
    report.approve(actor, comment=comment)
    _notify_report_decision(
        report, subject=f"Bilan {report.period_label} approuvé : {report.project}", approved=True, comment=comment
    )


@transaction.atomic
def report_send_back(*, report: ActivityReport, actor, comment: str) -> None:
    report.send_back(actor, comment=comment)
    _notify_report_decision(
        report, subject=f"Bilan {report.period_label} à compléter : {report.project}", approved=False, comment=comment
    )


def _notify_report_decision(report: ActivityReport, *, subject: str, approved: bool, comment: str) -> None:
    notify(
        recipients=_report_recipients(report),
        subject=subject,
        template="mobility/emails/report_decision.txt",
        context={"report": report, "approved": approved, "comment": comment, "link": absolute_url(report)},
    )
