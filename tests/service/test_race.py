"""Two (here: many) simultaneous requests for the last slot of a limit never both get approved, over HTTP, with two
worker processes: 市财政局 has not held its 2019 city-wide system meeting (本系统全市性会议), one slot a year (art. 8)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest

from live_service import start_service, stop_service, unique

CONTENDERS = 24


@pytest.mark.parametrize("new_database", ["sqlite", "postgresql"], indirect=True)
def test_many_requests_for_the_last_system_meeting_exactly_one_is_approved(new_database, tmp_path):
    service = start_service(tmp_path, new_database, workers=2)
    try:
        requests = [
            {"id": unique("RACE"), "kind": "meeting", "jurisdiction": "景德镇市", "unit": "市财政局", "date": f"2019-{6 + i % 6:02d}-10",
             "title": f"全市财政系统工作会议{i}", "held_in_name_of": "department", "remit": "department", "scope": "citywide_system", "routine": False}
            for i in range(CONTENDERS)
        ]
        start = Barrier(CONTENDERS)

        def ask(request):
            with service.client("office") as client:
                start.wait()
                response = client.post("/api/v1/screenings", params={"record": "true"}, json=request)
                response.raise_for_status()
                return response.json()[0]

        with ThreadPoolExecutor(CONTENDERS) as pool:
            decisions = list(pool.map(ask, requests))
        approved = [d for d in decisions if d["decision"] == "approve"]
        assert len(approved) == 1
        assert all(any(f["rule"] == "system_meeting_once_a_year" and f["severity"] == "block" for f in d["findings"])
                   for d in decisions if d["decision"] == "reject")
        with service.client("auditor") as auditor:
            recorded = auditor.get("/api/v1/records", params={"unit": "市财政局", "kind": "meeting", "year": 2019}).json()
            verified = auditor.get("/api/v1/log/verify").json()
        assert [r["id"] for r in recorded if r["id"].startswith("RACE")] == [approved[0]["id"]]
        # every decision logged once, on one unbroken chain, although two processes appended at the same time
        assert verified["ok"] and verified["entries"] == CONTENDERS
    finally:
        stop_service(service)
