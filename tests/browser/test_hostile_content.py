"""A content page with hostile but allowed front matter, in a real browser: every page of the
site keeps its Content-Security-Policy first in <head>, nothing runs, nothing is blocked, and
the description reads back exactly as written (escaped once, not twice, not raw)."""

from __future__ import annotations

import pytest

from conftest import PHONE, serve
from hostile_content import DESCRIPTION, build_hostile_but_allowed

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    root = build_hostile_but_allowed(tmp_path_factory.mktemp("hostile-browser"))
    pages = sorted(p.relative_to(root / "site").as_posix() for p in (root / "site").rglob("*.html"))
    with serve(root / "site") as url:
        yield url, pages


def test_every_page_keeps_its_policy_first_and_runs_nothing(watched, hostile_site):
    page, visit = watched  # it fails the test on any dialog or CSP message, on any page (conftest)
    url, pages = hostile_site
    assert len(pages) > 40 and "about/index.html" in pages and "en/plain/index.html" in pages
    problems = []
    for path in pages:
        visit(url + path)
        first = page.evaluate("[document.head.firstElementChild.tagName, document.head.firstElementChild.httpEquiv]")
        violations = page.evaluate("window.__violations")  # this page's: the watch starts again on each
        if first != ["META", "Content-Security-Policy"] or violations:
            problems.append((path, first, violations))
    assert problems == []


@pytest.mark.parametrize("edition", ["", "en/"])
def test_the_description_reads_back_as_written(browser, hostile_site, edition):
    url, _pages = hostile_site
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(url + edition + "about/")
    assert page.locator('meta[name="description"]').get_attribute("content") == DESCRIPTION
    assert "'s test - " in page.title()  # the apostrophe, escaped once by the build, shown as itself
    context.close()
