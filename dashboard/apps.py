from django.urls import reverse

from cnml.registry import FeatureAppConfig, HomeLink, NavItem


class DashboardConfig(FeatureAppConfig):
    name = "dashboard"
    verbose_name = "Tableau de bord"
    order = 10
    url_prefix = "tableau-de-bord/"

    def navigation(self, user) -> list[NavItem]:
        return [NavItem("Tableau de bord", reverse("dashboard:home"), "/tableau-de-bord/")]

    def home_links(self, user) -> list[HomeLink]:
        url = reverse("dashboard:home")
        if getattr(user, "role", None) == "directeur":
            return [
                HomeLink(
                    "Le tableau de bord",
                    "Les chiffres de votre structure face aux références régionales et nationales.",
                    url,
                )
            ]
        if getattr(user, "role", None) == "animateur_regional":
            return [
                HomeLink("Le tableau de bord", "Les chiffres de votre région et de chacune de ses structures.", url)
            ]
        if getattr(user, "is_national", False):
            return [HomeLink("Le tableau de bord", "Les chiffres nationaux, régionaux et de chaque structure.", url)]
        return [
            HomeLink(
                "Le tableau de bord national",
                "L'activité et les résultats des missions locales, trimestre par trimestre.",
                url,
            )
        ]
