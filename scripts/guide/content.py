"""What content/ may hold and what a hand-written page may say: content is as untrusted as data/.

MkDocs and Material print a page's front matter WITHOUT escaping (a description of
`"><script>` would close <head> before the Content-Security-Policy), take a front-matter
`template` as a theme template, pass raw HTML in the Markdown through, and copy every
other file of content/ into the site as it is.  So, checked by `guide check` (and the
build, which checks first), each problem located in its file:

- the front matter is read with the data reader (yamlfile): only FRONT_MATTER keys, each
  one line of plain text within its limit.  The build hands MkDocs each page again with
  only those keys, escaped once (`publishable_page`), so MkDocs reads what was checked
  whatever the YAML trick (block scalars, escapes, quoted keys, flow mappings,
  MultiMarkdown-style lines).
- a page's title, from its front matter or the first heading MkDocs takes instead, follows
  the rule of the theme's other titles (model.check_theme_text).
- the Markdown is rendered as MkDocs renders it, and every element, attribute and address
  of the result must be in a plain subset (PAGE_TAGS, PAGE_ATTRIBUTES, the address rule).
- files: Markdown pages and pictures only; an SVG only without script, foreign objects,
  event attributes, DOCTYPEs or references to anything outside itself.

Files that lead out of content/ or are hard links are never read here (load.link_problems
reports them).
"""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.parsers import expat

import yaml
from pydantic_core import PydanticCustomError

from . import model
from .mkdocs_config import SAFE_EXTENSIONS
from .problems import Problem, got_text
from .yamlfile import parse_yaml_text

CONTENT = "content"
PAGE_SUFFIX = ".md"
# Picture types by file suffix: how such a file begins (RIFF/ftyp containers: at an offset).
PICTURES: dict[str, tuple[tuple[int, bytes], ...]] = {
    ".png": ((0, b"\x89PNG\r\n\x1a\n"),),
    ".jpg": ((0, b"\xff\xd8\xff"),),
    ".jpeg": ((0, b"\xff\xd8\xff"),),
    ".gif": ((0, b"GIF87a"), (0, b"GIF89a")),
    ".webp": ((8, b"WEBP"),),
    ".avif": ((4, b"ftypavif"), (4, b"ftypavis")),
    ".svg": (),  # text: checked element by element (svg_problems)
}
# A page or an SVG is read whole, and Python-Markdown is slow on some long runs of brackets or
# backticks: 12 times the largest shipped page.
MAX_TEXT_BYTES = 512 * 1024
# Front-matter key -> (type, longest length).  Nothing else: `template` would pick a theme
# template (redirect.html sends visitors anywhere), `author` and the rest are printed raw.
FRONT_MATTER: dict[str, tuple[type, int]] = {"title": (str, 100), "description": (str, 300), "in_nav": (bool, 0)}
PAGE_TAGS = frozenset(
    "a abbr b blockquote br caption cite code dd del details div dl dt em figcaption figure h1 h2 h3 h4 h5 h6 "
    "hr i img ins kbd li mark ol p pre q s section small span strong sub summary sup table tbody td tfoot th "
    "thead time tr u ul".split()
)
PAGE_ATTRIBUTES = frozenset("id class href src alt title width height colspan rowspan lang dir start open datetime".split())
ADDRESS_ATTRIBUTES = ("href", "src")
LINK_SCHEMES = ("http", "https", "mailto", "tel")
# Ids the site's own pages and scripts use (Material's __drawer, __md_scope; guide-main,
# GUIDE_NOW): an element with such an id would take their place (DOM clobbering).
_RESERVED_ID = re.compile(r"^(?:__|guide)", re.I)
_ID = re.compile(r"^[\w:.-]+$")  # footnotes are fn:1, fnref:1
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)
_UNSEEN = re.compile(r"[\x00-\x20\x7f]")  # browsers drop these from an address before reading its scheme
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TICKS = re.compile(r"`+")
_FIRST_H1 = re.compile(r"\s*<h1\b[^>]*>(.*?)</h1>", re.S)
# What extensions add to a heading and MkDocs leaves out of its title: toc's permalink, footnote references.
_NOT_TITLE = re.compile(r'<a class="headerlink"[^>]*>.*?</a>|<sup id="fnref[^"]*">.*?</sup>', re.S)
_SVG_REFERENCE = re.compile(r"url\((?![\s'\"]*#)|@import", re.I)
_SVG_FORBIDDEN = frozenset({"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"})


