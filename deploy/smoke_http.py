"""The HTTP toolkit of deploy/smoke.py: a visitor with its cookies, and the forms of a page.

Standard library only. A :class:`Client` on ``http://`` talks to gunicorn itself and adds what nginx
would (``X-Forwarded-For``, ``X-Forwarded-Proto: https``); on ``https://`` it talks to nginx in TLS.
Cookies are kept by hand: they are ``Secure`` in production, which a client library would not send
over plain HTTP. Forms are read as a browser submits them, untouched fields included.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import ssl
from html import unescape
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


class SmokeFailure(AssertionError):
    pass


def check(condition, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


class Page:
    def __init__(self, response: http.client.HTTPResponse, path: str):
        self.path = path
        self.status = response.status
        self.headers = response.headers
        self.text = response.read().decode("utf-8", errors="replace")

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def json(self) -> dict:
        return json.loads(self.text)

    def __repr__(self) -> str:
        return f"<{self.status} {self.path}>"


class Client:
    """One visitor and its cookies.

    On ``http://`` (gunicorn itself) it sends what nginx would add: ``X-Forwarded-For`` (``address``)
    and ``X-Forwarded-Proto: https``. On ``https://`` (nginx) it speaks TLS with the service's name
    (SNI) and sends no such header of its own: nginx writes them.
    """

    def __init__(self, base: str, host: str, address: str | None = None, *, cafile: str | None = None):
        parts = urlsplit(base)
        self.tls = parts.scheme == "https"
        self.address_port = (parts.hostname, parts.port or (443 if self.tls else 80))
        self.host = host
        self.address = address
        self.cafile = cafile
        self.cookies: dict[str, str] = {}
        self.cookie_flags: dict[str, str] = {}

    def connect(self) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection(*self.address_port, timeout=60)
        if self.tls:
            context = ssl.create_default_context(cafile=self.cafile)
            raw = socket.create_connection(self.address_port, timeout=60)
            connection.sock = context.wrap_socket(raw, server_hostname=self.host)
        return connection

    def request(
        self, method: str, path: str, data: dict | bytes | None = None, *, https: bool = True, headers=None
    ) -> Page:
        headers = {"Host": self.host, "User-Agent": "cnml-production-smoke", **(headers or {})}
        if not self.tls and self.address:
            headers["X-Forwarded-For"] = self.address
        if not self.tls and https:
            headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = data
        if isinstance(data, dict):
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if data is not None:
            headers["Origin"] = f"https://{self.host}"
            headers["Referer"] = f"https://{self.host}{path}"
        connection = self.connect()
        try:
            connection.request(method, path, body=body, headers=headers)
            page = Page(connection.getresponse(), path)
        finally:
            connection.close()
        for header in page.headers.get_all("Set-Cookie") or []:
            self._keep(header)
        return page

    def _keep(self, header: str) -> None:
        for name, morsel in SimpleCookie(header).items():
            if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value
                self.cookie_flags[name] = header.lower()

    def get(self, path: str, **kwargs) -> Page:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: dict | bytes, **kwargs) -> Page:
        return self.request("POST", path, data, **kwargs)

    def local(self, location: str) -> str:
        """The path of a redirect; an absolute one must be on https://<host>."""
        parts = urlsplit(location)
        if parts.netloc:
            check(parts.scheme == "https" and parts.netloc == self.host, f"redirection hors du site : {location}")
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def follow(self, page: Page) -> Page:
        for _ in range(5):
            if page.status not in (301, 302, 303):
                return page
            page = self.get(self.local(page.location))
        raise SmokeFailure(f"trop de redirections depuis {page.path}")

    def sign_in(self, email: str, password: str) -> Page:
        form = page_forms(self.get("/compte/connexion/"), "password")[0]
        page = self.post(form.action or "/compte/connexion/", form.data(username=email, password=password))
        check(page.status == 302, f"connexion de {email} refusée ({page.status})")
        return self.follow(page)


