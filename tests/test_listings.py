"""Listings stay light: a long listing is split into pages of at most LISTING_PAGE_SIZE cards, every
record stays reachable from its listing's pages (each page one tap from the first), and a small guide
keeps every listing on one page.

The big guides are the benchmark's synthetic copies of the minimal fixture (fake names); only the
listing pages are rendered (Markdown, no MkDocs), so the test stays quick.
"""

from __future__ import annotations

import posixpath
import re
from datetime import date

import bench  # scripts/bench.py: the benchmark's synthetic guides
import pytest
import yaml

from guide.i18n import translations
from guide.load import load_guide
from guide.pages import LISTING_PAGE_SIZE, initial, plan_pages
from guide.urls import url_for

from conftest import FIXTURES, MINIMAL, REPO, page_renderer

pytestmark = pytest.mark.slow  # every test here builds a site, a preview or handouts

TODAY = date(2026, 11, 23)
LISTINGS = {"home.md.j2", "agencies.md.j2", "programs.md.j2", "category.md.j2", "area.md.j2"}
CARD = re.compile(r'<li class="(?:agency|program)-card')
HREF = re.compile(r'href="([^"#]*)')


def rendered_listings(root, lang="ja"):
    """The guide and its listing pages rendered in `lang`: {path: Markdown}."""
    guide = load_guide(root, today=TODAY).guide
    assert guide is not None
    renderer = page_renderer(guide, lang, translations(REPO, lang), TODAY)
    return guide, {page.path: renderer.render(page) for page in plan_pages(guide) if page.template in LISTINGS}


def links(path: str, html: str) -> set[str]:
    """The site paths a page links to (relative links resolved against the page)."""
    return {posixpath.normpath(posixpath.join(path, href)) + "/" for href in HREF.findall(html) if not href.startswith(("http", "tel:", "mailto:"))}


def pages_of(pages: dict, base: str) -> list[str]:
    return [path for path in pages if path == base or (path.startswith(base) and path[len(base):].startswith("page_"))]


def synthetic(folder, scale: int):
    """The minimal fixture ×scale, the copies' readings spread over the 五十音 rows (the fixture's all begin with か)."""
    root = bench.synthetic_guide(MINIMAL, folder, scale)
    path = root / "data" / "agencies.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for n, agency in enumerate(data["agencies"]):
        agency["kana"] = "あかさたなはまやらわ"[n % 10] + agency["kana"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    """The minimal fixture ×40 and ×80: 120 and 240 agencies, as many programs."""
    return {scale: rendered_listings(synthetic(tmp_path_factory.mktemp(f"x{scale}"), scale)) for scale in (40, 80)}


def test_no_listing_page_holds_more_cards_than_a_page_size(big):
    for guide, pages in big.values():
        assert any("/page_" in path for path in pages)  # the long listings were split
        for path, html in pages.items():
            assert len(CARD.findall(html)) <= LISTING_PAGE_SIZE, path


def test_the_heaviest_listing_page_does_not_grow_with_the_records(big):
    (_, at_40), (_, at_80) = big[40], big[80]
    heaviest = {scale: max(len(html.encode()) for html in pages.values()) for scale, (_, pages) in big.items()}
    # Twice the records: one listing of everything would be twice as heavy; split listings are not.
    assert heaviest[80] <= 1.1 * heaviest[40], heaviest
    assert len(pages_of(at_80, url_for("agencies"))) == 2 * len(pages_of(at_40, url_for("agencies")))


def test_every_record_is_reachable_from_its_listing_and_every_page_is_one_tap_from_the_first(big):
    guide, pages = big[80]

    def reachable(base: str) -> set[str]:
        listing = pages_of(pages, base)
        assert set(listing) <= links(base, pages[base]) | {base}, f"{base}: a page of the listing is not linked from its first page"
        return set().union(*(links(path, pages[path]) for path in listing))

    assert {url_for("agency", a.id) for a in guide.agencies} <= reachable(url_for("agencies"))
    assert {url_for("program", p.id) for p in guide.programs} <= reachable(url_for("programs"))
    for category in guide.taxonomy.categories:
        members = {url_for("agency", a.id) for a in guide.agencies if any(category.id in s.categories for s in a.services)}
        members |= {url_for("program", p.id) for p in guide.programs if category.id in p.categories}
        assert members <= reachable(url_for("category", category.id)), category.id
    for area in guide.areas.areas:
        inside = set(guide.areas.descendants(area.id))
        offices = {url_for("branch", a.id, b.id) for a in guide.agencies for b in a.branches if b.area in inside}
        assert offices <= reachable(url_for("area", area.id)), area.id


def test_each_group_is_named_where_it_begins_and_the_index_links_to_that_page(big):
    _, pages = big[80]
    first, later = pages[url_for("agencies")], pages[url_for("agencies") + "page_3/"]
    assert '<nav class="listing-index" aria-label="頭文字">' in first
    starts = re.search(r'<a href="([^"]*)#initial-304b">か</a>', first).group(1)
    assert '<h2 id="initial-304b">か</h2>' in pages[links(url_for("agencies"), f'href="{starts}"').pop() if starts else url_for("agencies")]
    assert "（続き）" in later  # a group carried over from the page before says so
    assert "6ページ中 3ページ目" in later
    assert 'rel="prev" href="../../agencies/page_2/"' in later and 'rel="next" href="../../agencies/page_4/"' in later


def test_the_english_edition_pages_the_same_listing_in_its_own_words(tmp_path):
    root = synthetic(tmp_path / "x40", 40)
    _, pages = rendered_listings(root, "en")
    html = pages[url_for("agencies") + "page_2/"]
    assert "Page 2 of 3" in html and "Next page" in html and "Previous page" in html
    assert 'title: "All agencies (page 2 of 3)"' in html
    assert "listing-index" not in html  # names are filed by their Japanese reading: no kana initials in English


@pytest.mark.parametrize("root", [REPO, *(FIXTURES / name for name in ("minimal", "small", "ranking"))], ids=lambda p: p.name)
def test_a_small_guide_keeps_each_listing_on_one_page(root):
    guide, pages = rendered_listings(root)
    assert not [path for path in pages if "page_" in path]
    assert not [path for path, html in pages.items() if "pagination" in html]
    assert len(CARD.findall(pages[url_for("agencies")])) == len(guide.agencies)


@pytest.mark.parametrize(
    ("reading", "filed_under"),
    [("おかやま", "あ"), ("ガイド", "か"), ("ぎょうせい", "か"), ("ｶｲｺﾞ", "か"), ("っ", "た"), ("ゔぁ", "あ"), ("Apple", "A"), ("ｚｅｎ", "Z"), ("介護", ""), ("", "")],
)
def test_names_are_filed_under_their_gojuon_row_or_letter(reading, filed_under):
    assert initial(reading) == filed_under
