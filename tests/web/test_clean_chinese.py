"""Users see Chinese only (issue 15.2): every page, for every role, on a built population (the security
suite's world: two units, firms, contracts, loans, tasks, runs, applications), is read as a person reads it
— its text, its titles, placeholders and button labels, not its markup or scripts — and fails on:

- a Latin word outside a short allowlist (USCC codes, units such as %, KeQi, API, the language switch);
- a field path (``financials[].rd_expense``) or a file name (``tiers.md``, ``docs/targets.md``);
- a raw decimal (``0.2462``: ratios are percentages, money has its unit);
- a large number without thousands separators (``1647517``: amounts are written 164.75 万元).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from security.test_enumeration import NAMESPACES, PAGES, REDIRECT, routes
from security.world import ROLES, build

pytestmark = pytest.mark.django_db

# Latin words a user may see: units and names that are written so in Chinese texts too
ALLOWED = {
    "KeQi", "API", "English",  # the product's name, the API, the language switch's own name
    "LPR", "R", "D",  # 贷款市场报价利率 (LPR) and R&D are written so in the bureau's own documents
    "Excel", "PDF", "PNG", "JPEG", "xlsx", "csv", "parquet",  # file kinds a user picks
    "A", "B", "C",  # credit grades
    "GB", "T",  # 国家标准 GB/T codes of industries
}
USCC = re.compile(r"\b[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}\b")
# what users typed or uploaded is theirs, in whatever script: user names, file names, certificate numbers,
# industry codes and sections (GB/T 4754: I6513, I 信息传输…), web addresses cited as sources; and verbatim quotations of documents
DATA = re.compile(r"\bw-[\w-]+|\b[\w-]+\.xlsx\b|\b[A-Z]{2,6}\d{6,}\b|\b[A-T]\d{4}\b|^[A-T](?= [\u4e00-\u9fff])"
                  r"|(?:https?://)?\b[\w.-]+\.(?:cn|com|gov|org|net)(?:/\S*)?|“[^”]*”|" r'"[^"]*"')
LATIN = re.compile(r"[A-Za-z][A-Za-z_]*")
FIELD_PATH = re.compile(r"\b[a-z]+(?:\[\])?\.[a-z_]+\b|\b[a-z]+_[a-z_]+\b")
FILE_NAME = re.compile(r"\b[\w/.-]+\.(?:md|py|yaml|yml|toml|csv|json|html)\b")
RAW_DECIMAL = re.compile(r"(?<![\d.,])0\.\d{3,}\b")
UNSEPARATED = re.compile(r"(?<![\d.,/-])\d{5,}(?![\d])")

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


def leaks(html: str) -> list[str]:
    found = []
    for text in visible_text(html):
        bare = DATA.sub("", USCC.sub("", text))
        for pattern, what in ((FIELD_PATH, "field path"), (FILE_NAME, "file name"), (RAW_DECIMAL, "raw decimal"),
                              (UNSEPARATED, "number without separators")):
            found += [f"{what} {m!r} in {text[:80]!r}" for m in pattern.findall(bare)]
        words = [w for w in LATIN.findall(bare) if w not in ALLOWED]
        if words:
            found.append(f"Latin {sorted(set(words))} in {text[:80]!r}")
    return found


def test_the_reader_sees_text_not_markup():
    html = '<p title="提示">金额 <b>5,000</b> 万元<script>var x = "SECONDARY";</script><code>91500000</code></p>'
    assert visible_text(html) == ["提示", "金额", "5,000", "万元"]
    assert leaks("<td>SECONDARY</td>") and leaks("<td>请补充：financials[].rd_expense</td>")
    assert leaks("<td>详见 docs/targets.md</td>") and leaks("<td>0.2462</td>") and leaks("<td>1647517 / 50000000</td>")
    assert not leaks("<td>164.75 万元 / 5,000 万元</td><td>24.62%</td><td>91500112MA5U123456</td><td>LPR 3.00%</td>")


def _own(world):
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
    found += [reverse(name, kwargs=kwargs) for name, kwargs in _own(world).items()]
    found += ["/api/docs", "/no-such-page/"]
    return found


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role_is_in_clean_chinese(tmp_path, role):
    world = build(tmp_path)
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.users[role])
    problems = []
    for url in urls(world):
        response = client.get(url)
        if response.get("Content-Type", "").split(";")[0] != "text/html" or getattr(response, "streaming", False):
            continue
        problems += [f"{url} ({response.status_code}): {leak}" for leak in leaks(response.content.decode())]
    assert not problems, f"{role}: {len(problems)} leaks\n" + "\n".join(problems)
