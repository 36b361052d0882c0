"""Fail loudly instead of printing empty boxes.

When the Japanese font is missing, WeasyPrint still exits without error: it draws
empty boxes (or quietly borrows another font), and `pdftotext` still extracts the
right text, so nobody notices until the sheet is on a notice board.  Before and
while printing, the handouts therefore check three things:

(a) the exact font family resolves through fontconfig (`fc-match`, which honours
    FONTCONFIG_FILE like WeasyPrint's own fontconfig does);
(b) every character about to be printed is in the character map of the font file
    fontconfig resolves (rare kanji such as 𠮷 and emoji are not in BIZ UD);
(c) WeasyPrint's ".notdef" (missing glyph) warnings on the `weasyprint` logger are
    errors, and after drawing, every font WeasyPrint embedded is of that family.

Every problem raises `HandoutError`, whose message says what to do; the command line
prints it without a traceback and exits 1.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from pydantic import BaseModel

from .i18n import later, words

FAMILY = "BIZ UDPGothic"  # the universal-design font the handouts are set in (Morisawa BIZ UD)
PACKAGE = "fonts-morisawa-bizud-gothic"
INSTALL = f"sudo apt-get install {PACKAGE}"
# Characters that are never drawn as glyphs: line breaks, soft hyphens, joiners, variation selectors.
INVISIBLE = frozenset("\n\r\t\f\u00ad\u200b\u200c\u200d\u2060\ufeff") | frozenset(map(chr, range(0xFE00, 0xFE10)))


class HandoutError(Exception):
    """A handout could not be printed correctly: a message id of the catalogs and its parameters.

    A parameter given as i18n.later(msgid, …) is worded first; a list of them becomes one line each.
    str() is the English message; `in_language` words it in another."""

    def __init__(self, msgid: str, /, **params):
        self.msgid, self.params = msgid, params
        super().__init__(self.in_language("en"))

    def in_language(self, lang: str) -> str:
        say = words(lang)

        def worded(value):
            if isinstance(value, tuple):
                return say(value[0], **{k: worded(v) for k, v in value[1].items()})
            if isinstance(value, list):
                return "\n".join(worded(v) for v in value)
            return value

        return say(self.msgid, **{k: worded(v) for k, v in self.params.items()})


@dataclass(frozen=True)
class Face:
    """One font file fontconfig resolves for the family (regular or bold)."""

    family: str
    style: str
    file: Path


def _config_note() -> tuple | str:
    config = os.environ.get("FONTCONFIG_FILE")
    return later(" (fontconfig configuration: FONTCONFIG_FILE={config})", config=config) if config else ""


def resolve_faces(family: str = FAMILY) -> list[Face]:
    """The regular and bold files fontconfig gives for `family`; HandoutError when it gives another family."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise HandoutError("handouts: fc-match was not found, so the font cannot be checked. Install fontconfig: sudo apt-get install fontconfig")
    faces = []
    for weight in ("regular", "bold"):
        done = subprocess.run(
            [fc_match, "--format", "%{family}\t%{style}\t%{file}\n", f"{family}:weight={weight}"],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
        line = done.stdout.strip().splitlines()[0] if done.stdout.strip() else ""
        families, style, file = (line.split("\t") + ["", "", ""])[:3]
        names = [name.strip() for name in families.split(",") if name.strip()]
        if family not in names:
            found = later('"{name}" ({file})', name=names[0], file=file) if names else later("no font at all")
            raise HandoutError(
                'handouts: the font "{family}" is not installed{note}; fontconfig gives {found} instead, '
                "so Japanese text would print as empty boxes or in the wrong font. Install it: {install}",
                family=family, note=_config_note(), found=found, install=INSTALL,
            )
        faces.append(Face(family, style, Path(file)))
    return faces


@lru_cache(maxsize=8)
def _cmap(file: Path, mtime: float) -> frozenset[int]:
    from fontTools.ttLib import TTFont  # noqa: PLC0415 - only when printing

    with TTFont(str(file), lazy=True, fontNumber=0) as font:
        return frozenset(font.getBestCmap() or {})


def coverage(faces: Iterable[Face]) -> frozenset[int]:
    """The code points every face has (a character must print in regular and in bold)."""
    result: frozenset[int] | None = None
    for face in faces:
        try:
            chars = _cmap(face.file, face.file.stat().st_mtime)
        except Exception as err:  # noqa: BLE001 - an unreadable font file is reported, never a traceback
            raise HandoutError(
                "handouts: cannot read the font file {file} ({error}). Reinstall it: {install} --reinstall",
                file=face.file, error=f"{type(err).__name__}: {err}", install=INSTALL,
            ) from None
        result = chars if result is None else result & chars
    return result or frozenset()


# --- what is printed: the text of the HTML a handout is made from -----------------


class _TextOf(HTMLParser):
    SKIP = frozenset({"head", "style", "script", "svg", "title"})

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.parts.append(data)


def printed_text(html: str) -> str:
    """The characters a reader will see: text nodes outside head, style, script and the QR code's SVG."""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def describe(char: str) -> str:
    name = unicodedata.name(char, "")
    return f"{char} (U+{ord(char):04X}{' ' + name if name else ''})"


def find_in_records(chars: Iterable[str], records: Iterable[tuple[str, BaseModel]]) -> dict[str, list[str]]:
    """Where each character occurs in the data: 'data/agencies.yaml: agency "x" → name.ja'."""
    wanted = set(chars)
    found: dict[str, list[str]] = {c: [] for c in wanted}

    def walk(value: object, path: str, label: str) -> None:
        if isinstance(value, str):
            for char in wanted & set(value):
                found[char].append(f"{label} → {path}" if path else label)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else str(key), label)
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]", label)

    for label, record in records:
        walk(record.model_dump(mode="python"), "", label)
    return found


