"""A long listing split into pages, as a resident on a phone uses it: without JavaScript, from the
list of every agency, any page is one tap and any agency on it one more; the pages fit the phone and pass axe.

The guide is the benchmark's synthetic copy of the minimal fixture ×15 (45 agencies: two pages).
"""

import bench  # scripts/bench.py: the benchmark's synthetic guides
import pytest
from conftest import MINIMAL, PHONE, TODAY, axe_violations, copy_guide, serve

from guide.cli import main

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def big_url(tmp_path_factory):
    source = bench.synthetic_guide(MINIMAL, tmp_path_factory.mktemp("x15-source"), 15)
    root = copy_guide(tmp_path_factory.mktemp("x15"), guide=source)
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0
    with serve(root / "site") as url:
        yield url


@pytest.fixture
def no_script_page(browser, big_url):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(5000)
    yield page
    context.close()


def test_without_javascript_the_pager_leads_to_every_page_and_its_agencies(no_script_page, big_url):
    page = no_script_page
    page.goto(big_url + "agencies/")
    assert page.locator(".pagination__status").inner_text() == "2ページ中 1ページ目"
    page.get_by_role("link", name="2ページ目").click()
    assert page.url == big_url + "agencies/page_2/"
    assert "（2ページ中2ページ目）" in page.title()
    page.get_by_role("link", name="前のページ").click()
    assert page.url == big_url + "agencies/"
    page.get_by_role("link", name="次のページ").click()
    agency = page.locator(".agency-card__name a").last
    address = agency.evaluate("a => a.href")
    agency.click()
    assert page.url == address and page.locator(".record.agency").count() == 1


@pytest.mark.parametrize("path", ["agencies/", "agencies/page_2/", "programs/page_2/", "en/agencies/page_2/"])
def test_listing_pages_fit_the_phone_and_pass_axe(browser, big_url, path):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(big_url + path)
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0
    assert axe_violations(page) == []
    context.close()
