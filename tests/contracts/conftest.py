"""Fixtures of the contract tests: registrars and a bank officer."""

from __future__ import annotations

import pytest


@pytest.fixture
def registrar(make_user):
    return make_user("registrar-yubei", "contract_registrar", unit="渝北区")


@pytest.fixture
def nanan_registrar(make_user):
    return make_user("registrar-nanan", "contract_registrar", unit="南岸区")


@pytest.fixture
def bank_officer(make_user):
    return make_user("bank", "bank_officer", organisation="重庆农村商业银行")
