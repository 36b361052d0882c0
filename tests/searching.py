"""Searching as the browser does: finder.js's search() run in Node, and a guide's search cases.

Shared by the generator's finder tests, the guide's tests and the browser run of the search
cases (data/search-cases.yaml beside each guide's data).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from conftest import REPO, run_node

FINDER_JS = REPO / "overrides" / "assets" / "guide" / "finder.js"
CASES_FILE = Path("data") / "search-cases.yaml"

HARNESS = """
const finder = require(process.argv[1]);
let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const { index, queries } = JSON.parse(input);
  const out = queries.map(({ q, facets }) => {
    const docs = finder.search(index, q, facets || {});
    return { ids: docs.map((d) => d.id), branches: docs.map((d) => d.branches), fuzzy: docs.fuzzy, first: docs[0] || null,
             categories: docs.map((d) => d.c || []), crisis: docs.crisis, partial: docs.partial };
  });
  process.stdout.write(JSON.stringify(out));
});
"""


def search_many(index: dict, queries: list[tuple[str, dict]]) -> list[dict]:
    """Run finder.js's search() for each (query, facets) in one Node process."""
    return run_node(HARNESS, FINDER_JS, {"index": index, "queries": [{"q": q, "facets": f} for q, f in queries]})


def search(index: dict, query: str, **facets) -> dict:
    return search_many(index, [(query, facets)])[0]


# --- a guide's search cases


def load_cases(root: Path) -> list[dict]:
    path = root / CASES_FILE
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]


def case_id(case: dict) -> str:
    return f"{case.get('lang', 'ja')}:{case['query']}"


def run_cases(cases: list[dict], indexes: dict[str, dict]) -> list[tuple[dict, dict]]:
    """Each case with what the finder gives for it, searched in its language's index."""
    got: dict[int, dict] = {}
    for lang in {case.get("lang", "ja") for case in cases}:
        mine = [n for n, case in enumerate(cases) if case.get("lang", "ja") == lang]
        found = search_many(indexes[lang], [(cases[n]["query"], cases[n].get("facets") or {}) for n in mine])
        got.update(zip(mine, found, strict=True))
    return [(case, got[n]) for n, case in enumerate(cases)]


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
    if "crisis" in case:
        wrong += concern_first(case["crisis"], got)
    return wrong


def concern_first(concern: str, got: dict) -> list[str]:
    """A crisis query: it is recognised as one, and the concern's counters come before anything else."""
    inside = [concern in c for c in got["categories"]]
    if concern not in (got.get("crisis") or []):
        return [f"should be a crisis search about {concern}"]
    if not inside or not inside[0] or any(inside[n] and not inside[n - 1] for n in range(1, len(inside))):
        return [f"the counters of {concern} should come first"]
    return []


def lines_per_agency(ids: list[str]) -> int:
    """The most lines one agency takes in `ids` (its own line and its branches' lines)."""
    agencies = [i.split("/")[0] for i in ids]
    return max((agencies.count(a) for a in agencies), default=0)
