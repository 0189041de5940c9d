from django.urls import reverse

from cnml.registry import FeatureAppConfig, HomeLink, NavItem

MODELS = ["partner", "agreement", "commitment", "localdeclination", "commitmentresult", "agreementdocument"]


class AlternanceConfig(FeatureAppConfig):
    name = "alternance"
    verbose_name = "Partenariats pour l'alternance"
    order = 50
    url_prefix = "partenariats/"
    # (Role values as strings: cnml.models cannot be imported while apps load.)
    # CNML reviewers keep the partners, agreements, commitments, declinations and results in the
    # admin; the agreements' states move on the follow-up page only (logged transitions).
    # Administrators hold every permission.
    role_permissions = {
        "relecteur_cnml": [f"{verb}_{model}" for model in MODELS for verb in ("view", "add", "change")],
    }

    def navigation(self, user) -> list[NavItem]:
        return [NavItem("Alternance", reverse("alternance:home"), "/partenariats/")]

    def home_links(self, user) -> list[HomeLink]:
        from alternance.permissions import may_follow

        if may_follow(user):
            description = (
                "Suivez les accords de partenariat de votre région et saisissez leurs résultats."
                if not user.is_national
                else "Suivez les chartes et conventions avec les branches et les OPCA, et leurs résultats."
            )
            return [
                HomeLink("Le suivi des partenariats pour l'alternance", description, reverse("alternance:follow_up"))
            ]
        return [
            HomeLink(
                "Les partenariats pour l'alternance",
                "La charte de l'alternance et les conventions signées avec les branches et les OPCA.",
                reverse("alternance:home"),
            )
        ]

    def load_demo(self, *, stdout) -> None:
        from alternance.demo import load_alternance_demo

        load_alternance_demo(stdout=stdout)
