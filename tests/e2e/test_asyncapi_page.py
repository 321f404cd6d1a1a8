"""The AsyncAPI page renders in a real browser (Debian's headless Chromium) with every
request kept on 127.0.0.1: the viewer comes from the gateway, not from a CDN."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Route, async_playwright

from contracts.registry import TOPIC_EVENTS
from contracts.topics import dead_letter
from tests.infra import ROOT, free_port, process, wait_http

CHROMIUM = Path("/usr/bin/chromium")
# Flags from the machine's notes: no background networking, sync or component updates,
# which would otherwise reach for Google's hosts at every start.
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SCREENSHOT = ROOT / ".local" / "asyncapi-page.png"


@pytest.fixture(scope="module")
def gateway_alone() -> Iterator[str]:
    """A gateway process with no service behind it: the page needs none."""
    assert CHROMIUM.exists(), "install Debian's chromium (make install does)"
    port = free_port()
    env = {"GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(port), "JWT_ALLOW_DEV_SECRET": "true"}
    with process(["-m", "services.gateway"], env, "asyncapi-page-gateway"):
        base = f"http://127.0.0.1:{port}"
        wait_http(f"{base}/healthz")
        yield base


async def test_the_page_shows_every_channel_offline(gateway_alone: str) -> None:
    own_host = urlsplit(gateway_alone).netloc
    requested: list[str] = []
    elsewhere: list[str] = []

    async def keep_local(route: Route) -> None:
        url = route.request.url
        requested.append(url)
        if urlsplit(url).netloc == own_host or url.startswith(("data:", "blob:")):
            await route.continue_()
        else:
            elsewhere.append(url)
            await route.abort()

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            page = await browser.new_page(viewport={"width": 1400, "height": 1000})
            await page.route("**/*", keep_local)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            await page.goto(f"{gateway_alone}/asyncapi", wait_until="networkidle")
            viewer = page.locator("asyncapi-viewer")
            for topic in TOPIC_EVENTS:  # the locator reaches into the viewer's shadow root
                await viewer.get_by_text(topic, exact=True).first.wait_for(timeout=30_000)
                await viewer.get_by_text(dead_letter(topic), exact=True).first.wait_for()
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(SCREENSHOT), full_page=False)
        finally:
            await browser.close()
    assert elsewhere == []
    assert errors == []
    assert any(url.endswith("/asyncapi.json") for url in requested), requested
