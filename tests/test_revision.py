"""What a revision of the packs changes: `jianfu rules diff OLD NEW` and `jianfu rules impact --rules NEW`.

The revision: a copy of the shipped packs allowing two city-wide system meetings a year (004 art. 8's parameter
`system_meetings_per_year` 1 → 2). On the sample register 市发展改革委's second meeting (JDZ-M-2019-011) needed the
city government's approval and under the revision needs none; its third (JDZ-M-2019-012) is still one too many.
Through the service's decision log, 市教育局's second meeting, refused under art. 8 alone, would be approved.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from jianfu import shipped
from jianfu_cli import ROOT, jianfu

sys.path.insert(0, str(ROOT / "tests" / "service"))
from conftest_pages import make_service  # noqa: E402

REGISTER = ROOT / "examples" / "register.yaml"
FLIP_KEYS = {"record_id", "unit", "before", "after", "rules"}


def revised(tmp_path: Path, edit=None) -> Path:
    folder = tmp_path / "revised"
    shutil.copytree(shipped("rules"), folder)
    pack = folder / "jingdezhen-2019.yaml"
    text = pack.read_text(encoding="utf-8")
    (edit or two_meetings)(pack, text)
    return folder


def replacing(old: str, new: str):
    """An edit of the Jingdezhen pack: `old` (which must be there) replaced by `new`, once."""
    def edit(pack: Path, text: str) -> None:
        assert old in text
        pack.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def impact_of(tmp_path: Path, old: str, new: str):
    """`jianfu rules impact` of the sample register's 2019 under the pack with `old` replaced by `new`: the finished
    command and its JSON report."""
    out = tmp_path / "impact.json"
    done = jianfu("rules", "impact", "--rules", str(revised(tmp_path, replacing(old, new))), "--register", str(REGISTER), "--year", "2019", "--out", str(out))
    return done, json.loads(out.read_text(encoding="utf-8")) if out.exists() else None


def two_meetings(pack: Path, text: str) -> None:
    old = '      "2019-03-19": 1\n  routine_merge_window_days'
    assert old in text
    pack.write_text(text.replace(old, '      "2019-03-19": 2\n  routine_merge_window_days').replace('version: "2019.1.0"', 'version: "2019.2.0"'), encoding="utf-8")


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> Path:
    return revised(tmp_path_factory.mktemp("two"))


def test_diff_names_the_parameter_changed_and_exits_1(two):
    done = jianfu("rules", "diff", str(shipped("rules")), str(two), "--format", "json")
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["differs"] is True
    [pack] = report["packs"]
    assert pack["id"] == "jingdezhen-2019" and pack["change"] == "changed"
    assert pack["version"] == {"before": "2019.1.0", "after": "2019.2.0"}
    assert pack["parameters"] == [{"name": "system_meetings_per_year", "change": "changed", "values": [{"date": "2019-03-19", "before": 1, "after": 2}]}]
    assert pack["rules"] == [] and pack["obligations"] == []
    table = jianfu("rules", "diff", str(shipped("rules")), str(two))
    assert table.returncode == 1 and "system_meetings_per_year" in table.stdout and "1 → 2" in table.stdout


def test_diff_of_a_rules_text_reading_condition_and_severity(tmp_path: Path):
    def edit(pack: Path, text: str) -> None:
        start = text.index("  - id: onsite_without_disturbance")
        part = text[start:]
        part = part.replace("severity: advice", "severity: block", 1).replace("{fact: onsite_demand_count, gt: 0}", "{fact: onsite_demand_count, gt: 1}", 1)
        part = part.replace("提醒而不驳回", "改为驳回", 1)  # in the reading
        pack.write_text(text[:start] + part, encoding="utf-8")

    folder = revised(tmp_path, edit)
    done = jianfu("rules", "diff", str(shipped("rules")), str(folder), "-f", "json")
    assert done.returncode == 1, done.stderr
    [rule] = json.loads(done.stdout)["packs"][0]["rules"]
    assert rule["id"] == "onsite_without_disturbance" and rule["change"] == "changed" and rule["article"] == "15"
    fields = {f["field"]: f for f in rule["fields"]}
    assert set(fields) == {"severity", "reading", "violated"}
    assert (fields["severity"]["before"], fields["severity"]["after"]) == ("advice", "block")


def test_diff_of_rules_added_and_removed(tmp_path: Path):
    folder = revised(tmp_path, replacing("  - id: inspection_work_plan\n", "  - id: inspection_work_plan_2\n"))
    done = jianfu("rules", "diff", str(shipped("rules")), str(folder), "-f", "json")
    rules = {(r["id"], r["change"]) for r in json.loads(done.stdout)["packs"][0]["rules"]}
    assert rules == {("inspection_work_plan_2", "added"), ("inspection_work_plan", "removed")}


def test_a_revision_that_changes_nothing(tmp_path: Path):
    same = tmp_path / "same"
    shutil.copytree(shipped("rules"), same)
    pack = same / "jingdezhen-2019.yaml"
    pack.write_text("# 只改了注释 / a comment only\n" + pack.read_text(encoding="utf-8"), encoding="utf-8")
    done = jianfu("rules", "diff", str(shipped("rules")), str(same))
    assert done.returncode == 0 and "相同" in done.stdout
    out = tmp_path / "impact.json"
    impact = jianfu("rules", "impact", "--rules", str(same), "--register", str(REGISTER), "--year", "2019", "--out", str(out))
    assert impact.returncode == 0, impact.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["flips"] == [] and report["units"] == [] and report["by_rule"] == {} and report["records_decided"] > 0


def test_impact_on_the_sample_register_lists_the_meeting_approved_without_an_approval(two, tmp_path: Path):
    outs = [tmp_path / name for name in ("impact.json", "impact.html", "impact.md")]
    done = jianfu("rules", "impact", "--rules", str(two), "--register", str(REGISTER), "--year", "2019", *[a for o in outs for a in ("--out", str(o))])
    assert done.returncode == 1, done.stderr
    report = json.loads(outs[0].read_text(encoding="utf-8"))
    assert all(set(f) == FLIP_KEYS for f in report["flips"])
    assert report["flips"] == [{"record_id": "JDZ-M-2019-011", "unit": "市发展改革委", "before": "approve", "after": "approve",
                                "rules": ["system_meeting_once_a_year"]}]
    assert report["by_rule"] == {"system_meeting_once_a_year": 1} and report["by_unit"] == {"市发展改革委": 1}
    assert [p["version"] for p in report["packs"]["after"]] == ["2019.2.0"]
    html, md = outs[1].read_text(encoding="utf-8"), outs[2].read_text(encoding="utf-8")
    assert 'data-record="JDZ-M-2019-011"' in html and "经批准豁免" in html
    assert "JDZ-M-2019-011" in md and "JDZ-M-2019-012" not in md


def test_impact_turns_a_rejection_into_an_approval(tmp_path: Path):
    # a merge window of 5 days instead of 30: 市生态环境局's routine meetings of 18 April and 6 May are no longer "near"
    done, report = impact_of(tmp_path, '      "2019-03-19": 30\n', '      "2019-03-19": 5\n')
    assert done.returncode == 1, done.stderr
    assert report["flips"] == [
        {"record_id": "JDZ-M-2019-013", "unit": "市生态环境局", "before": "reject", "after": "approve", "rules": ["merge_similar_routine_meetings"]}]


def test_impact_names_the_units_whose_results_change(tmp_path: Path):
    # a cut of 50% instead of 20%: 市卫生健康委's 7 issues of 2019 against 10 in 2018 (a quota of 5) break it twice
    done, report = impact_of(tmp_path, '      "2019-03-19": 0.20\n', '      "2019-03-19": 0.50\n')
    assert done.returncode == 1, done.stderr
    assert {f["record_id"] for f in report["flips"] if f["unit"] == "市卫生健康委"} == {"WJ-B-2019-06", "WJ-B-2019-07"}
    assert all(f["before"] == "approve" and f["after"] == "reject" and f["rules"] == ["bulletin_cut"] for f in report["flips"] if f["unit"] == "市卫生健康委")
    units = {(u["unit"], u["what"], u["before"], u["after"]) for u in report["units"]}
    assert ("市卫生健康委", "bulletin_met", True, False) in units
    assert report["by_rule"]["bulletin_cut"] >= 2


def test_impact_replays_the_decision_log(two, tmp_path: Path):
    service = make_service(tmp_path / "service")
    try:
        client = TestClient(service.app, headers={"Authorization": f"Bearer {service.tokens['clerk']}"})
        second = {"id": "REQ-LOG-1", "kind": "meeting", "jurisdiction": "景德镇市", "unit": "市教育局", "date": "2019-09-02",
                  "title": "全市教育系统秋季开学工作会议", "held_in_name_of": "department", "remit": "department",
                  "scope": "citywide_system", "routine": False}
        answer = client.post("/api/v1/screenings", json=second)
        assert answer.status_code == 200 and answer.json()[0]["decision"] == "reject"
    finally:
        service.app.state.store.close()
    db = tmp_path / "service" / "register.sqlite3"
    out = tmp_path / "impact.json"
    done = jianfu("rules", "impact", "--rules", str(two), "--db", str(db), "--year", "2019", "--log", "--out", str(out))
    assert done.returncode == 1, done.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["log_entries_replayed"] == 1
    [flip] = report["log_flips"]
    assert set(flip) == FLIP_KEYS
    assert flip["record_id"].startswith("REQ-LOG-1") and (flip["unit"], flip["before"], flip["after"]) == ("市教育局", "reject", "approve")
    assert flip["rules"] == ["system_meeting_once_a_year"]
    same = jianfu("rules", "impact", "--rules", str(shipped("rules")), "--db", str(db), "--year", "2019", "--log", "--out", str(out))
    assert same.returncode == 0 and json.loads(out.read_text(encoding="utf-8"))["log_flips"] == []


@pytest.mark.parametrize("args, field", [
    (("--register", str(REGISTER), "--log"), "--log"),
    (("--register", str(REGISTER), "--out", "x.pdf"), "--out"),
    ((), "--register"),
])
def test_impact_invalid_input_exits_2(two, tmp_path: Path, args, field):
    outs = () if "--out" in args else ("--out", str(tmp_path / "x.json"))
    done = jianfu("rules", "impact", "--rules", str(two), "--year", "2019", *args, *outs)
    assert done.returncode == 2 and field in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "x.json").exists()


def test_diff_of_an_invalid_pack_exits_2(tmp_path: Path):
    broken = tmp_path / "broken"
    shutil.copytree(shipped("rules"), broken)
    (broken / "jingdezhen-2019.yaml").write_text("id: [\n", encoding="utf-8")
    done = jianfu("rules", "diff", str(shipped("rules")), str(broken))
    assert done.returncode == 2 and "NEW" in done.stderr and "Traceback" not in done.stderr
    missing = jianfu("rules", "diff", str(tmp_path / "nowhere"), str(shipped("rules")))
    assert missing.returncode == 2 and "OLD" in missing.stderr


@pytest.mark.parametrize("edit", ["meetings", "cut", "window", "text"])
def test_reusing_the_first_walks_findings_gives_the_same_impact(tmp_path: Path, edit: str):
    """The second walk finds again only the kinds a revision changes; deciding every record again agrees."""
    from jianfu.adapters.files.read import read_register
    from jianfu.engine import load_folder
    from jianfu.engine.audit import audit
    from jianfu.engine.revision import ReusingEngine, engines, impact

    changes = {"meetings": ('      "2019-03-19": 1\n  routine_merge_window_days', '      "2019-03-19": 0\n  routine_merge_window_days'),
               "cut": ('      "2019-03-19": 0.20\n', '      "2019-03-19": 0.50\n'),
               "window": ('      "2019-03-19": 30\n', '      "2019-03-19": 5\n'),
               "text": ("      zh: 这是部门会议，不得升格为市政府会议。", "      zh: 部门会议不得升格为市政府会议。")}
    before_catalog, after_catalog = load_folder(shipped("rules")), load_folder(revised(tmp_path, replacing(*changes[edit])))
    data = read_register(REGISTER)

    def run(reuse: bool):
        first, second = engines(before_catalog, after_catalog, reuse)
        results = [audit(engine, data.units, data.records, data.plans, 2019) for engine in (first, second)]
        return impact(2019, *results).as_dict(), results[1].as_dict(), second

    reused, reused_audit, second = run(True)
    fresh, fresh_audit, _ = run(False)
    assert reused == fresh and reused_audit == fresh_audit
    assert isinstance(second, ReusingEngine)
    kinds_changed = {"meetings": "meeting", "cut": "bulletin", "window": "meeting", "text": "meeting"}[edit]
    assert {kind for (_, _, kind, _), same in second._same.items() if not same} == {kinds_changed}
    if edit == "meetings":
        assert {f["record_id"] for f in reused["flips"]} >= {"JDZ-M-2019-001", "JDZ-M-2019-010"}  # none allowed: each first meeting refused
