"""The generator serves any city: nothing of one guide outside data/ and content/, and guides
of different shapes build into sites that show only what their data declares.

The fixture guides in tests/fixtures/: `minimal` has two area levels, hubs with its own mark,
two languages and branches; `small` (架空市) has one area for the whole city, no hubs,
Japanese only, one phone number and no hours.
"""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import FIXTURES, GUIDES, REPO, TODAY, copy_guide

from guide.cli import main
from guide.load import load_guide
from guide.model import City

# --- nothing of one city in the generator ------------------------------------------------

GENERATOR = ["scripts", "overrides", "locale", "mkdocs.yml", "schema"]
# Names, numbers, codes and concepts of the first guide (Okayama City) that must stay in its
# data/ and content/.  The guide in data/ adds its own: city name, record ids, phone numbers.
FIRST_GUIDE_TERMS = [
    "岡山", "Okayama", "okayama", "331007", "086", "福祉区", "welfare-district", "Welfare district",
    "行政区", "つなぐシート", "地域包括", "保健センター", "chiiki-", "hoken-center", "★", "区全体",
]


def generator_files() -> list[Path]:
    files = []
    for name in GENERATOR:
        path = REPO / name
        files += [path] if path.is_file() else [p for p in sorted(path.rglob("*")) if p.is_file() and not _built(p)]
    return files


def _built(path: Path) -> bool:
    """Files made by installing, not written by anyone here; and others' files copied unchanged (HSDS's schemas, see their NOTICE)."""
    vendored = path.is_relative_to(REPO / "scripts" / "guide" / "standards" / "hsds-3.0")
    return vendored or "__pycache__" in path.parts or any(part.endswith(".egg-info") for part in path.parts)


def guide_terms(root: Path) -> list[str]:
    """What names a guide: its city, its record ids, its phone numbers."""
    loaded = load_guide(root)
    assert loaded.guide is not None
    guide = loaded.guide
    terms = [v for v in guide.site.city.name.root.values() if isinstance(v, str)]
    terms += [a.id for a in guide.agencies if "-" in a.id] + [p.id for p in guide.programs if "-" in p.id]
    terms += [phone.number for a in guide.agencies for phone in a.phones]
    return terms


@pytest.mark.parametrize("guide", list(GUIDES))
def test_the_generator_names_nothing_of_a_guide_outside_for_example_comments(guide):
    terms = FIRST_GUIDE_TERMS + guide_terms(GUIDES[guide])
    pattern = re.compile("|".join(re.escape(t) for t in sorted(set(terms), key=len, reverse=True)))
    found = []
    for path in generator_files():
        name = str(path.relative_to(REPO))
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:  # fonts and images
            continue
        found += [f"{name}:{n}: {line.strip()[:100]}" for n, line in enumerate(lines, 1) if pattern.search(line) and "for example" not in line]
    assert found == []


def test_the_grep_finds_what_it_looks_for(tmp_path):
    """The check above is not blind: a first-guide term in a template is a hit."""
    line = '<p class="no-hub">★ 岡山市の相談機関一覧</p>'
    pattern = re.compile("|".join(re.escape(t) for t in FIRST_GUIDE_TERMS))
    assert pattern.search(line)
    assert not pattern.search("<p>{{ t(guide.taxonomy.hubs.no_hub_note) }}</p>")


# --- only what an output needs is required ---------------------------------------------------


def test_a_city_needs_only_its_name_and_prefecture():
    city = City.model_validate({"name": {"ja": "架空市"}, "prefecture": {"ja": "架空県"}})
    assert (city.timezone, city.country, city.holiday_calendar) == ("Asia/Tokyo", "JP", "JP")
    assert city.local_government_code is None and city.phone_area_code is None


@pytest.mark.parametrize(("code", "valid"), [("131016", True), ("011002", True), ("011011", True), ("281000", True), ("999997", True), ("131017", False), ("011010", False)])
def test_a_local_government_code_is_checked_with_its_jis_x_0402_check_digit(code, valid):
    data = {"name": {"ja": "架空市"}, "prefecture": {"ja": "架空県"}, "local_government_code": code}
    if valid:
        assert City.model_validate(data).local_government_code == code
    else:
        with pytest.raises(ValueError, match="lg_code_check_digit|check digit"):
            City.model_validate(data)


# --- guides of two shapes build ---------------------------------------------------------------


class _Text(HTMLParser):
    """The text of the page's article, and its section headings."""

    def __init__(self):
        super().__init__()
        self.depth, self.text, self.h2 = 0, [], []
        self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.depth += 1
        self._in_h2 = self.depth > 0 and tag == "h2"
        if self._in_h2:
            self.h2.append("")

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1
        if tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)
            if self._in_h2:
                self.h2[-1] += data.strip()


def article(site: Path, path: str) -> _Text:
    parser = _Text()
    parser.feed((site / path / "index.html").read_text(encoding="utf-8"))
    return parser