def content_problems(root: Path) -> list[Problem]:
    """Every file of content/ that may not be published, and every problem in its pages."""
    base = root / CONTENT
    if base.is_symlink() or not base.is_dir():
        return []  # a content/ that is a link is load.link_problems' business
    inside = base.resolve()
    render = None  # made for the first page: Python-Markdown is slow to import
    problems = []
    for parent, _dirs, files in sorted(os.walk(base)):
        for name in sorted(files):
            path = Path(parent) / name
            if _unread(path, inside):
                continue
            display = path.relative_to(root).as_posix()
            suffix = path.suffix.lower()
            size = path.stat().st_size
            if suffix in (PAGE_SUFFIX, ".svg") and size > MAX_TEXT_BYTES:
                problems.append(Problem(display, 1, 1, "file_too_large", {"size_mb": round(size / 2**20, 1), "limit_mb": MAX_TEXT_BYTES / 2**20}))
            elif path.suffix == PAGE_SUFFIX:  # as MkDocs tells a page: page.MD would be published as a file
                render = render or page_renderer(root)
                problems += page_problems(path.read_bytes(), display, render)
            elif suffix == ".svg":
                problems += svg_problems(path.read_bytes(), display)
            elif suffix in PICTURES:
                problems += _picture_problems(path, suffix, display)
            else:
                problems.append(Problem(display, 1, 1, "content_file_type", {"allowed": ", ".join([PAGE_SUFFIX, *PICTURES])}))
    return problems


def _unread(path: Path, inside: Path) -> bool:
    """A file that leads out of content/ or shares its contents (a hard link): reported elsewhere, never read."""
    try:
        return not path.resolve().is_relative_to(inside) or os.stat(path).st_nlink > 1
    except OSError:  # dangling, or a loop of links
        return True


def _picture_problems(path: Path, suffix: str, display: str) -> list[Problem]:
    with open(path, "rb") as file:
        head = file.read(16)
    if any(head[offset : offset + len(magic)] == magic for offset, magic in PICTURES[suffix]):
        return []
    return [Problem(display, 1, 1, "picture_mismatch", {"suffix": suffix})]


# --- pages ------------------------------------------------------------------------------


def _yaml_front_matter() -> re.Pattern:
    """MkDocs' own pattern for a front-matter block, so the block checked is the block it reads."""
    from mkdocs.utils.meta import YAML_RE  # noqa: PLC0415 - slow import, only when there are pages

    return YAML_RE


def page_text(data: bytes) -> str:
    """A page's text as MkDocs reads it (UTF-8, a byte-order mark dropped, any line ending as \\n)."""
    return data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")


def split_page(text: str) -> tuple[str, str]:
    """(front matter as YAML, with its opening --- line so that lines count as in the file; the Markdown after it)."""
    found = _yaml_front_matter().match(text)
    return (text[: found.end(1)], text[found.end() :]) if found else ("", text)


def publishable_page(text: str) -> str:
    """The page as the build hands it to MkDocs: a front matter of the allowed keys only, each text escaped once.

    Always a front matter, so that MkDocs never reads MultiMarkdown-style `key: value` lines from the Markdown."""
    front, body = split_page(text)
    data = parse_yaml_text(front, "").data if front else None
    meta = {
        key: html.escape(value) if isinstance(value, str) else value
        for key, value in (data.items() if isinstance(data, dict) else ())
        if key in FRONT_MATTER and isinstance(value, FRONT_MATTER[key][0])
    }
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n\n" + body


def page_problems(data: bytes, display: str, render) -> list[Problem]:
    try:
        text = page_text(data)
    except UnicodeDecodeError as err:
        before = data[: err.start].decode("utf-8", "replace")
        return [Problem(display, before.count("\n") + 1, len(before) - before.rfind("\n"), "encoding")]
    front, body = split_page(text)
    problems, meta = _front_matter(front, display)
    body_line = text.count("\n", 0, len(text) - len(body)) + 1
    rendered = render(body)
    problems += _markup_problems(rendered, body, body_line, display)
    if "title" not in meta:
        problems += _heading_title_problems(rendered, body, body_line, display)
    return problems


def _front_matter(front: str, display: str) -> tuple[list[Problem], dict]:
    """Problems of the front matter, and its data (empty when there is none or it is not a mapping)."""
    if not front:
        return [], {}
    parsed = parse_yaml_text(front, display)
    problems = [p for p in parsed.problems if p.code != "file_empty"]  # `---` twice with nothing between is no front matter
    if parsed.data is None:
        return problems, {}
    if not isinstance(parsed.data, dict):
        return [*problems, parsed.problem((), "front_matter_shape")], {}
    for key, value in parsed.data.items():
        if key not in FRONT_MATTER:
            problems.append(parsed.problem((key,), "front_matter_key", key=True, field=key, allowed=", ".join(FRONT_MATTER)))
            continue
        kind, limit = FRONT_MATTER[key]
        if not isinstance(value, kind):
            code = "bool_type" if kind is bool else "string_type"
            problems.append(parsed.problem((key,), code, got=got_text(value)))
        elif kind is str:
            problems += _front_text_problems(parsed, key, value, limit)
    return problems, parsed.data


