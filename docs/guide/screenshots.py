"""The user guide's screenshots (``docs/guide/img/``), taken on the demo data: ``make guide-screenshots``.

In a throw-away SQLite database (a temporary folder, deleted at the end) the demo is loaded as
``manage.py demo`` loads it, served by ``runserver`` on a free port, and each page of ``SHOTS`` is
opened by its role's demo account with Playwright (Debian's Chromium) and saved as a small palette
PNG. Run it again after changing a page the guide shows; review the images like code.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
IMAGES = Path(__file__).resolve().parent / "img"
PASSWORD = "demo-cnml-2011"  # cnml.demo.DEMO_PASSWORD, read before Django is set up
ACCOUNTS = {
    "public": None,
    "conseiller": "conseiller@demo.cnml.fr",
    "directeur": "directeur@demo.cnml.fr",
    "animateur": "animateur@demo.cnml.fr",
    "relecteur": "relecteur@demo.cnml.fr",
    "administrateur": "admin@demo.cnml.fr",
}
# role, image name, address (a "{fiche_a_completer}" is filled from the demo's data)
SHOTS = [
    ("public", "tableau-de-bord", "/tableau-de-bord/"),
    ("public", "catalogue", "/bonnes-pratiques/"),
    ("conseiller", "accueil", "/"),
    ("conseiller", "mes-fiches", "/bonnes-pratiques/mes-fiches/"),
    ("conseiller", "fiche-a-completer", "/bonnes-pratiques/fiche/{fiche_a_completer}/modifier/"),
    ("directeur", "tableau-de-bord-structure", "/tableau-de-bord/structures/ML93001/"),
    ("directeur", "enquetes", "/enquetes/"),
    ("directeur", "mobilite", "/mobilite/"),
    ("animateur", "tableau-de-bord-region", "/tableau-de-bord/regions/93/"),
    ("animateur", "relecture", "/bonnes-pratiques/relecture/"),
    ("animateur", "objectifs", "/tableau-de-bord/regions/93/objectifs/"),
    ("relecteur", "relecture", "/bonnes-pratiques/relecture/?toutes=1"),
    ("relecteur", "mobilite", "/mobilite/"),
    ("administrateur", "administration", "/admin/"),
    ("administrateur", "imports", "/admin/dashboard/extractimport/"),
]
VIEWPORT = {"width": 1280, "height": 800}
COLOURS = 96  # a palette this size keeps the DSFR's colours and text legible, at a few dozen ko a page


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def load_demo(environment: dict) -> dict:
    """Migrate and load the demo in this process; return the ids the addresses need."""
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from practices.models import Fiche, Status

    call_command("migrate", verbosity=0)
    call_command("sync_roles", verbosity=0)
    call_command("demo")
    fiche = Fiche.objects.filter(status=Status.A_COMPLETER).order_by("pk").first()
    return {"fiche_a_completer": fiche.pk if fiche else 0}


def serve(environment: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env={**os.environ, **environment},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/sante/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("Le serveur de démonstration n'a pas démarré.")


def compress(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=COLOURS)
    small.save(path, optimize=True)


def shoot(base: str, ids: dict) -> list[Path]:
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(parents=True, exist_ok=True)
    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for role, email in ACCOUNTS.items():
            page = browser.new_page(viewport=VIEWPORT, locale="fr-FR")
            if email:
                page.goto(f"{base}/compte/connexion/")
                page.fill("input[name=username]", email)
                page.fill("input[name=password]", PASSWORD)
                page.click("form button[type=submit]")
                page.wait_for_load_state()
            for shot_role, name, address in SHOTS:
                if shot_role != role:
                    continue
                page.goto(base + address.format(**ids))
                path = IMAGES / f"{role}-{name}.png"
                page.screenshot(path=str(path))
                compress(path)
                written.append(path)
                print(f"{path.relative_to(ROOT)} ({path.stat().st_size // 1024} ko)")
            page.close()
        browser.close()
    return written


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="cnml-guide-") as folder:
        environment = {
            "DJANGO_SETTINGS_MODULE": "cnml.settings",
            "DATABASE_URL": f"sqlite:///{folder}/guide.sqlite3",
            "DEBUG": "true",
            "REDIS_URL": "",
            "MEDIA_ROOT": f"{folder}/media",
            "PRIVATE_MEDIA_ROOT": f"{folder}/private-media",
        }
        ids = load_demo(environment)
        port = free_port()
        server = serve(environment, port)
        try:
            shoot(f"http://127.0.0.1:{port}", ids)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
