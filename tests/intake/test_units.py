"""Names in the text matched to the register, never invented; document-number prefixes read from their data file."""

from __future__ import annotations

from types import SimpleNamespace

import yaml

from jianfu.adapters.intake.units import PrefixBook, UnitMatcher, issuer_of_name, prefix_book, split_units
from jianfu.engine.records import Unit


def test_prefixes_are_data_and_the_longest_wins(tmp_path):
    book = prefix_book()
    assert book.lookup("景府办字〔2019〕22号").issuer == "general_office"
    assert book.lookup("景府字〔2017〕26号").issuer == "city_government"
    assert (book.lookup("洪府字〔2022〕103号").jurisdiction, book.lookup("洪府字〔2022〕103号").unit) == ("南昌市", "南昌市人民政府")
    assert book.lookup("某某字〔2019〕1号") is None
    own = tmp_path / "prefixes.yaml"
    own.write_text(yaml.safe_dump({"jurisdictions": {"新余市": {"abbreviation": "余"}},
                                   "prefixes": [{"prefix": "余府字", "jurisdiction": "新余市", "issuer": "city_government", "unit": "新余市人民政府"}]},
                                  allow_unicode=True), encoding="utf-8")
    assert prefix_book(own).lookup("余府字〔2020〕3号").jurisdiction == "新余市"


def test_issuer_from_the_organs_name():
    book = prefix_book()
    assert issuer_of_name("萍乡市人民政府", book) == "city_government"
    assert issuer_of_name("萍乡市人民政府办公室", book) == "general_office"
    assert issuer_of_name("市安全生产委员会", book) == "coordinating_body"
    assert issuer_of_name("市推进“五型”政府建设工作领导小组", book) == "coordinating_body"
    assert issuer_of_name("景德镇市发展和改革委员会", book) == "department"
    assert issuer_of_name("景德镇市教育局", book) == "department"
    assert issuer_of_name("张三", book) is None


def test_units_by_name_full_form_and_alias_never_invented():
    units = [Unit(name="市教育局", type="department", level="city"),
             Unit(name="市卫生健康委", type="department", level="city", jurisdiction="景德镇市"),
             SimpleNamespace(name="市市场监管局", type="department", level="city", jurisdiction=None, aliases=["市市场监督管理局"])]
    matcher = UnitMatcher(units)
    assert matcher.match("市教育局").name == "市教育局"
    assert matcher.match("景德镇市教育局", "景德镇市").name == "市教育局"
    assert matcher.match("景德镇市卫生健康委员会", "景德镇市").name == "市卫生健康委"
    assert matcher.match("南昌市卫生健康委员会", "南昌市") is None  # the register's 市卫生健康委 is 景德镇市's
    assert matcher.match("景德镇市市场监督管理局", "景德镇市").name == "市市场监管局"  # by its alias
    assert matcher.match("市公安局", "景德镇市") is None
    assert matcher.match("景德镇市教育局") is None  # without the jurisdiction the full form is no unit of the register


def test_attendees_split_into_units():
    assert split_units("各县（市、区）教育局分管负责同志，市公安局、市财政局分管负责同志。") == ["各县（市、区）教育局", "市公安局", "市财政局"]
    assert split_units("市发展改革委及市财政局主要负责同志（各1人）") == ["市发展改革委", "市财政局"]
    assert split_units("各县（市、区）财政局局长，市教育局") == ["各县（市、区）财政局", "市教育局"]
