"""Properties of decisions, over generated requests and registers (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from jianfu.engine import Engine, MemoryRegister, NoPackInForce, load_folder
from jianfu.engine.records import Record, Unit
from jianfu.engine.requests import Submission

ROOT = Path(__file__).resolve().parents[1]
ENGINE = Engine(load_folder(ROOT / "rules"))
REQUEST = TypeAdapter(Submission)
RECORD = TypeAdapter(Record)
UNITS = ["市教育局", "市财政局"]
TOPICS = ["安全", "防汛", "教育"]
APPROVERS = ["city_government", "city_government_leader", "general_office", "supervision_office"]
COVERS = [None, "8", "10", "7", "system_meeting_once_a_year", "inspection_in_filed_plan", "第8条"]
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

days = st.integers(min_value=0, max_value=400).map(lambda n: (date(2019, 3, 19) + timedelta(days=n)).isoformat())


@st.composite
def meetings(draw, prefix="R"):
    return {
        "id": f"{prefix}{draw(st.integers(0, 10_000))}",
        "kind": "meeting",
        "jurisdiction": "景德镇市",
        "unit": draw(st.sampled_from(UNITS)),
        "date": draw(days),
        "title": draw(st.sampled_from(["工作会议", "部署会", "现场办公会"])),
        "topics": draw(st.lists(st.sampled_from(TOPICS), max_size=2, unique=True)),
        "held_in_name_of": draw(st.sampled_from(["department", "city_government"])),
        "remit": draw(st.sampled_from(["department", "city_government"])),
        "scope": draw(st.sampled_from(["citywide_system", "other"])),
        "routine": draw(st.booleans()),
        "arranged_by_general_office": draw(st.booleans()),
        "attendees": draw(st.lists(st.builds(lambda u, r: {"unit": u, "directly_related": r}, st.sampled_from(UNITS), st.booleans()), max_size=2)),
    }


@st.composite
def bulletins(draw, prefix="R"):
    return {
        "id": f"{prefix}{draw(st.integers(0, 10_000))}",
        "kind": "bulletin",
        "jurisdiction": "景德镇市",
        "unit": draw(st.sampled_from(UNITS)),
        "date": draw(st.integers(0, 700).map(lambda n: (date(2018, 1, 1) + timedelta(days=n)).isoformat())),
        "series": draw(st.sampled_from(["简报甲", "简报乙"])),
    }


def requests():
    return st.one_of(meetings("Q"), bulletins("Q")).filter(lambda r: r["date"] >= "2019-03-19")


def registers():
    records = st.lists(st.one_of(meetings(), bulletins()), max_size=25, unique_by=lambda r: r["id"])
    statuses = st.sampled_from(["approved", "held", "issued"])
    return records.flatmap(lambda rs: st.lists(statuses, min_size=len(rs), max_size=len(rs)).map(lambda ss: [{**r, "status": s} for r, s in zip(rs, ss)]))


def memory(records: list[dict]) -> MemoryRegister:
    return MemoryRegister([Unit(name=u, type="department", level="city") for u in UNITS], [RECORD.validate_python(r) for r in records])


def decide(request: dict, records: list[dict]):
    return ENGINE.decide(REQUEST.validate_python(request), memory(records))


@FAST
@given(requests(), registers(), st.randoms())
def test_the_order_of_fields_and_of_records_does_not_matter(request, records, rnd):
    expected = decide(request, records)
    shuffled_fields = dict(rnd.sample(list(request.items()), len(request)))
    shuffled_records = [dict(rnd.sample(list(r.items()), len(r))) for r in rnd.sample(records, len(records))]
    assert decide(shuffled_fields, shuffled_records) == expected


@FAST
@given(requests(), registers(), st.lists(st.builds(lambda by, covers, back: {"by": by, "covers": covers, "date": back},
                                                    st.sampled_from(APPROVERS), st.sampled_from(COVERS), st.sampled_from([None, "2019-01-01"])), min_size=1, max_size=3))
def test_an_approval_never_turns_an_approval_into_a_rejection(request, records, approvals):
    before = decide(request, records)
    after = decide({**request, "approvals": [{k: v for k, v in a.items() if v is not None} for a in approvals]}, records)
    if before.approved:
        assert after.approved
    assert {f.rule for f in after.blocking} <= {f.rule for f in before.blocking}


@FAST
@given(requests(), registers(), st.lists(st.one_of(meetings("X"), bulletins("X")), min_size=1, max_size=5, unique_by=lambda r: r["id"]),
       st.sampled_from(["rejected", "cancelled"]))
def test_rejected_and_cancelled_records_never_count(request, records, extra, status):
    taken = {r["id"] for r in records}
    extra = [{**r, "status": status} for r in extra if r["id"] not in taken]
    assert decide(request, records + extra) == decide(request, records)


@FAST
@given(requests(), st.sampled_from(["九江市", "南昌县", "景德镇"]))
def test_no_pack_in_force_means_no_decision(request, jurisdiction):
    with pytest.raises(NoPackInForce):
        decide({**request, "jurisdiction": jurisdiction}, [])


@settings(max_examples=2000, deadline=None)
@given(st.integers(0, 1_000_000), st.integers(0, 1_000_000))
def test_the_cut_achieved_is_the_exact_fraction_rounded_to_six_places(baseline, issues):
    """The cut is worked out from the two counts' quotient; it must be the exact fraction's, rounded as it is (a
    float 1 - 8/10 would fall short of the 20% that 8 issues against 10 achieve)."""
    from fractions import Fraction

    from jianfu.engine.facts import cut_achieved

    exact = round(float(1 - Fraction(issues, baseline)), 6) if baseline else (-1.0 if issues else 0.0)
    assert cut_achieved(baseline, issues) == exact
    assert cut_achieved(10, 8) == 0.2
