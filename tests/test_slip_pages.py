"""The referral slip's generated side (scripts/guide/slip.py): its page in every edition at the one
address the QR codes print, one entry file per agency made of the same components as the agency's
page, the sensitive concerns marked for a neutral title, and the control's hook on every agency card.
(What the slip does in a browser is tests/browser/test_slip.py.)"""

from __future__ import annotations

import re
from datetime import date

import pytest
from conftest import MINIMAL, TODAY, copy_guide, edit_data

from guide.build import generate
from guide.slip import JS_STRINGS
from guide.editions import Edition
from guide.load import load_guide
from guide.urls import url_for


def edition_files(root, lang: str) -> dict[str, str]:
    """Everything `guide build` hands MkDocs for the `lang` edition of the guide at `root`, as text."""
    guide = load_guide(root, today=date.fromisoformat(TODAY)).guide
    editions = Edition.all_for(guide)
    edition = next(e for e in editions if e.lang == lang)
    return {name: data.decode() for name, data in generate(root, guide, edition, editions, date.fromisoformat(TODAY)).items() if name.endswith((".md", ".html", ".js"))}


@pytest.fixture(scope="module", params=["ja", "en"])
def files(request) -> dict[str, str]:
    return edition_files(MINIMAL, request.param)


def element(html: str, opening: str) -> str:
    """The first element that starts with `opening`, through the end tag that closes it."""
    tag = opening[1:].split()[0].rstrip(">")
    start = html.index(opening)
    depth = 0
    for found in re.finditer(rf"<(/?){tag}\b[^>]*>", html[start:]):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            return html[start : start + found.end()]
    raise AssertionError(f"{opening} is never closed")


def test_the_slip_has_one_address_and_an_entry_address_per_agency():
    assert url_for("slip") == "slip/"
    assert url_for("slip_entry", "kakuu-kakei") == "slip/entries/kakuu-kakei.html"


@pytest.mark.parametrize(("lang", "address"), [("ja", "https://guide.example.jp/slip/"), ("en", "https://guide.example.jp/en/slip/")])
def test_every_edition_has_a_slip_page_that_knows_its_public_address(lang, address):
    page = edition_files(MINIMAL, lang)["slip/index.md"]
    assert f'<div class="slip" data-slip-address="{address}" data-slip-public="true">' in page
    assert '<ol class="slip__entries"></ol>' in page  # filled by the script, from the address
    assert "<noscript>" in page and '<div class="slip__app" hidden>' in page  # without JavaScript: no dead controls


def test_without_a_public_address_the_slip_says_it_gives_none(tmp_path):
    root = edit_data(copy_guide(tmp_path), {"site.yaml": [("url: https://guide.example.jp/\n", "")]})
    page = edition_files(root, "ja")["slip/index.md"]
    assert 'data-slip-address="/slip/"' in page and "data-slip-public" not in page
    assert "slip__url--none" in page and "ウェブのアドレスがない" in page


def test_every_agency_has_an_entry_and_no_file_holds_them_all(files):
    entries = {name for name in files if name.startswith("slip/entries/")}
    assert entries == {"slip/entries/kakuu-soudan-center.html", "slip/entries/example-counter.html", "slip/entries/kakuu-kakei.html"}
    for name in entries:
        assert files[name].count('<li class="slip-entry"') == 1


@pytest.mark.parametrize("agency", ["kakuu-soudan-center", "kakuu-kakei"])
def test_an_entry_shows_the_phones_hours_and_address_as_the_agency_page_does(files, agency):
    page, entry = files[f"agencies/{agency}/index.md"], files[f"slip/entries/{agency}.html"]
    assert element(entry, '<ul class="phones">') == element(page, '<ul class="phones">')
    assert element(entry, '<table class="hours-table">') == element(page, '<table class="hours-table">')
    address = re.search(r'<p class="address">.*?</p>', entry).group(0)
    assert address.replace("</p>", "") in page  # the page adds only its map link
    assert "hours__lines" in entry  # and, for paper, the handouts' short lines


def test_an_entry_links_nowhere_within_the_site(files):
    # Shown inside the slip page, a relative link would lead elsewhere than it says (and be a dead link of site/).
    for name, html in files.items():
        if name.startswith("slip/entries/"):
            assert all(href.startswith(("tel:", "https://", "http://")) for href in re.findall(r'href="([^"]*)"', html)), name


def test_an_agency_only_in_sensitive_concerns_is_marked_for_a_neutral_title(tmp_path):
    plain = edition_files(MINIMAL, "ja")
    assert not any("data-sensitive" in html for name, html in plain.items() if name.startswith("slip/entries/"))
    # 架空家計相談室's services are all in the concern debt; 架空相談センター's in soudan.
    root = edit_data(copy_guide(tmp_path), {"categories.yaml": [("    description: {ja: 家計や借金の困りごと}\n", "    description: {ja: 家計や借金の困りごと}\n    sensitive: true\n")]})
    flagged = edition_files(root, "ja")
    kakei = flagged["slip/entries/kakuu-kakei.html"]
    assert '<li class="slip-entry" data-agency="kakuu-kakei" data-sensitive="true">' in kakei
    assert kakei.count('data-sensitive="true"') == 3  # the entry and both its services
    assert "data-sensitive" not in flagged["slip/entries/kakuu-soudan-center.html"]


def test_every_agency_card_carries_its_agency_for_the_slips_button(files):
    listing = files["categories/soudan/index.md"]
    cards = re.findall(r'<li class="agency-card[^"]*"[^>]*>', listing)
    assert cards and all(re.search(r' data-agency="[a-z0-9-]+"', card) for card in cards)
    assert '<div class="record agency" data-record="kakuu-soudan-center">' in files["agencies/kakuu-soudan-center/index.md"]


def test_the_slips_words_reach_the_browser_in_the_editions_language():
    strings = edition_files(MINIMAL, "ja")["assets/guide/strings.js"]
    assert '"slip_add": "紹介先メモに追加"' in strings and '"slip_reason": "相談内容・紹介する理由"' in strings
    assert JS_STRINGS["slip_reason"] in edition_files(MINIMAL, "en")["assets/guide/strings.js"]
