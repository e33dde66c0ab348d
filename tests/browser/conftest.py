"""Browser journeys: Playwright driving Debian's Chromium against pytest-django's live server.

Playwright cannot download browsers here, so the tests use the system's Chromium
(``/usr/bin/chromium``, or ``KEQI_CHROMIUM``) and need the CJK font ``fonts-wqy-microhei`` for the
Chinese pages to render legibly. Outside CI a missing Chromium or Playwright skips these tests with
the reason; in CI (``CI=true``) it fails them, so the journeys cannot silently stop running.

Playwright's synchronous API keeps an asyncio loop running in the test thread, which makes Django
refuse ORM calls from it; ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set only while a browser is open (the
test body and the live server's thread each use their own connection, one thread each).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("KEQI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "a-browser-password-7"  # set on each user signed in through the form
IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def _unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser tests must run; .ci/run installs chromium)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def browser():
    """A Chromium for one test (about a second to start).

    Function-scoped on purpose: it must start after, and stop before, pytest-django sets up and
    flushes the test database, because while Playwright's loop runs Django hands out other
    connection objects (asgiref keys them by context), and the flush would then miss the
    serialized data it restores.
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable('Playwright is not installed (pip install -e ".[browser]")')
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium fonts-wqy-microhei)")
    if shutil.which("fc-list") and not subprocess.run(["fc-list", ":lang=zh"], capture_output=True,
                                                      text=True).stdout.strip():
        _unavailable("no Chinese font for Chromium (apt-get install fonts-wqy-microhei)")
    from django.db import connections

    # the live server shares the test's in-memory SQLite connection; inside Playwright's loop the test body
    # would get a second one, and two connections to one shared-cache database lock each other's tables
    # ("database table is locked", at once: SQLite does not wait on those locks), so the body keeps this one
    shared = {alias: connections[alias] for alias in connections
              if connections[alias].vendor == "sqlite" and connections[alias].is_in_memory_db()}
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            for alias, connection in shared.items():
                connections[alias] = connection
            chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
                connections.close_all()  # the connections opened by the test body while the loop ran
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def live_server(request, django_db_setup):
    """pytest-django's live server, started once the test database exists.

    Started earlier (a session fixture is set up before the test's database fixtures), it sees no in-memory
    SQLite database to share, and each of its request threads opens its own connection to the shared-cache
    in-memory database, where a reader and a writer lock each other's tables at once ("database table is
    locked"). Started after, it shares the test's one connection, as Django's own LiveServerTestCase does.
    """
    from pytest_django.live_server_helper import LiveServer

    addr = request.config.getvalue("liveserver") or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS") or "localhost"
    server = LiveServer(addr)
    yield server
    server.stop()


@pytest.fixture
def expect(browser):
    """Playwright's auto-retrying assertions (imported here, so a missing Playwright skips or fails cleanly)."""
    from playwright.sync_api import expect

    return expect


@pytest.fixture
def problems():
    """What went wrong in the browser during a journey (every page :func:`open_as` opens is watched)."""
    return []


def watch(context, page, site: str, problems: list[str]) -> None:
    """Record console errors, uncaught script errors and any request to another host than ``site``
    (such a request is also aborted: the journeys run as on an offline government network)."""

    def on_page(p):
        p.on("console", lambda m: problems.append(f"{p.url}: console {m.type}: {m.text}")
             if m.type == "error" else None)
        p.on("pageerror", lambda e: problems.append(f"{p.url}: script error: {e}"))

    def on_request(request):
        if not request.url.startswith((site, "data:", "blob:")):
            problems.append(f"{page.url}: off-site request: {request.url}")

    context.on("page", on_page)
    context.on("request", on_request)
    # a pattern, not a Python predicate: matched by the browser driver, without a round trip per request
    context.route(re.compile(r"^(?!" + re.escape(site) + r"|data:|blob:)"), lambda route: route.abort())
    on_page(page)


def refuse_refilling(page, problems: list[str]) -> None:
    """A journey uses the page as it comes: ``page.fill`` on a field the page pre-filled is a problem
    (a journey that types over a pre-filled date would hide a pre-fill the browser cannot show)."""
    fill = page.fill

    def checked_fill(selector, value, **kwargs):
        try:
            current = page.input_value(selector, timeout=kwargs.get("timeout"))
        except Exception:  # not an input (Playwright's fill then fails in its own words)
            current = ""
        if current:
            problems.append(f"{page.url}: the journey fills {selector}, which the page pre-fills with {current!r}")
        return fill(selector, value, **kwargs)

    page.fill = checked_fill


@pytest.fixture
def open_as(browser, live_server, problems):
    """``open_as(user)`` → a page of a fresh browser context, signed in through the login form, in Chinese.

    Every journey fails on a console error (a refused script or style, a missing file, a failed
    request), an uncaught script error, or a request to any other host than KeQi's.
    """
    contexts = []

    def open_page(user):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True,
                                      base_url=live_server.url)
        # 60 s: on a fresh machine the first screening and evaluation pages compile the policy's SQL
        # (keqi.screening.sqlcache) inside the request; at load 6–7 that took longer than 15 s
        context.set_default_timeout(60_000)
        contexts.append(context)
        page = context.new_page()
        watch(context, page, live_server.url, problems)
        refuse_refilling(page, problems)
        page.goto("/accounts/login/")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", PASSWORD)
        page.click("button.primary")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield open_page
    for context in contexts:
        context.close()
    if problems:
        pytest.fail("the browser saw:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def population(tmp_path):
    """Firms of two districts with three years of figures, imported through the one import path.

    渝北区 has 8 firms. The first two hold a 高新技术企业 certificate. The six others lack the
    科技人员 share of the 重庆市科技型企业 registry (cq-tech-2022: ≥ 5 %, or a senior engineer):
    ``重庆测试002`` has 4 of 100 (one hire short), the rest 2 of 200, so it is the closest candidate for
    the 科技型企业 tier and none of them is eligible yet. 南岸区 has 3 firms. Returns the codes per district.
    """
    import polars as pl

    from keqi.accounts.scope import SYSTEM
    from keqi.registry import flows

    from support import qualification_rows, report_rows, write_file

    yubei = report_rows(8, unit="渝北区", years=(2022, 2023, 2024), seed=61)
    codes = yubei["uscc"].unique(maintain_order=True).to_list()
    uncertified, closest = pl.col("uscc").is_in(codes[2:]), pl.col("uscc") == codes[2]
    yubei = yubei.with_columns(
        staff_total=pl.when(closest).then(100).when(uncertified).then(200).otherwise(pl.col("staff_total")),
        tech_staff=pl.when(closest).then(4).when(uncertified).then(2).otherwise(pl.col("tech_staff")),
        senior_tech_staff=pl.when(uncertified).then(0).otherwise(pl.col("senior_tech_staff")),
    )
    nanan = report_rows(3, unit="南岸区", years=(2022, 2023, 2024), seed=62)
    nanan = nanan.with_columns(pl.col("name").str.replace("重庆测试", "南岸样本"))
    quals = qualification_rows(yubei).head(2)
    result = flows.run_import(path=write_file(tmp_path / "population.xlsx", pl.concat([yubei, nanan]), quals),
                              scope=SYSTEM)
    assert not result.errors, result.errors
    return {"渝北区": codes, "南岸区": nanan["uscc"].unique(maintain_order=True).to_list()}
