"""Generate the Markdown pages of one language edition from the model (a standalone step: no MkDocs hooks).

Each page is a Markdown file with front matter and an HTML body rendered by
Jinja2, so MkDocs (or Zensical) only has to wrap it in the theme.
"""

from __future__ import annotations

import contextlib
import gettext
import math
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import groupby

from pydantic import BaseModel

from .flow import concerns_below, named_counters, outcome_concerns, steps
from .i18n import default_language
from .model import Guide
from .present import Presenter
from .templating import component_names, install_components, markdown_block, template_environment
from .queries import PROGRAMS_PART, agency_list_parts, area_handout_parts
from .urls import handout_file, listing_page_url, part_id, url_for


@dataclass(frozen=True)
class Page:
    path: str  # site-relative URL, for example "agencies/health-center/"
    template: str
    context: dict

    @property
    def source_file(self) -> str:
        return f"{self.path}index.md"


# --- listings: split into pages so that no page grows with the number of records

# The most cards on one listing page.  A longer listing is split into pages of about this many
# (41 cards: two pages of 21 and 20), so a small guide keeps every listing on one page.
LISTING_PAGE_SIZE = 40
# The home page shows the first few programs with dates ahead, and links to all of them.
HOME_PROGRAMS = 10
# The 五十音 rows a Japanese reading is grouped under (dakuten and small kana count as their row).
KANA_ROWS = ["あいうえお", "かきくけこ", "さしすせそ", "たちつてと", "なにぬねの", "はひふへほ", "まみむめも", "やゆよ", "らりるれろ", "わをん"]


@dataclass(frozen=True, eq=False)  # compared by identity: a section is one object, whatever its size
class Section:
    """One titled group of a listing (an initial, a kind of program, offices or programs of an area)."""

    key: str  # the anchor, and what the template titles the group by
    label: object  # what the title is made of: an initial, a program kind, or None for a fixed title
    items: tuple
    continued: bool = False  # begun on an earlier page


@dataclass(frozen=True)
class ListingPage:
    """One page of a listing: its part of the sections, where each section starts, the pages around it."""

    base: str
    number: int
    count: int
    sections: tuple[Section, ...]
    starts: tuple[tuple[Section, int], ...]  # every section of the whole listing and the page it begins on

    def url(self, number: int) -> str:
        return listing_page_url(self.base, number)

    @property
    def path(self) -> str:
        return self.url(self.number)


def initial(reading: str) -> str:
    """The letter a name is filed under: its 五十音 row (か for ぎょ or ガ) or its capital letter; "" for anything else."""
    first = unicodedata.normalize("NFKD", reading.strip()[:1])[:1]  # ガ → カ + ゛, Ｇ → G
    if "ァ" <= first <= "ヶ":
        first = chr(ord(first) - 0x60)  # katakana → hiragana
    small = "ぁぃぅぇぉゃゅょっゎゕゖゔ"
    first = "あいうえおやゆよつわかけう"[small.index(first)] if first and first in small else first
    row = next((r[0] for r in KANA_ROWS if first and first in r), None)
    if row:
        return row
    return first.upper() if first.isascii() and first.isalpha() else ""


def paginate(base: str, sections: list[Section]) -> list[ListingPage]:
    """The sections' items on pages of about LISTING_PAGE_SIZE, in order; one page when they fit."""
    sections = [s for s in sections if s.items]
    flat = [(s, item) for s in sections for item in s.items]
    count = max(1, math.ceil(len(flat) / LISTING_PAGE_SIZE))
    size = max(1, math.ceil(len(flat) / count))
    chunks = [flat[i * size : (i + 1) * size] for i in range(count)]
    starts: dict[Section, int] = {}
    for number, chunk in enumerate(chunks, 1):
        for section, _item in chunk:
            starts.setdefault(section, number)
    pages = []
    for number, chunk in enumerate(chunks, 1):
        parts = tuple(
            Section(section.key, section.label, tuple(item for _s, item in group), continued=starts[section] < number)
            for section, group in groupby(chunk, key=lambda pair: pair[0])
        )
        pages.append(ListingPage(base, number, count, parts, tuple(starts.items())))
    return pages


def listing_pages(template: str, pages: list[ListingPage], **context) -> Iterator[Page]:
    for listing in pages:
        yield Page(listing.path, template, {**context, "listing": listing})


