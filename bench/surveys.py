"""Benchmark of the surveys: answer submission through gunicorn, and aggregation of 100 000 answers.

One command (PostgreSQL must be running; nothing else is needed)::

    .venv/bin/python bench/surveys.py

What it does, in a throw-away PostgreSQL database (``cnml_bench_surveys`` by
default, dropped at the end unless ``--keep``):

1. migrates it, creates a region with a mission locale and 3 antennes and an
   open campaign on the longest questionnaire (SERVQUAL: 51 questions);
2. starts gunicorn with 2 workers of 4 threads each (gthread; ``--worker-threads
   1`` for sync workers) on 127.0.0.1 (production settings: DEBUG off,
   persistent database connections; the per-client rate limit is switched off,
   since every request comes from the same loopback address — it would
   otherwise refuse them, as designed);
3. a load generator fetches a CSRF token, then posts complete answers — every
   screen in one final POST, as the last screen's submission does — to the
   antennes' short links over 8 connections for ``--duration`` seconds at most
   and ``--max-answers`` answers at most; it reports answers per second,
   latencies, errors, the CPU used by gunicorn and by itself, and checks the
   number of rows stored. The generator is ``wrk`` (in C, Debian package
   ``wrk``: ``apt-get install wrk``) when installed — it uses about 2 % of
   the CPU of the answers it sends, leaving the two cores to the server —,
   otherwise a Python one (threads, standard library HTTP client), which takes
   a good part of the CPU from the server it measures (``--load-generator``);
4. inserts ``--aggregate`` answers (100 000 by default) over a national
   campaign of 5 regions × 10 missions locales × 2 antennes, and times the
   aggregation task (the one Celery runs when a campaign closes), whose result
   must be ≤ 10 s.

Everything listens on the loopback interface only and is bounded in time and
count. Options: ``--help``.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import resource
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from surveys_load import Load, cpu_seconds, machine_cpu, run_wrk

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
    env["TASKS_IN_PROCESS"] = "true"  # production settings refuse to start without Redis otherwise
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


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--duration", type=float, default=20.0, help="secondes de charge au plus (20)")
    parser.add_argument("--max-answers", type=int, default=12_000, help="réponses envoyées au plus (12 000)")
    parser.add_argument("--threads", type=int, default=8, help="clients simultanés (8)")
    parser.add_argument(
        "--load-generator",
        choices=["auto", "wrk", "python"],
        default="auto",
        help="générateur de charge : wrk (en C, paquet Debian « wrk ») s'il est installé, sinon Python (auto)",
    )
    parser.add_argument("--workers", type=int, default=2, help="workers gunicorn (2)")
    parser.add_argument(
        "--worker-threads", type=int, default=4, help="fils par worker gunicorn (4 : gthread ; 1 : workers sync)"
    )
    parser.add_argument("--aggregate", type=int, default=100_000, help="réponses agrégées (100 000 ; 0 : sauter)")
    parser.add_argument("--keep", action="store_true", help="garder la base de test")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Ce banc de mesure tourne sur PostgreSQL (--database-url postgres://…).")
    return args


def find_wrk(load_generator: str) -> str | None:
    """wrk's path when it is to be the load generator, None for the generator in Python."""
    wrk = shutil.which("wrk") if load_generator != "python" else None
    if load_generator == "wrk" and not wrk:
        raise SystemExit("wrk est introuvable : installez-le (apt-get install wrk) ou prenez --load-generator python.")
    if load_generator == "auto" and not wrk:
        print(
            "wrk est introuvable (apt-get install wrk) : générateur de charge en Python, qui prend du CPU au serveur."
        )
    return wrk


def prepare_database(database_url: str, settings_dir: str) -> dict[str, str]:
    """The bench's settings written, its database recreated and migrated, Django set up in this process."""
    Path(settings_dir, f"{SETTINGS_MODULE}.py").write_text(SETTINGS_SOURCE, encoding="utf-8")
    Path(settings_dir, "static").mkdir()
    env = bench_environment(database_url, settings_dir)
    print(f"Base : {database_url} (recréée)")
    recreate_database(database_url)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)

    os.environ.update(env)
    sys.path[:0] = [settings_dir, str(ROOT)]
    import django

    django.setup()
    return env


