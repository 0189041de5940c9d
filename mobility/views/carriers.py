"""Requests to join a carrier (« demandes de rattachement »): the list to decide, and one's own;
the decisions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from cnml.workflows import TransitionRefused, report_refusal
from mobility import forms, permissions, services
from mobility.models import MembershipStatus
from mobility.views.common import crumbs


@login_required
@require_GET
def membership_requests(request: HttpRequest) -> HttpResponse:
    """The requests to join a carrier the user decides (members, CNML), and their own."""
    user = request.user
    visible = permissions.visible_membership_requests(user).select_related(
        "carrier__region", "user__structure", "application", "requested_by", "decided_by"
    )
    pending = [
        # One comment field per request, with ids of its own on the page.
        {"request": item, "form": forms.CommentForm(label="Message au demandeur", auto_id=f"id_demande{item.pk}_%s")}
        for item in visible.filter(status=MembershipStatus.EN_ATTENTE).prefetch_related("carrier__members")
        if item.can_approve(user)
    ]
    title = "Demandes de rattachement"
    return render(
        request,
        "mobility/membership_requests.html",
        {
            "title": title,
            "pending": pending,
            "own": visible.filter(user=user),
            "decided": visible.exclude(status=MembershipStatus.EN_ATTENTE).exclude(user=user)[:50],
            "breadcrumb": crumbs((title, None)),
        },
    )


@login_required
@require_POST
def membership_request_decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    membership = permissions.get_membership_request_for(request.user, pk)
    comment = request.POST.get("comment", "")
    # The address names the action: « accepter » or « refuser » (mobility/urls.py).
    decide = {"accepter": services.membership_request_approve, "refuser": services.membership_request_refuse}[action]
    try:
        decided = decide(request=membership, actor=request.user, comment=comment)
    except TransitionRefused as error:
        report_refusal(request, error)
    else:
        verb = "acceptée" if decided.status == MembershipStatus.ACCEPTEE else "refusée"
        messages.success(request, f"Demande {verb} : {decided.user} en est informé par courriel.")
    return redirect("mobility:membership_requests")
