"""The pages, through the real app: logging in, the screening form of each kind, the decision with its article,
plan upload and the checked workbook, the rule catalogue, the register, and who may see what."""

from __future__ import annotations

import io
import json
import re
from html import unescape

import openpyxl
import pytest
import yaml
from fastapi.testclient import TestClient

from jianfu.adapters.files.sheets import columns_for
from jianfu.adapters.scenarios import index
from conftest_pages import logged_in as client, module_service, ROOT

MEETING = {
    "jurisdiction": "景德镇市", "unit": "市教育局", "date": "2019-05-10", "title": "全市教育系统安全工作会议",
    "topics": "校园安全", "held_in_name_of": "department", "remit": "department", "scope": "citywide_system", "routine": "false",
}


service = module_service("pages")


def text(html: str) -> str:
    """What a reader sees: tags dropped, entities decoded, spaces folded."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def field_block(html: str, name: str) -> str:
    found = re.search(rf'<div class="field[^"]*" data-field="{re.escape(name)}">(.*?)\n\s*</div>', html, re.S)
    assert found, f"no field {name}"
    return found.group(1)


# -- logging in --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/screen/meeting", "/plans", "/rules", "/rules/system_meeting_once_a_year", "/register", "/register/REQ-0"])
def test_every_page_sends_a_stranger_to_the_login_page(service, path):
    answer = client(service).get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=")


def test_login_sets_an_http_only_strict_cookie_and_logout_clears_it(service):
    c = client(service)
    answer = c.post("/login", data={"name": "clerk", "token": service.tokens["clerk"], "next": "/screen/meeting"})
    assert answer.status_code == 303 and answer.headers["location"] == "/screen/meeting"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("jianfu_token=") and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    assert c.get("/screen/meeting").status_code == 200
    out = c.post("/logout")
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert c.get("/screen/meeting").status_code == 303


def test_a_wrong_token_or_another_users_token_does_not_log_in(service):
    c = client(service)
    wrong = c.post("/login", data={"name": "clerk", "token": "jf_0000_nope", "next": "/"})
    assert wrong.status_code == 401 and "用户名或令牌不正确" in wrong.text and "set-cookie" not in wrong.headers
    swapped = c.post("/login", data={"name": "clerk", "token": service.tokens["shenji"], "next": "/"})
    assert swapped.status_code == 401


def test_login_never_sends_anyone_to_another_site(service):
    answer = client(service).post("/login", data={"name": "clerk", "token": service.tokens["clerk"], "next": "//evil.example/x"})
    assert answer.headers["location"] == "/"


# -- the screening forms -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["document", "meeting", "inspection", "bulletin"])
def test_each_kinds_form_has_every_contract_field_labelled_with_its_key_and_help(service, kind):
    html = client(service, "clerk").get(f"/screen/{kind}").text
    for column in columns_for(kind):
        if column.path == "kind":
            continue
        block = field_block(html, column.path)
        assert column.zh in block and f'<span class="key">{column.path}</span>' in block
    assert "每行一项" in field_block(html, "topics")
    assert "批准方|文号|日期|针对条款" in field_block(html, "approvals")


def test_a_second_citywide_system_meeting_is_rejected_under_article_8_with_its_text(service):
    catalog = service.app.state.catalog
    article = next(r for r, _ in catalog.all_rules() if r.id == "system_meeting_once_a_year").text
    answer = client(service, "clerk").post("/screen/meeting", data={**MEETING, "id": "PG-M-2"})
    assert answer.status_code == 200
    html, seen = answer.text, text(answer.text)
    assert 'class="verdict reject"' in html and "驳回" in seen
    finding = re.search(r'<article class="finding block" data-rule="system_meeting_once_a_year" data-clause="8">(.*?)</article>', html, re.S)
    assert finding, "no finding for article 8"
    body = text(finding.group(1))
    assert "第8条" in body and article in body
    assert "已召开1次（REQ-0）" in body  # the message names the meeting already held
    assert "报市政府批准后再申请" in body  # the remedy
    assert "本单位本年度已召开（已批准）的本系统全市性会议数 system_meetings_in_year 1" in body  # a fact counted


def test_the_first_meeting_of_the_year_is_approved_and_recorded_when_asked(service):
    c = client(service, "clerk")
    form = {**MEETING, "id": "PG-M-WSJ-1", "unit": "市卫生健康委", "title": "全市卫生健康系统工作会议", "record": "1"}
    answer = c.post("/screen/meeting", data=form)
    assert 'class="verdict approve"' in answer.text and "批准" in text(answer.text)
    assert 'id="recorded"' in answer.text
    assert "system_meeting_once_a_year" in re.search(r'<ul class="rule-list passed">(.*?)</ul>', answer.text, re.S).group(1)
    record = c.get("/register/PG-M-WSJ-1")
    assert record.status_code == 200 and "审查后记入" in record.text and "clerk" in record.text
    listed = c.get("/register", params={"unit": "市卫生健康委", "kind": "meeting", "year": "2019"})
    assert 'data-record="PG-M-WSJ-1"' in listed.text
    # recorded, it now counts: the unit's next system meeting that year is rejected
    again = c.post("/screen/meeting", data={**form, "id": "PG-M-WSJ-2", "record": ""})
    assert 'class="verdict reject"' in again.text and "PG-M-WSJ-1" in text(again.text)


def test_a_rejected_request_is_not_recorded_even_when_asked(service):
    c = client(service, "clerk")
    answer = c.post("/screen/meeting", data={**MEETING, "id": "PG-M-3", "record": "1"})
    assert 'class="verdict reject"' in answer.text and 'id="not-recorded"' in answer.text
    assert c.get("/register/PG-M-3").status_code == 404


def test_invalid_fields_are_shown_next_to_the_field_with_its_path_in_chinese_and_english(service):
    form = {**MEETING, "id": "PG-M-BAD", "routine": "", "scope": "nationwide", "date": "2019-02-30", "attendees": "市公安局:是\n市财政局"}
    answer = client(service, "clerk").post("/screen/meeting", data=form)
    assert answer.status_code == 422 and "申请有误，未作决定" in answer.text
    html = answer.text
    assert "缺少必填字段" in text(field_block(html, "routine")) and "Field required" in text(field_block(html, "routine"))
    assert "scope" in text(field_block(html, "scope")) and "取值不在允许范围内" in text(field_block(html, "scope"))
    assert "日历上没有这一天：2019-02-30" in text(field_block(html, "date"))
    assert "参会单位应写成 单位:是/否" in text(field_block(html, "attendees"))
    # what was typed stays in the form
    assert "市公安局:是\n市财政局</textarea>" in field_block(html, "attendees")
    assert 'class="field invalid"' in html and 'data-field="title"' in html and "PG-M-BAD" in field_block(html, "id")


def test_lists_are_read_one_item_per_line(service):
    form = {
        "id": "PG-I-1", "jurisdiction": "景德镇市", "unit": "市教育局", "date": "2019-06-10", "title": "校园安全专项督查",
        "type": "special", "scope": "citywide", "involved_units": "市公安局\n市教育局", "joint": "false",
        "work_plan.targets": "隐患整改到位", "work_plan.indicators": "隐患整改完成率=100%\n召开会议次数",
    }
    answer = client(service, "clerk").post("/screen/inspection", data=form)
    seen = text(answer.text)
    assert 'class="verdict reject"' in answer.text
    assert '"involved_units": [ "市公安局", "市教育局" ]' in seen  # two units read from two lines
    clauses = set(re.findall(r'data-clause="(\d+)"', answer.text))
    assert {"10", "11", "12"} <= clauses  # not in a filed plan; several departments not joint; an unquantified indicator


# -- who may do what ---------------------------------------------------------------------------------------------
def test_an_auditor_reads_the_rules_and_register_but_does_not_screen(service):
    c = client(service, "shenji")
    assert c.get("/rules").status_code == 200 and c.get("/register").status_code == 200
    for path in ("/screen/meeting", "/plans"):
        answer = c.get(path)
        assert answer.status_code == 403 and "无权访问" in answer.text
    assert c.post("/screen/meeting", data={**MEETING, "id": "PG-A-1"}).status_code == 403


def test_a_department_sees_and_screens_only_its_own_unit(service):
    c = client(service, "jiaoyu")
    listed = c.get("/register", params={"unit": "市财政局"})
    assert 'data-record="REQ-0"' in listed.text and "CZ-D-2019-001" not in listed.text
    assert c.get("/register/CZ-D-2019-001").status_code == 404  # as a missing id answers: ids cannot be probed (issue 14)
    assert c.get("/register/REQ-0").status_code == 200
    form = c.get("/screen/meeting").text
    assert 'name="record"' not in form and "readonly" in field_block(form, "unit")
    # a unit typed into the request anyway is its own unit, never another's
    answer = c.post("/screen/meeting", data={**MEETING, "id": "PG-D-1", "unit": "市财政局"})
    assert "市教育局" in text(answer.text) and "市财政局" not in text(answer.text).split("提交的申请")[0]
    assert c.post("/screen/meeting", data={**MEETING, "id": "PG-D-2", "record": "1"}).status_code == 403


# -- annual plans ------------------------------------------------------------------------------------------------
PLAN = {
    "id": "JY-2019-PLAN", "kind": "plan", "jurisdiction": "景德镇市", "unit": "市教育局", "year": 2019,
    "filed_with": "supervision_office", "filed_on": "2019-01-20",
    "items": [
        {"id": "JY-M-1", "kind": "meeting", "date": "2019-06-01", "title": "全市教育系统安全工作会议", "held_in_name_of": "department",
         "remit": "department", "scope": "citywide_system", "routine": False},
        {"id": "JY-D-1", "kind": "document", "date": "2019-05-10", "title": "关于做好2019年中考工作的通知", "issuer": "department",
         "remit": "department", "subject": "2019年中考"},
    ],
}


def upload(c: TestClient, name: str, content: bytes):
    return c.post("/plans", files={"file": (name, content, "application/octet-stream")})


def test_a_plan_upload_shows_each_item_and_hands_back_the_checked_workbook(service):
    c = client(service, "jiaoyu")
    answer = upload(c, "plan.yaml", yaml.safe_dump(PLAN, allow_unicode=True).encode())
    assert answer.status_code == 200, text(answer.text)[:500]
    html, seen = answer.text, text(answer.text)
    assert "已报市政府督查室备案" in seen and "2019-01-20" in seen
    assert re.search(r'<tr class="reject" data-item="JY-M-1">', html) and re.search(r'<tr class="approve" data-item="JY-D-1">', html)
    assert "共 2 项：批准 1，驳回 1" in seen
    link = re.search(r'id="download" href="(/plans/checked/[^"]+)"', html).group(1)
    workbook = c.get(link)
    assert workbook.status_code == 200 and "attachment" in workbook.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    meetings = book["会议"]
    headers = [cell.value for cell in meetings[1]]
    row = [cell.value for cell in meetings[2]]
    assert row[headers.index("决定")] == "驳回" and "第8条" in row[headers.index("条款")]
    assert book["审查结果"]["B4"].value.startswith("已报市政府督查室备案")
    # the checked workbook is the uploader's: another user does not get it
    assert client(service, "clerk").get(link).status_code == 404


def test_an_unfiled_plan_says_so_and_a_bad_plan_names_the_field(service):
    c = client(service, "clerk")
    unfiled = {k: v for k, v in PLAN.items() if k not in ("filed_with", "filed_on")}
    answer = upload(c, "plan.json", json.dumps(unfiled, ensure_ascii=False).encode())
    assert "尚未报市政府督查室备案" in text(answer.text)
    broken = {**unfiled, "items": [{**PLAN["items"][0], "scope": "everywhere"}]}
    bad = upload(c, "plan.json", json.dumps(broken, ensure_ascii=False).encode())
    assert bad.status_code == 422 and "items[0].scope" in bad.text and "plan.json" in bad.text
    wrong_type = upload(c, "plan.exe", b"MZ")
    assert wrong_type.status_code == 422 and "文件类型应为" in wrong_type.text


def test_a_department_cannot_pre_check_another_units_plan(service):
    c = client(service, "jiaoyu")
    other = {**PLAN, "unit": "市财政局", "id": "CZ-2019-PLAN"}
    answer = upload(c, "plan.yaml", yaml.safe_dump(other, allow_unicode=True).encode())
    assert answer.status_code == 403 and "无权访问" in answer.text


# -- the rule catalogue ------------------------------------------------------------------------------------------
def test_the_catalogue_lists_every_rule_with_its_article_and_text(service):
    html = client(service, "shenji").get("/rules").text
    for rule, _ in service.app.state.catalog.all_rules():
        assert f'href="/rules/{rule.id}"' in html and f"第{rule.article}条" in html and rule.text in unescape(html)


def test_the_catalogue_shows_per_jurisdiction_what_its_own_law_covers(service):
    """Issue 13: each city by its own law. Pingxiang's row has art. 23 for meetings and no rule for documents."""
    html = client(service, "shenji").get("/rules").text
    rows = {m.group(1): m.group(2) for m in re.finditer(r'<tr data-jurisdiction="([^"]+)">(.*?)</tr>', html, re.S)}
    assert set(rows) == {"景德镇市", "萍乡市", "南昌市"}
    cell = lambda place, kind: re.search(rf'<td data-kind="{kind}">(.*?)</td>', rows[place], re.S).group(1)  # noqa: E731
    assert "第23条" in cell("萍乡市", "meeting") and "无规则" in cell("萍乡市", "document")
    assert all("无规则" in cell("南昌市", kind) for kind in ("document", "meeting", "inspection", "bulletin"))
    assert "第8条" in cell("景德镇市", "meeting") and "第23条" not in cell("景德镇市", "meeting")


