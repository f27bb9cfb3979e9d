"""Issue 13: each city is decided by its own law. A Nanchang or Pingxiang request never cites Jingdezhen's 004; a
matter on which a city's law says nothing is decided with nothing applicable, naming the packs in force; the
catalogue says per jurisdiction what is covered."""

from __future__ import annotations

import os
import subprocess
from datetime import date

import pytest
from pydantic import TypeAdapter

from jianfu import shipped
from jianfu.adapters.catalogue import coverage
from jianfu.engine import Engine, MemoryRegister, load_folder
from jianfu.engine.requests import Submission
from jianfu_cli import JIANFU, ROOT

CATALOG = load_folder(shipped("rules"))
ENGINE = Engine(CATALOG)
SOURCES = {"萍乡市": "002_22a072f485a76a77.txt", "南昌市": "001_f5eb960d7dcae4b1.txt"}
SUBMISSION = TypeAdapter(Submission)


def _sample_requests():
    return [SUBMISSION.validate_python(r) for r in __import__("yaml").safe_load((ROOT / "examples" / "requests.yaml").read_text(encoding="utf-8"))]


@pytest.mark.parametrize(("place", "day"), [("萍乡市", date(2021, 3, 10)), ("萍乡市", date(2021, 5, 10)), ("南昌市", date(2022, 11, 1))])
def test_no_decision_for_another_city_cites_jingdezhen(place, day):
    """The sample's requests (which break 004 in Jingdezhen) moved to Pingxiang and Nanchang: whatever is found cites
    that city's own source, and every decision names only that city's pack."""
    requests = [r.model_copy(update={"jurisdiction": place, "date": day}) for r in _sample_requests()]
    jingdezhen = [ENGINE.decide(r, MemoryRegister()) for r in _sample_requests()]
    assert any(d.findings for d in jingdezhen)  # the same requests do break Jingdezhen's law
    for decision in (ENGINE.decide(r, MemoryRegister()) for r in requests):
        assert [p.id for p in decision.packs] == [{"萍乡市": "pingxiang-2020", "南昌市": "nanchang-2022"}[place]]
        assert all(f.source == SOURCES[place] for f in decision.findings), decision.findings


def test_a_matter_the_citys_law_is_silent_on_is_decided_with_nothing_applicable():
    meeting = next(r for r in _sample_requests() if r.kind == "meeting").model_copy(update={"jurisdiction": "南昌市", "date": date(2023, 3, 10)})
    decision = ENGINE.decide(meeting, MemoryRegister())
    assert decision.decision == "approve" and decision.findings == [] and decision.passed == [] and decision.not_applicable == []
    assert [p.id for p in decision.packs] == ["nanchang-2022"] and decision.packs[0].sha256 == CATALOG.packs["nanchang-2022"].sha256


def test_coverage_per_jurisdiction():
    found = {c.jurisdiction: c for c in coverage(CATALOG)}
    assert set(found) == {"景德镇市", "萍乡市", "南昌市"}
    assert found["南昌市"].uncovered() == ["document", "meeting", "inspection", "bulletin"]
    assert [r.id for r in found["萍乡市"].rules["meeting"]] == ["no_meeting_month"] and found["萍乡市"].uncovered() == ["document", "inspection", "bulletin"]
    assert found["景德镇市"].uncovered() == [] and {o.id for o in found["南昌市"].obligations} >= {"wuxing_yearly_plan"}


def test_rules_list_prints_the_coverage_table():
    done = subprocess.run([*JIANFU, "rules", "list"], capture_output=True, text=True, cwd=ROOT, env={**os.environ, "COLUMNS": "250"})
    assert done.returncode == 0, done.stderr
    table = done.stdout[done.stdout.index("各地区覆盖情况"):]
    line = next(l for l in table.splitlines() if "南昌市" in l and "nanchang-2022" in l)
    assert line.count("无规则") == 4
    line = next(l for l in table.splitlines() if "萍乡市" in l and "pingxiang-2020" in l)
    assert "第23条" in line and line.count("无规则") == 3


