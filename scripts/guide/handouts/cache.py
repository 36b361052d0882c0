"""The cache of printed sheets: a sheet whose inputs did not change is copied, not printed again."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from ..fontguard import FontGuard
from ..templating import component_stylesheets
from .press import HANDOUT_TEMPLATES, write_file
from .sheets import Sheet

CACHE_DIR = Path("build") / "handouts-cache"

MADE_ON = re.compile(r'<p class="print-head__date">.*?</p>', re.DOTALL)  # components/print_head


class Cache:
    """Sheets printed before, by a hash of everything that decides them, in build/handouts-cache/<lang>/.

    The hash leaves out the line "Made on <date>": a sheet whose content did not change keeps the
    PDF, and the date, of the day it was made (the footer says "Made on", not "printed on").  The
    hash does cover everything else printed, so a date-dependent fact (an exception to the hours
    that has passed) makes a new sheet with a new date.

    A large-print sheet is its normal-print twin (`smaller`) in larger type, made from the same
    fields: the twin's key and `large` decide it, so its HTML is not made only to be hashed
    (that was half the time of a build whose sheets were all cached)."""

    def __init__(self, folder: Path, guard: FontGuard, html: Callable[[Sheet], str]):
        self.folder, self.html = folder, html
        self.salt = _printing_fingerprint(tuple((str(face.file), face.file.stat().st_mtime_ns) for face in guard.faces))
        self.keys: dict[int, str] = {}

    def key(self, sheet: Sheet) -> str:
        if id(sheet) not in self.keys:
            digest = hashlib.sha256(self.salt)
            content = self.key(sheet.smaller) if sheet.smaller else MADE_ON.sub("", self.html(sheet))
            for part in (sheet.filename, str(sheet.large), json.dumps(list(sheet.levels), sort_keys=True), content):
                digest.update(part.encode("utf-8") + b"\0")
            self.keys[id(sheet)] = digest.hexdigest()
        return self.keys[id(sheet)]

    def has(self, key: str) -> bool:
        return (self.folder / f"{key}.json").is_file()

    def fetch(self, sheet: Sheet) -> bytes | None:
        """The PDF printed before from the same inputs (its level and pages set on `sheet`), or None."""
        key = self.key(sheet)
        try:
            info = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            pdf = (self.folder / f"{key}.pdf").read_bytes()
        except (OSError, ValueError):
            return None
        sheet.chosen, sheet.pages = info["chosen"], info["pages"]
        return pdf

    def keep(self, sheet: Sheet, pdf: bytes) -> None:
        key = self.keys[id(sheet)]
        write_file(self.folder / f"{key}.pdf", pdf)  # the PDF first: an entry without its .json is a miss
        info = {"file": sheet.filename, "chosen": sheet.chosen, "pages": sheet.pages}
        write_file(self.folder / f"{key}.json", json.dumps(info).encode("utf-8"))

    def prune(self) -> None:
        """Forget the sheets this run did not print: the cache holds one edition's current sheets."""
        current = set(self.keys.values())
        for path in self.folder.glob("*"):
            if path.stem not in current:
                path.unlink(missing_ok=True)


@lru_cache(maxsize=4)
def _printing_fingerprint(fonts: tuple) -> bytes:
    """What decides a sheet besides its HTML: this code, the templates and stylesheet, WeasyPrint, the fonts."""
    digest = hashlib.sha256(importlib.metadata.version("weasyprint").encode() + repr(fonts).encode())
    for path in [*sorted(Path(__file__).parent.glob("*.py")), *sorted(HANDOUT_TEMPLATES.rglob("*")), *component_stylesheets("paper")]:
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.digest()


def cacheable(sheet: Sheet) -> bool:
    return not sheet.context.get("staff")  # staff-only facts are kept nowhere else

