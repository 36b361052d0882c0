"""Each guide's guided questions as residents meet them (conftest.GUIDES: the guide in data/ and the fixture
guides): its own cases (data/flow-cases.yaml) reach a right counter in at most three answers, every
hub is reached in at most three, nearly every agency somewhere, and every question offers 「わからない」.
The same cases are clicked through in Chromium by tests/browser/test_flow.py."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import GUIDES, TODAY
from flowing import MOST_ANSWERS, answer_links, case_problems, counters_on, flow_pages, follow, linked, load_flow_cases

from guide.load import load_guide

WITH_FLOW = [name for name, root in GUIDES.items() if (root / "data" / "flow.yaml").exists()]


@pytest.fixture(scope="module", params=WITH_FLOW)
def guide_root(request):
    return GUIDES[request.param]


@pytest.fixture(scope="module")
def guide(guide_root):
    return load_guide(guide_root, today=date.fromisoformat(TODAY)).guide


@pytest.fixture(scope="module")
def pages(guide_root, guide):
    """The flow's pages of each edition, by language."""
    return {lang.code: flow_pages(guide_root, lang.code) for lang in guide.site.languages}


def test_the_cases_are_written_right(guide_root, guide):
    cases = load_flow_cases(guide_root)
    assert cases, "a guide with a flow keeps cases of it"
    agencies = {a.id for a in guide.agencies}
    wrong = {case["situation"]: problems for case in cases if (problems := case_problems(case, agencies))}
    assert wrong == {}


def test_every_case_reaches_a_right_counter_in_three_answers_at_most(guide_root, pages):
    failures = []
    for case in load_flow_cases(guide_root):
        reached, counters = follow(pages[case.get("lang", "ja")], case["answers"])
        print(f"{case['situation']}: {reached} → {counters[:4]}")
        if not set(case["expect"]) & set(counters):
            failures.append((case["situation"], reached, counters))
    assert failures == []


def paths_to_counters(pages: dict[str, str]) -> dict[str, int]:
    """Each counter any page lists, with the fewest clicks (「わからない」 counted too) from the first question to a page listing it."""
    fewest: dict[str, int] = {}
    todo = [("flow/", 0)]
    seen = set()
    while todo:
        here, clicks = todo.pop(0)
        if here in seen:
            continue
        seen.add(here)
        for counter in counters_on(pages[here]):
            fewest.setdefault(counter, clicks)
        for href in answer_links(pages[here]).values():
            todo.append((linked(here, href), clicks + 1))
    return fewest


def test_every_hub_is_reached_in_three_answers_at_most(guide, pages):
    fewest = paths_to_counters(pages[guide.site.languages[0].code])
    hubs = {c.hub for c in guide.taxonomy.categories if c.hub}
    assert {hub: fewest.get(hub) for hub in hubs if fewest.get(hub, 99) > MOST_ANSWERS} == {}


def test_nearly_every_agency_is_reached(guide, pages):
    fewest = paths_to_counters(pages[guide.site.languages[0].code])
    missing = sorted({a.id for a in guide.agencies} - set(fewest))
    share = 1 - len(missing) / len(guide.agencies)
    print(f"agencies reached: {len(guide.agencies) - len(missing)} of {len(guide.agencies)} ({share:.1%}); not: {missing}")
    assert share >= 0.9, missing


def test_every_question_offers_i_dont_know(guide, pages):
    for lang, edition in pages.items():
        questions = [path for path, html in edition.items() if answer_links(html)]
        unsure = "わからない" if lang == "ja" else "I don't know"
        assert questions and all(unsure in answer_links(edition[path]) for path in questions), lang
