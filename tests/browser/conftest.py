"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

Every test in this folder is marked ``browser`` (deselect with ``-m "not browser"``).
One Chromium per session, a fresh context (cookies, storage) per test. The pages
are served with the production Content-Security-Policy; nothing is relaxed for
the tests.

Fixtures:

- ``browser``: the session's Chromium;
- ``page``: a new page in a new context, its URLs relative to the live server
  (``page.goto("/enquetes/")``);
- ``phone``: another one on a phone's screen (``helpers.PHONE``), its own cookies, beside ``page``;
- ``problems``: the console errors, CSP violations and JavaScript exceptions of
  ``page`` (see :class:`tests.browser.helpers.BrowserProblems`);
- ``demo_network``: the demo network and one account per role, committed so the
  live server sees them.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.helpers import PHONE, BrowserProblems, watch_problems

# Playwright's sync API keeps an asyncio event loop running in the main thread
# for as long as the session's browser lives, which makes Django refuse ORM
# calls from that thread (SynchronousOnlyOperation). Set at import, not in a
# fixture: tests of other folders that run after the browser started see the
# same loop. No test here shares the ORM with coroutines.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Milliseconds; a local page answers in far less.
# 30 s: in CI phase 2 a page shares two cores with two test workers and a Celery worker; a first
# load once took over 10 s there (a time-out, not a fault of the page).
DEFAULT_TIMEOUT = 30_000

BROWSER_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            # WhiteNoise warns when STATIC_ROOT was never collected; the live server uses the finders.
            item.add_marker(pytest.mark.filterwarnings("ignore:No directory at:UserWarning"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium introuvable ({CHROMIUM}) : définissez CHROMIUM_PATH.")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def context_options() -> dict:
    """Options of the test's browser context; override in a test module to change the viewport."""
    return {"viewport": {"width": 1280, "height": 800}}


@contextmanager
def new_page(browser: Browser, live_server, options: dict) -> Iterator[Page]:
    """A page in a context of its own (cookies, storage), its URLs relative to the live server."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", **options)
    context.set_default_timeout(DEFAULT_TIMEOUT)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def page(browser: Browser, live_server, context_options: dict, settings) -> Iterator[Page]:
    # Links sent by e-mail and printed are built on SITE_URL (cnml/links.py): here, the live server.
    settings.SITE_URL = live_server.url
    with new_page(browser, live_server, context_options) as opened:
        yield opened


@pytest.fixture
def phone(browser: Browser, live_server) -> Iterator[Page]:
    """A second person, on a phone, beside ``page``: a young person answering while the animator reads."""
    with new_page(browser, live_server, PHONE) as opened:
        yield opened


@pytest.fixture
def problems(page: Page) -> BrowserProblems:
    return watch_problems(page)


@pytest.fixture
def demo_network(transactional_db, settings) -> list[tuple[str, str]]:
    """The demo network and accounts (password ``demo-cnml-2011``), visible to the live server."""
    from cnml.demo import demo_load_network

    # A fast hasher: the demo hashes five passwords and each test logs in.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return demo_load_network(stdout=io.StringIO())
