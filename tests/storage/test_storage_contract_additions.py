"""SPEC's contract additions in the register's storage (issue 13, migration 0004): a bulletin's `to`, a meeting's
declared `onsite_office`, a unit's `aliases` and `leads`. A register written before them keeps loading with SPEC's
defaults, and what counts toward art. 6 and art. 8 is read from the stored columns as from the file."""

from __future__ import annotations

import json
from datetime import date

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text

from jianfu.adapters.storage import SqlRegister, open_store
from jianfu.adapters.storage.store import MIGRATIONS
from jianfu.engine import MemoryRegister
from jianfu.engine.records import RegisterFile

UNITS = [{"name": "市教育局", "type": "department", "level": "city", "jurisdiction": "景德镇市",
          "aliases": ["景德镇市教育局"], "leads": ["城区学校扩容", "校园安全"]},
         {"name": "市财政局", "type": "department", "level": "city", "jurisdiction": "景德镇市"}]


def _record(rid, kind, day, **fields):
    return {"id": rid, "kind": kind, "jurisdiction": "景德镇市", "unit": "市教育局", "date": day, "title": rid, "status": "issued", **fields}


RECORDS = [
    _record("B-1", "bulletin", "2019-04-01", series="教育工作简报"),
    _record("B-P", "bulletin", "2019-04-02", series="教育新闻专栏", to="public"),
    _record("M-1", "meeting", "2019-04-03", held_in_name_of="department", remit="department", scope="citywide_system",
            routine=False, onsite_office=True, status="held"),
    _record("M-2", "meeting", "2019-04-04", held_in_name_of="department", remit="department", scope="citywide_system",
            routine=False, title="全市教育现场办公会", status="held"),
]


def test_the_additions_are_stored_and_answer_as_the_file_does(db_url):
    data = RegisterFile.model_validate({"units": UNITS, "records": RECORDS})
    store = open_store(db_url)
    try:
        store.import_register(data, source="test")
        unit = {u.name: u for u in store.units()}["市教育局"]
        assert (unit.aliases, unit.leads) == (["景德镇市教育局"], ["城区学校扩容", "校园安全"])
        assert {u.name: (u.aliases, u.leads) for u in store.units()}["市财政局"] == ([], [])
        back = {r.id: r for r in store.register_file().records}
        assert back["B-P"].to == "public" and back["B-1"].to == "city_government" and back["M-1"].onsite_office is True
        memory = MemoryRegister(data.units, data.records)
        with store.reading() as connection:
            sql = SqlRegister(connection)
            assert sql.unit("市教育局").leads == ["城区学校扩容", "校园安全"]
            for register in (memory, sql):
                # the public column is neither a series nor an issue of art. 6
                assert register.bulletin_series("景德镇市", "市教育局", 2019, "X", None) == {"教育工作简报"}
                assert register.bulletin_issues("景德镇市", "市教育局", 2019, "X", None) == 1
                assert register.bulletin_issues("景德镇市", None, 2019, "X", None) == 1
                # only the declared on-site office meeting is left out of art. 8's count
                assert register.system_meetings("景德镇市", "市教育局", 2019, "X", None) == ["M-2"]
    finally:
        store.close()


def test_a_register_from_before_0004_keeps_loading_with_specs_defaults(tmp_path):
    """Upgraded from revision 0003: bulletins default to the city government, units to no aliases or leads, and a
    meeting whose old column said on-site because of its title is no on-site office meeting any more."""
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    now = "2019-01-01 00:00:00"
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        connection.execute(text("INSERT INTO units (name, type, level, jurisdiction, recorded_at) VALUES ('市教育局', 'department', 'city', '景德镇市', :t)"), {"t": now})
        body = {k: v for k, v in _record("M-OLD", "meeting", "2019-04-03", held_in_name_of="department", remit="department",
                                          scope="citywide_system", routine=False, title="全市教育现场办公会").items() if k != "status"}
        bulletin = {k: v for k, v in _record("B-OLD", "bulletin", "2019-04-01", series="教育工作简报").items() if k != "status"}
        for rid, kind, row, onsite in (("M-OLD", "meeting", body, True), ("B-OLD", "bulletin", bulletin, None)):
            connection.execute(text(
                "INSERT INTO records (id, kind, jurisdiction, unit, date, year, status, counts, scope, onsite_office, series, title, topics, body,"
                " source, recorded_at) VALUES (:id, :kind, '景德镇市', '市教育局', :date, 2019, 'issued', 1, :scope, :onsite, :series, :title, '[]',"
                " :body, 'test', :t)"),
                {"id": rid, "kind": kind, "date": row["date"], "scope": row.get("scope"), "onsite": onsite, "series": row.get("series"),
                 "title": row["title"], "body": json.dumps(row, ensure_ascii=False), "t": now})
        connection.commit()
    engine.dispose()
    store = open_store(url)  # upgrades to the newest revision
    try:
        assert store.units()[0].aliases == [] and store.units()[0].leads == []
        records = {r.id: r for r in store.register_file().records}
        assert records["B-OLD"].to == "city_government" and records["M-OLD"].onsite_office is False
        with store.reading() as connection:
            sql = SqlRegister(connection)
            assert sql.system_meetings("景德镇市", "市教育局", 2019, "X", None) == ["M-OLD"]
            assert sql.bulletin_issues("景德镇市", None, 2019, "X", None) == 1
        assert date(2019, 4, 3) == records["M-OLD"].date
    finally:
        store.close()
