"""Who sees and does what in the mobility app: the one place for its scope rules.

Built on :mod:`cnml.permissions`. Objects outside a user's scope answer 404.

How the users of a carrier are attached
---------------------------------------
A project's carrier is either a structure of the network (a mission locale, a PAIO,
an ARML) or an organisation outside it (a maison de l'emploi, a conseil général, an
association...), which has no accounts of its own. So (``docs/permissions.md``):

- whoever applies for a **new** outside organisation is its first **member**
  (``Carrier.members``); nobody had rights on it before;
- typing the name of an **existing** carrier grants nothing: it opens a membership
  request (:class:`~mobility.models.CarrierMembershipRequest`) that a current member or
  a CNML role approves or refuses (:func:`can_decide_membership`); until then the
  applicant reaches their own application only, as its author. The CNML opens requests
  for others in the admin (a second person of a maison de l'emploi, a successor...) and
  removes members there;
- when the carrier is a structure of the network, the **conseillers and directors of
  that structure** (``cnml.permissions.actionable_structures``) are its users, without
  being members, and applying for it adds no member: the team changes, the rights follow.

Carrier users see and edit their carrier's applications and projects. Users of a
**partner** mission locale read the projects it is partner of, without editing them.
A **regional animator** reads the submitted applications and the projects of their
region. The **CNML roles** (reviewers, administrators) see and do everything: create
and publish calls, review, select, move projects along their stages, approve reports.

Views fetch an object by id with one helper per model, ``get_<model>_for(user, ...)``
(:func:`cnml.permissions.get_in_scope_or_404` on the user's scope): a missing object, one
out of scope and a malformed id answer the same 404. The workflows' moves
(:mod:`mobility.models`) name their permission here by its dotted path: :func:`cnml_decides`,
:func:`acts_for_application`, :func:`can_edit_project`, :func:`acts_for_report`,
:func:`decides_membership_request`, :func:`withdraws_membership_request`,
:func:`decides_amendment`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from cnml.models import Role
from cnml.permissions import actionable_structures, get_in_scope_or_404, readable_regions, readable_structures
from mobility.models import (
    ROLE_REFUSAL,
    ActivityReport,
    AmendmentStatus,
    Application,
    ApplicationStatus,
    BudgetAmendment,
    Call,
    CallStatus,
    CallTheme,
    Carrier,
    CarrierMembershipRequest,
    Project,
    ProjectDocument,
    ReportStatus,
    Stage,
)

LOCAL_ROLES = frozenset({Role.CONSEILLER, Role.DIRECTEUR})


def _signed_in(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_cnml(user) -> bool:
    """CNML reviewers and administrators: the whole network, every action."""
    return _signed_in(user) and user.is_national


def cnml_decides(user, obj) -> bool:
    """The moves only the CNML roles make, whatever the object: publish a call, select or decline an
    application, start a project's formation-action or montage, stop it, approve or send back a report."""
    return is_cnml(user)


def can_manage_calls(user) -> bool:
    return is_cnml(user)


def can_review(user) -> bool:
    return is_cnml(user)


def can_apply(user) -> bool:
    return _signed_in(user)


def carriers_of(user) -> QuerySet[Carrier]:
    """The carriers a user acts for: as a member, or as a local user of the carrier structure."""
    if not _signed_in(user):
        return Carrier.objects.none()
    condition = Q(members=user)
    if user.role in LOCAL_ROLES:
        condition |= Q(structure__in=actionable_structures(user))
    return Carrier.objects.filter(pk__in=Carrier.objects.filter(condition).values("pk"))


def is_member(user, carrier: Carrier) -> bool:
    # ``all()``: a list of requests prefetches its carriers' members once, instead of one query a row.
    return _signed_in(user) and any(member.pk == user.pk for member in carrier.members.all())


def can_decide_membership(user, carrier: Carrier) -> bool:
    """Who approves or refuses a request to join a carrier: its current members and the CNML roles."""
    return is_cnml(user) or is_member(user, carrier)


def decides_membership_request(user, request: CarrierMembershipRequest) -> bool:
    """Whoever may decide for the carrier, except the person to be attached (even a member or a CNML role)."""
    return can_decide_membership(user, request.carrier) and user.pk != request.user_id


def withdraws_membership_request(user, request: CarrierMembershipRequest) -> bool:
    """The person to be attached, and whoever edits the draft application that opened the request."""
    if not _signed_in(user):
        return False
    return user.pk == request.user_id or (
        request.application is not None and can_edit_application(user, request.application)
    )


def visible_membership_requests(user) -> QuerySet[CarrierMembershipRequest]:
    """The CNML sees every request; a member, those of their carriers; a requester, their own."""
    if not _signed_in(user):
        return CarrierMembershipRequest.objects.none()
    if is_cnml(user):
        return CarrierMembershipRequest.objects.all()
    condition = Q(user=user) | Q(carrier__members=user)
    return CarrierMembershipRequest.objects.filter(
        pk__in=CarrierMembershipRequest.objects.filter(condition).values("pk")
    )


def get_membership_request_for(user, pk) -> CarrierMembershipRequest:
    return get_in_scope_or_404(
        visible_membership_requests(user).select_related("carrier", "user", "application"), pk=pk
    )


# Calls ----------------------------------------------------------------------


def visible_calls(user) -> QuerySet[Call]:
    if is_cnml(user):
        return Call.objects.all()
    return Call.objects.filter(status=CallStatus.PUBLIE)


def get_call_for(user, year, theme: str = CallTheme.MOBILITE) -> Call:
    """A call by its theme and year (its address), if the user sees it."""
    return get_in_scope_or_404(visible_calls(user).prefetch_related("funders", "criteria"), theme=theme, year=year)


# Applications ---------------------------------------------------------------


