"""The pages in a real browser: Debian's Chromium (/usr/bin/chromium, never one Playwright downloads) driven by
Playwright against the app served by uvicorn on a loopback port, once for the module. A 1366×768 window, the
general office's screen. Screenshots go to test-artifacts/ for a person to look at."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from jianfu.adapters.files.plan_workbook import write_template
from browser import launch, needs_chromium
from conftest_pages import ARTIFACTS, Served, make_service

sync_api = pytest.importorskip("playwright.sync_api")
pytestmark = needs_chromium


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    made = make_service(tmp_path_factory.mktemp("browser"))
    served = Served(made.app).start()
    made.url = served.url
    yield made
    served.stop()
    made.app.state.store.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = launch(playwright)
        yield launched
        launched.close()


@pytest.fixture
def page_as(browser, service):
    contexts = []

    def open_as(name: str):
        context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(service.url + "/")
        assert "/login" in page.url
        page.fill("#name", name)
        page.fill("#token", service.tokens[name])
        page.click("button[type=submit]")
        page.wait_for_url(service.url + "/")
        return page

    yield open_as
    for context in contexts:
        context.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def submit_meeting(page, service, until: str, record: bool = False, **values: str) -> None:
    """Open the meeting form, fill each control as a clerk would, submit, and wait for `until` to show."""
    page.goto(service.url + "/screen/meeting")
    for name, value in values.items():
        control = page.locator(f'[name="{name}"]')
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    if record:
        page.check('input[name="record"]')
    page.click("#screen-form button[type=submit]")
    page.wait_for_selector(until)


MEETING = {
    "jurisdiction": "景德镇市", "unit": "市教育局", "date": "2019-05-10", "title": "全市教育系统安全工作会议",
    "topics": "校园安全", "held_in_name_of": "department", "remit": "department", "scope": "citywide_system", "routine": "false",
    "attendees": "市公安局:是",
}


def test_the_office_screens_a_second_system_meeting_and_reads_article_8_on_the_page(page_as, service):
    article = next(r for r, _ in service.app.state.catalog.all_rules() if r.id == "system_meeting_once_a_year").text
    page = page_as("clerk")
    page.click("text=审查申请")
    page.wait_for_url("**/screen/meeting")
    shot(page, "01-会议表单")
    submit_meeting(page, service, ".verdict", id="BR-M-2", **MEETING)
    assert page.inner_text(".verdict .word").strip() == "驳回"
    finding = page.locator('article.finding[data-clause="8"]')
    assert finding.count() == 1
    assert "第8条" in finding.inner_text()
    assert article in finding.locator("blockquote.article-text").inner_text()
    assert "已召开1次（REQ-0）" in finding.locator(".message").inner_text()
    assert "报市政府批准后再申请" in finding.locator(".remedy").inner_text()
    shot(page, "02-会议驳回-第8条")


def test_the_office_screens_an_approved_meeting_and_records_it(page_as, service):
    page = page_as("clerk")
    submit_meeting(page, service, ".verdict", record=True, **{**MEETING, "id": "BR-M-WSJ-1", "unit": "市卫生健康委", "title": "全市卫生健康系统工作会议"})
    assert page.inner_text(".verdict .word").strip() == "批准"
    assert page.locator("article.finding.block").count() == 0
    assert "system_meeting_once_a_year" in page.inner_text("ul.rule-list.passed")
    page.click("#recorded a")
    page.wait_for_url("**/register/BR-M-WSJ-1")
    assert "审查后记入" in page.inner_text("#events")
    shot(page, "03-会议批准并记入台账")


def test_a_wrong_field_is_marked_where_it_is_typed(page_as, service):
    page = page_as("clerk")
    submit_meeting(page, service, "#errors", **{**MEETING, "id": "BR-M-BAD", "routine": "", "attendees": "市公安局"})
    routine = page.locator('.field.invalid[data-field="routine"] .error').inner_text()
    attendees = page.locator('.field.invalid[data-field="attendees"] .error').inner_text()
    assert "routine" in routine and "缺少必填字段" in routine
    assert "attendees" in attendees and "单位:是/否" in attendees
    shot(page, "04-字段错误")


def test_a_department_uploads_its_plan_and_downloads_the_checked_workbook(page_as, tmp_path):
    plan = tmp_path / "市教育局2019年计划.xlsx"
    write_template(plan)  # the template's example rows: 市教育局's 2019 system meeting is its second (REQ-0 was held)
    page = page_as("jiaoyu")
    page.click("text=年度计划预审")
    page.set_input_files("#f-file", str(plan))
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector("table.items")
    assert "尚未报市政府督查室备案" in page.inner_text("#filed")
    meeting_row = page.locator('tr[data-item="JY-2019-M01"]')
    assert "驳回" in meeting_row.inner_text() and "第8条" in meeting_row.inner_text()
    shot(page, "05-年度计划预审")
    with page.expect_download() as download_info:
        page.click("#download")
    saved = tmp_path / "checked.xlsx"
    download_info.value.save_as(saved)
    book = openpyxl.load_workbook(saved)
    meetings = book["会议"]
    headers = [c.value for c in meetings[1]]
    assert [c.value for c in meetings[2]][headers.index("决定")] == "驳回"
    assert book["审查结果"]["B4"].value == "尚未报市政府督查室备案"


def test_a_department_does_not_see_another_units_records(page_as, service):
    page = page_as("jiaoyu")
    page.click("text=台账")
    page.wait_for_selector("#records")
    listed = page.inner_text("#records")
    assert "REQ-0" in listed and "CZ-D-2019-001" not in listed
    assert page.locator("#f-unit").get_attribute("readonly") is not None
    response = page.goto(service.url + "/register/CZ-D-2019-001")
    # another unit's record answers as a missing one does, so ids cannot be probed (issue 14)
    assert response.status == 404
    assert "台账中没有编号 CZ-D-2019-001" in page.inner_text("body")
    shot(page, "06-部门无权查看他单位")


def test_an_auditor_reads_article_8_in_the_catalogue_with_its_parameter_and_scenarios(page_as):
    page = page_as("shenji")
    assert page.locator("text=审查申请").count() == 0  # an auditor reads; there is nothing for it to screen
    page.click("text=规则目录")
    page.click('a[href="/rules/system_meeting_once_a_year"]')
    page.wait_for_selector("#parameters")
    assert "system_meetings_per_year" in page.inner_text("#parameters")
    scenarios = page.inner_text("#scenarios")
    assert "批准" in scenarios and "驳回" in scenarios
    shot(page, "07-规则第8条")
