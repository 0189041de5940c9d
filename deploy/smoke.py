"""Drive a started production profile over HTTP, first as nginx passes requests to gunicorn, then through nginx.

Run by ``.ci/production-smoke`` (CI phase 4) against gunicorn with production settings, a Celery
worker and beat, PostgreSQL, Redis, an SMTP sink writing a Maildir and, when installed, nginx with
the site of deploy/nginx/. Standard library only (the HTTP toolkit: ``smoke_http.py``).

Checked: ``/sante/`` green with a worker; plain HTTP redirected to https, HSTS and CSP sent; a public
page and a static file; a sign-in with its CSRF token (and a post without a valid one refused); a
survey campaign created and opened, answered anonymously, closed, and its results computed by the
worker; a fiche written and submitted by a conseiller, whose e-mail to the reviewers reaches the SMTP
sink with links on SITE_URL; the Prometheus metrics read by the monitoring address only, and a request
id on every response. Through nginx: TLS for the service's name only, port 80 redirected, static
files, body sizes, ``X-Forwarded-For`` and ``X-Request-ID`` written by nginx alone, ``/metrics/`` closed.
"""

from __future__ import annotations

import argparse
import mailbox
import os
import re
import ssl
import sys
import time
from datetime import date, timedelta
from email.header import decode_header, make_header

from smoke_http import Client, SmokeFailure, check, errors, form_posting_to, page_forms

# The demo accounts' password (cnml/demo.py, DEMO_PASSWORD): the demo is loaded for this run only.
DEMO_PASSWORD = "demo-cnml-2011"
CONSEILLER = "conseiller@demo.cnml.fr"
# Locked out on purpose by the nginx check (five failed sign-ins).
LOCKED = "directeur@demo.cnml.fr"
FICHE_TITLE = "Essai de mise en production : un atelier numérique partagé"
# The monitoring host of this run (METRICS_ALLOWED_IPS, set by .ci/production-smoke).
MONITORING = "192.0.2.50"
REQUEST_ID = re.compile(r"[0-9a-f]{32}")
WAIT_SECONDS = 90


