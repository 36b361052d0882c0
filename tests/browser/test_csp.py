"""Under the Content-Security-Policy every page type works, and nothing from the data runs.

A page fails on any dialog (alert, confirm, prompt) and on any CSP violation the browser
reports, on the real guide and on a copy whose every text carries a script payload.
"""

from __future__ import annotations

import functools
import http.server
import threading
from urllib.parse import quote

import pytest

from conftest import PHONE, WATCH, _QuietHandler, wait_until
from hostile import PAYLOAD, build_poisoned

pytestmark = pytest.mark.browser

PAGE_TYPES = [
    "", "finder/", "categories/", "categories/soudan/", "agencies/", "agencies/kakuu-soudan-center/",
    "agencies/example-counter/higashi-1/", "areas/", "areas/higashi/", "programs/", "programs/kakuu-taisou/",
    "about/", "404.html", "en/", "en/agencies/kakuu-soudan-center/", "en/finder/",
    "flow/", "flow/2/2/1/", "flow/unsure/",  # the guided questions: a question, an outcome, 「わからない」
]
@pytest.mark.parametrize("path", PAGE_TYPES)
def test_every_page_type_carries_the_policy_and_breaks_none_of_it(watched, site_url, path):
    page, visit = watched
    visit(site_url + path)
    policy = page.locator('meta[http-equiv="Content-Security-Policy"]').get_attribute("content")
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    # Material's own script ran (it sets up the header) under the policy.
    assert page.evaluate("typeof __md_scope === 'object' && typeof __md_get === 'function'")


def test_the_finder_works_under_the_policy(watched, site_url):
    page, visit = watched
    visit(site_url + "finder/?q=" + quote("よろず相談"))
    page.locator('.finder-results a[href$="agencies/kakuu-soudan-center/"]').first.wait_for()


def test_the_open_now_badge_works_under_the_policy(watched, site_url):
    page, visit = watched
    page.add_init_script("window.GUIDE_NOW = '2026-11-24T10:00:00+09:00';")
    visit(site_url + "agencies/kakuu-soudan-center/")
    wait_until(page, "document.querySelector('.record .open-status').className.includes('is-open')")


def test_an_inline_script_would_be_blocked_and_reported(browser, site_url):
    # The watch works: markup that slipped into a page could not run, and the test would see it.
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(WATCH)
    page = context.new_page()
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site_url + "agencies/kakuu-soudan-center/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"alert(1)\">')")
    wait_until(page, "window.__violations.some(v => v.startsWith('script-src'))")
    assert dialogs == []
    context.close()


@pytest.fixture(scope="module")
def poisoned_url(tmp_path_factory):
    root = build_poisoned(tmp_path_factory.mktemp("poisoned-browser"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.mark.parametrize("path", [p for p in PAGE_TYPES if p != "404.html"])
def test_script_in_every_text_never_runs(watched, poisoned_url, path):
    page, visit = watched
    visit(poisoned_url + path)
    assert "alert(1)" in page.locator("body").inner_text() or path.endswith("finder/") or path == "about/"


def test_script_in_the_data_shows_as_text_in_finder_results(watched, poisoned_url):
    page, visit = watched
    visit(poisoned_url + "finder/?q=" + quote("よろず相談"))
    result = page.locator('.finder-results a[href$="agencies/kakuu-soudan-center/"]').first
    result.wait_for()
    assert PAYLOAD in page.locator(".finder-results").inner_text()
