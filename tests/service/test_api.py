"""The API against the running service: SPEC's contracts in and out, errors that name the field, the register
appended and cancelled (never deleted), plans checked from JSON and from Excel, docs that load nothing from outside."""

from __future__ import annotations

import io
import json
import re

import openpyxl
import yaml

from live_service import REPO, unique

SAMPLE = yaml.safe_load((REPO / "examples" / "requests.yaml").read_text(encoding="utf-8"))


def meeting(unit: str = "市财政局", **changes) -> dict:
    """A city-wide system meeting (本系统全市性会议) of `unit` in 2019."""
    body = {
        "id": unique("M"), "kind": "meeting", "jurisdiction": "景德镇市", "unit": unit, "date": "2019-06-12",
        "title": "全市财政系统工作会议", "topics": ["财政工作部署"], "held_in_name_of": "department", "remit": "department",
        "scope": "citywide_system", "routine": False,
    }
    return {**body, **changes}


def test_a_second_system_meeting_is_rejected_with_its_article(service):
    with service.client("office") as client:
        response = client.post("/api/v1/screenings", json=SAMPLE[0])
    assert response.status_code == 200
    [decision] = response.json()
    assert decision["id"] == "REQ-2019-0510-01" and decision["decision"] == "reject"
    [finding] = [f for f in decision["findings"] if f["rule"] == "system_meeting_once_a_year"]
    assert finding["clause"] == "8" and finding["severity"] == "block"
    assert "JDZ-M-2019-001" in finding["message"] and finding["article_text"].startswith("市直各部门召开的本系统全市性会议")
    assert finding["remedy"]
    assert set(decision) == {"id", "decision", "as_of", "packs", "findings", "passed", "not_applicable"}
    assert decision["packs"][0]["id"] == "jingdezhen-2019" and len(decision["packs"][0]["sha256"]) == 64


def test_a_list_gets_one_decision_per_request_in_order(service):
    with service.client("office") as client:
        decisions = client.post("/api/v1/screenings", json=SAMPLE).json()
    assert [d["id"] for d in decisions] == [r["id"] for r in SAMPLE]


def test_as_of_decides_with_the_packs_in_force_that_day(service):
    with service.client("office") as client:
        decision = client.post("/api/v1/screenings", params={"as_of": "2019-06-01"}, json=SAMPLE[0]).json()[0]
    assert decision["as_of"] == "2019-06-01"


def test_an_invalid_request_names_the_field_and_line_in_both_languages(service):
    body = '[\n  {"id": "X-1", "kind": "meeting", "jurisdiction": "景德镇市", "unit": "市财政局", "date": "2019-06-12",\n' \
           '   "held_in_name_of": "department", "remit": "department", "scope": "everywhere", "routine": false, "colour": "red"}\n]'
    with service.client("office") as client:
        response = client.post("/api/v1/screenings", content=body.encode(), headers={"content-type": "application/json"})
    assert response.status_code == 422
    payload = response.json()
    assert payload["error"] == "invalid_input" and payload["message"] and payload["message_en"]
    fields = {e["field"]: e for e in payload["errors"]}
    assert set(fields) == {"[0].scope", "[0].colour"}
    assert fields["[0].scope"]["path"] == [0, "scope"] and fields["[0].scope"]["line"] == 3
    assert "citywide_system" in fields["[0].scope"]["message"] and fields["[0].scope"]["message_en"]


def test_broken_json_and_a_plan_sent_to_screenings_are_refused(service):
    with service.client("office") as client:
        broken = client.post("/api/v1/screenings", content=b'{"id": ', headers={"content-type": "application/json"})
        plan = client.post("/api/v1/screenings", json={"id": "P", "kind": "plan", "jurisdiction": "景德镇市", "unit": "市财政局", "year": 2019})
    assert broken.status_code == 422 and "JSON" in broken.json()["errors"][0]["message"]
    assert plan.status_code == 422 and plan.json()["errors"][0]["field"] == "[0].kind"