def plan_listings(guide: Guide, present: Presenter) -> Iterator[Page]:
    """The listings that grow with the data: every agency, every program, each concern, each area.
    Members and order come from the shared queries, once per listing (not once per page)."""
    by_reading = sorted(guide.agencies, key=lambda a: a.reading)
    initials = [
        Section(f"initial-{ord(key[:1] or '_'):x}", key, tuple((a, a.services, any(s.hub for s in a.services)) for a in group))
        for key, group in groupby(by_reading, key=lambda a: initial(a.reading))
    ]
    yield from listing_pages("agencies.md.j2", paginate(url_for("agencies"), initials))
    kinds = [Section(kind.id, kind, tuple(present.programs_for(kind=kind.id))) for kind in guide.taxonomy.program_kinds]
    yield from listing_pages("programs.md.j2", paginate(url_for("programs"), kinds))
    for category in guide.taxonomy.categories:
        sections = [
            Section("agencies", None, tuple((a, services, a.id == category.hub) for a, services in present.agencies_in(category.id))),
            Section("programs", None, tuple(p for p in guide.programs if category.id in p.categories)),
        ]
        yield from listing_pages("category.md.j2", paginate(url_for("category", category.id), sections), category=category)
    for area in guide.areas.areas:
        sections = [
            Section("offices", None, tuple(present.offices_in(area.id))),
            Section("located", None, tuple(present.agencies_located_in(area.id))),
            Section("programs", None, tuple(present.programs_for(area=area.id))),
        ]
        yield from listing_pages("area.md.j2", paginate(url_for("area", area.id), sections), area=area)


def plan_pages(guide: Guide) -> Iterator[Page]:
    """Every generated page of an edition: listings, then one page per record."""
    # The listings' members and order are the same in every language: any edition's presenter will do.
    present = Presenter(guide, default_language(guide.site), gettext.NullTranslations(), date.today())
    yield Page(url_for("home"), "home.md.j2", {})
    yield Page(url_for("finder"), "finder.md.j2", {})
    yield Page(url_for("categories"), "categories.md.j2", {})
    yield Page(url_for("areas"), "areas.md.j2", {})
    yield Page(url_for("opendata"), "opendata.md.j2", {})
    yield from plan_listings(guide, present)
    for agency in guide.agencies:
        yield Page(url_for("agency", agency.id), "agency.md.j2", {"agency": agency, "branch": None})
        for branch in agency.branches:
            yield Page(url_for("branch", agency.id, branch.id), "agency.md.j2", {"agency": agency, "branch": branch})
    for program in guide.programs:
        yield Page(url_for("program", program.id), "program.md.j2", {"program": program})
    yield from plan_flow(guide, present)


def plan_flow(guide: Guide, present: Presenter) -> Iterator[Page]:
    """The guided questions' pages (none without data/flow.yaml): each question, outcome and わからない page
    on its path (flow.steps), with the counters it lists and the concerns it is about (for the urgent line)."""
    if guide.flow is None:
        return
    hubs = {c.id: c.hub for c in guide.taxonomy.categories}
    general_hubs = hub_cards(present, [c for c in hubs if hubs[c]])  # where an outcome lists nothing, or no concern below has a hub
    for step in steps(guide.flow):
        if step.outcome:
            concerns = outcome_concerns(present.agencies, step.outcome)
            counters = outcome_cards(present, step.outcome)
        else:
            concerns = concerns_below(guide, present.agencies, step.below or step.question)
            counters = (hub_cards(present, [c for c in concerns if hubs[c]]) or general_hubs) if step.unsure else []
        url = url_for("flow_unsure" if step.unsure else "flow", *step.path)
        # A concern's counters as its page begins (no page grows with the guide): the rest are on that page.
        context = {"step": step, "counters": counters[:LISTING_PAGE_SIZE], "counted": len(counters), "concerns": concerns, "general_hubs": general_hubs}
        yield Page(url, "flow.md.j2", context)


def hub_cards(present: Presenter, concerns: list[str]) -> list[tuple]:
    """The hub of each concern, once per agency, with its hub services in those concerns: (agency, services, True)."""
    cards: dict[str, tuple] = {}
    for concern in concerns:
        agency = present.agencies[present.categories[concern].hub]
        services = [s for s in agency.services if s.hub and concern in s.categories]
        known = cards.get(agency.id, (agency, [], True))[1]
        cards[agency.id] = (agency, known + [s for s in services if s not in known], True)
    return list(cards.values())


def outcome_cards(present: Presenter, answer) -> list[tuple]:
    """The counters an outcome lists, as (agency, services, hub): a concern's hub, a concern's counters
    (hub first, as its page lists them), or the counters the answer names."""
    if answer.hub:
        return hub_cards(present, [answer.hub])
    if answer.category:
        hub = present.categories[answer.category].hub
        return [(agency, services, agency.id == hub) for agency, services in present.agencies_in(answer.category)]
    return [(agency, services, False) for agency, services in named_counters(present.agencies, answer)]


