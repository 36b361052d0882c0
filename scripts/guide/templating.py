"""The Jinja2 environment the guide's own templates are rendered in (pages, handouts and slips): one factory;
and the components they are made of (components/: one folder per component, see CONTRIBUTING.md)."""

from __future__ import annotations

import functools
import re
import types
from datetime import date
from pathlib import Path
from typing import Annotated

import yaml
from jinja2 import BytecodeCache, Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.ext import Extension
from jinja2.runtime import Context, Macro
from markupsafe import Markup, escape
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .model import Address, Agency, Branch, Hours, Phone, Program, Service, Text

TEMPLATES = Path(__file__).parent / "templates"


def template_environment(translations, bytecode_cache: BytecodeCache | None = None) -> Environment:
    """The Jinja2 environment of every page: escaping on, undefined names are errors, gettext from `translations`;
    compiled templates kept in `bytecode_cache` (Jinja checks each against its source)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates are the generator's own: no need to stat them on every include
        bytecode_cache=bytecode_cache,
        extensions=[_InlinedPartials],
    )
    env.context_class = _CallingContext
    env.globals.update(_gettext_callables(translations))
    env.tests["contains"] = lambda sequence, item: item in sequence
    return env


def _gettext_callables(translations) -> dict:
    """`_`, `gettext` and `ngettext` for the templates, as Jinja's i18n extension makes them with newstyle=True
    (the message is a %-format, its named values escaped), but called directly: the extension's go through
    two context calls each, and a page says ~30 words.  Translations are text, not markup: escaped like
    every other value (Jinja would trust them); a message's escaped form is made once."""

    @functools.cache
    def message(text: str) -> Markup:
        return Markup(escape(translations.gettext(text)))

    @functools.cache
    def word(text: str) -> Markup:  # most calls: a word with no values, formatted once
        return message(text) % {}

    def gettext(text: str, **values) -> Markup:
        return message(text) % values if values else word(text)

    def ngettext(singular: str, plural: str, n: int, **values) -> Markup:
        return Markup(escape(translations.ngettext(singular, plural, n))) % {"num": n, **values}

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


# What a template may call that never takes Jinja's context, environment or eval context as its first
# argument unless it is marked so (`jinja_pass_arg`): functions, methods, builtins and macros.
_PLAIN_CALLABLES = frozenset({types.FunctionType, types.MethodType, types.BuiltinFunctionType, Macro})


class _CallingContext(Context):
    """Jinja's template context, calling plain callables straight away.

    Every call in a template goes through Context.call, which looks for a `jinja_pass_arg` mark three
    times (on the object and on its __call__) before calling; the pages make ~200 calls each, and those
    lookups were a fifth of page generation.  Anything else is left to Jinja's own."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature: a template may pass `self=`
        if type(__obj) not in _PLAIN_CALLABLES or getattr(__obj, "jinja_pass_arg", None) is not None:
            return super().call(__obj, *args, **kwargs)
        if kwargs:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable raised a StopIteration exception")


PARTIALS = "partials/"


class _InlinedPartials(Extension):
    """`{% include "partials/…" %}` compiled into the template that includes it, as `{% with %}…{% endwith %}`
    (the same context and the same scope for what the partial sets): an include makes a template context
    each time, and a page includes four or five partials, on every page of its kind."""

    _INCLUDE = re.compile(r'\{% include "(' + PARTIALS + r'[^"]+)" %\}')

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        def inlined(match: re.Match) -> str:
            partial = self.environment.loader.get_source(self.environment, match[1])[0]
            partial = partial[:-1] if partial.endswith("\n") else partial  # as Jinja loads a template
            return "{% with %}" + self.preprocess(partial, match[1]) + "{% endwith %}"

        return self._INCLUDE.sub(inlined, source)


class CompiledTemplates(FileSystemBytecodeCache):
    """Compiled templates kept in `folder`: a template is compiled again when its source changed or a
    partial did (partials are compiled into the templates that include them, _InlinedPartials)."""

    _PARTIALS_TEXT = "".join(p.read_text(encoding="utf-8") for p in sorted((TEMPLATES / PARTIALS).glob("*.html")))

    def get_source_checksum(self, source: str) -> str:
        return super().get_source_checksum(source + self._PARTIALS_TEXT)


def markdown_block(html: str) -> str:
    """A rendered page body as one raw-HTML block of Markdown: a blank line would end the block."""
    return "\n".join(line for line in html.splitlines() if line.strip()) + "\n"


# --- components: one folder per piece of markup that pages, handouts and slips share ---------------
# components/<name>/template.html defines the macro <name>; params.yaml declares its parameters and
# names its examples; web.css and paper.css (either may be absent) style it on the site and on paper.
# Every component's macro is a global of the environment (install_components): a template calls
# `address_block(…)` without importing it; a component imports the components it is made of.

COMPONENTS = TEMPLATES / "components"
MEDIA = ("web", "paper")  # web.css goes into the site's assets/guide/components.css, paper.css after handouts.css
# What a parameter's `type` may name: a fact of the model (given in examples as in data/), or a plain value.
PARAM_TYPES = {
    "bool": bool,
    "int": int,
    "str": str,
    "date": date,
    "Text": Text,
    "Address": Address,
    "Phone": Phone,
    "Hours": Hours,
    "Service": Service,
    "Branch": Branch,
    "Agency": Agency,
    "Program": Program,
}
_LIST_TYPE = re.compile(r"^list\[(\w+)\]$")


def _type_name(value: str) -> str:
    named = _LIST_TYPE.match(value)
    if (named.group(1) if named else value) not in PARAM_TYPES:
        raise ValueError(f"unknown type {value!r} (one of {', '.join(PARAM_TYPES)}, or list[one of them])")
    return value


class Param(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    type: Annotated[str, AfterValidator(_type_name)]
    description: str = Field(min_length=1)
    required: bool = False  # every call gives it (the macro has no default for it); any value may be null

    def value(self, raw):
        """An example's value as the macro gets it: model facts validated as data/ is."""
        named = _LIST_TYPE.match(self.type)
        kind = list[PARAM_TYPES[named.group(1)]] if named else PARAM_TYPES[self.type]
        return TypeAdapter(kind | None).validate_python(raw)


