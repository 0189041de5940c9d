#!/usr/bin/env python3
"""Write the production environment file from `.env.example`, the one list of variables.

Every line of `.env.example` is kept (its comments explain each variable); the
variables production sets are written uncommented with their production value, and
those `.env.example` does not list are added at the end. Run with the system Python
(standard library only):

    python3 deploy/make_env.py --site-url https://cnml.example.org \\
        --database-url postgres://cnml:MOT-DE-PASSE@127.0.0.1:5432/cnml \\
        --redis-url redis://127.0.0.1:6379/0 \\
        --email-url smtp+tls://compte:MOT-DE-PASSE@smtp.example.org:587 > /etc/cnml/cnml.env

A new secret key is generated on each run (`--secret-key` keeps an existing one).
`--set NAME=value` sets any other variable of docs/environment.md. `.ci/production-smoke`
starts the production profile with a file written by this script.
"""

from __future__ import annotations

import argparse
import re
import secrets
import sys
from pathlib import Path
from urllib.parse import urlsplit

EXAMPLE = Path(__file__).resolve().parent.parent / ".env.example"
# `NAME=value` or `# NAME=value` (an example left commented).
ASSIGNMENT = re.compile(r"^#?\s*([A-Z][A-Z0-9_]*)=")


def production_values(args: argparse.Namespace) -> dict[str, str]:
    site = urlsplit(args.site_url)
    if site.scheme != "https" or not site.hostname:
        raise SystemExit(
            "--site-url : l'adresse https:// du service est attendue (par exemple https://cnml.example.org)."
        )
    values = {
        "DEBUG": "false",
        "SECRET_KEY": args.secret_key or secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": site.hostname,
        "SITE_URL": args.site_url.rstrip("/"),
        # nginx on the same machine: it sets X-Forwarded-For and X-Forwarded-Proto (deploy/nginx/cnml.conf).
        "TRUSTED_PROXIES": "127.0.0.1",
        "SECURE_PROXY_SSL_HEADER": "true",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "EMAIL_URL": args.email_url,
        "MEDIA_ROOT": f"{args.data_dir}/media",
        "PRIVATE_MEDIA_ROOT": f"{args.data_dir}/private-media",
        "GUNICORN_BIND": "127.0.0.1:8000",
    }
    for item in args.set:
        name, sep, value = item.partition("=")
        if not sep or not re.fullmatch(r"[A-Z][A-Z0-9_]*", name):
            raise SystemExit(f"--set {item} : NOM=valeur attendu.")
        values[name] = value
    for name, value in values.items():
        if "\n" in value or value != value.strip():
            raise SystemExit(f"{name} : une valeur sur une ligne, sans espace au début ni à la fin, est attendue.")
    return values


def render(example: str, values: dict[str, str]) -> str:
    remaining = dict(values)
    lines = ["# Production environment written by deploy/make_env.py from .env.example."]
    for line in example.splitlines()[1:]:  # the first line tells how development copies it
        match = ASSIGNMENT.match(line)
        if not match or match.group(1) not in values:
            lines.append(line)
        elif match.group(1) in remaining:  # the first line naming it carries the production value
            lines.append(f"{match.group(1)}={remaining.pop(match.group(1))}")
    if remaining:
        lines.append("# Production settings (docs/deployment.md).")
        lines.extend(f"{name}={value}" for name, value in remaining.items())
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fichier d'environnement de production, à partir de .env.example.")
    parser.add_argument("--site-url", required=True, help="adresse https:// du service")
    parser.add_argument("--database-url", required=True, help="postgres://utilisateur:mot-de-passe@hôte:5432/base")
    parser.add_argument("--redis-url", required=True, help="redis://127.0.0.1:6379/0")
    parser.add_argument("--email-url", required=True, help="smtp+tls://compte:mot-de-passe@serveur:587")
    parser.add_argument("--data-dir", default="/var/lib/cnml", help="dossier des fichiers déposés")
    parser.add_argument("--secret-key", help="clé existante à garder (sinon une nouvelle est générée)")
    parser.add_argument("--set", action="append", default=[], metavar="NOM=valeur", help="autre variable")
    args = parser.parse_args(argv)
    sys.stdout.write(render(EXAMPLE.read_text(encoding="utf-8"), production_values(args)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
