"""The rulebook's pages (issue #18 item 5): the editions, a page per edition, two editions of one family
side by side — for every signed-in role (public policy), in Chinese, the same reading as the CLI.
Every role and every page is also enumerated by tests/security/test_enumeration.py and
tests/web/test_clean_chinese.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from keqi.policy.editions import EDITION_IDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user):
    return make_user("yubei-rulebook", "district_officer", unit="渝北区")


def test_the_list_links_every_edition_and_each_comparison(client_for, officer):
    html = client_for(officer).get(reverse("web:editions")).content.decode()
    assert "评价标准" in html
    for eid in EDITION_IDS:
        assert reverse("web:edition", kwargs={"edition_id": eid}) in html
    assert (
        reverse("web:edition_compare", kwargs={"old": "little-giant-2022", "new": "little-giant-2026"})
        in html
    )
    assert "对比：专精特新中小企业（2022年暂行办法） 与 专精特新中小企业（2026年办法）" in html


def test_the_navigation_leads_to_the_rulebook_for_a_bank_and_a_registrar(client_for, make_user):
    for user in (
        make_user("bank-r", "bank_officer"),
        make_user("reg-r", "contract_registrar", unit="渝北区"),
    ):
        html = client_for(user).get(reverse("web:home")).content.decode()
        assert f'href="{reverse("web:editions")}"' in html


def test_a_scored_edition_page(client_for, officer):
    html = (
        client_for(officer)
        .get(reverse("web:edition", kwargs={"edition_id": "innovative-sme-2022"}))
        .content.decode()
    )
    assert "创新型中小企业" in html and "总分不低于60分" in html
    assert (
        "上年度研发费用占营业收入比重" in html
        and "最高20分" in html
        and "所属：创新能力得分不低于20分" in html
    )
    assert "转述" in html and "中小企业划型标准" in html and "待核实" in html
    assert "rd_ratio" not in html and "size_limits" not in html


def test_an_unscored_edition_page_with_its_rereview(client_for, officer):
    html = (
        client_for(officer)
        .get(reverse("web:edition", kwargs={"edition_id": "little-giant-2022"}))
        .content.decode()
    )
    assert "复核企业沿用本标准至2026年12月31日" in html
    assert "认定标准中的各项数值" in html and "营业收入较高一档的下限10,000 万元" in html
    assert "<th>分值</th>" not in html
    assert (
        reverse("web:edition_compare", kwargs={"old": "little-giant-2022", "new": "little-giant-2026"})
        in html
    )


def test_the_comparison_page_names_the_changed_thresholds(client_for, officer):
    url = reverse("web:edition_compare", kwargs={"old": "srdi-2026", "new": "srdi-2022"})
    html = client_for(officer).get(url).content.decode()
    assert "专精特新中小企业（2022年暂行办法） → 专精特新中小企业（2026年办法）" in html
    assert "门槛变化" in html and "1,000 万元" in html and "1,500 万元" in html
    assert "新增" in html and "删除" in html and "上年度净利润率" in html


def test_unknown_editions_and_two_families_are_not_found(client_for, officer):
    c = client_for(officer)
    assert c.get(reverse("web:edition", kwargs={"edition_id": "nope"})).status_code == 404
    assert (
        c.get(reverse("web:edition_compare", kwargs={"old": "srdi-2022", "new": "star-2024"})).status_code
        == 404
    )
    assert (
        c.get(reverse("web:edition_compare", kwargs={"old": "srdi-2022", "new": "nope"})).status_code == 404
    )


def test_the_anonymous_are_sent_to_log_in(client):
    response = client.get(reverse("web:edition", kwargs={"edition_id": "srdi-2026"}))
    assert response.status_code == 302 and "login" in response["Location"]
