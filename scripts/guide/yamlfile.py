"""Reading a YAML data file the way city staff write it, keeping every value's line and column.

PyYAML's own constructor forgets positions and follows YAML 1.1, where `8:30`
is the number 510 and `no` is false.  We compose the node tree and build plain
values ourselves with YAML 1.2 core rules, so a time stays a string and every
problem can be reported as `file:line:column`.

Parsing uses libyaml (PyYAML's C composer), which keeps marks; only a file
with a syntax error is parsed again by the pure-Python parser, whose error
wording and marks are the ones staff see.  A data file is written by anyone
who can open a pull request, so reading it is bounded: its size, the values
that aliases expand to, its nesting depth and the length of one text.  Normal
data stays far below every limit (the largest shipped file is ~60 KB, nests 12
levels and has no aliases).
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import io
import marshal
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .model import BIDI_CONTROLS as _BIDI
from .problems import Problem

Path_ = tuple[str | int, ...]

_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
# A dot or an exponent makes a float; digits with a leading zero (for example 012, 0120) stay text: they are codes.
# Limits on what one data file may make us build (see the module docstring).
MAX_FILE_BYTES = 16 * 1024 * 1024  # 250× the largest shipped file: room for a prefecture
MAX_ALIAS_VALUES = 10_000  # values copied by *aliases in one file; an alias bomb makes billions
MAX_DEPTH = 64  # levels of nesting; records need about 12
MAX_TEXT_CHARS = 20_000  # characters in one value: a long description is ~500

_TAB_INDENT = re.compile(r"^ *\t", re.M)
_TYPED_STARTS = frozenset("~nNtTfF+-.0123456789") | {""}  # how a plain null, bool or number can begin
_FLOAT = re.compile(r"^[-+]?(?:(?:0|[1-9][0-9]*)?\.[0-9]+|(?:0|[1-9][0-9]*)\.[0-9]*)(?:[eE][-+]?[0-9]+)?$|^[-+]?(?:0|[1-9][0-9]*)[eE][-+]?[0-9]+$")


@dataclass
class YamlFile:
    """A parsed file: its plain data, where each value and key stands, and what was wrong."""

    path: str
    data: object = None
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    alias_values: int = 0  # values built a second time through an alias
    last_index: int = -1  # furthest place in the file built so far: going back means an alias
    bidi_possible: bool = True  # the file has a bidi control; if not, only a "\u202e" escape in double quotes makes one

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


@contextlib.contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector while a large tree of lasting objects is built.

    Reading data makes nothing to collect (every node and value lives on), yet the collector
    runs after every 700 new objects and, as the tree grows, goes through all of it again:
    that was three quarters of the time of reading a ×100 guide."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def read_yaml(path: Path, display: str, *, kept: Path | None = None) -> YamlFile:
    """Read `path`; problems with the file itself (encoding, tabs, syntax) end up in `.problems`.

    `kept`: a folder where what a file parsed into is kept for the next read of the same bytes (_Kept)."""
    with collector_paused():
        return _read_yaml(path, display, kept)


class _Kept:
    """What one file parsed into, kept from one read to the next: a build reads the same files again
    and again (a preview after every save, a build after an edit of another file), and parsing is
    most of loading a large guide (×100: 2 s).  Keyed by the file's bytes and by this reader (its
    source, its YAML library, Python); only a file that parsed without a problem is kept, as plain
    values (marshal: nothing in it runs)."""

    _READER = hashlib.blake2b(
        Path(__file__).read_bytes() + yaml.__version__.encode() + sys.version.encode() + "".join(sorted(_BIDI)).encode()
    ).digest()

    def __init__(self, folder: Path, display: str, raw: bytes):
        self.display, self.file = display, folder / (display.replace("/", "--") + ".marshal")
        self.key = hashlib.blake2b(self._READER + raw).digest()

    def get(self) -> YamlFile | None:
        try:
            key, *fields = marshal.loads(self.file.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return None
        return YamlFile(self.display, *fields) if key == self.key else None

    def keep(self, result: YamlFile) -> YamlFile:
        if result.problems:
            return result
        fields = (self.key, result.data, result.values, result.keys, [], result.alias_values, result.last_index, result.bidi_possible)
        with contextlib.suppress(OSError):  # not kept: parsed again next time
            self.file.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(self.file, marshal.dumps(fields))  # whole or not at all, whoever reads it meanwhile
        return result


def _read_yaml(path: Path, display: str, kept: Path | None = None) -> YamlFile:
    result = YamlFile(display)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            limits = {"size_mb": round(size / 2**20, 1), "limit_mb": MAX_FILE_BYTES // 2**20}
            result.problems.append(Problem(display, 1, 1, "file_too_large", limits))
            return result
        raw = path.read_bytes()
    except OSError as err:
        result.problems.append(Problem(display, 1, 1, "file_unreadable", {"reason": err.strerror or type(err).__name__}))
        return result
    if kept is None:
        return _read_text(raw, result)
    store = _Kept(kept, display, raw)
    return store.get() or store.keep(_read_text(raw, result))


def _read_text(raw: bytes, result: YamlFile) -> YamlFile:
    display = result.path
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
    return _parse_text(text, result)


def parse_yaml_text(text: str, display: str) -> YamlFile:
    """Parse YAML that is already text (a page's front matter, read with the page), as `read_yaml` does."""
    with collector_paused():
        return _parse_text(text, YamlFile(display))


def _parse_text(text: str, result: YamlFile) -> YamlFile:
    display = result.path
    line, counted = 1, 0
    for tab in _TAB_INDENT.finditer(text):  # the first tab in each line's indentation
        line += text.count("\n", counted, tab.start())
        counted = tab.start()
        result.problems.append(Problem(display, line, tab.end() - (text.rfind("\n", 0, tab.start()) + 1), "tab"))
    if any(p.code == "tab" for p in result.problems):
        return result  # tab indentation makes the structure ambiguous: report it alone
    try:
        node = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        node = _syntax_error(text, display, result)
        if node is None:
            return result
    if node is None:
        result.problems.append(Problem(display, 1, 1, "file_empty"))
        return result
    result.bidi_possible = not _BIDI.isdisjoint(text)
    try:
        result.data = _build(node, (), result, 0)
    except _TooMuch as stop:
        result.problems.append(stop.problem)
        result.data = None
    return result


# libyaml when PyYAML was built with it (the wheels are); the same rules either way.
_C_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DEFAULT_TAGS = {
    yaml.ScalarNode: yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG,
    yaml.SequenceNode: yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG,
    yaml.MappingNode: yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
}


class _FAST_LOADER(_C_LOADER):  # noqa: N801 - a loader class, named as PyYAML's are used
    """Composes without resolving implicit tags: `_scalar` types plain values by YAML 1.2 itself.

    libyaml calls these three Python methods back once per node; PyYAML's versions (YAML 1.1
    regexes, path resolvers) were a third of the reading time of a large file."""

    def resolve(self, kind, value, implicit):
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node, current_index):
        pass

    def ascend_resolver(self):
        pass