def test_a_body_over_the_limit_is_refused_with_413_json(service):
    with service.client("office") as client:
        response = client.post("/api/v1/screenings", content=b"[" + b" " * (6 * 1024 * 1024) + b"]", headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.json()["error"] == "too_large" and response.json()["message_en"].startswith("request body too large")


def test_recording_records_the_approved_request_once(service):
    request = meeting(unit="市生态环境局", id=unique("REC"))
    with service.client("office") as client:
        first = client.post("/api/v1/screenings", params={"record": "true"}, json=request)
        stored = client.get(f"/api/v1/records/{request['id']}")
        again = client.post("/api/v1/screenings", params={"record": "true"}, json=request)
    assert first.status_code == 200 and first.json()[0]["decision"] == "approve"
    assert stored.status_code == 200 and stored.json()["status"] == "approved" and stored.json()["recorded_by"] == "办公室"
    assert again.status_code == 422 and "already holds" in again.json()["errors"][0]["message_en"]


def test_an_approval_on_file_lifts_article_8_and_cancelling_it_restores_the_rejection(service):
    request = SAMPLE[0] | {"id": unique("REQ")}
    with service.client("office") as client:
        before = client.post("/api/v1/screenings", json=request).json()[0]
        filed = client.post("/api/v1/approvals", json={"request_id": request["id"], "by": "city_government", "ref": "景府字〔2019〕9号", "date": "2019-05-01"})
        [approval] = client.get("/api/v1/approvals", params={"request_id": request["id"]}).json()
        after = client.post("/api/v1/screenings", json=request).json()[0]
        cancelled = client.post(f"/api/v1/approvals/{approval['seq']}/cancel")
        again = client.post("/api/v1/screenings", json=request).json()[0]
    rule = "system_meeting_once_a_year"
    assert any(f["rule"] == rule and f["severity"] == "block" for f in before["findings"])
    assert filed.status_code == 201 and cancelled.status_code == 200
    assert any(f["rule"] == rule and f["severity"] == "waived" for f in after["findings"])
    assert not any(f["rule"] == rule and f["severity"] == "block" for f in after["findings"])
    assert any(f["rule"] == rule and f["severity"] == "block" for f in again["findings"])


def test_records_are_appended_searched_and_cancelled_never_deleted(service):
    held = meeting(unit="市卫生健康委", id=unique("HELD"), status="held")
    with service.client("office") as client:
        added = client.post("/api/v1/records", json=held)
        listed = client.get("/api/v1/records", params={"unit": "市卫生健康委", "kind": "meeting", "year": 2019}).json()
        screened = client.post("/api/v1/screenings", json=meeting(unit="市卫生健康委")).json()[0]
        cancelled = client.post(f"/api/v1/records/{held['id']}/cancel", json={"reason": "会议取消"})
        record = client.get(f"/api/v1/records/{held['id']}").json()
        screened_again = client.post("/api/v1/screenings", json=meeting(unit="市卫生健康委")).json()[0]
        deleted = client.delete(f"/api/v1/records/{held['id']}")
    assert added.status_code == 201
    assert held["id"] in [r["id"] for r in listed] and all(r["unit"] == "市卫生健康委" for r in listed)
    assert screened["decision"] == "reject"
    assert cancelled.status_code == 200 and record["status"] == "cancelled"
    assert [e["event"] for e in record["events"]] == ["recorded", "cancelled"] and record["events"][1]["reason"] == "会议取消"
    assert screened_again["decision"] == "approve"
    assert deleted.status_code == 405


def test_a_record_with_an_unknown_unit_is_refused_with_its_field(service):
    with service.client("office") as client:
        response = client.post("/api/v1/records", json=meeting(unit="不存在的局", status="held"))
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "records[0].unit"


def test_filed_plans_are_listed_filed_and_cancelled(service):
    plan = {"id": unique("PLAN"), "kind": "plan", "jurisdiction": "景德镇市", "unit": "市财政局", "year": 2019,
            "filed_with": "supervision_office", "filed_on": "2019-03-01",
            "items": [{"id": unique("PI"), "kind": "inspection", "date": "2019-07-01", "title": "预算执行专项检查", "type": "special", "scope": "citywide"}]}
    with service.client("office") as client:
        filed = client.post("/api/v1/plans", json=plan)
        listed = client.get("/api/v1/plans", params={"unit": "市财政局"}).json()
        one = client.get(f"/api/v1/plans/{plan['id']}").json()
        cancelled = client.post(f"/api/v1/plans/{plan['id']}/cancel", json={"reason": "重新编制"})
        after = client.get(f"/api/v1/plans/{plan['id']}").json()
        unfiled = client.post("/api/v1/plans", json={**plan, "id": unique("PLAN"), "filed_with": None, "filed_on": None})
    assert filed.status_code == 201 and plan["id"] in [p["id"] for p in listed]
    assert one["body"]["items"][0]["title"] == "预算执行专项检查" and one["status"] == "filed"
    assert cancelled.status_code == 200 and after["status"] == "cancelled"
    assert unfiled.status_code == 422


PLAN = {"id": "JY-2019-PLAN", "kind": "plan", "jurisdiction": "景德镇市", "unit": "市教育局", "year": 2019, "items": [
    {"id": "JY-M-1", "kind": "meeting", "date": "2019-06-01", "title": "全市教育系统工作会议", "held_in_name_of": "department",
     "remit": "department", "scope": "citywide_system", "routine": False},
    {"id": "JY-B-1", "kind": "bulletin", "date": "2019-06-02", "title": "教育简报第1期", "series": "教育工作简报"},
]}


def test_a_plan_is_pre_checked_from_json(service):
    with service.client("department") as client:
        response = client.post("/api/v1/plans/check", json=PLAN)
    assert response.status_code == 200
    result = response.json()
    assert result["plan"] == "JY-2019-PLAN" and result["filed"] is False and result["decision"] == "reject"
    by_id = {d["id"]: d for d in result["decisions"]}
    assert by_id["JY-M-1"]["decision"] == "reject"  # 市教育局 already held its 2019 system meeting
    assert any(f["clause"] == "8" for f in by_id["JY-M-1"]["findings"])


def test_a_plan_uploaded_as_a_workbook_comes_back_checked(service, tmp_path):
    template = tmp_path / "模板.xlsx"
    from jianfu.adapters.files.plan_workbook import write_template

    write_template(template)
    with service.client("office") as client:
        checked = client.post("/api/v1/plans/check", params={"format": "xlsx"}, files={"file": ("年度计划.xlsx", template.read_bytes())})
        as_json = client.post("/api/v1/plans/check", files={"file": ("年度计划.xlsx", template.read_bytes())})
        wrong = client.post("/api/v1/plans/check", files={"file": ("plan.exe", b"MZ")})
    assert checked.status_code == 200 and checked.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(checked.content))
    meetings = book["会议"]
    header = [c.value for c in meetings[1]]
    assert "决定" in header
    verdict = meetings.cell(row=2, column=header.index("决定") + 1).value
    assert verdict == {"approve": "批准", "reject": "驳回"}[{d["id"]: d for d in as_json.json()["decisions"]}["JY-2019-M01"]["decision"]]
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "file"


