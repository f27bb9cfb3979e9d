"""What the page tests and the browser tests share: a real service (the app `create_app` builds, over a SQLite
register set up here) with one user of each role, and a way to serve it with uvicorn on a loopback port.

The register holds what the scenarios need and nothing else: 市教育局 already held its city-wide system meeting of
2019 (REQ-0, so a second one is rejected under article 8), and 市财政局 issued a document (a record the education
bureau's department user must not see).
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import pytest
import uvicorn
from fastapi.testclient import TestClient

from browser import launch
from jianfu.adapters.service.app import create_app
from jianfu.adapters.service.auth import UsersFile
from jianfu.adapters.service.settings import Settings
from jianfu.engine.records import RegisterFile

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"

REGISTER = {
    "units": [
        {"name": "景德镇市人民政府办公室", "type": "general_office", "level": "city"},
        {"name": "市教育局", "type": "department", "level": "city"},
        {"name": "市财政局", "type": "department", "level": "city"},
        {"name": "市卫生健康委", "type": "department", "level": "city"},
    ],
    "records": [
        {
            "id": "REQ-0", "kind": "meeting", "jurisdiction": "景德镇市", "unit": "市教育局", "date": "2019-03-25",
            "title": "2019年全市教育工作会议", "topics": ["教育工作部署"], "held_in_name_of": "department",
            "remit": "department", "scope": "citywide_system", "routine": False, "status": "held",
        },
        {
            "id": "CZ-D-2019-001", "kind": "document", "jurisdiction": "景德镇市", "unit": "市财政局", "date": "2019-02-20",
            "title": "关于加强预算绩效管理的通知", "issuer": "department", "remit": "department", "subject": "预算绩效管理",
            "doc_no": "景财字〔2019〕8号", "valid_until": "2021-12-31", "status": "issued",
        },
    ],
    "plans": [],
}

USERS = (("clerk", "office", None), ("jiaoyu", "department", "市教育局"), ("shenji", "auditor", None), ("root", "admin", None))


@dataclass
class Service:
    app: object
    tokens: dict[str, str] = field(default_factory=dict)
    folder: Path | None = None
    url: str = ""  # set once it is served


def make_service(folder: Path) -> Service:
    """The app over a fresh SQLite register in `folder`, with the register above and one user per role."""
    users = UsersFile(folder / "users.yaml")
    tokens = {name: users.add(name, role, unit) for name, role, unit in USERS}
    app = create_app(Settings(db_url=str(folder / "register.sqlite3"), users_file=folder / "users.yaml"))
    app.state.store.import_register(RegisterFile.model_validate(REGISTER), source="test")
    return Service(app, tokens, folder)


def module_service(folder: str, name: str = "service"):
    """A fixture `name`: a test module's own service (`make_service` in a fresh folder), its store closed after the
    module."""

    @pytest.fixture(scope="module", name=name)
    def made(tmp_path_factory):
        service = make_service(tmp_path_factory.mktemp(folder))
        yield service
        service.app.state.store.close()

    return made


def bearer(service: Service, name: str) -> TestClient:
    """A client of the API calling as user `name`, with its bearer token."""
    return TestClient(service.app, headers={"Authorization": f"Bearer {service.tokens[name]}"})


def logged_in(service: Service, name: str | None = None) -> TestClient:
    """A client of the pages, logged in through the form as user `name` (no one when None); redirects not followed."""
    client = TestClient(service.app, follow_redirects=False)
    if name is not None:
        answer = client.post("/login", data={"name": name, "token": service.tokens[name], "next": "/"})
        assert answer.status_code == 303, answer.text
    return client


@contextmanager
def browser_page(service: Service, name: str, next: str = "/", height: int = 768, timeout_ms: int = 10_000) -> Iterator[Any]:
    """A page of headless Chromium on the service served on a loopback port, logged in as user `name` through the
    login form and landed on `next`; the browser and the server stopped afterwards."""
    sync_api = pytest.importorskip("playwright.sync_api")
    served = Served(service.app).start()
    try:
        with sync_api.sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                page = browser.new_context(viewport={"width": 1366, "height": height}, locale="zh-CN").new_page()
                page.set_default_timeout(timeout_ms)
                page.goto(served.url + "/login?next=" + next)
                page.fill("#name", name)
                page.fill("#token", service.tokens[name])
                page.click("button[type=submit]")
                page.wait_for_url(served.url + next)
                yield page
            finally:
                browser.close()
    finally:
        served.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    """The app under uvicorn in a thread of this process, on a loopback port, until `stop()`."""

    def __init__(self, app):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "Served":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
