"""Load `data/` into one validated `Guide`, collecting every problem in one run."""

from __future__ import annotations

import difflib
import os
import types
import typing
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ValidationError

from . import model
from .messages import CATALOG
from .mkdocs_config import config_problems
from .problems import DataError, Problem, got_text
from .workers import forked_call
from .yamlfile import YamlFile, collector_paused, read_yaml

# attribute of Guide -> (file in data/, model of that file)
DATA_FILES: dict[str, tuple[str, type[BaseModel]]] = {
    "site": ("site.yaml", model.Site),
    "taxonomy": ("categories.yaml", model.Taxonomy),
    "areas": ("areas.yaml", model.Areas),
    "sources": ("sources.yaml", model.SourceFile),
    "agencies": ("agencies.yaml", model.AgencyFile),
    "programs": ("programs.yaml", model.ProgramFile),
}
# Files a guide may leave out: read and checked like the others when they are there.
OPTIONAL_DATA_FILES: dict[str, tuple[str, type[BaseModel]]] = {"phrases": ("phrases.yaml", model.PhraseFile), "flow": ("flow.yaml", model.Flow)}
PRIVATE_FILE = "private.yaml"
# Folders the build reads from or copies into site/.  A symlink in them may point only inside
# its own folder: one to data/private.yaml, /etc/passwd or /proc/self/environ would otherwise be
# read as data or published.  Nothing behind such a link is read, not even to quote it; nor
# is a hard link (a second name for a file), wherever it points.
PROJECT_FOLDERS = ("data", "content", "overrides", "locale")
SITE_DIR, BUILD_DIR = "site", "build"  # what `guide build` writes, and replaces on the next build
PARSED_DIR = "parsed"  # in BUILD_DIR: what the data files parsed into, for the next build (yamlfile.read_yaml's `kept`)

_DATE_ERRORS = {"date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"}
_SIMPLE_TYPES = {
    "string_type": "string_type",
    "int_type": "int_type",
    "int_parsing": "int_type",
    "int_from_float": "int_type",
    "bool_type": "bool_type",
    "bool_parsing": "bool_type",
    "list_type": "list_type",
    "dict_type": "dict_type",
    "model_type": "dict_type",
    "model_attributes_type": "dict_type",
}
# Format hints for pattern errors, by field name: messages.CATALOG["format_<field>"].
_FORMATS = ("postal_code", "email", "url", "report_error_url", "local_government_code", "phone_area_code", "code", "agencies")


@dataclass
class Loaded:
    """The result of loading: the guide (when there were no errors) and every problem found."""

    guide: model.Guide | None
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, YamlFile] = field(default_factory=dict)
    private: model.PrivateOverlay | None = None

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def load_guide(root: Path, *, today: date | None = None, with_private: bool = False, keep_parsed: bool = False) -> Loaded:
    """Read and check every data file under `root/data`.  Never raises for bad data.

    `keep_parsed`: keep what the public files parsed into in the build's folder, for the next build."""
    with collector_paused():  # the model of a large guide is millions of lasting objects
        return _load_guide(root, today=today, with_private=with_private, kept=root / BUILD_DIR / PARSED_DIR if keep_parsed else None)


def _load_guide(root: Path, *, today: date | None, with_private: bool, kept: Path | None) -> Loaded:
    from .checks import check_guide  # noqa: PLC0415 - checks imports this module's types
    data_dir = root / "data"
    result = Loaded(guide=None, problems=link_problems(root))
    parts: dict[str, BaseModel] = {}
    context = {"phone_region": model.City.model_fields["country"].default, "area_code": ""}  # until site.yaml says
    for attribute, (filename, file_model) in DATA_FILES.items():
        parsed = _parse(data_dir / filename, f"data/{filename}", file_model, result, context, kept)
        if parsed is not None:
            parts[attribute] = parsed
        if attribute == "site" and parsed is not None:
            context = {"phone_region": parsed.city.country, "area_code": parsed.city.phone_area_code or ""}
    for attribute, (filename, file_model) in OPTIONAL_DATA_FILES.items():
        if (data_dir / filename).exists():
            parsed = _parse(data_dir / filename, f"data/{filename}", file_model, result, context, kept)
            if parsed is not None:  # else its problems are reported, and there is no guide
                parts[attribute] = parsed
    if with_private and (data_dir / PRIVATE_FILE).is_file():
        result.private = _parse(data_dir / PRIVATE_FILE, f"data/{PRIVATE_FILE}", model.PrivateOverlay, result, context)
    if all(attribute in parts for attribute in DATA_FILES):
        guide = model.Guide(
            site=parts["site"],
            taxonomy=parts["taxonomy"],
            areas=parts["areas"],
            sources=parts["sources"],
            agencies=list(parts["agencies"].agencies),
            programs=list(parts["programs"].programs),
            **{attribute: parts[attribute] for attribute in OPTIONAL_DATA_FILES if attribute in parts},
        )
        result.problems += check_guide(guide, result.files, today or date.today(), result.private)
        if not result.errors:
            result.guide = guide
    result.problems.sort(key=lambda p: (p.file, p.line, p.column))
    return result


