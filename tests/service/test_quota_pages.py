"""我的额度 in the service. The register (conftest_pages): 市教育局 held its city-wide system meeting of 2019 (REQ-0),
so its year's one is used up; 市财政局 has every limit left.

The API answers as `jianfu quota --format json` does; a department sees its own unit only; the office and the
auditors see every unit, side by side; a real browser shows the department its quota left."""

from __future__ import annotations

import json

import pytest

from browser import needs_chromium
from conftest_pages import ARTIFACTS, bearer as api, browser_page, logged_in, module_service
from jianfu_cli import jianfu


service = module_service("quota")


def test_the_api_is_the_command_lines_quota(service):
    answer = api(service, "jiaoyu").get("/api/v1/quota/市教育局", params={"year": "2019", "as_of": "2019-08-15"})
    assert answer.status_code == 200
    done = jianfu("quota", "市教育局", "--year", "2019", "--as-of", "2019-08-15", "--db", str(service.folder / "register.sqlite3"), "-f", "json")
    assert done.returncode == 1 and answer.json() == json.loads(done.stdout)
    meetings = next(limit for limit in answer.json()["limits"] if limit["rule"] == "system_meeting_once_a_year")
    assert (meetings["used"], meetings["left"], meetings["ids"]) == (1, 0, ["REQ-0"])


def test_a_department_sees_only_its_own_unit(service):
    assert api(service, "jiaoyu").get("/api/v1/quota/市财政局", params={"year": "2019"}).status_code == 403
    assert api(service, "clerk").get("/api/v1/quota/市财政局", params={"year": "2019"}).status_code == 200
    assert logged_in(service, "jiaoyu").get("/quota", params={"unit": "市财政局"}).status_code == 403


@pytest.mark.parametrize("params, field", [({"year": "19"}, "year"), ({"year": "2019", "as_of": "2020-01-01"}, "--as-of"),
                                           ({"as_of": "2019-02-30"}, "as_of")])
def test_bad_input_names_the_field(service, params, field):
    answer = api(service, "clerk").get("/api/v1/quota/市教育局", params=params)
    assert answer.status_code == 422 and field in json.dumps(answer.json()["errors"], ensure_ascii=False)
    unknown = api(service, "clerk").get("/api/v1/quota/市某局", params={"year": "2019"})
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["path"] == ["unit"]


def test_the_department_page_shows_its_quota_and_the_office_every_unit(service):
    mine = logged_in(service, "jiaoyu").get("/quota", params={"year": "2019", "as_of": "2019-08-15"})
    assert mine.status_code == 200 and "我的额度" in mine.text and 'href="/quota"' in mine.text
    assert 'data-rule="system_meeting_once_a_year"' in mine.text and "已用完" in mine.text and "REQ-0" in mine.text
    every = logged_in(service, "shenji").get("/quota", params={"year": "2019"})
    assert every.status_code == 200 and "各单位额度" in every.text
    assert {"市教育局", "市财政局"} <= {u for u in ("市教育局", "市财政局", "市卫生健康委") if f'data-unit="{u}"' in every.text}
    wrong = logged_in(service, "clerk").get("/quota", params={"year": "2019", "as_of": "2019-13-01"})
    assert wrong.status_code == 422 and "as_of" in wrong.text


@needs_chromium
def test_a_department_sees_its_quota_left_in_a_browser(service):
    with browser_page(service, "jiaoyu") as page:
        page.click("text=我的额度")
        page.fill("#f-year", "2019")
        page.fill("#f-as-of", "2019-08-15")
        page.click("#quota-form button[type=submit]")
        row = page.locator('tr[data-rule="system_meeting_once_a_year"]')
        assert "已用完" in row.inner_text() and "REQ-0" in row.inner_text()
        assert "剩余 1" in page.locator('tr[data-rule="one_comprehensive_inspection"]').inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "quota-department.png"), full_page=True)
