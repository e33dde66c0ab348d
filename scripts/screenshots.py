"""Take the README's screenshots from a running demo (``keqi demo``) with Debian's Chromium.

    .venv/bin/pip install -e ".[browser]"    # Playwright; the browser is Debian's chromium
    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots]
        [--firm USCC] [--upload FILE.xlsx]

Wait until the demo's city-wide screening is complete (the 筛选评价 page) so that the candidate
lists and the unit page have rows. Pages are taken in Chinese, 1280 px wide, as two demo users:

- ``city-admin``: the city overview (targets, progress, charts), the units' targets (allocation),
  the leadership report (数读);
- ``yubei-officer``: the enterprise list, the candidate list, a firm's page and its evaluation, the
  unit page, the cultivation tasks and, with ``--upload``, the check of an uploaded file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def sign_in(browser, base: str, user: str, password: str):
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page.set_default_timeout(60_000)
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.click("button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def shoot(page, path: Path, url: str | None = None, *, full: bool = False) -> None:
    if url:
        page.goto(url)
    page.wait_for_load_state("networkidle")  # the charts fetch their data from the API
    if page.locator(".chart:not([hidden])").count():
        page.wait_for_timeout(800)  # ECharts' entry animation
    page.screenshot(path=path, full_page=full)
    print(f"  {path}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--city", default="city-admin")
    parser.add_argument("--officer", default="yubei-officer")
    parser.add_argument("--password", default="keqi-demo-2026")
    parser.add_argument("--firm", help="统一社会信用代码 of the firm to show (default: the officer's top candidate)")
    parser.add_argument("--upload", help="an .xlsx to upload, to capture the check page")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = args.base.rstrip("/")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)

        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        shoot(page, out / "login.png", f"{base}/accounts/login/")
        page.close()

        city = sign_in(browser, base, args.city, args.password)
        shoot(city, out / "dashboard.png", f"{base}/targets/?year=2027", full=True)
        shoot(city, out / "allocations.png", f"{base}/targets/allocations/?indicator=hnte_count&year=2027")
        shoot(city, out / "report.png", f"{base}/targets/report/?year=2027", full=True)

        officer = sign_in(browser, base, args.officer, args.password)
        shoot(officer, out / "enterprises.png", f"{base}/registry/enterprises/")
        shoot(officer, out / "candidates.png", f"{base}/screening/candidates/?next_tier=tech")
        if args.firm:
            firm = args.firm
        else:
            firm = officer.locator("#candidates tbody tr:first-child code").first.inner_text().strip()
        shoot(officer, out / "enterprise.png", f"{base}/registry/enterprises/{firm}/", full=True)
        shoot(officer, out / "evaluation.png", f"{base}/screening/enterprises/{firm}/", full=True)
        officer.goto(f"{base}/targets/")
        unit_link = officer.locator("main a[href*='/targets/units/']")
        if unit_link.count():
            unit_link.first.click()
            shoot(officer, out / "unit.png", full=True)
        shoot(officer, out / "tasks.png", f"{base}/pipeline/tasks/?view=all")
        if args.upload:
            officer.goto(f"{base}/registry/imports/new/")
            officer.set_input_files("input[type=file]", args.upload)
            officer.click("main button.primary")
            officer.wait_for_function("!document.querySelector('.progress')", timeout=60_000)
            shoot(officer, out / "import-check.png", full=True)
        browser.close()
    print(f"screenshots in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
