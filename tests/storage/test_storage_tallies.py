"""The city's bulletins as tallied (adapters/storage/tallies.py) are the city's bulletins as counted from the records,
after every way a register changes: imported, a bulletin screened and recorded, one cancelled, a public column
recorded, the register restored from a backup, a register of revision 0005 migrated. The tally is what a screening
asks (no cut-off); the count with a cut-off after every record walks the records, as before 0006."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine

from jianfu.adapters.storage import SqlRegister, open_store
from jianfu.adapters.storage.backup import backup, restore
from jianfu.adapters.storage.connection import MIGRATIONS
from jianfu.adapters.storage.tallies import TALLIED
from jianfu.bench import generate
from jianfu.engine.records import RegisterFile
from jianfu.engine.requests import Bulletin

AFTER_ALL = (date(9999, 12, 31), "~")  # a cut-off after every record: counted from the records themselves


def _tallied_and_counted(store) -> dict:
    """(jurisdiction, year) -> (the tally, the records' count), for every jurisdiction with bulletins."""
    with store.reading() as connection:
        sql = SqlRegister(connection)
        places = {row[0] for row in sql.rows("SELECT DISTINCT jurisdiction FROM records WHERE kind = 'bulletin'")}
        return {(place, year): (sql.bulletin_issues(place, None, year, "NONE", None), sql.bulletin_issues(place, None, year, "NONE", AFTER_ALL))
                for place in places for year in (2018, 2019)}


def _assert_agree(store) -> dict:
    found = _tallied_and_counted(store)
    assert found and all(tally == counted for tally, counted in found.values()), {k: v for k, v in found.items() if v[0] != v[1]}
    return {key: tally for key, (tally, _) in found.items()}


def _bulletin(rid: str, unit: str, place: str, to: str = "city_government") -> Bulletin:
    return Bulletin(id=rid, kind="bulletin", jurisdiction=place, unit=unit, date=date(2019, 11, 20), title="工作简报", series="工作简报", to=to)


@pytest.fixture
def province(store):
    where = generate.province()
    store.import_register(RegisterFile(units=where.units, records=list(generate.records(3, 2500, where)), plans=generate.plans(where)), source="test")
    return where


def test_the_tally_is_the_count_after_import_recording_and_cancelling(store, province, engine):
    before = _assert_agree(store)
    unit = next(u for u in province.units if u.jurisdiction == "景德镇市")
    # recorded through screening (approved or not, the tally follows what was recorded), and a public column
    decisions = store.decide_and_record_all(engine, [_bulletin("T-B-1", unit.name, "景德镇市"), _bulletin("T-B-2", unit.name, "景德镇市", "public")])
    after = _assert_agree(store)
    assert after[("景德镇市", 2019)] == before[("景德镇市", 2019)] + (1 if decisions[0].approved else 0)
    # a counted bulletin asks about its own city leaving itself out
    with store.reading() as connection:
        counted = SqlRegister(connection).rows(
            f"SELECT id, jurisdiction FROM records WHERE {TALLIED} AND year = 2019 LIMIT 1")[0]
        sql = SqlRegister(connection)
        assert sql.bulletin_issues(counted[1], None, 2019, counted[0], None) == after[(counted[1], 2019)] - 1
        assert sql.bulletin_issues(counted[1], None, 2019, counted[0], None) == sql.bulletin_issues(counted[1], None, 2019, counted[0], AFTER_ALL)
    store.cancel(counted[0], "测试 / test")
    assert _assert_agree(store)[(counted[1], 2019)] == after[(counted[1], 2019)] - 1


def test_the_tally_is_rebuilt_when_a_register_is_restored(store, province, tmp_path):
    tallies = _assert_agree(store)
    target = tmp_path / "register.backup"
    backup(store, target)
    fresh = open_store(f"sqlite:///{tmp_path / 'restored.sqlite3'}")
    try:
        restore(fresh, target)
        assert _assert_agree(fresh) == tallies
    finally:
        fresh.close()


def test_a_register_of_revision_0005_is_tallied_when_migrated(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    store = open_store(url)
    where = generate.province()
    store.import_register(RegisterFile(units=where.units, records=list(generate.records(4, 1500, where)), plans=[]), source="test")
    expected = _assert_agree(store)
    store.close()
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0005")  # the table goes: the register as 0005 left it
    engine.dispose()
    store = open_store(url)  # upgraded again: the tallies filled from the records
    try:
        assert _assert_agree(store) == expected
    finally:
        store.close()
