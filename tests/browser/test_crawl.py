"""Every page of every role, admin included, at 1280 px and 375 px: zero axe-core violations; and every
page of the product itself (the admin is Django's) with one level-1 heading, no CSP violation, console
error or JavaScript exception, and at 375 px no sideways scrolling (``helpers.phone_layout_problems``).

The crawl visits every URL the URL conf can reverse with the demo data (``tests/browser/crawl_plan.py``:
what is not crawled is listed there with its reason), as each demo role, one logged-in browser context
per role. A page the role cannot open (403, 404) is counted, not checked; a redirect is checked once, at
its target. A screenshot of each page checked is kept per role and width under ``test-artefacts/crawl/``
(ignored by git; ``CNML_TEST_ARTEFACTS`` moves it), with ``summary.txt`` (counts, duration) and
``violations.txt`` (every failing node). Deselect with ``-m "not crawl"`` for a quick run;
``CNML_CRAWL_ONLY=<regex>`` crawls only the addresses it matches (while fixing a page);
``CNML_CRAWL_FULL_PAGE=1`` takes whole-page screenshots (the default, the screen's height, is faster).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page

from cnml.registry import feature_apps
from tests.browser.axe import format_violations, run_axe
from tests.browser.crawl_plan import crawl_urls, stale_exclusions, unplanned_patterns
from tests.browser.helpers import login, phone_layout_problems, watch_problems

WIDTHS = (1280, 375)
HEIGHT = 800
FULL_PAGE = os.environ.get("CNML_CRAWL_FULL_PAGE") == "1"
# Role id -> demo account (None: an anonymous visitor), and whether it reaches the admin.
ROLES = {
    "anonyme": (None, False),
    "conseiller": ("conseiller@demo.cnml.fr", False),
    "directeur": ("directeur@demo.cnml.fr", False),
    "animateur_regional": ("animateur@demo.cnml.fr", False),
    "relecteur_cnml": ("relecteur@demo.cnml.fr", True),
    "administrateur": ("admin@demo.cnml.fr", True),
}
# Other admin addresses answer a non-staff role with this same redirect to the admin's login.
ADMIN_PROBE = "admin:index"


def artefact_dir() -> Path:
    return Path(os.environ.get("CNML_TEST_ARTEFACTS") or Path(settings.BASE_DIR) / "test-artefacts") / "crawl"


@pytest.fixture
def crawl_data(demo_network):
    """The whole demo (network, accounts, each app's data), plus one row of each admin model the demo
    leaves empty, so that every admin change, history and delete page has an object.

    An earlier transactional test of the worker may have emptied the tables, the rows the migrations
    ship included: each app's demo ensures those it builds on with the migration's own function (surveys'
    questionnaires, mobility's catalogues, the national objectives). No serialized rollback: mixed with
    the other transactional tests' flushes, it loads content types twice."""
    for config in feature_apps():
        config.load_demo(stdout=io.StringIO())
    _rows_for_empty_admin_models()


def _rows_for_empty_admin_models() -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_celery_beat.models import (
        ClockedSchedule,
        CrontabSchedule,
        IntervalSchedule,
        PeriodicTask,
        SolarSchedule,
    )

    from cnml.models import OutboxMessage, WorkerProbe

    access = {"user_agent": "crawl", "ip_address": "192.0.2.1", "username": "inconnu@example.org"}
    access |= {"http_accept": "text/html", "path_info": "/compte/connexion/"}
    AccessAttempt.objects.create(**access, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**access)
    AccessFailureLog.objects.create(**access)
    interval, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.HOURS)
    CrontabSchedule.objects.get_or_create(minute="0", hour="3")
    SolarSchedule.objects.get_or_create(event="sunrise", latitude=48.85, longitude=2.35)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    PeriodicTask.objects.get_or_create(
        name="Sonde (crawl)", defaults={"task": "cnml.tasks.probe_worker", "interval": interval}
    )
    WorkerProbe.objects.create()
    OutboxMessage.objects.create(task="cnml.tasks.probe_worker")


def test_every_url_pattern_is_crawled_or_excluded_with_its_reason():
    assert not unplanned_patterns(), (
        "Adresses ni visitées par le crawl ni exclues avec leur raison (tests/browser/crawl_plan.py) : "
        + ", ".join(unplanned_patterns())
    )
    assert not stale_exclusions(), f"Exclusions sans adresse correspondante : {stale_exclusions()}"


class Crawl:
    """One role's visit: what was checked, refused, redirected, and the violations found."""

    def __init__(self, page: Page, role: str):
        self.page, self.role = page, role
        self.folder = artefact_dir() / role
        shutil.rmtree(self.folder, ignore_errors=True)
        self.checked: list[str] = []
        self.refused: list[str] = []
        self.redirected: list[str] = []
        self.skipped_admin: list[str] = []
        self.errors: list[str] = []
        # The product's own pages: their frame, their scripts, their phone layout.
        self.page_problems: list[str] = []
        self.seen = watch_problems(page)
        self.violations: dict[str, list[tuple[str, int, dict]]] = defaultdict(list)

    def visit(self, name: str, url: str) -> None:
        self.seen.take()
        response = self.page.goto(url)
        status = response.status if response else 0
        if status in (403, 404):
            self.refused.append(f"{url} ({status})")
            return
        if status != 200:
            self.errors.append(f"{name} {url} : statut {status}")
            return
        final = urlsplit(self.page.url).path
        if final in self.checked:
            self.redirected.append(f"{url} -> {final}")
            return
        if final != urlsplit(url).path:
            self.redirected.append(f"{url} -> {final}")
        self.checked.append(final)
        own_page = not final.startswith("/admin/")
        if own_page and (headings := self.page.locator("h1").count()) != 1:
            self.page_problems.append(f"{final} : {headings} titre(s) de niveau 1 au lieu d'un")
        for width in WIDTHS:
            self.page.set_viewport_size({"width": width, "height": HEIGHT})
            # A frame for the page's resize observers (tables.js) before axe looks.
            self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            for violation in run_axe(self.page):
                self.violations[violation["id"]].append((final, width, violation))
            if own_page and width == min(WIDTHS):
                self.page_problems += [
                    f"{final} @{width} px : {problem}" for problem in phone_layout_problems(self.page)
                ]
            shot = self.folder / str(width) / (re.sub(r"[^a-z0-9]+", "-", final.lower()).strip("-") or "accueil")
            self.page.screenshot(path=f"{shot}.jpg", type="jpeg", quality=70, full_page=FULL_PAGE)
        self.page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
        if own_page:
            self.page_problems += [f"{final} : {problem}" for problem in self.seen.take()]

    def summary(self, seconds: float) -> str:
        pages = sum(len(nodes) for nodes in self.violations.values())
        return (
            f"{self.role} : {len(self.checked)} page(s) vérifiée(s) à {' et '.join(map(str, WIDTHS))} px, "
            f"{len(self.refused)} refusée(s) (403/404), {len(self.redirected)} redirection(s), "
            f"{len(self.skipped_admin)} adresse(s) d'administration hors de portée, "
            f"{len(self.violations)} règle(s) axe en échec sur {pages} page(s)×largeur, {seconds:.0f} s"
        )

    def report(self) -> str:
        """Each failing rule once, with every page and width where it fails and its first element."""
        lines = []
        for rule, found in sorted(self.violations.items()):
            violation = found[0][2]
            lines.append(f"- {rule} [{violation.get('impact')}] {violation['help']}")
            for path, width, failing in found:
                target = " ".join(map(str, failing["nodes"][0]["target"]))
                lines.append(f"    {path} @{width} px : {len(failing['nodes'])} élément(s), ex. {target}")
        return "\n".join(lines)

    def write(self, summary: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        details = [
            f"{path} @{width} px\n{format_violations([violation])}"
            for found in self.violations.values()
            for path, width, violation in found
        ]
        (self.folder / "violations.txt").write_text("\n\n".join(details), encoding="utf-8")
        lists = {"vérifiées": self.checked, "refusées": self.refused, "redirections": self.redirected}
        text = summary + "\n" + "".join(f"\n{title} :\n  " + "\n  ".join(urls) + "\n" for title, urls in lists.items())
        (self.folder / "summary.txt").write_text(text, encoding="utf-8")


@pytest.mark.crawl
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_a_role_reaches_has_no_axe_violation(page: Page, crawl_data, role):
    started = time.monotonic()
    email, staff = ROLES[role]
    if email:
        login(page, email)
    crawl = Crawl(page, role)
    only = re.compile(os.environ.get("CNML_CRAWL_ONLY", ""))
    for name, url in crawl_urls():
        if not only.search(url):
            continue
        if url.startswith("/admin/") and not staff and name != ADMIN_PROBE:
            crawl.skipped_admin.append(url)
            continue
        crawl.visit(name, url)
    summary = crawl.summary(time.monotonic() - started)
    crawl.write(summary)
    print(summary)
    assert not crawl.errors, "\n".join(crawl.errors)
    assert not crawl.page_problems, "\n".join(crawl.page_problems)
    if not staff and only.search(reverse(ADMIN_PROBE)):
        # The admin addresses left out above answer as its index does: with the admin's login.
        assert f"{reverse(ADMIN_PROBE)} -> {reverse('admin:login')}" in crawl.redirected, crawl.redirected
    assert not crawl.violations, f"{summary}\n{crawl.report()}\n(détail : {crawl.folder / 'violations.txt'})"
