"""Scoping proved by enumeration: every URL pattern of the site (Django's resolver) and every operation of
the API (its OpenAPI), for every role, against objects of another unit, another firm and another bank.

A route or operation that is not classified in the tables below fails the test, so a new page cannot
be added without saying who may open it. For each (route, role): the status (200 for a reader; a refusal
— 302 to the login page for the anonymous, 403 or 404 — for everyone else), and, whatever the status,
no text of an object the role may not read (the world's markers, also inside xlsx downloads).
"""

from __future__ import annotations

import io

import polars as pl
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from .world import ROLES, build

pytestmark = pytest.mark.django_db

SIGNED_IN = frozenset(ROLES) - {"anonymous"}
CITY = frozenset({"city_admin"})
WRITERS = frozenset({"city_admin", "district_officer"})
READERS = WRITERS | {"enterprise_user"}
CONTRACTS = READERS | {"contract_registrar"}
CREDIT = WRITERS | {"bank_officer", "enterprise_user"}
NOBODY = frozenset()
EVERYONE = frozenset(ROLES)

# route name → (keyword arguments, built from the world: the *other* unit's, firm's or bank's objects; who gets 200)
PAGES = {
    "web:home": (lambda w: {}, SIGNED_IN),
    "registry:enterprise_list": (lambda w: {}, READERS),
    "registry:enterprise_export": (lambda w: {}, READERS),
    "web:enterprise_detail": (lambda w: {"uscc": w.other_firm}, CITY),
    # the rulebook is public policy: every signed-in role reads it (issue #18 item 5)
    "web:editions": (lambda w: {}, SIGNED_IN),
    "web:edition": (lambda w: {"edition_id": "srdi-2026"}, SIGNED_IN),
    "web:edition_compare": (lambda w: {"old": "srdi-2022", "new": "srdi-2026"}, SIGNED_IN),
    "registry:export_detail": (lambda w: {"pk": 999_999}, NOBODY),
    "registry:export_download": (lambda w: {"pk": 999_999}, NOBODY),
    "registry:template": (lambda w: {}, SIGNED_IN),
    "registry:import_list": (lambda w: {}, WRITERS),
    "registry:import_upload": (lambda w: {}, WRITERS),
    "registry:import_detail": (lambda w: {"pk": w.other_batch}, CITY),
    "registry:import_apply": (lambda w: {"pk": w.other_batch}, NOBODY),
    "registry:import_retry": (lambda w: {"pk": w.other_batch}, NOBODY),  # POST only
    "screening:index": (lambda w: {}, WRITERS),
    "screening:run_detail": (lambda w: {"pk": w.other_run}, CITY),
    "screening:candidate_list": (lambda w: {}, READERS),  # an enterprise user: its own firm only
    "screening:candidate_export": (lambda w: {}, READERS),
    "screening:enterprise_evaluation": (lambda w: {"uscc": w.other_firm}, CITY),
    "targets:overview": (lambda w: {}, READERS),
    "targets:allocations": (lambda w: {}, WRITERS),
    "targets:unit": (lambda w: {"pk": w.other_unit}, CITY),
    "targets:report": (lambda w: {}, WRITERS),
    "targets:report_xlsx": (lambda w: {}, WRITERS),
    "targets:values": (lambda w: {}, READERS),
    "targets:values_template": (lambda w: {}, READERS),
    "targets:import_list": (lambda w: {}, CITY),
    "targets:import_upload": (lambda w: {}, CITY),
    "targets:import_detail": (lambda w: {"pk": w.other_value_import}, CITY),
    "targets:import_apply": (lambda w: {"pk": w.other_value_import}, NOBODY),  # POST only
    "targets:import_retry": (lambda w: {"pk": w.other_value_import}, NOBODY),  # POST only
    "pipeline:task_list": (lambda w: {}, WRITERS),
    "pipeline:task_new": (lambda w: {}, WRITERS),
    "pipeline:task_detail": (lambda w: {"pk": w.other_task}, CITY),
    "contracts:list": (lambda w: {}, CONTRACTS),
    "contracts:export": (lambda w: {}, CONTRACTS),
    "contracts:template": (lambda w: {}, CONTRACTS),
    "contracts:import_list": (lambda w: {}, frozenset({"city_admin", "contract_registrar"})),
    "contracts:import_upload": (lambda w: {}, frozenset({"city_admin", "contract_registrar"})),
    "contracts:import_detail": (lambda w: {"pk": w.other_contract_import}, CITY),
    "contracts:import_apply": (lambda w: {"pk": w.other_contract_import}, NOBODY),
    "contracts:import_retry": (lambda w: {"pk": w.other_contract_import}, NOBODY),  # POST only
    "contracts:statistics": (lambda w: {}, CONTRACTS),
    "contracts:enterprise": (lambda w: {"uscc": w.other_firm}, CITY),
    "credit:index": (lambda w: {}, CREDIT),
    "credit:loan_new": (lambda w: {}, frozenset({"bank_officer"})),
    "credit:loan_detail": (lambda w: {"pk": w.other_loan}, CITY),
    "credit:loan_action": (lambda w: {"pk": w.other_loan, "action": "repay"}, NOBODY),
    "credit:funds": (lambda w: {}, WRITERS),
    "credit:policy": (lambda w: {}, CITY),
    "credit:enterprise": (lambda w: {"uscc": w.other_firm}, frozenset({"city_admin", "bank_officer"})),
    "applications:list": (lambda w: {}, READERS),
    "applications:new": (lambda w: {}, frozenset({"enterprise_user"})),
    "applications:bulk": (lambda w: {}, NOBODY),  # POST only
    "applications:detail": (lambda w: {"pk": w.other_application}, CITY),
    "applications:act": (lambda w: {"pk": w.other_application}, NOBODY),  # POST only
    "applications:attachment_upload": (lambda w: {"pk": w.other_application}, NOBODY),  # POST only
    "applications:attachment": (lambda w: {"pk": 999_999}, NOBODY),
    "applications:attachment_delete": (lambda w: {"pk": 999_999}, NOBODY),
    "applications:filings": (lambda w: {}, READERS),
    "applications:filing_start": (lambda w: {}, NOBODY),  # POST only
    "applications:filing_missing": (lambda w: {}, WRITERS),
    "applications:filing_window": (lambda w: {}, CITY),
    "applications:filing": (lambda w: {"pk": w.other_filing}, CITY),
    "applications:filing_evaluate": (lambda w: {"pk": w.other_filing}, NOBODY),  # POST only
    "applications:filing_act": (lambda w: {"pk": w.other_filing}, NOBODY),  # POST only
    "applications:batches": (lambda w: {}, WRITERS),
    "applications:batch": (lambda w: {"pk": 999_999}, NOBODY),
    "applications:batch_export": (lambda w: {"pk": 999_999}, NOBODY),
    "applications:calendar": (lambda w: {}, WRITERS),
    "applications:calendar_year": (lambda w: {"year": 2025}, WRITERS),
    "applications:notices": (lambda w: {}, SIGNED_IN),
    "login": (lambda w: {}, EVERYONE),
    "logout": (lambda w: {}, NOBODY),  # POST only
    "lockouts": (lambda w: {}, CITY),
    "set_language": (lambda w: {}, NOBODY),  # a GET changes nothing and goes back (302)
    "admin_stage_moved": (lambda w: {"rest": ""}, NOBODY),  # the ladder admin's old address (302 to the new)
}
# routes whose answer to a GET is a redirect for everyone
REDIRECT = {"set_language", "admin_stage_moved"}
# whole namespaces classified at once: (one URL to try, who gets 200)
NAMESPACES = {"admin": ("/admin/", CITY), "api": (None, None)}  # the API: operation by operation below