def _front_text_problems(parsed, key: str, value: str, limit: int) -> list[Problem]:
    if not value.strip():
        return [parsed.problem((key,), "string_too_short")]
    if model.CONTROL_IN_LINE.search(value):
        return [parsed.problem((key,), "front_matter_text", field=key)]
    if len(value) > limit:
        return [parsed.problem((key,), "text_too_long", length=len(value), limit=limit)]
    if key == "title":
        return _title_problem(value, lambda code, params: parsed.problem((key,), code, **params))
    return []


def _title_problem(title: str, problem) -> list[Problem]:
    """MkDocs treats a page title as HTML, and Material prints it as it is: the rule of the theme's titles."""
    try:
        model.check_theme_text(title)
    except PydanticCustomError as err:
        return [problem(err.type, err.context or {})]
    return []


def _heading_title_problems(rendered: str, body: str, body_line: int, display: str) -> list[Problem]:
    """Without a title key MkDocs takes the page's first element when it is an <h1>, as HTML."""
    heading = _FIRST_H1.match(rendered)
    if not heading:
        return []
    first = re.search(r"^[ \t]*(?:#+[ \t]*)?(?=\S)", body, re.M)  # where the heading's text starts
    offset = first.end() if first else 0
    line, column = _line_column(body, offset, body_line)
    title = html.unescape(_NOT_TITLE.sub("", heading[1]))
    return _title_problem(title, lambda code, params: Problem(display, line, column, code, params))


def page_renderer(root: Path):
    """Markdown → HTML as MkDocs renders it for this guide: its built-in extensions and those of mkdocs.yml."""
    import markdown  # noqa: PLC0415 - only when checking pages
    from mkdocs.config.defaults import MkDocsConfig  # noqa: PLC0415

    names, configs = list(MkDocsConfig.markdown_extensions.builtins), {}
    try:
        listed = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8")).get("markdown_extensions") or []
    except (OSError, yaml.YAMLError, AttributeError):
        listed = []  # no mkdocs.yml (a guide's data alone): the build says so
    for entry in [{k: v} for k, v in listed.items()] if isinstance(listed, dict) else listed:
        name, config = next(iter(entry.items())) if isinstance(entry, dict) else (entry, None)
        if name not in SAFE_EXTENSIONS:
            continue  # never imported: mkdocs_config refuses it, and the build does not start
        names.append(name)
        if config:
            configs[name] = config
    try:
        converter = markdown.Markdown(extensions=list(dict.fromkeys(names)), extension_configs=configs)
    except Exception:  # noqa: BLE001 - an extension's settings MkDocs will refuse: check the pages as MkDocs' own
        converter = markdown.Markdown(extensions=list(MkDocsConfig.markdown_extensions.builtins))
    return lambda text: converter.reset().convert(text)


class _Markup(HTMLParser):
    """Everything in a rendered page outside the plain subset: (code, params, patterns to find it in the Markdown)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, dict, list[str]]] = []

    def handle_starttag(self, tag, attrs):
        if tag not in PAGE_TAGS:  # said once: its attributes go with it
            self.found.append(("page_tag", {"tag": tag}, [rf"<\s*{re.escape(tag)}(?![\w:-])"]))
            return
        for name, value in attrs:
            value = value or ""
            where = [re.escape(value), rf"(?<![\w-]){re.escape(name)}\s*="] if value else [rf"(?<![\w-]){re.escape(name)}(?![\w-])"]
            if name not in PAGE_ATTRIBUTES:
                self.found.append(("page_attribute", {"attribute": name}, where[1:] or where))
            elif name in ADDRESS_ATTRIBUTES and not address_allowed(value, link=name == "href"):
                self.found.append(("page_address", {"value": _shown(value)}, where))
            elif name == "id" and (_RESERVED_ID.match(value) or not _ID.match(value)):
                self.found.append(("page_id", {"value": _shown(value)}, where))

    handle_startendtag = handle_starttag

    def handle_comment(self, data):
        # A browser ends `<!-->` at once, where this parser reads on: only plain words are kept.
        if re.search(r"[<>]|--", data) or data.startswith(("-", ">")):
            self.found.append(("page_markup", {"text": _shown(f"<!--{data}-->")}, [re.escape("<!--" + data[:20]), "<!--"]))

    def handle_decl(self, decl):
        self.found.append(("page_markup", {"text": _shown(f"<!{decl}>")}, [r"<!"]))

    unknown_decl = handle_decl

    def handle_pi(self, data):
        self.found.append(("page_markup", {"text": _shown(f"<?{data}>")}, [r"<\?"]))


def address_allowed(value: str, *, link: bool) -> bool:
    """A link goes to the guide's own pages or to http(s), mailto and tel; a picture is a file of the guide."""
    seen = _UNSEEN.sub("", value)
    if seen.startswith(("//", "\\\\", "/\\", "\\/")):
        return False  # another site, without a scheme
    scheme = _SCHEME.match(seen)
    if not scheme:
        return True
    return link and scheme[1].lower() in LINK_SCHEMES and (not scheme[1].lower().startswith("http") or bool(re.match(model.URL_PATTERN, value)))