def test_rules_and_one_rule_with_its_article_and_dated_parameters(service):
    with service.client("auditor") as client:
        rules = client.get("/api/v1/rules").json()
        one = client.get("/api/v1/rules/system_meeting_once_a_year").json()
        missing = client.get("/api/v1/rules/no_such_rule")
    assert {"system_meeting_once_a_year", "no_escalation_of_department_meetings"} & {r["id"] for r in rules}
    assert {r["article"] for r in rules} >= {"1", "8", "15"}
    assert one["rule"]["article"] == "8" and one["rule"]["text"].startswith("市直各部门召开的本系统全市性会议")
    assert one["pack"]["id"] == "jingdezhen-2019" and one["parameters"]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", d) for p in one["parameters"].values() for d in p["values"])
    assert missing.status_code == 404 and missing.json()["message_en"]


def test_a_department_sees_only_its_own_unit(service):
    with service.client("department") as client:
        own = client.get("/api/v1/records").json()
        other = client.get("/api/v1/records", params={"unit": "市财政局"})
        other_record = client.get("/api/v1/records/JDZ-M-2019-003")  # 市生态环境局's
        plans = client.get("/api/v1/plans").json()
    assert own and {r["unit"] for r in own} == {"市教育局"}
    assert other.status_code == 403 and other.json()["error"] == "forbidden"
    assert other_record.status_code == 404  # as a missing id answers: ids cannot be probed (issue 14)
    assert all(p["unit"] == "市教育局" for p in plans)


def test_healthz_and_docs_load_nothing_from_outside(service):
    health = httpx_get(service, "/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    docs = httpx_get(service, "/docs")
    assert docs.status_code == 200
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", docs.text) + re.findall(r"""url:\s*['"]([^'"]+)""", docs.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    assert "http://" not in docs.text and "https://" not in docs.text
    for url in urls:
        assert httpx_get(service, url).status_code == 200, url
    schema = httpx_get(service, "/openapi.json").json()
    body = schema["paths"]["/api/v1/screenings"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    components = schema["components"]["schemas"]
    assert body["$ref"].rsplit("/", 1)[1] in components  # the request contract, from the same models
    assert {"Meeting", "Document", "Inspection", "Bulletin", "Plan", "Decision"} <= set(components)
    assert components["Meeting"]["properties"]["scope"]["enum"] == ["citywide_system", "other"]
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(schema)))
    assert refs <= set(components) and "$defs" not in json.dumps(schema)


def httpx_get(service, path):
    with service.client() as client:
        return client.get(path)


def test_a_body_over_the_limit_without_a_length_is_refused_too(service):
    def chunks():
        yield b"["
        for _ in range(7):
            yield b" " * (1024 * 1024)
        yield b"]"

    with service.client("office") as client:
        response = client.post("/api/v1/screenings", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert response.status_code == 413 and response.json()["error"] == "too_large"
