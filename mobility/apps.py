from django.urls import reverse

from cnml.registry import FeatureAppConfig, HomeLink, NavItem

MODELS = [
    "service",
    "funder",
    "call",
    "selectioncriterion",
    "carrier",
    "carriermembershiprequest",
    "application",
    "applicationneed",
    "applicationstep",
    "applicationfunding",
    "governancepartner",
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
    verbose_name = "Plateformes de mobilité"
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

    def load_demo(self, *, stdout) -> None:
        from mobility.demo import load_mobility_demo

        load_mobility_demo(stdout=stdout)
