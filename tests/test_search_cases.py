"""Each guide's search cases (data/search-cases.yaml beside its data), run on its finder index.

The cases are the guide's own: what residents type and which records must or must not come up.
The same runner checks the generator on the ranking fixture (tests/fixtures/ranking) and the guide in
data/.  Every query is also held to the rules that hold for any guide: at most 2 lines of one agency
in the first 10 results, at most 10 close results.  The browser run is in tests/browser/test_finder_cases.py.
"""

from __future__ import annotations

import gzip
from datetime import date
from pathlib import Path

import pytest
import yaml

from conftest import REPO, run_node

from guide.finder import build_index, index_json
from guide.load import load_guide
from guide.pages import url_for

FINDER_JS = REPO / "overrides" / "assets" / "guide" / "finder.js"
RANKING = Path(__file__).parent / "fixtures" / "ranking"
CASES_FILE = Path("data") / "search-cases.yaml"
INDEX_LIMIT_GZIP = 100_000

HARNESS = """
const finder = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { indexes, cases } = JSON.parse(input);
  process.stdout.write(JSON.stringify(cases.map((c) => {
    const docs = finder.search(indexes[c.lang || "ja"], c.query, c.facets || {});
    return { ids: docs.map((d) => d.id), branches: docs.map((d) => d.branches), fuzzy: docs.fuzzy };
  })));
});
"""


def load_cases(root: Path) -> list[dict]:
    path = root / CASES_FILE
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]


def case_id(case: dict) -> str:
    return f"{case.get('lang', 'ja')}:{case['query']}"


def check_case(case: dict, got: dict) -> list[str]:
    """What is wrong with `got` (ids, branches, fuzzy of the results) for `case`; [] when it passes."""
    top = case.get("top", 10)
    first = got["ids"][:top]
    wrong = []
    if "first" in case and got["ids"][:1] != [case["first"]]:
        wrong.append(f"first should be {case['first']}")
    wrong += [f"{i} should be in the first {top}" for i in case.get("expect", []) if i not in first]
    wrong += [f"{i} should not be in the first {top}" for i in case.get("not", []) if i in first]
    if "fuzzy" in case and got["fuzzy"] is not case["fuzzy"]:
        wrong.append(f"fuzzy should be {case['fuzzy']}")
    if "branches" in case and (not got["ids"] or got["branches"][0] != case["branches"]):
        wrong.append(f"the first result should list {case['branches']}")
    return wrong


def lines_per_agency(ids: list[str]) -> int:
    """The most lines one agency takes in `ids` (its own line and its branches' lines)."""
    agencies = [i.split("/")[0] for i in ids]
    return max((agencies.count(a) for a in agencies), default=0)


def indexes_of(root: Path) -> dict[str, dict]:
    loaded = load_guide(root, today=date(2026, 11, 24))
    assert loaded.guide is not None, [str(p) for p in loaded.errors][:3]
    return {lang.code: build_index(loaded.guide, lang.code, url_for) for lang in loaded.guide.site.languages}


def run_cases(root: Path) -> list[tuple[dict, dict]]:
    cases = load_cases(root)
    results = run_node(HARNESS, FINDER_JS, {"indexes": indexes_of(root), "cases": cases})
    return list(zip(cases, results, strict=True))


GUIDES = {"ranking-fixture": RANKING, "guide": REPO}


@pytest.fixture(scope="module", params=list(GUIDES))
def guide_root(request) -> Path:
    root = GUIDES[request.param]
    if not load_cases(root):
        pytest.skip(f"{root / CASES_FILE}: this guide has no search cases")
    return root


@pytest.fixture(scope="module")
def results(guide_root):
    return run_cases(guide_root)


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
