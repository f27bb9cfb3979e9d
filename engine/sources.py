"""Reading YAML and JSON text into plain data while remembering where each value stood, so that an error can name
the line. Used for rule packs here and for request and register files by the adapters.

YAML is only ever safe-loaded: we compose the node graph with PyYAML's SafeLoader and build the values ourselves.
Dates stay text (the models check them, so `2019-02-30` is an error naming the field, not a parser crash); anchors
and aliases are refused (no billion laughs); a key given twice is an error instead of silently keeping the last.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import json_source_map
import yaml

from .errors import FieldError, Path

MAX_TEXT_BYTES = 200 * 1024 * 1024


class _Loader(yaml.SafeLoader):
    """SafeLoader without the timestamp resolver: `2019-05-10` stays the text the models validate."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class Located:
    """Parsed data plus, for each path inside it, the 1-based line and column where its value starts."""

    data: Any
    positions: dict[Path, tuple[int, int]] = field(default_factory=dict)
    file: str | None = None
    _json_text: str | None = None

    def where(self, path: Path) -> tuple[int, int] | None:
        if self._json_text is not None and not self.positions:
            self.positions = _json_positions(self._json_text)
        path = tuple(path)
        while True:
            if path in self.positions:
                return self.positions[path]
            if not path:
                return None
            path = path[:-1]

    def place(self, error: FieldError) -> FieldError:
        found = self.where(error.path)
        if found is None:
            return error.at(file=self.file)
        line, column = found
        return error.at(file=self.file, line=line, column=column)


class SourceError(Exception):
    def __init__(self, error: FieldError):
        super().__init__(str(error))
        self.error = error


def load_yaml(text: str, file: str | None = None) -> Located:
    if len(text) > MAX_TEXT_BYTES:
        raise SourceError(FieldError((), "文件过大", "file too large", file=file, code="file_too_large"))
    try:
        loader = _Loader(text)
        loader.name = file
        try:
            node = loader.get_single_node()
            positions: dict[Path, tuple[int, int]] = {}
            data = None if node is None else _build(loader, node, (), positions, file)
        finally:
            loader.dispose()
    except SourceError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or str(exc)
        raise SourceError(FieldError((), f"YAML 语法错误：{problem}", f"YAML syntax error: {problem}", file, line, column, code="bad_syntax")) from None
    except yaml.YAMLError as exc:
        raise SourceError(FieldError((), f"YAML 语法错误：{exc}", f"YAML syntax error: {exc}", file, code="bad_syntax")) from None
    return Located(data, positions, file)


def _build(loader: _Loader, node: yaml.Node, path: Path, positions: dict, file: str | None) -> Any:
    positions[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise SourceError(_at(path, "不支持 YAML 合并键 <<", "YAML merge keys (<<) are not supported", file, key_node))
            if not isinstance(key_node, yaml.ScalarNode):
                raise SourceError(_at(path, "键必须是文本", "keys must be plain text", file, key_node))
            key = loader.construct_object(key_node)
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                key = str(key_node.value)
            if key in out:
                raise SourceError(_at(path + (key,), f"键 {key!r} 重复", f"key {key!r} appears twice", file, key_node))
            out[key] = _build(loader, value_node, path + (key,), positions, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, path + (i,), positions, file) for i, item in enumerate(node.value)]
    return loader.construct_object(node)


def _at(path: Path, zh: str, en: str, file: str | None, node: yaml.Node) -> FieldError:
    return FieldError(path, zh, en, file, node.start_mark.line + 1, node.start_mark.column + 1)


_original_compose_node = _Loader.compose_node


def _compose_node(self: _Loader, parent: Any, index: Any) -> Any:
    if self.check_event(yaml.AliasEvent):
        mark = self.peek_event().start_mark
        raise SourceError(
            FieldError((), "不支持 YAML 别名（*alias）", "YAML aliases are not supported", self.name, mark.line + 1, mark.column + 1, code="bad_syntax")
        )
    return _original_compose_node(self, parent, index)


_Loader.compose_node = _compose_node  # type: ignore[method-assign]


def load_json(text: str, file: str | None = None) -> Located:
    if len(text) > MAX_TEXT_BYTES:
        raise SourceError(FieldError((), "文件过大", "file too large", file=file, code="file_too_large"))

    def no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                raise _DuplicateKey(key)
            out[key] = value
        return out

    try:
        data = json.loads(text, object_pairs_hook=no_duplicates, parse_constant=_no_constant)
    except _DuplicateKey as exc:
        raise SourceError(FieldError((), f"键 {exc.key!r} 重复", f"key {exc.key!r} appears twice", file, code="bad_syntax")) from None
    except json.JSONDecodeError as exc:
        raise SourceError(
            FieldError((), f"JSON 语法错误：{exc.msg}", f"JSON syntax error: {exc.msg}", file, exc.lineno, exc.colno, code="bad_syntax")
        ) from None
    except ValueError as exc:
        raise SourceError(FieldError((), f"JSON 取值无效：{exc}", f"invalid JSON value: {exc}", file, code="bad_syntax")) from None
    return Located(data, {}, file, _json_text=text)


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        self.key = key


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _json_positions(text: str) -> dict[Path, tuple[int, int]]:
    out: dict[Path, tuple[int, int]] = {}
    for pointer, entry in json_source_map.calculate(text).items():
        parts: list[str | int] = []
        for raw in pointer.split("/")[1:]:
            token = raw.replace("~1", "/").replace("~0", "~")
            parts.append(int(token) if token.isascii() and token.isdigit() else token)  # "¹".isdigit(), yet no int
        start = entry.value_start
        out[tuple(parts)] = (start.line + 1, start.column + 1)
    return out


def load_text(text: str, file: str | None = None) -> Located:
    """YAML or JSON by the file's ending (JSON when the name ends in .json)."""
    if file and file.lower().endswith(".json"):
        return load_json(text, file)
    return load_yaml(text, file)
