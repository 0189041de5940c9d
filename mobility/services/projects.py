"""Writes of projects once selected: stages, plans, budgets and their amendments, FARE support, documents,
activity reports (:mod:`mobility.services`)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from cnml.audit import answered_send_back, log_transition
from cnml.changes import changes_text, compare
from cnml.emails import notify
from cnml.links import absolute_url
from cnml.uploads import display_name
from cnml.workflows import TransitionRefused
from mobility.models import (
    ROLE_REFUSAL,
    ActivityReport,
    AmendmentStatus,
    BudgetAmendment,
    BudgetAmendmentLine,
    Project,
    ProjectDocument,
    ReportStatus,
)
from mobility.models.reports import content_labels
from mobility.permissions import amendment_request_refusals, is_cnml
from mobility.services.applications import carrier_recipients, cnml_reviewer_emails, save_with_creator

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
        recipients=cnml_reviewer_emails(),
        subject=f"Avenant au budget à décider : {locked.title}",
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
        subject=f"Avenant au budget {locked.get_status_display().lower()} : {project.title}",
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
    """Keep a validated upload (``form``: kind, title, file) as a private document of the project, stored
    under a random name, downloaded under its own."""
    document = form.save(commit=False)
    document.project = project
    document.name = display_name(document.file.name)
    document.uploaded_by = actor
    document.save()
    return document


# Reports --------------------------------------------------------------------


@transaction.atomic
def report_save(*, form, deliveries_formset, actor) -> ActivityReport:
    report = save_with_creator(form, actor)
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
        subject=f"Bilan {locked.period_label} corrigé, à relire : {locked.project}",
        template="mobility/emails/report_resubmitted.txt",
        context={"report": locked, "actor": actor, "asked": asked, "changes": changes_text(changes)}
        | {"link": absolute_url(locked)},
    )


@transaction.atomic
def report_approve(*, report: ActivityReport, actor, comment: str = "") -> None:
    report.approve(actor, comment=comment)
    _notify_report_decision(
        report, subject=f"Bilan {report.period_label} approuvé : {report.project}", approved=True, comment=comment
    )


@transaction.atomic
def report_send_back(*, report: ActivityReport, actor, comment: str) -> None:
    report.send_back(actor, comment=comment)
    _notify_report_decision(
        report, subject=f"Bilan {report.period_label} à compléter : {report.project}", approved=False, comment=comment
    )


def _notify_report_decision(report: ActivityReport, *, subject: str, approved: bool, comment: str) -> None:
    notify(
        recipients=_report_recipients(report),
        subject=subject,
        template="mobility/emails/report_decision.txt",
        context={"report": report, "approved": approved, "comment": comment, "link": absolute_url(report)},
    )
