"""The guided questions in Chromium, on each guide that has them (conftest.GUIDES): its cases
(data/flow-cases.yaml) followed by clicking the answers by their words, a right counter in three
answers at most; the same with JavaScript off; axe on the flow's pages at 375 and 1280 px.
Every page is opened through conftest.phone_page, which fails the test on any request that leaves the site."""

from __future__ import annotations

import pytest

from conftest import GUIDES, TODAY, axe_violations, copy_guide, phone_page, serve
from flowing import MOST_ANSWERS, load_flow_cases

from guide.cli import main

pytestmark = pytest.mark.browser

WITH_FLOW = [name for name, root in GUIDES.items() if (root / "data" / "flow.yaml").exists()]


@pytest.fixture(scope="module", params=WITH_FLOW)
def flow_site(request, tmp_path_factory):
    """(the guide's folder, the address of its built site), built without handouts."""
    root = copy_guide(tmp_path_factory.mktemp(request.param), guide=GUIDES[request.param])
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0
    with serve(root / "site") as url:
        yield GUIDES[request.param], url


def counters(page) -> list[str]:
    hrefs = page.locator(".agency-card__name a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    return [href.rstrip("/").split("/")[-1] for href in hrefs]


def click_through(page, start: str, answers: list[str]) -> list[str]:
    """From the first question, click each answer by its words; the counters of the page reached."""
    page.goto(start)
    for clicks, words in enumerate(answers, 1):
        assert clicks <= MOST_ANSWERS
        page.locator("ul.flow-answers").get_by_role("link", name=words, exact=True).click()
        page.wait_for_load_state("load")
    return counters(page)


def edition(url: str, lang: str) -> str:
    return url + ("" if lang == "ja" else f"{lang}/") + "flow/"


def test_every_case_reaches_a_right_counter_by_clicking(browser, flow_site):
    root, url = flow_site
    failures = []
    with phone_page(browser, url) as page:
        for case in load_flow_cases(root):
            found = click_through(page, edition(url, case.get("lang", "ja")), case["answers"])
            if not set(case["expect"]) & set(found):
                failures.append((case["situation"], page.url, found))
            assert page.locator("a.flow-nav__start").count() == 1 and page.locator("a.flow-nav__back").count() == 1
    assert failures == []


def test_the_flow_works_with_javascript_off(browser, flow_site):
    root, url = flow_site
    case = load_flow_cases(root)[0]
    with phone_page(browser, url, java_script_enabled=False) as page:
        found = click_through(page, edition(url, case.get("lang", "ja")), case["answers"])
        assert set(case["expect"]) & set(found)
        cards = page.locator(".agency-card")
        assert cards.count() == cards.locator(".phones").count()  # each card's numbers, or why there is none, without scripts
        page.locator("a.flow-nav__back").click()  # back is a link: the question before
        assert page.locator("ul.flow-answers").get_by_role("link", name=case["answers"][-1], exact=True).count() == 1


@pytest.mark.parametrize("width", [375, 1280])
def test_the_flow_pages_pass_axe(browser, flow_site, width):
    root, url = flow_site
    case = load_flow_cases(root)[0]
    with phone_page(browser, url) as page:
        page.set_viewport_size({"width": width, "height": 812})
        page.goto(edition(url, "ja"))
        assert axe_violations(page) == [], "the first question"
        page.locator("a.flow-answer--unsure").click()
        assert axe_violations(page) == [], "わからない"
        click_through(page, edition(url, case.get("lang", "ja")), case["answers"])
        assert axe_violations(page) == [], page.url
