"""Every error of the API in one shape, and the one place where exceptions become HTTP statuses.

A failed request answers ``{"detail": "<one line in Chinese>", "errors": {"<field>": "<reason>"}}``
(``errors`` empty when no single field is at fault) with one of the statuses every operation
declares in the OpenAPI: 401 (no or a bad credential), 403 (the role may not), 404 (no such object
in the caller's scope), 422 (the input breaks a rule: a parameter out of range, a body that is not a
JSON object, a rule of the scheme), 429 (too many failed sign-ins from this address).

The services raise ``PermissionDenied``, Django's ``ValidationError``, ``ObjectDoesNotExist`` or their
own rule errors (:class:`keqi.credit.services.CreditError`, :class:`keqi.contracts.services.ContractError`);
the routers let them through and :func:`install` turns each into its status here.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import Schema
from ninja.errors import AuthenticationError, AuthorizationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from keqi.accounts.throttling import LockedOut
from keqi.contracts.services import ContractError
from keqi.credit.services import CreditError

#: the statuses every operation may answer besides its own success (and the reason, for the OpenAPI)
ERROR_STATUSES = {
    401: "未登录，或令牌无效、已吊销",
    403: "当前角色无权执行此操作",
    404: "对象不存在，或不在您的权限范围内",
    409: "对象在您读取之后已被他人修改（请重新读取后再操作）",
    422: "请求参数或内容不符合规则（见 errors）",
    429: "失败的登录尝试过多，暂时锁定（见 Retry-After）",
}

NOT_SIGNED_IN = "请先登录，或在 Authorization 头中提供有效的令牌（Bearer kq_…）"
FORBIDDEN = "您的角色无权执行此操作"
NOT_FOUND = "没有这个对象，或它不在您的权限范围内"
BAD_INPUT = "请求有误"


class ErrorOut(Schema):
    """An error: one line for a person, and the reason for each faulty field (if any)."""

    detail: str
    errors: dict[str, str] = {}


# pydantic's error types → a reason in Chinese (``{…}`` filled from the error's context)
_REASONS = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "float_parsing": "应为数字",
    "float_type": "应为数字",
    "finite_number": "应为有限的数字",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "decimal_max_digits": "数字位数过多（最多 {max_digits} 位）",
    "decimal_max_places": "最多 {decimal_places} 位小数",
    "decimal_whole_digits": "整数部分位数过多",
    "bool_parsing": "应为 true 或 false",
    "bool_type": "应为 true 或 false",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "应为日期（YYYY-MM-DD），不带时间",
    "date_type": "应为日期（YYYY-MM-DD）",
    "string_type": "应为文本",
    "string_too_short": "至少 {min_length} 个字符",
    "string_too_long": "不能超过{max_length}个字符",
    "string_pattern_mismatch": "格式不正确",
    "greater_than_equal": "应不小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}",
    "literal_error": "应为以下之一：{expected}",
    "enum": "应为以下之一：{expected}",
    "dict_type": "应为 JSON 对象",
    "model_type": "应为 JSON 对象",
    "model_attributes_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "json_invalid": "不是有效的 JSON",
    "json_type": "不是有效的 JSON",
    "extra_forbidden": "不认识此字段",
    "none_required": "应为空",
}


def reason(error: dict[str, Any]) -> str:
    """One pydantic error in Chinese."""
    kind = error.get("type", "")
    if kind == "greater_than_equal" and str((error.get("ctx") or {}).get("ge")) == "0":
        return "不能为负数"
    text = _REASONS.get(kind)
    if text is None:
        return "格式不正确"
    try:
        return text.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return text.split("{")[0].rstrip("（ ：") or "格式不正确"


def field_of(loc: tuple | list) -> str:
    """Where an error is, as the caller names it: ``year``, ``amount``, ``values.12`` (the request body
    itself is ``body``)."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else ["body"]
    elif parts:
        parts = parts[1:] or parts
    return ".".join(parts)


def body(detail: str, errors: dict[str, str] | None = None) -> dict:
    return {"detail": detail, "errors": errors or {}}


def summary(errors: dict[str, str], limit: int = 3) -> str:
    items = [f"{k} {v}" if k != "body" else f"请求体{v}" for k, v in list(errors.items())[:limit]]
    more = "……" if len(errors) > limit else ""
    return f"{BAD_INPUT}：" + "；".join(items) + more


def install(api) -> None:
    """Register the handlers on the API (replacing django-ninja's defaults)."""

    def respond(request, status: int, detail: str, errors: dict[str, str] | None = None, headers=None):
        response = api.create_response(request, body(detail, errors), status=status)
        for k, v in (headers or {}).items():
            response[k] = v
        return response

    @api.exception_handler(NinjaValidationError)
    def invalid(request, exc: NinjaValidationError):
        errors: dict[str, str] = {}
        for e in exc.errors:
            errors.setdefault(field_of(e.get("loc", ())), reason(e))
        return respond(request, 422, summary(errors), errors)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return respond(request, 401, NOT_SIGNED_IN)

    @api.exception_handler(AuthorizationError)
    def unauthorised(request, exc):
        return respond(request, 403, FORBIDDEN)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        status = exc.status_code
        if status == 400:  # a body that cannot be read (not JSON, not UTF-8): bad input like any other
            return respond(request, 422, "请求体不是有效的 JSON", {"body": "不是有效的 JSON"})
        if status == 403 and "CSRF" in str(exc):
            return respond(request, 403, "会话请求缺少 CSRF 令牌：请使用 Bearer 令牌，或从页面发起请求")
        return respond(request, status, str(exc))

    @api.exception_handler(LockedOut)
    def locked_out(request, exc: LockedOut):
        return respond(request, 429, str(exc), headers={"Retry-After": str(exc.retry_after)})

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc: PermissionDenied):
        return respond(request, 403, str(exc) or FORBIDDEN)

    @api.exception_handler(ObjectDoesNotExist)
    def missing(request, exc):
        return respond(request, 404, NOT_FOUND)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return respond(request, 404, NOT_FOUND)

    @api.exception_handler(DjangoValidationError)
    def rule_broken(request, exc: DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {k: "；".join(v) for k, v in exc.message_dict.items()}
            return respond(request, 422, summary(errors), errors)
        return respond(request, 422, "；".join(exc.messages))

    @api.exception_handler(ContractError)
    def contract_refused(request, exc: ContractError):
        return respond(request, 422, "技术合同不符合登记规则，未写入任何数据", dict(exc.faults))

    @api.exception_handler(CreditError)
    def credit_refused(request, exc: CreditError):
        return respond(request, 422, str(exc))


def declare(schema: dict) -> dict:
    """Add the error statuses, with the error shape, to every operation of an OpenAPI document."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, text in ERROR_STATUSES.items():
                operation["responses"][status] = {"description": text, **ref}
    return schema
