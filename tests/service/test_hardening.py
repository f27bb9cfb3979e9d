"""Issue 14: what no input may do to the service or the command line: a traceback, exit 1 or a 500 for a deep
structure, a traceback for a database that is not there, a huge value echoed back whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from conftest_pages import make_service
from jianfu_cli import jianfu

ROOT = Path(__file__).resolve().parents[2]
REQUESTS = yaml.safe_load((ROOT / "examples" / "requests.yaml").read_text(encoding="utf-8"))
NOWHERE = "postgresql://jianfu:secret@127.0.0.1:1/register"  # nothing listens on port 1


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    return make_service(tmp_path_factory.mktemp("hardening"))


def _client(made, name: str = "clerk") -> TestClient:
    return TestClient(made.app, headers={"Authorization": f"Bearer {made.tokens[name]}"})


@pytest.mark.parametrize("depth", [500, 5000])
@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_deeply_nested_file_is_invalid_input_not_a_traceback(tmp_path, depth, suffix):
    path = tmp_path / f"deep{suffix}"
    path.write_text("[" * depth + "]" * depth, encoding="utf-8")
    done = jianfu("check", str(path), "--register", str(ROOT / "examples" / "register.yaml"))
    assert done.returncode == 2, done.stderr[-500:]
    assert "Traceback" not in done.stderr and "嵌套过深" in done.stderr


@pytest.mark.parametrize("path", ["/api/v1/screenings", "/api/v1/records", "/api/v1/plans/check", "/api/v1/records/REQ-0/cancel"])
def test_a_deeply_nested_body_is_a_422(made, path):
    body = '{"reason": ' + "[" * 3000 + "]" * 3000 + "}"
    answer = _client(made).post(path, content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text[:300]
    assert answer.json()["error"] == "invalid_input"


def test_an_unreachable_postgresql_is_one_line_and_exit_2(tmp_path):
    requests = ROOT / "examples" / "requests.yaml"
    for args in (("check", str(requests), "--db", NOWHERE), ("register", "show", "--db", NOWHERE), ("audit", "--year", "2019", "--db", NOWHERE, "--out", str(tmp_path / "a.md"))):
        done = jianfu(*args)
        assert done.returncode == 2, (args, done.stderr[-300:])
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "无法连接台账数据库" in lines[0] and "127.0.0.1:1/register" in lines[0], done.stderr[-500:]
        assert "secret" not in done.stderr  # the password is never shown


def test_healthz_says_the_register_is_unreachable(tmp_path):
    from sqlalchemy import create_engine

    made = make_service(tmp_path)
    client = TestClient(made.app)
    assert client.get("/healthz").json()["register"] == "ok"
    store = made.app.state.store
    working, store.engine = store.engine, create_engine("postgresql+psycopg://jianfu:secret@127.0.0.1:1/register")
    try:
        answer = client.get("/healthz")
    finally:
        store.engine = working
    assert answer.status_code == 503
    assert answer.json()["register"] == "unreachable" and "无法连接台账数据库" in answer.json()["message"]
    assert "secret" not in answer.text


def test_a_huge_value_is_echoed_as_a_short_excerpt(tmp_path, made):
    huge = {**REQUESTS[0], "title": "标" * 2_000_000}
    path = tmp_path / "huge.json"
    path.write_text(json.dumps([huge], ensure_ascii=False), encoding="utf-8")
    done = jianfu("check", str(path), "--register", str(ROOT / "examples" / "register.yaml"))
    assert done.returncode == 2
    assert len(done.stderr) < 2_000 and "2000000" in done.stderr, done.stderr[:500]
    answer = _client(made).post("/api/v1/screenings", content=json.dumps(huge, ensure_ascii=False).encode(), headers={"Content-Type": "application/json"})
    assert answer.status_code in (413, 422) and len(answer.content) < 2_000


def _plan_with_an_item_of(unit: str) -> dict:
    item = {"id": "HP-1", "kind": "meeting", "unit": unit, "date": "2019-06-01", "title": "全市教育系统安全工作会议",
            "held_in_name_of": "department", "remit": "department", "scope": "citywide_system", "routine": False}
    return {"id": "HP", "kind": "plan", "jurisdiction": "景德镇市", "unit": "市教育局", "year": 2019, "items": [item]}


def test_a_plan_item_of_another_unit_is_refused_over_the_api(made):
    office = _client(made).post("/api/v1/plans/check", json=_plan_with_an_item_of("市财政局"))
    assert office.status_code == 422, office.text
    assert [e["field"] for e in office.json()["errors"]] == ["items[0].unit"] and "HP-1" in office.json()["errors"][0]["message"]
    department = _client(made, "jiaoyu").post("/api/v1/plans/check", json=_plan_with_an_item_of("市财政局"))
    assert department.status_code == 403
    assert _client(made, "jiaoyu").post("/api/v1/plans/check", json=_plan_with_an_item_of("市教育局")).status_code == 200


def test_another_unit_s_record_answers_as_a_missing_one(made):
    department = _client(made, "jiaoyu")
    other, missing = department.get("/api/v1/records/CZ-D-2019-001"), department.get("/api/v1/records/NO-SUCH-ID")
    assert other.status_code == missing.status_code == 404
    assert other.json()["error"] == missing.json()["error"]


def test_recording_over_the_api_names_an_unknown_unit_and_makes_none(made):
    before = len(made.app.state.store.units())
    stranger = {**REQUESTS[1], "id": "HU-1", "unit": "市新设局"}
    answer = _client(made).post("/api/v1/screenings", params={"record": "true"}, json=[REQUESTS[1] | {"id": "HU-0"}, stranger])
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["field"] == "[1].unit" and "市新设局" in answer.json()["errors"][0]["message"]
    assert len(made.app.state.store.units()) == before
    assert made.app.state.store.record("HU-0") is None  # the batch is one transaction


def test_a_rule_page_shows_no_raw_placeholder(made):
    from fastapi.testclient import TestClient as Client

    client = Client(made.app, follow_redirects=False)
    assert client.post("/login", data={"name": "shenji", "token": made.tokens["shenji"], "next": "/"}).status_code == 303
    for rule, _ in made.app.state.catalog.all_rules():
        if "{" not in rule.message.zh:
            continue
        html = client.get(f"/rules/{rule.id}").text
        shown = html.split('key">message</span></dt><dd>', 1)[1].split("</dd>", 1)[0]
        assert "{" not in shown and "〔" in shown, (rule.id, shown)
        break
    else:
        pytest.skip("no rule message has a placeholder")
