"""Languages: UI strings from gettext catalogs (locale/<lang>.po), data texts with visible fallback.

Every word the tool shows comes from these catalogs: the pages and handouts (Jinja's
`_()`, parameters written %(name)s), and the tool's own messages — `guide check`,
`diff`, `report`, the command line — through `Words` (parameters written {name}, as the
browser scripts' strings are).  Message ids are English; a language without a catalog
shows English, never blank.  A data text missing in the page's language falls back to
the default (Japanese) text, marked with its own `lang` attribute and a short note.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from markupsafe import Markup, escape

from .model import Site, Text

LOCALE_DIR = "locale"
# The generator's own catalogs: the words of the command line (a guide's folder has the same).
GENERATOR_LOCALE = Path(__file__).resolve().parents[2] / LOCALE_DIR
TOOL_LANGUAGE = "ja"  # the language the tool speaks when not told otherwise (--lang); a guide's texts follow default_language


def _compiled(po_file: Path, lang: str) -> Translations:
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=lang.replace("-", "_"))
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def translations(root: Path, lang: str) -> NullTranslations:
    """The UI catalog for `lang`: the guide's own locale/<lang>.po first, then the generator's (a
    guide made by `guide new` keeps only its own words there); English ids when neither has one."""
    catalogs = [po for po in dict.fromkeys(((root / LOCALE_DIR / f"{lang}.po").resolve(), GENERATOR_LOCALE / f"{lang}.po")) if po.exists()]
    if not catalogs:
        return NullTranslations()
    return _layered(tuple((po, po.stat().st_mtime) for po in catalogs), lang)


@lru_cache(maxsize=16)
def _layered(catalogs: tuple[tuple[Path, float], ...], lang: str) -> Translations:
    """The catalogs compiled, each falling back to the next."""
    first, *rest = [_compiled(po, lang) for po, _mtime in catalogs]  # the times: a changed catalog is compiled again
    for fallback in rest:
        first.add_fallback(fallback)
    return first


def catalog_languages(locale_dir: Path = GENERATOR_LOCALE) -> list[str]:
    """The languages the tool can speak: English (the message ids) and each locale/<lang>.po."""
    return sorted({"en", *(po.stem for po in locale_dir.glob("*.po"))})


class Words:
    """The tool's own words in one language: `words("{n} errors", n=2)`, `words.of("field", "note")`."""

    def __init__(self, lang: str, catalog: NullTranslations | None = None):
        self.lang = lang
        self.catalog = catalog if catalog is not None else translations(GENERATOR_LOCALE.parent, lang)

    def __call__(self, msgid: str, /, **params) -> str:
        return _fill(self.catalog.gettext(msgid), params)

    def of(self, context: str, msgid: str, /, **params) -> str:
        """A word whose translation depends on what it is about (gettext's msgctxt)."""
        return _fill(self.catalog.pgettext(context, msgid), params)


def _fill(text: str, params: dict) -> str:
    try:
        return text.format(**params)
    except (KeyError, IndexError):  # a translation naming a parameter the code does not give: show it as written
        return text


def later(msgid: str, /, **params) -> tuple[str, dict]:
    """A message to word once the reader's language is known (a parameter of another message)."""
    return (msgid, params)


@lru_cache(maxsize=8)
def words(lang: str) -> Words:
    """The tool's words in `lang`, from the generator's catalogs."""
    return Words(lang)


@dataclass(frozen=True)
class Localized:
    """A data text as one language sees it."""

    value: str
    lang: str
    fallback: bool
    unofficial: bool

    def __str__(self) -> str:
        return self.value


def default_language(site: Site) -> str:
    """The language every text has: the first required one."""
    return next((lang.code for lang in site.languages if lang.required), site.languages[0].code)


def pick(text: Text | None, lang: str, default: str) -> Localized | None:
    """The text in `lang`, else in the default language, else in any language it has (a fallback)."""
    if text is None:
        return None
    value = text.get(lang)
    if value is not None:
        return Localized(value, lang, False, text.is_unofficial(lang))
    for other in (default, *text.languages):
        if text.get(other) is not None:
            return Localized(text.get(other), other, True, False)
    return None


class Texts:
    """Picks the right language of each data text for one edition of the site."""

    def __init__(self, site: Site, lang: str, gettext):
        self.lang = lang
        self.default = default_language(site)
        self.gettext = gettext

    def pick(self, text: Text | None) -> Localized | None:
        return pick(text, self.lang, self.default)

    def plain(self, text: Text | None) -> str:
        picked = self.pick(text)
        return picked.value if picked else ""

    def html(self, text: Text | None, *, note: bool = True) -> Markup:
        """The text for HTML: a fallback carries its own lang and a visible "Japanese only" note."""
        picked = self.pick(text)
        if picked is None:
            return Markup("")
        if not picked.fallback:
            return escape(picked.value)
        # Markup's own format is slow, and an edition not yet translated shows a fallback in most texts.
        html = Markup(f'<span lang="{escape(picked.lang)}">{escape(picked.value)}</span>')
        return html + self._fallback_note if note else html

    @cached_property
    def _fallback_note(self) -> Markup:
        return Markup(' <small class="fallback-note">({})</small>').format(self.gettext("Japanese only"))


def N_(msgid: str) -> str:
    """Marks a message id that is translated later, where it is shown (a table, a reason returned)."""
    return msgid
