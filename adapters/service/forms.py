"""The screening forms, built from the request contract: the form's fields are the contract's columns
(`adapters.files.columns`, the same Chinese headers as the plan workbook), their controls and choices read from the
engine's models; a submitted form is read by the sheet reader (`adapters.files.tabular`, so `市财政局:是` means the
same in a cell and in a textarea) and validated by the engine's request models."""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from jianfu.adapters.files import tabular
from jianfu.adapters.files.columns import Column
from jianfu.adapters.files.sheets import columns_for
from jianfu.engine.messages import VALUE_ZH
from jianfu.engine.errors import FieldError, from_validation_error
from jianfu.engine.requests import Bulletin, Document, Inspection, Meeting, Request as RequestModel

from .auth import User
from .page_frame import KIND_ZH

REQUEST = TypeAdapter(RequestModel)
MODELS: dict[str, type[BaseModel]] = {"document": Document, "meeting": Meeting, "inspection": Inspection, "bulletin": Bulletin}
FORM_NAME = "表单"

# How a textarea is read: one item per line (the sheet reader also accepts ；, as in a cell).
LIST_HELP = {
    "list": "每行一项 / one item per line",
    "attendees": "每行一个单位：单位:是/否（是否直接相关），如 市公安局:是 / one per line: unit:yes/no (directly related)",
    "approvals": "每行一条：批准方|文号|日期|针对条款，批准方为 市政府、市政府负责同志、市政府办公室 或 市政府督查室，"
    "如 市政府|景府字〔2019〕5号|2019-05-01|8 / one per line: by|ref|date|covers",
    "indicators": "每行一个：指标=目标值，如 整改完成率=95% / one per line: name=target",
}
FIELD_HELP = {
    "id": "唯一编号，记入台账时用它 / a unique id, the register's key",
    "jurisdiction": "选择生效的规则包，如 景德镇市 / selects the rule packs",
    "plan_item": "所执行的年度计划事项编号 / id of the annual-plan item it carries out",
    "subject": "所涉工作的键，用于判断是否重复发文 / key of the work it covers",
    "series": "简报名称 / the bulletin series",
    "doc_no": "印发后的文号，如 景府字〔2019〕12号 / its number once issued",
    "replaces": "本文件修订替代的文件文号 / the number of the document it replaces",
    "relays.doc_no": "转发上级文件时填写本组 / fill this group when it passes on a superior document",
}
COMMON = ("id", "jurisdiction", "unit", "date", "title", "topics", "approvals")
AS_OF = "as_of"


class FormField:
    """One labelled control of a screening form."""

    def __init__(self, column: Column, kind: str):
        self.name = column.path
        self.label = column.zh
        self.column = column
        self.required = _required(MODELS[kind], column.path)
        choices = _choices(MODELS[kind], column.path)
        if column.type == "bool":
            self.control, self.choices = "select", [("true", "是"), ("false", "否")]
        elif choices:
            self.control, self.choices = "select", [(c, VALUE_ZH.get(c, c)) for c in choices]
        elif column.type == "date":
            self.control, self.choices = "date", []
        elif column.type in LIST_HELP:
            self.control, self.choices = "textarea", []
        else:
            self.control, self.choices = "text", []
        self.help = LIST_HELP.get(column.type) or FIELD_HELP.get(column.path) or column.help
        self.wide = column.type in ("attendees", "approvals", "indicators") or column.path == "title"
        self.rows = 2
        self.value = ""
        self.locked = False
        self.errors: list[FieldError] = []


def _field_info(model: type[BaseModel], path: str):
    """The pydantic field at a dotted path, and whether every level of it is required."""
    required = True
    field = None
    for part in path.split("."):
        field = model.model_fields[part]
        required = required and field.is_required()
        model = _model_in(field.annotation)
    return field, required


def _model_in(annotation: Any) -> Any:
    for candidate in (annotation, *get_args(annotation)):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            return candidate
    return None


def _required(model: type[BaseModel], path: str) -> bool:
    return _field_info(model, path)[1]


def _choices(model: type[BaseModel], path: str) -> tuple[str, ...]:
    field, _ = _field_info(model, path)
    annotation = field.annotation
    if get_origin(annotation) is Union:
        annotation = next((a for a in get_args(annotation) if a is not type(None)), annotation)
    return tuple(get_args(annotation)) if get_origin(annotation) is Literal else ()


