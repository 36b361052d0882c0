"""One normalisation for search, run twice: here at index time, in normalize.js at query time.

Both implementations must give the same output for every input; the shared
vectors (tests/vectors/normalize.json) and a character sweep check that.
The steps, in order:

1. Sound marks typed as separate characters (゛ ゜) become combining marks, so
   NFKC joins them to the kana before them (ホ゛ → ボ).
2. NFKC: half-width kana → full-width (ﾎｹﾝｼﾞｮ → ホケンジョ), full-width
   letters and digits → ASCII (ＤＶ → DV, １２ → 12), ㈱ → (株), ① → 1.
3. Case folding: lower-casing plus ß → ss and ς → σ (the part of Unicode case
   folding that runs the same in every browser).
4. Katakana → hiragana: ァ-ヶ → ぁ-ゖ (ヴ → ゔ), ヽヾ → ゝゞ.  ー stays.
5. Variant kanji → the common form (髙 → 高, 﨑 → 崎, 邊 → 辺 …, see VARIANTS).
   Variation selectors (IVS) are dropped.
6. Dashes, long-vowel marks and wave dashes (ー ― ‐ － – — − ｰ ~ 〜 ～ ─ …):
   a run of them between two ASCII digits becomes "-" (for example 012-345-6789, 1-1);
   after kana it becomes one "ー" (センタ- → せんたー); anywhere else it
   separates words (long-term → long term).
7. Punctuation and symbols (Unicode categories P* and S*, for example ・「」（）、。★※〒)
   are dropped, except the digit-joining "-" of step 6.  Apostrophes vanish (children's → childrens); any other run
   becomes a space when neither neighbour is Japanese (care/support → care
   support) and vanishes next to Japanese (病気・医療 → 病気医療).
8. Whitespace (including the ideographic space) collapses to one ASCII space,
   zero-width characters vanish, and the ends are trimmed.

`words` splits a text into the words a search compares (a query in normalize.js, the residents'
phrases here): at spaces, and at the particles that join Japanese words (近所のゴミ屋敷 → 近所,
ごみ屋敷; 夫が怖い → 夫, 怖い), leaving out particles, endings and English stop words.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import unicodedata
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path

from .yamlfile import write_atomically

# Common variant (異体字) → the form most people type.  Keep in step with normalize.js.
VARIANTS: dict[str, str] = {
    "髙": "高",
    "﨑": "崎",
    "嵜": "崎",
    "碕": "崎",
    "邊": "辺",
    "邉": "辺",
    "齋": "斎",
    "齊": "斎",
    "斉": "斎",
    "澤": "沢",
    "濱": "浜",
    "濵": "浜",
    "廣": "広",
    "嶋": "島",
    "嶌": "島",
    "槇": "槙",
    "德": "徳",
    "𠮷": "吉",
    "國": "国",
    "櫻": "桜",
    "舘": "館",
    "眞": "真",
    "惠": "恵",
    "榮": "栄",
    "條": "条",
    "淺": "浅",
    "瀨": "瀬",
    "靜": "静",
    "藏": "蔵",
    "冨": "富",
    "龍": "竜",
    "來": "来",
    "壽": "寿",
    "實": "実",
    "萬": "万",
    "彌": "弥",
    "嶽": "岳",
    "與": "与",
    "穗": "穂",
    "縣": "県",
    "關": "関",
    "廳": "庁",
    "檜": "桧",
    "戶": "戸",
    "黑": "黒",
    "靑": "青",
    "增": "増",
    "兒": "児",
    "會": "会",
    "醫": "医",
    "學": "学",
    "區": "区",
}

# Everything that is a dash, a long-vowel mark or a wave dash once NFKC has run.
DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2500\u2501\u2e3a\u2e3b\u301c\u3030\u30fc\ufe58\ufe63\uff0d\uff5e\uff70~"
APOSTROPHES = "'\u2018\u2019\u02bc\uff07`"
WHITESPACE = " \t\n\r\f\v\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Japanese script: kana, CJK punctuation block, ideographs (BMP and supplementary), iteration marks.
_JAPANESE = re.compile(r"[\u3005-\u3007\u3021-\u3029\u3041-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_KANA = re.compile(r"[\u3041-\u30ff]")
_DIGIT = re.compile(r"[0-9]")

_DASH_RUN = re.compile(f"[{re.escape(DASHES)}]+")
_SPACE_RUN = re.compile(f"[{WHITESPACE}]+")
_DROP = re.compile(f"[{ZERO_WIDTH}{APOSTROPHES}\ufe00-\ufe0f\U000e0100-\U000e01ef]")
_STRAY_SOUND_MARK = re.compile("[\u3099\u309a]")


def _is_punct(char: str) -> bool:
    # "-" left after _dashes() joins two digits: keep it.
    return char != "-" and unicodedata.category(char)[0] in "PS"


# ァ-ヶ → ぁ-ゖ, ヽヾ → ゝゞ; and the variant kanji: one str.translate each (fast on a large index).
_HIRAGANA = {code: code - 0x60 for code in (*range(0x30A1, 0x30F7), 0x30FD, 0x30FE)}
_COMMON_FORMS = str.maketrans(VARIANTS)


def _dashes(text: str) -> str:
    def replace(match: re.Match) -> str:
        before = text[match.start() - 1] if match.start() > 0 else ""
        after = text[match.end()] if match.end() < len(text) else ""
        if before and after and _DIGIT.match(before) and _DIGIT.match(after):
            return "-"
        if before and _KANA.match(before):
            return "ー"
        return " "

    return _DASH_RUN.sub(replace, text)


def _punctuation(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if not _is_punct(text[i]):
            out.append(text[i])
            i += 1
            continue
        j = i
        while j < n and _is_punct(text[j]):
            j += 1
        before = text[i - 1] if i > 0 else ""
        after = text[j] if j < n else ""
        japanese = (before and _JAPANESE.match(before)) or (after and _JAPANESE.match(after))
        out.append("" if japanese else " ")
        i = j
    return "".join(out)


def normalize(text: str) -> str:
    """The search form of `text`: what the index stores and what a query is compared as."""
    if not text:
        return ""
    text = text.replace("\u309b", "\u3099").replace("\u309c", "\u309a")
    text = unicodedata.normalize("NFKC", text)
    text = text.lower().replace("ß", "ss").replace("ς", "σ")
    text = text.translate(_HIRAGANA).translate(_COMMON_FORMS)
    text = _DROP.sub("", text)
    text = _STRAY_SOUND_MARK.sub("", text)
    text = _dashes(text)
    text = _punctuation(text)
    return _SPACE_RUN.sub(" ", text).strip(" ")


# Particles that join two Japanese words: after a kanji, katakana or ー they end the word before them
# (学校に行かない); JOINING after two hiragana when a kanji or katakana follows (ひきこもりの相談).
# Longest first.  Keep in step with normalize.js.
PARTICLES = ("から", "まで", "より", "には", "では", "への", "との", "での", "の", "が", "を", "に", "は", "で", "と", "へ", "も", "や")
JOINING = frozenset("のがをにはでへ")
# Words a search need not match: endings and English stop words.  Keep in step with normalize.js.
STOP_WORDS = frozenset(
    (
        "a an the of for to in on at by with from about and or not no my me i im we our you your it its is are am be "
        "can cant cannot could do dont does how what where who when which want need get help please some someone this that there "
        "たい ない です ます した して する したい ください いる ある なる"
    ).split()
)
_CUTS_BEFORE = re.compile(r"[\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff\u30a1-\u30fa\u30fc]")
_HIRAGANA_CHAR = re.compile(r"[\u3041-\u3096]")


def words(text: str) -> list[str]:
    """The normalised words of `text` a search compares (see the module docstring), in order."""
    text = unicodedata.normalize("NFKC", text or "")
    pieces, start, i = [], 0, 0
    while i < len(text):
        particle = next((p for p in PARTICLES if text.startswith(p, i)), None) if i > start else None
        if particle and _cuts(text, start, i, particle):
            pieces.append(text[start:i])
            i = start = i + len(particle)
        else:
            i += 1
    pieces.append(text[start:])
    found = [w for piece in pieces for w in normalize(piece).split(" ") if w]
    kept = [w for w in found if w not in STOP_WORDS]
    return kept or found


def _cuts(text: str, start: int, at: int, particle: str) -> bool:
    before = text[at - 1]
    if _CUTS_BEFORE.match(before):
        return True
    after = text[at + len(particle)] if at + len(particle) < len(text) else ""
    return (
        particle in JOINING
        and at - start >= 2
        and bool(_HIRAGANA_CHAR.match(text[at - 2])) and bool(_HIRAGANA_CHAR.match(before))
        and bool(after) and bool(_CUTS_BEFORE.match(after))
    )


def bigrams(text: str) -> set[str]:
    """Character bigrams of each word of an already normalised text (a one-letter word counts as itself)."""
    grams: set[str] = set()
    for word in text.split(" "):
        if len(word) == 1:
            grams.add(word)
        grams.update(word[i : i + 2] for i in range(len(word) - 1))
    return grams


# Readings are only needed where a word holds a kanji: kana, Latin letters and digits stand for themselves.
_KANJI = re.compile(r"[\u3005\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")


@functools.cache
def _tokenizer():
    # Imported here: only the index build needs the dictionary (about 70 MB, loaded once per process).
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").tokenizer(mode=SplitMode.C)


# Readings, by kind ("reading", "words") and text: each distinct text is read once per process, and a build
# keeps them from one build to the next (readings_kept): SudachiPy was most of the finder index's time.
_READINGS: dict[str, dict[str, str]] = {"reading": {}, "words": {}}
_used: dict[str, dict[str, str]] | None = None  # within readings_kept: the readings asked for


def _read_once(kind: str, text: str, read) -> str:
    known = _READINGS[kind]
    value = known.get(text)
    if value is None:
        value = known[text] = read(text)
    if _used is not None:
        _used[kind][text] = value
    return value


def reading(text: str) -> str:
    """The normalised kana reading of `text`, by SudachiPy (介護保険課 → かいごほけんか).

    Words without kanji are kept as written, so the reading of a mixed text is a
    search form too (DV相談 → dvそうだん); "" when the text has no kanji (its
    reading is itself).
    """
    return _read_once("reading", text, _reading)


def _reading(text: str) -> str:
    if not text or not _KANJI.search(text):
        return ""
    words = [m.reading_form() if _KANJI.search(m.surface()) else m.surface() for m in _tokenizer().tokenize(text)]
    return normalize("".join(words))


def reading_words(text: str) -> str:
    """The reading of `text` word by word, by SudachiPy (介護保険の申請 → かいごほけん の しんせい).

    The finder matches a kana query only against whole words of a reading (or a run of them), never
    against a fragment (死にたい is not found in the たい of a reading); "" when the text has no kanji.
    """
    return _read_once("words", text, _reading_words)


def _reading_words(text: str) -> str:
    if not text or not _KANJI.search(text):
        return ""
    tokens = [m.reading_form() if _KANJI.search(m.surface()) else m.surface() for m in _tokenizer().tokenize(text)]
    return " ".join(w for w in (normalize(t) for t in tokens) if w)


def _dictionary_version() -> str:
    return " ".join(f"{name}={metadata.version(name)}" for name in ("sudachipy", "sudachidict-core"))


@contextlib.contextmanager
def readings_kept(cache: Path, *, write: bool) -> Iterator[None]:
    """Take the readings in `cache` (made by the same SudachiPy and dictionary) as known; with `write`,
    keep in it afterwards the readings asked for meanwhile (those of the guide as it is now: one edition's
    build writes it, the others only read it)."""
    global _used  # noqa: PLW0603
    try:
        kept = json.loads(cache.read_text(encoding="utf-8"))
        if kept.get("dictionary") == _dictionary_version():
            for kind, known in _READINGS.items():
                known.update((text, value) for text, value in kept[kind].items() if isinstance(value, str))
    except (OSError, ValueError, AttributeError, KeyError, TypeError):
        pass  # none yet, or not one of these: every reading is made
    _used = {kind: {} for kind in _READINGS}
    try:
        yield
        if write:
            made = json.dumps({"dictionary": _dictionary_version(), **_used}, ensure_ascii=False, separators=(",", ":"))
            with contextlib.suppress(OSError):  # a cache not kept is made again next time
                write_atomically(cache, made.encode("utf-8"))  # in one step: another edition's build may be reading it
    finally:
        _used = None