def _syntax_error(text: str, display: str, result: YamlFile) -> yaml.Node | None:
    """Word a syntax error the way the pure-Python parser does (its wording is clearer than libyaml's)."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)  # libyaml refused it: this raises too, as a rule
    except yaml.MarkedYAMLError as err:
        missing_colon = "could not find expected ':'" in (err.problem or "")
        mark = (err.context_mark if missing_colon else None) or err.problem_mark or err.context_mark
        result.problems.append(
            Problem(display, mark.line + 1, mark.column + 1, "yaml_syntax", {"detail": err.problem or str(err)})
        )
    except yaml.reader.ReaderError:  # a control character written into the file itself (pasted): each one, located
        for match in yaml.reader.Reader.NON_PRINTABLE.finditer(text):
            line, column = _position_of(text, match.start())
            result.problems.append(Problem(display, line, column, "control_char", {"chars": f"U+{ord(match[0]):04X}"}))
    except yaml.YAMLError as err:
        result.problems.append(Problem(display, 1, 1, "yaml_syntax", {"detail": str(err)}))
    except RecursionError:  # the pure-Python parser recurses once per level of nesting
        result.problems.append(Problem(display, 1, 1, "yaml_too_deep", {"limit": MAX_DEPTH}))
    return None


class _TooMuch(Exception):
    """A limit was reached: the file is reported once, with no data."""

    def __init__(self, problem: Problem):
        self.problem = problem


_MAPPING, _SEQUENCE = yaml.MappingNode, yaml.SequenceNode


def _build(node: yaml.Node, path: Path_, out: YamlFile, depth: int, alias: Path_ | None = None) -> object:
    """Plain value of `node` at `path`; `alias` is where the *alias being copied stands, if any."""
    mark = node.start_mark
    here = (mark.line + 1, mark.column + 1)
    if depth > MAX_DEPTH:
        raise _TooMuch(Problem(out.path, *here, "yaml_too_deep", {"limit": MAX_DEPTH}))
    if mark.index < out.last_index:  # built before: this value comes through an alias
        alias = path if alias is None else alias
        out.alias_values += 1
        if out.alias_values > MAX_ALIAS_VALUES:  # said where the alias is written: its key, or its list
            line, column = out.keys.get(alias) or out.position(alias[:-1])
            raise _TooMuch(Problem(out.path, line, column, "yaml_aliases", {"limit": MAX_ALIAS_VALUES}))
    else:
        out.last_index = mark.index
    out.values[path] = here
    if node.tag.startswith("!") and not node.tag.startswith("!!"):  # a local tag, on a value, a list or a mapping
        out.problems.append(Problem(out.path, *here, "yaml_tag", {"tag": node.tag}))
    kind = type(node)
    if kind is _MAPPING:
        mapping: dict = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            key_mark = key_node.start_mark
            if not isinstance(key, str | int) or isinstance(key, bool):
                out.problems.append(Problem(out.path, key_mark.line + 1, key_mark.column + 1, "key_not_text"))
                continue
            key = str(key)
            key_path = (*path, key)
            key_pos = (key_mark.line + 1, key_mark.column + 1)
            if key in mapping:
                first = out.keys[key_path]
                out.problems.append(
                    Problem(out.path, *key_pos, "duplicate_key", {"key": key, "first_line": first[0]})
                )
                continue
            out.keys[key_path] = key_pos
            mapping[key] = _build(value_node, key_path, out, depth + 1, alias)
        return mapping
    if kind is _SEQUENCE:
        return [_build(item, (*path, index), out, depth + 1, alias) for index, item in enumerate(node.value)]
    value = node.value
    if (out.bidi_possible or node.style == '"') and not _BIDI.isdisjoint(value):
        codes = ", ".join(f"U+{ord(ch):04X}" for ch in sorted(_BIDI.intersection(value)))
        out.problems.append(Problem(out.path, *here, "bidi_control", {"chars": codes}))
    if len(value) > MAX_TEXT_CHARS:
        out.problems.append(Problem(out.path, *here, "text_too_long", {"length": len(value), "limit": MAX_TEXT_CHARS}))
    return _scalar(node)


def _scalar(node: yaml.ScalarNode) -> object:
    """YAML 1.2 core schema: only null, true/false, integers and floats are not strings."""
    value = node.value
    if node.style or value[:1] not in _TYPED_STARTS:  # quoted or block (style "'", '"', "|", ">"), or plain text
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


# --- writing ----------------------------------------------------------------------------------
#
# A data file is rewritten by a round trip (ruamel.yaml): the file is read with its comments and
# layout, the new values are written into its nodes where they agree, and only what changed is
# laid out anew, in the files' style.  So a comment, a blank line, a quote stays where it was.

# Keys in the order people read a record; the rest follow in the model's order.
KEY_ORDER = ("id", "name", "kana", "kind", "parent", "owner", "summary", "description", "services", "categories", "list_number")
KEY_LAST = ("source", "last_verified")
_LANG_KEY = re.compile(r"^(?:[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*|unofficial)$")
_DIGITS_AS_TEXT = re.compile(r"[\d\s:+\-()]+")  # phone numbers, times, postal codes: quoted, as the README asks
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _round_trip():
    from ruamel.yaml import YAML  # noqa: PLC0415 - only when a file is written

    rt = YAML(typ="rt")
    rt.preserve_quotes = True
    rt.width = 10_000  # never fold a line
    rt.indent(mapping=2, sequence=4, offset=2)
    rt.representer.ignore_aliases = lambda _value: True  # one date shared by records is written out each time, not as &id001
    return rt


def _rank(key: str) -> int:
    if key in KEY_ORDER:
        return KEY_ORDER.index(key)
    return len(KEY_ORDER) + 1 + KEY_LAST.index(key) if key in KEY_LAST else len(KEY_ORDER)


def styled(value: object) -> object:
    """A new value in the data files' style: multilingual texts on one line, numbers-as-text quoted, short lists inline."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq  # noqa: PLC0415
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString  # noqa: PLC0415

    if isinstance(value, dict):
        mapping = CommentedMap(sorted(((k, styled(v)) for k, v in value.items()), key=lambda kv: _rank(kv[0])))
        if value and all(_LANG_KEY.match(str(k)) for k in value) and all(isinstance(v, str | list) for v in value.values()):
            mapping.fa.set_flow_style()
        return mapping
    if isinstance(value, list):
        sequence = CommentedSeq(styled(v) for v in value)
        if value and all(isinstance(v, str) and len(v) < 20 for v in value):
            sequence.fa.set_flow_style()
        return sequence
    if isinstance(value, str) and _DIGITS_AS_TEXT.fullmatch(value) and not _DATE.fullmatch(value):
        return DoubleQuotedScalarString(value)
    return value


