from typing import TextIO

from django.urls import reverse

from cnml.registry import FeatureAppConfig, HomeLink, NavItem, OperationRun


class DashboardConfig(FeatureAppConfig):
    name = "dashboard"
    verbose_name = "Tableau de bord"
    order = 10
    url_prefix = "tableau-de-bord/"
    # CNML reviewers set objectives in the admin (administrators hold every permission). Regional
    # animators split theirs on a page of the app, under dashboard/permissions.py's rules.
    role_permissions = {
        "relecteur_cnml": ["view_objective", "add_objective", "change_objective", "delete_objective"],
    }

    def navigation(self, user) -> list[NavItem]:
        return [NavItem("Tableau de bord", reverse("dashboard:home"), "/tableau-de-bord/")]

    def home_links(self, user) -> list[HomeLink]:
        from dashboard import permissions

        national = HomeLink(
            "Le tableau de bord national",
            "L'activité et les résultats des missions locales, trimestre par trimestre.",
            reverse("dashboard:home"),
        )
        if not getattr(user, "is_authenticated", False):
            return [national]
        if user.is_national:
            return [
                national,
                HomeLink(
                    "Les tableaux de bord des régions",
                    "Les chiffres de chaque région et de chacune de ses structures, face aux références nationales.",
                    reverse("dashboard:regions"),
                ),
            ]
        region = permissions.own_region(user)
        if region is not None:
            return [
                HomeLink(
                    "Le tableau de bord de ma région",
                    f"Les chiffres de {region.name} et de chacune de ses structures.",
                    reverse("dashboard:region", args=[region.code]),
                ),
                national,
            ]
        structure = permissions.own_structure(user)
        if structure is not None:
            return [
                HomeLink(
                    "Le tableau de bord de ma structure",
                    "Les chiffres de votre structure face aux références régionales et nationales.",
                    reverse("dashboard:structure", args=[structure.code]),
                ),
                national,
            ]
        return [national]

    def load_demo(self, *, stdout: TextIO) -> None:
        from dashboard.demo import demo_load_dashboard

        demo_load_dashboard(stdout=stdout)

    def purge_expired(self, *, now) -> dict[str, int]:
        from dashboard.retention import purge_expired

        return purge_expired(now=now)

    def operations_status(self) -> list[OperationRun]:
        from dashboard.operations import last_import, last_recompute

        return [last_import(), last_recompute()]
