"""Who opens which page of the practices app, for every role (and anonymous visitors).

The fiches belong to mission locale A1 (region A). Outside their structure, nobody sees a
draft; a fiche under review is seen by its structure and its reviewers only: others get 404.
"""

from __future__ import annotations

import pytest

from practices import permissions
from practices.models import Status
from tests.practices.factories import make_fiche
from tests.practices.helpers import ACTOR_NAMES

pytestmark = pytest.mark.django_db

EVERYONE = set(ACTOR_NAMES)
AUTHORS_A1 = {"conseiller", "directeur"}
REVIEWERS_A1 = {"animateur", "relecteur", "administrateur"}
ALL_AUTHORS = {"conseiller", "directeur", "antenne", "colleague_a2", "outsider"}
ALL_REVIEWERS = {"animateur", "animateur_b", "relecteur", "administrateur"}
LOGIN = "login"


def expected_for(
    allowed: set[str], *, denied: int = 404, anonymous: int | str = 404, ok: int = 200
) -> dict[str, int | str]:
    table = {name: ok if name in allowed else denied for name in EVERYONE}
    if "anonyme" not in allowed:
        table["anonyme"] = anonymous
    return table


# page -> (state of the fiche of ML A1 or None, path template, expected per actor)
PAGES = {
    "catalogue": (None, "/bonnes-pratiques/", expected_for(EVERYONE)),
    "published fiche": (Status.PUBLIEE, "/bonnes-pratiques/fiche/{pk}/", expected_for(EVERYONE)),
    "published fiche, print": (Status.PUBLIEE, "/bonnes-pratiques/fiche/{pk}/imprimer/", expected_for(EVERYONE)),
    "draft": (Status.BROUILLON, "/bonnes-pratiques/fiche/{pk}/", expected_for(AUTHORS_A1)),
    "draft, print": (Status.BROUILLON, "/bonnes-pratiques/fiche/{pk}/imprimer/", expected_for(AUTHORS_A1)),
    "draft, pdf": (Status.BROUILLON, "/bonnes-pratiques/fiche/{pk}/pdf/", expected_for(AUTHORS_A1)),
    "draft, edit": (
        Status.BROUILLON,
        "/bonnes-pratiques/fiche/{pk}/modifier/",
        expected_for(AUTHORS_A1, anonymous=LOGIN),
    ),
    "draft, submit": (
        Status.BROUILLON,
        "/bonnes-pratiques/fiche/{pk}/soumettre/",
        expected_for(AUTHORS_A1, anonymous=LOGIN),
    ),
    "submitted": (Status.SOUMISE, "/bonnes-pratiques/fiche/{pk}/", expected_for(AUTHORS_A1 | REVIEWERS_A1)),
    "under review": (Status.EN_RELECTURE, "/bonnes-pratiques/fiche/{pk}/", expected_for(AUTHORS_A1 | REVIEWERS_A1)),
    "to complete": (Status.A_COMPLETER, "/bonnes-pratiques/fiche/{pk}/", expected_for(AUTHORS_A1 | REVIEWERS_A1)),
    "refused": (Status.REFUSEE, "/bonnes-pratiques/fiche/{pk}/", expected_for(AUTHORS_A1 | REVIEWERS_A1)),
    "archived": (Status.ARCHIVEE, "/bonnes-pratiques/fiche/{pk}/", expected_for(AUTHORS_A1 | REVIEWERS_A1)),
    "submitted, versions": (
        Status.SOUMISE,
        "/bonnes-pratiques/fiche/{pk}/versions/",
        expected_for(AUTHORS_A1 | REVIEWERS_A1, anonymous=LOGIN),
    ),
    "submitted, take in review": (
        Status.SOUMISE,
        "/bonnes-pratiques/fiche/{pk}/prendre-en-relecture/",
        {**expected_for(REVIEWERS_A1, anonymous=LOGIN), "conseiller": 403, "directeur": 403},
    ),
    "under review, publish": (
        Status.EN_RELECTURE,
        "/bonnes-pratiques/fiche/{pk}/publier/",
        {**expected_for(REVIEWERS_A1, anonymous=LOGIN), "conseiller": 403, "directeur": 403},
    ),
    "published, archive": (
        Status.PUBLIEE,
        "/bonnes-pratiques/fiche/{pk}/archiver/",
        # Everyone reads a published fiche: those who may not archive it are refused (403).
        {**expected_for(REVIEWERS_A1 | {"directeur"}, denied=403, anonymous=LOGIN)},
    ),
    "submitted, edit": (
        Status.SOUMISE,
        "/bonnes-pratiques/fiche/{pk}/modifier/",
        # Its authors are sent back to the fiche; reviewers cannot edit; others do not see it.
        {**expected_for(set(), anonymous=LOGIN), "conseiller": 302, "directeur": 302},
    ),
    "my fiches": (None, "/bonnes-pratiques/mes-fiches/", expected_for(ALL_AUTHORS, denied=403, anonymous=LOGIN)),
    "new fiche": (
        None,
        "/bonnes-pratiques/mes-fiches/nouvelle/",
        expected_for(ALL_AUTHORS, denied=403, anonymous=LOGIN),
    ),
    "review queue": (None, "/bonnes-pratiques/relecture/", expected_for(ALL_REVIEWERS, denied=403, anonymous=LOGIN)),
}


