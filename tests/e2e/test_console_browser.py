"""The staff console in a real browser (Debian's Chromium, headless, driven by
Playwright; no browser download), with every request outside 127.0.0.1 refused: sign in,
check a visitor in on the front desk and see it appear live on another user's board,
a refused command's errors next to its fields, switch language, download an export; a
receptionist, a cashier and a group admin each see only their screens. A screenshot of
each screen is kept in .local/screenshots/console-<user>-<screen>.png."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from deploy import demo
from tests.conftest import Stack
from tests.e2e.test_offline_docs import CHROMIUM, FLAGS, SCREENSHOTS

PASSWORD = "concierge-demo"
SCREENS = {  # the menu each role sees, in the console's language (zh-CN first)
    "wang.fang": ["实时看板", "前台", "收发室", "报修", "图表"],  # receptionist
    "he.ping": ["实时看板", "收银", "图表"],  # cashier
    "zhang.wen": ["实时看板", "前台", "收发室", "报修", "投诉", "图表", "集团汇总"],  # group admin
}
KEYS = {"实时看板": "boards", "前台": "frontdesk", "收发室": "mail", "报修": "repairs",
        "收银": "cashier", "投诉": "complaints", "图表": "charts", "集团汇总": "group"}  # fmt: skip


@pytest.fixture(scope="module")
def browser(stack: Stack) -> Iterator[tuple[Browser, list[str]]]:
    assert CHROMIUM.exists(), "install Debian's chromium (make install does)"
    demo.main(stack.base_url)  # the demo group: two named sites with a morning's work
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        try:
            yield chromium, []
        finally:
            chromium.close()


def sign_in(browser: tuple[Browser, list[str]], stack: Stack, login: str) -> Page:
    chromium, left = browser

    def only_local(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            left.append(route.request.url)
            route.abort()

    context = chromium.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.route("**/*", only_local)
    # A script error, or anything the Content-Security-Policy blocked, fails the test too.
    page.on("pageerror", lambda error: left.append(f"script error: {error}"))
    page.on(
        "console", lambda m: left.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.goto(f"{stack.base_url}/console/sign-in")
    page.fill("#login", login)
    page.fill("#password", PASSWORD)
    page.click("#sign-in")
    page.wait_for_selector("#menu a", timeout=60_000)
    return page


def screenshot(page: Page, login: str, screen: str) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOTS / f"console-{login}-{screen}.png"), full_page=True)


def test_a_check_in_at_the_desk_appears_live_on_another_users_board(
    stack: Stack, browser: tuple[Browser, list[str]]
) -> None:
    board = sign_in(browser, stack, "zhou.jie")  # a CS supervisor watches the boards
    board.goto(f"{stack.base_url}/console#boards")
    desk = sign_in(browser, stack, "wang.fang")  # the receptionist at the desk
    desk.goto(f"{stack.base_url}/console#frontdesk")
    visitor = f"Zhang {uuid4().hex[:4]}"

    form = desk.locator("form.command").first  # pre-register a visitor
    form.locator("button[type=submit]").click()  # empty: the API names the fields
    expect(form.locator(".field[data-field=visitor_name].invalid .field-error")).not_to_be_empty()
    screenshot(desk, "wang.fang", "frontdesk-field-errors")
    form.locator("[name=visitor_name]").fill(visitor)
    form.locator("[name=host_unit]").fill("12A")
    form.locator("[name=host_name]").fill("Han Meimei")
    form.locator("[name=purpose]").fill("contract signing")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the site's day
    form.locator("[name=expected_from]").fill(f"{today}T00:00")
    form.locator("[name=expected_until]").fill(f"{today}T23:59")
    form.locator("button[type=submit]").click()
    expect(form.locator(".form-ok")).to_have_text("已保存")  # saved
    expect(form.locator(".field.invalid")).to_have_count(0)
    row = desk.locator("#expected tr", has_text=visitor)
    row.get_by_role("button", name="签到").click()  # check in

    expect(board.locator("#board-in_building")).to_contain_text(visitor, timeout=30_000)
    expect(desk.locator("#in-building")).to_contain_text(visitor)
    screenshot(board, "zhou.jie", "boards")
    screenshot(desk, "wang.fang", "frontdesk")

    with desk.expect_download() as download:  # the day's visitor log, headers in Chinese
        desk.click("#export-visit-log")
    header = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()[0]
    assert "访客姓名" in header and "visitor_name" not in header

    desk.select_option("#language", "en")  # English second
    expect(desk.locator("#menu")).to_contain_text("Front desk")
    expect(desk.locator("#in-building th").first).to_have_text("Visitor name")
    screenshot(desk, "wang.fang", "frontdesk-en")
    with desk.expect_download() as download:
        desk.click("#export-visit-log")
    header = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()[0]
    assert "Visitor name" in header
    desk.select_option("#language", "zh-CN")
    assert browser[1] == [], f"outside requests, script errors or CSP refusals: {browser[1]}"


@pytest.mark.parametrize("login", list(SCREENS), ids=["receptionist", "cashier", "group-admin"])
def test_each_role_sees_only_its_screens(
    stack: Stack, browser: tuple[Browser, list[str]], login: str
) -> None:
    page = sign_in(browser, stack, login)
    menu = page.locator("#menu a")
    expect(menu).to_have_text(SCREENS[login])
    for title in SCREENS[login]:
        page.goto(f"{stack.base_url}/console#{KEYS[title]}")
        expect(page.locator("#menu a.on")).to_have_text(title)
        expect(page.locator("#screen section").first).to_be_visible()
        if KEYS[title] in ("charts", "group"):
            expect(page.locator(".chart canvas").first).to_be_visible()
        expect(page.locator("#screen")).not_to_contain_text("403")
        screenshot(page, login, KEYS[title])
    assert browser[1] == [], f"outside requests, script errors or CSP refusals: {browser[1]}"


def test_the_cashier_takes_a_payment_and_sees_its_numbered_receipt(
    stack: Stack, browser: tuple[Browser, list[str]]
) -> None:
    page = sign_in(browser, stack, "he.ping")  # the cashier of Shanghai Tower A
    page.goto(f"{stack.base_url}/console#cashier")
    form = page.locator("form.command")
    form.locator("button[type=submit]").click()  # nothing typed
    expect(form.locator(".field[data-field=unit].invalid")).to_have_count(1)
    form.locator("[name=unit]").fill("12A")  # a demo unit with an account
    form.locator("button[type=submit]").click()  # no amount: the API names the fields
    expect(form.locator(".field[data-field=amount].invalid")).to_have_count(1)
    reference = f"POS-{uuid4().hex[:8]}"
    form.locator("[name=reference]").fill(reference)
    form.locator("[name=amount]").fill("100.50")
    form.locator("[name=method]").select_option("wechat_pay")
    form.locator("button[type=submit]").click()
    expect(page.locator("#last-payment")).to_contain_text(reference)
    expect(page.locator("#last-payment")).to_contain_text("¥100.50")
    expect(page.locator("#receipts tr", has_text=reference)).to_contain_text("微信支付")
    screenshot(page, "he.ping", "cashier-payment")
    assert browser[1] == [], f"outside requests, script errors or CSP refusals: {browser[1]}"
