"""The fixture set read back in every format (bench/intake.py): the per-kind accuracy holds its floor, and the
scoring itself catches a wrong field."""

from __future__ import annotations

import json

import docx
import yaml

from jianfu import shipped
from jianfu.adapters.files.read import read_register
from jianfu.adapters.intake import RegisterData, intake_file
from jianfu.bench import intake as bench

from jianfu_cli import jianfu

REGISTER = shipped("examples") / "register.yaml"


def test_fixture_set_has_ten_of_each_kind_with_expected_fields():
    data = yaml.safe_load(bench.FIXTURES.read_text(encoding="utf-8"))
    for group in ("documents", "meetings", "inspections"):
        assert len(data[group]) >= 10
        assert all(len(f["expect"]) >= 4 for f in data[group])
    formats = {f.get("format") for group in data.values() for f in group}
    assert {"docx", "txt-gbk", "md", "html"} <= formats


def test_every_kind_reads_at_least_95_percent_of_its_fields():
    result = bench.run()
    for kind in ("document", "meeting", "inspection", "seed"):
        assert result[kind]["accuracy"] >= 0.95, (kind, result["failures"])
    assert result["seed"]["accuracy"] == 1.0, result["failures"]


def test_scoring_catches_a_wrong_field_and_an_invented_one(tmp_path):
    fixture = {"name": "x", "format": "docx", "text": "景财字〔2019〕15号\n关于加强预算绩效管理的通知\n各县（市、区）财政局：\n正文。\n景德镇市财政局\n2019年5月10日\n"}
    draft = intake_file(bench.write(fixture, tmp_path), RegisterData.of(read_register(REGISTER))).draft
    marks = {f: ok for f, _, _, ok in bench.score(draft, {"date": "2019-05-11", "doc_no": "景财字〔2019〕15号", "unit": None})}
    assert marks == {"date": False, "doc_no": True, "unit": False}


def _meeting_docx(path):
    document = docx.Document()
    for line in ["景德镇市教育局", "关于召开2019年全市教育系统安全工作会议的通知", "各县（市、区）教育局：",
                 "经研究，决定召开2019年全市教育系统安全工作会议。", "一、会议时间", "2019年5月20日（星期一）上午9:00",
                 "二、会议地点", "市教育局三楼会议室", "三、参会人员", "市财政局、市公安局分管负责同志",
                 "景德镇市教育局", "2019年5月10日"]:
        document.add_paragraph(line)
    document.save(str(path))
    return path


def test_docx_meeting_notice_on_the_command_line_with_the_register(tmp_path):
    run = jianfu("intake", str(_meeting_docx(tmp_path / "通知.docx")), "--register", str(REGISTER))
    assert run.returncode == 0, run.stderr
    [draft] = json.loads(run.stdout)
    request = draft["request"]
    assert draft["kind"] == "meeting"
    assert request["date"] == "2019-05-20"  # the meeting's, not the notice's 2019-05-10
    assert request["unit"] == "市教育局" and request["jurisdiction"] == "景德镇市"
    assert request["scope"] == "citywide_system" and request["held_in_name_of"] == "department"
    assert [a["unit"] for a in request["attendees"]] == ["市财政局", "市公安局"]
    assert "attendees[1]" in draft["missing"]  # 市公安局 is no unit of the sample register: reported, not invented
    assert {"id", "remit", "routine"} <= set(draft["missing"])
    assert "2019年5月20日" in draft["evidence"]["date"]


def test_similar_valid_document_is_shown_with_its_score(tmp_path):
    path = tmp_path / "draft.txt"
    path.write_text("景财字〔2019〕30号\n关于进一步加强预算绩效管理的通知\n各县（市、区）财政局：\n正文。\n景德镇市财政局\n2019年6月10日\n", encoding="utf-8")
    run = jianfu("intake", str(path), "--register", str(REGISTER))
    assert run.returncode == 1  # something found: art. 4
    [draft] = json.loads(run.stdout)
    assert draft["similar"][0]["doc_no"] == "景财字〔2019〕8号" and draft["similar"][0]["score"] >= 80
    strict = json.loads(jianfu("intake", str(path), "--register", str(REGISTER), "--threshold", "100").stdout)
    assert strict[0]["similar"] == [] or strict[0]["similar"][0]["score"] == 100
    expired = tmp_path / "late.txt"  # JDZ-D-2019-001 is valid until 2021-12-31: a draft of 2022 finds nothing
    expired.write_text(path.read_text(encoding="utf-8").replace("2019年6月10日", "2022年6月10日"), encoding="utf-8")
    assert json.loads(jianfu("intake", str(expired), "--register", str(REGISTER)).stdout)[0]["similar"] == []


def test_the_register_may_be_a_database(tmp_path):
    from jianfu.adapters.storage import open_store

    db = f"sqlite:///{tmp_path / 'register.sqlite3'}"
    store = open_store(db)
    store.import_register(read_register(REGISTER), source="test")
    store.close()
    run = jianfu("intake", str(_meeting_docx(tmp_path / "通知.docx")), "--db", db)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)[0]["request"]["unit"] == "市教育局"
    both = jianfu("intake", str(tmp_path / "通知.docx"), "--db", db, "--register", str(REGISTER))
    assert both.returncode == 2 and "--register" in both.stderr


def test_a_completed_draft_is_screened_by_jianfu_check(tmp_path):
    """The draft's request is the request contract: once its missing fields are filled in, `jianfu check` takes it
    (here: 市教育局's second 2019 system meeting, refused under article 8 against the sample register's JDZ-M-2019-001)."""
    [draft] = json.loads(jianfu("intake", str(_meeting_docx(tmp_path / "通知.docx")), "--register", str(REGISTER)).stdout)
    request = dict(draft["request"])
    request.update(id="INTAKE-1", remit="department", routine=False,
                   attendees=[{"unit": a["unit"], "directly_related": True} for a in request["attendees"]])
    assert {"id", "remit", "routine"} <= set(draft["missing"])
    requests = tmp_path / "requests.yaml"
    requests.write_text(yaml.safe_dump([request], allow_unicode=True), encoding="utf-8")
    run = jianfu("check", str(requests), "--register", str(REGISTER), "--format", "json")
    assert run.returncode == 1, run.stderr
    [decision] = json.loads(run.stdout)
    assert decision["decision"] == "reject"
    assert "8" in {f["clause"] for f in decision["findings"]}
