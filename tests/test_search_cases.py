"""Each guide's search cases (data/search-cases.yaml beside its data), run on its finder index.

The cases are the guide's own: what residents type and which records must or must not come up.
The same runner checks the generator on the ranking fixture (tests/fixtures/ranking), the guide in
data/ and the fixture guides a city could put there (conftest.GUIDES).  Every query is also held to the rules that hold for any guide: at most 2 lines of one agency
in the first 10 results, at most 10 close results.  The browser run is in tests/browser/test_finder_cases.py.
"""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest

from conftest import GUIDES as GUIDES_IN_DATA
from searching import case_id, check_case, lines_per_agency, load_cases, run_cases, search_many

from guide.finder import build_index, index_json
from guide.load import load_guide
from guide.urls import url_for

RANKING = Path(__file__).parent / "fixtures" / "ranking"
INDEX_LIMIT_GZIP = 100_000


def indexes_of(root: Path) -> dict[str, dict]:
    loaded = load_guide(root, today=date(2026, 11, 24))
    assert loaded.guide is not None, [str(p) for p in loaded.errors][:3]
    return {lang.code: build_index(loaded.guide, lang.code, url_for) for lang in loaded.guide.site.languages}


GUIDES = {"ranking-fixture": RANKING, **GUIDES_IN_DATA}


@pytest.fixture(scope="module", params=[name for name, root in GUIDES.items() if load_cases(root)])
def guide_root(request) -> Path:
    """Each guide that keeps search cases (a guide without any has none to run)."""
    return GUIDES[request.param]


@pytest.fixture(scope="module")
def results(guide_root):
    return run_cases(load_cases(guide_root), indexes_of(guide_root))


def test_every_search_case_passes(results):
    report = []
    for case, got in results:
        wrong = check_case(case, got)
        position = {i: n for n, i in enumerate(got["ids"], 1)}
        wanted = [case["first"]] if "first" in case else case.get("expect", [])
        print(f"{case_id(case)}: {'ok' if not wrong else 'FAIL'} — " + ", ".join(f"{i} #{position.get(i, '-')}" for i in wanted) + f" ({len(got['ids'])} results{', close' if got['fuzzy'] else ''})")
        if wrong:
            report.append((case_id(case), case.get("why", ""), wrong, got["ids"][:6]))
    assert not report


def test_no_agency_takes_more_than_two_of_the_first_ten_lines(results):
    worst = {case_id(case): lines_per_agency(got["ids"][:10]) for case, got in results}
    print(f"most lines of one agency in a first 10: {max(worst.values())}")
    assert all(n <= 2 for n in worst.values()), {q: n for q, n in worst.items() if n > 2}


def test_close_results_are_a_handful(results):
    fuzzy = {case_id(case): len(got["ids"]) for case, got in results if got["fuzzy"]}
    print(f"close-result counts: {fuzzy}")
    assert all(n <= 10 for n in fuzzy.values()), fuzzy


def test_index_size_per_edition(guide_root):
    for lang, index in indexes_of(guide_root).items():
        size = len(gzip.compress(index_json(index).encode("utf-8")))
        print(f"finder index ({lang}): {size} bytes gzipped")
        assert size <= INDEX_LIMIT_GZIP, lang


# --- the runner itself, on cases made up here


def test_check_case_reports_each_kind_of_failure():
    got = {"ids": ["a", "b/x", "c"], "branches": [[], [], []], "fuzzy": False}
    assert check_case({"query": "q", "first": "a", "expect": ["c"], "not": ["d"], "fuzzy": False}, got) == []
    wrong = check_case({"query": "q", "first": "b", "top": 2, "expect": ["c"], "not": ["a"], "fuzzy": True, "branches": ["a/1"]}, got)
    assert wrong == [
        "first should be b",
        "c should be in the first 2",
        "a should not be in the first 2",
        "fuzzy should be True",
        "the first result should list ['a/1']",
    ]


def test_lines_per_agency_counts_branches_with_their_agency():
    assert lines_per_agency(["a", "a/x", "b", "a/y"]) == 3
    assert lines_per_agency([]) == 0


def test_a_guide_without_cases_has_none(tmp_path):
    assert load_cases(tmp_path) == []


# --- each of a guide's residents' phrases (data/phrases.yaml) leads to its concern


def phrase_queries(root: Path) -> list[tuple[str, str, dict]]:
    """(edition, phrase, its entry) for every phrase a guide's phrases.yaml writes."""
    loaded = load_guide(root, today=date(2026, 11, 24))
    editions = [lang.code for lang in loaded.guide.site.languages]
    return [(lang, word, phrase) for phrase in loaded.guide.phrases.phrases for lang, said in phrase.words.items() if lang in editions for word in said]


@pytest.mark.parametrize("name", [name for name, root in GUIDES.items() if (root / "data" / "phrases.yaml").exists()])
def test_each_residents_phrase_leads_first_to_a_counter_of_its_concern(name):
    root = GUIDES[name]
    indexes = indexes_of(root)
    queries = phrase_queries(root)
    wrong = []
    for lang in indexes:
        present = {c for doc in indexes[lang]["docs"] if doc["t"] != "p" for c in doc.get("c", [])}
        # A concern no counter is about has nothing to lead to (the finder then shows the concerns and hubs;
        # its programs are no counter to consult).
        mine = [(word, phrase) for edition, word, phrase in queries if edition == lang and set(phrase.concerns) & present]
        for (word, phrase), got in zip(mine, search_many(indexes[lang], [(word, {}) for word, _ in mine]), strict=True):
            first = got["first"] or {}
            ok = first.get("id") in phrase.counters if phrase.counters else set(first.get("c", [])) & set(phrase.concerns)
            if not ok or (phrase.crisis and not set(got["crisis"]) & set(phrase.concerns)):
                wrong.append((lang, word, first.get("id")))
    print(f"{len(queries)} phrases")
    assert wrong == []
