"""What a resident does on a phone: search in their own words, follow a concern to its ★ counter, see if it is open."""

from pathlib import Path
from urllib.parse import quote

import pytest

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"

RESIDENT_QUERIES = [
    ("借金", "yorisoi-support"),
    ("にんちしょう", "chiiki-houkatsu"),
    ("ﾎｹﾝｼﾞｮ", "hokenjo-soumu"),
    ("発達障害", "hattatsu-center"),
    ("介護保険の申請", "fukushi-jimusho"),
    ("成年後見", "seinen-kouken"),
    ("療育手帳", "kouseisoudan"),
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
    hrefs = page.locator(".finder-results li a[href*='agencies/']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    position = next(i for i, href in enumerate(hrefs) if href.endswith(f"agencies/{agency}/"))
    assert position < 5, (query, hrefs[:8])


def test_the_query_in_the_address_is_restored(page, site_url):
    page.goto(site_url + "finder/?q=" + quote("成年後見"))
    page.locator('.finder-results a[href$="agencies/seinen-kouken/"]').first.wait_for()
    assert page.locator("input[name=q]").input_value() == "成年後見"
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
            first.locator("a").first.click()  # tap 2: the ★ counter's page, with its phone number
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
    page.goto(site_url + "agencies/chiiki-care-center/")
    badge = page.locator(".record .open-status").first
    page.wait_for_function("document.querySelector('.record .open-status').className.includes('is-')")
    assert state in badge.get_attribute("class")
    assert text in badge.inner_text()


def test_without_javascript_the_hours_table_is_still_there(browser, site_url):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(site_url + "agencies/chiiki-care-center/")
    assert "8:30–17:15" in page.locator("table.hours-table").inner_text()
    context.close()


@pytest.mark.parametrize(
    "path",
    ["", "categories/long-term-care/", "agencies/chiiki-care-center/", "agencies/hoken-center/kita-chuo/", "programs/momotaro-taiso/", "programs/"],
)
def test_phone_width_pages_do_not_scroll_sideways(page, site_url, path):
    page.goto(site_url + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, path
    shot(page, ("home" if not path else path.strip("/").replace("/", "_")) + "-375")


@pytest.mark.parametrize("path", ["", "finder/", "categories/medical/", "agencies/chiiki-care-center/", "programs/momotaro-taiso/", "opendata/", "en/"])
def test_pages_pass_axe_wcag_aa(page, site_url, path):
    from axe_playwright_python.sync_playwright import Axe

    page.goto(site_url + path)
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}})
    violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]
    assert violations == [], violations


ENGLISH_QUERIES = [
    ("dementia", "chiiki-houkatsu"),
    ("debt", "yorisoi-support"),
    ("child care", "kodomo-sogo-sodanjo"),
    ("disability certificate", "kouseisoudan"),
    ("elderly job", "shougai-katsuyaku"),
]


@pytest.mark.parametrize(("query", "agency"), ENGLISH_QUERIES)
def test_english_queries_find_the_agency(page, site_url, query, agency):
    page.goto(site_url + "en/finder/?q=" + quote(query))
    page.locator(f'.finder-results a[href$="agencies/{agency}/"]').first.wait_for()
    hrefs = page.locator(".finder-results li a[href*='agencies/']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    position = next(i for i, href in enumerate(hrefs) if href.endswith(f"agencies/{agency}/"))
    assert position < 5, (query, hrefs[:8])


def test_language_switcher_lands_on_the_same_page(page, site_url):
    page.goto(site_url + "agencies/chiiki-care-center/")
    page.locator(".lang-switch__link", has_text="English").click()
    page.wait_for_url("**/en/agencies/chiiki-care-center/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.locator(".lang-switch__link", has_text="日本語").click()
    page.wait_for_url(site_url + "agencies/chiiki-care-center/")
    assert page.locator("html").get_attribute("lang") == "ja"


def test_printing_an_agency_page_gives_a_clean_page(page, site_url):
    page.goto(site_url + "agencies/chiiki-care-center/")
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