def wait_for(what: str, probe, timeout: float = WAIT_SECONDS):
    """Call ``probe`` until it returns something true; its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise SmokeFailure(f"{what} : rien après {timeout:.0f} s.")
        time.sleep(0.5)


# --- The journeys ---------------------------------------------------------------------------------


def check_health(anonymous: Client) -> None:
    def green():
        try:
            page = anonymous.get("/sante/")
        except OSError:  # gunicorn still starting
            return None
        return page if page.status == 200 else None

    report = wait_for("/sante/ au vert (base, broker, un worker)", green).json()
    check(report["statut"] == "ok" and report["broker"]["configure"], f"/sante/ : {report}")
    check(report["workers"]["nombre"] >= 1, f"/sante/ : aucun worker ({report['workers']})")
    print(f"/sante/ : {report['statut']}, {report['workers']['nombre']} worker(s), base {report['base_de_donnees']}")


def check_metrics(base: str, host: str, anonymous: Client) -> None:
    """/metrics/ for the monitoring address only; every response names its request id."""
    refused = anonymous.get("/metrics/")
    check(refused.status == 404, f"/metrics/ pour une adresse quelconque : {refused.status} au lieu de 404")
    page = Client(base, host, MONITORING).get("/metrics/")
    check(page.status == 200, f"/metrics/ pour la supervision : {page.status}")
    alive = re.search(r"^cnml_workers_alive (\S+)$", page.text, re.MULTILINE)
    check(alive and float(alive.group(1)) >= 1, "/metrics/ : cnml_workers_alive absent ou nul")
    check("django_http_requests_total_by_view_transport_method_total" in page.text, "/metrics/ sans les requêtes")
    request_id = refused.headers.get("X-Request-ID", "")
    check(REQUEST_ID.fullmatch(request_id), f"réponse sans identifiant de requête : « {request_id} »")
    print("/metrics/ : 404 pour une adresse quelconque, lu par la supervision ; X-Request-ID sur les réponses")


def check_https(anonymous: Client) -> None:
    plain = anonymous.get("/sante/", https=False)
    check(plain.status == 301, f"HTTP sans X-Forwarded-Proto : {plain.status} au lieu de 301")
    check(plain.location == f"https://{anonymous.host}/sante/", f"redirection vers {plain.location}")
    page = anonymous.get("/")
    check(page.status == 200, f"accueil : {page.status}")
    check("max-age=" in page.headers.get("Strict-Transport-Security", ""), "pas d'en-tête HSTS en https")
    check("nonce-" in page.headers.get("Content-Security-Policy", ""), "pas de Content-Security-Policy à nonce")
    check(page.headers.get("X-Frame-Options") == "DENY", "X-Frame-Options n'est pas DENY")
    print("https : HTTP redirigé vers https, HSTS, CSP et X-Frame-Options envoyés")


def check_public_page(anonymous: Client) -> str:
    page = anonymous.get("/bonnes-pratiques/")
    check(page.status == 200, f"catalogue public des bonnes pratiques : {page.status}")
    check("Se connecter" in page.text, "le catalogue public ne propose pas de se connecter")
    stylesheets = re.findall(r'href="(/static/[^"]+\.css)"', page.text)
    check(stylesheets, "aucune feuille de style /static/ dans la page")
    static = anonymous.get(stylesheets[0])
    check(static.status == 200 and len(static.text) > 100, f"{stylesheets[0]} : {static.status}")
    print(f"page publique /bonnes-pratiques/ et fichier statique {stylesheets[0]} servis")
    return stylesheets[0]


def check_sign_in(base: str, host: str, email: str, password: str) -> Client:
    visitor = Client(base, host, "203.0.113.20")
    login = page_forms(visitor.get("/compte/connexion/"), "password")[0]
    check("csrftoken" in visitor.cookies, "pas de cookie csrftoken sur la page de connexion")
    forged = login.data(username=email, password=password, csrfmiddlewaretoken="0" * 64)
    check(visitor.post("/compte/connexion/", forged).status == 403, "une connexion sans jeton CSRF valide passe")
    home = visitor.sign_in(email, password)
    check("sessionid" in visitor.cookies, "pas de session après la connexion")
    flags = visitor.cookie_flags["sessionid"]
    check("secure" in flags and "httponly" in flags, f"cookie de session sans Secure ni HttpOnly : {flags}")
    check(home.status == 200 and "/compte/deconnexion/" in home.text, "l'accueil ne montre pas la déconnexion")
    print(f"connexion de {email} (jeton CSRF, cookie de session Secure et HttpOnly)")
    return visitor


def create_open_campaign(admin: Client) -> tuple[int, str]:
    form = page_forms(admin.get("/enquetes/campagnes/nouvelle/"), "questionnaire")[0]
    questionnaire = [value for value, label in form.choices("questionnaire") if "phares" in label.lower()]
    check(questionnaire, f"questionnaire « Questions phares » absent : {form.choices('questionnaire')}")
    today = date.today()
    created = admin.post(
        "/enquetes/campagnes/nouvelle/",
        form.data(
            title="Essai de mise en production",
            questionnaire=questionnaire[0],
            audience="jeunes",
            opens_on=today.isoformat(),
            closes_on=(today + timedelta(days=30)).isoformat(),
            target=20,
            access_mode="lien",
        ),
    )
    match = re.fullmatch(r"/enquetes/campagnes/(\d+)/", admin.local(created.location))
    check(created.status == 302 and match, f"campagne non créée ({created.status}) : {errors(created)}")
    campaign = match.group(0)
    opening = form_posting_to(admin.get(campaign), "/ouvrir/")
    detail = admin.follow(admin.post(opening.action, opening.data()))
    check("Ouverte" in detail.text or "ouverte" in detail.text, "la campagne n'est pas ouverte")
    codes = re.findall(r'href="[^"]*/diffusion/([^/"]+)/qr\.svg"', detail.text)
    check(codes, "aucun point de diffusion sur la page de la campagne")
    return int(match.group(1)), codes[0]


def answer_survey(respondent: Client, code: str) -> None:
    path = f"/e/{code}/1/"
    for _ in range(10):
        form = page_forms(respondent.get(path))[-1]
        choices: dict[str, list[str]] = {}
        for field in form.fields:
            if field["name"].startswith("q-") and field["type"] in ("radio", "checkbox"):
                choices.setdefault(field["name"], [field["value"]])
        sent = respondent.post(form.action or path, form.data(**choices))
        check(sent.status == 302, f"{path} : réponse refusée ({sent.status}) : {errors(sent)}")
        path = respondent.local(sent.location)
        if path.endswith("/merci/"):
            check(respondent.get(path).status == 200, "page de remerciement absente")
            return
    raise SmokeFailure("le questionnaire ne se termine pas")


def check_survey(admin: Client, base: str, host: str) -> None:
    campaign, code = create_open_campaign(admin)
    answer_survey(Client(base, host, "198.51.100.30"), code)
    page = admin.get(f"/enquetes/campagnes/{campaign}/")
    closing = form_posting_to(page, "/cloturer/")
    closed = admin.post(closing.action, closing.data())
    check(closed.status == 302, f"clôture refusée ({closed.status})")
    started = time.monotonic()

    def computed():
        results = admin.get(f"/enquetes/campagnes/{campaign}/resultats/")
        location = admin.local(results.location) if results.status == 302 else ""
        return location if "/resultats/" in location else None

    node = wait_for("résultats de la campagne calculés par le worker", computed)
    check(admin.get(node).status == 200, f"page de résultats {node} illisible")
    elapsed = time.monotonic() - started
    print(
        f"enquête : une réponse anonyme au point {code}, clôture, résultats calculés par le worker en {elapsed:.1f} s"
    )


def submit_fiche(author: Client) -> int:
    form = page_forms(author.get("/bonnes-pratiques/mes-fiches/nouvelle/"), "title")[0]
    values: dict = {
        name: "Une action menée avec les partenaires du territoire, décrite pour l'essai de mise en production."
        for name in form.names()
        if "-" not in name and any(f["name"] == name and f["type"] == "textarea" for f in form.fields)
    }
    values |= {
        "title": FICHE_TITLE,
        "scale": form.choices("scale")[0][0],
        "themes": [form.choices("themes")[0][0]],
        "start_date": "2011-01-10",
        "contacts-0-name": "Camille Martin",
        "contacts-0-email": "camille.martin@ml.example.org",
        "action": "submit",
    }
    saved = author.post(form.action or "/bonnes-pratiques/mes-fiches/nouvelle/", form.data(**values))
    match = re.fullmatch(r"/bonnes-pratiques/fiche/(\d+)/", author.local(saved.location))
    check(saved.status == 302 and match, f"fiche non soumise ({saved.status}) : {errors(saved)}")
    page = author.follow(saved)
    check("Soumise" in page.text or "soumise" in page.text, "la fiche n'est pas soumise")
    return int(match.group(1))


def delivered(maildir: str, title: str) -> list:
    """Messages of the SMTP sink whose subject names ``title``."""
    found = []
    if not os.path.isdir(os.path.join(maildir, "new")):  # the sink creates its Maildir when it starts
        return found
    for message in mailbox.Maildir(maildir, create=False):
        subject = str(make_header(decode_header(message.get("Subject", ""))))
        if title in subject:
            found.append(message)
    return found


def body_text(message) -> str:
    part = message.get_body(("plain",)) if hasattr(message, "get_body") else None
    source = part or message
    if source.is_multipart():
        source = next(p for p in source.walk() if p.get_content_type() == "text/plain")
    return source.get_payload(decode=True).decode(source.get_content_charset() or "utf-8")


def check_fiche_mail(base: str, host: str, maildir: str) -> None:
    author = Client(base, host, "192.0.2.40")
    author.sign_in(CONSEILLER, DEMO_PASSWORD)
    started = time.monotonic()
    fiche = submit_fiche(author)
    link = f"https://{host}/bonnes-pratiques/fiche/{fiche}/"

    def arrived():
        return [message for message in delivered(maildir, FICHE_TITLE) if link in body_text(message)]

    messages = wait_for(f"e-mail de la fiche soumise, avec le lien {link}, reçu par le serveur SMTP", arrived)
    recipients = ", ".join(message.get("To", "") for message in messages)
    elapsed = time.monotonic() - started
    print(f"fiche {fiche} soumise : e-mail aux relecteurs ({recipients}) reçu {elapsed:.1f} s après, lien sur SITE_URL")


def refused_at_handshake(visitor: Client, name: str) -> bool:
    other = Client(f"https://{visitor.address_port[0]}:{visitor.address_port[1]}", name, cafile=visitor.cafile)
    try:
        other.get("/sante/")
    except (ssl.SSLError, ConnectionResetError):
        return True
    return False


def declared_upload(visitor: Client, path: str, size: int) -> int:
    """The status nginx answers to a POST announcing ``size`` bytes, before any of them is sent."""
    connection = visitor.connect()
    try:
        connection.putrequest("POST", path, skip_host=True)
        for name, value in (("Host", visitor.host), ("Content-Length", str(size))):
            connection.putheader(name, value)
        connection.endheaders()
        return connection.getresponse().status
    finally:
        connection.close()


def check_nginx(https_base: str, http_base: str, host: str, cafile: str, static: str) -> None:
    """deploy/nginx/cnml.conf in front of gunicorn: TLS, redirect, static files, body sizes, client address."""
    visitor = Client(https_base, host, cafile=cafile)
    check(visitor.get("/sante/").json()["statut"] == "ok", "/sante/ par nginx n'est pas au vert")
    check(refused_at_handshake(visitor, "autre.example.org"), "nginx répond en TLS pour un autre nom d'hôte")
    plain = Client(http_base, host).get("/sante/", https=False)
    check(plain.status == 301 and plain.location == f"https://{host}/sante/", f"port 80 : {plain.status}")
    served = visitor.get(static)
    cache = ", ".join(served.headers.get_all("Cache-Control") or [])
    check(served.status == 200 and "max-age=2592000" in cache, f"{static} par nginx : {served.status} {cache}")
    too_big = declared_upload(visitor, "/compte/connexion/", 26 * 1024 * 1024)
    check(too_big == 413, f"un envoi de 26 Mo sur une page ordinaire : {too_big} au lieu de 413")
    archive = visitor.post(
        "/admin/dashboard/extractimport/add/", bytes(30 * 1024 * 1024), headers={"Content-Type": "application/zip"}
    )
    check(archive.status != 413, "un envoi de 30 Mo sur la page de dépôt d'une extraction est refusé par nginx")
    # X-Forwarded-For is nginx's own: five failures sent with five forged addresses are one client's,
    # and lock the account for it (with the client's header appended, they would be five clients).
    login = page_forms(visitor.get("/compte/connexion/"), "password")[0]
    failures = []
    for attempt in range(5):
        forged = {"X-Forwarded-For": f"198.51.100.{attempt + 1}"}
        data = login.data(username=LOCKED, password="pas-le-bon")
        failures.append(visitor.post("/compte/connexion/", data, headers=forged).status)
    check(failures[:4] == [200] * 4, f"échecs de connexion par nginx : {failures} (formulaire attendu)")
    last = visitor.post("/compte/connexion/", login.data(username=LOCKED, password=DEMO_PASSWORD))
    locked = last.status == 429 and "Connexion temporairement bloquée" in last.text
    check(locked, f"cinq échecs avec des X-Forwarded-For forgés n'ont pas bloqué le compte ({last.status})")
    metrics = visitor.get("/metrics/")
    check(metrics.status == 404, f"/metrics/ par nginx hors de la supervision : {metrics.status} au lieu de 404")
    forged_id = "0" * 32
    answered = visitor.get("/sante/", headers={"X-Request-ID": forged_id}).headers.get("X-Request-ID", "")
    check(REQUEST_ID.fullmatch(answered) and answered != forged_id, f"X-Request-ID non écrit par nginx : {answered}")
    print(
        "nginx : TLS pour le seul nom du service, port 80 redirigé, /static/ servi par nginx, 413 au-delà de "
        "25 Mo sauf sur le dépôt d'une extraction, X-Forwarded-For écrit par nginx seul (blocage après cinq échecs), "
        "/metrics/ fermé, X-Request-ID écrit par nginx"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Parcours HTTP du profil de production (.ci/production-smoke).")
    parser.add_argument("--base", required=True, help="adresse de gunicorn, http://127.0.0.1:PORT")
    parser.add_argument("--host", required=True, help="nom d'hôte du service (ALLOWED_HOSTS, SITE_URL)")
    parser.add_argument("--admin", required=True, help="e-mail du premier administrateur (createsuperuser)")
    parser.add_argument("--maildir", required=True, help="dossier Maildir du serveur SMTP de test")
    parser.add_argument("--nginx-https", help="nginx devant gunicorn, https://127.0.0.1:PORT (facultatif)")
    parser.add_argument("--nginx-http", help="son port HTTP, http://127.0.0.1:PORT")
    parser.add_argument("--cafile", help="certificat du site nginx (auto-signé)")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    password = os.environ["SMOKE_ADMIN_PASSWORD"]
    anonymous = Client(args.base, args.host, "203.0.113.10")
    try:
        check_health(anonymous)
        check_https(anonymous)
        static = check_public_page(anonymous)
        admin = check_sign_in(args.base, args.host, args.admin, password)
        check_survey(admin, args.base, args.host)
        check_fiche_mail(args.base, args.host, args.maildir)
        check_metrics(args.base, args.host, anonymous)
        if args.nginx_https:
            check_nginx(args.nginx_https, args.nginx_http, args.host, args.cafile, static)
    except SmokeFailure as failure:
        print(f"ÉCHEC : {failure}", file=sys.stderr)
        return 1
    print("Parcours HTTP du profil de production : tout est passé.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
