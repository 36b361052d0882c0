"""Reading a YAML data file the way city staff write it, keeping every value's line and column.

PyYAML's own constructor forgets positions and follows YAML 1.1, where `8:30`
is the number 510 and `no` is false.  We compose the node tree and build plain
values ourselves with YAML 1.2 core rules, so a time stays a string and every
problem can be reported as `file:line:column`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .problems import Problem

Path_ = tuple[str | int, ...]

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
# A dot or an exponent makes a float; digits with a leading zero (for example 03, 0120) stay text: they are codes.
_FLOAT = re.compile(r"^[-+]?(?:(?:0|[1-9][0-9]*)?\.[0-9]+|(?:0|[1-9][0-9]*)\.[0-9]*)(?:[eE][-+]?[0-9]+)?$|^[-+]?(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+$")


@dataclass
class YamlFile:
    """A parsed file: its plain data, where each value and key stands, and what was wrong."""

    path: str
    data: object = None
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Line and column of the value at `path`, or of its nearest ancestor that exists."""
        path = tuple(path)
        if key and path in self.keys:
            return self.keys[path]
        while path:
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))

    def problem(self, path: Path_, code: str, *, key: bool = False, severity: str = "error", **params) -> Problem:
        line, column = self.position(path, key=key)
        return Problem(self.path, line, column, code, params, severity)


def _position_of(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def read_yaml(path: Path, display: str) -> YamlFile:
    """Read `path`; problems with the file itself (encoding, tabs, syntax) end up in `.problems`."""
    result = YamlFile(display)
    raw = path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        result.problems.append(Problem(display, 1, 1, "bom"))
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        before = raw[: err.start].decode("utf-8", "replace")
        line, column = _position_of(before, len(before))
        result.problems.append(Problem(display, line, column, "encoding"))
        return result
    if "\r" in text:
        line, column = _position_of(text, text.index("\r"))
        result.problems.append(Problem(display, line, column, "crlf"))
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for number, content in enumerate(text.split("\n"), start=1):
        indent = re.match(r"^[ \t]*", content)[0]
        if "\t" in indent:
            result.problems.append(Problem(display, number, indent.index("\t") + 1, "tab"))
    if any(p.code == "tab" for p in result.problems):
        return result  # tab indentation makes the structure ambiguous: report it alone
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as err:
        missing_colon = "could not find expected ':'" in (err.problem or "")
        mark = (err.context_mark if missing_colon else None) or err.problem_mark or err.context_mark
        result.problems.append(
            Problem(display, mark.line + 1, mark.column + 1, "yaml_syntax", {"detail": err.problem or str(err)})
        )
        return result
    except yaml.YAMLError as err:
        result.problems.append(Problem(display, 1, 1, "yaml_syntax", {"detail": str(err)}))
        return result
    if node is None:
        result.problems.append(Problem(display, 1, 1, "file_empty"))
        return result
    result.data = _build(node, (), result)
    return result


def _build(node: yaml.Node, path: Path_, out: YamlFile) -> object:
    out.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        mapping: dict = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int) or isinstance(key, bool):
                out.problems.append(
                    Problem(out.path, key_node.start_mark.line + 1, key_node.start_mark.column + 1, "key_not_text")
                )
                continue
            key = str(key)
            key_pos = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in mapping:
                first = out.keys[(*path, key)]
                out.problems.append(
                    Problem(out.path, *key_pos, "duplicate_key", {"key": key, "first_line": first[0]})
                )
                continue
            out.keys[(*path, key)] = key_pos
            mapping[key] = _build(value_node, (*path, key), out)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, index), out) for index, item in enumerate(node.value)]
    if node.tag.startswith("!") and not node.tag.startswith("!!"):
        out.problems.append(Problem(out.path, *out.values[path], "yaml_tag", {"tag": node.tag}))
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> object:
    """YAML 1.2 core schema: only null, true/false, integers and floats are not strings."""
    value = node.value
    if node.style is not None:  # quoted or block scalar: always text
        return value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value
