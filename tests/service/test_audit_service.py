"""The yearly audit through the service: the API's report is the one `jianfu audit` writes from the same register,
in every format; what-if and bad input as JSON errors; the auditor's page shows it and a department may not."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from conftest_pages import logged_in, module_service
from jianfu_cli import jianfu
from live_service import start_service, stop_service


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    """A service of this module's own over a fresh SQLite holding exactly the sample register."""
    folder = tmp_path_factory.mktemp("audit-service")
    service = start_service(folder, f"sqlite:///{folder / 'register.sqlite3'}")
    yield service
    stop_service(service)


@pytest.fixture(scope="module")
def from_the_file(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("audit-cli") / "audit.json"
    done = jianfu("audit", "--year", "2019", "--register", "examples/register.yaml", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_api_report_is_the_command_lines_report_of_the_same_register(running, from_the_file):
    with running.client("auditor") as client:
        answer = client.get("/api/v1/audit/2019")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("application/json")
    report = answer.json()
    # the same report but for when and from which register it was made (issue 14: every report says both)
    assert {k: v for k, v in report.items() if k != "generated"} == {k: v for k, v in from_the_file.items() if k != "generated"}
    assert report["generated"]["register"].startswith(("sqlite", "postgresql")) and report["generated"]["at"]
    # and it is a real audit of the sample, not an empty one
    assert report["bulletins"]["baseline_issues"] == 15 and report["bulletins"]["issues"] == 11 and report["bulletins"]["met"] is True
    assert {u["unit"]: u["light"] for u in report["units"]}["市发展改革委"] == "red"


def test_every_format_comes_back(running):
    with running.client("admin") as client:
        html = client.get("/api/v1/audit/2019", params={"format": "html"})
        xlsx = client.get("/api/v1/audit/2019", params={"format": "xlsx"})
        md = client.get("/api/v1/audit/2019", params={"format": "md"})
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html") and "<svg" in html.text and "亮灯" in html.text
    assert xlsx.status_code == 200 and "attachment" in xlsx.headers["content-disposition"]
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["汇总", "单位", "违规", "义务"]
    assert md.status_code == 200 and "市发展改革委" in md.text


def test_what_if_says_which_units_flip_and_a_wrong_parameter_is_named(running):
    with running.client("auditor") as client:
        what_if = client.get("/api/v1/audit/2019", params={"param": "bulletin_cut=0.3"}).json()
        wrong = client.get("/api/v1/audit/2019", params={"param": "no_such_thing=1"})
        bad_format = client.get("/api/v1/audit/2019", params={"format": "pdf"})
    assert what_if["what_if"]["parameters"] == {"bulletin_cut": 0.3}
    assert any(f["unit"] == "全市" and f["what"] == "bulletin_met" and f["before"] is True and f["after"] is False for f in what_if["what_if"]["flips"])
    assert wrong.status_code == 422 and "no_such_thing" in json.dumps(wrong.json()["errors"], ensure_ascii=False)
    assert bad_format.status_code == 422 and bad_format.json()["error"] == "invalid_input"
    assert bad_format.json()["errors"][0]["path"] == ["format"]


# -- the page ----------------------------------------------------------------------------------------------------
pages = module_service("audit-pages", name="pages")


def test_the_auditor_runs_the_audit_on_the_page_and_downloads_it(pages):
    client = logged_in(pages, "shenji")
    assert 'href="/audit"' in client.get("/rules").text
    page = client.get("/audit", params={"year": "2019"})
    assert page.status_code == 200 and 'id="report"' in page.text
    report = client.get("/audit/report", params={"year": 2019, "format": "html"})
    assert report.status_code == 200 and "市教育局" in report.text and "<svg" in report.text
    data = client.get("/audit/report", params={"year": 2019, "format": "json"}).json()
    assert data["year"] == 2019 and {u["unit"] for u in data["units"]} >= {"市教育局", "市财政局", "市卫生健康委"}


def test_a_wrong_year_or_parameter_is_shown_beside_the_form(pages):
    client = logged_in(pages, "shenji")
    wrong = client.get("/audit", params={"year": "19", "params": "bulletin_cut=0.3"})
    assert wrong.status_code == 422 and "year" in wrong.text and 'id="report"' not in wrong.text
    unknown = client.get("/audit", params={"year": "2019", "params": "no_such_thing=1"})
    assert unknown.status_code == 422 and "no_such_thing" in unknown.text


def test_a_department_or_the_office_may_not_audit(pages):
    for name in ("jiaoyu", "clerk"):
        client = logged_in(pages, name)
        assert client.get("/audit", params={"year": "2019"}).status_code == 403
        assert client.get("/audit/report", params={"year": 2019}).status_code == 403
        assert 'href="/audit"' not in client.get("/rules").text
