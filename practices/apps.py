from django.urls import reverse

from cnml.registry import FeatureAppConfig, HomeLink, NavItem


def _recensements_link() -> HomeLink:
    return HomeLink(
        "Les recensements de bonnes pratiques",
        "Ce que le CNML recense auprès du réseau, jusqu'à quand, et où en sont les régions.",
        reverse("practices:recensements"),
    )


class PracticesConfig(FeatureAppConfig):
    name = "practices"
    verbose_name = "Bonnes pratiques"
    order = 20
    url_prefix = "bonnes-pratiques/"
    # Reviewers work in the admin: they read the fiches and decide ("review_fiche");
    # they also keep the list of themes. Administrators hold every permission.
    role_permissions = {
        "relecteur_cnml": [
            "view_fiche",
            "review_fiche",
            "view_partner",
            "view_contact",
            "view_attachment",
            "view_ficheversion",
            "view_theme",
            "add_theme",
            "change_theme",
            "view_recensement",
            "add_recensement",
            "change_recensement",
        ],
    }

    def navigation(self, user) -> list[NavItem]:
        from practices import permissions

        items = [NavItem("Bonnes pratiques", reverse("practices:home"), "/bonnes-pratiques/")]
        # Decided on the role, without a query on every page: an animator who is a member of a committee
        # finds « Mes fiches » on the review queue page instead.
        if permissions.is_author(user) or getattr(user, "is_partner", False):
            items.append(NavItem("Mes fiches", reverse("practices:my_fiches"), "/bonnes-pratiques/mes-fiches/"))
        if permissions.is_reviewer(user) and not getattr(user, "is_staff", False):
            items.append(NavItem("Fiches à relire", reverse("practices:review_queue"), "/bonnes-pratiques/relecture/"))
        return items

    def home_links(self, user) -> list[HomeLink]:
        from practices import permissions

        url = reverse("practices:home")
        role = getattr(user, "role", None)
        if role in ("conseiller", "directeur"):
            links = [
                HomeLink(
                    "Les bonnes pratiques",
                    "Partagez les fiches de bonnes pratiques de votre structure et consultez celles du réseau.",
                    url,
                )
            ]
            if permissions.is_author(user):
                links.append(
                    HomeLink(
                        "Mes fiches",
                        "Rédigez une fiche avec vos collègues, soumettez-la et suivez sa relecture.",
                        reverse("practices:my_fiches"),
                    )
                )
                links.append(_recensements_link())
            return links
        if role == "animateur_regional" or getattr(user, "is_national", False):
            return [
                HomeLink(
                    "Les bonnes pratiques", "Relisez les fiches soumises et consultez le catalogue du réseau.", url
                ),
                HomeLink(
                    "Fiches à relire",
                    "Les fiches qui attendent votre relecture, les plus en retard d'abord.",
                    reverse("practices:review_queue"),
                ),
                _recensements_link(),
            ]
        links = [HomeLink("Les bonnes pratiques", "Le catalogue des fiches de bonnes pratiques du réseau.", url)]
        if getattr(user, "is_partner", False):
            # Partners of a comité de pilotage: the committee's fiches are their way in.
            links.append(
                HomeLink(
                    "Mes fiches",
                    "Rédigez les fiches de votre comité de pilotage avec ses membres et suivez leur relecture.",
                    reverse("practices:my_fiches"),
                )
            )
        return links

    def load_demo(self, *, stdout) -> None:
        from practices.demo import demo_load_practices

        demo_load_practices(stdout=stdout)