@pytest.fixture(scope="module", params=["minimal", "small"])
def fixture_site(request, tmp_path_factory) -> tuple[str, Path]:
    """A fixture guide with the generator's files, built with its handouts."""
    root = copy_guide(tmp_path_factory.mktemp(request.param), guide=FIXTURES / request.param)
    assert main(["check", "--root", str(root), "--today", TODAY]) == 0
    assert main(["build", "--root", str(root), "--today", TODAY]) == 0
    return request.param, root


def test_each_fixture_builds_every_page_and_handout(fixture_site):
    name, root = fixture_site
    guide = load_guide(root).guide
    site = root / "site"
    for area in guide.areas.areas:
        assert (site / "areas" / area.id / "index.html").is_file()
    handouts = sorted(p.name for p in (site / "handouts").iterdir())
    leaves = {a.id for a in guide.areas.leaves()}
    assert {h.split("-", 1)[1].removesuffix(".pdf").removesuffix("-large") for h in handouts if h.startswith("area-")} == leaves
    if name == "small":
        assert leaves == {"zenshi"}  # the one area for the whole city gets its handout


def test_no_section_is_rendered_without_content(fixture_site):
    _, root = fixture_site
    site = root / "site"
    for page in sorted(site.rglob("index.html")):
        html = page.read_text(encoding="utf-8")
        empty = re.findall(r"<h2[^>]*>[^<]*</h2>\s*(?:<ul[^>]*>\s*</ul>\s*)?(?=<h2|</section>|</article>)", html)
        assert empty == [], page.relative_to(site)


def test_a_city_without_hubs_shows_no_hub_wording(fixture_site):
    name, root = fixture_site
    guide = load_guide(root).guide
    home = article(root / "site", "")
    text = "".join(home.text)
    if guide.taxonomy.hubs is None:
        assert "start-here" not in (root / "site" / "index.html").read_text(encoding="utf-8")
        assert "no-hub" not in (root / "site" / "categories" / guide.taxonomy.categories[0].id / "index.html").read_text(encoding="utf-8")
    else:
        hubs = guide.taxonomy.hubs
        assert hubs.mark in text and hubs.label.get("ja") in text  # the city's own mark and words
        category = next(c for c in guide.taxonomy.categories if not c.hub)
        assert hubs.no_hub_note.get("ja") in "".join(article(root / "site", f"categories/{category.id}").text)
    assert "★" not in text or (guide.taxonomy.hubs and guide.taxonomy.hubs.mark == "★")


def test_the_areas_page_is_the_declared_tree(fixture_site):
    _, root = fixture_site
    guide = load_guide(root).guide
    html = (root / "site" / "areas" / "index.html").read_text(encoding="utf-8")
    for area in guide.areas.areas:
        assert f'areas/{area.id}/"' in html, area.id
    for area in guide.areas.areas:  # each labelled with its kind, unless the kind is its name
        kind = guide.areas.kind_name(area)
        assert (f'<span class="area-kind">({kind.get("ja")})</span>' in html) == (kind != area.name), area.id


def test_addresses_name_only_areas_whose_kind_is_part_of_addresses(fixture_site):
    name, root = fixture_site
    text = "".join(article(root / "site", "agencies/kakuu-shakyo" if name == "small" else "agencies/kakuu-soudan-center").text)
    if name == "small":
        assert "架空県架空市架空町三丁目3-3" in text  # not "…架空市市全域架空町…"
    else:
        assert "架空県テスト市テスト東区架空町一丁目1-1" in text


def test_content_pages_are_discovered_and_in_nav_false_keeps_one_out(fixture_site):
    name, root = fixture_site
    home = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="about/"' in home
    if name == "minimal":
        assert (root / "site" / "editing" / "index.html").is_file()
        assert 'href="editing/"' not in home  # a page for staff, linked from the about page
        assert 'href="../editing/"' in (root / "site" / "about" / "index.html").read_text(encoding="utf-8")


def test_a_broken_link_in_a_content_page_names_the_file(tmp_path, capsys):
    root = copy_guide(tmp_path / "guide", guide=FIXTURES / "small")
    with (root / "content" / "ja" / "about.md").open("a", encoding="utf-8") as page:
        page.write("\n[窓口の一覧](missing.md)\n")
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 1
    err = capsys.readouterr().err
    assert "content/ja/about.md: the link 'missing.md' leads nowhere" in err
    assert "Aborted with" not in err and "Traceback" not in err
    assert not (root / "site").exists()


# --- ./dev test holds for any guide in data/ and content/ ------------------------------------------

# The tests that read data/ and content/: the guide's own checks and build, the shipped data
# files (check, schema line, yamllint), the contributor guide if it has one, the grep above.
def test_handouts_never_ask_to_call_next_to_a_missing_number(fixture_site):
    """Paper cannot tell which counter has a number: a missing fact is "not listed", never "please call"."""
    _, root = fixture_site
    for pdf in sorted((root / "site" / "handouts").glob("*.pdf")):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "お電話でご確認" not in text and "please call" not in text.lower(), pdf.name
