from django.urls import reverse

from cnml.registry import FeatureAppConfig, HomeLink, NavItem


class SurveysConfig(FeatureAppConfig):
    name = "surveys"
    verbose_name = "Enquêtes de satisfaction"
    order = 30
    url_prefix = "enquetes/"
    # The short public links /e/<code>/ printed on posters live at the site root.
    root_urls = "surveys.public_urls"
    role_permissions = {
        "relecteur_cnml": [
            "view_questionnaire",
            "add_questionnaire",
            "change_questionnaire",
            "view_section",
            "add_section",
            "change_section",
            "delete_section",
            "view_question",
            "add_question",
            "change_question",
            "delete_question",
            "view_choice",
            "add_choice",
            "change_choice",
            "delete_choice",
            "view_questionnaireversion",
            "view_campaign",
            "view_distributionpoint",
        ],
    }

    def ready(self) -> None:
        from surveys import signals  # noqa: F401

    def navigation(self, user) -> list[NavItem]:
        if not user.is_authenticated:
            # Published results are the surveys' public face (surveys.publication_views).
            return [NavItem("Résultats des enquêtes", reverse("surveys:public_index"), "/enquetes/resultats-publies/")]
        return [NavItem("Enquêtes", reverse("surveys:home"), "/enquetes/")]

    def home_links(self, user) -> list[HomeLink]:
        if not user.is_authenticated:
            return [
                HomeLink(
                    "Les résultats des enquêtes de satisfaction",
                    "Ce que les jeunes et les employeurs disent des missions locales, par région, mission locale et antenne.",
                    reverse("surveys:public_index"),
                )
            ]
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

    def load_demo(self, *, stdout) -> None:
        from surveys.demo import demo_load_surveys

        demo_load_surveys(stdout=stdout)
