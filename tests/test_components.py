"""Components: the pieces of markup pages, handouts and slips share (scripts/guide/templates/components/).

Each component's params.yaml declares its macro's parameters and names examples; every example is
rendered in both editions of the minimal fixture guide, as a page and as a handout renders it, and
checked to be one well-formed element with every value escaped once.  The same fact printed on a
page and on its handout is the same markup.  (tests/browser/test_components.py checks them with axe.)
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser

import pytest
from jinja2 import nodes
from conftest import MINIMAL, REPO, TODAY, component_environment, page_renderer, render_component

from guide.i18n import translations
from guide.load import load_guide
from guide.model import Address
from guide.pages import plan_pages
from guide.templating import COMPONENTS, MEDIA, component_css, component_names, components

EXAMPLES = [(c, e) for c in components() for e in c.examples]
VOID = {"br", "img", "input", "meta", "link", "col", "hr", "wbr"}


def example_id(value) -> str:
    return value.name if hasattr(value, "name") else str(value)


class Elements(HTMLParser):
    """The element tree of a piece of markup, as (tag, attributes, children); unbalanced tags are errors."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.roots: list = []
        self.open: list = []
        self.text = ""
        self.feed(markup)
        self.close()
        assert not self.open, f"never closed: {[tag for tag, _, _ in self.open]}"

    def handle_starttag(self, tag, attrs):
        element = (tag, dict(attrs), [])
        (self.open[-1][2] if self.open else self.roots).append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.open and self.open[-1][0] == tag, f"</{tag}> closes {self.open[-1][0] if self.open else 'nothing'}"
        self.open.pop()

    def handle_data(self, data):
        self.text += data
        if not self.open and data.strip():
            self.roots.append(("#text", {}, data))


def classes(markup: str) -> set[str]:
    return {name for value in re.findall(r'class="([^"]*)"', markup) for name in value.split()}


# --- what each component declares -------------------------------------------------------


def test_every_component_folder_has_its_template_and_its_declaration():
    folders = sorted(p.name for p in COMPONENTS.iterdir() if p.is_dir())
    assert folders == sorted(c.name for c in components())
    for folder in folders:
        assert (COMPONENTS / folder / "template.html").is_file(), folder
    assert list(component_names()) == folders  # what a build installs and styles


@pytest.mark.parametrize("component", components(), ids=example_id)
def test_the_macro_takes_exactly_the_declared_parameters(component):
    env = component_environment("ja")
    source = env.loader.get_source(env, component.template)[0]
    macros = {m.name: m for m in env.parse(source).find_all(nodes.Macro)}
    assert list(macros) == [component.name], "one macro, named as its folder"
    arguments = [a.name for a in macros[component.name].args]
    assert arguments == [p.name for p in component.params]
    without_default = arguments[: len(arguments) - len(macros[component.name].defaults)]
    assert without_default == [p.name for p in component.params if p.required]


# --- every example, in both editions, on the web and on paper -----------------------------


@pytest.mark.parametrize("paper", [False, True], ids=["web", "paper"])
@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize(("component", "example"), EXAMPLES, ids=example_id)
def test_every_example_renders_as_one_well_formed_element(component, example, lang, paper):
    html = render_component(lang, component, component.arguments(example), paper=paper)
    roots = Elements(html).roots
    if html:
        assert len(roots) == 1 and roots[0][0] != "#text", html
    else:
        assert component.name == "qr_block", "only a QR code of a bare path is nothing at all"
    assert "&amp;amp;" not in html and "&amp;lt;" not in html  # nothing escaped twice


def rendered(name: str, example: str, lang: str = "ja", *, paper: bool = False) -> str:
    component = next(c for c in components() if c.name == name)
    chosen = next(e for e in component.examples if e.name == example)
    return render_component(lang, component, component.arguments(chosen), paper=paper)


