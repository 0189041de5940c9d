"""Writes of the mobility app, each in a transaction: ``<entity>_<action>(*, ...)``, in two modules by
the life of a project: up to selection (`applications`: calls, carriers, membership requests,
applications, reviews, selection), then after it (`projects`: stages, plans, budgets and amendments,
FARE support, documents, activity reports). Callers use this package's names (``services.call_save``).

A decision is a move of the object's workflow (:mod:`cnml.workflows`): the move re-reads and
locks its row, checks it again and logs it, so that of two decisions at once the second waits,
then meets the guard of the new state (a clear refusal, never a double move nor a 500); the
caller's copy is brought up to date. The service owes the move's work in the same transaction.
E-mails go through :func:`cnml.emails.notify` (rendered now, sent by a Celery worker once the
transaction commits, so a refused or rolled-back change sends nothing).
"""

from mobility.services.applications import (
    application_decline,
    application_save_draft,
    application_select,
    application_submit,
    call_publish,
    call_save,
    carrier_of_structure,
    carrier_outside_find_or_create,
    carrier_recipients,
    membership_request_approve,
    membership_request_open,
    membership_request_refuse,
    project_create_from_application,
    review_save,
)
from mobility.services.projects import (
    budget_actuals_save,
    budget_amendment_approve,
    budget_amendment_refuse,
    budget_amendment_request,
    document_add,
    fare_support_save,
    formset_save,
    project_move,
    project_plan_save,
    report_approve,
    report_save,
    report_send_back,
    report_submit,
)

__all__ = [
    "application_decline",
    "application_save_draft",
    "application_select",
    "application_submit",
    "budget_actuals_save",
    "budget_amendment_approve",
    "budget_amendment_refuse",
    "budget_amendment_request",
    "call_publish",
    "call_save",
    "carrier_of_structure",
    "carrier_outside_find_or_create",
    "carrier_recipients",
    "document_add",
    "fare_support_save",
    "formset_save",
    "membership_request_approve",
    "membership_request_open",
    "membership_request_refuse",
    "project_create_from_application",
    "project_move",
    "project_plan_save",
    "report_approve",
    "report_save",
    "report_send_back",
    "report_submit",
    "review_save",
]
