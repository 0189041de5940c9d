"""Benchmark of the surveys: answer submission through gunicorn, and aggregation of 100 000 answers.

One command (PostgreSQL must be running; nothing else is needed)::

    .venv/bin/python bench/surveys.py

What it does, in a throw-away PostgreSQL database (``cnml_bench_surveys`` by
default, dropped at the end unless ``--keep``):

1. migrates it, creates a region with a mission locale and 3 antennes and an
   open campaign on the longest questionnaire (SERVQUAL: 51 questions);
2. starts gunicorn with 2 sync workers on 127.0.0.1 (production settings:
   DEBUG off; the per-client rate limit is switched off, since every request
   comes from the same loopback address — it would otherwise refuse them, as
   designed);
3. a small load generator (threads, standard library HTTP client) fetches a
   CSRF token per thread, then posts complete answers — every screen in one
   final POST, as the last screen's submission does — to the antennes' short
   links for ``--duration`` seconds at most and ``--max-answers`` answers at
   most; it reports answers per second, latencies, errors, and checks the
   number of rows stored;
4. inserts ``--aggregate`` answers (100 000 by default) over a national
   campaign of 5 regions × 10 missions locales × 2 antennes, and times the
   aggregation task (the one Celery runs when a campaign closes), whose result
   must be ≤ 10 s.

Everything listens on the loopback interface only and is bounded in time and
count. Options: ``--help``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cnml_bench_surveys"

SETTINGS_MODULE = "bench_surveys_settings"
SETTINGS_SOURCE = '''"""Settings of bench/surveys.py: production settings, rate limit off, plain static storage."""
from pathlib import Path

from cnml.settings import *  # noqa: F401,F403

SURVEYS_RATE_LIMIT = None
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
STATIC_ROOT = Path(__file__).resolve().parent / "static"
'''


def fr(value: float, decimals: int = 0) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def recreate_database(url: str) -> None:
    import psycopg

    parsed = urllib.parse.urlsplit(url)
    name = parsed.path.lstrip("/")
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise SystemExit(f"Nom de base inattendu : {name}")
    admin = parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parsed = urllib.parse.urlsplit(url)
    admin = parsed._replace(path="/postgres").geturl().replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')


def bench_environment(database_url: str, settings_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "PYTHONPATH": os.pathsep.join([settings_dir, str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": "bench-" + secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": "https://enquetes.banc-de-mesure.invalid",
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_HSTS_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.pop("REDIS_URL", None)
    return env


# --- Set-up (Django in this process) -------------------------------------------------------------


def setup_network(prefix: str, regions: int, mls: int, antennes: int):
    from cnml.models import Region, Structure, StructureKind

    created = []
    for r in range(regions):
        region, _ = Region.objects.get_or_create(code=f"{prefix}{r}", defaults={"name": f"Région de test {prefix}{r}"})
        for m in range(mls):
            ml = Structure.objects.create(
                code=f"B{prefix}{r}M{m:02d}", name=f"Mission locale {r}-{m}", kind=StructureKind.ML, region=region
            )
            for a in range(antennes):
                created.append(
                    Structure.objects.create(
                        code=f"{ml.code}A{a}",
                        name=f"Antenne {a} de {ml.code}",
                        kind=StructureKind.ANTENNE,
                        region=region,
                        parent=ml,
                    )
                )
    return created


def make_campaign(title: str, structures, *, national: bool):
    from datetime import timedelta

    from django.utils import timezone

    from surveys.models import Campaign, CampaignStatus, Questionnaire
    from surveys.services import campaign_sync_points

    today = timezone.localdate()
    campaign = Campaign.objects.create(
        title=title,
        questionnaire=Questionnaire.objects.get(code="servqual-jeunes"),
        scope="nation" if national else "region",
        region=None if national else structures[0].region,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
        target=100_000,
        status=CampaignStatus.OPEN,
    )
    campaign.participants.set(structures)
    campaign_sync_points(campaign=campaign)
    return campaign


def post_bodies(spec: dict, count: int, seed: int = 11) -> list[dict[str, list[str]]]:
    """Complete answers as the public form posts them (every screen at once)."""
    from surveys.demo import generate_answers

    rng = random.Random(seed)
    screens = ",".join(str(index) for index in range(1, len(spec["sections"]) + 1))
    bodies = []
    for _ in range(count):
        answers = generate_answers(spec, rng)
        fields: dict[str, list[str]] = {"ecrans": [screens], "action": ["suivant"]}
        for section in spec["sections"]:
            for question in section["questions"]:
                value = answers.get(question["code"])
                name = f"q-{question['code']}"
                if value is None:
                    fields[name] = [""]
                elif isinstance(value, list):
                    fields[name] = value
                elif isinstance(value, dict):
                    for choice, points in value.items():
                        fields[f"{name}-{choice}"] = [str(points)]
                else:
                    fields[name] = [str(value)]
        bodies.append(fields)
    return bodies


# --- Load generator ------------------------------------------------------------------------------


class Load:
    def __init__(self, port: int, paths: list[str], bodies, duration: float, max_answers: int, threads: int):
        self.port, self.paths, self.bodies = port, paths, bodies
        self.duration, self.max_answers, self.threads = duration, max_answers, threads
        self.lock = threading.Lock()
        self.sent = 0
        self.ok = 0
        self.errors: dict[str, int] = {}
        self.latencies: list[float] = []

    def _request(self, method: str, path: str, body: bytes | None = None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()

    def _csrf(self, step_path: str) -> tuple[str, str]:
        status, headers, content = self._request("GET", step_path)
        if status != 200:
            raise RuntimeError(f"GET {step_path} : statut {status}")
        cookie = next(
            value.split(";", 1)[0] for name, value in headers if name.lower() == "set-cookie" and "csrftoken=" in value
        )
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1).decode()
        return cookie, token

    def _worker(self, index: int, deadline: float) -> None:
        path = self.paths[index % len(self.paths)]
        cookie, token = self._csrf(path)
        encoded = [
            urllib.parse.urlencode({**body, "csrfmiddlewaretoken": [token]}, doseq=True).encode()
            for body in self.bodies[index :: self.threads] or self.bodies
        ]
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
        number = 0
        while time.perf_counter() < deadline:
            with self.lock:
                if self.sent >= self.max_answers:
                    return
                self.sent += 1
            body = encoded[number % len(encoded)]
            number += 1
            started = time.perf_counter()
            try:
                status, response_headers, _ = self._request("POST", path, body, headers)
            except OSError as exc:
                with self.lock:
                    self.errors[type(exc).__name__] = self.errors.get(type(exc).__name__, 0) + 1
                continue
            elapsed = time.perf_counter() - started
            location = {name.lower(): value for name, value in response_headers}.get("location", "")
            with self.lock:
                self.latencies.append(elapsed)
                if status == 302 and location.endswith("/merci/"):
                    self.ok += 1
                else:
                    key = f"HTTP {status} {location}"
                    self.errors[key] = self.errors.get(key, 0) + 1

    def run(self) -> float:
        started = time.perf_counter()
        deadline = started + self.duration
        workers = [threading.Thread(target=self._worker, args=(index, deadline)) for index in range(self.threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(self.duration + 60)
        return time.perf_counter() - started


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn s'est arrêté au démarrage.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("gunicorn ne répond pas.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--duration", type=float, default=20.0, help="secondes de charge au plus (20)")
    parser.add_argument("--max-answers", type=int, default=12_000, help="réponses envoyées au plus (12 000)")
    parser.add_argument("--threads", type=int, default=8, help="clients simultanés (8)")
    parser.add_argument("--workers", type=int, default=2, help="workers gunicorn (2)")
    parser.add_argument(
        "--worker-threads", type=int, default=1, help="fils par worker gunicorn (1 : workers sync ; plus : gthread)"
    )
    parser.add_argument("--aggregate", type=int, default=100_000, help="réponses agrégées (100 000 ; 0 : sauter)")
    parser.add_argument("--keep", action="store_true", help="garder la base de test")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Ce banc de mesure tourne sur PostgreSQL (--database-url postgres://…).")

    settings_dir = tempfile.mkdtemp(prefix="bench-surveys-")
    Path(settings_dir, f"{SETTINGS_MODULE}.py").write_text(SETTINGS_SOURCE, encoding="utf-8")
    Path(settings_dir, "static").mkdir()
    env = bench_environment(args.database_url, settings_dir)
    print(f"Base : {args.database_url} (recréée)")
    recreate_database(args.database_url)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)

    os.environ.update(env)
    sys.path[:0] = [settings_dir, str(ROOT)]
    import django

    django.setup()
    from django.db import connection

    from surveys.models import Response
    from surveys.spec import current_version

    antennes = setup_network("99", regions=1, mls=1, antennes=3)
    campaign = make_campaign("Banc de mesure : réponses", antennes, national=False)
    _, spec = current_version(campaign.questionnaire)
    codes = list(campaign.points.values_list("code", flat=True))
    last = len(spec["sections"])
    paths = [f"/e/{code}/{last}/" for code in codes]
    bodies = post_bodies(spec, 400)
    connection.close()

    port = free_port()
    gunicorn = subprocess.Popen(
        [
            GUNICORN,
            "cnml.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        wait_until_up(port, gunicorn)
        warm = Load(port, paths, bodies, duration=3, max_answers=100, threads=2)
        warm.run()
        Response.objects.filter(campaign=campaign).delete()
        connection.close()
        load = Load(port, paths, bodies, args.duration, args.max_answers, args.threads)
        elapsed = load.run()
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)

    stored = Response.objects.filter(campaign=campaign).count()
    rate = load.ok / elapsed if elapsed else 0.0
    latencies = sorted(load.latencies)
    print()
    print(f"Soumission de réponses (SERVQUAL, {len(spec['sections'])} écrans, 51 questions, POST final complet)")
    kind = "sync" if args.worker_threads == 1 else f"gthread × {args.worker_threads} fils"
    print(f"  gunicorn : {args.workers} workers {kind} ; {args.threads} clients ; {fr(elapsed, 1)} s")
    print(f"  réponses acceptées : {fr(load.ok)} ; enregistrées en base : {fr(stored)} ; erreurs : {load.errors or 0}")
    print(f"  débit : {fr(rate, 1)} réponses/s (objectif ≥ 300)")
    if latencies:
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        print(
            f"  latence : médiane {fr(statistics.median(latencies) * 1000, 1)} ms, "
            f"95e centile {fr(p95 * 1000, 1)} ms, max {fr(latencies[-1] * 1000, 1)} ms"
        )

    aggregation_seconds = None
    if args.aggregate:
        from datetime import date

        from surveys.demo import generate_answers
        from surveys.tasks import aggregate_campaign_results

        structures = setup_network("8", regions=5, mls=10, antennes=2)
        national = make_campaign("Banc de mesure : agrégation", structures, national=True)
        version_id, spec = current_version(national.questionnaire)
        rng = random.Random(2010)
        pool = [generate_answers(spec, rng) for _ in range(2000)]
        points = list(national.points.all())
        # Uneven antennes, a few below the threshold, so that suppression has work to do.
        weights = [rng.choice([1, 1, 2, 3, 5, 8]) for _ in points]
        weights[0] = weights[1] = 0
        started = time.perf_counter()
        batch = []
        chosen = rng.choices(points, weights=weights, k=args.aggregate - 12)
        chosen += [points[0]] * 5 + [points[1]] * 7
        for index, point in enumerate(chosen):
            batch.append(
                Response(
                    campaign=national,
                    point=point,
                    version_id=version_id,
                    submitted_on=date(2012, 5, 1),
                    answers=pool[index % len(pool)],
                )
            )
            if len(batch) == 5000:
                Response.objects.bulk_create(batch)
                batch = []
        Response.objects.bulk_create(batch)
        inserted = time.perf_counter() - started
        started = time.perf_counter()
        result = aggregate_campaign_results.apply(args=[national.pk]).get()
        aggregation_seconds = time.perf_counter() - started
        hidden = national.nodes.filter(suppressed=True).count()
        print()
        print(f"Agrégation ({fr(args.aggregate)} réponses SERVQUAL, {len(points)} antennes, campagne nationale)")
        print(f"  insertion des réponses de test : {fr(inserted, 1)} s")
        print(
            f"  tâche d'agrégation : {fr(aggregation_seconds, 2)} s (objectif ≤ 10 s) ; "
            f"{fr(result['responses'])} réponses, {fr(result['nodes'])} groupes dont {fr(hidden)} masqués"
        )

    connection.close()
    if not args.keep:
        drop_database(args.database_url)
    ok = rate >= 300 and not load.errors and stored == load.ok
    ok = ok and (aggregation_seconds is None or aggregation_seconds <= 10)
    print()
    print("Résultat :", "objectifs atteints" if ok else "objectif(s) manqué(s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