def city_today(root: Path) -> date:
    """Today's date in the city (site.yaml city.timezone): freshness is judged by the city's calendar
    day, whatever the machine's zone.  The machine's date while site.yaml cannot tell (it is checked anyway)."""
    path = root / "data" / DATA_FILES["site"][0]
    site = read_yaml(path, path.name).data if path.is_file() else None
    city = site.get("city") if isinstance(site, dict) else None
    zone = city.get("timezone") if isinstance(city, dict) else None
    try:
        return datetime.now(ZoneInfo(zone)).date() if isinstance(zone, str) else date.today()
    except (ValueError, ZoneInfoNotFoundError):
        return date.today()


def with_config(loaded: Loaded, root: Path, *, required: bool = True) -> Loaded:
    """`loaded` with the problems of mkdocs.yml and of content/'s pages added: an error there stops
    the build as bad data does.  Only what builds the site (check, build, serve) asks: the pages are
    rendered to be checked, after mkdocs.yml's Markdown extensions have been.

    `guide check` also checks a folder of data alone (`required=False`): only a build needs the file."""
    return _with_site_problems(loaded, site_problems(root, required=required))


def site_problems(root: Path, *, required: bool = True) -> list[Problem]:
    """The problems of mkdocs.yml and of content/'s pages (see with_config)."""
    from .content import content_problems  # noqa: PLC0415 - Markdown and MkDocs are slow to import: only here

    return config_problems(root, required=required) + content_problems(root)


def _with_site_problems(loaded: Loaded, problems: list[Problem]) -> Loaded:
    if problems:
        loaded.problems = sorted([*loaded.problems, *problems], key=lambda p: (p.file, p.line, p.column))
        if any(p.is_error for p in problems):
            loaded.guide = None
    return loaded


def load_or_raise(root: Path, **kwargs) -> Loaded:
    """The guide, for building it: its data and mkdocs.yml checked; DataError with every problem.
    content/ and mkdocs.yml are checked in a worker meanwhile: they need nothing of the data."""
    with forked_call(site_problems, root) as problems:
        loaded = _with_site_problems(load_guide(root, **kwargs), problems())
    if loaded.guide is None:
        raise DataError(loaded.problems)
    return loaded


# Files that are lists of records: a broken record is reported and left out, and the
# rest are still checked against each other, so one run shows every mistake.
RECORD_LISTS = {
    model.AgencyFile: ("agencies", model.Agency),
    model.ProgramFile: ("programs", model.Program),
    model.PhraseFile: ("phrases", model.Phrase),
    model.Flow: ("questions", model.FlowQuestion),  # kept without its start and source (checks.flow: only its references then)
}


def link_problems(root: Path) -> list[Problem]:
    """Every symlink in the project's folders that leads out of its folder (or to the private overlay), and every hard link.

    A hard link is the same file under a second name (content/x.md sharing data/private.yaml):
    nothing tells where its contents come from, so none is read or published."""
    private = (root / "data" / PRIVATE_FILE).resolve()
    problems = []
    for folder in PROJECT_FOLDERS:
        base = root / folder
        if base.is_symlink():  # even to another folder of the project: content/ -> data/ would publish it
            problems.append(Problem(folder, 1, 1, "symlink_outside", {"folder": folder}))
            continue
        for parent, dirs, files in os.walk(base) if base.is_dir() else ():  # does not follow links
            for name in [*dirs, *files]:
                path = Path(parent) / name
                if path.is_symlink() and not _leads_inside(path, base.resolve(), private):
                    problems.append(Problem(path.relative_to(root).as_posix(), 1, 1, "symlink_outside", {"folder": folder}))
                elif name in files and not path.is_symlink() and path.lstat().st_nlink > 1:
                    problems.append(Problem(path.relative_to(root).as_posix(), 1, 1, "hard_link", {}))
    return problems


def _leads_inside(link: Path, folder: Path, private: Path) -> bool:
    try:
        target = link.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling, or a loop of links
        return False
    return target.is_relative_to(folder) and target != private


