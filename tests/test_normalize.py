"""One search normalisation, two implementations: guide.normalize (index time) and normalize.js (query time)."""

import json
import unicodedata
from pathlib import Path

import pytest

from conftest import run_node

from guide.normalize import VARIANTS, bigrams, normalize, reading

ROOT = Path(__file__).resolve().parent.parent
NORMALIZE_JS = ROOT / "overrides" / "assets" / "guide" / "normalize.js"
VECTORS = json.loads((Path(__file__).parent / "vectors" / "normalize.json").read_text(encoding="utf-8"))["cases"]
IDS = [f"{i}:{c['in']}" for i, c in enumerate(VECTORS)]


HARNESS = """
const n = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { texts, grams } = JSON.parse(input);
  process.stdout.write(JSON.stringify({
    normalized: texts.map(n.normalize),
    bigrams: grams.map((t) => Array.from(n.bigrams(t)).sort()),
    variants: n.VARIANTS,
  }));
});
"""


def normalized_in_node(texts: list[str], grams: list[str] = ()) -> dict:
    return run_node(HARNESS, NORMALIZE_JS, {"texts": texts, "grams": list(grams)})


def test_there_are_enough_vectors():
    assert len(VECTORS) >= 40


@pytest.mark.parametrize("case", VECTORS, ids=IDS)
def test_python_matches_the_vectors(case):
    assert normalize(case["in"]) == case["out"], case.get("why")


@pytest.fixture(scope="module")
def node_vectors() -> list[str]:
    return normalized_in_node([c["in"] for c in VECTORS])["normalized"]


@pytest.mark.parametrize("index", range(len(VECTORS)), ids=IDS)
def test_javascript_matches_the_vectors(node_vectors, index):
    assert node_vectors[index] == VECTORS[index]["out"], VECTORS[index].get("why")


@pytest.mark.parametrize("case", VECTORS, ids=IDS)
def test_normalising_twice_changes_nothing(case):
    assert normalize(case["out"]) == case["out"]


def _sweep_characters() -> list[str]:
    """Every character Python's Unicode data knows in the blocks residents' text comes from."""
    blocks = [(0x20, 0x2FF), (0x370, 0x52F), (0x2000, 0x2BFF), (0x2E00, 0x2E7F), (0x3000, 0x33FF), (0xF900, 0xFAFF), (0xFE00, 0xFFEF)]
    chars = [chr(c) for lo, hi in blocks for c in range(lo, hi + 1)]
    chars += list(VARIANTS) + ["一", "丁", "目", "齋", "𠮷", "\U000e0100"]
    return [c for c in chars if unicodedata.category(c) not in ("Cn", "Cs", "Co")]


def test_python_and_javascript_agree_on_every_character_in_context():
    """Each character alone, between kana, between digits and between letters."""
    texts = []
    for char in _sweep_characters():
        texts += [char, f"ア{char}1", f"1{char}2", f"a{char}B", f"{char}{char}ｶﾞ{char}"]
    got = normalized_in_node(texts)["normalized"]
    expected = [normalize(t) for t in texts]
    differences = [(t, p, j) for t, p, j in zip(texts, expected, got, strict=True) if p != j]
    assert not differences, differences[:20]


def test_bigrams_and_variant_tables_are_the_same():
    samples = ["ほけんじょ", "地域包括支援せんたー 北区", "a", "dv相談 x", "𠮷田", ""]
    got = normalized_in_node([], samples)
    assert got["bigrams"] == [sorted(bigrams(s)) for s in samples]
    assert got["variants"] == VARIANTS


def test_bigrams_of_words():
    assert bigrams("ほけん じょ") == {"ほけ", "けん", "じょ"}
    assert bigrams("心 dv") == {"心", "dv"}


def test_output_has_no_katakana_full_width_forms_or_double_spaces():
    text = normalize("ﾎｹﾝｼﾞｮ　ＤＶ　　センター（北区）・髙島屋")
    assert text == "ほけんじょ dv せんたー北区高島屋"
    assert not any("\u30a1" <= ch <= "\u30f6" or "\uff01" <= ch <= "\uff5e" for ch in text)
    assert "  " not in text


# --- readings (index time only: the query side has kana already, or kanji the index holds as written)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("介護保険課", "かいごほけんか"),
        ("地域包括支援センター（北区中央）", "ちいきほうかつしえんせんたーきたくちゅうおう"),
        ("DV相談", "dvそうだん"),  # Latin letters stay as written
        ("認知症、虐待など", "にんちしょうぎゃくたいなど"),  # punctuation as normalize() drops it
        ("相談 支援", "そうだん しえん"),  # spaces stay word breaks
        ("ｶｲｺﾞﾎｹﾝ", ""),  # no kanji: the normalised text is its own reading
        ("", ""),
    ],
)
def test_reading_is_the_normalised_kana_of_a_text(text, expected):
    assert reading(text) == expected
    assert reading(text) == normalize(reading(text))  # already in search form


# --- the readings a build keeps for the next one (normalize.readings_kept) -----------------------


@pytest.fixture
def fresh_readings(monkeypatch):
    """This process's readings forgotten, as in a new build's worker."""
    from guide import normalize as module

    monkeypatch.setattr(module, "_READINGS", {"reading": {}, "words": {}})


def test_a_build_keeps_the_readings_it_asked_for_and_the_next_one_takes_them(tmp_path, fresh_readings, monkeypatch):
    from guide import normalize as module
    from guide.normalize import readings_kept, reading_words

    cache = tmp_path / "readings-cache.json"
    with readings_kept(cache, write=True):
        assert reading_words("介護保険の申請") == "かいごほけん の しんせい"
    kept = json.loads(cache.read_text(encoding="utf-8"))
    assert kept["words"] == {"介護保険の申請": "かいごほけん の しんせい"}
    # The next build takes the kept reading as it is, without SudachiPy: a reading only the cache has shows it.
    kept["words"]["介護保険の申請"] = "きおくされた よみ"
    cache.write_text(json.dumps(kept, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setattr(module, "_READINGS", {"reading": {}, "words": {}})
    with readings_kept(cache, write=False):
        assert reading_words("介護保険の申請") == "きおくされた よみ"
    assert json.loads(cache.read_text(encoding="utf-8")) == kept  # only the build told to write it does


@pytest.mark.parametrize("content", ['{"dictionary": "sudachipy=0.0 sudachidict-core=0", "words": {"介護保険の申請": "ちがう"}, "reading": {}}',
                                     "not json", '["a list"]', '{"dictionary": 1}'])
def test_readings_kept_by_another_dictionary_or_unreadable_are_made_again(tmp_path, fresh_readings, content):
    from guide.normalize import readings_kept, reading_words

    cache = tmp_path / "readings-cache.json"
    cache.write_text(content, encoding="utf-8")
    with readings_kept(cache, write=True):
        assert reading_words("介護保険の申請") == "かいごほけん の しんせい"
    assert json.loads(cache.read_text(encoding="utf-8"))["words"] == {"介護保険の申請": "かいごほけん の しんせい"}
