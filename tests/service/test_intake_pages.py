"""上传公文: a DOCX meeting notice uploaded on the page, its draft shown with the evidence marked and the missing fields
asked for, completed and screened through to its decision; the same upload through POST /api/v1/intake."""

from __future__ import annotations

import docx
import pytest
from fastapi.testclient import TestClient

from browser import needs_chromium
from conftest_pages import ARTIFACTS, bearer as api, browser_page, logged_in, module_service

NOTICE = ["景德镇市教育局", "关于召开2019年全市教育系统安全工作会议的通知", "各县（市、区）教育局：",
          "经研究，决定召开2019年全市教育系统安全工作会议。现将有关事项通知如下：", "一、会议时间",
          "2019年5月20日（星期一）上午9:00", "二、会议地点", "市教育局三楼会议室", "三、参会人员",
          "市财政局分管负责同志", "景德镇市教育局", "2019年5月10日"]


def notice_docx(path):
    document = docx.Document()
    for line in NOTICE:
        document.add_paragraph(line)
    document.save(str(path))
    return path


service = module_service("intake")


def test_api_reads_an_uploaded_notice_into_specs_draft(service, tmp_path):
    answer = api(service, "clerk").post("/api/v1/intake", files={"file": ("通知.docx", notice_docx(tmp_path / "n.docx").read_bytes())})
    assert answer.status_code == 200, answer.text
    [draft] = answer.json()
    assert set(draft) == {"file", "kind", "request", "missing", "evidence", "text", "similar"}
    assert draft["file"] == "通知.docx" and draft["kind"] == "meeting"
    assert draft["request"]["date"] == "2019-05-20" and draft["request"]["unit"] == "市教育局"


def test_api_same_roles_as_screening(service, tmp_path):
    body = {"file": ("通知.docx", notice_docx(tmp_path / "n.docx").read_bytes())}
    assert api(service, "jiaoyu").post("/api/v1/intake", files=body).status_code == 200  # its own unit's notice
    assert api(service, "shenji").post("/api/v1/intake", files=body).status_code == 403  # auditors read, never screen
    assert TestClient(service.app).post("/api/v1/intake", files=body).status_code == 401


def test_api_a_department_may_not_read_another_units_paper(service, tmp_path):
    other = tmp_path / "cz.txt"
    other.write_text("景财字〔2019〕15号\n关于加强预算绩效管理的通知\n各县（市、区）财政局：\n正文。\n景德镇市财政局\n2019年5月10日\n", encoding="utf-8")
    answer = api(service, "jiaoyu").post("/api/v1/intake", files={"file": ("cz.txt", other.read_bytes())})
    assert answer.status_code == 403


def test_api_refuses_an_old_doc_with_what_to_do(service):
    answer = api(service, "clerk").post("/api/v1/intake", files={"file": ("旧.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)})
    assert answer.status_code == 422
    assert ".docx" in answer.text and "旧.doc" in answer.text


@needs_chromium
def test_a_clerk_uploads_a_docx_meeting_notice_and_reaches_its_decision(service, tmp_path):
    with browser_page(service, "clerk", "/screen/meeting", height=900, timeout_ms=15_000) as page:
        page.click("#to-intake")
        page.wait_for_url("**/intake")
        page.set_input_files("#f-file", str(notice_docx(tmp_path / "会议通知.docx")))
        page.click("#intake-form button[type=submit]")
        page.wait_for_selector("#draft")
        assert page.get_attribute("#draft", "data-kind") == "meeting"
        marked = " ".join(page.locator('#draft-text mark[data-field="date"]').all_inner_texts())
        assert "2019年5月20日" in marked  # the meeting's own date, highlighted where it was read
        assert page.input_value('#screen-form [name="date"]') == "2019-05-20"
        assert page.input_value('#screen-form [name="unit"]') == "市教育局"
        assert "请补填" in page.locator('.field.invalid[data-field="routine"]').inner_text()
        assert "请补填" in page.locator('.field.invalid[data-field="remit"]').inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "11-上传公文-草稿.png"), full_page=True)
        page.select_option('#screen-form [name="remit"]', "department")
        page.select_option('#screen-form [name="routine"]', "false")
        page.fill('#screen-form [name="attendees"]', "市财政局:否")
        page.click("#screen-form button[type=submit]")
        page.wait_for_selector(".verdict")
        # 市教育局 held its 2019 system meeting already (REQ-0): the second is refused under article 8
        assert page.inner_text(".verdict .word").strip() == "驳回"
        assert page.locator('article.finding[data-clause="8"]').count() == 1
        page.screenshot(path=str(ARTIFACTS / "12-上传公文-决定.png"), full_page=False)


def test_the_page_says_what_to_do_with_an_old_doc(service):
    answer = logged_in(service, "clerk").post("/intake", files={"file": ("旧通知.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)})
    assert answer.status_code == 422
    assert "另存为 .docx" in answer.text and "旧通知.doc" in answer.text and 'id="draft"' not in answer.text


def test_the_page_is_for_those_who_screen(service):
    assert logged_in(service, "shenji").get("/intake").status_code == 403
    assert TestClient(service.app, follow_redirects=False).get("/intake").status_code == 303  # to the login page
    assert 'href="/intake"' in logged_in(service, "clerk").get("/screen/meeting").text