def form_columns(kind: str) -> list[Column]:
    """The contract's fields of one kind, common ones first, as the plan workbook lists them."""
    columns = [c for c in columns_for(kind) if c.path != "kind"]
    return sorted(columns, key=lambda c: (c.path not in COMMON, COMMON.index(c.path) if c.path in COMMON else 0))


def build_form(kind: str, user: User, catalog, values: dict[str, str] | None = None, errors: list[FieldError] | None = None):
    """The form's groups of fields (common, then the kind's own), filled in, with each error next to its field."""
    fields = [FormField(c, kind) for c in form_columns(kind)]
    defaults = _defaults(kind, catalog)
    for f in fields:
        f.value = (values or {}).get(f.name, defaults.get(f.name, ""))
        if f.name == "unit" and user.role == "department":
            f.value, f.locked = user.unit or "", True
    summary = _attach(fields, errors or [])
    common = [f for f in fields if f.name in COMMON]
    own = [f for f in fields if f.name not in COMMON]
    groups = [
        {"title": "共同字段", "title_en": "common to every kind", "fields": common},
        {"title": f"{KIND_ZH[kind]}字段", "title_en": f"{kind} fields", "fields": own},
    ]
    return groups, summary


def _defaults(kind: str, catalog) -> dict[str, str]:
    """A fresh id, today, and the jurisdiction of the first pack loaded (one city's office uses one)."""
    today = date.today()
    first = next(iter(catalog.packs.values()), None)
    return {
        "id": f"{kind[:3].upper()}-{today:%Y%m%d}-{secrets.token_hex(3)}",
        "date": today.isoformat(),
        "jurisdiction": first.pack.jurisdiction[0] if first else "",
    }


def _attach(fields: list[FormField], errors: list[FieldError]) -> list[tuple[FieldError, str | None]]:
    """Each error next to its field: the longest field path that begins the error's path, or the first field
    inside the error's path (`relays` missing a key). Returns every error with the field it went to (None when it
    is about no field: the summary above the form shows those only)."""
    paths = {tuple(f.name.split(".")): f for f in fields}
    placed: list[tuple[FieldError, str | None]] = []
    for error in errors:
        path = tuple(p for p in error.path if isinstance(p, str))
        target = None
        for depth in range(len(path), 0, -1):
            target = paths.get(path[:depth])
            if target is not None:
                break
        if target is None and path:
            target = next((f for p, f in paths.items() if p[: len(path)] == path), None)
        if target is not None:
            target.errors.append(error)
            placed.append((error, target.name))
        else:  # 依据日期 (as_of) is a screening option beside the request, shown apart
            placed.append((error, AS_OF if error.path[:1] == (AS_OF,) else None))
    return placed


def read_form(kind: str, values: dict[str, str]) -> tuple[Any, list[FieldError]]:
    """The request a form describes, read cell by cell as a sheet row is, then validated by the engine's models.
    Every error is reported at once: a cell that cannot be read and the model's complaints about the others."""
    columns = form_columns(kind)
    sheet = tabular.Sheet(None, FORM_NAME, [(c.path, c.path) for c in columns])
    sheet.rows.append([tabular.Cell(1, c.path, values.get(c.path, "")) for c in columns])
    rows, errors = tabular.records(sheet, {"kind": kind})
    candidate = None
    if rows:
        try:
            candidate = REQUEST.validate_python(rows[0].data)
        except ValidationError as exc:
            errors = errors + rows[0].placed(from_validation_error(exc), sheet)
    errors = [e.at(file=None, sheet=None, line=None, column=None) for e in errors]
    return (None if errors else candidate), errors


def _clean(form) -> dict[str, str]:
    return {k: v.strip() if isinstance(v, str) else "" for k, v in form.items()}


def _screen_context(kind: str, groups, summary, record: bool = False, as_of: str = "") -> dict[str, Any]:
    as_of_errors = [e for e, name in summary if name == AS_OF]
    return {
        "kind": kind, "kind_zh": KIND_ZH[kind], "groups": groups, "errors": summary, "record": record,
        "as_of": as_of, "as_of_errors": as_of_errors, "section": "screen",
    }


def _as_of(text: str) -> tuple[date | None, list[FieldError]]:
    """The optional 依据日期: decide with the packs in force on that day instead of the request's date."""
    if not text:
        return None, []
    try:
        return date.fromisoformat(text), []
    except ValueError:
        return None, [FieldError((AS_OF,), f"应为日期 YYYY-MM-DD，收到 {text!r}", f"expected a date YYYY-MM-DD, got {text!r}")]