class FontGuard:
    """The checks of one printing run, against the font files fontconfig resolves now."""

    def __init__(self, family: str = FAMILY):
        self.family = family
        self.faces = resolve_faces(family)
        self.coverage = coverage(self.faces)

    def missing(self, text: str) -> set[str]:
        return {c for c in set(text) if c not in INVISIBLE and ord(c) not in self.coverage}

    def check_documents(self, documents: Iterable[tuple[str, str]], records: Iterable[tuple[str, BaseModel]]) -> None:
        """(b): every character of every document's HTML text must be in the font; name each with where it comes from."""
        where: dict[str, list[str]] = {}
        for name, html in documents:
            for char in self.missing(printed_text(html)):
                where.setdefault(char, []).append(name)
        if not where:
            return
        places = find_in_records(where, records)
        lines = []
        for char in sorted(where):
            sources = places.get(char) or []
            origin = "; ".join(sources) if sources else later("not in data/: a UI string (locale/*.po or the handout templates)")
            files = ", ".join(dict.fromkeys(where[char]))
            lines.append(later("  {char} in {origin} (printed in {files})", char=describe(char), origin=origin, files=files))
        raise HandoutError(
            "handouts: these characters are not in the font {font} and would print as empty boxes or in another font:\n{lines}\n"
            "Write them with characters the font has (e.g. 𠮷 → 吉, no emoji), or use a font that has them. The font comes from: {install}",
            font=f"{self.family} ({self.faces[0].file})", lines=lines, install=INSTALL,
        )

    @contextmanager
    def watching(self, name: str) -> Iterator[None]:
        """(c): a WeasyPrint warning about a missing glyph while laying out or drawing `name` is an error."""
        handler = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(handler)
        try:
            yield
        finally:
            logger.removeHandler(handler)
        if handler.missing:
            chars = ", ".join(dict.fromkeys(handler.missing))
            raise HandoutError(
                "handouts: {name}: WeasyPrint found no glyph for {chars} in the font {family} and printed an empty box. "
                "Install the font ({install}) or write these characters differently.",
                name=name, chars=chars, family=self.family, install=INSTALL,
            )

    def check_embedded(self, document, name: str) -> None:
        """(c): after drawing, only this family may be embedded (no silent fallback to another font)."""
        other = sorted({str(font.family) for font in document.fonts.values() if str(font.family) != self.family})
        if other:
            raise HandoutError(
                "handouts: {name}: WeasyPrint fell back to {other} instead of {family}. Install the font: {install}",
                name=name, other=", ".join(other), family=self.family, install=INSTALL,
            )


_NOTDEF = re.compile(r'\.notdef|unsupported by fonts|missing glyph', re.IGNORECASE)
_CODEPOINT = re.compile(r"U\+([0-9A-Fa-f]{4,6})")


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.missing: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if _NOTDEF.search(message):
            code = _CODEPOINT.search(message)
            self.missing.append(describe(chr(int(code[1], 16))) if code else message)
