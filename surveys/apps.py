from django.urls import reverse

from cnml.registry import FeatureAppConfig, HomeLink, NavItem


class SurveysConfig(FeatureAppConfig):
    name = "surveys"
    verbose_name = "Enquêtes de satisfaction"
    order = 30
    url_prefix = "enquetes/"

    def navigation(self, user) -> list[NavItem]:
        if not user.is_authenticated:
            return []
        return [NavItem("Enquêtes", reverse("surveys:home"), "/enquetes/")]

    def home_links(self, user) -> list[HomeLink]:
        if not user.is_authenticated:
            return []
        url = reverse("surveys:home")
        if getattr(user, "role", None) == "animateur_regional" or user.is_national:
            return [HomeLink("Les enquêtes de satisfaction", "Créez des campagnes et lisez leurs résultats.", url)]
        return [
            HomeLink(
                "Les enquêtes de satisfaction",
                "Diffusez les enquêtes de votre structure et lisez leurs résultats.",
                url,
            )
        ]
