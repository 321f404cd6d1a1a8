"""/docs (Swagger UI) and /redoc render the API's operations with the network off: every
asset comes from the gateway (fastapi-offline), none from a CDN. Checked in headless
Chromium (Debian's, /usr/bin/chromium), with every request outside 127.0.0.1 refused and
recorded; a screenshot of each page is kept in .local/screenshots/."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route, sync_playwright

from tests.conftest import Stack

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / ".local" / "screenshots"
# Chromium's own background traffic off (this machine has no network for it either).
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.mark.parametrize(
    ("page_path", "operation"),
    [("/docs", ".opblock-summary-path"), ("/redoc", "[data-section-id^='tag/']")],
    ids=["swagger-ui", "redoc"],
)
def test_the_api_docs_render_offline(stack: Stack, page_path: str, operation: str) -> None:
    assert CHROMIUM.exists(), "install Debian's chromium (make install does)"
    left: list[str] = []

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = browser.new_page()
            page.route("**/*", only_local)
            page.goto(f"{stack.base_url}{page_path}", wait_until="networkidle", timeout=60_000)
            page.wait_for_selector(operation, timeout=60_000)
            shown = page.locator(operation).count()
            page.screenshot(path=str(SCREENSHOTS / f"{page_path.strip('/')}.png"), full_page=False)
        finally:
            browser.close()
    assert shown >= 5, f"{page_path} shows {shown} operations"
    assert left == [], f"{page_path} asked beyond 127.0.0.1: {left}"
