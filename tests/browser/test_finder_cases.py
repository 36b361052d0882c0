"""The guide's search cases and the finder's answers as a resident sees them, in Chromium on the built site.

The cases are data beside the guide's data (data/search-cases.yaml); the rules they are checked
against are those of tests/test_search_cases.py.  Also: one result per agency with its offices,
no "please call" without a number, an empty open-now result explained, one label per audience.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import statistics
from urllib.parse import quote

import pytest

from conftest import FIXTURES, REPO, TODAY, axe_violations, copy_guide, phone_page, serve, wait_until
from searching import CASES_FILE, case_id, check_case, lines_per_agency, load_cases

from guide import finder
from guide.cli import main

_bench = importlib.util.spec_from_file_location("bench", REPO / "scripts" / "bench.py")
bench = importlib.util.module_from_spec(_bench)
_bench.loader.exec_module(bench)
synthetic_guide = bench.synthetic_guide

pytestmark = pytest.mark.browser

# In the page: the edition's index (all its parts), then finder.js's search() for each case.
WHOLE_INDEX = """
  const form = document.querySelector("form.finder[data-index]");
  const url = form.getAttribute("data-index");
  const index = await (await fetch(url)).json();
  for (const name of index.more || []) {
    GuideFinder.extend(index, (await (await fetch(url.replace(/[^/]*$/, "") + name)).json()).docs);
  }