def test_a_rules_page_has_its_text_reading_dated_parameters_and_scenarios(service):
    html = client(service, "shenji").get("/rules/system_meeting_once_a_year").text
    seen = text(html)
    rule = next(r for r, _ in service.app.state.catalog.all_rules() if r.id == "system_meeting_once_a_year")
    assert rule.text in seen and "按自然年计" in seen
    parameters = re.search(r'<table id="parameters">(.*?)</table>', html, re.S).group(1)
    assert "system_meetings_per_year" in parameters and re.search(r"\d{4}-\d{2}-\d{2} 起：", text(parameters))
    scenarios = index(ROOT / "features").for_rule("system_meeting_once_a_year")
    assert scenarios
    table = text(re.search(r'<table id="scenarios">(.*?)</table>', html, re.S).group(1))
    for scenario in scenarios:
        assert scenario.name in table
    assert "批准" in table and "驳回" in table


def test_an_unknown_rule_or_record_is_a_page_not_json(service):
    c = client(service, "clerk")
    for path in ("/rules/no_such_rule", "/register/NO-SUCH"):
        answer = c.get(path)
        assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")


def test_the_register_searches_by_unit_kind_and_year_and_says_when_a_year_is_wrong(service):
    c = client(service, "shenji")
    by_kind = c.get("/register", params={"kind": "document"}).text
    assert 'data-record="CZ-D-2019-001"' in by_kind and 'data-record="REQ-0"' not in by_kind
    assert 'data-record="REQ-0"' not in c.get("/register", params={"year": "2018"}).text
    assert 'data-record="REQ-0"' in c.get("/register", params={"unit": "市教育局", "year": "2019"}).text
    assert "年度应为四位数字" in c.get("/register", params={"year": "19x"}).text


