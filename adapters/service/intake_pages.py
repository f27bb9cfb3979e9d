"""上传公文 (the intake page): a clerk uploads a 公文, a meeting notice or an inspection plan, sees the draft the reader
made of it (each field beside the words it was read from, those words highlighted in the normalised text, the fields
still missing asked for), corrects or completes it in the kind's screening form, and submits it to `/screen/{kind}`
for the decision, so the decision is made exactly as for a typed request.

It reads uploads through `intake_api.draft_from_upload` and renders with the screening pages' helpers.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup, escape
from starlette.concurrency import run_in_threadpool

from jianfu.engine.errors import FieldError, InvalidInput

from . import pages
from .intake_api import draft_from_upload

router = APIRouter(include_in_schema=False)

FIELD_ZH = {
    "id": "编号", "kind": "类别", "jurisdiction": "辖区", "unit": "单位", "date": "日期", "title": "标题", "doc_no": "发文字号",
    "issuer": "发文名义", "remit": "事项权限", "subject": "所涉工作", "relays": "转发", "held_in_name_of": "会议名义",
    "scope": "范围", "routine": "例行", "attendees": "参会单位", "place": "会议地点", "type": "类型",
    "involved_units": "涉及单位", "joint": "联合开展", "work_plan": "工作方案", "onsite": "实地方式", "text": "文本处理",
}


def form_values(request: dict) -> dict[str, str]:
    """A draft's request as the screening form's cells (the same formats its help texts give)."""
    values: dict[str, str] = {}
    for name, value in request.items():
        if name == "kind":
            continue
        if name == "attendees":
            values[name] = "\n".join(f"{a['unit']}:" + ({True: "是", False: "否"}.get(a.get("directly_related"), "")) for a in value)
        elif isinstance(value, dict):
            for key, inner in value.items():
                path = f"{name}.{key}"
                if key == "indicators":
                    values[path] = "\n".join(f"{row['name']}={row.get('target') or ''}" for row in inner)
                else:
                    values[path] = _cell(inner)
        else:
            values[name] = _cell(value)
    return values


def _cell(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


def highlighted(text: str, evidence: dict[str, str]) -> Markup:
    """The normalised text, escaped, with the words each field was read from marked (`<mark data-field=…>`)."""
    spans: list[tuple[int, int, str]] = []
    for field, words in evidence.items():
        if field == "text":
            continue
        for fragment in str(words).split("\n"):
            fragment = fragment.strip()
            at = text.find(fragment) if len(fragment) >= 2 else -1
            if at >= 0:
                spans.append((at, at + len(fragment), field))
    spans.sort(key=lambda s: (s[0], -(s[1] - s[0])))
    out, position = [], 0
    for start, end, field in spans:
        if start < position:
            continue  # one piece of text is marked once, for the first field read from it
        out.append(escape(text[position:start]))
        out.append(Markup('<mark data-field="{}" title="{}">').format(field, FIELD_ZH.get(field.split(".")[0].split("[")[0], field)))
        out.append(escape(text[start:end]))
        out.append(Markup("</mark>"))
        position = end
    out.append(escape(text[position:]))
    return Markup("").join(out)


@router.get("/intake", response_class=HTMLResponse)
@pages.gated
def intake_page(request: Request):
    user = pages._user(request, ("office", "department"))
    return pages._render(request, user, "intake.html", {"section": "screen", "draft": None})


@router.post("/intake", response_class=HTMLResponse)
@pages.gated
async def intake_upload(request: Request):
    user = pages._user(request, ("office", "department"))
    form = await request.form()
    upload = form.get("file")
    if upload is None or not hasattr(upload, "read") or not upload.filename:
        return pages._render(request, user, "intake.html", {"section": "screen", "draft": None,
                             "problems": ["请选择要上传的文件 / choose a file to upload"]}, status=422)
    content = await upload.read()
    try:
        result = await run_in_threadpool(draft_from_upload, request.app.state, upload.filename, content)
    except InvalidInput as exc:
        return pages._render(request, user, "intake.html", {"section": "screen", "draft": None,
                             "problems": [str(e) for e in exc.errors]}, status=422)
    draft = result.draft
    kind = draft["kind"]
    values = form_values(draft["request"])
    # Each field the text did not give is asked for where it is typed, as the form marks a wrong field; `id` is not
    # asked for: the form proposes a fresh one, as it does for a typed request.
    asks = [FieldError(tuple(p for p in re.split(r"[.\[\]]+", name) if p and not p.isdigit()),
                       "原文未写明，请补填" + (f"：{draft['evidence'][name]}" if draft["evidence"].get(name) else ""),
                       "not in the text: please fill in")
            for name in draft["missing"] if name != "id"]
    groups, _ = pages.build_form(kind, user, request.app.state.catalog, values, asks)
    fields = [(name, FIELD_ZH.get(name.split(".")[0], name), value, draft["evidence"].get(name, ""))
              for name, value in _flat(draft["request"]).items()]
    return pages._render(request, user, "intake.html", {
        "section": "screen", "draft": draft, "kind": kind, "groups": groups,
        "fields": fields, "marked": highlighted(draft["text"], draft["evidence"]), "damage": result.damage,
        "notes": [n for n in draft["evidence"].get("text", "").split("\n") if n],
    })


def _flat(request: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in request.items():
        if name == "kind":
            continue
        if isinstance(value, dict):
            for key, inner in value.items():
                out[f"{name}.{key}"] = inner
        elif name == "attendees":
            out[name] = "、".join(a["unit"] for a in value)
        else:
            out[name] = value
    return out
