"""The memo (engine.memo) changes no answer: whole decisions and whole audits are the same with it on, off, or so
small that it empties itself every few answers — on hypothesis-made requests and registers, on the examples (with
approvals on file) and on the benchmark's generated province."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from jianfu.adapters.files.read import read_register, read_requests
from jianfu.bench import generate
from jianfu.bench.audit import province_catalog
from jianfu.bench.run import screening_requests
from jianfu.engine import Engine, Memo, MemoryRegister, load_folder
from jianfu.engine.audit import audit
from jianfu.engine.records import Record, Unit
from jianfu.engine.requests import Submission

ROOT = Path(__file__).resolve().parents[1]
CATALOG = load_folder(ROOT / "rules")
# One engine of each kind for every example, so the remembering ones carry answers from one example to the next.
ON, OFF, TINY = Engine(CATALOG), Engine(CATALOG, memo=Memo.off()), Engine(CATALOG, memo=Memo(size=3))
REQUEST = TypeAdapter(Submission)
RECORD = TypeAdapter(Record)
PLACE, UNITS = "景德镇市", ("市教育局", "市财政局")
DAYS = st.dates(min_value=date(2018, 11, 1), max_value=date(2019, 12, 31))
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def records(draw, prefix: str = "R", statuses=("approved", "held", "issued", "cancelled", "rejected")) -> dict:
    kind = draw(st.sampled_from(["document", "meeting", "inspection", "bulletin"]))
    data = {"id": f"{prefix}-{draw(st.integers(0, 30))}", "kind": kind, "jurisdiction": PLACE, "unit": draw(st.sampled_from(UNITS)),
            "date": draw(DAYS).isoformat(), "status": draw(st.sampled_from(statuses)),
            "title": draw(st.sampled_from(["工作会议", "现场办公会", "部署会"])),
            "topics": draw(st.lists(st.sampled_from(["安全生产", "营商环境", "防汛"]), max_size=2, unique=True))}
    if kind == "document":
        data.update(issuer=draw(st.sampled_from(["department", "city_government", "general_office"])), remit="department",
                    subject=draw(st.sampled_from(["事项一", "事项二"])), doc_no=draw(st.none() | st.just("景文〔2019〕1号")),
                    valid_until=draw(st.none() | DAYS.map(date.isoformat)))
    elif kind == "meeting":
        data.update(held_in_name_of=draw(st.sampled_from(["department", "city_government"])), remit="department",
                    scope=draw(st.sampled_from(["citywide_system", "other"])), routine=draw(st.booleans()),
                    arranged_by_general_office=draw(st.booleans()))
    elif kind == "inspection":
        data.update(type=draw(st.sampled_from(["comprehensive", "special", "ad_hoc"])), scope="citywide")
    else:
        data.update(series=draw(st.sampled_from(["工作简报", "信息专报"])))
    return data


def _units() -> list[Unit]:
    return [Unit(name=u, type="department", level="city", jurisdiction=PLACE) for u in UNITS]


def _request(data: dict):
    return REQUEST.validate_python({k: v for k, v in data.items() if k != "status"})


@FEW
@given(st.lists(records(), max_size=30, unique_by=lambda r: r["id"]),
       st.lists(records("Q", ("approved",)).filter(lambda r: r["date"] >= "2019-03-19"), min_size=1, max_size=6))
def test_decisions_are_the_same_with_the_memo_on_off_and_tiny(register, asked):
    view = MemoryRegister(_units(), [RECORD.validate_python(r) for r in register])
    for data in asked:
        request = _request(data)
        reference = OFF.decide(request, view)
        assert ON.decide(request, view) == reference
        assert TINY.decide(request, view) == reference


APPROVALS = st.lists(st.fixed_dictionaries({
    "by": st.sampled_from(["city_government", "city_government_leader", "general_office", "supervision_office"]),
    "ref": st.none() | st.sampled_from(["景府字〔2019〕1号", "景府字〔2019〕2号"]),
    "covers": st.none() | st.sampled_from(["8", "system_meeting_once_a_year", "第8条"]),
}), max_size=2)


@FEW
@given(st.lists(records(), max_size=20, unique_by=lambda r: r["id"]),
       st.lists(st.tuples(records("Q", ("approved",)).filter(lambda r: r["date"] >= "2019-03-19"), APPROVALS), min_size=1, max_size=6))
def test_decisions_with_approvals_on_file_are_the_same_with_the_memo_on_off_and_tiny(register, asked):
    view = MemoryRegister(_units(), [RECORD.validate_python(r) for r in register])
    for data, approvals in asked:
        request = _request({**data, "approvals": approvals})
        for _ in range(2):  # the second time answered from the memo
            assert ON.decide(request, view) == OFF.decide(request, view) == TINY.decide(request, view)


def test_the_examples_are_decided_the_same_twice_over():
    data = read_register(ROOT / "examples" / "register.yaml")
    view = MemoryRegister(data.units, data.records, data.plans)
    requests = read_requests(ROOT / "examples" / "requests.yaml")
    for _ in range(2):  # the second round is answered from the memo
        for request in requests:
            assert ON.decide(request, view) == OFF.decide(request, view) == TINY.decide(request, view)


def test_a_waiver_names_its_own_approval_even_when_all_else_is_equal():
    """Art. 8's second system meeting of the year, lifted by the city government's approval: two requests equal but
    for the approval's reference must not share a finding."""
    meeting = {"kind": "meeting", "jurisdiction": PLACE, "unit": UNITS[0], "title": "工作会议", "topics": [],
               "held_in_name_of": "department", "remit": "department", "scope": "citywide_system", "routine": False}
    view = MemoryRegister(_units(), [RECORD.validate_python({**meeting, "id": "M-1", "date": "2019-04-01", "status": "held"})])
    messages = []
    for ref in ("景府字〔2019〕1号", "景府字〔2019〕2号"):
        request = _request({**meeting, "id": "Q-1", "date": "2019-06-03", "approvals": [{"by": "city_government", "ref": ref}]})
        decision = ON.decide(request, view)
        assert decision == OFF.decide(request, view)
        waived = [f for f in decision.findings if f.severity == "waived"]
        assert waived and ref in waived[0].message
        messages.append(waived[0].message)
    assert messages[0] != messages[1]


