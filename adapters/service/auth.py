"""Who may do what (权限): users, their roles and tokens.

Users live in a YAML file (`jianfu users add|list|revoke`). A token is shown once, when it is made; the file keeps
only its scrypt hash with a salt of its own, and a short public key id so a request finds its user without trying
every hash. Comparisons are constant-time. A verified token is remembered in memory (under an HMAC with a key that
never leaves the process) so the hot path does not pay scrypt on every request; the memory is dropped whenever the
users file changes, so a revoked token stops working at once.

Roles (SPEC, "Safety"):
- `office` (市政府办公室): screens, records approved requests, records approvals, files plans;
- `department` (市直部门), bound to one unit: pre-checks and screens its own unit's requests (never records), sees
  only its own unit's records and plans;
- `auditor` (督查室、审计): reads everything, runs audits, reads and verifies the decision log; never writes;
- `admin`: everything, and the users.

The API takes `Authorization: Bearer <token>`; the pages read the same token from the HttpOnly cookie
`jianfu_token` that their login form sets after `login(request, name, token)` succeeded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Literal

import yaml
from fastapi import Depends, Request

from .errors import ServiceError

Role = Literal["office", "department", "auditor", "admin"]
ROLES: tuple[str, ...] = ("office", "department", "auditor", "admin")
ROLE_ZH = {"office": "市政府办公室", "department": "市直部门", "auditor": "审计/督查", "admin": "管理员"}
COOKIE = "jianfu_token"
TOKEN_PREFIX = "jf"
# scrypt: 16 MiB and some 50 ms per check on the project's machine; tokens are random, so this guards a stolen file
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    unit: str | None = None

    def may_see_unit(self, unit: str | None) -> bool:
        """A department sees its own unit only; everyone else sees every unit."""
        return self.role != "department" or (unit is not None and unit == self.unit)


# -- tokens and their hashes -----------------------------------------------------------------------------------
def new_token() -> tuple[str, str]:
    """(key id, token): the key id is public and stored; the token is shown once."""
    key = secrets.token_hex(4)
    return key, f"{TOKEN_PREFIX}_{key}_{secrets.token_urlsafe(24)}"


def token_key(token: str) -> str | None:
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1]


def hash_token(token: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.scrypt(token.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${b64(salt)}${b64(digest)}"


def token_matches(token: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(token.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False  # a malformed stored hash never lets anyone in
    return hmac.compare_digest(actual, expected)


# -- the users file --------------------------------------------------------------------------------------------
class UsersFile:
    """The YAML users file: `users: [{name, role, unit, key, token_hash}]`."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def entries(self) -> list[dict[str, Any]]:
        if not self.path.is_file():
            return []
        data = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
        users = data.get("users") if isinstance(data, dict) else None
        if not isinstance(users, list):
            raise ValueError(f"{self.path}: 应有 users 列表 / expected a list under `users`")
        for i, entry in enumerate(users):
            if not isinstance(entry, dict) or not {"name", "role", "key", "token_hash"} <= set(entry):
                raise ValueError(f"{self.path}: users[{i}] 缺少 name/role/key/token_hash / users[{i}] lacks name, role, key or token_hash")
            if entry["role"] not in ROLES:
                raise ValueError(f"{self.path}: users[{i}].role 应为 {' | '.join(ROLES)} / role must be one of {', '.join(ROLES)}")
        return users

    def _save(self, users: list[dict[str, Any]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = "# jianfu 用户：令牌只存哈希（scrypt） / jianfu users: tokens are stored hashed (scrypt)\n"
        text += yaml.safe_dump({"users": users}, allow_unicode=True, sort_keys=False)
        temporary = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, self.path)  # readers see the old file or the new one, never half of one

    def add(self, name: str, role: str, unit: str | None = None) -> str:
        """Add a user and return their token (the only time it is seen)."""
        if role not in ROLES:
            raise ValueError(f"角色应为 {' | '.join(ROLES)} / role must be one of {', '.join(ROLES)}")
        if role == "department" and not unit:
            raise ValueError("部门用户须绑定一个单位（--unit） / a department user is bound to one unit (--unit)")
        if role != "department" and unit:
            raise ValueError("只有部门用户绑定单位 / only department users are bound to a unit")
        users = self.entries()
        if any(u["name"] == name for u in users):
            raise ValueError(f"用户 {name!r} 已存在 / user {name!r} exists")
        key, token = new_token()
        users.append({"name": name, "role": role, "unit": unit, "key": key, "token_hash": hash_token(token)})
        self._save(users)
        return token

    def revoke(self, name: str) -> None:
        users = self.entries()
        kept = [u for u in users if u["name"] != name]
        if len(kept) == len(users):
            raise ValueError(f"没有用户 {name!r} / no user {name!r}")
        self._save(kept)

    def users(self) -> list[User]:
        return [User(u["name"], u["role"], u.get("unit")) for u in self.entries()]


class Directory:
    """The users a running service knows: re-read whenever the file changes, verified tokens remembered."""

    def __init__(self, path: Path):
        self.file = UsersFile(path)
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._by_key: dict[str, dict[str, Any]] = {}
        self._by_name: dict[str, dict[str, Any]] = {}
        self._verified: dict[bytes, User] = {}
        self._secret = os.urandom(32)

    def _fresh(self) -> None:
        try:
            st = self.file.path.stat()
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except FileNotFoundError:
            stamp = None
        if stamp == self._stamp:
            return
        with self._lock:
            entries = self.file.entries()
            self._by_key = {u["key"]: u for u in entries}
            self._by_name = {u["name"]: u for u in entries}
            self._verified = {}
            self._stamp = stamp

    def authenticate(self, token: str) -> User | None:
        if not token or len(token) > 200:
            return None
        self._fresh()
        memo = hmac.new(self._secret, token.encode(), hashlib.sha256).digest()
        known = self._verified.get(memo)
        if known is not None:
            return known
        key = token_key(token)
        entry = self._by_key.get(key) if key else None
        if entry is None or not token_matches(token, entry["token_hash"]):
            return None
        user = User(entry["name"], entry["role"], entry.get("unit"))
        if len(self._verified) > 10_000:
            self._verified = {}
        self._verified[memo] = user
        return user

    def login(self, name: str, token: str) -> User | None:
        self._fresh()
        entry = self._by_name.get(name)
        user = self.authenticate(token)
        if entry is None or user is None or user.name != name:
            return None
        return user


def _state(where: Any):
    """app.state from a Request, an app or the state itself."""
    if isinstance(where, Request):
        return where.app.state
    return getattr(where, "state", where)


def authenticate(where: Any, token: str) -> User | None:
    """The user a token belongs to, or None. `where` is the request (or app, or app.state)."""
    return _state(where).users.authenticate(token)


def login(where: Any, name: str, token: str) -> User | None:
    """The pages' login: the user when `name` and `token` go together, else None."""
    return _state(where).users.login(name, token)


def page_user(request: Request) -> User | None:
    """The user of a page request, from the HttpOnly cookie `jianfu_token`; None when absent or invalid."""
    token = request.cookies.get(COOKIE)
    return authenticate(request, token) if token else None


UNAUTHORIZED = ("未登录或令牌无效：请在 Authorization 头中提供 Bearer 令牌", "missing or invalid token: send Authorization: Bearer <token>")


def api_user(request: Request) -> User:
    """FastAPI dependency: the user of an API request (Bearer token), else 401."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    user = authenticate(request, token.strip()) if scheme.lower() == "bearer" and token.strip() else None
    if user is None:
        raise ServiceError(401, *UNAUTHORIZED, code="unauthorized", headers={"WWW-Authenticate": "Bearer"})
    request.state.user = user
    return user


def forbidden(zh: str, en: str) -> ServiceError:
    return ServiceError(403, zh, en, code="forbidden")


def require(*roles: str) -> Callable[..., User]:
    """FastAPI dependency factory: the API user, if their role is one of `roles` (admin always is), else 403."""
    allowed = set(roles) | {"admin"}

    def dependency(user: User = Depends(api_user)) -> User:
        if user.role not in allowed:
            names = "、".join(ROLE_ZH[r] for r in ROLES if r in allowed)
            raise forbidden(f"无权限：此操作仅限 {names}", f"forbidden: only {', '.join(r for r in ROLES if r in allowed)} may do this")
        return user

    return dependency


def check_unit(user: User, unit: str | None, what: str = "") -> None:
    """403 when a department user touches another unit's request, plan or record."""
    if not user.may_see_unit(unit):
        raise forbidden(
            f"无权限：部门用户只能处理本单位（{user.unit}）的事项{('：' + what) if what else ''}",
            f"forbidden: a department user handles only its own unit ({user.unit}){(': ' + what) if what else ''}",
        )
