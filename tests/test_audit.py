"""The yearly audit against a register small enough to count by hand.

The register (景德镇市, 2018 and 2019, pack 004 in force from 2019-03-19):

- 市甲局: bulletins 5 in 2018, 4 in 2019 (cut 20%: exactly its share); 2 research reports; an on-site office meeting
  on 项目建设 each quarter; one comprehensive inspection, closed by a 销号 document. But art. 6's cut is the city's
  (issue 13): the city's cap is floor(7 × 0.8) = 5, and 甲's 3rd and 4th issues of 2019 are the city's 6th and 7th,
  so both break art. 6: red.
- 市乙局: bulletins 2 in 2018, 3 in 2019 in two series: issue 2 exceeds its share (floor(2 × 0.8) = 1: advice only),
  issue 3 is a second series (art. 6 once, blocking); three city-wide system meetings: the second breaks art. 8,
  the third has the city government's approval (a waiver used); 1 research report of 2; no on-site office meeting.
- 市丙局: no record at all: it appears, with every obligation missing.
- 市丁局: an inspection whose on-site check asks for a briefing (art. 15, advice), closed; 2 research reports; an
  on-site office meeting each quarter: yellow.
- 市政府办公室 (general office): art. 13 binds it and it ran no inspection; art. 18's quarterly review with lights
  binds it too and it issued none (Q2-Q4, Q1 being in force 13 days only): red.
- 九江市某局: a record in a city with no pack: not checked, grey.

City: bulletins 7 in 2018 (5 + 2), 7 in 2019 (4 + 3): cut 0%, target 20%, not met.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from pydantic import TypeAdapter

from jianfu.engine import Engine, load_folder
from jianfu.engine.audit import audit, flips, parse_parameters, with_parameters
from jianfu.engine.errors import InvalidInput
from jianfu.engine.records import Record, Unit
from jianfu_cli import ROOT, jianfu

RECORD = TypeAdapter(Record)
JDZ = "景德镇市"
FINDING_KEYS = {"rule", "source", "clause", "severity", "message", "message_en", "article_text", "facts", "remedy"}
EVIL = '=HYPERLINK("http://example.invalid","点击")'
WORK_PLAN = {"targets": ["整改到位"], "indicators": [{"name": "整改完成率", "target": "100%"}]}


def _bulletin(rid, unit, day, series, n, jurisdiction=JDZ):
    return {"id": rid, "kind": "bulletin", "jurisdiction": jurisdiction, "unit": unit, "date": day, "series": series, "issue_no": n, "status": "issued"}


def _document(rid, unit, day, title, subject, jurisdiction=JDZ):
    return {"id": rid, "kind": "document", "jurisdiction": jurisdiction, "unit": unit, "date": day, "title": title, "issuer": "department",
            "remit": "department", "subject": subject, "status": "issued"}


def _meeting(rid, unit, day, title, scope="other", topics=(), approvals=()):
    return {"id": rid, "kind": "meeting", "jurisdiction": JDZ, "unit": unit, "date": day, "title": title, "topics": list(topics),
            "held_in_name_of": "department", "remit": "department", "scope": scope, "routine": False, "approvals": list(approvals), "status": "held"}


def _inspection(rid, unit, day, type_="special", onsite=None):
    data = {"id": rid, "kind": "inspection", "jurisdiction": JDZ, "unit": unit, "date": day, "title": f"{unit}督查", "type": type_,
            "scope": "other", "work_plan": WORK_PLAN, "status": "approved"}
    if onsite:
        data["onsite"] = onsite
    return data


def _onsite_each_quarter(unit, prefix):
    return [{**_meeting(f"{prefix}-OS{q}", unit, day, "项目建设现场办公会", topics=["项目建设"]), "onsite_office": True}
            for q, day in enumerate(("2019-03-25", "2019-05-20", "2019-08-20", "2019-11-20"), start=1)]


def register_data() -> dict:
    units = [
        {"name": "市甲局", "type": "department", "level": "city", "jurisdiction": JDZ, "leads": ["项目建设"]},
        {"name": "市乙局", "type": "department", "level": "city", "jurisdiction": JDZ, "leads": ["项目建设"]},
        {"name": "市丙局", "type": "department", "level": "city", "jurisdiction": JDZ},
        {"name": "市丁局", "type": "department", "level": "city", "jurisdiction": JDZ},
        {"name": "市政府办公室", "type": "general_office", "level": "city", "jurisdiction": JDZ},
        {"name": "九江市某局", "type": "department", "level": "city", "jurisdiction": "九江市"},
    ]
    records = []
    # 市甲局
    records += [_bulletin(f"JIA-B18-{i}", "市甲局", f"2018-{i:02d}-10", "甲局简报", i) for i in range(1, 6)]
    records += [_bulletin(f"JIA-B19-{i}", "市甲局", f"2019-{i + 3:02d}-10", "甲局简报", i) for i in range(1, 5)]
    records += [_document("JIA-D1", "市甲局", "2019-05-05", "关于园区发展的调研报告", "甲-调研1"),
                _document("JIA-D2", "市甲局", "2019-09-05", "关于招商引资的调研报告", "甲-调研2")]
    records += _onsite_each_quarter("市甲局", "JIA")
    records += [_inspection("JIA-I1", "市甲局", "2019-06-01", "comprehensive"),
                _document("JIA-D3", "市甲局", "2019-08-01", "综合督查发现问题整改销号报告", "JIA-I1")]
    # 市乙局
    records += [_bulletin("YI-B18-1", "市乙局", "2018-03-01", "乙局简报", 1), _bulletin("YI-B18-2", "市乙局", "2018-09-01", "乙局简报", 2)]
    records += [_bulletin("YI-B19-1", "市乙局", "2019-04-01", "乙局简报", 1), _bulletin("YI-B19-2", "市乙局", "2019-05-01", "乙局简报", 2),
                _bulletin("YI-B19-3", "市乙局", "2019-06-01", "乙局专报", 1)]
    records += [_meeting("YI-M1", "市乙局", "2019-04-10", "全市乙系统工作会议", scope="citywide_system"),
                _meeting("YI-M2", "市乙局", "2019-06-10", "全市乙系统推进会", scope="citywide_system"),
                _meeting("YI-M3", "市乙局", "2019-08-10", "全市乙系统调度会", scope="citywide_system",
                         approvals=[{"by": "city_government", "ref": "景府字〔2019〕7号", "date": "2019-08-01", "covers": "8"}])]
    records += [_document("YI-D1", "市乙局", "2019-07-07", "关于乙行业的调研报告", "乙-调研1")]
    # 市丁局
    records += [_inspection("DING-I1", "市丁局", "2019-05-01", onsite={"unannounced": True, "demands": ["准备汇报材料"]}),
                _document("DING-D1", "市丁局", "2019-05-30", "专项检查问题销号", "DING-I1"),
                _document("DING-D2", "市丁局", "2019-06-05", "丁局调研报告一", "丁-调研1"),
                _document("DING-D3", "市丁局", "2019-10-05", "丁局调研报告二", "丁-调研2")]
    records += _onsite_each_quarter("市丁局", "DING")
    # 九江市某局: no pack for 九江市
    records += [_document("JJ-D1", "九江市某局", "2019-05-05", "九江通知", "九江-1", jurisdiction="九江市")]
    # a cancelled record never counts
    records += [{**_meeting("YI-M0", "市乙局", "2019-04-01", "已取消的系统会议", scope="citywide_system"), "status": "cancelled"}]
    return {"units": units, "records": records, "plans": []}


@pytest.fixture(scope="module")
def catalog():
    return load_folder(ROOT / "rules")


@pytest.fixture(scope="module")
def result(catalog):
    data = register_data()
    units = [Unit.model_validate(u) for u in data["units"]]
    records = [RECORD.validate_python(r) for r in data["records"]]
    return audit(Engine(catalog), units, records, [], 2019)


def test_bulletins_per_unit_and_city_agree_with_the_hand_count(result):
    jia, yi = result.unit("市甲局"), result.unit("市乙局")
    assert (jia.baseline_issues, jia.bulletin_issues, jia.bulletin_cut, jia.bulletin_met) == (5, 4, 0.2, True)
    assert (yi.baseline_issues, yi.bulletin_issues, yi.bulletin_cut, yi.bulletin_met) == (2, 3, -0.5, False)
    assert yi.bulletin_series == {"乙局简报", "乙局专报"}
    assert (result.baseline_issues, result.bulletin_issues, result.bulletin_cut, result.bulletin_target, result.bulletin_met) == (7, 7, 0.0, 0.2, False)


def test_violations_by_article_waivers_and_advice(result):
    yi = result.unit("市乙局")
    assert dict(yi.violations_by_article) == {"6": 1, "8": 1}
    assert dict(result.unit("市甲局").violations_by_article) == {"6": 2}
    assert sorted(v.record_id for v in result.violations) == ["JIA-B19-3", "JIA-B19-4", "YI-B19-3", "YI-M2"]
    assert [w.record_id for w in result.waivers] == ["YI-M3"] and result.waivers[0].findings[0].clause == "8"
    advice = {a.record_id: [f.rule for f in a.findings] for a in result.advice}
    assert advice["DING-I1"] == ["onsite_without_disturbance"] and advice["YI-B19-2"] == ["bulletin_unit_share"]
    assert result.violations_by_article() == {"6": 3, "8": 1}
    assert yi.system_meetings == 3  # the cancelled one is not counted


def test_counts_per_unit(result):
    jia = result.unit("市甲局")
    assert (jia.documents, jia.system_meetings, jia.onsite_office_meetings, jia.inspections["comprehensive"]) == (3, 0, 4, 1)
    assert result.meetings() == {"citywide_system": 3, "onsite_office": 8, "other": 0}
    assert result.inspections() == {"comprehensive": 1, "special": 1, "ad_hoc": 0}


def _obligations(unit):
    return {o.id: (o.met, o.found, o.missing) for o in unit.obligations}


def test_obligations_met_and_missing(result):
    assert _obligations(result.unit("市甲局")) == {
        "inspection_findings_closed": (True, 1, []),
        "research_reports_per_year": (True, 2, []),
        "onsite_office_meetings_quarterly": (True, 4, []),
    }
    yi = _obligations(result.unit("市乙局"))
    assert yi["research_reports_per_year"] == (False, 1, ["2019年 1/2"])
    # 2019 Q1 is in force 13 of its 90 days: not owed (issue 13's reading of art. 39); Q2-Q4 are missing
    assert yi["onsite_office_meetings_quarterly"][0] is False and len(yi["onsite_office_meetings_quarterly"][2]) == 3
    bing = _obligations(result.unit("市丙局"))
    assert bing["research_reports_per_year"] == (False, 0, ["2019年 0/2"])
    assert _obligations(result.unit("市政府办公室")) == {"inspection_findings_closed": (True, 0, []),
                                                      "quarterly_target_review": (False, 0, ["2019年第2季度 0/1", "2019年第3季度 0/1", "2019年第4季度 0/1"])}


def test_an_inspection_not_closed_misses_art_13(catalog):
    data = register_data()
    data["records"] = [r for r in data["records"] if r["id"] != "JIA-D3"]
    units = [Unit.model_validate(u) for u in data["units"]]
    again = audit(Engine(catalog), units, [RECORD.validate_python(r) for r in data["records"]], [], 2019)
    met, found, missing = _obligations(again.unit("市甲局"))["inspection_findings_closed"]
    assert (met, found) == (False, 1) and missing[0].startswith("JIA-I1")
    assert again.unit("市甲局").light == "red"


def test_a_task_skipped_for_a_quarter_is_named(catalog):
    data = register_data()
    data["records"] = [r for r in data["records"] if r["id"] != "JIA-OS3"]
    units = [Unit.model_validate(u) for u in data["units"]]
    again = audit(Engine(catalog), units, [RECORD.validate_python(r) for r in data["records"]], [], 2019)
    assert _obligations(again.unit("市甲局"))["onsite_office_meetings_quarterly"] == (False, 3, ["2019年第3季度「项目建设」 0/1"])


def test_lights_and_units_without_records(result):
    lights = {u.unit: u.light for u in result.units}
    assert lights == {"市甲局": "red", "市乙局": "red", "市丙局": "red", "市丁局": "yellow", "市政府办公室": "red", "九江市某局": "grey"}
    bing = result.unit("市丙局")
    assert (bing.documents, bing.bulletin_issues, bing.checked) == (0, 0, 0)
    assert [n.record_id for n in result.not_checked] == ["JJ-D1"] and "九江市" in result.not_checked[0].reason


def test_what_if_a_thirty_percent_cut_flips_the_unit_at_twenty(catalog, result):
    changed = parse_parameters(["bulletin_cut=0.25"], catalog)
    assert changed == {"bulletin_cut": 0.25}
    data = register_data()
    units = [Unit.model_validate(u) for u in data["units"]]
    what_if = audit(Engine(with_parameters(catalog, changed)), units, [RECORD.validate_python(r) for r in data["records"]], [], 2019, parameters=changed)
    described = {(f.unit, f.what, f.before, f.after) for f in flips(result, what_if)}
    # 市甲局: 4 issues on a baseline of 5 is a 20% cut: met at 20%, not at 25% (its light is red either way: the
    # city's cap, floor(7 × 0.75) = 5 as floor(7 × 0.8), is passed by its 3rd issue of 2019 under both).
    assert described == {("市甲局", "bulletin_met", True, False)}
    assert what_if.bulletin_target == 0.25


def test_unknown_or_mistyped_parameters_are_errors_naming_them(catalog):
    with pytest.raises(InvalidInput, match="bulletin_cutt"):
        parse_parameters(["bulletin_cutt=0.3"], catalog)
    with pytest.raises(InvalidInput, match="system_meetings_per_year"):
        parse_parameters(["system_meetings_per_year=many"], catalog)
    with pytest.raises(InvalidInput, match="NAME=VALUE"):
        parse_parameters(["bulletin_cut"], catalog)
    with pytest.raises(InvalidInput, match="research_reports_period"):
        parse_parameters(["research_reports_period=monthly"], catalog)
    assert parse_parameters(["research_reports_period=quarter", "research_reports_per_year=1"], catalog) == {
        "research_reports_period": "quarter", "research_reports_per_year": 1}


def test_json_contract(result):
    data = result.as_dict()
    assert data["year"] == 2019 and data["baseline_year"] == 2018
    assert set(data["bulletins"]) >= {"baseline_issues", "issues", "cut", "target", "met", "units"}
    assert {"unit": "市甲局", "baseline_issues": 5, "issues": 4, "cut": 0.2, "met": True} in data["bulletins"]["units"]
    for v in data["violations"]:
        assert set(v) >= {"record_id", "unit", "findings"}
        assert all(set(f) == FINDING_KEYS for f in v["findings"])
    assert [p["id"] for p in data["packs"]] == ["jingdezhen-2019"]
    assert {u["unit"] for u in data["units"]} >= {"市丙局"}


# -- the command line ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def register_file(tmp_path_factory) -> Path:
    data = register_data()
    # A unit whose name a spreadsheet would run as a formula, with a record of its own.
    data["units"].append({"name": EVIL, "type": "department", "level": "city", "jurisdiction": JDZ})
    data["records"].append(_document("EVIL-D1", EVIL, "2019-05-05", "@SUM(1+1)调研报告", "evil-1"))
    path = tmp_path_factory.mktemp("audit") / "register.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_cli_writes_all_four_formats(register_file, tmp_path):
    outs = [tmp_path / f"report{s}" for s in (".html", ".xlsx", ".json", ".md")]
    done = jianfu("audit", "--year", "2019", "--register", str(register_file), *[a for o in outs for a in ("--out", str(o))])
    assert done.returncode == 0, done.stderr
    assert all(o.exists() and o.stat().st_size > 0 for o in outs)
    data = json.loads(outs[2].read_text(encoding="utf-8"))
    assert data["bulletins"]["cut"] == 0.0 and data["bulletins"]["met"] is False
    md = outs[3].read_text(encoding="utf-8")
    assert "| 市丙局 |" in md and "红灯" in md
    html = outs[0].read_text(encoding="utf-8")
    assert "<svg" in html and "cdn" not in html.lower() and "<link" not in html and "src=" not in html


def test_xlsx_sheets_and_formula_injection(register_file, tmp_path):
    out = tmp_path / "report.xlsx"
    assert jianfu("audit", "--year", "2019", "--register", str(register_file), "--out", str(out)).returncode == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["汇总", "单位", "违规", "义务"]
    formulas = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    risky = [c for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert {c.parent.title for c in risky} >= {"单位", "义务"}, "the formula-looking unit must reach the sheets"
    assert all(c.data_type == "s" and c.quotePrefix for c in risky)
    units = {row[0].value: row for row in book["单位"].iter_rows(min_row=2)}
    assert units["市丙局"][-1].value == "红灯"


def test_cli_what_if_reports_flips(register_file, tmp_path):
    out = tmp_path / "whatif.json"
    done = jianfu("audit", "--year", "2019", "--register", str(register_file), "--out", str(out), "--param", "bulletin_cut=0.25")
    assert done.returncode == 0, done.stderr
    flipped = json.loads(out.read_text(encoding="utf-8"))["what_if"]["flips"]
    assert {(f["unit"], f["what"]) for f in flipped} == {("市甲局", "bulletin_met")}  # its light is red under both (the city cap)


@pytest.mark.parametrize("args, named", [
    (["--param", "bulletin_cutt=0.3"], "bulletin_cutt"),
    (["--param", "bulletin_cut=很多"], "bulletin_cut"),
    (["--out-extra"], None),
])
def test_cli_invalid_input_writes_nothing(register_file, tmp_path, args, named):
    out = tmp_path / "report.json"
    if args == ["--out-extra"]:
        args = ["--out", str(tmp_path / "report.pdf")]
        named = "report.pdf"
    done = jianfu("audit", "--year", "2019", "--register", str(register_file), "--out", str(out), *args)
    assert done.returncode == 2
    assert named in done.stderr
    assert not out.exists()


def test_cli_database_and_file_give_the_same_report(tmp_path):
    db = tmp_path / "register.sqlite3"
    sample = ROOT / "examples" / "register.yaml"
    assert jianfu("register", "import", str(sample), "--db", str(db)).returncode == 0
    from_db, from_file = tmp_path / "db.json", tmp_path / "file.json"
    done = jianfu("audit", "--year", "2019", "--db", str(db), "--out", str(from_db))
    assert done.returncode == 0, done.stderr
    assert jianfu("audit", "--year", "2019", "--register", str(sample), "--out", str(from_file)).returncode == 0
    reports = [json.loads(p.read_text(encoding="utf-8")) for p in (from_db, from_file)]
    # the same report but for when and from which register it was made (issue 14: every report says both)
    assert [r.pop("generated")["register"] for r in reports] == [f"sqlite:///{db}", str(sample)]
    assert reports[0] == reports[1]


def test_every_report_format_says_when_and_from_which_register(tmp_path):
    import openpyxl

    sample = ROOT / "examples" / "register.yaml"
    outs = [tmp_path / f"r{s}" for s in (".html", ".md", ".xlsx")]
    assert jianfu("audit", "--year", "2019", "--register", str(sample), *[a for o in outs for a in ("--out", str(o))]).returncode == 0
    for text in (outs[0].read_text(encoding="utf-8"), outs[1].read_text(encoding="utf-8")):
        assert "生成时间" in text and str(sample) in text
    cells = [c.value for row in openpyxl.load_workbook(outs[2]).worksheets[0].iter_rows() for c in row]
    assert "生成时间（UTC）" in cells and str(sample) in cells


def test_cli_needs_exactly_one_register(tmp_path):
    out = tmp_path / "report.json"
    done = jianfu("audit", "--year", "2019", "--out", str(out))
    assert done.returncode == 2 and "--register" in done.stderr and not out.exists()


def test_the_report_s_unit_types_are_in_chinese(tmp_path):
    import openpyxl

    out = tmp_path / "r.xlsx"
    assert jianfu("audit", "--year", "2019", "--register", str(ROOT / "examples" / "register.yaml"), "--out", str(out)).returncode == 0
    units = openpyxl.load_workbook(out)["单位"]
    types = {row[2].value for row in units.iter_rows(min_row=2)}
    assert "部门" in types and not types & {"department", "government", "general_office", "coordinating_body"}
