"""The quarterly review through the service: `GET /api/v1/audit/{year}?as_of=` is `jianfu audit --as-of` of the same
register, and the auditor's page takes the day in its form."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from conftest_pages import make_service
from jianfu_cli import jianfu


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    made = make_service(tmp_path_factory.mktemp("audit-as-of"))
    yield made
    made.app.state.store.close()


def _api(pages, name: str) -> TestClient:
    return TestClient(pages.app, headers={"Authorization": f"Bearer {pages.tokens[name]}"})


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
    client = TestClient(pages.app, follow_redirects=False)
    assert client.post("/login", data={"name": "shenji", "token": pages.tokens["shenji"], "next": "/"}).status_code == 303
    page = client.get("/audit", params={"year": "2019", "as_of": "2019-06-30"})
    assert page.status_code == 200 and 'name="as_of"' in page.text and "as_of=2019-06-30" in page.text
    report = client.get("/audit/report", params={"year": 2019, "as_of": "2019-06-30", "format": "html"})
    assert report.status_code == 200 and 'id="chart-lights"' in report.text and "截至 2019-06-30" in report.text
    wrong = client.get("/audit", params={"year": "2019", "as_of": "2019-02-30"})
    assert wrong.status_code == 422 and "as_of" in wrong.text and 'id="report"' not in wrong.text
