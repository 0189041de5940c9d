"""Every page that exists today, for an anonymous visitor and each of the five roles.

Checks the status code (or the redirection), that the page is in French, that the
navigation follows the role and that the footer's legal links are everywhere.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from cnml import registry
from cnml.models import Role
from cnml.views import ROLE_INTRODUCTIONS

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonyme"
VISITORS = [ANONYMOUS, *Role.values]
STAFF_ROLES = {Role.RELECTEUR_CNML, Role.ADMINISTRATEUR}

# path -> French h1 (None: computed per visitor); pages open to everybody.
PUBLIC_PAGES = {
    "/": None,
    "/compte/mot-de-passe/oublie/": "Mot de passe oublié",
    "/accessibilite/": "Déclaration d'accessibilité",
    "/mentions-legales/": "Mentions légales",
    "/donnees-personnelles/": "Données personnelles",
    "/plan-du-site/": "Plan du site",
    "/tableau-de-bord/": "Tableau de bord",
    "/bonnes-pratiques/": "Bonnes pratiques",
    "/mobilite/": "Appels à projets",
}
# Pages that need a signed-in user.
LOGIN_PAGES = {
    "/compte/mot-de-passe/modifier/": "Changer de mot de passe",
    "/enquetes/": "Enquêtes de satisfaction",
}
LOGIN_PAGE = "/compte/connexion/"
ADMIN_PAGE = "/admin/"

FOOTER_LINKS = {
    "/accessibilite/": "Accessibilité",
    "/mentions-legales/": "Mentions légales",
    "/donnees-personnelles/": "Données personnelles",
}


@dataclass
class Page:
    """What the tests read from a rendered page."""

    lang: str | None = None
    h1: list[str] = field(default_factory=list)
    navigation: dict[str, str] = field(default_factory=dict)  # label -> href
    footer: dict[str, str] = field(default_factory=dict)  # href -> label
    current: list[str] = field(default_factory=list)  # navigation labels marked aria-current


class PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._h1: list[str] | None = None
        self._link: tuple[str, list[str], bool] | None = None
        self._in_nav = 0
        self._in_footer = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.page.lang = attrs.get("lang")
        elif tag == "h1":
            self._h1 = []
        elif tag == "nav":
            if attrs.get("id") == "navigation-principale" or self._in_nav:
                self._in_nav += 1
        elif tag == "footer":
            self._in_footer += 1
        elif tag == "a":
            self._link = (attrs.get("href", ""), [], attrs.get("aria-current") == "page")

    def handle_endtag(self, tag):
        if tag == "h1" and self._h1 is not None:
            self.page.h1.append(" ".join("".join(self._h1).split()))
            self._h1 = None
        elif tag == "nav" and self._in_nav:
            self._in_nav -= 1
        elif tag == "footer" and self._in_footer:
            self._in_footer -= 1
        elif tag == "a" and self._link is not None:
            href, text, current = self._link
            label = " ".join("".join(text).split())
            if self._in_nav:
                self.page.navigation[label] = href
                if current:
                    self.page.current.append(label)
            if self._in_footer:
                self.page.footer[href] = label
            self._link = None

    def handle_data(self, data):
        if self._h1 is not None:
            self._h1.append(data)
        if self._link is not None:
            self._link[1].append(data)


def parse(response) -> Page:
    parser = PageParser()
    parser.feed(response.content.decode())
    return parser.page


@pytest.fixture
def users(users, partner):
    """Every role's user, the partner of comités de pilotage (who has no structure) included."""
    return {**users, Role.PARTENAIRE: partner}


@pytest.fixture
def visitor_client(users, client_for):
    """``visitor_client(visitor)``: a client for ``"anonyme"`` or a role value."""

    def make(visitor: str):
        return client_for(None if visitor == ANONYMOUS else users[visitor])

    return make


def expected_h1(path: str, visitor: str, users) -> str:
    if path == "/":
        return settings.SITE_NAME if visitor == ANONYMOUS else f"Bonjour {users[visitor].first_name}"
    return {**PUBLIC_PAGES, **LOGIN_PAGES}[path]