def _markup_problems(rendered: str, body: str, body_line: int, display: str) -> list[Problem]:
    scan = _Markup()
    scan.feed(rendered)
    scan.close()
    searched = _without_code(body)  # what code shows is text: never the place
    problems, after = [], 0  # the page renders in the order it is written: look on from the last place found
    for code, params, patterns in scan.found:
        offset = 0
        for pattern in patterns:
            compiled = re.compile(pattern, re.I)
            found = compiled.search(searched, after) or compiled.search(searched)
            if found:
                offset = found.start()
                after = offset + 1
                break
        line, column = _line_column(body, offset, body_line)
        problems.append(Problem(display, line, column, code, params))
    return problems


def _without_code(body: str) -> str:
    """The Markdown with its fenced blocks and code spans blanked out (lines kept), in one pass each:
    a page is written by anyone, so no pattern that backtracks over it."""
    lines, fence = body.split("\n"), None
    for number, line in enumerate(lines):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence, lines[number] = opening[1], " " * len(line)
        elif fence is not None:
            fence = None if opening and opening[1][0] == fence[0] and len(opening[1]) >= len(fence) else fence
            lines[number] = " " * len(line)
    text = list("\n".join(lines))
    runs = [(tick.start(), tick.end()) for tick in _TICKS.finditer("".join(text))]
    closer: list[int | None] = [None] * len(runs)
    later: dict[int, int] = {}  # length of a run of backticks -> the next such run
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        closer[index], later[length] = later.get(length), index
    index = 0
    while index < len(runs):  # a run opens a code span that the next run of the same length closes
        if closer[index] is None:
            index += 1
            continue
        start, end = runs[index][0], runs[closer[index]][1]
        text[start:end] = [c if c == "\n" else " " for c in text[start:end]]
        index = closer[index] + 1
    return "".join(text)


def _line_column(body: str, offset: int, body_line: int) -> tuple[int, int]:
    return body_line + body.count("\n", 0, offset), offset - (body.rfind("\n", 0, offset) + 1) + 1


def _shown(value: str) -> str:
    return value if len(value) <= 60 else value[:59] + "…"


# --- SVG pictures -----------------------------------------------------------------------


class _Stop(Exception):
    """A DOCTYPE: stop before the parser expands anything it declares."""


def svg_problems(data: bytes, display: str) -> list[Problem]:
    """An SVG opened on its own runs its scripts on the site's origin: only a picture that does nothing passes."""
    parser = expat.ParserCreate(namespace_separator=" ")
    problems: list[Problem] = []

    def add(code: str, **params) -> None:
        problems.append(Problem(display, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1, code, params))

    def doctype(*_args) -> None:
        add("svg_doctype")
        raise _Stop

    def element(name: str, attrs: dict) -> None:
        local = name.rsplit(" ", 1)[-1]
        if local.lower() in _SVG_FORBIDDEN:
            add("svg_element", element=local)
        for attribute, value in attrs.items():
            attribute = attribute.rsplit(" ", 1)[-1]
            if attribute.lower().startswith("on"):
                add("svg_attribute", attribute=attribute)
            elif (attribute.lower() in ("href", "src") and not _UNSEEN.sub("", value).startswith("#")) or _SVG_REFERENCE.search(value) \
                    or (attribute == "attributeName" and value.rsplit(":", 1)[-1].lower() in ("href", "src")):
                add("svg_reference", value=_shown(value))

    def text(chunk: str) -> None:
        if _SVG_REFERENCE.search(chunk):
            add("svg_reference", value=_shown(chunk.strip()))

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = doctype
    parser.StartElementHandler = element
    parser.CharacterDataHandler = text
    try:
        parser.Parse(data, True)
    except _Stop:
        pass
    except expat.ExpatError as err:
        problems.append(Problem(display, err.lineno, err.offset + 1, "svg_invalid", {"detail": expat.ErrorString(err.code)}))
    return problems
