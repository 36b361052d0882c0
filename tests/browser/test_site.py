"""What a resident does on a phone: search in their own words, follow a concern to its hub counter, see if it is open.

The generator's pages are tried on the fixture guides: `minimal` (two area levels, hubs, two
languages, branches) and `small` (架空市: one area, no hubs, Japanese only, almost no phones
or hours).  Residents' queries on a guide's own data are in its data/checks.yaml.
"""

from pathlib import Path
from urllib.parse import quote

import pytest
from conftest import axe_violations, phone_page, wait_until

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"

RESIDENT_QUERIES = [
    ("借金", "kakuu-kakei"),
    ("かけい", "kakuu-kakei"),
    ("よろず相談", "kakuu-soudan-center"),
    ("ｹﾝｺｳ", "example-counter"),
]


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize(("query", "agency"), RESIDENT_QUERIES)
def test_typing_a_residents_query_finds_the_agency(page, site_url, query, agency):
    page.goto(site_url + "finder/")
    page.locator("input[name=q]").press_sequentially(query, delay=20)
    # Results follow the typing; the finished query lands in the address, so the list can be shared.
    page.wait_for_url(lambda url: f"q={quote(query)}" in url)
    page.locator(f'.finder-results a[href$="agencies/{agency}/"]').first.wait_for()
    # The answer must be near the top, not buried.
    hrefs = page.locator(".finder-results .finder-result__title[href*='agencies/']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    position = next(i for i, href in enumerate(hrefs) if href.endswith(f"agencies/{agency}/"))
    assert position < 5, (query, hrefs[:8])


def test_the_query_in_the_address_is_restored(page, site_url):
    page.goto(site_url + "finder/?q=" + quote("借金"))
    page.locator('.finder-results a[href$="agencies/kakuu-kakei/"]').first.wait_for()
    assert page.locator("input[name=q]").input_value() == "借金"
    shot(page, "finder-375")


def test_each_concern_tile_leads_to_its_hub_within_three_taps(page, site_url, built):
    from guide.load import load_guide

    guide = load_guide(built).guide
    for category in guide.taxonomy.categories:
        page.goto(site_url)  # tap 0: the home page
        page.locator("a.tile", has_text=category.name.get("ja")).first.click()  # tap 1
        page.wait_for_url(f"**/categories/{category.id}/")
        cards = page.locator(".agency-card")
        assert cards.count() > 0, category.id
        if category.hub:
            first = cards.first
            assert "agency-card--hub" in first.get_attribute("class")
            first.locator("a").first.click()  # tap 2: the hub counter's page, with its phone number
            page.wait_for_url(f"**/agencies/{category.hub}/")
            # A phone to tap, the offices to choose from, or an explicit "not listed" — never nothing.
            shown = page.locator(".record a.phone, .record .branch-list a, .record .phones--missing")
            assert shown.count() > 0, category.id


OPEN_NOW_CASES = [
    ("2026-11-24T10:00:00+09:00", "受付中", "is-open"),
    ("2026-11-24T17:14:00+09:00", "受付中", "is-open"),
    ("2026-11-24T17:16:00+09:00", "本日の受付は終了", "is-closed"),
    ("2026-11-23T10:00:00+09:00", "本日は休み 次の受付: 明日 8:30", "is-closed"),  # 勤労感謝の日
    ("2026-12-30T10:00:00+09:00", "本日は休み 次の受付: 月曜 8:30", "is-closed"),  # year-end closure, open 1/4
]


@pytest.mark.parametrize(("now", "text", "state"), OPEN_NOW_CASES)
def test_open_now_badge_at_fixed_clocks(page, site_url, now, text, state):
    page.add_init_script(f"window.GUIDE_NOW = '{now}';")
    page.goto(site_url + "agencies/kakuu-soudan-center/")
    badge = page.locator(".record .open-status").first
    wait_until(page, "document.querySelector('.record .open-status').className.includes('is-')")
    assert state in badge.get_attribute("class")
    assert text in badge.inner_text()


def test_without_javascript_the_hours_table_is_still_there(browser, site_url):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(site_url + "agencies/kakuu-soudan-center/")
    assert "8:30–17:15" in page.locator("table.hours-table").inner_text()
    context.close()


@pytest.mark.parametrize(
    "path",
    ["", "categories/soudan/", "agencies/kakuu-soudan-center/", "agencies/example-counter/higashi-1/", "programs/kakuu-taisou/", "programs/", "areas/", "flow/", "flow/2/2/1/"],
)
def test_phone_width_pages_do_not_scroll_sideways(page, site_url, path):
    page.goto(site_url + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, path
    shot(page, ("home" if not path else path.strip("/").replace("/", "_")) + "-375")


ENGLISH_QUERIES = [
    ("debt", "kakuu-kakei"),
    ("advice", "kakuu-soudan-center"),
]


@pytest.mark.parametrize(("query", "agency"), ENGLISH_QUERIES)
def test_english_queries_find_the_agency(page, site_url, query, agency):
    page.goto(site_url + "en/finder/?q=" + quote(query))
    page.locator(f'.finder-results a[href$="agencies/{agency}/"]').first.wait_for()
    hrefs = page.locator(".finder-results .finder-result__title[href*='agencies/']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    position = next(i for i, href in enumerate(hrefs) if href.endswith(f"agencies/{agency}/"))
    assert position < 5, (query, hrefs[:8])


def test_language_switcher_lands_on_the_same_page(page, site_url):
    # Material's script fetches a sitemap beside each <link rel=alternate> and takes over clicks on
    # links into an edition whose sitemap it has (it once sent readers to the English home page).
    # The alternates are the page's own in each edition now, not the edition roots, so it finds no
    # sitemap to act on; the switcher (target=_self) keeps the page all the same.
    page.goto(site_url + "agencies/kakuu-soudan-center/")
    with page.expect_navigation(url="**/en/agencies/kakuu-soudan-center/", timeout=20000):
        page.locator(".lang-switch__link", has_text="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation(url=site_url + "agencies/kakuu-soudan-center/", timeout=20000):
        page.locator(".lang-switch__link", has_text="日本語").click()
    assert page.locator("html").get_attribute("lang") == "ja"


def test_printing_an_agency_page_gives_a_clean_page(page, site_url):
    page.goto(site_url + "agencies/kakuu-soudan-center/")
    page.emulate_media(media="print")
    for chrome in (".md-header", ".md-sidebar--primary", ".md-footer", ".lang-switch", ".report-link"):
        assert not page.locator(chrome).first.is_visible(), chrome
    assert page.locator("table.hours-table").is_visible()
    assert "17:15" in page.locator("table.hours-table").inner_text()
    # Where a web link leads is printed after it (an agency's own website, say).
    after = page.locator(".md-typeset").first.evaluate(
        """el => { const a = document.createElement('a'); a.href = 'https://www.example.org/soudan';
                  a.textContent = 'site'; el.appendChild(a); return getComputedStyle(a, '::after').content; }"""
    )
    assert "https://www.example.org/soudan" in after
    page.pdf(path=str(SCREENSHOTS / "agency-print.pdf"), format="A4")


# --- the keyboard alone ---------------------------------------------------------------------


def test_the_keyboard_alone_reaches_search_and_a_result(page, site_url):
    page.goto(site_url)
    for _ in range(30):  # past the skip link, the header and the language switcher
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "home-q":
            break
    assert page.evaluate("document.activeElement.id") == "home-q"
    page.keyboard.type("借金")
    page.keyboard.press("Enter")
    page.wait_for_url("**/finder/?q=*")
    first = page.locator(".finder-results a").first
    first.wait_for()
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/agencies/kakuu-kakei/")


# --- a small city: one area, no hubs, Japanese only, one phone, no hours ------------------------


@pytest.mark.parametrize("path", ["", "finder/", "categories/kurashi/", "agencies/kakuu-shakyo/", "agencies/kakuu-hoken/", "areas/", "areas/zenshi/", "programs/", "about/"])
def test_a_small_citys_pages_pass_axe_and_load_nothing_from_elsewhere(browser, small_url, path):
    with phone_page(browser, small_url) as page:
        page.goto(small_url + path)
        assert axe_violations(page) == []
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, path
        shot(page, "small-" + (path.strip("/").replace("/", "_") or "home") + "-375")


def test_a_small_citys_home_has_no_hub_section_and_one_area(browser, small_url):
    with phone_page(browser, small_url) as page:
        page.goto(small_url)
        assert page.locator("#start-here").count() == 0
        assert page.locator(".lang-switch__link").count() == 0  # one language: no switcher
        areas = page.locator("#by-area ~ ul.area-links a")
        assert areas.all_inner_texts() == ["市全域"]
        areas.first.click()
        page.wait_for_url("**/areas/zenshi/")
        assert page.locator("h2").all_inner_texts() == ["この地域にある相談機関", "この地域の活動"]


def test_the_keyboard_alone_finds_a_counter_in_a_small_city(browser, small_url):
    with phone_page(browser, small_url) as page:
        page.goto(small_url + "finder/")
        page.locator("input[name=q]").focus()
        page.keyboard.type("求人")
        page.keyboard.press("Enter")
        link = page.locator('.finder-results a[href$="agencies/kakuu-shigoto/"]').first
        link.wait_for()
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_url("**/agencies/kakuu-shigoto/")
        assert "記載なし" in page.locator(".record").inner_text()  # no phone, no hours: said so
