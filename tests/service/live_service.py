"""Helpers to run the real service in tests: `jianfu serve` started as a process on a free loopback port, driven over HTTP.

One server per database for the whole session (SQLite always; PostgreSQL when JIANFU_TEST_POSTGRES_URL is set, in a
schema of its own), holding the sample register (examples/register.yaml) and one user per role. Tests that change
the register use ids of their own, so they do not disturb each other; tests that need a register of their own start
a server of their own with `start_service`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from jianfu.adapters.files.read import read_register
from jianfu.adapters.service.auth import UsersFile
from jianfu.adapters.storage import open_store

REPO = Path(__file__).resolve().parents[2]
USERS = {
    "office": ("办公室", None),
    "department": ("市教育局", "市教育局"),
    "auditor": ("审计", None),
    "admin": ("管理员", None),
}


@dataclass
class Service:
    url: str
    db_url: str
    users_file: Path
    tokens: dict[str, str] = field(default_factory=dict)  # role -> token
    process: subprocess.Popen | None = None

    def client(self, role: str | None = None, **kwargs) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **kwargs)

    def cli(self, *args: str, **kwargs) -> subprocess.CompletedProcess:
        """`jianfu …` against this service's database and users file."""
        env = {**os.environ, "JIANFU_DATABASE_URL": self.db_url, "JIANFU_USERS": str(self.users_file)}
        return subprocess.run([sys.executable, "-m", "jianfu", *args], capture_output=True, text=True, env=env, cwd=REPO, timeout=120, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_service(folder: Path, db_url: str, workers: int = 1, sample: bool = True, extra: tuple[str, ...] = ()) -> Service:
    """Import the sample register, add one user per role, start `jianfu serve` and wait until /healthz answers."""
    store = open_store(db_url)
    if sample:
        store.import_register(read_register(REPO / "examples" / "register.yaml"), source="import:register.yaml")
    store.close()
    users = UsersFile(folder / "users.yaml")
    tokens = {role: users.add(name, role, unit) for role, (name, unit) in USERS.items()}
    port = free_port()
    log = open(folder / "service.log", "wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "jianfu", "serve", "--port", str(port), "--db", db_url, "--users", str(users.path), "--workers", str(workers), *extra],
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
    )
    service = Service(f"http://127.0.0.1:{port}", db_url, users.path, tokens, process)
    deadline = time.monotonic() + 90
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"jianfu serve exited {process.returncode}: {(folder / 'service.log').read_text(errors='replace')}")
        try:
            if httpx.get(f"{service.url}/healthz", timeout=2).status_code == 200:
                return service
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError("jianfu serve did not answer /healthz within 90 s")
        time.sleep(0.2)


def stop_service(service: Service) -> None:
    if service.process is not None and service.process.poll() is None:
        service.process.terminate()
        try:
            service.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            service.process.kill()
            service.process.wait()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