def merged(old: object, new: object) -> object:
    """`new`, written into `old`'s nodes where they agree, so that their comments and layout stay.

    Items of a list are matched by their `id` (records, services), else by their place."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq  # noqa: PLC0415

    if new is old:
        return old
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [k for k in old if k not in new]:
            del old[key]
        for key, value in new.items():
            if key in old:
                old[key] = merged(old[key], value)
            else:
                old.insert(sum(_rank(k) <= _rank(key) for k in old), key, styled(value))
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        by_id = {item["id"]: item for item in old if isinstance(item, CommentedMap) and "id" in item}
        inline = bool(old) and all(isinstance(item, CommentedMap) and item.fa.flow_style() for item in old)
        items = []
        for index, value in enumerate(new):
            match = by_id.get(value.get("id")) if isinstance(value, dict) and "id" in value else old[index] if index < len(old) else None
            items.append(merged(match, value) if match is not None else _like_siblings(styled(value), inline))
        for index, item in enumerate(items):  # item by item: a comment after an item is kept by its place
            if index >= len(old):
                old.append(item)
            elif old[index] is not item:
                old[index] = item
        del old[len(items) :]
        return old
    same = old == new and isinstance(old, bool) == isinstance(new, bool)  # True == 1, yet not the same value
    return old if same else styled(new)


def _like_siblings(item: object, inline: bool) -> object:
    """A new item of a list written one item a line ({agency: …, extension: …}) is written so too."""
    if inline and hasattr(item, "fa"):
        item.fa.set_flow_style()
    return item


def rewrite(path: Path, update, new_file: str) -> None:
    """Apply `update(document)` to the file read with its comments (`new_file` when it does not exist yet) and write it atomically."""
    rt = _round_trip()
    document = rt.load(path.read_text(encoding="utf-8") if path.exists() else new_file)
    update(document)
    out = io.StringIO()
    rt.dump(document, out)
    write_atomically(path, out.getvalue().encode("utf-8"))


def cannot_write(err: OSError, path: Path, _) -> str:
    """A write that failed (a full disk, no permission): the file keeps what it had."""
    return f"{err.filename or path}: " + _("cannot be written: {reason} (the file keeps what it had: free some space or check permissions, then run this again)").format(reason=err.strerror or err)


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` by `data` whole or not at all: a full disk or a kill mid-way leaves the old file.

    The new text goes to a temporary file in the same folder (so the rename stays on one disk),
    reaches the disk (fsync), then takes the old one's place in one step (os.replace)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, path.stat().st_mode & 0o7777 if path.exists() else _new_file_mode())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # the rename itself reaches the disk with the folder's entry
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def _new_file_mode() -> int:
    """What open() would give a new file (mkstemp gives 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
