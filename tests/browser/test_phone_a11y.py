"""A resident on a phone, with large text or a screen reader, reads and reaches the same as everyone else.

Run on the minimal fixture guide (two languages, hubs marked ◎, hours, branches), built once
for the session (conftest.built).  Pages are found by the site's structure (test_reach.page_types),
not by record ids.  Screenshots at 375 px go to build/screenshots/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import axe_violations, wait_until
from browsing import CUT_OFF, DESKTOP, TAP, ZOOMED, editions, first_with, page_types, tab

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
MENU_BUTTON = ".md-header label.md-header__button[for=__drawer]"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built / "site"


@pytest.fixture(scope="module")
def guide(built):
    from guide.load import load_guide

    return load_guide(built).guide


@pytest.fixture(scope="module")
def hubs(guide):
    return guide.taxonomy.hubs


# --- the home page's concern tiles ------------------------------------------------------------

TILES = """() => [...document.querySelectorAll('a.tile')].map(a => {
  const style = getComputedStyle(a), box = a.getBoundingClientRect(), cell = a.parentElement.getBoundingClientRect();
  return {text: a.textContent.trim(), display: style.display, padding: style.padding,
          width: box.width, cellWidth: cell.width, height: box.height, em: parseFloat(style.fontSize)};
})"""


def test_the_concern_tiles_keep_their_designed_size_on_a_phone(page, site_url):
    page.set_viewport_size(DESKTOP)
    page.goto(site_url)
    designed = page.evaluate(TILES)
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(site_url)
    tiles = page.evaluate(TILES)
    assert tiles, "the home page shows the concerns as tiles"
    for tile, wide in zip(tiles, designed, strict=True):
        # Each tile fills its cell of the grid, as on a wide screen, and is as tall as designed (3.6em).
        assert abs(tile["width"] - tile["cellWidth"]) < 1, tile
        assert tile["height"] >= 3.6 * tile["em"] - 0.5, tile
        assert (tile["display"], tile["padding"]) == (wide["display"], wide["padding"]), (tile, wide)
    shot(page, "phone-a11y-home-375")


# --- the hub mark, heard with its meaning --------------------------------------------------------


def test_a_screen_reader_hears_the_hub_marks_meaning_in_the_citys_words(page, site_url, site, guide, hubs):
    from guide.i18n import default_language

    for prefix in editions(site):  # every edition the guide has, one or more
        lang = prefix.strip("/") or default_language(guide.site)
        words = hubs.label.get(lang) or hubs.label.get(default_language(guide.site))
        shown = [*page_types(site, prefix).values()]
        shown += [p.parent.relative_to(site).as_posix() + "/" for p in sorted((site / prefix).glob("categories/*/index.html"))]
        marks_heard = 0
        for path in dict.fromkeys(shown):
            if path.endswith("finder/"):
                continue  # the finder's results are the finder's own (test_finder_cases)
            page.goto(site_url + path)
            for mark in page.locator(".hub-mark").all():
                # What a screen reader reads for the link, list item or heading the mark is in.
                heard = mark.locator("xpath=..").aria_snapshot()
                assert hubs.mark not in heard, (path, heard)
                assert heard.count(words) == 1, (path, heard)
                marks_heard += 1
        assert marks_heard >= 3, (prefix, "the hub cards on the home page and a concern, and the hub counter's page")


def test_a_hub_card_is_announced_as_where_to_ask_then_its_name(page, site_url, guide, hubs):
    from guide.i18n import default_language

    lang = default_language(guide.site)  # the edition at the site's root
    hub = next(category.hub for category in guide.taxonomy.categories if category.hub)
    name = next(agency.name.get(lang) for agency in guide.agencies if agency.id == hub)
    page.goto(site_url)
    card = page.locator(".agency-card--hub").first  # the home page's first concern with a hub
    assert card.get_by_role("link", name=f"{hubs.label.get(lang)} {name}", exact=True).count() == 1


# --- tap targets on cards and lists -------------------------------------------------------------

# Every link in a card or a list item of the content, even one inside a sentence ("Offices in each
# area: 東区, 西区"): on a card it is what a resident taps.  The finder's results are the finder's.
CARD_AND_LIST_LINKS = """(minimum) => [...document.querySelectorAll('.md-content :is(.agency-card, .program-card, li) a[href]')]
  .filter(a => !a.closest('.finder, .finder-results'))
  .map(a => { const r = a.getBoundingClientRect(); return [a.textContent.trim().slice(0, 20), Math.round(r.width), Math.round(r.height)]; })
  .filter(([, width, height]) => height && (height < minimum || width < minimum))"""


@pytest.mark.parametrize("kind", ["home", "category", "agencies", "agency", "programs", "area", "areas"])
def test_links_on_cards_and_in_lists_are_44px_targets_on_a_phone(page, site_url, site, kind):
    page.goto(site_url + page_types(site)[kind])
    assert page.locator(".md-content li a[href]").count() > 0, "the page has a list of links"
    assert page.evaluate(CARD_AND_LIST_LINKS, TAP) == []


# --- the menu on a phone ----------------------------------------------------------------------


def tab_stops(page, count: int) -> list[dict]:
    return [tab(page) for _ in range(count)]


def outside_the_menu(stops: list[dict]) -> list[dict]:
    """Stops on the page behind the menu (BODY: focus went on to the browser's own controls)."""
    return [s for s in stops if not s["inDrawer"] and s["tag"] != "BODY"]


@pytest.mark.parametrize("kind", ["home", "agency"])
def test_with_the_menu_open_tab_stays_in_the_menu(page, site_url, site, kind):
    page.goto(site_url + page_types(site)[kind])
    page.locator(MENU_BUTTON).focus()
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement.closest('.md-sidebar--primary') !== null")
    links = page.locator(".md-sidebar--primary a[href]").count()
    stops = tab_stops(page, links + 5)  # round the whole menu and past its end
    assert outside_the_menu(stops) == []
    assert sum(s["inDrawer"] for s in stops) >= links
    shot(page, f"phone-a11y-menu-{kind}-375")
    # Closed again, the page is reachable as before.
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.getAttribute('for')") == "__drawer"
    assert not page.locator(".md-content").evaluate("el => el.closest('[inert]') !== null")
    # At once: the closing menu, still sliding out, is not in the way.
    for _ in range(20):
        if tab(page)["inDrawer"] or page.evaluate("!!document.activeElement.closest('.md-content')"):
            break
    assert page.evaluate("!!document.activeElement.closest('.md-content')")


def test_the_open_menu_passes_axe(page, site_url, site):
    page.goto(site_url + page_types(site)["agency"])
    page.locator(MENU_BUTTON).click()
    page.wait_for_timeout(300)  # the menu slides in
    assert axe_violations(page) == []


def test_a_menu_opened_by_a_tap_keeps_tab_in_it_and_a_tap_beside_it_closes_it(page, site_url, site):
    page.goto(site_url + page_types(site)["agency"])
    page.locator(MENU_BUTTON).click()
    assert page.locator("#__drawer").is_checked()
    page.wait_for_timeout(300)  # the menu slides in
    stops = tab_stops(page, page.locator(".md-sidebar--primary a[href]").count() + 5)
    assert outside_the_menu(stops) == []
    page.mouse.click(360, 400)  # the dimmed page beside the menu
    assert not page.locator("#__drawer").is_checked()
    assert page.evaluate("[...document.querySelectorAll('[inert]')].map(el => el.className)") == ["md-sidebar md-sidebar--primary"]


def test_on_a_wide_screen_the_menu_is_a_sidebar_and_covers_nothing(page, site_url, site):
    page.set_viewport_size(DESKTOP)
    page.goto(site_url + page_types(site)["agency"])
    page.locator("#__drawer").evaluate("el => el.click()")  # as a script or a resize could leave it
    assert page.evaluate("document.querySelectorAll('[inert]').length") == 0


# --- the 404 pages --------------------------------------------------------------------------------


def test_the_404_pages_say_not_found_in_their_own_language(page, site_url, site):
    headings = {}
    for prefix in editions(site):
        page.goto(site_url + prefix + "404.html")
        headings[prefix] = page.locator(".md-content h1").inner_text()
    assert headings[""] == "ページが見つかりません", headings  # not Material's English on the Japanese edition
    assert all(h == "Page not found" for p, h in headings.items() if p == "en/"), headings


def test_the_404_pages_skip_link_leads_past_the_header_to_the_content(page, site_url, site):
    for prefix in editions(site):
        skip_link_leads_past_the_header(page, site_url + prefix + "404.html")


def skip_link_leads_past_the_header(page, url: str) -> None:
    page.goto(url)
    skip = tab(page)
    assert "md-skip" in skip["cls"], skip
    target = page.locator(".md-skip").get_attribute("href")
    assert page.locator(".md-content").locator(target).count() == 1, target
    page.keyboard.press("Enter")
    # The next Tab goes on from the content: past the header, the language switcher and the menu.
    after = tab(page)
    assert page.evaluate(
        "(target) => !document.querySelector('.md-header').contains(document.activeElement)"
        " && !!(document.querySelector(target).compareDocumentPosition(document.activeElement) & Node.DOCUMENT_POSITION_FOLLOWING)",
        target,
    ), after


# --- large text: 200 % ----------------------------------------------------------------------------



@pytest.fixture
def zoomed(browser):
    context = browser.new_context(**ZOOMED)
    page = context.new_page()
    page.set_default_timeout(5000)
    yield page
    context.close()


@pytest.mark.parametrize("kind", ["home", "category", "agency", "branch", "not found"])
def test_at_200_percent_the_header_shows_all_its_words(zoomed, site_url, site, kind):
    for prefix in editions(site):  # every edition the guide has, one or more
        zoomed.goto(site_url + page_types(site, prefix)[kind])
        assert zoomed.evaluate(CUT_OFF, "header.md-header") == [], prefix
        zoomed.mouse.wheel(0, 1200)  # Material swaps the site's name for the page's title once it scrolls
        zoomed.wait_for_timeout(500)
        assert zoomed.evaluate(CUT_OFF, "header.md-header") == [], prefix


def test_at_200_percent_the_hours_table_shows_every_day_and_time(zoomed, site_url, site):
    for prefix in editions(site):  # every edition the guide has, one or more
        path = first_with(site, prefix + "agencies/*/index.html", 'class="hours-table"')
        zoomed.goto(site_url + path)
        table = zoomed.locator("table.hours-table").first
        assert zoomed.evaluate(CUT_OFF, "table.hours-table") == [], prefix
        assert zoomed.evaluate("document.documentElement.scrollWidth <= innerWidth"), ("no sideways scrolling", prefix)
        # Still a table to a screen reader: each time is read with its day.
        assert table.get_by_role("rowheader").count() == table.get_by_role("cell").count() > 0, prefix
        edition = prefix.strip("/") or "default"
        table.screenshot(path=str(SCREENSHOTS / f"phone-a11y-hours-200pct-{edition}.png"))
        zoomed.screenshot(path=str(SCREENSHOTS / f"phone-a11y-agency-200pct-{edition}.png"))
