"""Languages: UI strings from gettext catalogs (locale/<lang>.po), data texts with visible fallback.

Message ids are English; a language without a catalog shows English UI, never
blank.  A data text missing in the page's language falls back to the default
(Japanese) text, marked with its own `lang` attribute and a short note.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from markupsafe import Markup, escape

from .model import Site, Text

LOCALE_DIR = "locale"


@lru_cache(maxsize=16)
def _compiled(po_file: Path, mtime: float, lang: str) -> Translations:
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=lang.replace("-", "_"))
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def translations(root: Path, lang: str) -> NullTranslations:
    """The UI catalog for `lang`, compiled from locale/<lang>.po; English ids when there is none."""
    po_file = root / LOCALE_DIR / f"{lang}.po"
    if not po_file.exists():
        return NullTranslations()
    return _compiled(po_file, po_file.stat().st_mtime, lang)


@dataclass(frozen=True)
class Localized:
    """A data text as one language sees it."""

    value: str
    lang: str
    fallback: bool
    unofficial: bool

    def __str__(self) -> str:
        return self.value


class Texts:
    """Picks the right language of each data text for one edition of the site."""

    def __init__(self, site: Site, lang: str, gettext):
        self.lang = lang
        self.default = next((lang.code for lang in site.languages if lang.required), site.languages[0].code)
        self.gettext = gettext

    def pick(self, text: Text | None) -> Localized | None:
        if text is None:
            return None
        value = text.get(self.lang)
        if value is not None:
            return Localized(value, self.lang, False, text.is_unofficial(self.lang))
        for lang in (self.default, *text.languages):
            if text.get(lang) is not None:
                return Localized(text.get(lang), lang, True, False)
        return None

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
        marker = (
            Markup(' <small class="fallback-note">({})</small>').format(self.gettext("Japanese only"))
            if note
            else Markup("")
        )
        return Markup('<span lang="{}">{}</span>{}').format(picked.lang, picked.value, marker)
