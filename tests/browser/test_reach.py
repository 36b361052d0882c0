"""A resident with a keyboard, a phone or a printer reaches the same help as everyone else.

Pages are chosen by their type (the first agency page, a branch page, a page with a
"Japanese only" note …) from the built site, never by a record id, so these tests hold
for any guide the generator builds.
"""

from __future__ import annotations

import functools
import http.server
import re
import subprocess
import threading
from pathlib import Path

import pytest

from conftest import TODAY, _QuietHandler, axe_violations, copy_guide, phone_page, wait_until
from browsing import DESKTOP, FOCUSED, TAP, editions, first, first_with, page_types, tab
from guide.cli import main

pytestmark = pytest.mark.browser

def all_page_types(site: Path) -> list[tuple[str, str]]:
    return [(f"{prefix or 'default'} {name}", path) for prefix in editions(site) for name, path in page_types(site, prefix).items()]


def with_fallback_note(site: Path) -> str:
    """A page that shows a text in the default language because its translation is missing."""
    return first_with(site, "*/**/index.html", 'class="fallback-note"')


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built / "site"


# --- keyboard ---------------------------------------------------------------------------------

def on_screen(focus: dict, width: int) -> bool:
    return focus["width"] > 0 and focus["height"] > 0 and focus["right"] > 0 and focus["left"] < width


@pytest.mark.parametrize("kind", ["home", "agency", "branch", "program", "finder", "not found"])
def test_tab_at_375px_starts_with_the_skip_link_and_never_lands_off_screen(page, site_url, site, kind):
    page.goto(site_url + page_types(site)[kind])
    stops = [tab(page) for _ in range(15)]
    assert "md-skip" in stops[0]["cls"], stops[0]
    off = [s for s in stops if not on_screen(s, 375) or s["inDrawer"]]
    assert off == [], off
    assert any("md-header__button" in s["cls"] and s["tag"] == "LABEL" for s in stops[:3]), "the menu button takes focus"


def test_the_skip_link_moves_on_to_the_page_content(page, site_url, site):
    page.goto(site_url + page_types(site)["agency"])
    tab(page)
    page.keyboard.press("Enter")
    after = page.evaluate("() => { const el = document.activeElement; return !!el.closest('.md-content') || el === document.body }")
    nxt = tab(page)
    assert after
    assert page.evaluate("() => !!document.activeElement.closest('.md-content')"), nxt


def test_the_menu_button_opens_and_closes_the_menu_from_the_keyboard(page, site_url, site):
    page.goto(site_url + page_types(site)["agency"])
    button = page.locator(".md-header label.md-header__button[for=__drawer]")
    assert button.get_attribute("role") == "button"
    assert button.get_attribute("aria-expanded") == "false"
    assert button.get_attribute("aria-label")
    button.focus()
    page.keyboard.press("Enter")
    assert page.locator("#__drawer").is_checked()
    assert button.get_attribute("aria-expanded") == "true"
    wait_until(page, "document.activeElement.closest('.md-sidebar--primary') !== null")
    inside = page.evaluate(FOCUSED)
    assert on_screen(inside, 375) and inside["inDrawer"], inside
    # The menu's links are reachable now, and on screen.
    for _ in range(3):
        focus = tab(page)
        assert on_screen(focus, 375), focus
    page.keyboard.press("Escape")
    assert not page.locator("#__drawer").is_checked()
    assert button.get_attribute("aria-expanded") == "false"
    assert page.evaluate("document.activeElement.getAttribute('for')") == "__drawer"
    # Space works as on any button.
    page.keyboard.press(" ")
    assert page.locator("#__drawer").is_checked()


# --- phones: tap targets ----------------------------------------------------------------------

SMALL_TARGETS = """(minimum) => {
  const small = [];
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, summary, [role=button]')) {
    const style = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || style.visibility !== 'visible' || r.right <= 0 || r.left >= innerWidth) continue;
    if (el.classList.contains('md-skip') && document.activeElement !== el) continue;  // shown only on focus
    // A link inside a sentence is exempt (WCAG 2.5.8): the text around it says more than the link.
    if (el.tagName === 'A' && style.display === 'inline'
        && el.parentElement.textContent.trim().length > el.textContent.trim().length + 1) continue;
    if (Math.round(r.width) < minimum || Math.round(r.height) < minimum)
      small.push([el.tagName, String(el.className), (el.textContent || '').trim().slice(0, 20), Math.round(r.width), Math.round(r.height)]);
  }
  return small;
}"""


def test_every_control_and_link_on_every_page_type_is_a_44px_target_on_a_phone(page, site_url, site):
    found = {}
    for name, path in all_page_types(site):
        page.goto(site_url + path)
        small = page.evaluate(SMALL_TARGETS, TAP)
        if small:
            found[name] = small
    assert found == {}


def test_the_finder_controls_are_44px(page, site_url, site):
    page.goto(site_url + page_types(site)["finder"])
    for control in page.locator(".finder select, .finder input").all():
        if control.is_visible():
            box = control.bounding_box()
            assert box["width"] >= TAP - 0.5 and box["height"] >= TAP - 0.5, (control.get_attribute("name"), box)


# --- words and contrast -------------------------------------------------------------------------


def test_no_edition_names_its_home_in_another_language(page, site_url, site):
    page.goto(site_url + page_types(site)["agency"])
    page.locator(".md-header label.md-header__button[for=__drawer]").click()
    labels = page.locator(".md-sidebar--primary .md-nav__link").all_inner_texts()
    assert "Home" not in [label.strip() for label in labels], labels