def _parse(path: Path, display: str, file_model: type[BaseModel], result: Loaded, context: dict, kept: Path | None = None) -> BaseModel | None:
    """The file's model, its problems added to `result`; `kept`: see read_yaml (never for the private overlay: it stays in its one file)."""
    if any(p.code in ("symlink_outside", "hard_link") and (display + "/").startswith(p.file + "/") for p in result.problems):
        return None  # reported, and not read (the file, or the data/ folder, is such a link)
    if not path.exists():
        result.problems.append(Problem(display, 1, 1, "file_missing", {"expected": display}))
        return None
    if not path.is_file():
        result.problems.append(Problem(display, 1, 1, "not_a_file", {"expected": display}))
        return None
    yf = read_yaml(path, display, kept=kept)
    result.files[display] = yf
    result.problems += yf.problems
    if yf.data is None:
        return None
    try:
        return file_model.model_validate(yf.data, context=context)
    except ValidationError as err:
        _report(yf, err, file_model, result)
    if file_model in RECORD_LISTS and isinstance(yf.data, dict):
        key, record_model = RECORD_LISTS[file_model]
        valid = []
        for raw in yf.data.get(key) or []:
            try:
                valid.append(record_model.model_validate(raw, context=context))
            except ValidationError:
                continue  # already reported above
        return file_model.model_construct(**{key: valid}, **({"start": None, "source": []} if file_model is model.Flow else {}))
    return None


def _report(yf: YamlFile, err: ValidationError, file_model: type[BaseModel], result: Loaded) -> None:
    seen: set[tuple] = set()
    for detail in err.errors(include_url=False):
        problem = _problem_from_error(yf, detail, file_model)
        key = (problem.line, problem.column, str(problem.params.get("field", "")))
        if key not in seen:  # a union reports one mistake once per member: keep the first
            seen.add(key)
            result.problems.append(problem)


def _data_path(yf: YamlFile, loc: tuple) -> tuple:
    """The longest prefix of a pydantic location that names something in the file."""
    path: tuple = ()
    node = yf.data
    for step in loc:
        if isinstance(node, dict) and step in node:
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            break
        path = (*path, step)
    return path


def _problem_from_error(yf: YamlFile, detail: dict, file_model: type[BaseModel]) -> Problem:
    loc, kind, ctx, value = tuple(detail["loc"]), detail["type"], detail.get("ctx") or {}, detail.get("input")
    path = _data_path(yf, loc)
    named = [step for step in loc if isinstance(step, str)]
    field_name = named[-1] if named else ""
    if kind == "missing":
        return yf.problem(path, "missing", field=loc[-1])
    if kind == "extra_forbidden":
        allowed = _fields_at(file_model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        hint = ("did_you_mean", {"suggestion": close[0]}) if close else ("allowed_fields", {"allowed": ", ".join(allowed)})
        return yf.problem(path, "extra_forbidden", key=True, field=loc[-1], hint=hint)
    if kind in _SIMPLE_TYPES:
        return yf.problem(path, _SIMPLE_TYPES[kind], got=got_text(value))
    if kind in _DATE_ERRORS:
        return yf.problem(path, "date_invalid", value=got_text(value))
    if kind == "literal_error":
        expected = str(ctx.get("expected", "")).replace("' or '", "', '")
        return yf.problem(path, "literal_error", value=got_text(value), expected=expected)
    if kind == "string_pattern_mismatch":
        hint = f"format_{field_name}" if field_name in _FORMATS else "format_other"
        return yf.problem(path, "pattern_mismatch", value=got_text(value), format=(hint, {}))
    if kind == "too_short":
        return yf.problem(path, "too_short", min=ctx.get("min_length", 1))
    if kind == "string_too_short":
        return yf.problem(path, "string_too_short")
    if kind in {"greater_than_equal", "less_than_equal", "greater_than", "less_than"}:
        limit = next((f"{op} {ctx[k]}" for k, op in (("ge", "≥"), ("le", "≤"), ("gt", ">"), ("lt", "<")) if k in ctx), "")
        return yf.problem(path, "number_range", value=got_text(value), limit=limit)
    if kind in CATALOG:
        # A problem with one language of a text points at that language: its value when the
        # value is what is wrong, else its key.
        lang_path = (*path, ctx["lang"]) if "lang" in ctx else None
        if lang_path and kind in {"text_value_empty", "text_invisible", "theme_text_markup"} and lang_path in yf.values:
            return yf.problem(lang_path, kind, **ctx)
        at_key = lang_path is not None and lang_path in yf.keys
        return yf.problem(lang_path if at_key else path, kind, key=at_key, **ctx)
    return yf.problem(path, "invalid_value", detail=detail.get("msg", kind))


def _fields_at(file_model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the model found at `loc`, for "did you mean" hints."""
    current: object = file_model
    for step in loc:
        current = _unwrap(current, isinstance(step, int))
        if isinstance(step, int):
            continue
        if isinstance(current, type) and issubclass(current, BaseModel) and step in current.model_fields:
            current = current.model_fields[step].annotation
        else:
            return []
    current = _unwrap(current, False)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _unwrap(annotation: object, into_list: bool) -> object:
    """Strip Optional/Annotated and, for a list index, the list."""
    for _ in range(6):
        origin = typing.get_origin(annotation)
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if origin is typing.Annotated:
            annotation = args[0]
        elif origin in (typing.Union, types.UnionType) and len(args) == 1:
            annotation = args[0]
        elif into_list and origin is list:
            annotation, into_list = args[0], False
        else:
            break
    return annotation
