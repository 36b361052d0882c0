"""The Jinja2 environment the guide's own templates are rendered in (pages, handouts and slips): one factory."""

from __future__ import annotations

from pathlib import Path

from jinja2 import BytecodeCache, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import escape

TEMPLATES = Path(__file__).parent / "templates"


def template_environment(translations, bytecode_cache: BytecodeCache | None = None) -> Environment:
    """The Jinja2 environment of every page: escaping on, undefined names are errors, gettext from `translations`;
    compiled templates kept in `bytecode_cache` (Jinja checks each against its source)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates are the generator's own: no need to stat them on every include
        bytecode_cache=bytecode_cache,
    )
    # Translations are text, not markup: escaped like every other value (Jinja would trust them).
    env.install_gettext_callables(
        lambda message: escape(translations.gettext(message)),
        lambda singular, plural, n: escape(translations.ngettext(singular, plural, n)),
        newstyle=True,
    )
    env.tests["contains"] = lambda sequence, item: item in sequence
    return env
