"""What `mkdocs.yml` may say: the theme settings every edition shares, and nothing that runs or loads code.

`guide build` writes each edition's pages itself and gives MkDocs a small config that
inherits mkdocs.yml (see build.py), so MkDocs only wraps pages in the theme: no hooks, no
plugins, and every page under a Content-Security-Policy that allows the site's own files
only.  A city may change the theme's look, the Markdown extensions from a list that reads
no files and runs nothing of its own, its own CSS and scripts under assets/, the listing
navigation and MkDocs' checks.  Everything else is refused with a located message, as data
is: a YAML mistake here would otherwise end `guide build` in a traceback and leave
`guide serve` without an answer.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import yaml
from pydantic_core import PydanticCustomError

from . import model
from .problems import Problem, got_text
from .yamlfile import YamlFile, read_yaml

CONFIG_FILE = "mkdocs.yml"

# Markdown extensions that only change how Markdown becomes HTML: none reads a file, runs
# a command or loads a script (pymdownx.snippets, for one, includes any file it is given).
SAFE_EXTENSIONS = (
    "abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "sane_lists", "smarty", "tables", "toc",
    "pymdownx.betterem", "pymdownx.caret", "pymdownx.details", "pymdownx.mark", "pymdownx.tabbed", "pymdownx.tilde",
)
# Values guide build relies on: (pattern, what to write).
FIXED = {
    "docs_dir": (r"build/docs/[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", "build/docs/ja"),
    "site_dir": (r"site", "site"),
    "use_directory_urls": (True, "true"),
    "theme.name": (r"material", "material"),
    "theme.custom_dir": (r"overrides", "overrides"),
    "theme.font": (False, "false"),
}
# Printed by the theme without escaping (see build.py): the rule of site titles.
THEME_TEXTS = ("site_name", "site_description", "site_author", "copyright", "repo_name", "edit_uri")
TOP_KEYS = (
    *THEME_TEXTS, "repo_url", "docs_dir", "site_dir", "use_directory_urls", "strict", "theme", "plugins",
    "markdown_extensions", "extra_css", "extra_javascript", "extra", "nav", "not_in_nav", "exclude_docs", "validation",
)
THEME_KEYS = ("name", "custom_dir", "language", "font", "features", "palette", "logo", "favicon", "icon")
EXTRA_KEYS = ("generator", "homepage", "social")
# Settings that run code at build time, read settings from elsewhere, or load code into the pages.
RUNS_CODE = ("hooks", "plugins")  # plugins: [] is allowed (the shipped file says why)
LOADS_FROM_ELSEWHERE = ("INHERIT", "extra.analytics", "extra.consent")
# YAML tags PyYAML resolves by itself; any other (!!python/name:, !ENV …) runs or reads something.
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "merge"))
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:|^[/\\]")


def config_problems(root: Path, *, required: bool = True) -> list[Problem]:
    """Every problem of `root/mkdocs.yml`, located; its absence is one when `required` (to build)."""
    path = root / CONFIG_FILE
    if not path.is_file():
        return [Problem(CONFIG_FILE, 1, 1, "file_missing", {"expected": CONFIG_FILE})] if required else []
    yf = read_yaml(path, CONFIG_FILE)
    if yf.data is None:
        return yf.problems
    problems = yf.problems + _tag_problems(path)
    if not isinstance(yf.data, dict):
        return [*problems, yf.problem((), "dict_type", got=got_text(yf.data))]
    return problems + _Rules(yf).check()


def _tag_problems(path: Path) -> list[Problem]:
    """Explicit YAML tags other than the plain ones (read_yaml has reported local `!tags` already)."""
    problems, seen = [], set()
    pending = [yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)]
    while pending:
        node = pending.pop()
        if id(node) in seen:  # an alias: its node is walked once
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            pending += [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            pending += node.value
        if node is not None and not node.tag.startswith("!") and node.tag not in _PLAIN_TAGS:
            mark = node.start_mark
            tag = node.tag.replace("tag:yaml.org,2002:", "!!", 1)
            problems.append(Problem(CONFIG_FILE, mark.line + 1, mark.column + 1, "yaml_tag", {"tag": tag}))
    return sorted(problems)


class _Rules:
    def __init__(self, yf: YamlFile):
        self.yf, self.problems = yf, []

    def add(self, path: tuple, code: str, *, key: bool = False, **params) -> None:
        self.problems.append(self.yf.problem(path, code, key=key, **params))

    def refuse(self, path: tuple, why: str, **params) -> None:
        self.add(path, "mkdocs_refused", key=True, setting=".".join(map(str, path)), why=(why, params))

    def check(self) -> list[Problem]:
        config = self.yf.data
        self.keys((), config, TOP_KEYS)
        for name in THEME_TEXTS:
            if name in config:
                self.theme_text((name,), config[name])
        if "repo_url" in config and not (isinstance(config["repo_url"], str) and re.fullmatch(model.URL_PATTERN, config["repo_url"])):
            self.add(("repo_url",), "pattern_mismatch", value=got_text(config["repo_url"]), format=("format_url", {}))
        theme = config.get("theme")
        if isinstance(theme, dict):
            self.keys(("theme",), theme, THEME_KEYS)
            for name in ("logo", "favicon"):
                if name in theme:
                    self.local_path(("theme", name), theme[name])
        elif "theme" in config:
            self.add(("theme",), "dict_type", got=got_text(theme))
        for dotted, (rule, expected) in FIXED.items():
            self.fixed(tuple(dotted.split(".")), rule, expected)
        self.extensions(config.get("markdown_extensions"))
        for name in ("extra_css", "extra_javascript"):
            for index, item in enumerate(self.listed(config, name)):
                self.local_path((name, index), item.get("path") if isinstance(item, dict) else item)
        extra = config.get("extra")
        if isinstance(extra, dict):
            self.keys(("extra",), extra, EXTRA_KEYS)
            if "homepage" in extra:
                self.local_path(("extra", "homepage"), extra["homepage"])
        return self.problems

    def keys(self, at: tuple, mapping: dict, allowed: tuple[str, ...]) -> None:
        for key in mapping:
            dotted = ".".join((*map(str, at), key))
            if key in RUNS_CODE and (key != "plugins" or mapping[key]):  # plugins: [] is the one allowed value
                self.refuse((*at, key), "mkdocs_why_code")
            elif dotted in LOADS_FROM_ELSEWHERE:  # INHERIT reads settings (hooks …) from another file
                self.refuse((*at, key), "mkdocs_why_elsewhere")
            elif key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = ("did_you_mean", {"suggestion": close[0]}) if close else ("allowed_fields", {"allowed": ", ".join(allowed)})
                self.add((*at, key), "extra_forbidden", key=True, field=dotted, hint=hint)

    def fixed(self, path: tuple, rule: object, expected: str) -> None:
        parent = self.yf.data if len(path) == 1 else self.yf.data.get(path[0])
        if not isinstance(parent, dict) or path[-1] not in parent:
            return  # left out: guide build gives it
        value = parent[path[-1]]
        ok = value is rule if isinstance(rule, bool) else isinstance(value, str) and re.fullmatch(rule, value)
        if not ok:
            self.refuse(path, "mkdocs_why_fixed", expected=expected)

    def theme_text(self, path: tuple, value: object) -> None:
        try:
            model.check_control(model.check_theme_text(str(value)), multiline=False)
        except PydanticCustomError as err:
            self.add(path, err.type, **(err.context or {}))

    def local_path(self, path: tuple, value: object) -> None:
        """A file of the site itself: no address elsewhere, no absolute path, no way up out of the folder."""
        if not isinstance(value, str) or _SCHEME.match(value) or ".." in re.split(r"[/\\]", value):
            self.refuse(path, "mkdocs_why_elsewhere")

    def listed(self, config: dict, name: str) -> list:
        value = config.get(name)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add((name,), "list_type", got=got_text(value))
            return []
        return value

    def extensions(self, extensions: object) -> None:
        for index, item in enumerate(self.listed({"markdown_extensions": extensions}, "markdown_extensions")):
            name = next(iter(item), None) if isinstance(item, dict) and len(item) == 1 else item
            if name not in SAFE_EXTENSIONS:
                self.add(("markdown_extensions", index), "mkdocs_extension", name=got_text(name), allowed=", ".join(SAFE_EXTENSIONS))