@pytest.mark.parametrize("prefix", ["", "en/"])
def test_the_site_name_is_not_cut_on_a_phone(page, site_url, site, prefix):
    if prefix and prefix not in editions(site):
        pytest.skip("single-language guide")
    page.goto(site_url + prefix)
    title = page.locator(".md-header__topic").first.locator(".md-ellipsis")
    assert title.evaluate("el => el.scrollWidth <= el.clientWidth + 1"), title.inner_text()
    assert title.evaluate("el => el.getBoundingClientRect().right <= window.innerWidth")


def test_the_404_page_links_to_the_other_edition_at_the_site_root(page, site_url, site):
    page.goto(site_url + "404.html")
    for link in page.locator(".lang-switch__link").all():
        href = link.get_attribute("href")
        assert not href.startswith("//"), href
        assert href.startswith("/"), href  # the 404 page is served at any depth: only a root path works
    if len(editions(site)) > 1:
        page.goto(site_url + editions(site)[1] + "404.html")
        hrefs = page.locator(".lang-switch__link").evaluate_all("els => els.map(e => e.href)")
        assert hrefs == [site_url], hrefs


def test_source_quotes_under_the_hours_are_folded(page, site_url, site):
    for path in (p for _, p in all_page_types(site)):
        page.goto(site_url + path)
        notes = page.locator(".hours-note")
        if notes.count():
            assert not notes.first.is_visible()  # folded inside <details>
            page.locator("details.hours-source > summary").first.click()
            assert notes.first.is_visible()
            return
    pytest.skip("no hours note in this guide")


@pytest.mark.parametrize("viewport", [None, DESKTOP], ids=["375px", "1280px"])
def test_axe_wcag21_aa_on_every_page_of_every_edition(page, site_url, site, viewport):
    if viewport:
        page.set_viewport_size(viewport)
    pages = sorted(html.relative_to(site).as_posix() for html in site.rglob("*.html") if "handouts" not in html.parts)
    assert len(pages) > 40 and "en/404.html" in pages
    found = {}
    for name in pages:
        page.goto(site_url + name.removesuffix("index.html"))
        violations = axe_violations(page)
        if violations:
            found[name] = violations
    assert found == {}


# --- print -------------------------------------------------------------------------------------

PUBLIC_URL = "https://guide.example.org/"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """The guide built with a public address (so its pages print a QR code), served on localhost."""
    root = copy_guide(tmp_path_factory.mktemp("published"))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("GUIDE_SITE_URL", PUBLIC_URL)
        assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root / "site")))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root / "site", f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def print_to_pdf(browser, url: str, pdf: Path, now: str) -> str:
    """Print `url` as Chromium does to A4 paper; returns what the live badge said on screen."""
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.add_init_script(f"window.GUIDE_NOW = '{now}';")
    page.goto(url)
    wait_until(page, "document.querySelector('.record .open-status').className.includes('is-')")
    badge = page.locator(".record .open-status").first.inner_text().strip()
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", print_background=True)
    context.close()
    return badge


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def pdf_pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def test_an_agency_page_prints_on_one_a4_page_with_its_address_qr_code_and_dates(browser, published, tmp_path):
    site, url = published
    path = first_with(site, "agencies/*/index.html", 'class="hours-table"')
    pdf = tmp_path / "agency.pdf"
    badge = print_to_pdf(browser, url + path, pdf, "2026-11-24T10:00:00+09:00")  # a Tuesday morning
    assert badge  # the screen shows a live badge …
    assert pdf_pages(pdf) == 1
    text = pdf_text(pdf)
    assert badge not in text  # … paper does not: it would be wrong tomorrow
    html = (site / path / "index.html").read_text(encoding="utf-8")
    site_name = re.search(r'<p class="print-head__site">(.*?)</p>', html).group(1)
    assert re.sub(r"<[^>]+>", "", site_name).split()[0] in text
    assert PUBLIC_URL + path in text
    assert "最終確認日" in text and "印刷日" in text and "2026年11月24日" in text
    assert re.search(r'<th scope="row">(.*?)</th>', html).group(1) in text  # the hours table
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(tmp_path / "page")], check=True)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(next(tmp_path.glob("page*.png")))], check=False, capture_output=True, text=True)
    assert decoded.stdout.strip() == PUBLIC_URL + path


def test_a_program_page_prints_on_one_a4_page(browser, published, tmp_path):
    site, url = published
    path = page_types(site)["program"]
    pdf = tmp_path / "program.pdf"
    context = browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    page.goto(url + path)
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4")
    context.close()
    assert pdf_pages(pdf) == 1
    assert PUBLIC_URL + path in pdf_text(pdf)


def test_without_a_public_address_the_page_prints_its_path_and_no_qr_code(browser, small_built, small_url):
    # The small fixture guide gives no public address (site.yaml has no url).
    path = first(small_built / "site", "agencies/*/index.html")
    with phone_page(browser, small_url) as page:
        _print_head_without_address(page, small_url, path)


def _print_head_without_address(page, site_url, path):
    page.goto(site_url + path)
    page.emulate_media(media="print")
    head = page.locator(".print-head")
    assert head.is_visible()
    # No bare path: the sheet says it gives no web address, and names its page in the guide.
    address = head.locator(".print-head__url")
    assert "print-head__url--none" in address.get_attribute("class")
    assert "/" + path in address.inner_text() and address.inner_text() != "/" + path
    assert head.locator("svg").count() == 0
    page.emulate_media(media="screen")
    assert not head.is_visible()
