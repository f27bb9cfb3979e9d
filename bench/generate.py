"""A seeded, province-sized register: 11 cities and their counties (about 6,000 units) and N records over 2018 and
2019 with realistic mixes of kinds, statuses and dates. The same seed gives the same register, record for record.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

from pydantic import TypeAdapter

from jianfu.engine.records import FiledPlan, Record, Unit

RECORD = TypeAdapter(Record)

CITIES = {
    "南昌市": 9, "景德镇市": 4, "萍乡市": 5, "九江市": 13, "新余市": 2, "鹰潭市": 3,
    "赣州市": 18, "吉安市": 13, "宜春市": 10, "抚州市": 11, "上饶市": 12,
}
CITY_DEPARTMENTS = [
    "发展改革委", "教育局", "科技局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局", "人力资源社会保障局",
    "自然资源局", "生态环境局", "住房城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "文化广电新闻出版旅游局",
    "卫生健康委", "退役军人事务局", "应急管理局", "审计局", "国资委", "市场监管局", "体育局", "统计局", "医疗保障局",
    "林业局", "城市管理局", "行政审批局", "信访局", "外事办", "金融办", "机关事务管理局", "粮食和物资储备局", "地方志办",
    "档案局", "气象局", "税务局", "供销社", "公共资源交易中心", "政务服务办", "大数据中心", "人防办", "民宗局",
    "侨务办", "残联", "科协",
]
COORDINATING = ["安全生产委员会", "食品安全委员会", "河长制工作领导小组", "乡村振兴领导小组", "营商环境联席会议"]
TOPICS = ["安全生产", "防汛抗旱", "营商环境", "乡村振兴", "生态环保", "疫情防控", "民生实事", "招商引资", "项目建设", "信访稳定"]
DOC_SUBJECTS = [f"工作事项{i:03d}" for i in range(400)]
START = date(2018, 1, 1)
DAYS = 730  # 2018 and 2019


@dataclass
class Province:
    units: list[Unit]
    city_units: dict[str, list[str]]  # city -> its city-level departments


def province() -> Province:
    units: list[Unit] = []
    city_units: dict[str, list[str]] = {}
    for city, counties in CITIES.items():
        units.append(Unit(name=f"{city}人民政府", type="government", level="city", jurisdiction=city))
        units.append(Unit(name=f"{city}人民政府办公室", type="general_office", level="city", jurisdiction=city))
        departments = [f"{city}{d}" for d in CITY_DEPARTMENTS]
        units += [Unit(name=d, type="department", level="city", jurisdiction=city) for d in departments]
        units += [Unit(name=f"{city}{c}", type="coordinating_body", level="city", jurisdiction=city) for c in COORDINATING]
        city_units[city] = departments
        for k in range(counties):
            county = f"{city[:-1]}第{k + 1}县"
            units.append(Unit(name=f"{county}人民政府", type="government", level="county", jurisdiction=county))
            units += [Unit(name=f"{county}{d}", type="department", level="county", jurisdiction=county) for d in CITY_DEPARTMENTS[:40]]
    # about 6,000 units: fill up with townships of the larger counties
    t = 0
    while len(units) < 6000:
        city = list(CITIES)[t % len(CITIES)]
        units.append(Unit(name=f"{city[:-1]}第{t % 7 + 1}县第{t}乡镇", type="government", level="township", jurisdiction=f"{city[:-1]}第{t % 7 + 1}县"))
        t += 1
    return Province(units, city_units)


def _status(rng: random.Random, kind: str) -> str:
    roll = rng.random()
    if roll < 0.03:
        return "cancelled"
    if roll < 0.06:
        return "rejected"
    return {"document": "issued", "meeting": "held", "inspection": "approved", "bulletin": "issued"}[kind]


def records(seed: int, count: int, where: Province) -> Iterator[object]:
    """`count` records, in no particular order, each valid against the register contract."""
    rng = random.Random(seed)
    by_jurisdiction = {}
    for unit in where.units:
        if unit.jurisdiction:
            by_jurisdiction.setdefault(unit.jurisdiction, []).append(unit.name)
    jurisdictions = list(by_jurisdiction)
    weights = [5 if j in CITIES else 1 for j in jurisdictions]
    for i in range(count):
        jurisdiction = rng.choices(jurisdictions, weights)[0]
        unit = rng.choice(by_jurisdiction[jurisdiction])
        day = START + timedelta(days=rng.randrange(DAYS))
        kind = rng.choices(("document", "meeting", "inspection", "bulletin"), (35, 25, 10, 30))[0]
        data = {
            "id": f"G{seed}-{i:07d}", "kind": kind, "jurisdiction": jurisdiction, "unit": unit, "date": day.isoformat(),
            "title": f"{unit}{kind}{i}", "topics": rng.sample(TOPICS, rng.randrange(0, 3)), "status": _status(rng, kind),
        }
        if kind == "document":
            data.update(issuer=rng.choices(("department", "general_office", "city_government"), (8, 1, 1))[0],
                        remit="department", subject=rng.choice(DOC_SUBJECTS), doc_no=f"{jurisdiction[:2]}字〔{day.year}〕{i % 997}号")
            if rng.random() < 0.6:
                data["valid_until"] = (day + timedelta(days=rng.choice((365, 730, 1825)))).isoformat()
        elif kind == "meeting":
            data.update(held_in_name_of="department", remit="department",
                        scope=rng.choices(("citywide_system", "other"), (1, 6))[0], routine=rng.random() < 0.4)
        elif kind == "inspection":
            data.update(type=rng.choices(("comprehensive", "special", "ad_hoc"), (1, 5, 2))[0], scope=rng.choice(("citywide", "other")),
                        plan_item=f"{unit}-{day.year}-{rng.randrange(6)}")
        else:
            data.update(series=f"{unit}工作简报" if rng.random() < 0.9 else f"{unit}专报", issue_no=i % 100 + 1)
        yield RECORD.validate_python(data)


def plans(where: Province) -> list[FiledPlan]:
    """Each city department's filed inspection plan for both years (items 0-3 of six possible)."""
    out = []
    for city, departments in where.city_units.items():
        for unit in departments:
            for year in (2018, 2019):
                out.append(FiledPlan.model_validate({
                    "id": f"{unit}-{year}-plan", "kind": "plan", "jurisdiction": city, "unit": unit, "year": year,
                    "filed_with": "supervision_office", "filed_on": f"{year}-02-20",
                    "items": [{"id": f"{unit}-{year}-{k}", "kind": "inspection", "date": f"{year}-06-01", "type": "special", "scope": "citywide"} for k in range(4)],
                }))
    return out
