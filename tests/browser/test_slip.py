"""A counter worker makes a referral slip in Chromium, on a phone and on a desk: adds three counters
from their pages, writes why, reorders, marks the main one, prints one A4 page whose QR code reopens
the same slip, and the reasons are gone after a reload (nowhere in the page, the address or the
browser's storage).  Nothing is requested from another site; axe finds nothing on the slip.

Run on the minimal fixture guide (conftest.built): its three agencies, its hub marked ◎."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import PHONE, axe_violations, phone_page, wait_until

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