class Example(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    description: str | None = None
    params: dict[str, object] = Field(default_factory=dict)


class Component(BaseModel):
    """A component's params.yaml: what it shows, what it takes, and examples of it in use."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    description: str = Field(min_length=1)
    params: list[Param]
    examples: list[Example] = Field(min_length=1)

    @property
    def template(self) -> str:
        return component_template(self.name)

    def arguments(self, example: Example) -> dict:
        """The macro's keyword arguments for `example`: every required parameter, and only declared ones."""
        declared = {p.name: p for p in self.params}
        unknown = set(example.params) - set(declared)
        missing = {p.name for p in self.params if p.required} - set(example.params)
        if unknown or missing:
            raise ValueError(f"{self.name}: example {example.name!r} gives undeclared {sorted(unknown)}, lacks {sorted(missing)}")
        return {name: declared[name].value(raw) for name, raw in example.params.items()}


def component_template(name: str) -> str:
    """The template that defines the component's macro."""
    return f"components/{name}/template.html"


@functools.cache
def component_names() -> tuple[str, ...]:
    """Every component's name, its folder's: what a build needs (the declarations, components(), are for its tests)."""
    return tuple(sorted(path.parent.name for path in COMPONENTS.glob("*/template.html")))


@functools.cache
def components() -> tuple[Component, ...]:
    """Every component, by name; a params.yaml that does not follow the schema stops here, naming the file."""
    found = []
    for spec in sorted(COMPONENTS.glob("*/params.yaml")):
        try:
            component = Component.model_validate(yaml.safe_load(spec.read_text(encoding="utf-8")))
        except (yaml.YAMLError, ValidationError) as err:
            raise ValueError(f"{spec}: {err}") from None
        if component.name != spec.parent.name:
            raise ValueError(f"{spec}: name {component.name!r} is not its folder's name {spec.parent.name!r}")
        found.append(component)
    return tuple(found)


def install_components(env: Environment) -> None:
    """Every component's macro as a global of `env`, made once: an import per page would cost a module
    (a template context, and one more with context) on every page.  Call it when `env`'s other globals
    are set: a macro sees the environment's globals as they were when it was made."""
    for name in component_names():
        env.globals[name] = getattr(env.get_template(component_template(name)).module, name)


def component_stylesheets(medium: str) -> list[Path]:
    """The components' CSS files for `medium` ("web" or "paper"), in name order."""
    assert medium in MEDIA, medium
    return [path for path in (COMPONENTS / name / f"{medium}.css" for name in component_names()) if path.is_file()]


def component_css(medium: str) -> str:
    """The components' CSS for `medium`, gathered into one stylesheet, each part headed by its file."""
    return "".join(f"/* components/{p.parent.name}/{p.name} */\n{p.read_text(encoding='utf-8')}\n" for p in component_stylesheets(medium))
