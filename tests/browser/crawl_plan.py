"""What the accessibility crawl visits: every named URL pattern of the URL conf, reversed with demo data.

``url_patterns()`` (tests/routes.py) walks the resolver (includes and the admin's) and gives each pattern's full name.
Every pattern is either crawled (``crawl_urls``: its arguments come from :data:`ARGUMENTS`, or, for the
admin's per-model pages, from the model's first row) or listed in :data:`EXCLUDED` with the reason it
is not a page to check. ``unplanned_patterns()`` names those in neither: a new view must be added to
one or the other, or the crawl test fails.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.routes import url_patterns

DOWNLOAD = "a file (CSV, XLSX, PDF, image), not an HTML page for axe"
POST_ONLY = "an action answering POST only (its button is on a crawled page)"
NO_PAGE = "no page of its own"

# Pattern name (or route, for an unnamed pattern) -> why the crawl does not visit it.
EXCLUDED: dict[str, str] = {
    "logout": "logs the crawling user out (POST only)",
    "health": "JSON for the monitoring, not an HTML page",
    "metrics": "Prometheus text for the monitoring host, not an HTML page",
    "proconnect_login": "a redirect to ProConnect's authorization endpoint (404 unless configured)",
    "proconnect_callback": "ProConnect's return, needs the provider's state and code (404 unless configured)",
    "proconnect_logged_out": "a redirect home after ProConnect's end of session",
    **dict.fromkeys(
        [
            "dashboard:national_export",
            "dashboard:regions_export",
            "dashboard:region_export",
            "dashboard:structure_export",
            "dashboard:ani_national_export",
            "dashboard:ani_region_export",
            "dashboard:ani_structure_export",
            "dashboard:objectives_export",
            "practices:pdf",
            "practices:attachment",
            "surveys:point_qr_svg",
            "surveys:point_qr_png",
            "surveys:point_poster",
            "surveys:point_slips",
            "surveys:results_csv",
            "surveys:results_xlsx",
            "surveys:results_report",
            "surveys:public_results_report",
            "practices:recensement_xlsx",
            "practices:recensement_pdf",
            "mobility:call_report_xlsx",
            "mobility:call_report_pdf",
            "mobility:document_download",
            "alternance:follow_up_xlsx",
            "alternance:document",
            "admin:cnml_region_export",
            "admin:cnml_structure_export",
            "admin:practices_fiche_export",
            "admin:dashboard_extractimport_errors_csv",
        ],
        DOWNLOAD,
    ),
    **dict.fromkeys(
        [
            "surveys:campaign_open",
            "surveys:campaign_close",
            "surveys:campaign_aggregate",
            "practices:recensement_close",
            "mobility:call_publish",
            "mobility:application_submit",
            "mobility:application_decide",
            "mobility:membership_request_approve",
            "mobility:membership_request_refuse",
            "mobility:project_transition",
            "mobility:budget_amendment_approve",
            "mobility:budget_amendment_refuse",
            "mobility:report_submit",
            "mobility:report_approve",
            "mobility:report_send_back",
            "alternance:agreement_transition",
            "alternance:document_remove",
            "admin:dashboard_snapshot_recompute",
            "admin:cnml_region_process_import",
            "admin:cnml_structure_process_import",
        ],
        POST_ONLY,
    ),
    "admin:logout": "logs the crawling user out (POST only)",
    "admin:login": "crawled as the redirect target of the admin for non-staff roles",
    "admin:autocomplete": "JSON for the admin's select boxes",
    "admin:jsi18n": "JavaScript catalogue",
    "admin:view_on_site": "redirects to the object's public page, crawled under its own name",
    "admin:dashboard_extractimport_progress": "JSON polled by the import's change page",
    **dict.fromkeys(
        ["admin:dsfr_dsfrconfig_change", "admin:dsfr_dsfrconfig_history", "admin:dsfr_dsfrconfig_delete"],
        "no row: one would replace the header and footer of every page (django-dsfr's site settings); "
        "no role may change them (its changelist and add form answer 403, counted by the crawl)",
    ),
    # Unnamed patterns cannot be reversed.
    "admin/(?P<url>.*)$": f"{NO_PAGE}: the admin's catch-all, redirecting to the canonical address",
    "^media/(?P<path>.*)$": f"{NO_PAGE}: uploaded files, served in development only",
}
UNNAMED_ADMIN_OBJECT = re.compile(r"^admin/[a-z_]+/[a-z_]+/<path:object_id>/$")


ADMIN_MODEL_PAGE = re.compile(
    r"^admin:(?P<label>[a-z_]+?)_(?P<model>[a-z]+)_(?P<page>changelist|add|change|history|delete)$"
)


def _admin_model(name: str):
    """The model of an ``admin:<app>_<model>_<page>`` name and the page, or ``(None, None)``."""
    match = ADMIN_MODEL_PAGE.match(name)
    if not match:
        return None, None
    try:
        return apps.get_model(match["label"], match["model"]), match["page"]
    except LookupError:
        return None, None


def unplanned_patterns() -> list[str]:
    """Patterns neither crawled nor excluded (a new view the crawl does not know yet)."""
    unplanned = []
    for pattern in url_patterns():
        key = pattern.name or pattern.route
        if key in EXCLUDED or key in ARGUMENTS:
            continue
        if pattern.name is None and UNNAMED_ADMIN_OBJECT.match(pattern.route):
            continue  # admin/<app>/<model>/<id>/ redirects to the change page, crawled by name
        if pattern.name and _admin_model(pattern.name)[0] is not None:
            continue
        unplanned.append(key)
    return unplanned


def stale_exclusions() -> list[str]:
    """Exclusions naming no pattern any more."""
    keys = {pattern.name or pattern.route for pattern in url_patterns()}
    return sorted(set(EXCLUDED) - keys - {"^media/(?P<path>.*)$"})


# --- Arguments from the demo data (``manage.py demo``) -------------------------------------------


def _model(label: str):
    return apps.get_model(label)


def _first(label: str, **filters):
    row = _model(label).objects.filter(**filters).order_by("pk").first()
    if row is None:
        raise LookupError(f"Pas de {label} {filters} dans les données de démonstration.")
    return row


def _fiche(status: str) -> dict:
    return {"pk": _first("practices.Fiche", status=status).pk}


def _closed_campaign():
    return _first("surveys.Campaign", status="close")


def _point() -> dict:
    campaign = _closed_campaign()
    return {"pk": campaign.pk, "code": campaign.points.order_by("pk").first().code}


def _project():
    return _first("mobility.Project", reports__status="approuve")


def _report() -> dict:
    project = _project()
    return {"pk": project.pk, "report_pk": project.reports.order_by("pk").first().pk}


def _password_reset() -> dict:
    user = _first("cnml.User", email="conseiller@demo.cnml.fr")
    return {"uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)}


NONE: Callable[[], dict] = dict

# Pattern name -> its arguments in the demo data.
ARGUMENTS: dict[str, Callable[[], dict]] = {
    **dict.fromkeys(
        [
            "home",
            "login",
            "password_reset",
            "password_reset_done",
            "password_reset_complete",
            "password_change",
            "password_change_done",
            "accessibility",
            "legal_notice",
            "personal_data",
            "sitemap",
            "operations",
            "dashboard:home",
            "dashboard:regions",
            "dashboard:ani_national",
            "dashboard:objectives",
            "practices:home",
            "practices:my_fiches",
            "practices:create",
            "practices:review_queue",
            "surveys:home",
            "surveys:campaign_create",
            "surveys_public:code",
            "surveys:public_index",
            "practices:recensements",
            "mobility:home",
            "mobility:call_create",
            "mobility:application_list",
            "mobility:membership_requests",
            "mobility:project_list",
            "mobility:project_board",
            "admin:index",
            "admin:password_change",
            "admin:password_change_done",
        ],
        NONE,
    ),
    "password_reset_confirm": _password_reset,
    **dict.fromkeys(["dashboard:region", "dashboard:ani_region", "dashboard:objectives_split"], lambda: {"code": "93"}),
    **dict.fromkeys(["dashboard:structure", "dashboard:ani_structure"], lambda: {"code": "ML93001"}),
    **dict.fromkeys(["practices:detail", "practices:print", "practices:versions"], lambda: _fiche("publiee")),
    "practices:edit": lambda: _fiche("brouillon"),
    "practices:transition": lambda: {**_fiche("brouillon"), "slug": "soumettre"},
    **dict.fromkeys(["surveys:campaign", "surveys:results"], lambda: {"pk": _closed_campaign().pk}),
    "surveys:campaign_edit": lambda: {"pk": _first("surveys.Campaign", status="brouillon").pk},
    # The demo has no survey of professionals: the invitation page answers 404 to every role here
    # (tests/surveys/test_staff_surveys.py checks it on one).
    "surveys:campaign_invite": lambda: {"pk": _closed_campaign().pk},
    **dict.fromkeys(
        ["surveys:public_results", "surveys:results_publish", "surveys:results_withdraw"],
        lambda: {"pk": _closed_campaign().pk},
    ),
    "surveys:public_results_node": lambda: {"pk": _closed_campaign().pk, "key": "region-93"},
    "practices:recensement": lambda: {"pk": _first("practices.Recensement").pk},
    "surveys:point_codes": _point,
    "surveys:results_node": lambda: {"pk": _closed_campaign().pk, "key": "region-93"},
    "surveys_public:entry": lambda: {"code": _point()["code"]},
    "surveys_public:thanks": lambda: {"code": _point()["code"]},
    "surveys_public:step": lambda: {"code": _point()["code"], "step": 1},
    **dict.fromkeys(
        ["mobility:call_detail", "mobility:call_edit", "mobility:application_create", "mobility:call_report"],
        lambda: {"theme": _first("mobility.Call").theme, "year": _first("mobility.Call").year},
    ),
    **dict.fromkeys(
        ["mobility:application_detail", "mobility:application_edit", "mobility:application_review"],
        lambda: {"pk": _first("mobility.Application").pk},
    ),
    **dict.fromkeys(
        [
            "mobility:project_detail",
            "mobility:project_plan_edit",
            "mobility:project_milestones_edit",
            "mobility:project_budget_edit",
            "mobility:project_budget_amend",
            "mobility:project_fare_edit",
            "mobility:document_add",
            "mobility:report_create",
        ],
        lambda: {"pk": _project().pk},
    ),
    **dict.fromkeys(["mobility:report_detail", "mobility:report_edit"], _report),
    **dict.fromkeys(["alternance:home", "alternance:follow_up"], NONE),
    **dict.fromkeys(
        ["alternance:agreement", "alternance:follow_up_detail", "alternance:document_add"],
        lambda: {"pk": _first("alternance.Agreement", status="signee").pk},
    ),
    "alternance:results_edit": lambda: {"pk": _first("alternance.LocalDeclination").pk},
    "admin:app_list": NONE,  # one per application label, below
    "admin:auth_user_password_change": lambda: {"id": _first("cnml.User", email="conseiller@demo.cnml.fr").pk},
    "admin:practices_fiche_decision": lambda: {"object_id": _fiche("soumise")["pk"], "verb": "take_in_review"},
    "admin:practices_fiche_versions": lambda: {"object_id": _fiche("publiee")["pk"]},
    "admin:dashboard_snapshot_validate": lambda: {"pk": _first("dashboard.Snapshot").pk},
    "admin:cnml_region_import": NONE,
    "admin:cnml_structure_import": NONE,
}


def _admin_app_labels() -> list[str]:
    from django.contrib import admin

    return sorted({model._meta.app_label for model in admin.site._registry})


def crawl_urls() -> list[tuple[str, str]]:
    """``(pattern name, URL)`` of every crawled pattern, reversed with the demo data in the database."""
    urls = []
    for pattern in url_patterns():
        name = pattern.name
        if name is None or name in EXCLUDED:
            continue
        if name == "admin:app_list":
            urls += [(name, reverse(name, kwargs={"app_label": label})) for label in _admin_app_labels()]
        elif name in ARGUMENTS:
            urls.append((name, reverse(name, kwargs=ARGUMENTS[name]())))
        else:
            model, page = _admin_model(name)
            if model is None:
                continue  # unplanned: test_every_url_pattern_is_crawled_or_excluded_with_its_reason says so
            if page in ("changelist", "add"):
                urls.append((name, reverse(name)))
            else:
                row = model._default_manager.order_by("pk").first()
                if row is None:
                    raise LookupError(f"{name} : aucune ligne {model._meta.label} dans les données du crawl.")
                urls.append((name, reverse(name, kwargs={"object_id": row.pk})))
    return urls
