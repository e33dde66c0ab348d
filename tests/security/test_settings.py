"""Secure by default: the production set-up passes ``check --deploy``; CSP, no-store and the session's age;
``keqi serve`` refuses the development key; the error pages speak Chinese with a way back."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {"KEQI_SECRET_KEY": secrets.token_urlsafe(50), "KEQI_HTTPS": "1",
              "KEQI_ALLOWED_HOSTS": "keqi.example.gov.cn"}


def check_deploy(extra: dict[str, str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEQI_") or k in ("KEQI_DATABASE_URL", "KEQI_HOME")}
    env.update(extra)
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)


def test_the_documented_production_set_up_passes_check_deploy():
    done = check_deploy(PRODUCTION)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_without_the_key_and_the_https_switch_check_deploy_complains():
    done = check_deploy({})
    assert done.returncode != 0
    for check in ("security.W009", "security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in done.stdout + done.stderr, check


def test_keqi_serve_refuses_the_development_key():
    from django.core.exceptions import ImproperlyConfigured

    from keqi.cli.server import require_secret_key

    with override_settings(INSECURE_KEY=True, DEBUG=False), pytest.raises(ImproperlyConfigured, match="KEQI_SECRET_KEY"):
        require_secret_key()
    with override_settings(INSECURE_KEY=True, DEBUG=True):
        require_secret_key()  # development
    with override_settings(INSECURE_KEY=False, DEBUG=False):
        require_secret_key()


def test_the_demo_key_is_its_own_and_kept(tmp_path):
    from keqi.cli.server import demo_secret_key

    key = demo_secret_key(tmp_path)
    assert key.startswith("keqi-demo-") and len(key) > 50 and demo_secret_key(tmp_path) == key
    assert (tmp_path / "demo" / "secret-key").stat().st_mode & 0o077 == 0


@pytest.mark.django_db
def test_pages_and_api_carry_csp_and_no_store(client_for, yubei_officer):
    client = client_for(yubei_officer)
    page = client.get("/registry/enterprises/")
    assert page.status_code == 200
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "no-store" in page["Cache-Control"]
    api = client.get("/api/units")
    assert api.status_code == 200 and "no-store" in api["Cache-Control"]
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]


@pytest.mark.django_db
def test_templates_hold_no_inline_script_or_style():
    """What the CSP forbids, no template of KeQi writes (the behaviour is in web/static/web/keqi.js)."""
    import re

    pattern = re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))|<style|\sstyle=|\son[a-z]+=|javascript:", re.I)
    offenders = [f"{path.relative_to(ROOT)}: {m.group(0)}" for path in (ROOT / "src" / "keqi").rglob("*.html")
                 for m in pattern.finditer(path.read_text(encoding="utf-8"))]
    assert not offenders, offenders


def test_session_lasts_a_working_day():
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE == 8 * 3600 and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY and settings.X_FRAME_OPTIONS == "DENY"


@pytest.mark.django_db
def test_error_pages_speak_chinese_with_the_navigation(client_for, yubei_officer, make_user):
    client = client_for(yubei_officer)
    missing = client.get("/registry/enterprises/91500000000000000X/")
    body = missing.content.decode()
    assert missing.status_code == 404 and "页面不存在" in body and "返回首页" in body and "返回上一页" in body
    assert "企业" in body and 'href="/targets/"' in body  # the site's navigation
    assert "Not Found" not in body
    bank = client_for(make_user("bank", "bank_officer"))
    refused = bank.get("/registry/enterprises/")
    assert refused.status_code == 403 and "无权访问" in refused.content.decode()
    assert "403 Forbidden" not in refused.content.decode()
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404 and api.json()["detail"].startswith("没有这个接口")


@pytest.mark.django_db
def test_the_500_page_comes_out_even_without_a_request_context():
    from keqi.web.errors import server_error

    response = server_error(RequestFactory().get("/targets/"))
    body = response.content.decode()
    assert response.status_code == 500 and "服务器出错" in body and "返回首页" in body and 'href="/targets/"' in body


@pytest.mark.django_db
def test_a_stale_form_gets_the_chinese_csrf_page(yubei_officer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(yubei_officer)
    response = client.post("/accounts/logout/")
    assert response.status_code == 403 and "表单已过期" in response.content.decode()
