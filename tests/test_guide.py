"""The guide in data/ and content/, whichever it is: it loads, its search finds what it lists,
and it passes the checks kept beside its data (data/checks.yaml).

These tests belong to a guide, not to the generator (whose tests run on tests/fixtures/):
a city that replaces data/ and content/ runs them on its own guide, with its own checks.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from test_finder import search_many, url_for

from guide.finder import build_index
from guide.load import load_guide

CHECKS = REPO / "data" / "checks.yaml"
CHECK_KEYS = {"counts", "search"}
SEARCH_KEYS = {"q", "lang", "category", "area", "find", "first", "within", "fuzzy"}


def read_checks(root: Path = REPO) -> dict:
    """data/checks.yaml, or no checks when the guide keeps none."""
    path = root / "data" / "checks.yaml"
    checks = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    assert set(checks) <= CHECK_KEYS, f"data/checks.yaml: unknown keys {set(checks) - CHECK_KEYS}"
    for case in checks.get("search", []):
        assert set(case) <= SEARCH_KEYS and "q" in case and ({"find", "first"} & set(case)), f"data/checks.yaml: {case}"
    return checks


def counts_of(guide) -> dict[str, int]:
    """What `counts:` in data/checks.yaml can name, as the loaded guide has it."""
    return {
        "agencies": len(guide.agencies),
        "branches": sum(len(a.branches) for a in guide.agencies),
        "services": sum(len(a.services) for a in guide.agencies),
        "programs": len(guide.programs),
        "categories": len(guide.taxonomy.categories),
        "hubs": sum(1 for c in guide.taxonomy.categories if c.hub),
        "areas": len(guide.areas.areas),
        "sources": len(guide.sources.sources),
    }


@pytest.fixture(scope="module")
def guide():
    loaded = load_guide(REPO)
    assert loaded.guide is not None, [str(p) for p in loaded.errors][:5]
    return loaded.guide


@pytest.fixture(scope="module")
def indexes(guide):
    return {lang.code: build_index(guide, lang.code, url_for) for lang in guide.site.languages}


def test_the_guide_has_the_records_its_checks_count(guide):
    expected = read_checks().get("counts", {})
    got = counts_of(guide)
    assert set(expected) <= set(got), f"data/checks.yaml counts: unknown {set(expected) - set(got)}"
    assert {k: got[k] for k in expected} == expected


def test_residents_queries_in_the_checks_find_their_record(guide, indexes):
    cases = read_checks().get("search", [])
    default = guide.site.languages[0].code
    failures = []
    for lang in indexes:
        mine = [c for c in cases if c.get("lang", default) == lang]
        facets = [{k: c[k] for k in ("category", "area") if k in c} for c in mine]
        results = search_many(indexes[lang], [(c["q"], f) for c, f in zip(mine, facets, strict=True)]) if mine else []
        for case, got in zip(mine, results, strict=True):
            ids = got["ids"]
            if "first" in case and (not ids or ids[0] != case["first"]):
                failures.append((case, ids[:5]))
            if "find" in case and not set(case["find"]) & set(ids[: case.get("within", 3)]):
                failures.append((case, ids[:6]))
            if got["fuzzy"] != case.get("fuzzy", False):
                failures.append((case, "fuzzy" if got["fuzzy"] else "exact"))
    assert not failures


def test_every_agency_and_program_is_found_by_its_name_shortened_or_with_a_particle(indexes, guide):
    """What any guide's residents do: type a name roughly as they remember it."""
    index = indexes[guide.site.languages[0].code]
    queries, wanted = [], []
    for doc in index["docs"]:
        if doc["t"] == "b":
            continue
        name = re.sub(r"[（(].*?[)）]", "", doc["n"])
        for query in (name, name[:-1], name[1:], name[:2] + "の" + name[2:]):
            queries.append((query, {}))
            wanted.append(doc["id"])
    results = search_many(index, queries)
    missing = [(q, w, r["ids"][:5]) for (q, _), w, r in zip(queries, wanted, results, strict=True) if w not in r["ids"][:5]]
    assert not missing


def test_a_word_on_no_page_finds_nothing(indexes):
    for index in indexes.values():
        assert search_many(index, [("xyzzyq", {})])[0]["ids"] == []


def test_the_search_index_stays_small_for_phones(indexes):
    for lang, index in indexes.items():
        size = len(json.dumps(index, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
        print(f"\nfinder index ({lang}): {len(index['docs'])} docs, {size} bytes")
        assert size < 200_000
