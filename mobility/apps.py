from django.urls import reverse

from cnml.registry import FeatureAppConfig, HomeLink, NavItem

MODELS = [
    "service",
    "funder",
    "call",
    "selectioncriterion",
    "callsection",
    "carrier",
    "carriermembershiprequest",
    "application",
    "applicationneed",
    "applicationstep",
    "applicationfunding",
    "governancepartner",
    "applicationanswer",
    "review",
    "criterionscore",
    "project",
    "faresupport",
    "formationsession",
    "target",
    "milestone",
    "budgetline",
    "budgetamendment",
    "budgetamendmentline",
    "projectdocument",
    "activityreport",
    "servicedelivery",
]


class MobilityConfig(FeatureAppConfig):
    name = "mobility"
    # Calls for projects of every theme; the label stays « mobility » (migrations, addresses printed
    # since 2011), the mobility platforms being one theme among others (ARCHITECTURE.md).
    verbose_name = "Appels à projets"
    order = 40
    url_prefix = "mobilite/"
    # (Role values as strings: cnml.models cannot be imported while apps load.)
    # In the admin, CNML reviewers read everything, keep the catalogues (services, funders)
    # up to date, open membership requests and remove members of carriers; administrators
    # hold every permission.
    role_permissions = {
        "relecteur_cnml": [f"view_{model}" for model in MODELS]
        + ["add_service", "change_service", "add_funder", "change_funder", "change_carrier"]
        + ["add_carriermembershiprequest"],
    }

    def navigation(self, user) -> list[NavItem]:
        return [NavItem("Appels à projets", reverse("mobility:home"), "/mobilite/")]

    def home_links(self, user) -> list[HomeLink]:
        url = reverse("mobility:home")
        if getattr(user, "is_national", False):
            return [
                HomeLink(
                    "Les appels à projets",
                    "Publiez les appels à projets (plateformes de mobilité, alternance…), sélectionnez les "
                    "candidatures, suivez les projets.",
                    url,
                )
            ]
        if user.is_authenticated:
            return [
                HomeLink(
                    "Les appels à projets",
                    "Candidatez aux appels à projets et suivez vos projets.",
                    url,
                )
            ]
        return [HomeLink("Les appels à projets", "Les appels à projets du CNML et les projets soutenus.", url)]

    def load_demo(self, *, stdout) -> None:
        from mobility.demo import load_mobility_demo

        load_mobility_demo(stdout=stdout)