def routes():
    """(name, pattern) of every URL pattern; included namespaces listed in NAMESPACES are one entry each."""
    found = []

    def walk(patterns, ns=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                name = ":".join(x for x in (ns, p.namespace) if x)
                if name in NAMESPACES:
                    found.append(name)
                else:
                    walk(p.url_patterns, name)
            elif isinstance(p, URLPattern):
                found.append(f"{ns}:{p.name}" if ns else str(p.name))

    walk(get_resolver().url_patterns)
    return found


def client_of(world, role) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def text_of(response) -> str:
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    if body[:2] == b"PK":  # an xlsx: every sheet's cells
        sheets = pl.read_excel(io.BytesIO(body), sheet_id=0, raise_if_empty=False)
        return "\n".join(str(df.rows()) + " ".join(df.columns) for df in sheets.values())
    return body.decode("utf-8", "replace")


def refused(role: str, response) -> bool:
    if response.status_code in (403, 404, 405):
        return True
    # the site's login page, or the admin's for users who are not staff
    return response.status_code == 302 and "login/" in response["Location"] and (
        role == "anonymous" or "/admin/" in response["Location"])


def test_every_route_is_classified():
    unclassified = [r for r in routes() if r not in PAGES and r not in NAMESPACES]
    assert not unclassified, f"classify these routes in tests/security/test_enumeration.py: {unclassified}"
    stale = [r for r in PAGES if r not in routes()]
    assert not stale, f"no such routes any more: {stale}"


@pytest.mark.parametrize("role", ROLES)
def test_every_page_for_every_role(tmp_path, role):
    from django.urls import reverse

    world = build(tmp_path)
    client = client_of(world, role)
    forbidden = world.forbidden(role)
    problems = []
    for name in routes():
        if name in NAMESPACES:
            url, readers = NAMESPACES[name]
            if url is None:
                continue
        else:
            kwargs, readers = PAGES[name]
            url = reverse(name, kwargs=kwargs(world))
        response = client.get(url)
        if name in REDIRECT:
            if response.status_code != 302:
                problems.append(f"{url}: {response.status_code}, expected 302")
        elif role in readers and response.status_code != 200:
            problems.append(f"{url}: {response.status_code}, expected 200")
        elif role not in readers and not refused(role, response):
            problems.append(f"{url}: {response.status_code}, expected a refusal")
        body = text_of(response)
        leaked = sorted(m for m in forbidden if m and m in body and m not in url)  # (not the URL echoed back)
        if leaked:
            problems.append(f"{url}: shows {leaked}")
    assert not problems, f"{role}:\n" + "\n".join(problems)


# ---------------------------------------------------------------- the API, operation by operation

# an empty body: the operation is only checked to refuse it before touching data (422 for every role, 401 anonymous)
EMPTY = "{}"

# "METHOD /path" → (path parameters from the world (other objects), body, who gets a 2xx)
OPERATIONS = {
    "GET /api/units": ({}, None, WRITERS | {"enterprise_user"}),
    "GET /api/enterprises": ({}, None, READERS),
    "GET /api/enterprises/{uscc}": (lambda w: {"uscc": w.other_firm}, None, CITY),
    "GET /api/enterprises/{uscc}/verdicts": (lambda w: {"uscc": w.other_firm}, None, CITY),
    "GET /api/screening/runs": ({}, None, READERS),
    "GET /api/screening/candidates": ({}, None, READERS),
    "GET /api/contracts": ({}, None, CONTRACTS),
    "POST /api/contracts": ({}, lambda w: {
        "number": "2025500199000001", "title": "越权登记", "category": "技术开发", "sub_kind": "委托开发",
        "seller_uscc": w.other_firm, "seller_name": "x", "buyer_uscc": w.own_firm, "buyer_name": "y",
        "signed_on": "2025-01-02", "registered_on": "2025-01-03", "contract_amount": 10, "technical_amount": 5,
        "unit": w.other_unit}, CITY),
    "GET /api/contracts/turnover?year=2024&by=unit": ({}, None, CONTRACTS),
    "GET /api/contracts/{number}": (lambda w: {"number": w.other_contract}, None, CITY),
    "GET /api/credit/grades": ({}, None, CREDIT),
    "GET /api/credit/grades/{uscc}": (lambda w: {"uscc": w.other_firm}, None, frozenset({"city_admin", "bank_officer"})),
    "GET /api/credit/loans": ({}, None, CREDIT),
    "POST /api/credit/loans": ({}, lambda w: {"uscc": w.other_firm, "amount": 1000, "annual_rate": "0.03",
                                              "granted_on": "2025-06-01", "due_on": "2025-12-01"},
                               frozenset({"bank_officer"})),
    "GET /api/credit/loans/{loan_id}": (lambda w: {"loan_id": w.other_loan}, None, CITY),
    "POST /api/credit/loans/{loan_id}/repayments": (lambda w: {"loan_id": w.other_loan},
                                                    lambda w: {"principal": 1, "paid_on": "2025-06-01"}, CITY),
    "POST /api/credit/loans/{loan_id}/default": (lambda w: {"loan_id": w.other_loan},
                                                 lambda w: {"on": "2025-06-01"}, CITY),
    "POST /api/credit/loans/{loan_id}/recoveries": (lambda w: {"loan_id": w.other_loan},
                                                    lambda w: {"amount": 1, "on": "2025-06-01"}, CITY),
    "GET /api/credit/funds": ({}, None, CREDIT),
    "GET /api/credit/funds/{unit_id}": (lambda w: {"unit_id": w.other_unit}, None, CITY),
    "POST /api/credit/funds/{unit_id}/contributions": (lambda w: {"unit_id": w.other_unit},
                                                       lambda w: {"amount": 1, "on": "2025-06-01"}, CITY),
    "GET /api/credit/breaker": ({}, None, CREDIT),
    "GET /api/targets/progress": ({}, None, READERS),
    "GET /api/targets/years": ({}, None, READERS),
    "GET /api/targets/trend": ({}, None, READERS),
    "GET /api/targets/ranking": ({}, None, READERS),
    "GET /api/targets/funnel": ({}, None, READERS),
    "GET /api/targets/counts": ({}, None, READERS),
    "GET /api/targets/allocations?year=2027": ({}, None, WRITERS),
    "PUT /api/targets/allocations": ({}, lambda w: {"indicator": "hnte_count", "year": 2027, "source": "越权",
                                                    "values": {str(w.other_unit): 1}}, CITY),
    "POST /api/targets/allocations/accept": ({}, lambda w: {"indicator": "hnte_count", "year": 2027,
                                                            "source": "越权"}, CITY),
    "GET /api/targets/values": ({}, None, READERS),
    "POST /api/targets/values": ({}, lambda w: {"indicator": "rd_intensity", "year": 2025, "as_of": "2025-06-01",
                                                "scope_key": f"unit:{w.other_unit}", "value": "1.5",
                                                "source": "越权"}, CITY),
    "GET /api/tasks": ({}, None, WRITERS),
    "POST /api/tasks": ({}, lambda w: {"uscc": w.other_firm, "kind": "visit", "title": "越权走访",
                                       "assigned_to": "w-other_officer", "due_on": "2025-09-01"}, CITY),
    "PATCH /api/tasks/{task_id}": (lambda w: {"task_id": w.other_task}, lambda w: {"notes": "越权"}, CITY),
    "GET /api/applications": ({}, None, SIGNED_IN),  # empty for the roles without cases
    "POST /api/applications": ({}, EMPTY, NOBODY),
    "POST /api/applications/bulk": ({}, EMPTY, NOBODY),
    "GET /api/applications/{application_id}": (lambda w: {"application_id": w.other_application}, None, CITY),
    "POST /api/applications/{application_id}/actions": (lambda w: {"application_id": w.other_application}, EMPTY,
                                                        NOBODY),
    "POST /api/applications/{application_id}/attachments": (lambda w: {"application_id": w.other_application}, EMPTY,
                                                            NOBODY),
    "GET /api/applications/attachments/{attachment_id}": ({"attachment_id": 999_999}, None, NOBODY),
    "GET /api/applications/pipeline/counts": ({}, None, WRITERS),
    "GET /api/filings": ({}, None, SIGNED_IN),
    "POST /api/filings": ({}, EMPTY, NOBODY),
    "GET /api/filings/{filing_id}": (lambda w: {"filing_id": w.other_filing}, None, CITY),
    "PUT /api/filings/{filing_id}/entries": (lambda w: {"filing_id": w.other_filing}, EMPTY, NOBODY),
    "POST /api/filings/{filing_id}/evaluate": (lambda w: {"filing_id": w.other_filing}, EMPTY, NOBODY),
    "POST /api/filings/{filing_id}/actions": (lambda w: {"filing_id": w.other_filing}, EMPTY, NOBODY),
    "GET /api/filings/missing/{fiscal_year}": ({"fiscal_year": 2024}, None, WRITERS),
    "GET /api/publicity/batches": ({}, None, WRITERS),
    "POST /api/publicity/batches": ({}, EMPTY, NOBODY),
    "GET /api/publicity/batches/{batch_id}": ({"batch_id": 999_999}, None, NOBODY),
    "POST /api/publicity/batches/{batch_id}/conclude": ({"batch_id": 999_999}, None, NOBODY),
    "GET /api/calendar": ({}, None, WRITERS),
    "PUT /api/calendar/{year}": ({"year": 2025}, EMPTY, NOBODY),
    "GET /api/workflows": ({}, None, SIGNED_IN),
}


def operations():
    from keqi.api.api import api

    schema = api.get_openapi_schema(path_prefix="/api/")
    return [f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops
            if method in ("get", "post", "put", "patch", "delete")]


def classified(op: str) -> str:
    """The table's key of an operation (some carry the query they need)."""
    return next((k for k in OPERATIONS if k.split("?")[0] == op), op)


def test_every_operation_is_classified():
    ops = operations()
    assert not [o for o in ops if classified(o) not in OPERATIONS], [o for o in ops if classified(o) not in OPERATIONS]
    assert not [o for o in OPERATIONS if o.split("?")[0] not in ops]


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_for_every_role(tmp_path, role):
    import json

    world = build(tmp_path)
    headers = {} if role == "anonymous" else {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[role]}"}
    client = Client()
    forbidden = world.forbidden(role)
    problems = []
    for op in map(classified, operations()):
        method, path = op.split(" ", 1)
        params, body, readers = OPERATIONS[op]
        url = path.format(**(params(world) if callable(params) else params))
        if body == EMPTY:
            kwargs = {"content_type": "application/json", "data": EMPTY}
        else:
            kwargs = {"content_type": "application/json", "data": json.dumps(body(world))} if body else {}
        response = getattr(client, method.lower())(url, **kwargs, **headers)
        if body == EMPTY:
            expected = 401 if role == "anonymous" else 422
            if response.status_code not in (expected, 403, 404):
                problems.append(f"{op}: {response.status_code}, expected {expected}")
            continue
        ok = 200 <= response.status_code < 300 or (body and response.status_code == 422)  # a rule, not a role
        if role in readers and not ok:
            problems.append(f"{op}: {response.status_code} {response.content[:200]!r}, expected 2xx")
        elif role not in readers and response.status_code not in ((401,) if role == "anonymous" else (403, 404)):
            problems.append(f"{op}: {response.status_code} {response.content[:200]!r}, expected a refusal")
        text = response.content.decode("utf-8", "replace")
        text = json.dumps(json.loads(text), ensure_ascii=False) if text.startswith(("{", "[")) else text
        leaked = sorted(m for m in forbidden if m and m in text)
        if leaked:
            problems.append(f"{op}: shows {leaked}")
    assert not problems, f"{role}:\n" + "\n".join(problems)
