"""What a user reads on a page, and what must not be in it (issue 15.2): the reader and the page enumeration
shared by the clean-Chinese tests (tests/web/test_clean_chinese.py on the security suite's world,
tests/web/test_clean_chinese_demo.py on the demo's population).

A page is read as a person reads it — its text, its titles, placeholders and button labels, not its
markup or scripts — and a leak is:

- a Latin word outside a short allowlist (USCC codes, units such as %, KeQi, API, the language switch);
- a field path (``financials[].rd_expense``) or a file name (``tiers.md``, ``docs/targets.md``);
- a raw decimal (``0.2462``: ratios are percentages, money has its unit);
- a number of four digits or more without thousands separators, years and criteria quoted from their
  documents aside (``1647517``: amounts are written 164.75 万元; ``7634`` firms: 7,634).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse
from security.test_enumeration import NAMESPACES, PAGES, REDIRECT, routes

# Latin words a user may see: units and names that are written so in Chinese texts too
ALLOWED = {
    "KeQi", "API", "English",  # the product's name, the API, the language switch's own name
    "LPR", "R", "D",  # 贷款市场报价利率 (LPR) and R&D are written so in the bureau's own documents
    "Excel", "PDF", "PNG", "JPEG", "xlsx", "csv", "parquet",  # file kinds a user picks
    "A", "B", "C", "E",  # credit grades (A–E; D is above)
    "GB", "T",  # 国家标准 GB/T codes of industries
}
USCC = re.compile(r"\b[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}\b")
# what users typed or uploaded is theirs, in whatever script: file names, certificate numbers, industry codes
# and sections (GB/T 4754: I6513, I 信息传输…), web addresses cited as sources; verbatim quotations of
# documents; and the users' login names (page_leaks: those of the database's users)
DATA = re.compile(r"\b[\w-]+\.xlsx\b|\b[A-Z]{2,6}\d{6,}\b|\b[A-T]\d{4}\b|^[A-T](?= [\u4e00-\u9fff])"
                  r"|GB/T ?\d+(?:-\d+)?|(?:https?://)?\b[\w.-]+\.(?:cn|com|gov|org|net)(?:/\S*)?|“[^”]*”|" r'"[^"]*"')
LATIN = re.compile(r"[A-Za-z][A-Za-z_]*")
FIELD_PATH = re.compile(r"\b[a-z]+(?:\[\])?\.[a-z_]+\b|\b[a-z]+_[a-z_]+\b")
FILE_NAME = re.compile(r"\b[\w/.-]+\.(?:md|py|yaml|yml|toml|csv|json|html)\b")
RAW_DECIMAL = re.compile(r"(?<![\d.,])0\.\d{3,}\b")
# five digits and more; four unless a year (1900–2099: 2027 年, 2026-12-04) or a criterion's wording as
# its document writes it (不低于5000万元: the quoted text, not a figure of KeQi's, which reads 5,000 万元)
UNSEPARATED = re.compile(r"(?<![\d.,/-])(?:\d{5,}|(?!(?:19|20)\d\d(?!\d))\d{4}(?!万))(?![\d])")

SKIP = {"script", "style", "code", "template"}
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in SKIP:
            self.skipping += 1
        a = dict(attrs)
        self.parts += [a[k] for k in VISIBLE_ATTRIBUTES if a.get(k)]
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.parts.append(a["value"])

    def handle_endtag(self, tag):
        if tag in SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.parts


def leaks(html: str, names: tuple[str, ...] = ()) -> list[str]:
    """What a reader would call a leak on the page; ``names``: login names, which are the users' own."""
    login = re.compile("|".join(rf"(?<![\w-]){re.escape(n)}(?![\w-])" for n in sorted(names, key=len, reverse=True))
                       or r"(?!)")
    found = []
    for text in visible_text(html):
        bare = DATA.sub("", USCC.sub("", login.sub("", text)))
        for pattern, what in ((FIELD_PATH, "field path"), (FILE_NAME, "file name"), (RAW_DECIMAL, "raw decimal"),
                              (UNSEPARATED, "number without separators")):
            found += [f"{what} {m!r} in {text[:80]!r}" for m in pattern.findall(bare)]
        words = [w for w in LATIN.findall(bare) if w not in ALLOWED]
        if words:
            found.append(f"Latin {sorted(set(words))} in {text[:80]!r}")
    return found


def own_pages(world):
    """Pages of each role's own objects (the enumeration tries the other unit's)."""
    return {
        "web:enterprise_detail": {"uscc": world.own_firm},
        "screening:enterprise_evaluation": {"uscc": world.own_firm},
        "contracts:enterprise": {"uscc": world.own_firm},
        "credit:enterprise": {"uscc": world.own_firm},
        "credit:loan_detail": {"pk": world.own_loan},
        "pipeline:task_detail": {"pk": world.own_task},
        "targets:unit": {"pk": world.home_unit},
    }


def rulebook_pages() -> list[str]:
    """Every edition's page and each family's consecutive pair side by side (the enumeration tries one)."""
    from keqi.policy.editions import families

    found = []
    for ids in families().values():
        found += [reverse("web:edition", kwargs={"edition_id": e}) for e in ids]
        found += [reverse("web:edition_compare", kwargs={"old": a, "new": b}) for a, b in zip(ids, ids[1:], strict=False)]
    return found


def urls(world) -> list[str]:
    found = []
    for name in routes():
        if name in NAMESPACES:
            url = NAMESPACES[name][0]
            if url:
                found.append(url)
            continue
        if name in REDIRECT:
            continue
        found.append(reverse(name, kwargs=PAGES[name][0](world)))
    found += [reverse(name, kwargs=kwargs) for name, kwargs in own_pages(world).items()]
    found += rulebook_pages()
    found += ["/api/docs", "/no-such-page/"]
    return found


def page_leaks(world, user) -> list[str]:
    """Every page of the enumeration, opened by ``user`` (None: not signed in): its leaks, one line each."""
    from django.contrib.auth import get_user_model

    names = tuple(get_user_model().objects.values_list("username", flat=True))
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    problems = []
    for url in urls(world):
        response = client.get(url)
        if response.get("Content-Type", "").split(";")[0] != "text/html" or getattr(response, "streaming", False):
            continue
        problems += [f"{url} ({response.status_code}): {leak}" for leak in leaks(response.content.decode(), names)]
    return problems