def test_rules_new_copies_a_model_that_lint_refuses_until_its_texts_are_filled(tmp_path):
    import shutil

    import yaml

    folder = tmp_path / "rules"
    shutil.copytree(shipped("rules"), folder)
    out = folder / "nanchang-draft.yaml"
    done = subprocess.run([*JIANFU, "rules", "new", "--from", "jingdezhen-2019", "--jurisdiction", "南昌市", "--out", str(out),
                           "--rules", str(folder)], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    draft = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert draft["id"] == "nanchang-draft" and draft["jurisdiction"] == ["南昌市"] and "extends" not in draft
    assert all(r["text"] == "" and r["source"] == "" for r in draft["rules"] + draft["obligations"])
    assert [r["id"] for r in draft["rules"]] == [r.id for r in CATALOG.stacks["jingdezhen-2019"].rules]
    lint = subprocess.run([*JIANFU, "rules", "lint", "--rules", str(folder)], capture_output=True, text=True, cwd=ROOT)
    assert lint.returncode == 2 and "nanchang-draft.yaml" in lint.stderr and "rules[0].source" in lint.stderr
    # filled in (here with the model's own words, to show that filling is all it takes), it loads
    original = yaml.safe_load((shipped("rules") / "jingdezhen-2019.yaml").read_text(encoding="utf-8"))
    for part in ("rules", "obligations"):
        for mine, theirs in zip(draft[part], original[part]):
            mine["text"], mine["source"] = theirs["text"], theirs["source"]
    for name, param in draft["parameters"].items():
        if "source" in param:
            param["source"] = original["parameters"][name]["source"]
    draft["sources"] = original["sources"]
    out.write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert "nanchang-draft" in load_folder(folder).packs
    again = subprocess.run([*JIANFU, "rules", "new", "--from", "jingdezhen-2019", "--jurisdiction", "南昌市", "--out", str(out),
                            "--rules", str(folder)], capture_output=True, text=True, cwd=ROOT)
    assert again.returncode == 2  # never overwrites


def test_the_catalogue_as_a_document_is_committed_and_lint_fails_when_it_is_stale(tmp_path):
    import shutil

    shutil.copytree(shipped("rules"), tmp_path / "rules")
    shutil.copytree(ROOT / "docs" / "rules", tmp_path / "docs" / "rules")
    lint = [*JIANFU, "rules", "lint", "--rules", str(tmp_path / "rules")]
    fresh = subprocess.run(lint, capture_output=True, text=True, cwd=ROOT)
    assert fresh.returncode == 0, fresh.stderr
    pack = tmp_path / "rules" / "pingxiang-2020.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace('"2020-04-24": 3', '"2020-04-24": 4'), encoding="utf-8")
    stale = subprocess.run(lint, capture_output=True, text=True, cwd=ROOT)
    assert stale.returncode == 2 and "pingxiang-2020.md" in stale.stderr


def test_a_rule_reads_as_prose_generated_from_its_condition():
    from jianfu.adapters.rule_document import condition_zh, markdown_to_html, pack_markdown
    from jianfu.adapters.scenarios import index

    stack = CATALOG.stacks["pingxiang-2020"]
    rule = stack.rule("no_meeting_month")
    words = condition_zh(rule.violated, stack)
    assert words.startswith("同时满足") and "申请所在月份（1-12）为参数 `no_meeting_month`" in words and "是否紧急突发事项为否" in words
    text = pack_markdown(CATALOG, "pingxiang-2020", index(ROOT / "features"))
    assert rule.text in text and "2020-04-24 起 3" in text and "会议_萍乡_无会月.feature" in text
    page = markdown_to_html(text, "萍乡")
    assert f"<blockquote>{rule.text}</blockquote>" in page and "<code>no_meeting_month</code>" in page


@pytest.mark.parametrize("suffix", [".xlsx", ".yaml", ".json"])
def test_the_contract_additions_round_trip_through_the_register_files(tmp_path, suffix):
    from jianfu.adapters.files.read import read_register
    from jianfu.adapters.files.write import write_register
    from jianfu.engine.records import RegisterFile

    data = RegisterFile.model_validate({
        "units": [{"name": "市教育局", "type": "department", "level": "city", "jurisdiction": "景德镇市",
                   "aliases": ["景德镇市教育局"], "leads": ["城区学校扩容", "校园安全"]}],
        "records": [
            {"id": "B-P", "kind": "bulletin", "jurisdiction": "景德镇市", "unit": "市教育局", "date": "2019-04-02", "series": "教育新闻专栏",
             "to": "public", "status": "issued"},
            {"id": "M-1", "kind": "meeting", "jurisdiction": "景德镇市", "unit": "市教育局", "date": "2019-04-03", "held_in_name_of": "department",
             "remit": "department", "scope": "other", "routine": False, "onsite_office": True, "urgent": True, "topics": ["校园安全"], "status": "held"},
        ]})
    path = tmp_path / f"register{suffix}"
    write_register(data, path)
    back = read_register(path)
    assert (back.units[0].aliases, back.units[0].leads) == (["景德镇市教育局"], ["城区学校扩容", "校园安全"])
    records = {r.id: r for r in back.records}
    assert records["B-P"].to == "public" and records["M-1"].onsite_office is True and records["M-1"].urgent is True


def test_the_excel_template_has_the_new_columns(tmp_path):
    import openpyxl

    from jianfu.adapters.files.plan_workbook import write_template

    path = tmp_path / "模板.xlsx"
    write_template(path)
    book = openpyxl.load_workbook(path)
    headers = {ws.title: [c.value for c in ws[1]] for ws in book.worksheets}
    meeting = next(h for name, h in headers.items() if "会议" in name)
    bulletin = next(h for name, h in headers.items() if "简报" in name)
    assert "现场办公会" in meeting and "紧急事项" in meeting and "报送对象" in bulletin