def test_the_benchmark_requests_are_decided_the_same_and_the_memo_answers_the_repeats():
    data = read_register(ROOT / "examples" / "register.yaml")
    view = MemoryRegister(data.units, data.records, data.plans)
    on = Engine(CATALOG)
    for request in screening_requests(5, 400):
        assert on.decide(request, view) == OFF.decide(request, view)
    assert on.memo.verdicts and on.memo.findings and on.memo.prepared and on.memo.stacks and on.memo.shapes
    assert not (OFF.memo.verdicts or OFF.memo.findings or OFF.memo.prepared or OFF.memo.stacks or OFF.memo.shapes)
    assert len(on.memo.verdicts) < 200  # the repeats were answered from it


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records(), max_size=40, unique_by=lambda r: r["id"]))
def test_audits_are_the_same_with_the_memo_on_and_off(register):
    made = [RECORD.validate_python(r) for r in register]
    reports = [audit(engine, _units(), made, [], 2019).as_dict() for engine in (ON, OFF, TINY)]
    assert reports[0] == reports[1] == reports[2]


def test_the_audit_of_a_generated_province_is_the_same_with_the_memo_on_and_off():
    where = generate.province()
    made = list(generate.records(11, 3000, where))
    plans = generate.plans(where)
    province = province_catalog(sorted({u.jurisdiction for u in where.units if u.jurisdiction}))  # as the benchmark audits it
    on = audit(Engine(province), where.units, made, plans, 2019).as_dict()
    off = audit(Engine(province, memo=Memo.off()), where.units, made, plans, 2019).as_dict()
    assert on["records_checked"] > 500 and on["violations"]  # a real audit, with findings to compare
    assert on == off


def test_counts_on_the_same_side_of_every_limit_are_one_question_to_durable_rules():
    """The verdict memo keys a count by its place among the numbers the rules compare it with
    (conditions.numeric_marks): the 3rd, 4th and 5th system meeting of a unit, over a limit of one, are evaluated
    once between them, and every decision is still the one the memo-off engine gives, its count in the message."""
    from jianfu.engine.evaluator import Evaluator

    meeting = {"kind": "meeting", "jurisdiction": PLACE, "unit": UNITS[0], "title": "工作会议", "topics": [],
               "held_in_name_of": "department", "remit": "department", "scope": "citywide_system", "routine": False}
    counted = Engine(CATALOG, evaluator=Evaluator())
    before = counted.evaluator.calls
    messages = set()
    for held in range(6):  # 0 to 5 meetings held before the request
        view = MemoryRegister(_units(), [RECORD.validate_python({**meeting, "id": f"M-{i}", "date": f"2019-04-0{i + 1}", "status": "held"})
                                         for i in range(held)])
        request = _request({**meeting, "id": "Q-1", "date": "2019-06-03"})
        decision = counted.decide(request, view)
        assert decision == OFF.decide(request, view)
        assert decision.decision == ("approve" if held == 0 else "reject")
        messages |= {f.message for f in decision.findings if f.rule == "system_meeting_once_a_year"}
    assert len(messages) == 5  # each count shown as it is
    # below the limit, at it, above it: three evaluations for six requests (the rest of the facts are the same)
    assert counted.evaluator.calls - before == 3


def test_a_count_is_kept_as_it_is_where_a_rule_reads_it_otherwise():
    from jianfu.engine.conditions import Test, mark_of, numeric_marks

    marks = numeric_marks([Test(fact="system_meetings_in_year", gte=1), Test(fact="system_meetings_in_year", lt=4),
                           Test(fact="title", matches=".*会.*")], {})
    assert marks == {"system_meetings_in_year": (1, 4), "title": None}
    places = [mark_of(n, marks["system_meetings_in_year"]) for n in range(7)]
    assert places == [(0, False), (0, True), (1, False), (1, False), (1, True), (2, False), (2, False)]
    assert mark_of(0.5, (0.2,)) == mark_of(0.9, (0.2,)) != mark_of(0.2, (0.2,)) != mark_of(0.1, (0.2,))
    assert mark_of("工作会议", None) == "工作会议" and mark_of(["a"], None) == ("a",) and mark_of(None, (1,)) is None
