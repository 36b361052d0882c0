"""The guide in data/ and content/, whichever it is: it loads, its search finds what it lists,
and it passes the checks kept beside its data (data/checks.yaml).

These tests belong to a guide, not to the generator (whose tests run on tests/fixtures/):
a city that replaces data/ and content/ runs them on its own guide, with its own checks.  They
run on the guide in data/ and on each fixture guide (conftest.GUIDES), as they would if a
city had put that fixture into data/ and content/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import GUIDES, TODAY, copy_guide
from pypdf import PdfReader
from searching import search_many

from guide import report
from guide.cli import main
from guide.finder import build_index
from guide.load import load_guide
from guide.pages import plan_pages
from guide.urls import url_for

CHECK_KEYS = {"counts", "translated", "walkthroughs"}  # search cases: data/search-cases.yaml (test_search_cases.py)


def read_checks(root: Path) -> dict:
    """data/checks.yaml, or no checks when the guide keeps none."""
    path = root / "data" / "checks.yaml"
    checks = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    assert set(checks) <= CHECK_KEYS, f"data/checks.yaml: unknown keys {set(checks) - CHECK_KEYS}"
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


@pytest.fixture(scope="module", params=list(GUIDES))
def guide_root(request) -> Path:
    return GUIDES[request.param]


@pytest.fixture(scope="module")
def guide(guide_root):
    loaded = load_guide(guide_root)
    assert loaded.guide is not None, [str(p) for p in loaded.errors][:5]
    return loaded.guide


@pytest.fixture(scope="module")
def indexes(guide):
    return {lang.code: build_index(guide, lang.code, url_for) for lang in guide.site.languages}


def test_the_guide_has_the_records_its_checks_count(guide, guide_root):
    expected = read_checks(guide_root).get("counts", {})
    got = counts_of(guide)
    assert set(expected) <= set(got), f"data/checks.yaml counts: unknown {set(expected) - set(got)}"
    assert {k: got[k] for k in expected} == expected


def test_what_the_checks_say_is_translated_is_translated(guide, guide_root):
    """`translated: [en]`: every concern, agency name and service in that language, not only the fallback."""
    missing = []
    for lang in read_checks(guide_root).get("translated", []):
        missing += [(lang, c.id) for c in guide.taxonomy.categories if not c.name.get(lang)]
        missing += [(lang, a.id) for a in guide.agencies if not a.name.get(lang)]
        missing += [(lang, f"{a.id}/{s.id}") for a in guide.agencies for s in a.services if not s.description.get(lang)]
    assert missing == []


def test_every_agency_and_program_is_found_by_its_name_shortened_or_with_a_particle(indexes, guide):
    """What any guide's residents do: type a name roughly as they remember it."""
    index = indexes[guide.site.languages[0].code]
    queries, wanted = [], []
    for doc in index["docs"]:
        if doc["t"] == "b":
            continue
        name = re.sub(r"[（(].*?[)）]", "", doc["n"])
        variants = [name, name[:-1], name[1:]]
        if re.fullmatch(r"[\u4e00-\u9fff]{2}", name[1:3]):  # a particle between two words: 介護の保険課
            variants.append(name[:2] + "の" + name[2:])
        for query in variants:
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


# --- the guide builds, with its handouts ---------------------------------------------------------


@pytest.fixture(scope="module")
def built_guide(tmp_path_factory, guide_root) -> Path:
    root = copy_guide(tmp_path_factory.mktemp("guide"), guide=guide_root)
    assert main(["build", "--root", str(root), "--today", TODAY]) == 0
    return root


def test_the_guide_builds_every_page_of_every_edition_with_no_dead_link(built_guide, guide):
    from datetime import date

    for edition in guide.site.languages[1:]:
        assert (built_guide / "site" / edition.code / "index.html").is_file()
    checked = report.build_report(built_guide, guide, today=date.fromisoformat(TODAY), site_dir=built_guide / "site")
    assert checked.pages_checked >= len(list(plan_pages(guide))) * len(guide.site.languages)
    assert checked.dead_links == []


def test_each_concern_of_the_guide_fits_one_printed_page(built_guide, guide):
    handouts = built_guide / "site" / "handouts"
    for category in guide.taxonomy.categories:
        for suffix in ("", "-large"):
            pdf = handouts / f"category-{category.id}{suffix}.pdf"
            assert len(PdfReader(pdf).pages) == 1, pdf.name