"""
RUN_CASES = """async (cases) => {""" + WHOLE_INDEX + """
  return cases.map((c) => {
    const docs = GuideFinder.search(index, c.query, c.facets || {});
    return { ids: docs.map((d) => d.id), branches: docs.map((d) => d.branches), fuzzy: docs.fuzzy,
             categories: docs.map((d) => d.c || []), crisis: docs.crisis };
  });
}"""


@pytest.fixture(scope="module")
def cases(built):
    found = load_cases(built)
    if not found:
        pytest.skip(f"{CASES_FILE}: this guide has no search cases")
    return found


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_search_case_passes_in_chromium(page, site_url, cases, lang):
    mine = [c for c in cases if c.get("lang", "ja") == lang]
    page.goto(site_url + ("" if lang == "ja" else f"{lang}/") + "finder/")
    results = page.evaluate(RUN_CASES, mine)
    failures = [(case_id(c), check_case(c, got), got["ids"][:5]) for c, got in zip(mine, results, strict=True) if check_case(c, got)]
    assert not failures
    assert all(lines_per_agency(got["ids"][:10]) <= 2 for got in results)
    assert all(len(got["ids"]) <= 10 for got in results if got["fuzzy"])


def result_titles(page) -> list[str]:
    return page.locator(".finder-results .finder-result__title").evaluate_all("els => els.map(e => e.getAttribute('href'))")


# The finder's rules as residents meet them, on the ranking fixture (tests/fixtures/ranking): the
# generator's behaviour, whatever guide is in data/.

@pytest.fixture(scope="module")
def ranking_url(tmp_path_factory):
    root = copy_guide(tmp_path_factory.mktemp("ranking"), guide=FIXTURES / "ranking")
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0
    with serve(root / "site") as url:
        yield url


def eight_times_ranking(folder, part_bytes: int | None = None):
    """The ranking fixture eight times over (fake names), built and served; `part_bytes`: the index's parts."""
    root = synthetic_guide(FIXTURES / "ranking", folder / "guide", 8)
    for name in ("locale", "overrides", "schema"):
        shutil.copytree(REPO / name, root / name, dirs_exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(finder, "PART_BYTES", part_bytes or finder.PART_BYTES)
        assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0
    return serve(root / "site")


@pytest.fixture(scope="module")
def many_url(tmp_path_factory):
    """More results than one screen shows."""
    with eight_times_ranking(tmp_path_factory.mktemp("many")) as url:
        yield url


@pytest.fixture(scope="module")
def parts_url(tmp_path_factory):
    """An index cut into parts of 8 KB, as a large guide's is."""
    with eight_times_ranking(tmp_path_factory.mktemp("parts"), part_bytes=8000) as url:
        yield url


@pytest.fixture
def ranking_page(browser, ranking_url):
    with phone_page(browser, ranking_url) as page:
        yield page


@pytest.fixture
def many_page(browser, many_url):
    with phone_page(browser, many_url) as page:
        yield page


def test_an_agency_with_offices_is_one_result_listing_them(ranking_page, ranking_url):
    page = ranking_page
    page.goto(ranking_url + "finder/")
    page.locator("input[name=q]").press_sequentially("かくうかいごせんたー", delay=20)
    first = page.locator(".finder-results > li").first
    first.locator(".finder-result__branches a").first.wait_for()
    assert first.locator(".finder-result__title").get_attribute("href").endswith("agencies/kakuu-kaigo-center/")
    offices = first.locator(".finder-result__branches a")
    assert offices.count() == 2 and "agencies/kakuu-kaigo-center/" in offices.first.get_attribute("href")
    agencies = [h.split("agencies/")[-1].strip("/") for h in result_titles(page)[:10] if "agencies/" in h]
    assert lines_per_agency(agencies) == 1


def test_no_number_never_says_please_call(ranking_page, ranking_url):
    page = ranking_page
    page.goto(ranking_url + "finder/?q=" + quote("架空あんしん窓口"))
    first = page.locator(".finder-results > li").first
    first.wait_for()
    text = first.inner_text()
    assert "架空介護センター" in text and "086-900-0001" in text  # who to ask instead: the hub, with its number
    assert "お電話" not in text
    page.goto(ranking_url + "agencies/kakuu-anshin/")
    record = page.locator(".record").inner_text()
    assert "架空介護センター" in record and "お電話" not in record


def test_open_now_with_nothing_open_says_when_the_first_opens(ranking_page, ranking_url):
    page = ranking_page
    page.add_init_script("window.GUIDE_NOW = '2026-11-24T22:00:00+09:00';")  # a Tuesday night
    page.goto(ranking_url + "finder/?open=1&q=" + quote("介護"))
    status = page.locator(".finder-status")
    page.locator(".finder-status", has_text="受付").wait_for()
    assert "いまは受付時間外" in status.inner_text() and "明日 8:30" in status.inner_text()
    assert page.locator(".finder-results > li").count() == 0


def test_long_result_lists_show_the_first_twenty_and_a_more_button(many_page, many_url):
    page = many_page
    page.goto(many_url + "finder/?q=" + quote("架空"))
    page.locator(".finder-results > li").first.wait_for()
    total = int("".join(ch for ch in page.locator(".finder-status").inner_text() if ch.isdigit()))
    assert total > 40
    assert page.locator(".finder-results > li").count() == 20
    more = page.locator("button.finder-more")
    assert more.is_visible()
    more.click()
    assert page.locator(".finder-results > li").count() == 40
    assert page.evaluate("document.activeElement.closest('li') === document.querySelectorAll('.finder-results > li')[20]")


# The first twenty results of the whole index and their number, as the list shows them.
WHOLE_ANSWER = """async (query) => {""" + WHOLE_INDEX + """
  const docs = GuideFinder.search(index, query, {});
  return { hrefs: docs.slice(0, 20).map((d) => form.getAttribute("data-root") + d.u), count: docs.length };
}"""
PART_STARTS = """() => performance.getEntriesByType("resource")
  .filter((entry) => /finder-index-[0-9]+[.]json$/.test(entry.name)).map((entry) => entry.startTime)"""


def test_the_first_results_wait_for_the_first_part_of_the_index_only(browser, parts_url):
    with phone_page(browser, parts_url) as page:
        held = []
        page.route("**/finder-index-*.json", lambda route: held.append(route))  # the later parts wait until released
        page.add_init_script(bench.FIRST_RESULTS)  # notes the frame of the first results
        page.goto(parts_url + "finder/?q=" + quote("架空"))
        page.locator(".finder-results > li").first.wait_for()
        status = page.locator(".finder-status")
        still_loading = page.locator("form.finder").get_attribute("data-msg-loading-more")
        assert still_loading in status.inner_text()  # partial results, and they say so
        wait_until(page, "window.__firstResults > 0")
        parts = page.evaluate("async () => (await (await fetch(document.querySelector('form.finder').dataset.index)).json()).more.length")
        assert parts > 2
        for _ in range(100):  # every other part is asked for, after the first results
            if len(held) == parts:
                break
            page.wait_for_timeout(50)
        for route in held:
            route.continue_()
        page.unroute("**/finder-index-*.json")
        wait_until(page, f"!document.querySelector('.finder-status').textContent.includes({json.dumps(still_loading)})")
        first = page.evaluate("window.__firstResults")
        starts = page.evaluate(PART_STARTS)
        assert len(starts) == len(held) and min(starts) > first  # no part was asked for before the first paint
        measured = page.evaluate(bench.TRANSFERRED)  # as the benchmark counts: the parts come after
        assert measured["first"] == first and measured["before"] < measured["all"] and measured["complete"] > first
        whole = page.evaluate(WHOLE_ANSWER, "架空")
        assert result_titles(page) == whole["hrefs"]  # complete, ranked as one index
        assert str(whole["count"]) in status.inner_text()


def test_each_audience_option_has_its_own_label(page, site_url):
    for path in ("finder/", "en/finder/"):
        page.goto(site_url + path)
        labels = page.locator("select[name=audience] option").all_inner_texts()
        assert len(labels) == len(set(labels)), labels


# Keystroke to painted results, as a resident types (printed for the report; not a timed assertion).
MEASURE = """() => {
  window.__samples = [];
  let last = 0;
  // "input", not "keydown": typed kana arrive as text input, without key events.
  document.querySelector("input[name=q]").addEventListener("input", () => { last = performance.now(); }, true);
  new MutationObserver(() => {
    const from = last;
    if (!from) return;
    last = 0;
    requestAnimationFrame(() => setTimeout(() => window.__samples.push(performance.now() - from), 0));
  }).observe(document.querySelector(".finder-wrap"), { childList: true, characterData: true, subtree: true });
}"""


def test_keystroke_to_painted_results(ranking_page, ranking_url):
    page = ranking_page
    page.goto(ranking_url + "finder/")
    for _ in range(200):  # the index has loaded when the status line is empty again
        if page.evaluate("document.querySelector('.finder-status').textContent") == "":
            break
        page.wait_for_timeout(50)
    page.evaluate(MEASURE)
    field = page.locator("input[name=q]")
    field.press_sequentially("a", delay=120)  # the first search warms the page up; not a resident's wait
    page.wait_for_timeout(300)
    page.evaluate("window.__samples = []")
    for query in ("かいご", "かいごほけん", "しごと", "みまもり", "としょ"):
        field.fill("")
        field.press_sequentially(query, delay=120)
    page.wait_for_timeout(300)
    samples = page.evaluate("window.__samples")
    assert len(samples) >= 10
    print(f"\nkeystroke → painted (Chromium, {len(samples)} keystrokes): median {statistics.median(samples):.1f} ms, max {max(samples):.1f} ms")


# --- residents reach help (issue 20): the guide's own cases, crisis first, no dead end, phone, reader, paper


@pytest.fixture(scope="module")
def guide_url(tmp_path_factory):
    """The guide in data/ built (without handouts) and served: its own search cases run on it."""
    root = copy_guide(tmp_path_factory.mktemp("guide"), guide=REPO)
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0
    with serve(root / "site") as url:
        yield url


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_the_guides_own_search_cases_pass_in_chromium(browser, guide_url, lang):
    cases = [c for c in load_cases(REPO) if c.get("lang", "ja") == lang]
    with phone_page(browser, guide_url) as page:
        page.goto(guide_url + ("" if lang == "ja" else f"{lang}/") + "finder/")
        results = page.evaluate(RUN_CASES, cases)
    failures = [(case_id(c), check_case(c, got), got["ids"][:5]) for c, got in zip(cases, results, strict=True) if check_case(c, got)]
    assert not failures


def finder_at(page, url: str, query: str) -> None:
    page.goto(url + "finder/?q=" + quote(query))
    wait_until(page, "document.querySelector('.finder-results > li') !== null || !document.querySelector('.finder-none').hidden")


def test_a_crisis_search_shows_the_urgent_contacts_and_the_concerns_counters_before_any_result(ranking_page, ranking_url):
    page = ranking_page
    finder_at(page, ranking_url, "助けて")
    box = page.locator(".finder-crisis")
    assert box.is_visible()
    assert box.locator("a[href='tel:+81-86-900-9999']").count() == 1  # the city's urgent contact (made up)
    counters = box.locator("ul").nth(1).locator("li")
    assert "架空介護センター" in counters.first.inner_text()  # the ★ of 介護 …
    assert counters.first.locator("a[href='tel:+81-86-900-0001']").count() == 1  # … with its phone
    assert counters.count() == 3  # and the concern's other counters
    above = page.evaluate("document.querySelector('.finder-crisis').compareDocumentPosition(document.querySelector('.finder-results')) & Node.DOCUMENT_POSITION_FOLLOWING")
    assert above  # the box comes before the results
    assert result_titles(page)[0].endswith("agencies/kakuu-kaigo-center/")
    finder_at(page, ranking_url, "介護")
    assert not box.is_visible()  # an everyday word: no crisis box


def test_no_results_shows_the_concerns_and_the_hubs(ranking_page, ranking_url):
    page = ranking_page
    finder_at(page, ranking_url, "xyzzyq")
    none = page.locator(".finder-none")
    assert none.is_visible()
    assert none.locator("a.tile[href$='categories/kaigo/']").count() == 1  # each concern
    assert none.locator("a[href$='agencies/kakuu-kaigo-center/']").count() == 1  # the ★, with its number
    assert none.locator("a[href='tel:+81-86-900-0001']").count() == 1
    finder_at(page, ranking_url, "介護")
    assert not none.is_visible()


def test_on_a_phone_the_first_result_shows_without_scrolling_and_titles_are_tall_enough_to_tap(ranking_page, ranking_url):
    page = ranking_page
    finder_at(page, ranking_url, "介護")
    facets = page.locator(".finder__facets")
    assert not facets.is_visible()  # folded behind one control until used
    first = page.locator(".finder-results .finder-result__title").first.bounding_box()
    assert first["y"] + first["height"] <= 812
    heights = page.locator(".finder-results .finder-result__title").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44
    toggle = page.locator("button.finder__filters")
    assert toggle.get_attribute("aria-expanded") == "false"
    toggle.click()
    assert facets.is_visible() and toggle.get_attribute("aria-expanded") == "true"


def test_filters_chosen_in_the_address_are_shown_open(ranking_page, ranking_url):
    page = ranking_page
    page.goto(ranking_url + "finder/?category=kaigo")
    page.locator(".finder-results > li").first.wait_for()
    assert page.locator(".finder__facets").is_visible()


def test_a_filter_change_that_keeps_the_count_is_announced_again(ranking_page, ranking_url):
    page = ranking_page
    finder_at(page, ranking_url, "介護")
    before = page.locator(".finder-status").inner_text()
    page.evaluate("""() => {
      window.__said = [];
      const status = document.querySelector('.finder-status');
      new MutationObserver(() => window.__said.push(status.textContent)).observe(status, { childList: true, characterData: true, subtree: true });
    }""")
    page.locator("button.finder__filters").click()
    page.locator("#finder-category").select_option("kaigo")  # every result is about 介護: the same count
    wait_until(page, "window.__said.length >= 2")
    said = page.evaluate("window.__said")
    assert said[-1] == before and "" in said  # emptied, then said again: a live region reads it out


def test_printed_results_carry_the_query_the_date_and_both_addresses(ranking_page, ranking_url):
    page = ranking_page
    page.add_init_script("window.GUIDE_NOW = '2026-11-24T10:00:00+09:00';")  # the date printed is the city's today
    finder_at(page, ranking_url, "介護")
    page.emulate_media(media="print")
    line = page.locator(".finder-print")
    assert line.is_visible()
    text = line.inner_text()
    assert "介護" in text and "2026年11月24日" in text
    assert "https://guide.example.jp/" in text  # the site's public address (site.yaml url)
    assert page.url in text  # this page, with the query
    assert not page.locator(".finder").is_visible()  # the form is not printed


@pytest.mark.parametrize("width", [375, 1280])
def test_the_crisis_box_and_the_no_results_block_pass_axe(ranking_page, ranking_url, width):
    page = ranking_page
    page.set_viewport_size({"width": width, "height": 812})
    for query in ("助けて", "xyzzyq"):
        finder_at(page, ranking_url, query)
        assert axe_violations(page) == [], query
