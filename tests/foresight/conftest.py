"""Steps of the foresight scenarios, through the real engine, the real packs and the sample register: the quota
(`engine.quota`), the audit as of a day, and a revision's impact (`engine.revision`) on the audit's walk."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from pytest_bdd import given, parsers, then, when

from jianfu import shipped
from jianfu.adapters.files.read import read_register
from jianfu.engine import Engine, MemoryRegister, load_folder
from jianfu.engine.audit import audit
from jianfu.engine.quota import quota
from jianfu.engine.revision import impact


class Foresight:
    def __init__(self) -> None:
        self.data = None
        self.revised: Path | None = None
        self.quota = None
        self.audit = None
        self.impact = None


@pytest.fixture
def foresight() -> Foresight:
    return Foresight()


@pytest.fixture(scope="session")
def engine() -> Engine:
    return Engine(load_folder(shipped("rules")))


@given("台账为示例台账")
def _sample(foresight: Foresight) -> None:
    foresight.data = read_register(shipped("examples") / "register.yaml")


@given(parsers.parse('修订规则包：参数"{name}"自"{since}"起为{value:d}'))
def _revise(foresight: Foresight, tmp_path: Path, name: str, since: str, value: int) -> None:
    folder = tmp_path / "revised"
    shutil.copytree(shipped("rules"), folder)
    pack = folder / "jingdezhen-2019.yaml"
    text = pack.read_text(encoding="utf-8")
    start = text.index(f"  {name}:\n")
    at = text.index(f'      "{since}": ', start)
    end = text.index("\n", at)
    pack.write_text(text[:at] + f'      "{since}": {value}' + text[end:], encoding="utf-8")
    foresight.revised = folder


@when(parsers.parse('查询"{unit}"{year:d}年截至"{day}"的额度'))
def _quota(foresight: Foresight, engine: Engine, unit: str, year: int, day: str) -> None:
    data = foresight.data
    found = next(u for u in data.units if u.name == unit)
    foresight.quota = quota(engine, found, year, date.fromisoformat(day), MemoryRegister(data.units, data.records, data.plans), data.records)


@when(parsers.parse('审计{year:d}年度截至"{day}"'))
def _review(foresight: Foresight, engine: Engine, year: int, day: str) -> None:
    data = foresight.data
    foresight.audit = audit(engine, data.units, data.records, data.plans, year, as_of=date.fromisoformat(day))


@when(parsers.parse("评估修订对{year:d}年度的影响"))
def _impact(foresight: Foresight, engine: Engine, year: int) -> None:
    data = foresight.data
    before = audit(engine, data.units, data.records, data.plans, year)
    after = audit(Engine(load_folder(foresight.revised)), data.units, data.records, data.plans, year)
    foresight.impact = impact(year, before, after)


def _limit(foresight: Foresight, rule: str):
    return next(limit for limit in foresight.quota.limits if limit.rule == rule)


@then(parsers.parse('限额"{rule}"已用{used:d}次、上限{limit:d}次、剩余{left:d}次'))
def _used(foresight: Foresight, rule: str, used: int, limit: int, left: int) -> None:
    found = _limit(foresight, rule)
    assert (found.used, found.limit, found.left) == (used, limit, left)


@then(parsers.parse('限额"{rule}"剩余{left:d}次'))
def _left(foresight: Foresight, rule: str, left: int) -> None:
    assert _limit(foresight, rule).left == left


@then(parsers.parse('限额"{rule}"计入"{record_id}"'))
def _counted(foresight: Foresight, rule: str, record_id: str) -> None:
    assert record_id in _limit(foresight, rule).ids


@then(parsers.parse('义务"{obligation}"在"{period}"应完成{due:d}次、已完成{met:d}次、还剩{days:d}天'))
def _progress(foresight: Foresight, obligation: str, period: str, due: int, met: int, days: int) -> None:
    found = next(o for o in foresight.quota.obligations if o.id == obligation)
    assert (found.period, found.due, found.met, found.days_left) == (period, due, met, days)


@then(parsers.parse('"{unit}"的义务"{obligation}"缺少"{missing}"'))
def _missing(foresight: Foresight, unit: str, obligation: str, missing: str) -> None:
    found = next(o for o in foresight.audit.unit(unit).obligations if o.id == obligation)
    assert "；".join(found.missing) == missing


@then(parsers.parse('"{unit}"不列年度义务"{obligation}"'))
def _not_due(foresight: Foresight, unit: str, obligation: str) -> None:
    assert obligation not in {o.id for o in foresight.audit.unit(unit).obligations}


@then(parsers.parse('"{unit}"第{quarter:d}季度亮"{light}"'))
def _quarter_light(foresight: Foresight, unit: str, quarter: int, light: str) -> None:
    lights = foresight.audit.unit(unit).lights_by_quarter()
    assert lights[quarter - 1]["quarter"] == f"Q{quarter}" and lights[quarter - 1]["light"] == light


@then(parsers.parse('记录"{record_id}"不在违规记录中'))
def _not_listed(foresight: Foresight, record_id: str) -> None:
    assert record_id not in {v.record_id for v in foresight.audit.violations}


@then(parsers.parse('记录"{record_id}"的规则"{rule}"改变，修订前后均为"{decision}"'))
def _flip(foresight: Foresight, record_id: str, rule: str, decision: str) -> None:
    flip = next(f for f in foresight.impact.flips if f.record_id == record_id)
    assert rule in flip.rules and flip.before == flip.after == decision


@then(parsers.parse('记录"{record_id}"的决定不变'))
def _same(foresight: Foresight, record_id: str) -> None:
    assert record_id not in {f.record_id for f in foresight.impact.flips}


@then("没有决定改变")
def _nothing(foresight: Foresight) -> None:
    assert not foresight.impact.flipped and not foresight.impact.units
