from django.urls import reverse

from cnml.registry import FeatureAppConfig, HomeLink, NavItem


class MobilityConfig(FeatureAppConfig):
    name = "mobility"
    verbose_name = "Plateformes de mobilité"
    order = 40
    url_prefix = "mobilite/"

    def navigation(self, user) -> list[NavItem]:
        return [NavItem("Mobilité", reverse("mobility:home"), "/mobilite/")]

    def home_links(self, user) -> list[HomeLink]:
        url = reverse("mobility:home")
        if getattr(user, "is_national", False):
            return [
                HomeLink(
                    "Les plateformes de mobilité",
                    "Publiez les appels à projets, sélectionnez les candidatures, suivez les projets.",
                    url,
                )
            ]
        if user.is_authenticated:
            return [
                HomeLink(
                    "Les plateformes de mobilité",
                    "Candidatez aux appels à projets et suivez vos projets de plateforme.",
                    url,
                )
            ]
        return [HomeLink("Les plateformes de mobilité", "Les appels à projets du CNML et les projets soutenus.", url)]
