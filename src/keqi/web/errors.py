"""The error pages (400, 403, 404, 500 and the CSRF failure), in Chinese, with the site's navigation
and a way back; under ``/api/`` the API's error shape instead (keqi.api.errors)."""

from __future__ import annotations

import logging

from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.template.exceptions import TemplateDoesNotExist

log = logging.getLogger(__name__)

PAGES = {
    400: ("请求有误", "浏览器发来的请求无法处理（地址或表单内容不完整）。", "请返回上一页重新操作。"),
    403: ("无权访问", "您的角色无权查看此页面或执行此操作。", "如需此权限，请联系市科技局管理员。"),
    404: ("页面不存在", "没有这个页面：地址有误，或您要找的企业、合同、贷款等不存在或不在您的权限范围内。",
          "请从首页或导航重新进入。"),
}
CSRF = ("表单已过期", "页面上的表单已失效（打开太久、已退出登录，或浏览器禁用了 Cookie），本次提交没有保存。",
        "请返回上一页，刷新后重新提交。")


def _api(request, status: int, detail: str):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": detail, "errors": {}}, status=status)
    return None


def _page(request, status: int, heading: str, reason: str, advice: str, template: str) -> HttpResponse:
    try:
        body = loader.render_to_string(template, {"status": status, "heading": heading, "reason": reason,
                                                  "advice": advice}, request)
    except Exception:  # the page must come out even when the navigation cannot be built (the database is down)
        log.exception("error page %s could not be rendered with the navigation", status)
        body = loader.render_to_string("500.html") if status == 500 else f"<h1>{heading}</h1><p>{reason}</p>"
    return HttpResponse(body, status=status)


def bad_request(request, exception=None):
    return _api(request, 400, "请求有误") or _page(request, 400, *PAGES[400], "400.html")


def permission_denied(request, exception=None):
    heading, reason, advice = PAGES[403]
    text = str(exception or "").strip()
    if text and text != "Forbidden" and not text.isascii():  # a service's reason, already in Chinese
        reason = text
    return _api(request, 403, reason) or _page(request, 403, heading, reason, advice, "403.html")


def page_not_found(request, exception=None):
    api = _api(request, 404, "没有这个接口，或对象不在您的权限范围内（接口文档：/api/docs）")
    return api or _page(request, 404, *PAGES[404], "404.html")


def server_error(request):
    api = _api(request, 500, "服务器出错，已记录在服务器日志中；请稍后重试")
    if api:
        return api
    try:
        return HttpResponse(loader.render_to_string("500.html", {}, request), status=500)
    except TemplateDoesNotExist:  # pragma: no cover (the template ships with KeQi)
        return HttpResponse("<h1>服务器出错</h1>", status=500)
    except Exception:
        return HttpResponse(loader.render_to_string("500.html"), status=500)


def csrf_failure(request, reason=""):
    return _api(request, 403, CSRF[1]) or _page(request, 403, *CSRF, "403_csrf.html")