def visible_applications(user) -> QuerySet[Application]:
    if not _signed_in(user):
        return Application.objects.none()
    if is_cnml(user):
        return Application.objects.all()
    condition = Q(created_by=user) | Q(carrier__in=carriers_of(user))
    if user.role == Role.ANIMATEUR_REGIONAL:
        condition |= Q(carrier__region__in=readable_regions(user)) & ~Q(status=ApplicationStatus.BROUILLON)
    return Application.objects.filter(pk__in=Application.objects.filter(condition).values("pk"))


def acts_for_application(user, application: Application) -> bool:
    """Its author (who sees it even before their membership is approved) and the carrier's users."""
    if not _signed_in(user):
        return False
    return application.created_by_id == user.pk or carriers_of(user).filter(pk=application.carrier_id).exists()


def can_edit_application(user, application: Application) -> bool:
    """The applicant and the carrier's users edit a draft; nobody edits it once submitted."""
    return application.status == ApplicationStatus.BROUILLON and acts_for_application(user, application)


def get_application_for(user, pk) -> Application:
    return get_in_scope_or_404(
        visible_applications(user).select_related("call", "carrier__region", "created_by"), pk=pk
    )


# Projects -------------------------------------------------------------------


def visible_projects(user) -> QuerySet[Project]:
    if not _signed_in(user):
        return Project.objects.none()
    if is_cnml(user):
        return Project.objects.all()
    condition = Q(carrier__in=carriers_of(user))
    if user.role == Role.ANIMATEUR_REGIONAL:
        condition |= Q(region__in=readable_regions(user))
    if user.role in LOCAL_ROLES:
        condition |= Q(partners__in=readable_structures(user))
    return Project.objects.filter(pk__in=Project.objects.filter(condition).values("pk"))


def can_edit_project(user, project: Project) -> bool:
    """CNML roles and the carrier's users edit a project's plan, milestones, budget and reports."""
    if is_cnml(user):
        return True
    return _signed_in(user) and carriers_of(user).filter(pk=project.carrier_id).exists()


def can_manage_fare_support(user) -> bool:
    return is_cnml(user)


def decides_amendment(user, amendment: BudgetAmendment) -> bool:
    """Amendments to an approved budget are decided by the CNML roles (the amendment's guard adds:
    never by whoever asked)."""
    return is_cnml(user)


def amendment_request_refusals(user, project: Project) -> list[str]:
    """Why the user may not ask for an amendment to the project's budget now (``[]`` when they may).

    Opening a request is not a move of a workflow: the amendment does not exist yet.
    """
    if not can_edit_project(user, project):
        return [ROLE_REFUSAL]
    if project.stage == Stage.ARRETE:
        return ["Le projet est arrêté : son budget ne change plus."]
    if project.budget_amendments.filter(status=AmendmentStatus.DEMANDE).exists():
        return ["Un avenant attend déjà la décision du CNML : une nouvelle demande attendra cette décision."]
    return []


def get_project_for(user, pk) -> Project:
    return get_in_scope_or_404(visible_projects(user).select_related("call", "carrier", "region", "application"), pk=pk)


def get_editable_project_for(user, pk) -> Project:
    """A project the user may edit; 404 when out of scope, 403 (PermissionDenied) when read-only."""
    project = get_project_for(user, pk)
    if not can_edit_project(user, project):
        raise PermissionDenied("Vous pouvez consulter ce projet sans le modifier.")
    return project


def get_reporting_project_for(user, pk) -> Project:
    """A project the user may write an activity report for: a mobility platform's project they may
    edit (404 for another theme's project, as out of scope: it has no reports)."""
    project = get_project_for(user, pk)
    if not project.is_mobility:
        raise Http404("Les bilans d'activité sont ceux des plateformes de mobilité.")
    if not can_edit_project(user, project):
        raise PermissionDenied("Vous pouvez consulter ce projet sans le modifier.")
    return project


def get_document_for(user, project_pk, pk) -> ProjectDocument:
    """A private document of the project ``project_pk``, served to whoever reads the project."""
    documents = ProjectDocument.objects.filter(project__in=visible_projects(user))
    return get_in_scope_or_404(documents, project_id=project_pk, pk=pk)


def get_budget_amendment_for(user, project_pk, pk) -> BudgetAmendment:
    """An amendment to the budget of the project ``project_pk``, for whoever reads the project."""
    amendments = BudgetAmendment.objects.filter(project__in=visible_projects(user)).select_related("project")
    return get_in_scope_or_404(amendments, project_id=project_pk, pk=pk)


# Reports --------------------------------------------------------------------


def visible_reports(user) -> QuerySet[ActivityReport]:
    """Carriers and the CNML see drafts; the other readers of a project, its submitted reports.

    Activity reports are the mobility platforms' reporting (their indicators: diagnostics, driving
    licences...): a project of another theme reports its budget against the call's envelope, and
    has no report page, whoever asks (404)."""
    reports = ActivityReport.objects.filter(project__call__theme=CallTheme.MOBILITE)
    if is_cnml(user):
        return reports
    own = Q(project__carrier__in=carriers_of(user))
    shared = Q(project__in=visible_projects(user)) & ~Q(status=ReportStatus.BROUILLON)
    return reports.filter(own | shared)


def acts_for_report(user, report: ActivityReport) -> bool:
    """The carrier's users (and the CNML roles) write and submit its project's reports."""
    return can_edit_project(user, report.project)


def can_edit_report(user, report: ActivityReport) -> bool:
    return report.status == ReportStatus.BROUILLON and acts_for_report(user, report)


def get_report_for(user, project_pk, pk) -> ActivityReport:
    return get_in_scope_or_404(visible_reports(user).select_related("project__call"), project_id=project_pk, pk=pk)
