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
import http.client
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


WRK_SCRIPT = """-- Generated by bench/surveys.py: complete answers posted in turn to the antennes' links.
local paths = {%(paths)s}
local bodies = {%(bodies)s}
local per_thread = %(per_thread)d
local counter = 0
-- globals, so that done() can read them with thread:get()
ok = 0
failed = 0

function init(args)
  counter = tonumber(args[1]) or 0
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "%(cookie)s"

function request()
  counter = counter + 1
  return wrk.format("POST", paths[counter %% #paths + 1], nil, bodies[counter %% #bodies + 1])
end

function response(status, headers, body)
  local location = headers["Location"] or headers["location"] or ""
  if status == 302 and string.sub(location, -7) == "/merci/" then
    ok = ok + 1
  else
    failed = failed + 1
  end
  if ok + failed >= per_thread then
    wrk.thread:stop()
  end
end

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local total_ok, total_failed = 0, 0
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_failed = total_failed + thread:get("failed")
  end
  io.write(string.format("BENCH ok=%%d failed=%%d errors=%%d duration_us=%%d p50_us=%%d p95_us=%%d max_us=%%d\\n",
    total_ok, total_failed,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration, latency:percentile(50), latency:percentile(95), latency.max))
end
"""


def run_wrk(wrk: str, load: Load, connections: int) -> tuple[float, int, dict[str, int], tuple[float, float, float]]:
    """Same load with wrk (C, one thread): (elapsed s, answers accepted, errors, (median, p95, max) in s)."""
    cookie, token = load._csrf(load.paths[0])
    bodies = [urllib.parse.urlencode({**body, "csrfmiddlewaretoken": [token]}, doseq=True) for body in load.bodies]
    per_thread = load.max_answers
    script = WRK_SCRIPT % {
        "paths": ", ".join(f'"{path}"' for path in load.paths),
        # url-encoded bodies hold no "]", so Lua long strings need no escaping
        "bodies": ",\n".join(f"[[{body}]]" for body in bodies),
        "per_thread": per_thread,
        "cookie": cookie,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False, encoding="utf-8") as handle:
        handle.write(script)
    try:
        result = subprocess.run(
            [
                wrk,
                "--threads",
                "1",
                "--connections",
                str(connections),
                "--duration",
                f"{max(1, round(load.duration))}s",
                "--timeout",
                "30s",
                "--script",
                handle.name,
                f"http://127.0.0.1:{load.port}{load.paths[0]}",
            ],
            capture_output=True,
            text=True,
            timeout=load.duration + 60,
        )
    finally:
        os.unlink(handle.name)
    line = next((row for row in result.stdout.splitlines() if row.startswith("BENCH ")), None)
    if result.returncode or line is None:
        raise SystemExit(f"Sortie de wrk inattendue :\n{result.stdout}\n{result.stderr}")
    values = {key: int(value) for key, value in (part.split("=") for part in line.split()[1:])}
    errors = {}
    if values["failed"]:
        errors["réponse autre que la redirection vers « merci »"] = values["failed"]
    if values["errors"]:
        errors["erreurs de connexion ou délais"] = values["errors"]
    latencies = (values["p50_us"] / 1e6, values["p95_us"] / 1e6, values["max_us"] / 1e6)
    return values["duration_us"] / 1e6, values["ok"], errors, latencies


def cpu_seconds(pid: int, *, with_children: bool = True) -> float:
    """CPU time (user + system) of a process and, optionally, its live children (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        if with_children:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            total += sum(cpu_seconds(int(child), with_children=False) for child in children)
        return total
    except (OSError, ValueError, IndexError):
        return 0.0


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot (Linux /proc/stat; zeros elsewhere)."""
    try:
        values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]
    return (sum(values) - idle) / tick, sum(values) / tick


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

    wrk = shutil.which("wrk") if args.load_generator != "python" else None
    if args.load_generator == "wrk" and not wrk:
        raise SystemExit("wrk est introuvable : installez-le (apt-get install wrk) ou prenez --load-generator python.")
    if args.load_generator == "auto" and not wrk:
        print(
            "wrk est introuvable (apt-get install wrk) : générateur de charge en Python, qui prend du CPU au serveur."
        )
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
    try:
        wait_until_up(port, gunicorn)
        warm = Load(port, paths, bodies, duration=3, max_answers=100, threads=2)
        warm.run()
        Response.objects.filter(campaign=campaign).delete()
        connection.close()
        load = Load(port, paths, bodies, args.duration, args.max_answers, args.threads)
        server_before, machine_before = cpu_seconds(gunicorn.pid), machine_cpu()
        client_before = (
            resource.getrusage(resource.RUSAGE_CHILDREN) if wrk else resource.getrusage(resource.RUSAGE_SELF)
        )
        if wrk:
            elapsed, load.ok, load.errors, wrk_latencies = run_wrk(wrk, load, args.threads)
        else:
            elapsed = load.run()
        client_after = resource.getrusage(resource.RUSAGE_CHILDREN) if wrk else resource.getrusage(resource.RUSAGE_SELF)
        server_cpu = cpu_seconds(gunicorn.pid) - server_before
        machine_after = machine_cpu()
        client_cpu = (client_after.ru_utime + client_after.ru_stime) - (client_before.ru_utime + client_before.ru_stime)
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)

    stored = Response.objects.filter(campaign=campaign).count()
    rate = load.ok / elapsed if elapsed else 0.0
    latencies = sorted(load.latencies)
    generator = "wrk, 1 fil" if wrk else "Python, client HTTP de la bibliothèque standard"
    print()
    print(f"Soumission de réponses (SERVQUAL, {len(spec['sections'])} écrans, 51 questions, POST final complet)")
    kind = "sync" if args.worker_threads == 1 else f"gthread × {args.worker_threads} fils"
    print(f"  gunicorn : {args.workers} workers {kind} ; {args.threads} clients ({generator}) ; {fr(elapsed, 1)} s")
    print(f"  réponses acceptées : {fr(load.ok)} ; enregistrées en base : {fr(stored)} ; erreurs : {load.errors or 0}")
    print(f"  débit : {fr(rate, 1)} réponses/s (objectif ≥ 300)")
    if wrk:
        median, p95, slowest = wrk_latencies
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

    busy, total = (after - before for after, before in zip(machine_after, machine_before, strict=True))
    if load.ok and total:
        print(
            f"  CPU pendant la charge : gunicorn {fr(server_cpu, 1)} s ({fr(server_cpu / load.ok * 1000, 2)} ms/réponse), "
            f"générateur {fr(client_cpu, 1)} s, machine occupée à {fr(busy / total * 100)} % "
            f"({os.cpu_count()} cœurs ; le reste : PostgreSQL et les autres processus)"
        )
    print(f"  charge moyenne de la machine (1, 5, 15 min) : {', '.join(fr(value, 2) for value in os.getloadavg())}")

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
    shutil.rmtree(settings_dir, ignore_errors=True)
    # wrk stops with requests in flight: the server completes and stores them, uncounted.
    in_flight = args.threads if wrk else 0
    ok = rate >= 300 and not load.errors and load.ok <= stored <= load.ok + in_flight
    ok = ok and (aggregation_seconds is None or aggregation_seconds <= 10)
    print()
    print("Résultat :", "objectifs atteints" if ok else "objectif(s) manqué(s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
