"""Back-office pages of the surveys: campaigns, distribution, results, exports. Thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cnml.formatting import format_count
from cnml.links import absolute_url
from cnml.pagination import paginate
from cnml.pdf import pdf_response, render_pdf
from cnml.workflows import attempt_move, history
from surveys import exports, permissions, selectors, services
from surveys.forms import AccessCodesForm, CampaignForm
from surveys.models import Audience, Campaign, CampaignStatus, DistributionPoint
from surveys.publication_views import publication_context
from surveys.qr import qr_png, qr_png_data_uri, qr_svg

HOME_TITLE = "Enquêtes de satisfaction"
# Free comments shown a page at a time on the results page (the PDF report carries them all).
COMMENTS_PER_PAGE = 100
# What a campaign's page says once a move of its workflow is made.
MOVE_DONE = {
    "open": "La campagne est ouverte : ses liens acceptent les réponses aux dates prévues.",
    "close": "La campagne est close ; ses résultats sont en cours de calcul.",
}


def _public_url(code: str) -> str:
    """The short link of a point or of a single-use code, as shown, printed and put in QR codes."""
    return absolute_url("surveys_public:entry", code)


def _campaign_crumbs(campaign: Campaign, *extra) -> list:
    return [
        ("Enquêtes", reverse("surveys:home")),
        (campaign.title, reverse("surveys:campaign", args=[campaign.pk]) if extra else None),
        *extra,
    ]


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "surveys/home.html",
        {
            "title": HOME_TITLE,
            "breadcrumb": [("Enquêtes", None)],
            "groups": selectors.campaigns_by_status(request.user),
            "can_create": permissions.can_create_campaigns(request.user),
        },
    )


def _save(form: CampaignForm, user) -> Campaign | None:
    """The saved campaign, or None with the form told why (a rule the campaign breaks as it now stands)."""
    try:
        return services.campaign_save(
            campaign=form.save(commit=False), participants=form.participants_or_scope(), actor=user
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    if not permissions.can_create_campaigns(request.user):
        raise Http404("Page introuvable.")
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and (campaign := _save(form, request.user)):
        messages.success(
            request, "La campagne est créée en brouillon : vérifiez ses points de diffusion, puis ouvrez-la."
        )
        return redirect("surveys:campaign", pk=campaign.pk)
    return render(
        request,
        "surveys/campaign_form.html",
        {
            "title": "Nouvelle campagne",
            "breadcrumb": [("Enquêtes", reverse("surveys:home")), ("Nouvelle campagne", None)],
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = permissions.get_campaign_for(request.user, pk, manage=True)
    if campaign.status == CampaignStatus.CLOSED:
        messages.info(request, "Une campagne close ne se modifie plus.")
        return redirect("surveys:campaign", pk=campaign.pk)
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid() and _save(form, request.user):
        messages.success(request, "La campagne est enregistrée.")
        return redirect("surveys:campaign", pk=campaign.pk)
    return render(
        request,
        "surveys/campaign_form.html",
        {
            "title": f"Modifier « {campaign.title} »",
            "breadcrumb": _campaign_crumbs(campaign, ("Modifier", None)),
            "form": form,
        },
    )


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = permissions.get_campaign_for(request.user, pk)
    can_manage = permissions.can_manage_campaign(request.user, campaign)
    points = permissions.readable_points(request.user, campaign)
    progress = selectors.points_progress(campaign, points)
    total = sum(row.answers for row in progress)
    return render(
        request,
        "surveys/campaign_detail.html",
        {
            "title": campaign.title,
            "breadcrumb": _campaign_crumbs(campaign),
            "campaign": campaign,
            "can_manage": can_manage,
            "progress": [(row, _public_url(row.point.code)) for row in progress],
            "total": total,
            "total_target": campaign.target if can_manage else sum(row.target for row in progress),
            "total_rate": 100 * total / campaign.target if can_manage and campaign.target else None,
            "history": history(campaign) if can_manage else None,
            "has_results": campaign.aggregated_at is not None and selectors.top_node_for(request.user, campaign),
            "staff_invited": (
                campaign.staff_invitations.count()
                if can_manage and campaign.audience == Audience.PROFESSIONNELS
                else None
            ),
            **publication_context(request.user, campaign, can_manage=can_manage),
        },
    )


@login_required
@require_POST
def campaign_move(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    """Open or close a campaign (``verb``: a transition of its workflow, fixed by the URL)."""
    campaign = permissions.get_campaign_for(request.user, pk, manage=True)
    apply = {"open": services.campaign_open, "close": services.campaign_close}[verb]
    attempt_move(
        request,
        lambda: apply(campaign=campaign, actor=request.user, seen_status=request.POST.get("seen_status")),
        MOVE_DONE[verb],
    )
    return redirect("surveys:campaign", pk=campaign.pk)


@login_required
@require_POST
def campaign_aggregate(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = permissions.get_campaign_for(request.user, pk, manage=True)
    services.campaign_request_aggregation(campaign=campaign)
    messages.success(request, "Le calcul des résultats est lancé avec les réponses reçues à cet instant.")
    return redirect("surveys:campaign", pk=campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """A survey of professionals: how many e-mails will leave, then each one's personal link sent."""
    campaign = permissions.get_campaign_for(request.user, pk, manage=True)
    if campaign.audience != Audience.PROFESSIONNELS:
        raise Http404("Page introuvable.")
    if request.method == "POST":
        try:
            sent = services.campaign_invite_staff(campaign=campaign, actor=request.user)
        except services.CampaignError as error:  # closed meanwhile
            messages.error(request, str(error))
        else:
            if sent:
                emails = format_count(sent, "e-mail d'invitation envoyé", "e-mails d'invitation envoyés")
                messages.success(request, f"{emails}, chacun avec son lien personnel.")
            else:
                messages.info(request, "Tous les professionnels des structures participantes sont déjà invités.")
        return redirect("surveys:campaign", pk=campaign.pk)
    return render(
        request,
        "surveys/invite_confirm.html",
        {
            "title": f"Inviter les professionnels — {campaign.title}",
            "breadcrumb": _campaign_crumbs(campaign, ("Inviter les professionnels", None)),
            "campaign": campaign,
            "to_invite": selectors.staff_to_invite(campaign).count(),
            "invited": campaign.staff_invitations.count(),
        },
    )


