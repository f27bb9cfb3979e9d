"""The decision log: every decision the service makes is kept with who asked, when, the request, the decision and the
packs, chained by hashes; `jianfu log verify` finds an edited or a deleted entry and names it; `jianfu log replay`
decides an entry again and says whether the result is the same, refusing when the packs changed."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
from sqlalchemy import create_engine, text

from jianfu.adapters.storage import normalise_url
from live_service import REPO, start_service, stop_service, unique

BACKENDS = ["sqlite", "postgresql"]


def meeting(unit: str, **changes) -> dict:
    return {"id": unique("LM"), "kind": "meeting", "jurisdiction": "景德镇市", "unit": unit, "date": "2019-06-12",
            "title": "全市系统工作会议", "held_in_name_of": "department", "remit": "department", "scope": "citywide_system",
            "routine": False, **changes}


@pytest.fixture
def logged(new_database, tmp_path):
    """A service of its own, and four decisions in its log: a rejection, an approval not recorded, one recorded,
    and a department's plan check."""
    service = start_service(tmp_path, new_database)
    requests = [meeting("市教育局"), meeting("市财政局"), meeting("市生态环境局")]
    with service.client("office") as office:
        office.post("/api/v1/screenings", json=requests[:2]).raise_for_status()
        office.post("/api/v1/screenings", params={"record": "true"}, json=requests[2]).raise_for_status()
    with service.client("department") as department:
        department.post("/api/v1/plans/check", json={"id": "JY-P", "kind": "plan", "jurisdiction": "景德镇市", "unit": "市教育局", "year": 2019,
                                                    "items": [meeting("市教育局")]}).raise_for_status()
    yield service, requests
    stop_service(service)


def raw_sql(service, *statements: str) -> None:
    engine = create_engine(normalise_url(service.db_url))
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    engine.dispose()


def allow_delete(service) -> str:
    """What someone with the database's own rights would do first: switch the never-deleted guard off."""
    if service.db_url.startswith("sqlite"):
        return "DROP TRIGGER decision_log_never_deleted"
    return "ALTER TABLE decision_log DISABLE TRIGGER decision_log_never_deleted"


@pytest.mark.parametrize("new_database", BACKENDS, indirect=True)
def test_each_decision_is_logged_with_who_when_what_and_the_packs(logged):
    service, requests = logged
    with service.client("auditor") as auditor:
        entries = auditor.get("/api/v1/log", params={"limit": 10}).json()
        verified = auditor.get("/api/v1/log/verify").json()
    assert [e["seq"] for e in entries] == [4, 3, 2, 1]
    oldest = {e["seq"]: e for e in entries}
    assert [oldest[i]["action"] for i in (1, 2, 3, 4)] == ["screening", "screening", "recording", "plan_check"]
    assert [oldest[i]["actor"] for i in (1, 2, 3, 4)] == ["办公室", "办公室", "办公室", "市教育局"]
    assert [oldest[i]["request_id"] for i in (1, 2, 3)] == [r["id"] for r in requests]
    # the bodies come as JSON values, not JSON inside strings (issue 14)
    assert oldest[1]["decision"]["decision"] == "reject" and oldest[2]["decision"]["decision"] == "approve"
    assert oldest[1]["request"]["unit"] == "市教育局"
    pack = oldest[1]["packs"][0]
    pack_file = REPO / "rules" / "jingdezhen-2019.yaml"
    assert pack["id"] == "jingdezhen-2019" and pack["sha256"] == hashlib.sha256(pack_file.read_bytes()).hexdigest()
    assert oldest[1]["prev_hash"] == "0" * 64
    assert all(oldest[i + 1]["prev_hash"] == oldest[i]["hash"] for i in (1, 2, 3))
    assert verified["ok"] is True and verified["entries"] == 4 and verified["head"]["hash"] == oldest[4]["hash"]
    result = service.cli("log", "verify")
    assert result.returncode == 0 and "4" in result.stdout, result.stderr