def test_a_day_no_pack_is_in_force_decides_nothing_and_says_why(service):
    c = client(service, "clerk")
    answer = c.post("/screen/meeting", data={**MEETING, "id": "PG-M-OLD", "as_of": "2010-01-01"})
    assert answer.status_code == 422 and 'class="verdict' not in answer.text
    assert "无法作出决定" in text(answer.text)
    wrong = c.post("/screen/meeting", data={**MEETING, "id": "PG-M-ASOF", "as_of": "2019-13-01"})
    assert wrong.status_code == 422 and "应为日期 YYYY-MM-DD" in text(field_block(wrong.text, "as_of"))


def test_the_checked_workbook_downloads_from_another_worker_process(service):
    """`jianfu serve --workers N`: the upload and the download may reach different processes."""
    from jianfu.adapters.service.app import create_app
    from jianfu.adapters.service.settings import Settings

    c = client(service, "jiaoyu")
    link = re.search(r'id="download" href="(/plans/checked/[^"]+)"', upload(c, "plan.json", json.dumps(PLAN, ensure_ascii=False).encode()).text).group(1)
    other = create_app(Settings(db_url=str(service.folder / "register.sqlite3"), users_file=service.folder / "users.yaml"))
    try:
        worker = TestClient(other, follow_redirects=False)
        worker.cookies.set("jianfu_token", service.tokens["jiaoyu"])
        answer = worker.get(link)
        assert answer.status_code == 200 and openpyxl.load_workbook(io.BytesIO(answer.content))["会议"].max_row == 2
        assert worker.get(link[:-3] + "xyz").status_code == 404
    finally:
        other.state.store.close()


