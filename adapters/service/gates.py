"""The pages' gates (who may see a page): the logged-in user or a redirect to the login page, the 403 page for a
role or another unit, and jianfu's errors as a page lists them.

Who may do what is the API's rule: `office` screens and records; `department` screens and pre-checks its own unit's
requests only and sees only its own unit's records; `auditor` reads (rules, register); `admin` everything.
"""

from __future__ import annotations

import functools
import inspect
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from jianfu.engine.errors import FieldError

from . import auth
from .auth import ROLE_ZH, ROLES, User
from .errors import as_service_error
from .page_frame import _render


class _Gate(Exception):
    def __init__(self, response: Response):
        self.response = response


def _user(request: Request, allowed: tuple[str, ...] | None = None) -> User:
    """The logged-in user, or a redirect to the login page; a 403 page when their role may not see this page."""
    user = auth.page_user(request)
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise _Gate(RedirectResponse(f"/login?next={quote(target)}", status_code=303))
    if allowed is not None and user.role not in set(allowed) | {"admin"}:
        permitted = [r for r in ROLES if r in allowed or r == "admin"]
        names = "、".join(ROLE_ZH[r] for r in permitted)
        raise _Gate(_forbidden(request, user, f"此页面仅限 {names}。", f"only {', '.join(permitted)} may use this page."))
    return user


def _unit_gate(request: Request, user: User, unit: str | None) -> None:
    if not user.may_see_unit(unit):
        raise _Gate(_forbidden(request, user, f"部门用户只能处理、查看本单位（{user.unit}）的事项。", f"a department user handles and sees only its own unit ({user.unit})."))


def _forbidden(request: Request, user: User | None, zh: str, en: str) -> Response:
    return _render(request, user, "forbidden.html", {"reason": zh, "reason_en": en}, status=403)


def _page_errors(request: Request, user: User, exc: BaseException) -> tuple[int, list[FieldError]]:
    """jianfu's errors as a page lists them (nothing was decided); a 403 (another unit's request or plan, or
    recording without the right) is the 403 page instead."""
    error = as_service_error(exc)
    if error.status == 403:
        raise _Gate(_forbidden(request, user, error.zh, error.en))
    return error.status, error.errors or [FieldError((), error.zh, error.en)]


def gated(handler):
    """Turn a `_Gate` raised anywhere in a page handler into its response."""
    if inspect.iscoroutinefunction(handler):

        @functools.wraps(handler)
        async def run_async(*args, **kwargs):
            try:
                return await handler(*args, **kwargs)
            except _Gate as gate:
                return gate.response

        return run_async

    @functools.wraps(handler)
    def run(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except _Gate as gate:
            return gate.response

    return run
