"""A pack of one city as a model for another (SPEC, "Which law binds whom": a pack may serve another city as a model
to start from, copied and re-sourced, never as its law).

`model_copy` keeps the structure a city can reuse (rule ids, kinds, conditions, messages, parameters with their
dates) and blanks everything that is one city's law: every article text, every source, the pack's sources and its
`extends`. A blank text or source is invalid, so the copy is refused by lint and by the engine until the new city
fills in its own articles, verbatim from its own source file.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

BLANK = ""
HEADER = """# yaml-language-server: $schema=../schemas/pack.schema.json
#
# 由 jianfu rules new 从 {origin} 复制的样板，不是 {jurisdiction} 的法规：每条规则和义务的 text（条文原文）与 source（来源文件）、
# 规则包的 sources 都已清空，须按 {jurisdiction} 自己的文件逐字填写，并核对 article、reading、参数与条件；填写之前 lint 拒绝加载。
# A model copied from {origin}, not {jurisdiction}'s law: fill in every text and source from {jurisdiction}'s own
# text; lint refuses the pack until they are filled.
"""


def model_copy(data: dict[str, Any], pack_id: str, jurisdiction: str, origin: str) -> dict[str, Any]:
    """The pack `data` (as loaded from YAML) re-made as a model for `jurisdiction` under `pack_id`."""
    out = dict(data)
    out["id"] = pack_id
    out["jurisdiction"] = [jurisdiction]
    out["title"] = f"{jurisdiction}（以 {origin} 为样板，待填写）"
    out["description"] = f"以 {origin} 为样板复制，条文与来源待按{jurisdiction}的文件填写。 Copied from {origin} as a model; texts and sources to fill in."
    out["version"] = "0.0.0"
    out["sources"] = [{"file": BLANK, "title": BLANK}]
    out.pop("extends", None)
    for part in ("rules", "obligations"):
        out[part] = [{**item, "text": BLANK, "source": BLANK} for item in data.get(part, [])]
    params = {}
    for name, param in (data.get("parameters") or {}).items():
        param = dict(param)
        if "source" in param:
            param["source"] = BLANK
        params[name] = param
    if params:
        out["parameters"] = params
    return out


def dump(data: dict[str, Any], origin: str, jurisdiction: str) -> str:
    return HEADER.format(origin=origin, jurisdiction=jurisdiction) + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


PACK_ID = re.compile(r"^[a-z][a-z0-9-]{2,63}$")
