"""One error policy for the whole app: JSON (API.md's shape) under /api/, a page elsewhere."""

from __future__ import annotations

import math

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .observability import context
from .services.errors import ServiceError
from .throttle import TooManyAttempts
from .transaction import rollback

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "bad_request",
    409: "conflict",
    413: "too_large",
    415: "bad_request",
    422: "validation_error",
    429: "rate_limited",
}
MESSAGES = {
    400: "请求无效",
    401: "需要登录",
    403: "没有权限访问",
    404: "页面不存在",
    405: "不支持的请求方式",
    409: "与当前状态冲突",
    413: "上传的内容过大",
    415: "不支持的内容类型",
    422: "提交的数据有误",
    429: "操作过于频繁，请稍后再试",
    500: "服务器内部错误",
}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(
    status: int,
    message: str | None = None,
    fields: dict | None = None,
    code: str | None = None,
    reason: str | None = None,
):
    """``reason`` says why a 403 was given when the caller can do something about it
    (``email_unconfirmed``): in the JSON error, and on the page as what to do next."""
    message = message or _(MESSAGES.get(status, "请求无效"))
    if wants_json():
        fallback = "internal_error" if status >= 500 else "bad_request"
        body = {"error": {"code": code or CODES.get(status, fallback), "message": message}}
        if fields:
            body["error"]["fields"] = fields
        if reason:
            body["error"]["reason"] = reason
        return jsonify(body), status
    return render_template(
        "error.html",
        status=status,
        message=message,
        reason=reason,
        request_id=context.request_id(),
    ), status


def wait_message(seconds: int) -> str:
    """How long a throttled caller waits: seconds up to a minute and a half, then minutes."""
    if seconds <= 90:
        return _("尝试次数过多，为保护账号安全，请在 %(n)s 秒后再试", n=seconds)
    return _("尝试次数过多，为保护账号安全，请在 %(n)s 分钟后再试", n=math.ceil(seconds / 60))


def init_app(app: Flask) -> None:
    @app.errorhandler(TooManyAttempts)
    def too_many_attempts(exc: TooManyAttempts):
        response = make_response(error_response(429, wait_message(exc.retry_after)))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(ServiceError)
    def service_error(exc: ServiceError):
        rollback()  # a rejected write changes nothing
        return error_response(
            exc.status, exc.message, exc.fields, exc.code, getattr(exc, "reason", None)
        )

    @app.errorhandler(StaleDataError)
    def stale_write(exc: StaleDataError):
        # Two writes to one versioned record at once, outside the edits that say so themselves.
        rollback()
        return error_response(409, _("该记录刚刚被他人修改，请重新读取最新内容后再试"))

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return error_response(400, _("表单已过期，请刷新页面后重试"))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.response is not None:  # made for this case where it was raised (a throttled login)
            return exc.response
        return error_response(exc.code or 500)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        rollback()
        return error_response(500)