def assert_french_page_with_footer(response, h1: str) -> Page:
    page = parse(response)
    assert page.lang == "fr"
    assert page.h1 == [h1]
    for href, label in FOOTER_LINKS.items():
        assert href in page.footer, f"lien {href} absent du pied de page"
        assert page.footer[href].startswith(label)
    return page


def assert_redirects_to_login(response, login_path: str, path: str) -> None:
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == login_path
    assert location.query == f"next={path}" or location.query == f"next={path.replace('/', '%2F')}"


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_open_to_everybody_in_french(visitor_client, users, visitor, path):
    response = visitor_client(visitor).get(path)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert_french_page_with_footer(response, expected_h1(path, visitor, users))


@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_login_required_page_sends_anonymous_to_login(visitor_client, path):
    response = visitor_client(ANONYMOUS).get(path)

    assert_redirects_to_login(response, LOGIN_PAGE, path)


@pytest.mark.parametrize("visitor", Role.values)
@pytest.mark.parametrize("path", LOGIN_PAGES)
def test_login_required_page_opens_for_every_role(visitor_client, users, visitor, path):
    response = visitor_client(visitor).get(path)

    assert response.status_code == 200
    assert_french_page_with_footer(response, expected_h1(path, visitor, users))


def test_login_page_opens_for_anonymous(visitor_client):
    response = visitor_client(ANONYMOUS).get(LOGIN_PAGE)

    assert response.status_code == 200
    page = assert_french_page_with_footer(response, "Connexion")
    content = response.content.decode()
    assert 'name="username"' in content
    assert 'name="password"' in content
    assert "Mot de passe oublié ?" in content
    assert "Se connecter" in page.navigation or "Se connecter" in content


@pytest.mark.parametrize("visitor", Role.values)
def test_login_page_sends_signed_in_users_home(visitor_client, visitor):
    response = visitor_client(visitor).get(LOGIN_PAGE)

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.parametrize("visitor", [ANONYMOUS, Role.CONSEILLER, Role.DIRECTEUR, Role.ANIMATEUR_REGIONAL])
def test_admin_sends_non_staff_visitors_to_admin_login(visitor_client, visitor):
    response = visitor_client(visitor).get(ADMIN_PAGE)

    assert_redirects_to_login(response, "/admin/login/", ADMIN_PAGE)


@pytest.mark.parametrize("visitor", sorted(STAFF_ROLES))
def test_admin_opens_for_staff_roles_in_french(visitor_client, visitor):
    response = visitor_client(visitor).get(ADMIN_PAGE)

    assert response.status_code == 200
    page = parse(response)
    assert page.lang == "fr"
    content = response.content.decode()
    assert "Administration du back-office CNML" in content
    # French interface of Django's admin.
    assert "Déconnexion" in content or "Se déconnecter" in content


def test_administrateur_sees_network_models_in_admin(visitor_client):
    content = visitor_client(Role.ADMINISTRATEUR).get(ADMIN_PAGE).content.decode()

    assert "/admin/cnml/structure/" in content
    assert "/admin/cnml/region/" in content
    assert "/admin/cnml/user/" in content


@pytest.mark.parametrize("visitor", VISITORS)
def test_navigation_follows_the_role(visitor_client, visitor):
    page = parse(visitor_client(visitor).get("/"))

    # Open to everybody.
    assert page.navigation["Accueil"] == "/"
    assert page.navigation["Tableau de bord"] == "/tableau-de-bord/"
    assert page.navigation["Bonnes pratiques"] == "/bonnes-pratiques/"
    assert page.navigation["Appels à projets"] == "/mobilite/"
    # Surveys only for signed-in users, the admin only for staff roles.
    assert ("Enquêtes" in page.navigation) == (visitor != ANONYMOUS)
    assert ("Administration" in page.navigation) == (visitor in STAFF_ROLES)
    if visitor != ANONYMOUS:
        assert page.navigation["Enquêtes"] == "/enquetes/"
    if visitor in STAFF_ROLES:
        assert page.navigation["Administration"] == "/admin/"


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("/", "Accueil"),
        ("/bonnes-pratiques/", "Bonnes pratiques"),
        ("/enquetes/", "Enquêtes"),
        ("/mobilite/", "Appels à projets"),
    ],
)
def test_navigation_marks_the_current_section_only(visitor_client, path, label):
    page = parse(visitor_client(Role.CONSEILLER).get(path))

    assert page.current == [label]