def test_an_approval_typed_one_per_line_lifts_article_8_and_the_page_says_so(service):
    approvals = "市政府办公室|办字〔2019〕1号\n市政府|景府字〔2019〕5号|2019-05-01|8"
    answer = client(service, "clerk").post("/screen/meeting", data={**MEETING, "id": "PG-M-APPROVED", "approvals": approvals})
    assert 'class="verdict approve"' in answer.text
    waived = re.search(r'<article class="finding waived" data-rule="system_meeting_once_a_year" data-clause="8">(.*?)</article>', answer.text, re.S)
    assert waived and "已取得批准（市政府 景府字〔2019〕5号 2019-05-01）" in text(waived.group(1))


def test_what_a_clerk_types_is_shown_as_text_never_run_as_markup(service):
    title = '<script>alert("x")</script>'
    answer = client(service, "clerk").post("/screen/meeting", data={**MEETING, "id": "PG-M-XSS", "title": title})
    assert '<script>alert("x")</script>' not in answer.text and "&lt;script&gt;" in answer.text


@pytest.mark.parametrize("path", ["/", "/screen/inspection", "/plans", "/rules", "/rules/bulletin_cut", "/register", "/register/REQ-0"])
def test_every_asset_a_page_uses_is_served_by_the_app_itself(service, path):
    c = client(service, "root")
    html = c.get(path).text
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "a page loads something from another host"
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        served = c.get(asset)
        assert served.status_code == 200 and served.content
    assert '<link rel="stylesheet" href="/static/jianfu.css">' in html


def test_a_department_downloads_the_template_and_its_example_uploads_back(service):
    c = client(service, "jiaoyu")
    assert 'href="/plans/template"' in c.get("/plans").text
    template = c.get("/plans/template")
    assert template.status_code == 200 and "attachment" in template.headers["content-disposition"]
    assert openpyxl.load_workbook(io.BytesIO(template.content)).sheetnames == ["说明", "计划", "文件", "会议", "督查检查考核", "简报"]
    answer = upload(c, "模板.xlsx", template.content)
    assert answer.status_code == 200 and "共 4 项" in text(answer.text)
    assert client(service, "shenji").get("/plans/template").status_code == 403
