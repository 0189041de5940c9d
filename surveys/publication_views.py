"""Published survey results: publishing and withdrawing them (whoever runs the campaign), and the public
pages anyone reads — per region, mission locale and antenne, with the PDF report, never the free comments.
Thin views: the rules are in :mod:`surveys.permissions`, the moves in :mod:`surveys.services`.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cnml.links import absolute_url
from cnml.workflows import attempt_move, history
from surveys import exports, permissions, selectors, services
from surveys.forms import WithdrawPublicationForm
from surveys.models import Campaign, PublicationStatus, ResultsPublication

PUBLIC_TITLE = "Résultats des enquêtes de satisfaction"


def _publication(campaign: Campaign) -> ResultsPublication:
    """The campaign's publication as stored (fetched with the campaign: ``get_campaign_for``), or an unsaved
    one « non publiés »."""
    try:
        return campaign.publication
    except ResultsPublication.DoesNotExist:
        return ResultsPublication(campaign=campaign)


def _decision_page(request: HttpRequest, campaign: Campaign, *, verb: str, form=None) -> HttpResponse:
    publication = _publication(campaign)
    move = getattr(publication, verb)
    return render(
        request,
        "surveys/publication_confirm.html",
        {
            "title": f"{move.label} — {campaign.title}",
            "breadcrumb": [
                ("Enquêtes", reverse("surveys:home")),
                (campaign.title, reverse("surveys:campaign", args=[campaign.pk])),
                (move.label, None),
            ],
            "campaign": campaign,
            "publication": publication,
            "verb": verb,
            "move": move,
            "refusals": move.refusals(request.user),
            "form": form,
            "public_url": absolute_url("surveys:public_results", campaign.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def results_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation saying what becomes public, then the move."""
    campaign = permissions.get_campaign_for(request.user, pk, manage=True)
    if request.method == "GET":
        return _decision_page(request, campaign, verb="publish")
    attempt_move(
        request,
        lambda: services.results_publish(
            campaign=campaign, actor=request.user, seen_status=request.POST.get("seen_status")
        ),
        "Les résultats sont publiés : toute personne peut désormais les lire.",
    )
    return redirect("surveys:campaign", pk=campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def results_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = permissions.get_campaign_for(request.user, pk, manage=True)
    form = WithdrawPublicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt_move(
            request,
            lambda: services.results_withdraw(
                campaign=campaign,
                actor=request.user,
                comment=form.cleaned_data["comment"],
                seen_status=request.POST.get("seen_status"),
            ),
            "La publication est retirée : les pages publiques ne montrent plus ces résultats.",
        )
        return redirect("surveys:campaign", pk=campaign.pk)
    return _decision_page(request, campaign, verb="withdraw", form=form)


# --- Public pages ----------------------------------------------------------------------------------


@require_GET
def public_index(request: HttpRequest) -> HttpResponse:
    campaigns = permissions.published_campaigns().select_related("region", "publication").order_by("-closes_on")
    return render(
        request,
        "surveys/public_results_index.html",
        {"title": PUBLIC_TITLE, "breadcrumb": [(PUBLIC_TITLE, None)], "campaigns": campaigns},
    )


@require_GET
def public_results(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = permissions.get_published_campaign(pk)
    top = campaign.nodes.order_by("position").first()
    return redirect("surveys:public_results_node", pk=campaign.pk, key=top.key)


@require_GET
def public_results_node(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    campaign = permissions.get_published_campaign(pk)
    node = permissions.get_public_node(campaign, key)
    crumbs = [(PUBLIC_TITLE, reverse("surveys:public_index")), (campaign.title, None)]
    if node.parent_id:
        crumbs[-1] = (campaign.title, reverse("surveys:public_results", args=[campaign.pk]))
        crumbs.append((node.label, None))
    return render(
        request,
        "surveys/results.html",
        {
            "title": f"Résultats — {node.label}",
            "breadcrumb": crumbs,
            "campaign": campaign,
            "data": selectors.node_results(node, spec=campaign.results_spec),
            "node": node,
            "readable": set(campaign.nodes.values_list("key", flat=True)),
            "comments": None,
            "public": True,
            "node_url": "surveys:public_results_node",
            "report_url": "surveys:public_results_report",
            "can_report": node.level in permissions.REPORT_LEVELS and not node.suppressed,
        },
    )


@require_GET
def public_results_report(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    campaign = permissions.get_published_campaign(pk)
    node = permissions.get_public_node(campaign, key, reportable=True)
    response = HttpResponse(exports.report_pdf(campaign, node, comments=None), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(campaign, node.key + ".pdf")}"'
    return response


def publication_context(user, campaign: Campaign, *, can_manage: bool) -> dict:
    """What the campaign's page says of the publication of its results, and the moves ``user`` may make."""
    publication = _publication(campaign)
    published = publication.status == PublicationStatus.PUBLISHED
    return {
        "publication": publication,
        "publication_url": reverse("surveys:public_results", args=[campaign.pk]) if published else None,
        # The workflow's own guards: a closed campaign whose results are computed, published or not.
        "can_publish": can_manage and publication.can_publish(user),
        "can_withdraw": can_manage and publication.can_withdraw(user),
        "publication_history": history(publication) if can_manage and publication.pk else None,
    }
