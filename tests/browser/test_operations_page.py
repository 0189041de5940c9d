"""The operators' page /exploitation/ in a browser: accessible at both widths, under the CSP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from cnml.models import OutboxMessage
from dashboard.models import ExtractImport, ImportStatus, reason_row
from tests.browser.axe import assert_accessible
from tests.browser.helpers import BrowserProblems, expect_dsfr_js_started, login


@pytest.mark.parametrize("width", [1280, 375])
def test_the_operations_page_is_accessible(page: Page, problems: BrowserProblems, demo_network, width):
    now = timezone.now()
    ExtractImport.objects.create(
        status=ImportStatus.FAILED,
        started_at=now - timedelta(minutes=5),
        finished_at=now,
        error_details=[reason_row("jeunes.csv : vide")],
    )
    OutboxMessage.objects.create(task="cnml.tasks.send_email", attempts=20, failed_at=now, last_error="SMTP: fermé")
    page.set_viewport_size({"width": width, "height": 800})
    login(page, "admin@demo.cnml.fr")

    page.goto("/exploitation/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Exploitation")
    expect(page.get_by_role("main")).to_contain_text("SMTP: fermé")
    expect(page.get_by_role("main")).to_contain_text("jeunes.csv : vide")
    expect_dsfr_js_started(page)
    assert_accessible(page)
    problems.assert_no_csp_violation()
    assert not problems.page_errors, problems.page_errors
