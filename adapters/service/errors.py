"""Errors as JSON, for people and for the office system alike: a code, the message in Chinese and English, and for
invalid input every field at fault with its path and code (the same `FieldError`s the command line prints). The
codes are engine.errors.CODES, listed in docs/errors.md.

    {"error": "invalid_input", "message": "…", "message_en": "…",
     "errors": [{"field": "[0].scope", "path": [0, "scope"], "code": "not_allowed", "message": "…", "message_en": "…", "line": 3}]}
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from jianfu.engine.errors import CODES, EvaluationError, FieldError, InvalidInput, InvalidPack, JianfuError, NoPackInForce


class ServiceError(Exception):
    def __init__(self, status: int, zh: str, en: str, code: str = "error", errors: list[FieldError] | None = None, headers: dict | None = None):
        super().__init__(f"{zh} / {en}")
        if code not in CODES:
            raise ValueError(f"unknown error code {code!r}: add it to engine.errors.CODES and docs/errors.md")
        self.status, self.zh, self.en, self.code = status, zh, en, code
        self.errors = errors or []
        self.headers = headers

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.code, "message": self.zh, "message_en": self.en}
        if self.errors:
            out["errors"] = [e.as_json() for e in self.errors]
        return out


def invalid(errors: list[FieldError]) -> ServiceError:
    return ServiceError(422, "输入无效，未作任何决定", "invalid input: nothing decided", "invalid_input", errors)


def not_found(zh: str, en: str) -> ServiceError:
    return ServiceError(404, zh, en, "not_found")


def as_service_error(exc: BaseException) -> ServiceError:
    """jianfu's own errors in the service's terms; fail closed: nothing that could not be decided is approved."""
    if isinstance(exc, ServiceError):
        return exc
    if isinstance(exc, InvalidInput):
        return invalid(exc.errors)
    if isinstance(exc, NoPackInForce):
        return ServiceError(422, f"无法作出决定：{exc}", f"nothing decided: {exc}", "no_pack_in_force")
    if isinstance(exc, InvalidPack):
        return ServiceError(500, "规则包无效，未作任何决定", "invalid rule pack: nothing decided", "invalid_pack", exc.errors)
    if isinstance(exc, EvaluationError):
        return ServiceError(500, f"规则无法评估，未作任何决定：{exc}", f"a rule could not be evaluated, nothing decided: {exc}", "evaluation_error")
    return ServiceError(500, f"无法作出决定：{exc}", f"nothing decided: {exc}", getattr(exc, "code", "error"))


HTTP_WORDS = {
    404: ("未找到", "not found"),
    405: ("不支持此方法", "method not allowed"),
    413: ("请求体过大", "request body too large"),
}


def install(app: FastAPI) -> None:
    """Every error the app raises becomes one of the JSON bodies above."""

    @app.exception_handler(ServiceError)
    async def _service(_request: Request, exc: ServiceError):
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(JianfuError)
    async def _jianfu(_request: Request, exc: JianfuError):
        error = as_service_error(exc)
        return JSONResponse(error.body(), status_code=error.status)

    @app.exception_handler(RecursionError)
    async def _deep(_request: Request, _exc: RecursionError):
        error = FieldError((), "嵌套过深", "nested too deep")
        return JSONResponse(invalid([error]).body(), status_code=422)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError):
        errors = []
        for e in exc.errors():
            loc = tuple(p for p in e.get("loc", ()) if p not in ("body",))
            missing = e.get("type") == "missing"
            errors.append(FieldError(loc, "缺少必填字段" if missing else "取值无效", str(e.get("msg", "")), code="missing_field" if missing else "invalid_value"))
        return JSONResponse(invalid(errors).body(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            # FastAPI could not read a body model's JSON (malformed, or nested past what its parser takes): the same
            # invalid input, 422, as a body the routes read themselves
            error = FieldError((), "请求体应为有效的 JSON（格式错误或嵌套过深）", "the body must be valid JSON (malformed or nested too deep)")
            return JSONResponse(invalid([error]).body(), status_code=422)
        zh, en = HTTP_WORDS.get(exc.status_code, (str(exc.detail), str(exc.detail)))
        return JSONResponse({"error": "http_" + str(exc.status_code), "message": zh, "message_en": en}, status_code=exc.status_code, headers=getattr(exc, "headers", None))
