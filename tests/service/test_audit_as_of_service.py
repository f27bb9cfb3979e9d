"""The quarterly review through the service: `GET /api/v1/audit/{year}?as_of=` is `jianfu audit --as-of` of the same
register, and the auditor's page takes the day in its form."""

from __future__ import annotations

import json


from conftest_pages import bearer as _api, logged_in, module_service
from jianfu_cli import jianfu


pages = module_service("audit-as-of", name="pages")


def test_the_api_review_is_the_command_lines(pages, tmp_path):
    out = tmp_path / "half.json"
    done = jianfu("audit", "--year", "2019", "--as-of", "2019-06-30", "--db", str(pages.folder / "register.sqlite3"), "--out", str(out))
    assert done.returncode == 0, done.stderr
    answer = _api(pages, "shenji").get("/api/v1/audit/2019", params={"as_of": "2019-06-30"})
    assert answer.status_code == 200
    def without_provenance(report: dict) -> dict:  # when and from where the report was made (issue 14)
        return {k: v for k, v in report.items() if k != "generated"}

    assert without_provenance(answer.json()) == without_provenance(json.loads(out.read_text(encoding="utf-8")))
    whole_year = _api(pages, "shenji").get("/api/v1/audit/2019").json()
    assert answer.json()["as_of"] == "2019-06-30" and without_provenance(answer.json()) != without_provenance(whole_year)
    outside = _api(pages, "shenji").get("/api/v1/audit/2019", params={"as_of": "2020-01-01"})
    assert outside.status_code == 422 and outside.json()["errors"][0]["path"] == ["as_of"]


def test_the_auditor_reviews_the_half_year_on_the_page(pages):
    client = logged_in(pages, "shenji")
    page = client.get("/audit", params={"year": "2019", "as_of": "2019-06-30"})
    assert page.status_code == 200 and 'name="as_of"' in page.text and "as_of=2019-06-30" in page.text
    report = client.get("/audit/report", params={"year": 2019, "as_of": "2019-06-30", "format": "html"})
    assert report.status_code == 200 and 'id="chart-lights"' in report.text and "截至 2019-06-30" in report.text
    wrong = client.get("/audit", params={"year": "2019", "as_of": "2019-02-30"})
    assert wrong.status_code == 422 and "as_of" in wrong.text and 'id="report"' not in wrong.text
