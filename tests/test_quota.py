"""我的额度 (`jianfu quota`): the counted limits of the packs in force for a unit, used, limit and left, and the
yearly obligations as of a day, on the sample register (景德镇市 2019):

- 市教育局 held one city-wide system meeting (JDZ-M-2019-001, 25 March): the year's one is exactly used up, and a
  second one is refused by the screening as the quota says.
- its on-site office meetings on 校园安全 (art. 39): 28 March, 12 June, 5 September, 3 December; research reports
  (art. 37): 28 June and 15 November.
"""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from jianfu import shipped
from jianfu.adapters.files.read import read_register
from jianfu.adapters.quota import from_file
from jianfu.engine import Engine, InvalidPack, MemoryRegister, load_folder
from jianfu.engine.requests import Meeting
from jianfu_cli import ROOT, jianfu

REGISTER = ROOT / "examples" / "register.yaml"


def _quota(*args: str) -> tuple[int, dict]:
    done = jianfu("quota", *args, "--register", str(REGISTER), "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def _limit(result: dict, rule: str) -> dict:
    return next(limit for limit in result["limits"] if limit["rule"] == rule)


def _obligation(result: dict, id: str) -> dict:
    return next(o for o in result["obligations"] if o["id"] == id)


def test_the_years_one_system_meeting_exactly_used_up():
    code, result = _quota("市教育局", "--year", "2019", "--as-of", "2019-08-15")
    assert code == 1  # a limit with nothing left
    assert set(result) == {"unit", "year", "as_of", "limits", "obligations"}
    assert (result["unit"], result["year"], result["as_of"]) == ("市教育局", 2019, "2019-08-15")
    meetings = _limit(result, "system_meeting_once_a_year")
    assert meetings == {"rule": "system_meeting_once_a_year", "clause": "8", "used": 1, "limit": 1, "left": 0, "ids": ["JDZ-M-2019-001"]}
    assert _limit(result, "one_comprehensive_inspection") == {"rule": "one_comprehensive_inspection", "clause": "11", "used": 0, "limit": 1, "left": 1, "ids": []}
    # the screening agrees: the second city-wide system meeting of the year is refused
    engine = Engine(load_folder(shipped("rules")))
    data = read_register(REGISTER)
    second = Meeting(id="Q-1", kind="meeting", jurisdiction="景德镇市", unit="市教育局", date=date(2019, 9, 1), held_in_name_of="department",
                     remit="department", scope="citywide_system", routine=False)
    decision = engine.decide(second, MemoryRegister(data.units, data.records, data.plans))
    assert decision.decision == "reject" and "system_meeting_once_a_year" in {f.rule for f in decision.findings}


def test_bulletins_used_against_the_cut_and_the_one_series():
    _, result = _quota("市卫生健康委", "--year", "2019", "--as-of", "2019-08-15")
    # The cut is the city's (SPEC): Jingdezhen issued 15 in 2018, so at most 12 in 2019; 11 are in the register's 2019
    assert _limit(result, "bulletin_cut") | {"ids": []} == {"rule": "bulletin_cut", "clause": "6", "used": 11, "limit": 12, "left": 1, "ids": []}
    # the unit's own share, advice only: 10 issues in 2018, cut 20%: 8 in 2019, 7 issued
    assert _limit(result, "bulletin_unit_share") | {"ids": []} == {"rule": "bulletin_unit_share", "clause": "6", "used": 7, "limit": 8, "left": 1, "ids": []}
    assert _limit(result, "one_bulletin_series") == {"rule": "one_bulletin_series", "clause": "6", "used": 1, "limit": 1, "left": 0, "ids": ["卫生健康工作简报"]}


def test_obligations_as_of_a_day_with_the_days_left():
    # art. 39 is owed per task the unit leads: 市市场监管局 leads 食品安全, and its Q3 meeting is on 21 August
    _, before = _quota("市市场监管局", "--year", "2019", "--as-of", "2019-08-01")
    onsite = _obligation(before, "onsite_office_meetings_quarterly")
    assert onsite == {"id": "onsite_office_meetings_quarterly", "clause": "39", "period": "2019年第3季度", "due": 1, "met": 0, "missing": 1, "days_left": 60}
    _, after = _quota("市市场监管局", "--year", "2019", "--as-of", "2019-08-21")
    assert _obligation(after, "onsite_office_meetings_quarterly") == {**onsite, "met": 1, "missing": 0, "days_left": 40}
    # 市教育局 leads no task: owes no on-site office meeting, whatever its meetings
    _, education = _quota("市教育局", "--year", "2019", "--as-of", "2019-06-11")
    assert _obligation(education, "onsite_office_meetings_quarterly")["due"] == 0
    assert _obligation(education, "research_reports_per_year") == {"id": "research_reports_per_year", "clause": "37", "period": "2019年", "due": 2, "met": 0,
                                                                    "missing": 2, "days_left": 203}
    code, later = _quota("市教育局", "--year", "2019", "--as-of", "2019-06-30")
    assert _obligation(later, "research_reports_per_year")["met"] == 1


def test_a_unit_with_everything_left_exits_0():
    # 2020: the bulletin cut names 2019 only, so it is not a limit then; nothing used, no period over
    code, result = _quota("市财政局", "--year", "2020", "--as-of", "2020-03-01")
    assert code == 0
    assert "bulletin_cut" not in {limit["rule"] for limit in result["limits"]}
    assert all(limit["left"] == limit["limit"] and limit["used"] == 0 for limit in result["limits"])
    assert {limit["rule"] for limit in result["limits"]} == {"one_bulletin_series", "system_meeting_once_a_year", "one_comprehensive_inspection"}


def test_a_packs_limit_shows_from_its_data(tmp_path: Path):
    rules = tmp_path / "rules"
    shutil.copytree(shipped("rules"), rules)
    pack = rules / "jingdezhen-2019.yaml"
    text = pack.read_text(encoding="utf-8")
    pack.write_text(text.replace('      "2019-03-19": 1\n  routine_merge_window_days', '      "2019-03-19": 2\n  routine_merge_window_days'), encoding="utf-8")
    engine = Engine(load_folder(rules))
    result = from_file(engine, read_register(REGISTER), "市教育局", 2019, date(2019, 8, 15))
    meetings = next(limit for limit in result.limits if limit.rule == "system_meeting_once_a_year")
    assert (meetings.used, meetings.limit, meetings.left) == (1, 2, 1)


def test_a_quota_naming_a_fact_the_rule_lacks_is_an_invalid_pack(tmp_path: Path):
    rules = tmp_path / "rules"
    shutil.copytree(shipped("rules"), rules)
    pack = rules / "jingdezhen-2019.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("counts: system_meetings_in_year", "counts: bulletin_issues_in_year"), encoding="utf-8")
    with pytest.raises(InvalidPack) as raised:
        load_folder(rules)
    assert any("quota" in e.path and e.line for e in raised.value.errors)
    done = jianfu("quota", "市教育局", "--year", "2019", "--register", str(REGISTER), "--rules", str(rules))
    assert done.returncode == 2 and "bulletin_issues_in_year" in done.stderr


@pytest.mark.parametrize("args, field", [
    (("市某局", "--year", "2019"), "UNIT"),
    (("市教育局", "--year", "2019", "--as-of", "2020-01-01"), "--as-of"),
    (("市教育局", "--year", "2019", "--as-of", "2019-02-30"), "--as-of"),
])
def test_invalid_input_names_the_field_and_exits_2(args, field):
    done = jianfu("quota", *args, "--register", str(REGISTER))
    assert done.returncode == 2 and field in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


def test_the_database_gives_the_files_quota(tmp_path: Path):
    db = tmp_path / "register.sqlite"
    assert jianfu("register", "import", str(REGISTER), "--db", str(db)).returncode == 0
    from_db = jianfu("quota", "市教育局", "--year", "2019", "--as-of", "2019-08-15", "--db", str(db), "-f", "json")
    _, from_file_json = _quota("市教育局", "--year", "2019", "--as-of", "2019-08-15")
    assert from_db.returncode == 1 and json.loads(from_db.stdout) == from_file_json


def test_the_table_is_chinese_first():
    done = jianfu("quota", "市教育局", "--year", "2019", "--as-of", "2019-08-15", "--register", str(REGISTER))
    assert done.returncode == 1
    assert "本系统全市性会议" in done.stdout and "剩余" in done.stdout and "JDZ-M-2019-001" in done.stdout
