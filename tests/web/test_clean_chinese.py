"""Users see Chinese only (issue 15.2): every page, for every role, on a built population (the security
suite's world: two units, firms, contracts, loans, tasks, runs, applications), read by tests/clean.py;
the same on the demo's population: tests/web/test_clean_chinese_demo.py.
"""

from __future__ import annotations

import pytest
from clean import leaks, page_leaks, visible_text
from security.world import ROLES, build

pytestmark = pytest.mark.django_db


def test_the_reader_sees_text_not_markup():
    html = '<p title="提示">金额 <b>5,000</b> 万元<script>var x = "SECONDARY";</script><code>91500000</code></p>'
    assert visible_text(html) == ["提示", "金额", "5,000", "万元"]
    assert leaks("<td>SECONDARY</td>") and leaks("<td>请补充：financials[].rd_expense</td>")
    assert leaks("<td>详见 docs/targets.md</td>") and leaks("<td>0.2462</td>") and leaks("<td>1647517 / 50000000</td>")
    assert leaks('<div class="num">7634</div>') and not leaks(
        "<td>7,634</td><td>2027 年</td><td>2026-12-04</td><td>不低于5000万元</td><td>GB/T 4754-2017</td>")
    assert not leaks("<td>164.75 万元 / 5,000 万元</td><td>24.62%</td><td>91500112MA5U123456</td><td>LPR 3.00%</td>")


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role_is_in_clean_chinese(tmp_path, role):
    world = build(tmp_path)
    problems = page_leaks(world, world.users[role] if role != "anonymous" else None)
    assert not problems, f"{role}: {len(problems)} leaks\n" + "\n".join(problems)