# What each example is named for, as a reader sees it (Japanese edition).
SHOWN = [
    ("address_block", "with a building, on the web", ["〒000-0001 架空県テスト市テスト東区架空町一丁目1-1 テスト会館 2F", 'class="map-link" href="https://www.openstreetmap.org/'], []),
    ("address_block", "street only, on paper", ["架空町二丁目2-2"], ["map-link"]),
    ("address_block", "not listed", ["記載なし"], ["map-link"]),
    ("qr_block", "a full web address", ['<div class="qr-block" aria-hidden="true"><svg'], []),
    ("qr_block", "a path only", [], ["<svg", "qr-block"]),
    ("print_head", "a web page", ["架空町 相談窓口ガイド", "https://guide.example.jp/agencies/example-center/", '<svg', '<p class="print-head__date" hidden>', 'class="print-date"'], ["最終確認日"]),
    ("print_head", "a handout's footer", ["2026年11月23日", "2026年10月1日", "<svg", "最も古い"], [" hidden>", "print-date", "窓口にはまだ確認していません"]),
    ("print_head", "without the public address", ["/programs/example-salon/", "print-head__url--none"], ["<svg", "qr-block", "print-head__address"]),
    ("phone_list", "a number and a fax, on the web", ['<a class="phone" href="tel:+81-123-45-0001">0123-45-0001</a>', "電話 (代表)", '<span class="phone">0123-45-0002</span>'], ["phones--big", 'href="tel:+81-123-45-0002"']),
    ("phone_list", "a service's numbers, labelled by what they are for", ['<span class="phones__label">架空の家計相談</span><br><a class="phone" href="tel:+81-123-45-0301">', '<span class="phone">0123-45-0302</span>'], ['<span class="phones__label">電話', 'href="tel:+81-123-45-0302"']),
    ("phone_list", "big, on paper", ['<ul class="phones phones--big">'], []),
    ("phone_list", "an office without a number, its agency's", ['href="tel:+81-123-45-0200"'], ["phones--missing"]),
    ("phone_list", "no number, the counters of its concern instead, on the web", ["市の資料に番号の記載がありません", '<a href="agencies/kakuu-soudan-center/">架空相談センター</a>', 'href="tel:+81-86-900-0001"', 'href="categories/soudan/"'], ["お電話"]),
    ("phone_list", "on the list's annex, on paper", ["番号は別紙に載っています", "架空相談センター", 'href="tel:+81-86-900-0001"'], ["<a href=", "categories/"]),
    ("phone_list", "on the list's annex, in the list of all agencies", ["番号は別紙に載っています"], ["架空相談センター", "tel:", "way-on"]),
    ("phone_list", "no number and nobody to ask", ["市の資料に番号の記載がありません"], ["tel:", "way-on"]),
    ("hours_block", "weekdays and Saturday, with closures to come, on the web", ['<th scope="row">土曜</th><td>9:00–12:00</td>', "2027年2月1日～2027年2月3日 は休み", "館内点検のため休み", "<details"], []),
    ("hours_block", "the same, in lines on paper", ["月曜～金曜", "休み: "], ["<table"]),
    ("hours_block", "not listed, with a number to call", ["記載なし（お出かけ前にお電話でご確認ください）"], ["<table"]),
    ("hours_block", "not listed, nothing to call", ["記載なし"], ["お電話"]),
    ("agency_card", "the hub of a concern", ['<li class="agency-card agency-card--hub" data-agency="example-hub">', "◎", '<a href="agencies/example-hub/">', "架空の何でも相談", "0123-45-0101", 'class="open-status"'], []),
    ("agency_card", "offices only", ['<a href="agencies/example-offices/higashi-1/">東第一</a>', "各地域の窓口"], ["agency-card--hub"]),
    ("agency_card", "an office, in an area's list", ['<a href="agencies/example-offices/higashi-1/">架空の地域窓口 (東第一)</a>', "0123-45-0201"], ["各地域の窓口"]),
    ("program_card", "next session, on the web", ['<a href="../programs/example-salon/">架空サロン</a>', "誰でも参加できる", "2026年12月10日", "10:00-12:00"], ["2026年10月1日"]),
    ("program_card", "a regular schedule, on paper", ["架空カフェ", "毎月 第2 水曜 13:30–15:00"], ["<a "]),
    ("program_card", "ended", ["終了", "2026年3月31日"], []),
    ("program_card", "dates not listed", ["日程の記載なし"], []),
    ("slip_entry", "a hub with hours and an address", ['<li class="slip-entry" data-agency="example-hub">', '<li data-service="general" data-hub="true">', "架空の何でも相談", 'href="tel:+81-123-45-0101"', "架空町一丁目1-1", '<table class="hours-table">', '<span class="nb">祝日・休日</span>', '<span class="slip-entry__concern">生活の困りごと</span>', "最終確認日: 2026年10月1日"], ["data-sensitive", "map-link", "<details"]),
    ("slip_entry", "only a sensitive concern", ['<li class="slip-entry" data-agency="example-debt" data-sensitive="true">', '<li data-service="kakei" data-sensitive="true">'], ["data-hub"]),
    ("slip_entry", "nothing listed", ["市の資料に番号の記載がありません", "所在地</span> 記載なし", "受付時間</span> 記載なし"], ["data-sensitive", "お電話"]),
]


@pytest.mark.parametrize(("name", "example", "present", "absent"), SHOWN, ids=[f"{n}: {e}" for n, e, _, _ in SHOWN])
def test_each_example_shows_what_it_is_named_for(name, example, present, absent):
    html = rendered(name, example)
    for text in present:
        assert text in html, (text, html)
    for text in absent:
        assert text not in html, (text, html)


def test_every_example_is_in_the_table_above():
    assert {(c.name, e.name) for c, e in EXAMPLES} <= {(n, e) for n, e, _, _ in SHOWN}


