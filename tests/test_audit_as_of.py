"""The quarterly review (004 art. 18: 每季度初对上季度…的落实情况进行督查督办…考核结果实行亮灯预警):
`jianfu audit --year Y --as-of DATE` on the sample register (景德镇市 2019).

As of 30 June only what happened by then exists: 市发展改革委's second and third city-wide system meetings (16 July,
approved; 22 October, not) are not yet held; the yearly obligations (art. 13, art. 37) are not due; the quarterly one
(art. 39) counts the first two quarters. The year's audit shows the same lights for its second quarter.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jianfu_cli import ROOT, jianfu

REGISTER = ROOT / "examples" / "register.yaml"


def _audit(tmp_path: Path, *args: str, source: tuple[str, ...] = ("--register", str(REGISTER))) -> dict:
    out = tmp_path / f"audit{len(list(tmp_path.iterdir()))}.json"
    done = jianfu("audit", "--year", "2019", *args, *source, "--out", str(out))
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, dict]:
    tmp = tmp_path_factory.mktemp("as_of")
    return {day: _audit(tmp, *(("--as-of", day) if day else ())) for day in ("2019-06-30", "2019-09-30", None)}


def test_the_half_year_counts_only_what_happened_by_then(reports):
    half, year = reports["2019-06-30"], reports[None]
    assert half["as_of"] == "2019-06-30" and year["as_of"] is None
    assert half["records_in_year"] < year["records_in_year"]
    for listed in ("violations", "waivers", "advice", "not_checked"):
        assert all(item["date"] <= "2019-06-30" for item in half[listed])
    late = {v["record_id"] for v in year["violations"]} - {v["record_id"] for v in half["violations"]}
    assert "JDZ-M-2019-012" in late  # the October meeting breaks art. 8 only once it is held
    fgw = next(u for u in half["units"] if u["unit"] == "市发展改革委")
    assert fgw["meetings"]["citywide_system"] == 1


def test_obligations_count_only_the_periods_ended(reports):
    half = reports["2019-06-30"]
    for unit in half["units"]:
        ids = {o["id"] for o in unit["obligations"]}
        assert not ids & {"research_reports_per_year", "inspection_findings_closed"}  # due on 31 December
        for o in unit["obligations"]:
            assert all("第3季度" not in m and "第4季度" not in m for m in o["missing"])
    # art. 18's quarterly review by the general office: of the quarters owed (Q1 is not: the pack is in force for
    # 13 of its 90 days), only Q2 has ended by 30 June; the year lists Q2 to Q4
    office = next(u for u in half["units"] if u["unit"] == "景德镇市人民政府办公室")
    review = next(o for o in office["obligations"] if o["id"] == "quarterly_target_review")
    assert review["missing"] == ["2019年第2季度 0/1"]
    year_office = next(u for u in reports[None]["units"] if u["unit"] == "景德镇市人民政府办公室")
    assert next(o for o in year_office["obligations"] if o["id"] == "quarterly_target_review")["missing"] == [
        "2019年第2季度 0/1", "2019年第3季度 0/1", "2019年第4季度 0/1"]
    year_finance = next(u for u in reports[None]["units"] if u["unit"] == "市财政局")
    assert {o["id"] for o in year_finance["obligations"]} >= {"research_reports_per_year", "onsite_office_meetings_quarterly"}


def test_the_years_quarters_are_the_reviews_lights(reports):
    year = {u["unit"]: u for u in reports[None]["units"]}
    for day, index in (("2019-06-30", 1), ("2019-09-30", 2)):
        review = reports[day]
        assert review["lights"] == {k: sum(1 for u in review["units"] if u["light"] == k) for k in ("green", "yellow", "red", "grey")}
        for unit in review["units"]:
            quarters = unit["lights_by_quarter"]
            assert [q["quarter"] for q in quarters] == ["Q1", "Q2", "Q3"][: index + 1]
            assert quarters[-1]["light"] == unit["light"]
            assert year[unit["unit"]]["lights_by_quarter"][index]["light"] == unit["light"], unit["unit"]
    assert [q["quarter"] for q in year["市教育局"]["lights_by_quarter"]] == ["Q1", "Q2", "Q3", "Q4"]
    # the quarter's lights differ from the year's: 市市场监管局's on-site check of September asks for a briefing
    assert year["市市场监管局"]["light"] == "yellow"
    assert next(u for u in reports["2019-06-30"]["units"] if u["unit"] == "市市场监管局")["light"] == "green"


def test_the_html_report_charts_the_lights_quarter_by_quarter(tmp_path: Path):
    out = tmp_path / "季度.html"
    done = jianfu("audit", "--year", "2019", "--as-of", "2019-06-30", "--register", str(REGISTER), "--out", str(out))
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert 'id="chart-lights"' in html and "截至 2019-06-30" in html
    assert "Q2 红灯" in html and "Q2 绿灯" in html and "Q3" not in html.split('id="chart-lights"')[1].split("</svg>")[0]


@pytest.mark.parametrize("day", ["2020-03-31", "2019-13-01"])
def test_a_review_day_outside_the_year_is_invalid(tmp_path: Path, day: str):
    out = tmp_path / "x.json"
    done = jianfu("audit", "--year", "2019", "--as-of", day, "--register", str(REGISTER), "--out", str(out))
    assert done.returncode == 2 and "--as-of" in done.stderr and not out.exists()


def test_the_database_gives_the_files_review(tmp_path: Path, reports):
    db = tmp_path / "register.sqlite"
    assert jianfu("register", "import", str(REGISTER), "--db", str(db)).returncode == 0
    (tmp_path / "out").mkdir()
    from_db = _audit(tmp_path / "out", "--as-of", "2019-06-30", "--workers", "2", source=("--db", str(db)))
    from_file = reports["2019-06-30"]
    # the reports differ only in when they were made and from which register (issue 14's provenance)
    assert from_db.pop("generated")["register"].startswith("sqlite:")
    assert {k: v for k, v in from_db.items()} == {k: v for k, v in from_file.items() if k != "generated"}


def test_the_markdown_and_workbook_name_the_review_day(tmp_path: Path):
    import openpyxl

    md, xlsx = tmp_path / "季度.md", tmp_path / "季度.xlsx"
    done = jianfu("audit", "--year", "2019", "--as-of", "2019-06-30", "--register", str(REGISTER), "--out", str(md), "--out", str(xlsx))
    assert done.returncode == 0, done.stderr
    assert "| 季度督查截至（004第18条） | 2019-06-30 |" in md.read_text(encoding="utf-8")
    summary = openpyxl.load_workbook(xlsx)["汇总"]
    assert ["季度督查截至（004第18条）", "2019-06-30"] in [[c.value for c in row][:2] for row in summary.iter_rows()]
