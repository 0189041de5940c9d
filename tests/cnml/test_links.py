"""Absolute addresses (e-mails, PDFs, QR codes) are built in one place, on SITE_URL, never on the Host header."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.template import engines

from cnml.links import absolute_url

SITE = "https://cnml.example.fr"


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    return SITE


def test_a_url_name_is_reversed_with_its_arguments_onto_site_url(site):
    assert absolute_url("surveys_public:entry", "ABC234") == f"{SITE}/e/ABC234/"
    assert absolute_url("surveys_public:step", code="ABC234", step=2) == f"{SITE}/e/ABC234/2/"


def test_a_path_and_an_object_with_an_address_are_put_on_site_url(site):
    class Page:
        def get_absolute_url(self) -> str:
            return "/bonnes-pratiques/fiches/7/"

    assert absolute_url("/mobilite/projets/3/#budget") == f"{SITE}/mobilite/projets/3/#budget"
    assert absolute_url(Page()) == f"{SITE}/bonnes-pratiques/fiches/7/"


def test_an_address_elsewhere_is_refused(site):
    for target in ("https://ailleurs.example/", "//ailleurs.example/e/ABC234/"):
        with pytest.raises(ValueError):
            absolute_url(target)
    with pytest.raises(ValueError):
        absolute_url("/e/ABC234/", "extra")  # a path takes no arguments


def test_without_site_url_nothing_is_guessed(settings):
    settings.SITE_URL = ""
    with pytest.raises(ImproperlyConfigured):
        absolute_url("surveys_public:entry", "ABC234")


def test_the_template_tag_builds_the_same_address_without_a_request(site):
    template = engines["django"].from_string(
        "{% load cnml_links %}{% absolute_url 'surveys_public:step' code=code step=3 %} "
        "{% absolute_url path %}{% absolute_url 'surveys_public:entry' code as link %} [{{ link }}]"
    )
    rendered = template.render({"code": "ABC234", "path": "/e/?a=1&b=2"})
    assert rendered == f"{SITE}/e/ABC234/3/ {SITE}/e/?a=1&amp;b=2 [{SITE}/e/ABC234/]"


@pytest.mark.django_db
def test_the_password_reset_link_ignores_the_host_the_request_names(
    site, settings, client, users, django_capture_on_commit_callbacks
):
    # A Host the site answers to, but not its canonical address: the link must not follow it
    # (password-reset poisoning: the token would go to whoever controls that name).
    settings.ALLOWED_HOSTS = ["cnml.example.fr", "autre-nom.example"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/compte/mot-de-passe/oublie/", {"email": users["conseiller"].email}, HTTP_HOST="autre-nom.example")
    [message] = mail.outbox
    assert "autre-nom.example" not in message.body
    assert f"{SITE}/compte/mot-de-passe/reinitialiser/" in message.body
