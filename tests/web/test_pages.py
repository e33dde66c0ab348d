"""The interface speaks Simplified Chinese by default, English on request."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_is_in_chinese_by_default(client):
    html = client.get(reverse("login")).content.decode()
    assert "登录" in html and 'lang="zh-hans"' in html


def test_english_is_available(client, city_admin):
    client.force_login(city_admin)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("web:home")).content.decode()
    assert "Overview" in html and "Enterprises" in html


def test_home_counts_only_what_the_role_may_see(client_for, yubei_officer, make_user):
    html = client_for(yubei_officer).get(reverse("web:home")).content.decode()
    assert "概览" in html and "企业库" in html
    bank = make_user("bank", "bank_officer")
    html = client_for(bank).get(reverse("web:home")).content.decode()
    assert "企业库" not in html


def test_logout_needs_a_post_with_csrf(client, city_admin):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(city_admin)
    assert strict.post(reverse("logout")).status_code == 403
