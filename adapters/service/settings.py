"""What a running service is configured with (one object, passed to `create_app`)."""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, Field


def default_users_file() -> Path:
    """JIANFU_USERS, or `users.yaml` under the user's config directory."""
    named = os.environ.get("JIANFU_USERS")
    if named:
        return Path(named)
    from platformdirs import user_config_dir

    return Path(user_config_dir("jianfu", appauthor=False)) / "users.yaml"


class Settings(BaseModel):
    db_url: str | None = Field(None, description="台账数据库 URL 或 SQLite 文件；默认 JIANFU_DATABASE_URL 或用户数据目录 / register database")
    users_file: Path = Field(default_factory=default_users_file, description="用户及其令牌（哈希）/ users and their hashed tokens (YAML)")
    rules_dir: Path | None = Field(None, description="规则包目录；默认 JIANFU_RULES 或随安装包提供的 rules/ / folder of rule packs (default: the packs shipped with jianfu)")
    max_body_bytes: int = Field(5 * 1024 * 1024, gt=0, description="请求体上限 / largest request body accepted (bytes)")