# A link rel() makes begins with a mark for the page's way to the site's root, filled in when the page is
# done (Renderer.on_page): so what a component makes is the same on every page, and made once (_remembered).
# Control characters: no text of the data can hold them (model.check_control).
_TO_ROOT = "\x00"
_THE_ROOT = "\x01"  # the root itself: "./" on a page at the root


class Renderer:
    """The pages of one language edition: templates with the presenter's helpers as globals.

    `open_data`: what the pages print of the open data (JSON-LD, calendar links, the files the
    オープンデータ page lists), given by whoever composes pages and exports (exports.page_globals).

    `links`: the link graph of what was rendered, {page path: the internal links it holds, each once,
    in the order made}.  Every internal address on a generated page passes through the template's
    `rel`, so the dead-link report takes them from here instead of reading the pages' HTML.

    A component (templating.install_components) is made once per set of arguments in an edition: its
    output is a function of them and of the edition, its links relative to the page only once filled in."""

    def __init__(
        self, guide: Guide, lang: str, translations, today: date, *, open_data: dict, site_url: str | None = None, prefix: str = "", bytecode_cache=None
    ):
        self.present = Presenter(guide, lang, translations, today, site_url=site_url, prefix=prefix)
        self.env = template_environment(translations, bytecode_cache)
        self.env.globals.update(self.present.template_globals(), url_for=url_for, handout_file=handout_file)
        self.env.globals.update(default_lang=default_language(guide.site), home_programs=HOME_PROGRAMS)
        self.env.globals["finder_choices"] = self.present.finder_choices
        # A handout printed in parts is linked part by part where the page meets the split (queries).
        self.env.globals.update(part_id=part_id, programs_part=PROGRAMS_PART, agency_list_parts=agency_list_parts(guide), area_handout_parts=self.area_handout_parts)
        self.env.globals.update(open_data, rel=self.rel)
        install_components(self.env)
        for name in component_names():
            self.env.globals[name] = self._remembered(self.env.globals[name])
        self.links: dict[str, list[str]] = {}
        self._page_links: dict[str, None] | None = None  # while a page renders: the addresses its links go to

    def area_handout_parts(self, area_id: str) -> list[str]:
        present = self.present
        return area_handout_parts(present.guide, present.offices_in(area_id), present.agencies_located_in(area_id), present.programs_for(area=area_id))

    def rel(self, url: str) -> str:
        """`url` (from url_for) as a link on the page being rendered (relative to it once filled in), noted in its links."""
        if self._page_links is None:
            raise RuntimeError(f"rel({url!r}) outside a page: render within Renderer.on_page")
        self._page_links[url] = None
        return _TO_ROOT + url if url else _THE_ROOT

    @contextlib.contextmanager
    def on_page(self, path: str) -> Iterator[Callable[[str], str]]:
        """Render as on the page at `path`: the function given fills in what was rendered (its links relative
        to the page); afterwards self.links[path] holds them."""
        to_root = "../" * path.count("/")
        root = to_root or "./"
        links: dict[str, None] = {}
        self._page_links = links
        try:
            yield lambda text: text.replace(_TO_ROOT, to_root).replace(_THE_ROOT, root)
        finally:
            self._page_links = None
            self.links[path] = [to_root + url if url else root for url in links]

    def _remembered(self, component: Callable) -> Callable:
        """`component` as the pages call it: made once for the same arguments (model records by identity, kept
        alive with what was made), its links noted on every page that shows it.  Not outside a page (rel
        is refused there), nor for arguments of another kind (a `caller`)."""
        made: dict[tuple, tuple] = {}

        def remembered(*args, **kwargs):
            page_links = self._page_links
            key = _arguments_key(args, kwargs) if page_links is not None else None
            if key is None:
                return component(*args, **kwargs)
            if key not in made:
                own: dict[str, None] = {}
                self._page_links = own
                try:
                    made[key] = (component(*args, **kwargs), tuple(own), args, kwargs)
                finally:
                    self._page_links = page_links
            html, urls, _args, _kwargs = made[key]
            page_links.update(dict.fromkeys(urls))
            return html

        return remembered

    def render(self, page: Page) -> str:
        with self.on_page(page.path) as filled:
            body = filled(self.env.get_template(f"pages/{page.template}").render(page=page, **page.context))
        return markdown_block(body)


def _arguments_key(args: tuple, kwargs: dict) -> tuple | None:
    """What a component's call is made of, comparable; None when an argument is of no kind known here."""
    try:
        return tuple(map(_key, args)), tuple(sorted((name, _key(value)) for name, value in kwargs.items()))
    except TypeError:
        return None


def _key(value) -> tuple:
    if isinstance(value, BaseModel):
        return type(value), id(value)
    if isinstance(value, (list, tuple)):
        return list, tuple(map(_key, value))
    if value is None or isinstance(value, (str, int, float, date)):
        return type(value), value
    raise TypeError(type(value))
