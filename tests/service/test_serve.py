"""`make run`'s command, `jianfu serve --demo`: a fresh SQLite register with the sample data, a login printed for
each role, and the service answering with them."""

from __future__ import annotations

import re
import subprocess
import sys
import time

import httpx

from live_service import REPO, free_port


def test_the_demo_serves_the_sample_register_and_prints_a_working_login_per_role(tmp_path):
    port = free_port()
    out = tmp_path / "out.txt"
    with open(out, "wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "jianfu", "serve", "--demo", "--demo-dir", str(tmp_path / "demo"), "--port", str(port)],
            cwd=REPO, stdout=sink, stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        printed = out.read_text(encoding="utf-8")
        tokens = re.findall(r"令牌 token: (jf_\S+)", printed)
        assert len(tokens) == 4, printed
        roles = []
        for token in tokens:
            me = httpx.get(url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
            assert me.status_code == 200
            roles.append(me.json()["role"])
        assert roles == ["office", "department", "auditor", "admin"]
        office = {"Authorization": f"Bearer {tokens[0]}"}
        records = httpx.get(url + "/api/v1/records", headers=office, params={"limit": 1000}, timeout=10).json()
        assert "JDZ-M-2019-001" in {r["id"] for r in records}  # the sample register is loaded
        stored = (tmp_path / "demo" / "users.yaml").read_text(encoding="utf-8")
        assert not any(token in stored for token in tokens)
    finally:
        process.terminate()
        process.wait(timeout=20)
