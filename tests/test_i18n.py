"""One catalog: every word the tool shows is a message id of locale/*.po, and every entry there is used.

Message ids are found where the code says them: the templates (Babel's Jinja extractor),
calls in the Python modules (gettext, the tool's `words`, `.of(context, …)`), and the few
tables that map a key to a message id (problem codes, diff labels and phrases, report words,
weekday names, the browser scripts' strings).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from guide import build, diff, messages, report, slip
from guide.cli import parser
from guide.i18n import GENERATOR_LOCALE, Words, catalog_languages, translations
from guide.present import WEEKDAY_IDS

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "scripts" / "guide"
CATALOGS = sorted(GENERATOR_LOCALE.glob("*.po"))

# Calls whose first argument is a message id: self.gettext("…"), w("…"), words(lang)("…"), x.of("ctx", "…"),
# HandoutError("…", …), later("…", …), N_("…") (a table the templates translate).
_ID_CALLS = {"gettext", "ngettext", "words", "w", "_", "N_", "HandoutError", "later"}


def _strings(node: ast.AST) -> list[str]:
    """The string constants an argument can be: "a", or "a" if … else "b"."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _name(func: ast.AST) -> str | None:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Call) and isinstance(func.func, ast.Name) and func.func.id == "words":
        return "words"  # words(lang)("…")
    return None


def ids_in_python() -> set[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _name(node.func)
            if name == "of" and len(node.args) >= 2:
                found |= {(context, msgid) for context in _strings(node.args[0]) for msgid in _strings(node.args[1])}
            elif name in _ID_CALLS and not (name == "words" and isinstance(node.func, ast.Name)):
                found |= {(None, msgid) for msgid in _strings(node.args[0])}
    return found


def ids_in_tables() -> set[tuple[str | None, str]]:
    found = {(None, msgid) for msgid in messages.CATALOG.values()}
    found |= {("source field" if key == "source_note" else "field", msgid) for key, msgid in diff.LABELS.items()}
    found |= {(None, msgid) for msgid in (*diff.PHRASES.values(), *diff.MESSAGES.values())}
    found |= {("facts" if key == "fact_sep" else None, msgid) for key, msgid in report.WORDS.items()}
    found |= {(context, day) for day in WEEKDAY_IDS.values() for context in (None, "short weekday")}
    found |= {(None, msgid) for msgid in build.JS_STRINGS.values()}
    found |= {(None, msgid) for msgid in slip.JS_STRINGS.values()}
    return found


def ids_in_templates() -> set[tuple[str | None, str]]:
    found: set[tuple[str | None, str]] = set()
    for path in (PACKAGE / "templates").rglob("*"):
        if path.suffix not in (".j2", ".html") or not path.is_file():
            continue
        with path.open("rb") as handle:
            for _line, _function, message, _comments in babel_extract(handle, ("_", "gettext", "ngettext"), [], {"trim_blocks": "true", "lstrip_blocks": "true"}):
                msgid = message[0] if isinstance(message, tuple) else message
                if msgid is not None:  # _(variable): its ids are found where the table is (N_)
                    found.add((None, msgid))
    return found


@pytest.fixture(scope="module")
def used() -> set[tuple[str | None, str]]:
    return ids_in_python() | ids_in_tables() | ids_in_templates()


def entries(po_file: Path) -> dict[tuple[str | None, str], object]:
    with po_file.open("rb") as handle:
        catalog = read_po(handle)
    return {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id): m for m in catalog if m.id}


def test_the_scanner_finds_the_words_of_every_output(used):
    for expected in [
        (None, "Opening hours"),  # a page template
        (None, "{errors} errors, {warnings} warnings"),  # guide check's summary line
        ("field", "hours"),  # a diff label
        (None, "Translation coverage"),  # a report heading
        (None, "closed on public holidays"),  # the presenter's one-line hours
        (None, "Once a year"),  # a plural
        ("short weekday", "{first}–{last}"),
    ]:
        assert expected in used, expected


@pytest.mark.parametrize("po_file", CATALOGS, ids=lambda p: p.name)
def test_every_word_the_tool_shows_is_translated(po_file, used):
    catalog = entries(po_file)
    missing = sorted(key for key in used if key not in catalog or not catalog[key].string)
    assert missing == [], f"add these to {po_file.name} (msgctxt, msgid)"


@pytest.mark.parametrize("po_file", CATALOGS, ids=lambda p: p.name)
def test_no_catalog_entry_is_stale(po_file, used):
    stale = sorted(key for key in entries(po_file) if key not in used)
    assert stale == [], f"remove these from {po_file.name} (no code or template says them)"


def test_every_parameter_of_a_message_survives_translation():
    for po_file in CATALOGS:
        for (context, msgid), message in entries(po_file).items():
            translated = message.string[0] if isinstance(message.string, tuple) else message.string
            for style in ("{", "%("):
                names = {part.split("}" if style == "{" else ")s")[0] for part in msgid.split(style)[1:]}
                for name in names:
                    mark = "{" + name + "}" if style == "{" else f"%({name})s"
                    if mark in msgid and mark not in translated:
                        pytest.fail(f"{po_file.name}: {context or ''} {msgid!r} → {translated!r} drops {mark}")


def test_lang_choices_are_english_and_every_catalog(tmp_path):
    assert catalog_languages() == sorted({"en", *(p.stem for p in CATALOGS)})
    (tmp_path / "ko.po").write_text('msgid ""\nmsgstr ""\n"Language: ko\\n"\n', encoding="utf-8")
    assert catalog_languages(tmp_path) == ["en", "ko"]
    check = parser().parse_args(["check", "--lang", "en"])
    assert check.lang == "en"
    with pytest.raises(SystemExit):
        parser().parse_args(["check", "--lang", "xx"])


def test_words_fall_back_to_english_and_fill_parameters():
    assert Words("ja")("{errors} errors, {warnings} warnings", errors=2, warnings=0) == "エラー 2 件、警告 0 件"
    assert Words("en")("{errors} errors, {warnings} warnings", errors=2, warnings=0) == "2 errors, 0 warnings"
    assert Words("ko", translations(ROOT, "ko"))("{n} errors", n=1) == "1 errors"  # no catalog: the English id
    assert Words("ja").of("short weekday", "Mon") == "月" and Words("ja")("Mon") == "月曜"