@pytest.mark.parametrize("page", PAGES)
def test_page_opens_only_for_those_allowed(actors, network, client_for, page):
    state, template, expected = PAGES[page]
    fiche = make_fiche(state, structure=network.ml_a1, author=actors["conseiller"]) if state else None
    path = template.format(pk=fiche.pk if fiche else "")

    for name, status in expected.items():
        user = None if name == "anonyme" else actors[name]
        response = client_for(user).get(path)
        if status == LOGIN:
            assert response.status_code == 302, f"{page} / {name}"
            assert response["Location"].startswith("/compte/connexion/?next="), f"{page} / {name}"
        else:
            assert response.status_code == status, f"{page} / {name}: {response.status_code} instead of {status}"


def test_admin_of_fiches_is_for_cnml_reviewers_only(actors, client_for):
    for name in EVERYONE:
        response = client_for(None if name == "anonyme" else actors[name]).get("/admin/practices/fiche/")
        if name in ("relecteur", "administrateur"):
            assert response.status_code == 200, name
        else:
            assert response.status_code == 302, name
            assert response["Location"].startswith("/admin/login/"), name


def test_visible_fiches_per_role(actors, network):
    fiches = {state: make_fiche(state, structure=network.ml_a1) for state in Status.values}
    others = {state: make_fiche(state, structure=network.ml_b2) for state in Status.values}

    def visible(name):
        found = set(permissions.visible_fiches(actors[name]))
        return {f"A:{s}" for s, f in fiches.items() if f in found} | {f"B:{s}" for s, f in others.items() if f in found}

    published = {"A:publiee", "B:publiee"}
    all_a = {f"A:{state}" for state in Status.values}
    non_draft_a = all_a - {"A:brouillon"}
    non_draft_b = {f"B:{state}" for state in Status.values} - {"B:brouillon"}
    assert visible("conseiller") == published | all_a
    assert visible("directeur") == published | all_a
    assert visible("antenne") == published
    assert visible("colleague_a2") == published
    assert visible("outsider") == published
    assert visible("anonyme") == published
    assert visible("animateur") == published | non_draft_a
    assert visible("animateur_b") == published | non_draft_b
    assert visible("relecteur") == published | non_draft_a | non_draft_b
    assert visible("administrateur") == published | non_draft_a | non_draft_b


def test_antenne_fiche_is_shared_with_its_mission_locale(actors, network, client_for):
    fiche = make_fiche(structure=network.antenne_a1, author=actors["antenne"])

    assert client_for(actors["antenne"]).get(f"/bonnes-pratiques/fiche/{fiche.pk}/").status_code == 200
    # The mission locale's staff reach their antennes (cnml.permissions), and co-edit.
    assert client_for(actors["directeur"]).get(f"/bonnes-pratiques/fiche/{fiche.pk}/modifier/").status_code == 200
    assert client_for(actors["colleague_a2"]).get(f"/bonnes-pratiques/fiche/{fiche.pk}/").status_code == 404


def test_navigation_and_home_links_follow_the_role(actors, client_for):
    def nav(name):
        content = client_for(None if name == "anonyme" else actors[name]).get("/").content.decode()
        return {
            label
            for label, href in (
                ("Mes fiches", 'href="/bonnes-pratiques/mes-fiches/"'),
                ("Fiches à relire", 'href="/bonnes-pratiques/relecture/"'),
            )
            if href in content
        }

    assert nav("conseiller") == {"Mes fiches"}
    assert nav("directeur") == {"Mes fiches"}
    assert nav("animateur") == {"Fiches à relire"}
    assert nav("relecteur") == {"Fiches à relire"}
    assert nav("anonyme") == set()