# --- Answer submission ---------------------------------------------------------------------------


@dataclass
class Submission:
    """What the load measured: the generator's counts, the rows stored, the CPU spent."""

    load: Load
    elapsed: float
    stored: int
    server_cpu: float
    client_cpu: float
    machine_busy: float
    machine_total: float
    wrk_latencies: tuple[float, float, float] | None = None


def start_gunicorn(args: argparse.Namespace, env: dict[str, str]) -> tuple[subprocess.Popen, int]:
    port = free_port()
    gunicorn = subprocess.Popen(
        [
            GUNICORN,
            "cnml.wsgi",
            "--workers",
            str(args.workers),
            *(["--threads", str(args.worker_threads)] if args.worker_threads > 1 else []),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    return gunicorn, port


def measure_submission(args: argparse.Namespace, env: dict[str, str], wrk: str | None) -> tuple[Submission, dict]:
    """Complete answers posted to a regional campaign's 3 antennes through gunicorn: (figures, spec)."""
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

    gunicorn, port = start_gunicorn(args, env)
    try:
        wait_until_up(port, gunicorn)
        warm = Load(port, paths, bodies, duration=3, max_answers=100, threads=2)
        warm.run()
        Response.objects.filter(campaign=campaign).delete()
        connection.close()
        load = Load(port, paths, bodies, args.duration, args.max_answers, args.threads)
        submission = _run_load(load, gunicorn.pid, wrk, args.threads)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
    submission.stored = Response.objects.filter(campaign=campaign).count()
    return submission, spec


def _run_load(load: Load, server_pid: int, wrk: str | None, connections: int) -> Submission:
    """The load itself, with the CPU of the server, of the generator and of the whole machine around it."""
    server_before, machine_before = cpu_seconds(server_pid), machine_cpu()
    client_before = resource.getrusage(resource.RUSAGE_CHILDREN) if wrk else resource.getrusage(resource.RUSAGE_SELF)
    wrk_latencies = None
    if wrk:
        elapsed, load.ok, load.errors, wrk_latencies = run_wrk(wrk, load, connections)
    else:
        elapsed = load.run()
    client_after = resource.getrusage(resource.RUSAGE_CHILDREN) if wrk else resource.getrusage(resource.RUSAGE_SELF)
    server_cpu = cpu_seconds(server_pid) - server_before
    machine_after = machine_cpu()
    client_cpu = (client_after.ru_utime + client_after.ru_stime) - (client_before.ru_utime + client_before.ru_stime)
    busy, total = (after - before for after, before in zip(machine_after, machine_before, strict=True))
    return Submission(load, elapsed, 0, server_cpu, client_cpu, busy, total, wrk_latencies)


def print_submission(args: argparse.Namespace, wrk: str | None, spec: dict, submission: Submission) -> float:
    """The submission's figures, printed; returns the rate (answers per second)."""
    load, elapsed = submission.load, submission.elapsed
    rate = load.ok / elapsed if elapsed else 0.0
    latencies = sorted(load.latencies)
    generator = "wrk, 1 fil" if wrk else "Python, client HTTP de la bibliothèque standard"
    print()
    print(f"Soumission de réponses (SERVQUAL, {len(spec['sections'])} écrans, 51 questions, POST final complet)")
    kind = "sync" if args.worker_threads == 1 else f"gthread × {args.worker_threads} fils"
    print(f"  gunicorn : {args.workers} workers {kind} ; {args.threads} clients ({generator}) ; {fr(elapsed, 1)} s")
    print(
        f"  réponses acceptées : {fr(load.ok)} ; enregistrées en base : {fr(submission.stored)} ; "
        f"erreurs : {load.errors or 0}"
    )
    print(f"  débit : {fr(rate, 1)} réponses/s (objectif ≥ 300)")
    if wrk:
        median, p95, slowest = submission.wrk_latencies
        print(
            f"  latence : médiane {fr(median * 1000, 1)} ms, "
            f"95e centile {fr(p95 * 1000, 1)} ms, max {fr(slowest * 1000, 1)} ms"
        )
    elif latencies:
        p95 = latencies[int(len(latencies) * 0.95) - 1]
        print(
            f"  latence : médiane {fr(statistics.median(latencies) * 1000, 1)} ms, "
            f"95e centile {fr(p95 * 1000, 1)} ms, max {fr(latencies[-1] * 1000, 1)} ms"
        )
    server_cpu, busy, total = submission.server_cpu, submission.machine_busy, submission.machine_total
    if load.ok and total:
        print(
            f"  CPU pendant la charge : gunicorn {fr(server_cpu, 1)} s ({fr(server_cpu / load.ok * 1000, 2)} ms/réponse), "
            f"générateur {fr(submission.client_cpu, 1)} s, machine occupée à {fr(busy / total * 100)} % "
            f"({os.cpu_count()} cœurs ; le reste : PostgreSQL et les autres processus)"
        )
    print(f"  charge moyenne de la machine (1, 5, 15 min) : {', '.join(fr(value, 2) for value in os.getloadavg())}")
    return rate


# --- Aggregation ---------------------------------------------------------------------------------


def insert_answers(national, count: int) -> tuple[int, float]:
    """``count`` generated answers over the national campaign's points, unevenly, two points below the
    threshold: (number of points, seconds taken)."""
    from datetime import date

    from surveys.demo import generate_answers
    from surveys.models import Response
    from surveys.spec import current_version

    version_id, spec = current_version(national.questionnaire)
    rng = random.Random(2010)
    pool = [generate_answers(spec, rng) for _ in range(2000)]
    points = list(national.points.all())
    # Uneven antennes, a few below the threshold, so that suppression has work to do.
    weights = [rng.choice([1, 1, 2, 3, 5, 8]) for _ in points]
    weights[0] = weights[1] = 0
    started = time.perf_counter()
    batch = []
    chosen = rng.choices(points, weights=weights, k=count - 12)
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
    return len(points), time.perf_counter() - started


def measure_aggregation(count: int) -> float:
    """``count`` answers over a national campaign, then the aggregation task timed: its seconds."""
    from surveys.tasks import aggregate_campaign_results

    structures = setup_network("8", regions=5, mls=10, antennes=2)
    national = make_campaign("Banc de mesure : agrégation", structures, national=True)
    points, inserted = insert_answers(national, count)
    started = time.perf_counter()
    result = aggregate_campaign_results.apply(args=[national.pk]).get()
    aggregation_seconds = time.perf_counter() - started
    hidden = national.nodes.filter(suppressed=True).count()
    print()
    print(f"Agrégation ({fr(count)} réponses SERVQUAL, {points} antennes, campagne nationale)")
    print(f"  insertion des réponses de test : {fr(inserted, 1)} s")
    print(
        f"  tâche d'agrégation : {fr(aggregation_seconds, 2)} s (objectif ≤ 10 s) ; "
        f"{fr(result['responses'])} réponses, {fr(result['nodes'])} groupes dont {fr(hidden)} masqués"
    )
    return aggregation_seconds


# --- Main ----------------------------------------------------------------------------------------


def main() -> int:
    args = parse_arguments()
    wrk = find_wrk(args.load_generator)
    settings_dir = tempfile.mkdtemp(prefix="bench-surveys-")
    env = prepare_database(args.database_url, settings_dir)
    from django.db import connection

    submission, spec = measure_submission(args, env, wrk)
    rate = print_submission(args, wrk, spec, submission)
    aggregation_seconds = measure_aggregation(args.aggregate) if args.aggregate else None

    connection.close()
    if not args.keep:
        drop_database(args.database_url)
    shutil.rmtree(settings_dir, ignore_errors=True)
    # wrk stops with requests in flight: the server completes and stores them, uncounted.
    in_flight = args.threads if wrk else 0
    load, stored = submission.load, submission.stored
    ok = rate >= 300 and not load.errors and load.ok <= stored <= load.ok + in_flight
    ok = ok and (aggregation_seconds is None or aggregation_seconds <= 10)
    print()
    print("Résultat :", "objectifs atteints" if ok else "objectif(s) manqué(s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
