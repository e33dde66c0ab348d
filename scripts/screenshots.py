"""Take the README's screenshots from a running demo (``keqi demo``) with Debian's Chromium.

    .venv/bin/pip install -e ".[browser]"    # Playwright; the browser is Debian's chromium
    .venv/bin/python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots]
        [--firm USCC] [--upload FILE.xlsx]

Wait until the demo's city-wide screening is complete (the 筛选评价 page) so that the candidate
lists and the unit page have rows. Pages are taken in Chinese, 1280 px wide, as the demo users:

- ``city-admin``: its home page, the city overview (targets, progress, charts), the units' targets
  (allocation), the leadership report (数读), the applications under review, the 公示 batches (the list,
  a concluded batch and one in its window) and the firms that have not filed;
- ``yubei-officer``: its home page, the enterprise list, the candidate list, a firm's page and its
  evaluation, the unit page, the cultivation tasks, the applications of 渝北区 and one under 初审, and,
  with ``--upload``, the check of an uploaded file;
- ``enterprise-user``: its home page, its annual filing (with the self-evaluation) and its application;
- ``yubei-firm-1`` and ``yubei-firm-8`` (the demo's applicants for 科技型企业入库): an application
  registered after its 公示 (its steps and 入库登记编号) and one returned for correction;
- ``bank-officer`` and ``yubei-registrar``: their home pages.

Each PNG is reduced with ``pngquant`` when it is installed (``apt-get install pngquant``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--lang=zh-CN", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def sign_in(browser, base: str, user: str, password: str):
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    page.set_default_timeout(240_000)  # a loaded machine: the evaluation page runs every edition
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", password)
    page.click("button.primary")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return page


def shoot(page, path: Path, url: str | None = None, *, full: bool = False, height: int | None = None) -> None:
    """``full``: the whole page, cut at ``height`` pixels when given (a long table's first rows)."""
    if url:
        page.goto(url)
    page.wait_for_load_state("networkidle")  # the charts fetch their data from the API
    if page.locator(".chart:not([hidden])").count():
        page.wait_for_timeout(800)  # ECharts' entry animation
    if page.locator("#self-evaluation-body").count():
        # a locator, not wait_for_function: KeQi's Content-Security-Policy forbids evaluating strings
        page.locator("#self-evaluation-body .progress").first.wait_for(state="detached", timeout=60_000)
    clip = {"x": 0, "y": 0, "width": 1280, "height": height} if full and height else None
    page.screenshot(path=path, full_page=full, clip=clip)
    if shutil.which("pngquant"):  # 256 colours: a page's screenshot keeps its look at a third of the size
        subprocess.run(["pngquant", "--force", "--skip-if-larger", "--quality=50-90", "--output", str(path), str(path)],
                       check=False)
    print(f"  {path} ({path.stat().st_size // 1024} KB)", file=sys.stderr)


def first_link(page, selector: str) -> str | None:
    link = page.locator(selector)
    return link.first.get_attribute("href") if link.count() else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--city", default="city-admin")
    parser.add_argument("--officer", default="yubei-officer")
    parser.add_argument("--enterprise", default="enterprise-user")
    parser.add_argument("--bank", default="bank-officer")
    parser.add_argument("--registrar", default="yubei-registrar")
    parser.add_argument("--registered-firm", default="yubei-firm-1", help="an applicant registered after its 公示")
    parser.add_argument("--returned-firm", default="yubei-firm-8", help="an applicant whose application was returned")
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
        shoot(city, out / "home-city.png", f"{base}/", full=True)
        shoot(city, out / "dashboard.png", f"{base}/targets/?year=2027", full=True, height=1600)
        shoot(city, out / "allocations.png", f"{base}/targets/allocations/?indicator=hnte_count&year=2027")
        shoot(city, out / "report.png", f"{base}/targets/report/?year=2027", full=True, height=2000)
        shoot(city, out / "applications-city.png", f"{base}/applications/")
        shoot(city, out / "batches.png", f"{base}/applications/batches/")
        for name, status in (("batch.png", "已办结"), ("batch-open.png", "公示中")):
            batch = first_link(city, f"#batches tr:has-text('{status}') a[href*='/applications/batches/']")
            if batch:
                shoot(city, out / name, f"{base}{batch}", full=True, height=1400)
                city.goto(f"{base}/applications/batches/")
        shoot(city, out / "filings-missing.png", f"{base}/applications/filings/missing/")

        officer = sign_in(browser, base, args.officer, args.password)
        shoot(officer, out / "home-district.png", f"{base}/", full=True)
        shoot(officer, out / "enterprises.png", f"{base}/registry/enterprises/")
        shoot(officer, out / "candidates.png", f"{base}/screening/candidates/?next_tier=hnte")
        if args.firm:
            firm = args.firm
        else:
            firm = officer.locator("#candidates tbody tr:first-child code").first.inner_text().strip()
        shoot(officer, out / "enterprise.png", f"{base}/registry/enterprises/{firm}/", full=True)
        shoot(officer, out / "evaluation.png", f"{base}/screening/enterprises/{firm}/", full=True, height=2000)
        officer.goto(f"{base}/targets/")
        unit_link = officer.locator("main a[href*='/targets/units/']")
        if unit_link.count():
            unit_link.first.click()
            shoot(officer, out / "unit.png", full=True)
        shoot(officer, out / "tasks.png", f"{base}/pipeline/tasks/?view=all")
        shoot(officer, out / "applications-district.png", f"{base}/applications/")
        review = first_link(officer, "main table tr:has-text('待区县') a[href^='/applications/']") or \
            first_link(officer, "main table a[href^='/applications/']")
        if review:
            shoot(officer, out / "review.png", f"{base}{review}", full=True)

        firm_user = sign_in(browser, base, args.enterprise, args.password)
        shoot(firm_user, out / "home-enterprise.png", f"{base}/", full=True)
        firm_user.goto(f"{base}/applications/filings/")
        filing = first_link(firm_user, "main table a[href*='/applications/filings/']")
        if filing:
            shoot(firm_user, out / "filing.png", f"{base}{filing}", full=True)
        firm_user.goto(f"{base}/applications/")
        application = first_link(firm_user, "main table a[href^='/applications/']")
        if application:
            shoot(firm_user, out / "application.png", f"{base}{application}", full=True)

        # the demo's applicant firms (keqi.synth.demo.REGISTRY_PLAN): one registered after its 公示, one returned
        for user, name in ((args.registered_firm, "application-registered.png"),
                           (args.returned_firm, "application-returned.png")):
            applicant = sign_in(browser, base, user, args.password)
            applicant.goto(f"{base}/applications/")
            link = first_link(applicant, "main table a[href^='/applications/']")
            if link:
                shoot(applicant, out / name, f"{base}{link}", full=True, height=2000)
            applicant.close()

        shoot(sign_in(browser, base, args.bank, args.password), out / "home-bank.png", f"{base}/", full=True)
        shoot(sign_in(browser, base, args.registrar, args.password), out / "home-registrar.png", f"{base}/",
              full=True)
        if args.upload:
            officer.goto(f"{base}/registry/imports/new/")
            officer.set_input_files("input[type=file]", args.upload)
            officer.click("main button.primary")
            officer.locator(".progress").first.wait_for(state="detached", timeout=60_000)
            shoot(officer, out / "import-check.png", full=True)
        browser.close()
    print(f"screenshots in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
