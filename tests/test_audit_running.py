"""The audit's running register answers every question exactly as `MemoryRegister` (the reference) does.

At each record of the walk (in (date, id) order), the running register, advanced to the record, is asked every
question the rules ask with the record's own id and cut-off (the fast path), with another id, with another cut-off
and without one (the reference path): the answers must be the reference's, in the same order. On a generated
province and on small hypothesis-made registers with what makes counting subtle: shared ids and dates, cancelled and
rejected records, documents expiring, routine meetings at the edges of the window, the year's edge.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from jianfu.bench import generate
from jianfu.engine.audit.running import RunningRegister
from jianfu.engine.records import COUNTING_STATUSES, Record
from jianfu.engine.register import MemoryRegister

RECORD = TypeAdapter(Record)
PLACE, UNITS = "景德镇市", ("市教育局", "市财政局")


def _questions(record, year: int, baseline: int, window: int, before) -> list[tuple]:
    j, u, on = record.jurisdiction, record.unit, record.date
    subject = getattr(record, "subject", "事项一")
    return [
        ("system_meetings", j, u, year, record.id, before),
        ("comprehensive_inspections", j, u, year, record.id, before),
        ("routine_meetings", j, u, on - timedelta(days=window), on + timedelta(days=window), record.id, before),
        ("valid_documents", j, subject, on, record.id, before),
        ("bulletin_series", j, u, year, record.id, before),
        ("bulletin_issues", j, u, year, record.id, before),
        ("bulletin_issues", j, u, baseline, record.id, None),
    ]


def _agree(units, records, plans, year: int, window: int = 15, others: bool = True, by_name: bool = False) -> int:
    """`by_name`: the running register is given the units as a map by name, as the audit's walk gives them."""
    reference = MemoryRegister(units, [r for r in records if r.status in COUNTING_STATUSES], plans)
    running = RunningRegister({u.name: u for u in units} if by_name else units, records, plans)
    walk = sorted((r for r in records if r.status in COUNTING_STATUSES and r.date.year == year), key=lambda r: (r.date, r.id))
    asked = 0
    for record in walk:
        position = (record.date, record.id)
        running.advance(position)
        questions = _questions(record, year, year - 1, window, position)
        if others:
            other = walk[0]
            questions += [(q[0], *q[1:-2], other.id, q[-1]) for q in questions]  # another id left out
            questions += [(q[0], *q[1:-1], None) for q in questions[:6]]  # no cut-off
            questions += [(q[0], *q[1:-1], (record.date, "")) for q in questions[:6]]  # another cut-off
        for name, *args in questions:
            assert getattr(running, name)(*args) == getattr(reference, name)(*args), (name, args)
            asked += 1
        for unit in (record.unit, "不在名录的单位"):
            assert running.unit(unit) == reference.unit(unit), unit
    return asked


def test_the_running_register_is_the_memory_register_on_a_generated_province():
    where = generate.province()
    records = list(generate.records(5, 4000, where))
    assert _agree(where.units, records, generate.plans(where), 2019, others=False, by_name=True) > 10_000


DAYS = st.dates(min_value=date(2018, 11, 1), max_value=date(2019, 3, 31))
STATUS = st.sampled_from(["approved", "held", "issued", "cancelled", "rejected"])


@st.composite
def records(draw):
    kind = draw(st.sampled_from(["document", "meeting", "inspection", "bulletin"]))
    data = {"id": f"R-{draw(st.integers(0, 12))}", "kind": kind, "jurisdiction": PLACE, "unit": draw(st.sampled_from(UNITS)),
            "date": draw(DAYS).isoformat(), "status": draw(STATUS), "title": draw(st.sampled_from(["", "工作会议", "现场办公会"])),
            "topics": draw(st.lists(st.sampled_from(["安全生产", "安全 生产", "营商环境", "现场办公会"]), max_size=2))}
    if kind == "document":
        valid = draw(st.none() | DAYS)
        data.update(issuer="department", remit="department", subject=draw(st.sampled_from(["事项一", "事项二"])),
                    doc_no=draw(st.none() | st.sampled_from(["景文〔2019〕1号", "景文〔2019〕2号"])), valid_until=valid and valid.isoformat())
    elif kind == "meeting":
        data.update(held_in_name_of="department", remit="department", scope=draw(st.sampled_from(["citywide_system", "other"])),
                    routine=draw(st.booleans()))
    elif kind == "inspection":
        data.update(type=draw(st.sampled_from(["comprehensive", "special", "ad_hoc"])), scope="citywide")
    else:
        data.update(series=draw(st.sampled_from(["工作简报", "信息专报"])))
    return RECORD.validate_python(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(records(), max_size=40), st.integers(0, 30))
def test_the_running_register_is_the_memory_register_on_tricky_registers(made, window):
    _agree([], made, [], 2019, window)
