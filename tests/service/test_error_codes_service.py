"""The API's JSON error bodies and the pages carry the same codes as the command line (docs/errors.md)."""

from __future__ import annotations


from conftest_pages import bearer, logged_in as _client, module_service


service = module_service("codes")


MEETING = {"id": "C-1", "kind": "meeting", "jurisdiction": "景德镇市", "unit": "市教育局", "date": "2019-06-12", "title": "会议",
           "held_in_name_of": "department", "remit": "department", "scope": "citywide_system", "routine": False}


def test_the_api_gives_each_field_error_and_refusal_its_code(service):
    c = bearer(service, "clerk")
    wrong = c.post("/api/v1/screenings", json=[{**MEETING, "date": "2019-02-30", "colour": "red"}])
    assert wrong.status_code == 422 and wrong.json()["error"] == "invalid_input"
    assert {e["field"]: e["code"] for e in wrong.json()["errors"]} == {"[0].date": "bad_date", "[0].colour": "unknown_field"}
    old = c.post("/api/v1/screenings", json=[{**MEETING, "date": "2010-01-04"}])
    assert old.status_code == 422 and old.json()["error"] == "no_pack_in_force"


def test_the_pages_show_the_code_beside_the_error(service):
    c = _client(service, "shenji")
    wrong = c.get("/audit", params={"year": "2019", "params": "no_such_thing=1"})
    assert wrong.status_code == 422 and '<code class="code">unknown_parameter</code>' in wrong.text
