"""Start the local OpenID Connect provider (``tests/oidc/provider.mjs``, npm's oidc-provider) for a test.

The provider runs in its own Node process on a port the system hands out, with one client (the
back-office's redirect addresses) and the accounts a test gives; it stops with the context.
"""

from __future__ import annotations

import json
import select
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

PROVIDER_SCRIPT = Path(__file__).resolve().parent / "provider.mjs"
PROVIDER_PACKAGE = Path(settings.BASE_DIR) / "node_modules" / "oidc-provider"
CLIENT_ID = "back-office-cnml"
CLIENT_SECRET = "secret-du-client-de-test-proconnect"
START_TIMEOUT = 30  # seconds; the provider starts in well under one


@contextmanager
def oidc_provider(*, redirect_uri: str, post_logout_redirect_uri: str, accounts: dict[str, dict]) -> Iterator[str]:
    """A running provider; yields its issuer (``http://127.0.0.1:<port>/api/v2``)."""
    node = shutil.which("node")
    if node is None or not PROVIDER_PACKAGE.exists():
        pytest.skip("Node.js ou oidc-provider manquant : lancez « make install-dev » (npm ci).")
    config = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": redirect_uri,
        "post_logout_redirect_uri": post_logout_redirect_uri,
        "accounts": accounts,
    }
    with tempfile.TemporaryDirectory() as folder:
        config_file = Path(folder) / "provider.json"
        config_file.write_text(json.dumps(config), encoding="utf-8")
        log = (Path(folder) / "provider.log").open("w+", encoding="utf-8")
        process = subprocess.Popen(
            [node, str(PROVIDER_SCRIPT), str(config_file)],
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        try:
            ready, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
            line = process.stdout.readline() if ready else ""
            if not line:
                log.seek(0)
                raise RuntimeError(f"Le fournisseur OpenID Connect de test n'a pas démarré :\n{log.read()}")
            yield json.loads(line)["issuer"]
        finally:
            process.terminate()
            process.wait(timeout=10)
            process.stdout.close()
            log.close()