# --- Distribution --------------------------------------------------------------------------------


def _point(request: HttpRequest, pk: int, code: str, *, manage: bool = False) -> tuple[Campaign, DistributionPoint]:
    campaign = permissions.get_campaign_for(request.user, pk, manage=manage)
    return campaign, permissions.get_point_for(request.user, campaign, code)


@login_required
@require_GET
def point_qr(request: HttpRequest, pk: int, code: str, fmt: str) -> HttpResponse:
    _, point = _point(request, pk, code)
    url = _public_url(point.code)
    if fmt == "svg":
        response = HttpResponse(qr_svg(url, title=f"QR code du lien {url}"), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr_png(url), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="qr-{point.code}.{fmt}"'
    return response


@login_required
@require_GET
def point_poster(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    campaign, point = _point(request, pk, code)
    url = _public_url(point.code)
    return pdf_response(
        "surveys/pdf/poster.html",
        {
            "title": f"Affiche — {point.structure.name}",
            "campaign": campaign,
            "point": point,
            "url": url,
            "qr": qr_png_data_uri(url, scale=16),
        },
        filename=f"affiche-{point.code}.pdf",
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_codes(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    # New codes are for those who run the campaign: to anyone else, the campaign is not there.
    campaign, point = _point(request, pk, code, manage=request.method == "POST")
    if not permissions.prints_codes(campaign):
        raise Http404("Page introuvable.")
    can_manage = permissions.can_manage_campaign(request.user, campaign)
    form = AccessCodesForm(request.POST or None)
    if request.method == "POST":
        if campaign.status == CampaignStatus.CLOSED:
            messages.error(request, "La campagne est close : aucun nouveau code.")
        elif form.is_valid():
            try:
                created = services.access_codes_generate(point=point, count=form.cleaned_data["count"])
            except services.CampaignError as error:  # closed meanwhile
                messages.error(request, str(error))
            else:
                messages.success(request, f"Lot n° {created[0].batch} : {len(created)} codes créés.")
                return redirect("surveys:point_codes", pk=campaign.pk, code=point.code)
    batches = {}
    for access in point.access_codes.order_by("batch", "code"):
        batch = batches.setdefault(access.batch, {"number": access.batch, "count": 0, "used": 0})
        batch["count"] += 1
        batch["used"] += access.used_at is not None
    return render(
        request,
        "surveys/point_codes.html",
        {
            "title": f"Codes à usage unique — {point.structure.name}",
            "breadcrumb": _campaign_crumbs(campaign, (f"Codes — {point.structure.name}", None)),
            "campaign": campaign,
            "point": point,
            "form": form if can_manage and campaign.status != CampaignStatus.CLOSED else None,
            "batches": list(batches.values()),
        },
    )


@login_required
@require_GET
def point_slips(request: HttpRequest, pk: int, code: str, batch: int) -> HttpResponse:
    campaign, point = _point(request, pk, code)
    codes = permissions.get_batch_for(point, batch)
    slips = []
    for access in codes:
        url = _public_url(access.code)
        slips.append({"code": f"{access.code[:5]}-{access.code[5:]}", "url": url, "qr": qr_png_data_uri(url, scale=4)})
    pdf = render_pdf(
        "surveys/pdf/slips.html",
        {
            "title": f"Tickets — {point.structure.name}",
            "campaign": campaign,
            "point": point,
            "slips": slips,
            # Where one types the code printed on the slip (for those who cannot scan it).
            "code_url": absolute_url("surveys_public:code"),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tickets-{point.code}-lot-{batch}.pdf"'
    return response


# --- Results -------------------------------------------------------------------------------------


@login_required
@require_GET
def results(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = permissions.get_campaign_for(request.user, pk)
    top = selectors.top_node_for(request.user, campaign)
    if top is None:
        messages.info(request, "Les résultats de cette campagne n'ont pas encore été calculés.")
        return redirect("surveys:campaign", pk=campaign.pk)
    return redirect("surveys:results_node", pk=campaign.pk, key=top.key)


@login_required
@require_GET
def results_node(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    campaign = permissions.get_campaign_for(request.user, pk)
    node = permissions.get_node_for(request.user, campaign, key)
    readable = set(permissions.readable_nodes(request.user, campaign).values_list("key", flat=True))
    data = selectors.node_results(node, spec=campaign.results_spec)
    comments = (
        selectors.node_comments(node, spec=campaign.results_spec)
        if permissions.can_read_comments(request.user, node)
        else None
    )
    crumbs = [("Résultats", None)]
    if node.parent_id and node.parent.key in readable:
        crumbs = [
            (node.parent.label, reverse("surveys:results_node", args=[campaign.pk, node.parent.key])),
            (node.label, None),
        ]
    return render(
        request,
        "surveys/results.html",
        {
            "title": f"Résultats — {node.label}",
            "breadcrumb": _campaign_crumbs(campaign, *crumbs),
            "campaign": campaign,
            "data": data,
            "node": node,
            "readable": readable,
            "comments": comments,
            **(paginate(request, comments, per_page=COMMENTS_PER_PAGE) if comments else {}),
            "can_report": node.level in permissions.REPORT_LEVELS and not node.suppressed,
            "can_manage": permissions.can_manage_campaign(request.user, campaign),
        },
    )


@login_required
@require_GET
def results_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    campaign = permissions.get_campaign_for(request.user, pk)
    nodes = permissions.get_nodes_for(request.user, campaign)
    if fmt == "csv":
        return exports.csv_response(campaign, nodes)
    return exports.xlsx_response(campaign, nodes)


@login_required
@require_GET
def results_report(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    campaign = permissions.get_campaign_for(request.user, pk)
    node = permissions.get_node_for(request.user, campaign, key, reportable=True)
    comments = (
        selectors.node_comments(node, spec=campaign.results_spec)
        if permissions.can_read_comments(request.user, node)
        else None
    )
    pdf = exports.report_pdf(campaign, node, comments=comments)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(campaign, node.key + ".pdf")}"'
    return response