def test_anonymous_home_invites_to_sign_in(visitor_client):
    response = visitor_client(ANONYMOUS).get("/")
    content = response.content.decode()

    assert "Se connecter" in content
    assert 'href="/compte/connexion/"' in content
    assert 'href="/enquetes/"' not in content
    assert 'href="/admin/"' not in content
    assert "Vous êtes connecté" not in content


@pytest.mark.parametrize("visitor", Role.values)
def test_home_names_the_role_and_structure_of_the_user(visitor_client, users, visitor):
    user = users[visitor]
    content = parse_text(visitor_client(visitor).get("/"))
    label = Role(visitor).label

    assert f"Vous êtes connecté en tant que {label[0].lower()}{label[1:]}" in content
    # A partner has no structure (tests/cnml/test_committees.py names their committees).
    assert user.structure is None or user.structure.name in content
    assert "Se déconnecter" in content


def parse_text(response) -> str:
    """The page's text with entities decoded and whitespace collapsed."""

    class TextParser(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.chunks: list[str] = []

        def handle_data(self, data):
            self.chunks.append(data)

    parser = TextParser()
    parser.feed(response.content.decode())
    # only the spaces HTML collapses: the no-break ones of French punctuation stay what they are
    return re.sub(r"[ \t\r\n\f]+", " ", "".join(parser.chunks)).strip()


def home_cards(response) -> dict[str, str]:
    """The home page's cards: link href -> card title."""
    cards = re.findall(
        r'<h3 class="fr-card__title">\s*<a href="([^"]+)">([^<]+)</a>', response.content.decode(), re.MULTILINE
    )
    return {href: html.unescape(title.strip()) for href, title in cards}


@pytest.mark.parametrize("visitor", VISITORS)
def test_home_shows_the_cards_the_apps_give_the_role(visitor_client, users, visitor):
    user = AnonymousUser() if visitor == ANONYMOUS else users[visitor]
    expected = {link.url: link.title for link in registry.home_links(user)}
    if visitor in STAFF_ROLES:
        expected["/admin/"] = "L'administration"
    if visitor == Role.ADMINISTRATEUR:
        expected["/exploitation/"] = "L'exploitation"
    if visitor == ANONYMOUS:
        expected["/compte/connexion/"] = "Se connecter"

    cards = home_cards(visitor_client(visitor).get("/"))

    assert cards == expected
    # Every feature app offers something to everybody (surveys: their published results to visitors).
    sections = {urlsplit(url).path.split("/")[1] for url in cards}
    assert {"tableau-de-bord", "bonnes-pratiques", "mobilite", "enquetes"} <= sections


@pytest.mark.parametrize("visitor", Role.values)
def test_home_introduces_the_role(visitor_client, visitor):
    text = parse_text(visitor_client(visitor).get("/"))

    assert ROLE_INTRODUCTIONS[visitor] in text
    for other, introduction in ROLE_INTRODUCTIONS.items():
        if other != visitor:
            assert introduction not in text


def test_home_texts_differ_for_every_visitor(visitor_client):
    texts = {visitor: parse_text(visitor_client(visitor).get("/")) for visitor in VISITORS}

    assert len(set(texts.values())) == len(VISITORS)
    assert "Gérez le réseau, les comptes et les rôles" in texts[Role.ADMINISTRATEUR]
    assert "Gérez le réseau, les comptes et les rôles" not in texts[Role.RELECTEUR_CNML]
    assert "Validez les chiffres, modérez les fiches" in texts[Role.RELECTEUR_CNML]
    assert "Consultez librement le tableau de bord national" in texts[ANONYMOUS]
