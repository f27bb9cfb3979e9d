"""`jianfu check` end to end: SPEC's decision shape, exit codes, and every output format."""

from __future__ import annotations

import hashlib
import json
from xml.etree import ElementTree as ET

import pytest

from jianfu_cli import ROOT, jianfu

REQUESTS = ROOT / "examples" / "requests.yaml"
REGISTER = ROOT / "examples" / "register.yaml"
FINDING_KEYS = {"rule", "source", "clause", "severity", "message", "message_en", "article_text", "facts", "remedy"}


@pytest.fixture(scope="module")
def decisions() -> list[dict]:
    done = jianfu("check", str(REQUESTS), "--register", str(REGISTER), "-f", "json")
    assert done.returncode == 1, done.stderr  # some of the examples are rejected
    return json.loads(done.stdout)


def test_json_is_an_array_of_spec_decisions_in_input_order(decisions):
    assert [d["id"] for d in decisions] == [f"REQ-2019-0510-0{i}" for i in range(1, 6)]
    for d in decisions:
        assert set(d) == {"id", "decision", "as_of", "packs", "findings", "passed", "not_applicable"}
        assert d["decision"] in ("approve", "reject")
        assert all(set(p) == {"id", "version", "sha256"} for p in d["packs"])
        assert all(set(f) == FINDING_KEYS for f in d["findings"])
        blocking = [f for f in d["findings"] if f["severity"] == "block"]
        assert (d["decision"] == "reject") == bool(blocking)


def test_the_pack_hash_is_the_file_hash(decisions):
    sha = hashlib.sha256((ROOT / "rules" / "jingdezhen-2019.yaml").read_bytes()).hexdigest()
    assert decisions[0]["packs"] == [{"id": "jingdezhen-2019", "version": "2019.1.0", "sha256": sha}]


def test_findings_quote_the_article_and_count_the_facts(decisions):
    finding = next(f for f in decisions[0]["findings"] if f["rule"] == "system_meeting_once_a_year")
    assert finding["clause"] == "8" and finding["source"] == "004_25cc8ea62125b708.txt"
    assert finding["article_text"] == "市直各部门召开的本系统全市性会议原则上每年不超过一次,因特殊原因需增开的,须报市政府批准。"
    assert finding["facts"]["system_meetings_in_year"] == 1 and finding["facts"]["system_meeting_ids"] == ["JDZ-M-2019-001"]
    assert "JDZ-M-2019-001" in finding["message"] and "JDZ-M-2019-001" in finding["message_en"]
    assert [f["rule"] for f in decisions[2]["findings"]] == ["department_document_not_escalated", "no_duplicate_document"]


def test_exit_0_when_everything_is_approved(tmp_path):
    approved = tmp_path / "ok.yaml"
    lines = REQUESTS.read_text(encoding="utf-8").split("\n- id: ")
    approved.write_text("- id: " + lines[2], encoding="utf-8")  # REQ-...-02 is approved
    done = jianfu("check", str(approved), "--register", str(REGISTER), "-f", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [d["decision"] for d in json.loads(done.stdout)] == ["approve"]


def test_markdown_and_english():
    md = jianfu("check", str(REQUESTS), "--register", str(REGISTER), "-f", "md")
    assert "## REQ-2019-0510-01：驳回" in md.stdout and "> 第8条：市直各部门" in md.stdout
    en = jianfu("check", str(REQUESTS), "--register", str(REGISTER), "-f", "md", "--lang", "en")
    assert "## REQ-2019-0510-01: reject" in en.stdout and "City-wide system meetings are limited" in en.stdout


def test_junit_is_xml_with_a_failure_per_blocking_finding():
    done = jianfu("check", str(REQUESTS), "--register", str(REGISTER), "-f", "junit")
    suite = ET.fromstring(done.stdout.split("?>", 1)[1])
    failures = suite.findall(".//failure")
    assert int(suite.get("failures")) == len(failures) == 4
    assert {c.get("classname") for c in suite.findall("testcase") if c.find("failure") is not None} == {"REQ-2019-0510-01", "REQ-2019-0510-03"}


def test_sarif_points_at_the_request_line():
    done = jianfu("check", str(REQUESTS), "--register", str(REGISTER), "-f", "sarif")
    sarif = json.loads(done.stdout)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    first = next(r for r in results if r["properties"]["request"] == "REQ-2019-0510-01")
    line = first["locations"][0]["physicalLocation"]["region"]["startLine"]
    assert REQUESTS.read_text(encoding="utf-8").splitlines()[line - 1].endswith("id: REQ-2019-0510-01")
    assert {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]} == {r["ruleId"] for r in results}


def test_table_is_chinese():
    done = jianfu("check", str(REQUESTS), "--register", str(REGISTER))
    assert "驳回" in done.stdout and "第8条" in done.stdout and "共 5 件：批准 3，驳回 2" in done.stdout


def test_as_of_before_the_pack_decides_nothing():
    done = jianfu("check", str(REQUESTS), "--register", str(REGISTER), "--as-of", "2019-01-01", "-f", "json")
    assert done.returncode == 2 and done.stdout == "" and "没有生效的规则包" in done.stderr


def test_plan_command(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text(
        "id: P\nkind: plan\njurisdiction: 景德镇市\nunit: 市教育局\nyear: 2019\nitems:\n"
        "  - {id: A, kind: meeting, date: '2019-09-01', held_in_name_of: department, remit: department, scope: citywide_system, routine: false}\n"
        "  - {id: B, kind: meeting, date: '2019-04-01', held_in_name_of: department, remit: department, scope: citywide_system, routine: false}\n",
        encoding="utf-8",
    )
    done = jianfu("plan", str(plan), "--register", str(tmp_path / "none.yaml"), "-f", "json")
    assert done.returncode == 2  # the register file does not exist
    done = jianfu("plan", str(plan), "--register", str(REGISTER), "-f", "json")
    assert [(d["id"], d["decision"]) for d in json.loads(done.stdout)] == [("A", "reject"), ("B", "reject")]  # the register already has JDZ-M-2019-001


def test_schemas_in_the_repository_are_the_generated_ones(tmp_path):
    done = jianfu("schema", "--out", str(tmp_path))
    assert done.returncode == 0
    for generated in tmp_path.glob("*.schema.json"):
        assert json.loads(generated.read_text()) == json.loads((ROOT / "schemas" / generated.name).read_text()), generated.name
