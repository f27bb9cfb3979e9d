"""`jianfu users add|list|revoke`: a token is printed once and kept only as a salted hash."""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from jianfu.adapters.service.auth import Directory, UsersFile
from live_service import REPO


def jianfu(*args: str, users) -> subprocess.CompletedProcess:
    env = {**os.environ, "JIANFU_USERS": str(users)}
    return subprocess.run([sys.executable, "-m", "jianfu", "users", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=60)


def test_add_prints_the_token_once_and_the_file_keeps_only_its_hash(tmp_path):
    users = tmp_path / "users.yaml"
    added = jianfu("add", "教育局张三", "--role", "department", "--unit", "市教育局", users=users)
    token = added.stdout.strip()
    assert added.returncode == 0 and token.startswith("jf_")
    stored = users.read_text(encoding="utf-8")
    assert token not in stored and token.split("_", 2)[2] not in stored
    [entry] = yaml.safe_load(stored)["users"]
    assert entry["token_hash"].startswith("scrypt$") and entry["unit"] == "市教育局"
    assert oct(users.stat().st_mode & 0o777) == "0o600"
    listed = jianfu("list", users=users)
    assert "教育局张三" in listed.stdout and "市教育局" in listed.stdout and token not in listed.stdout
    user = Directory(users).authenticate(token)
    assert user is not None and (user.name, user.role, user.unit) == ("教育局张三", "department", "市教育局")
    assert Directory(users).authenticate(token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_two_users_get_different_tokens_and_salts(tmp_path):
    file = UsersFile(tmp_path / "users.yaml")
    first, second = file.add("甲", "office"), file.add("乙", "office")
    hashes = [u["token_hash"] for u in file.entries()]
    assert first != second and hashes[0].split("$")[4] != hashes[1].split("$")[4]
    assert Directory(file.path).login("甲", first).name == "甲"
    assert Directory(file.path).login("乙", first) is None  # the right token under the wrong name


def test_wrong_roles_and_units_are_refused_and_revoke_removes_the_user(tmp_path):
    users = tmp_path / "users.yaml"
    assert jianfu("add", "x", "--role", "clerk", users=users).returncode == 2
    assert jianfu("add", "x", "--role", "department", users=users).returncode == 2  # a department needs its unit
    assert jianfu("add", "x", "--role", "office", "--unit", "市教育局", users=users).returncode == 2
    token = jianfu("add", "审计李四", "--role", "auditor", users=users).stdout.strip()
    assert jianfu("add", "审计李四", "--role", "auditor", users=users).returncode == 2  # the name is taken
    assert jianfu("revoke", "审计李四", users=users).returncode == 0
    assert Directory(users).authenticate(token) is None
    assert jianfu("revoke", "审计李四", users=users).returncode == 2


def test_a_malformed_or_foreign_stored_hash_lets_no_one_in():
    from jianfu.adapters.service.auth import hash_token, token_matches

    token = "jf_00000000_secret"
    assert token_matches(token, hash_token(token))
    assert not token_matches(token, hash_token("jf_00000000_other"))
    for stored in ("", "plain", "md5$x$y", "scrypt$16384$8$1$not-base64!$AAAA", hash_token(token).replace("scrypt", "bcrypt")):
        assert not token_matches(token, stored)