@pytest.mark.parametrize("new_database", BACKENDS, indirect=True)
def test_verify_names_an_entry_edited_in_the_database(logged):
    service, _ = logged
    raw_sql(service, """UPDATE decision_log SET decision = replace(decision, '"reject"', '"approve"') WHERE seq = 1""")
    result = service.cli("log", "verify")
    assert result.returncode == 1
    assert "#1" in result.stderr and "altered" in result.stderr
    assert "#2" not in result.stderr and "#3" not in result.stderr


@pytest.mark.parametrize("new_database", BACKENDS, indirect=True)
def test_verify_names_an_entry_edited_with_its_hash_recomputed(logged):
    """Rewriting an entry's hash to fit its new content breaks the link from the entry after it."""
    service, _ = logged
    from jianfu.adapters.storage import decision_log as log

    engine = create_engine(normalise_url(service.db_url))
    with engine.begin() as connection:
        row = dict(connection.execute(text("SELECT * FROM decision_log WHERE seq = 2")).mappings().one())
        row["actor"] = "别人"
        connection.execute(text("UPDATE decision_log SET actor = :a, hash = :h WHERE seq = 2"), {"a": "别人", "h": log.entry_hash(row)})
    engine.dispose()
    result = service.cli("log", "verify", "--json")
    assert result.returncode == 1
    problems = json.loads(result.stdout)["problems"]
    assert [p["seq"] for p in problems] == [3] and "prev_hash" in problems[0]["message_en"]


@pytest.mark.parametrize("new_database", BACKENDS, indirect=True)
def test_the_database_refuses_to_delete_an_entry_and_verify_names_one_deleted_anyway(logged):
    service, _ = logged
    with pytest.raises(Exception, match="never deleted"):
        raw_sql(service, "DELETE FROM decision_log WHERE seq = 2")
    assert service.cli("log", "verify").returncode == 0
    raw_sql(service, allow_delete(service), "DELETE FROM decision_log WHERE seq = 2")
    result = service.cli("log", "verify")
    assert result.returncode == 1
    assert "#2" in result.stderr and "missing" in result.stderr


@pytest.mark.parametrize("new_database", BACKENDS, indirect=True)
def test_replay_gives_the_same_decision_even_after_the_register_moved_on(logged):
    service, requests = logged
    # after the decisions: 市财政局 holds its system meeting, so deciding entry 2 today would reject it
    with service.client("office") as office:
        office.post("/api/v1/records", json=meeting("市财政局", status="held")).raise_for_status()
        today = office.post("/api/v1/screenings", json=requests[1] | {"id": unique("LM")}).json()[0]
    assert today["decision"] == "reject"
    for seq in (1, 2, 3, 4):
        result = service.cli("log", "replay", str(seq))
        assert result.returncode == 0, (seq, result.stdout, result.stderr)
        assert f"#{seq}" in result.stdout and "same decision" in result.stdout


@pytest.mark.parametrize("new_database", ["sqlite"], indirect=True)
def test_replay_says_when_a_logged_decision_differs(logged):
    service, _ = logged
    raw_sql(service, """UPDATE decision_log SET decision = replace(decision, '"approve"', '"reject"') WHERE seq = 2""")
    result = service.cli("log", "replay", "2")
    assert result.returncode == 1 and "different" in result.stdout and 'decision: "reject" → "approve"' in result.stdout


@pytest.mark.parametrize("new_database", ["sqlite"], indirect=True)
def test_replay_refuses_when_a_pack_it_names_has_changed(logged, tmp_path):
    service, _ = logged
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    pack = rules / "jingdezhen-2019.yaml"
    pack.write_text(pack.read_text(encoding="utf-8") + "\n# 改动 / changed\n", encoding="utf-8")
    changed = service.cli("log", "replay", "1", "--rules", str(rules))
    unchanged = service.cli("log", "replay", "1")
    missing = service.cli("log", "replay", "99")
    assert changed.returncode == 1 and "jingdezhen-2019" in changed.stdout and "has changed" in changed.stdout
    assert "same" not in changed.stdout
    assert unchanged.returncode == 0
    assert missing.returncode == 2 and "#99" in missing.stderr
