"""JSON Schemas generated from the models: each contract exists once, as a model, and its schema is derived."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from .decisions import Decision
from .packs import Pack
from .records import RegisterFile
from .requests import Submission


def all_schemas() -> dict[str, dict[str, Any]]:
    requests = TypeAdapter(Submission | list[Submission]).json_schema()
    requests["title"] = "jianfu requests: one request, a list of requests, or an annual plan"
    decisions = TypeAdapter(list[Decision]).json_schema()
    decisions["title"] = "jianfu decisions"
    return {
        "pack": Pack.model_json_schema(by_alias=True),
        "requests": requests,
        "register": RegisterFile.model_json_schema(),
        "decisions": decisions,
    }
