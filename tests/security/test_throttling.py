"""Sign-in throttling: wrong passwords lock a user name from an address, bad API tokens lock an address;
the city administrator sees the lock and lifts it (keqi.accounts.throttling)."""

from __future__ import annotations

import pytest
from django.test import Client

from keqi.accounts.tokens import create_token

pytestmark = pytest.mark.django_db

PASSWORD = "a-test-password-9"
LOGIN = "/accounts/login/"


def attempt(client: Client, username: str, password: str, ip: str = "10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client: Client) -> bool:
    return client.get("/targets/").status_code == 200


def test_five_wrong_passwords_lock_even_the_right_one(yubei_officer):
    client = Client()
    for _ in range(4):
        response = attempt(client, "yubei", "wrong")
        assert response.status_code == 200 and "用户名或密码" in response.content.decode()
    locked = attempt(client, "yubei", "wrong")
    assert locked.status_code == 429 and "登录已暂时锁定" in locked.content.decode()
    assert int(locked["Retry-After"]) == 15 * 60
    right = attempt(client, "yubei", PASSWORD)
    assert right.status_code == 429 and not signed_in(client)
    # another address is not locked out: nobody can lock a colleague out from elsewhere
    elsewhere = Client()
    assert attempt(elsewhere, "yubei", PASSWORD, ip="10.2.2.2").status_code == 302 and signed_in(elsewhere)


def test_a_hundred_wrong_passwords_do_not_open_the_door(yubei_officer):
    client = Client()
    statuses = {attempt(client, "yubei", f"guess-{i}").status_code for i in range(100)}
    assert statuses == {200, 429}
    assert attempt(client, "yubei", PASSWORD).status_code == 429 and not signed_in(client)


def test_success_clears_the_count(yubei_officer):
    client = Client()
    for _ in range(4):
        attempt(client, "yubei", "wrong")
    assert attempt(client, "yubei", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "yubei", "wrong").status_code == 200  # counting from zero again


def test_the_city_administrator_sees_and_lifts_the_lock(yubei_officer, city_admin, client_for):
    locked = Client()
    for _ in range(5):
        attempt(locked, "yubei", "wrong")
    admin = client_for(city_admin)
    page = admin.get("/accounts/lockouts/").content.decode()
    assert "yubei" in page and "10.1.1.1" in page and "已锁定至" in page
    assert "登录锁定" in admin.get("/").content.decode()  # in the city administrator's navigation
    response = admin.post("/accounts/lockouts/", {"username": "yubei", "ip_address": "10.1.1.1"}, follow=True)
    assert "已解除锁定" in response.content.decode() and "已锁定至" not in response.content.decode()
    assert attempt(locked, "yubei", PASSWORD).status_code == 302 and signed_in(locked)


def test_only_the_city_administrator_sees_the_locks(yubei_officer, client_for):
    client = client_for(yubei_officer)
    assert client.get("/accounts/lockouts/").status_code == 403
    assert client.post("/accounts/lockouts/", {"username": "x", "ip_address": "10.1.1.1"}).status_code == 403
    assert Client().get("/accounts/lockouts/").status_code == 302  # to the login page


def test_bad_tokens_lock_the_address_for_every_token(yubei_officer, settings):
    settings.KEQI_TOKEN_FAILURE_LIMIT = 3
    _, key = create_token(user=yubei_officer, name="t")
    client = Client()
    good = {"HTTP_AUTHORIZATION": f"Bearer {key}", "REMOTE_ADDR": "10.3.3.3"}
    assert client.get("/api/units", **good).status_code == 200
    for bad in ("kq_nope", "kq_also-wrong"):
        assert client.get("/api/units", HTTP_AUTHORIZATION=f"Bearer {bad}", REMOTE_ADDR="10.3.3.3").status_code == 401
    third = client.get("/api/units", HTTP_AUTHORIZATION="Bearer nonsense", REMOTE_ADDR="10.3.3.3")
    assert third.status_code == 429 and "锁定" in third.json()["detail"] and third.json()["errors"] == {}
    assert int(third["Retry-After"]) == 15 * 60
    assert client.get("/api/units", **good).status_code == 429  # the right token too, from that address
    assert client.get("/api/units", HTTP_AUTHORIZATION=f"Bearer {key}", REMOTE_ADDR="10.4.4.4").status_code == 200
