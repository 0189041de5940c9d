from django.urls import reverse

from cnml.registry import FeatureAppConfig, HomeLink, NavItem


class PracticesConfig(FeatureAppConfig):
    name = "practices"
    verbose_name = "Bonnes pratiques"
    order = 20
    url_prefix = "bonnes-pratiques/"

    def navigation(self, user) -> list[NavItem]:
        return [NavItem("Bonnes pratiques", reverse("practices:home"), "/bonnes-pratiques/")]

    def home_links(self, user) -> list[HomeLink]:
        url = reverse("practices:home")
        role = getattr(user, "role", None)
        if role in ("conseiller", "directeur"):
            return [
                HomeLink(
                    "Les bonnes pratiques",
                    "Partagez les fiches de bonnes pratiques de votre structure et consultez celles du réseau.",
                    url,
                )
            ]
        if role == "animateur_regional" or getattr(user, "is_national", False):
            return [
                HomeLink(
                    "Les bonnes pratiques", "Relisez les fiches soumises et consultez le catalogue du réseau.", url
                )
            ]
        return [HomeLink("Les bonnes pratiques", "Le catalogue des fiches de bonnes pratiques du réseau.", url)]
