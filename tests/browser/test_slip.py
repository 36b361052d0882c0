"""A counter worker makes a referral slip in Chromium, on a phone and on a desk: adds three counters
from their pages, writes why, reorders, marks the main one, prints one A4 page whose QR code reopens
the same slip, and the reasons are gone after a reload (nowhere in the page, the address or the
browser's storage).  Nothing is requested from another site; axe finds nothing on the slip.  On paper
(measured at 300 dpi) the code is 30 mm or more and nothing leaves the printable area, whatever width the
page was opened at; six large counters take one page; at 200 % on a phone nothing is cut off or overlaps.

Run on the minimal fixture guide (conftest.built): its three agencies, its hub marked ◎; the six large
counters are added to a copy of it."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import PHONE, TODAY, axe_violations, copy_guide, phone_page, serve, wait_until
from browsing import CUT_OFF, ZOOMED

from guide.cli import main

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
THREE = {"kakuu-soudan-center": "架空相談センター", "example-counter": "架空健康窓口", "kakuu-kakei": "架空家計相談室"}
REASONS = {"kakuu-soudan-center": "架空の理由その一", "example-counter": "架空の理由その二", "kakuu-kakei": "架空の理由その三"}
NOTE = "架空のメモ、来週また来る"
PUBLIC = "https://guide.example.jp/"  # the fixture's site.yaml url: printed on the slip and in its code
WIDTHS = {"phone": PHONE, "desk": {"width": 1280, "height": 900}}


def names_on_the_slip(page) -> list[str]:
    return page.eval_on_selector_all(".slip-entry__name", "names => names.map(n => n.textContent.trim())")


def open_slip(page, url: str) -> None:
    page.goto("about:blank")  # a slip opened anew, not a new fragment of the one open
    page.goto(url)
    wait_until(page, "document.querySelector('.slip[data-ready]') !== null")


def add_three_from_their_pages(page, site_url: str) -> None:
    """From the list of agencies to each agency's page by its link, and back to the list by the site's link."""
    page.goto(site_url + "agencies/")
    for count, (agency, name) in enumerate(THREE.items(), 1):
        with page.expect_navigation():
            page.locator(f'.agency-card__name a[href$="agencies/{agency}/"]').first.click()
        button = page.locator(".record .slip-add")
        assert button.text_content() == "紹介先メモに追加"
        box = button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
        button.click()
        assert button.text_content() == "紹介先メモから外す"  # the same button: focus stays on it
        assert page.evaluate("document.activeElement.classList.contains('slip-add')")
        wait_until(page, f"document.querySelector('.slip-live').textContent.includes('{name}')")
        assert page.locator(".slip-live").get_attribute("aria-live") == "polite"
        assert page.locator(".slip-tray").text_content() == f"紹介先メモ（{count}）"
        with page.expect_navigation():
            page.locator('a[href="../"]').first.dispatch_event("click")  # the site's link to the list (in the menu)
        assert page.url == site_url + "agencies/#c=" + ",".join(list(THREE)[:count])


def decoded_code(pdf: Path) -> str:
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(pdf.with_suffix(""))], check=True)
    png = next(pdf.parent.glob(pdf.stem + "*.png"))
    return subprocess.run(["zbarimg", "-q", "--raw", str(png)], check=True, capture_output=True, text=True).stdout.strip()


@pytest.mark.parametrize("size", list(WIDTHS))
def test_a_counter_worker_makes_prints_and_reopens_a_slip(browser, site_url, tmp_path, size):
    with phone_page(browser, site_url, viewport=WIDTHS[size]) as page:
        add_three_from_their_pages(page, site_url)
        tray = page.locator(".slip-tray")
        header = page.locator(".md-header").bounding_box()
        box = tray.bounding_box()
        assert box["height"] >= 44 and box["y"] + box["height"] <= header["y"] + header["height"]  # in the header, over nothing
        tray.click()
        wait_until(page, "document.querySelector('.slip[data-ready]') !== null")
        assert names_on_the_slip(page) == list(THREE.values())

        for agency, reason in REASONS.items():
            page.fill(f'.slip-entry[data-agency="{agency}"] .slip-entry__reason-text', reason)
        page.fill(".slip__note-text", NOTE)
        # The last one up, from the keyboard: it moves, and the focus stays on its button.
        page.focus('.slip-entry[data-agency="kakuu-kakei"] .slip-entry__up')
        page.keyboard.press("Enter")
        assert names_on_the_slip(page) == ["架空相談センター", "架空家計相談室", "架空健康窓口"]
        assert page.evaluate("document.activeElement.closest('.slip-entry').dataset.agency") == "kakuu-kakei"
        wait_until(page, "document.querySelector('.slip-live').textContent === '架空家計相談室は2番目になりました。'")
        main = page.locator('.slip-entry[data-agency="kakuu-kakei"] .slip-entry__main-button')
        main.click()
        assert main.get_attribute("aria-pressed") == "true"
        assert page.locator('.slip-entry[data-agency="kakuu-kakei"] .slip-entry__main-mark').is_visible()
        for target in page.locator(".slip button").all():
            if target.is_visible():
                assert target.bounding_box()["height"] >= 44, target.text_content()
        fragment = "#c=kakuu-soudan-center,kakuu-kakei,example-counter&m=kakuu-kakei"
        assert page.url == site_url + "slip/" + fragment
        assert axe_violations(page) == []
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"slip-{size}.png"), full_page=True)

        pdf = tmp_path / "slip.pdf"
        page.pdf(path=str(pdf), format="A4")
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
        assert "Pages:           1" in info
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        for words in [*THREE.values(), *REASONS.values(), NOTE, "相談内容・紹介する理由", "印刷日", "最終確認日", "迷ったときの相談先"]:
            assert words in text.replace(" ", ""), words
        code = decoded_code(pdf)
        assert code == PUBLIC + "slip/" + fragment  # the contract: no reason, no note in it
        page.check(".slip__large-box")  # large print: the same three still on one page
        page.pdf(path=str(tmp_path / "large.pdf"), format="A4")
        assert "Pages:           1" in subprocess.run(["pdfinfo", str(tmp_path / "large.pdf")], check=True, capture_output=True, text=True).stdout

        page.reload()
        wait_until(page, "document.querySelector('.slip[data-ready]') !== null")
        assert names_on_the_slip(page) == ["架空相談センター", "架空家計相談室", "架空健康窓口"]
        kept = page.evaluate("JSON.stringify([document.documentElement.outerHTML, location.href, document.cookie, {...localStorage}, {...sessionStorage}, [...document.querySelectorAll('textarea')].map(t => t.value)])")
        for typed in [*REASONS.values(), NOTE]:
            assert typed not in kept

    # The code, scanned on another device, opens the same slip (here: the same site, another browser).
    with phone_page(browser, site_url) as elsewhere:
        open_slip(elsewhere, code.replace(PUBLIC, site_url))
        assert names_on_the_slip(elsewhere) == ["架空相談センター", "架空家計相談室", "架空健康窓口"]
        assert elsewhere.locator('.slip-entry[data-agency="kakuu-kakei"] .slip-entry__main-button').get_attribute("aria-pressed") == "true"


def test_removing_a_counter_is_announced_and_an_unknown_one_is_named(page, site_url):
    open_slip(page, site_url + "slip/#c=kakuu-kakei,no-such-counter,example-counter~no-such-service")
    assert names_on_the_slip(page) == ["架空家計相談室"]
    assert page.locator(".slip__unknown").is_visible()
    assert page.locator(".slip__unknown-ids").text_content() == "no-such-counter・example-counter~no-such-service"
    page.click(".slip-entry__remove")
    wait_until(page, "document.querySelector('.slip-live').textContent.includes('外しました: 架空家計相談室')")
    assert names_on_the_slip(page) == [] and page.locator(".slip__empty").is_visible()
    assert "kakuu-kakei" not in page.url and "no-such-counter" in page.url  # nothing the address named is dropped unsaid


def test_a_service_chosen_for_a_counter_is_the_one_on_the_slip(page, site_url):
    open_slip(page, site_url + "slip/#c=kakuu-kakei~kyufu")
    assert page.eval_on_selector_all(".slip-entry [data-service]", "items => items.map(i => i.dataset.service)") == ["kyufu"]
    assert page.locator(".slip__title").text_content() == "相談先のご案内（支出・借金）"


def test_the_english_slip_speaks_english(page, site_url):
    open_slip(page, site_url + "en/slip/#c=kakuu-soudan-center")
    assert names_on_the_slip(page) == ["Example Consultation Center"]
    assert page.locator(".slip-entry__reason label").text_content() == "What to consult about, and why this counter"
    assert page.locator(".slip-tray").get_attribute("href") == "/en/slip/#c=kakuu-soudan-center"


def test_without_javascript_nothing_is_shown_that_would_not_work(browser, site_url):
    with phone_page(browser, site_url, java_script_enabled=False) as page:
        page.goto(site_url + "agencies/kakuu-soudan-center/")
        assert page.locator(".slip-add, .slip-tray").count() == 0
        page.goto(site_url + "slip/#c=kakuu-soudan-center")
        assert page.locator(".slip__nojs").is_visible()
        assert not page.locator(".slip__app").is_visible()


def test_a_slip_with_a_counter_for_a_sensitive_concern_has_a_neutral_title(page, site_url, built):
    # 架空家計相談室 as its entry file is when its one concern (debt) is flagged `sensitive` (tests/test_slip_pages.py).
    entry = (built / "site" / "slip" / "entries" / "kakuu-kakei.html").read_text(encoding="utf-8")
    flagged = entry.replace('data-agency="kakuu-kakei">', 'data-agency="kakuu-kakei" data-sensitive="true">').replace('<li data-service="', '<li data-sensitive="true" data-service="')
    page.route("**/slip/entries/kakuu-kakei.html", lambda route: route.fulfill(body=flagged, content_type="text/html"))
    open_slip(page, site_url + "slip/#c=kakuu-soudan-center")
    assert page.locator(".slip__title").text_content() == "相談先のご案内（生活の困りごと）"
    open_slip(page, site_url + "slip/#c=kakuu-soudan-center,kakuu-kakei")
    assert page.locator(".slip__title").text_content() == "相談先のご案内"  # no concern named, not even the other one's


def test_the_slip_and_its_code_keep_to_the_content_security_policy(watched, site_url):
    page, visit = watched  # fails on any policy violation or dialog
    visit(site_url + "agencies/kakuu-kakei/")
    page.click(".record .slip-add")
    visit(site_url + "slip/#c=kakuu-soudan-center,example-counter,kakuu-kakei")
    wait_until(page, "document.querySelector('.slip[data-ready]') !== null")
    assert page.locator(".slip__qr svg path").count() == 1
    page.fill(".slip-entry__reason-text >> nth=0", "架空の理由")
    page.click(".slip-entry__down >> nth=0")
    page.click(".slip-entry__main-button >> nth=0")
    page.check(".slip__large-box")


# --- the slip on paper: the page's printable area, the code's size, six counters a page ------------------

# A4 less the slip's @page margins (slip.css: 8 mm top and bottom, 10 mm left and right), in mm from the top left.
PRINTABLE = {"left": 10, "top": 8, "right": 200, "bottom": 289}
DPI = 300
SIX = ",".join(f"kakuu-ookii-{n}" for n in range(1, 7))


def dark_box(pdf: Path) -> dict[str, float]:
    """Where the first page of `pdf` is dark (pdftoppm at 300 dpi, grey below half), in mm from its top left."""
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-f", "1", "-l", "1", "-singlefile", str(pdf), str(pdf.with_suffix(""))], check=True)
    data = pdf.with_suffix(".pgm").read_bytes()
    header = re.match(rb"P5\s+(\d+)\s+(\d+)\s+255\s", data)
    width, height, pixels = int(header[1]), int(header[2]), data[header.end() :]
    dark = bytes(1 if value < 128 else 0 for value in range(256))
    rows = [(y, row.find(1), row.rfind(1)) for y in range(height) if (row := pixels[y * width : (y + 1) * width].translate(dark)).find(1) >= 0]
    mm = 25.4 / DPI
    return {"left": min(r[1] for r in rows) * mm, "top": rows[0][0] * mm, "right": (max(r[2] for r in rows) + 1) * mm, "bottom": (rows[-1][0] + 1) * mm}


def print_only(page, selector: str, pdf: Path) -> dict[str, float]:
    """The slip printed with only what `selector` matches drawn, where it is on the whole slip (the rest
    hidden, not removed, so nothing moves); where it is dark on paper."""
    show = "selector => document.querySelectorAll('body *').forEach(e => e.style.setProperty('visibility', e.matches(selector) ? 'visible' : 'hidden', 'important'))"
    page.evaluate(show, selector)
    page.pdf(path=str(pdf), format="A4", print_background=True)
    page.evaluate("() => document.querySelectorAll('body *').forEach(e => e.style.removeProperty('visibility'))")
    return dark_box(pdf)


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def printed_font_sizes_pt(page) -> list[float]:
    """The size of every piece of text the slip prints, in points."""
    page.emulate_media(media="print")
    sizes = page.evaluate("""() => [...document.querySelectorAll('.slip *')]
        .filter(e => e.checkVisibility() && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
        .map(e => parseFloat(getComputedStyle(e).fontSize) * 0.75)""")
    page.emulate_media(media="null")
    return sizes


@pytest.mark.parametrize("large", [False, True], ids=["normal", "large"])
@pytest.mark.parametrize("size", list(WIDTHS))
def test_the_printed_slip_keeps_inside_the_page_with_its_code_30_mm_across(browser, site_url, tmp_path, size, large):
    # Chrome prints at the layout of the width the page was opened at unless the print style sets widths.
    with phone_page(browser, site_url, viewport=WIDTHS[size]) as page:
        open_slip(page, site_url + "slip/#c=kakuu-soudan-center,example-counter,kakuu-kakei")
        if large:
            page.check(".slip__large-box")
        code = print_only(page, ".slip__qr, .slip__qr *", tmp_path / "code.pdf")
        assert code["right"] - code["left"] >= 30 and code["bottom"] - code["top"] >= 30  # the issue: a QR code of 30 mm at least
        boxes = print_only(page, ".slip-entry", tmp_path / "boxes.pdf")
        # A box pushed past the printable area is cut at its edge: every box ends short of it, and the
        # first starts at the left margin (not pushed right by a list item's indent).
        assert PRINTABLE["left"] + 0.2 < boxes["left"] < PRINTABLE["left"] + 1 and boxes["right"] < PRINTABLE["right"] - 0.2, boxes
        whole = tmp_path / "slip.pdf"
        page.pdf(path=str(whole), format="A4", print_background=True)
        assert pages(whole) == 1
        everything = dark_box(whole)
        assert PRINTABLE["top"] <= everything["top"] and everything["bottom"] <= PRINTABLE["bottom"]


def a_large_counter(n: int) -> str:
    """A fictional counter shaped as the six largest of Okayama City's list are: the first three with four
    services in three concerns and no number of their own (so the counters of the same concern to ask
    instead, as 保健センター), the other three with three services and a number; weekly hours, no holiday rule."""
    services = [
        ("kurashi", "架空の生活全般の相談（住まい・家計・仕事・家族のことなど）", "soudan"),
        ("kenkou", "架空の健康と体操の相談（高齢の方の体力づくりなど）", "health"),
        ("kakei", "架空の家計と借金の相談（返済の見通しの立て方など）", "debt"),
        ("tetsuzuki", "架空の給付金と手当の手続きの案内（申請書の書き方など）", "debt"),
    ][: 4 if n <= 3 else 3]
    listed = "".join(f"""
      - id: {sid}
        description: {{ja: {words}}}
        categories: [{concern}]""" for sid, words, concern in services)
    phone = "" if n <= 3 else f'\n    phones:\n      - number: "086-900-01{n:02d}"'
    return f"""
  - id: kakuu-ookii-{n}
    name: {{ja: 架空の大きな相談窓口{n}（各地区）}}
    kana: かくうのおおきなそうだんまどぐち
    services:{listed}{phone}
    hours:
      weekly:
        - days: [mon, tue, wed, thu, fri]
          times: ["08:30-17:15"]
    source:
      - document: test-list-2026
        section: 相談機関一覧 No.{20 + n}
    last_verified: 2026-10-01
"""


@pytest.fixture(scope="module")
def large_counters_url(tmp_path_factory):
    """The minimal guide with six large fictional counters added, built and served."""
    root = copy_guide(tmp_path_factory.mktemp("large-counters"))
    with (root / "data" / "agencies.yaml").open("a", encoding="utf-8") as agencies:
        agencies.write("".join(a_large_counter(n) for n in range(1, 7)))
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0
    with serve(root / "site") as url:
        yield url


@pytest.mark.parametrize("size", list(WIDTHS))
def test_six_large_counters_print_on_one_page_in_9_pt_or_more(browser, large_counters_url, tmp_path, size):
    with phone_page(browser, large_counters_url, viewport=WIDTHS[size]) as page:
        open_slip(page, large_counters_url + "slip/#c=" + SIX)
        assert len(names_on_the_slip(page)) == 6
        assert page.locator(".slip-entry .way-on").count() == 3  # the first three with the counters to ask instead
        for field in page.locator(".slip-entry__reason-text").all():
            field.fill("架空の理由：家計の見直しと、給付金の申請の手伝い")
        page.fill(".slip__note-text", NOTE)
        pdf = tmp_path / "six.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True)
        assert pages(pdf) == 1
        assert min(printed_font_sizes_pt(page)) >= 9
        text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout.replace(" ", "")
        for n in range(1, 7):
            assert f"架空の大きな相談窓口{n}" in text
        assert text.count("086-900-0001") == 3  # the first counter to ask instead, with its number


def test_four_large_counters_print_on_one_page_in_large_print(browser, large_counters_url, tmp_path):
    with phone_page(browser, large_counters_url) as page:
        open_slip(page, large_counters_url + "slip/#c=" + ",".join(SIX.split(",")[:4]))
        page.check(".slip__large-box")
        pdf = tmp_path / "large.pdf"
        page.pdf(path=str(pdf), format="A4", print_background=True)
        assert pages(pdf) == 1
        assert min(printed_font_sizes_pt(page)) >= 11


# --- large text: 200 % (WCAG 1.4.4), as tests/browser/test_phone_a11y.py zooms a phone ------------------

# Two visible things of the slip drawn over each other: the boxes of its words, fields and buttons.
OVERLAPPING = """() => {
  const parts = [...document.querySelectorAll('.slip h1, .slip h2, .slip p, .slip li li, .slip label, .slip textarea, .slip button, .slip .phones li, .slip__qr')]
    .filter(e => e.checkVisibility() && !e.querySelector('h1, h2, p, label, textarea, button, li'));
  const boxes = parts.map(e => [e, e.getBoundingClientRect()]);
  const over = [];
  for (const [a, ra] of boxes) for (const [b, rb] of boxes) {
    if (a === b || a.contains(b) || b.contains(a) || a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_PRECEDING) continue;
    if (Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left) > 1 && Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top) > 1)
      over.push((a.textContent.trim() || a.className).slice(0, 20) + ' / ' + (b.textContent.trim() || b.className).slice(0, 20));
  }
  return over;
}"""


def test_at_200_percent_the_slip_shows_every_word_and_control_whole_and_apart(browser, site_url):
    with phone_page(browser, site_url, **ZOOMED) as page:
        open_slip(page, site_url + "slip/#c=kakuu-soudan-center,example-counter,kakuu-kakei&m=kakuu-kakei")
        page.fill(".slip-entry__reason-text >> nth=0", "架空の理由：家計の見直しと、給付金の申請の手伝い")
        assert page.evaluate(CUT_OFF, ".slip") == []
        assert page.evaluate(OVERLAPPING) == []
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), "no sideways scrolling"
        page.screenshot(path=str(SCREENSHOTS / "slip-200pct.png"), full_page=True)