def test_a_value_is_escaped_exactly_once():
    component = next(c for c in components() if c.name == "address_block")
    hostile = Address(street={"ja": '<script>alert("x")</script> & 1-1'}, building={"ja": "<b>館</b>"})
    html = render_component("ja", component, {"address": hostile, "map": True})
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; 1-1" in html
    assert "&lt;b&gt;館&lt;/b&gt;" in html


# --- their CSS: each file in the site's components.css or after the handouts' own ---------------------


@pytest.mark.parametrize("medium", MEDIA)
def test_each_components_css_is_gathered_once(medium):
    gathered = component_css(medium)
    for component in components():
        path = COMPONENTS / component.name / f"{medium}.css"
        if path.is_file():
            assert gathered.count(path.read_text(encoding="utf-8")) == 1, path


def test_every_page_of_the_built_site_loads_the_components_css_before_its_own_rules(built):
    site = built / "site"
    assert (site / "assets" / "guide" / "components.css").read_text(encoding="utf-8") == component_css("web")
    for page in (site / "index.html", site / "en" / "agencies" / "kakuu-soudan-center" / "index.html"):
        html = page.read_text(encoding="utf-8")
        assert 0 < html.index("assets/guide/components.css") < html.index("assets/guide/guide.css"), page


# --- the same fact on a page and on its handout: one component, the same markup ----------------


def facts_on_the_page(path: str, lang: str) -> str:
    guide = load_guide(MINIMAL, today=date.fromisoformat(TODAY)).guide
    page = next(p for p in plan_pages(guide) if p.path == path)
    return page_renderer(guide, lang, translations(REPO, lang), date.fromisoformat(TODAY)).render(page)


def facts_on_the_handout(filename: str, lang: str) -> str:
    from guide.handouts.sheets import _Handouts

    guide = load_guide(MINIMAL, today=date.fromisoformat(TODAY)).guide
    sheets = _Handouts(REPO, guide, lang, today=date.fromisoformat(TODAY), site_url="https://guide.example.jp/")
    sheet = next(s for s in sheets.sheets() if s.filename == filename)
    return sheets.html(sheet, 0)


def first_element(html: str, opening: str) -> str:
    """The element that starts with `opening` (its first occurrence), through the end tag that closes it."""
    tag = opening[1:].split()[0].rstrip(">")
    start = html.index(opening)
    depth, at = 0, start
    for found in re.finditer(rf"<(/?){tag}\b[^>]*>", html[start:]):
        depth += -1 if found.group(1) else 1
        if depth == 0:
            return html[start : start + found.end()]
    raise AssertionError(f"{opening} is never closed")


def entry_of(sheet: str, name: str) -> str:
    """A handout's entry (or hub box) for the agency called `name`."""
    return sheet[sheet.index(f'__name">{name}<') :]


def address_of(html: str) -> str:
    """The address line, without the web's map link (a parameter: paper has no map)."""
    found = re.search(r'<p class="address">.*?</p>', html, re.S)
    assert found, html
    return re.sub(r' <a class="map-link"[^>]*>[^<]*</a>', "", found.group(0))


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_agency_page_and_its_concerns_handout_print_the_same_address(lang):
    # 架空相談センター is the hub of the concern "soudan": its handout prints its address.
    page = facts_on_the_page("agencies/kakuu-soudan-center/", lang)
    sheet = facts_on_the_handout("category-soudan.pdf", lang)
    assert address_of(page) == address_of(sheet)
    assert ("架空町一丁目1-1" if lang == "ja" else "Test Hall 2F") in address_of(page)


NAMES = {"kakuu-soudan-center": {"ja": "架空相談センター", "en": "Example Consultation Center"}, "example-counter": {"ja": "架空健康窓口", "en": "Example Counter"}}


def printed_alike(agency_id: str, handout: str, opening: str, lang: str) -> str:
    """The element starting with `opening` on the agency's page and in its entry on `handout`: the same markup."""
    page = facts_on_the_page(f"agencies/{agency_id}/", lang)
    sheet = entry_of(facts_on_the_handout(handout, lang), NAMES[agency_id][lang])
    on_the_page = first_element(page, opening)
    assert on_the_page == first_element(sheet, opening)
    return on_the_page


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_an_agency_page_and_its_areas_handout_print_the_same_phone_list(lang):
    # 架空相談センター lies in テスト東区: the handout of 東第一 lists it among the agencies located around it.
    phones = printed_alike("kakuu-soudan-center", "area-higashi-1.pdf", '<ul class="phones">', lang)
    assert 'href="tel:+81-86-900-0001"' in phones and "086-900-0002" in phones  # its number and its fax


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_counter_without_hours_says_so_alike_on_its_page_and_its_concerns_handout(lang):
    # example-counter (架空健康窓口) publishes no hours and no number: "not listed", without "please call".
    missing = printed_alike("example-counter", "category-health.pdf", '<p class="hours__missing">', lang)
    assert "お電話" not in missing and "call" not in missing