class Form:
    def __init__(self, action: str, method: str):
        self.action = unescape(action)
        self.method = method.lower()
        self.fields: list[dict] = []

    def names(self) -> set[str]:
        return {field["name"] for field in self.fields}

    def data(self, **values) -> dict[str, list[str]]:
        """What a browser sends with nothing touched, then ``values`` (a list for several values)."""
        sent: dict[str, list[str]] = {}
        for field in self.fields:
            kind = field["type"]
            if kind in ("submit", "button", "reset", "file", "image"):
                continue
            if kind in ("checkbox", "radio") and not field["checked"]:
                continue
            if kind == "select":
                chosen = [value for value, selected in field["options"] if selected] or [
                    v for v, _ in field["options"][:1]
                ]
                sent.setdefault(field["name"], []).extend(chosen[:1] if not field["multiple"] else chosen)
                continue
            sent.setdefault(field["name"], []).append(field["value"])
        for name, value in values.items():
            sent[name] = value if isinstance(value, list) else [str(value)]
        return sent

    def choices(self, name: str) -> list[tuple[str, str]]:
        """(value, label) of a select, or (value, "") of radios and checkboxes named ``name``."""
        for field in self.fields:
            if field["name"] == name and field["type"] == "select":
                return [(value, label) for value, label in field["labels"]]
        return [(field["value"], "") for field in self.fields if field["name"] == name]


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._select: dict | None = None
        self._option: list | None = None
        self._textarea: dict | None = None

    def handle_starttag(self, tag, attrs):
        attributes = {key: (value if value is not None else "") for key, value in attrs}
        if tag == "form":
            self.forms.append(Form(attributes.get("action", ""), attributes.get("method", "get")))
        if not self.forms or not attributes.get("name") and tag != "option":
            return
        fields = self.forms[-1].fields
        if tag in ("input", "button"):
            kind = attributes.get("type", "text" if tag == "input" else "submit").lower()
            value = attributes.get("value", "on" if kind in ("checkbox", "radio") else "")
            fields.append(
                {"name": attributes["name"], "type": kind, "value": value, "checked": "checked" in attributes}
            )
        elif tag == "select":
            self._select = {"name": attributes["name"], "type": "select", "options": [], "labels": []}
            self._select["multiple"] = "multiple" in attributes
            fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [attributes.get("value"), "selected" in attributes, ""]
        elif tag == "textarea":
            self._textarea = {"name": attributes["name"], "type": "textarea", "value": "", "checked": False}
            fields.append(self._textarea)

    def handle_data(self, data):
        if self._option is not None:
            self._option[2] += data
        elif self._textarea is not None:
            self._textarea["value"] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None:
            value, selected, label = self._option
            value = label.strip() if value is None else value
            self._select["options"].append((value, selected))
            self._select["labels"].append((value, label.strip()))
            self._option = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # As a browser does, the newline right after <textarea> is not part of the value.
            self._textarea["value"] = self._textarea["value"].removeprefix("\r").removeprefix("\n")
            self._textarea = None


def page_forms(page: Page, field: str | None = None) -> list[Form]:
    """The page's forms (those with a field named ``field``); at least one."""
    check(page.status == 200, f"{page.path} : {page.status} au lieu de 200")
    parser = FormParser()
    parser.feed(page.text)
    forms = [form for form in parser.forms if field is None or field in form.names()]
    check(forms, f"{page.path} : aucun formulaire{f' avec le champ {field}' if field else ''}")
    return forms


def errors(page: Page) -> str:
    """The error messages a form page shows (DSFR error texts and alerts), for a failure's message."""
    found = re.findall(r'class="[^"]*(?:fr-error-text|fr-alert--error)[^"]*"[^>]*>(.*?)</(?:p|div)>', page.text, re.S)
    return " | ".join(re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", text))).strip() for text in found)


def form_posting_to(page: Page, suffix: str) -> Form:
    forms = [form for form in page_forms(page) if form.action.rstrip("/").endswith(suffix.rstrip("/"))]
    check(forms, f"{page.path} : aucun formulaire vers …{suffix}")
    return forms[0]
