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
from pydantic import BaseModel
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


# --- only what the documents say: the claims of the built pages and handouts against the data -----------

HOLIDAYS_CLOSED = '<th scope="row">祝日・休日</th><td>休み</td>'
YEAR_END_CLOSED = re.compile(r'<th scope="row">年末年始（[^<]*）</th><td>休み</td>')
NO_NUMBER_SAID = ("市の資料に番号の記載がありません", "番号は別紙に載っています", "the city’s documents give no number", "on its annex")
MISSING_PHONE = re.compile(r'<(p|div) class="phones phones--missing">(.*?)</\1>', re.S)
TEL = re.compile(r'href="(tel:[^"]+)"')


def record_page(built_guide: Path, *ids: str) -> str:
    kind = "branch" if len(ids) == 2 else "agency"
    return (built_guide / "site" / url_for(kind, *ids) / "index.html").read_text(encoding="utf-8")


def counters(guide):
    """(page ids, hours shown there) of every agency and branch page."""
    for agency in guide.agencies:
        yield (agency.id,), agency.hours
        for branch in agency.branches:
            yield (agency.id, branch.id), branch.hours or agency.hours


def test_no_page_calls_a_counter_closed_on_days_its_documents_do_not_mention(built_guide, guide):
    """祝日・年末年始 「休み」 only where the record says so (a flag left out: the documents do not say)."""
    for ids, hours in counters(guide):
        html = record_page(built_guide, *ids)
        published = hours is not None and hours.status == "published"
        assert (HOLIDAYS_CLOSED in html) == (published and hours.closed_on_public_holidays is True), ids
        assert bool(YEAR_END_CLOSED.search(html)) == (published and hours.closed_year_end is True), ids


def test_no_counter_page_or_handout_ends_in_a_bare_not_listed_for_a_way_to_contact(built_guide):
    site = built_guide / "site"
    for page in site.rglob("*.html"):
        for _tag, block in MISSING_PHONE.findall(page.read_text(encoding="utf-8")):
            assert any(said in block for said in NO_NUMBER_SAID), f"{page.relative_to(site)}: {block}"
    for pdf in (site / "handouts").rglob("*.pdf"):
        text = re.sub(r"\s+", "", " ".join(p.extract_text() or "" for p in PdfReader(pdf).pages))
        assert "電話記載なし" not in text and "Phonenotlisted" not in text, pdf.name


def test_every_record_page_lists_the_sources_of_its_record(built_guide, guide):
    for agency in guide.agencies:
        footer = record_page(built_guide, agency.id).split('class="record-footer__sources"')[1].split("</details>")[0]
        assert footer.count("<li>") == len(agency.source), agency.id
        if agency.summary:  # its caveats (e.g. no calls from residents) are on its page
            assert agency.summary.get("ja").split("。")[0] in record_page(built_guide, agency.id), agency.id


def test_every_number_on_the_site_is_one_the_data_gives(built_guide, guide):
    from guide.phones import tel_uri

    def phones(node):
        if isinstance(node, list):
            for item in node:
                yield from phones(item)
        elif isinstance(node, BaseModel):
            if type(node).__name__ == "Phone":
                yield node
            for name in type(node).model_fields:
                yield from phones(getattr(node, name))

    known = {tel_uri(p.number, guide.site.city.country) for p in phones(guide)}
    for page in (built_guide / "site").rglob("*.html"):
        assert set(TEL.findall(page.read_text(encoding="utf-8"))) <= known, page.name
