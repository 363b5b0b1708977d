"""The Swagger UI really renders in Chromium under the portal's CSP, with no CSP violation."""

import os
import shutil

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def test_swagger_ui_renders_without_csp_violations(live_server):
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"chromium not installed at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            page = browser.new_page()
            problems, requests = [], []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("request", lambda r: requests.append(r.url))
            page.goto(f"{live_server.url}/api/docs/")
            page.wait_for_selector(".swagger-ui .info .title", timeout=20000)
            assert "liaison API" in page.inner_text(".swagger-ui .info .title")
            page.wait_for_selector("#operations-meetings-meetings_list", timeout=20000)
            assert not [m for m in problems if "Content Security Policy" in m], problems
            assert all(u.startswith(live_server.url) for u in requests), requests  # nothing from outside
        finally:
            browser.close()
