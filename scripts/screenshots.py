"""Take the README's screenshots from a running demo (``keqi demo``) with Debian's Chromium.

    .venv/bin/pip install -e ".[browser]"    # Playwright; the browser is Debian's chromium
    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--user", default="yubei-officer")
    parser.add_argument("--password", default="keqi-demo-2026")
    parser.add_argument("--firm", help="统一社会信用代码 of the firm to show (default: the first listed)")
    parser.add_argument("--upload", help="an .xlsx to upload, to capture the check page")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page.goto(f"{args.base}/accounts/login/")
        page.screenshot(path=out / "login.png")
        page.fill("#id_username", args.user)
        page.fill("#id_password", args.password)
        page.click("button.primary")
        page.goto(f"{args.base}/registry/enterprises/")
        page.screenshot(path=out / "enterprises.png")
        page.goto(f"{args.base}/screening/candidates/?next_tier=tech")
        page.screenshot(path=out / "candidates.png")
        page.goto(f"{args.base}/targets/?year=2027")
        page.screenshot(path=out / "targets.png")
        if args.firm:
            page.goto(f"{args.base}/registry/enterprises/{args.firm}/")
        else:
            page.click("table.grid tbody tr:first-child a")
        page.screenshot(path=out / "enterprise.png", full_page=True)
        page.click("text=按官方标准评价")
        page.screenshot(path=out / "evaluation.png", full_page=True)
        if args.upload:
            page.goto(f"{args.base}/registry/imports/new/")
            page.set_input_files("input[type=file]", args.upload)
            page.click("button.primary")
            page.wait_for_function("!document.querySelector('.progress')", timeout=60_000)
            page.screenshot(path=out / "import-check.png", full_page=True)
        browser.close()
    print(f"screenshots in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
