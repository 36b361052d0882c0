"""Printable A4 handouts (PDF) of each language edition, and the staff-only agency list.

    agency-list.pdf              every agency by concern, hubs first, phone, address, hours
    category-<id>.pdf            one concern on exactly one page, with a QR code to its web page
    category-<id>-large.pdf      the same in large print (body text ≥ 18 pt), still one page
    area-<id>.pdf, -large.pdf    one smallest area: the offices and agencies that serve it
    program-<id>.pdf             one flyer per program
    staff/<lang>/agency-list-staff.pdf   (only on request) the list with 内線 and 担当者名

A sheet that would grow with the whole guide is split by concern once it is long, and its own
file then holds the contents (each part, what it lists, how many, its file):

    agency-list--<concern>.pdf   above LIST_ROWS rows: the list of one concern, numbered "n / m"
    area-<id>--<concern>.pdf     above AREA_ENTRIES places: one page like the concern's, of this area's places
    area-<id>--programs.pdf      and the area's programs, numbered "n / m"

("--" cannot occur in an id, so a part's name never meets another sheet's.)

Pages are HTML (Jinja2 templates in templates/handouts/, the web pages' presentation
helpers from present.Presenter) printed by WeasyPrint with the BIZ UD font through
fontconfig.  Everything printed is checked against the font first (fontguard), so a
missing font or character is an error, never a sheet of empty boxes.  One
WeasyPrint FontConfiguration and one parsed stylesheet serve every PDF of the process.

At any size of the data a sheet takes a few layouts (a concern's level of detail is computed
from its entries' measured heights), the sheets of every language are printed together by one
forked worker per core, and a sheet whose inputs did not change is copied from
build/handouts-cache/<lang>/.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from markupsafe import Markup

from .editions import SITE_URL_VARIABLE, Edition, public_url
from .fontguard import FAMILY, FontGuard, HandoutError
from .i18n import default_language, translations, words
from .model import Agency, Guide, Hours, Phone, PrivateOverlay, Service, StaffContact
from .templating import TEMPLATES, component_css, component_stylesheets, template_environment
from .urls import handout_file, url_for
from .present import Presenter
from .workers import forked_parts, forked_pool

__all__ = ["HandoutError", "HandoutSet", "Overflow", "cmd_handouts", "register", "render_handout_sets", "render_handouts", "staff_sheet_path"]

HANDOUT_TEMPLATES = TEMPLATES / "handouts"
STYLESHEET = HANDOUT_TEMPLATES / "handouts.css"  # the sheets' own rules; the components' paper.css follow it
DEFAULT_OUT = Path("build") / "handouts"
CACHE_DIR = Path("build") / "handouts-cache"
STAFF_DIR = "staff"
STAFF_SHEET = "agency-list-staff.pdf"
PUBLIC_DIR = "site"  # the staff sheet may never be written under it
TALL_MM = 20000  # the page measuring layouts use: everything on one page
A4_HEIGHT_PX = 297 / 25.4 * 96  # CSS px, as WeasyPrint lays out
LIST_ROWS = 200  # the agency list in one file up to this many rows (about eight pages), else one per concern
AREA_ENTRIES = 36  # an area's offices and agencies on one sheet up to this many (about three pages), else one per concern
MEASURED_ENTRIES = 48  # entries measured at first: more than fit on one page unless they are very short
# Where a sheet's QR code goes.  Drawing one costs more than the rest of the HTML, so the code is
# made only for a sheet that is laid out for printing (_Handouts.printable): the cache key, the
# font check and the measuring layouts (the code's box has a fixed size) do without it.
QR_MARK = Markup("<!-- qr -->")

# Detail levels, most detailed first, each shorter than the one before: a sheet takes the
# first level that fits on one page.  A concern's sheet first leaves out the other agencies'
# addresses, then their services and hours from the last one up (`full`: how many keep them),
# then, as the last resort, lists fewer of them with a note saying how many more the web page
# has (`limit`).  Only then does the hub agency lose its list of services.  Its level is not
# found by trial layouts but computed from the measured heights of its entries (_Handouts.fit).


class EntryLevels(list):
    """The levels of a sheet over `count` entries (category_levels): fit() computes which one fits."""

    def __init__(self, levels: list[dict], count: int):
        super().__init__(levels)
        self.count = count


def category_levels(count: int) -> EntryLevels:
    hub = {"hub_services": True}
    levels = [{"address": True, "full": count, "limit": None, **hub}]
    levels += [{"address": False, "full": full, "limit": None, **hub} for full in range(count, -1, -1)]
    levels += [{"address": False, "full": 0, "limit": limit, **hub} for limit in range(count - 1, -1, -1)]
    levels.append({"address": False, "full": 0, "limit": 0, "hub_services": False})
    return EntryLevels(levels, count)


AREA_LEVELS = [
    {"office_services": True, "located_services": True, "located_address": True, "located_hours": True},
    {"office_services": True, "located_services": False, "located_address": True, "located_hours": True},
    {"office_services": True, "located_services": False, "located_address": False, "located_hours": True},
    {"office_services": False, "located_services": False, "located_address": False, "located_hours": True},
    {"office_services": False, "located_services": False, "located_address": False, "located_hours": False},
]
FULL = [{}]


@dataclass
class Sheet:
    """One PDF to print: its template, what it shows, and the detail levels it may use to fit."""

    filename: str
    template: str
    title: str
    kind: str
    path: str  # the web page's path (urls.url_for), printed and encoded in the QR code
    context: dict
    verified: list  # records whose last_verified the sheet shows (the oldest)
    levels: list[dict] = field(default_factory=lambda: FULL)
    one_page: bool = False  # promises one page: the build says so when even the last level takes more
    flowing: bool = False  # a list over as many pages as it needs, numbered "n / m": laid out once, in full
    large: bool = False
    smaller: Sheet | None = None  # the normal-print sheet of a large-print one: it needs at least as little detail
    chosen: int | None = None  # the level it was printed at
    pages: int = 0  # how many pages it was printed on


@dataclass(frozen=True)
class Overflow:
    """A sheet that promises one page but takes more even with the least detail."""

    filename: str
    pages: int


def normal_and_large(handout: str, record_id: str, **sheet) -> list[Sheet]:
    """A sheet in normal print and its large-print twin, which may never show more detail."""
    normal = Sheet(handout_file(handout, record_id), **sheet)
    return [normal, Sheet(handout_file(handout, record_id, large=True), **sheet, large=True, smaller=normal)]


def part_id(record_id: str | None, part: str) -> str:
    """The id of one part of a split sheet: agency-list--debt.pdf, area-kita--debt-large.pdf."""
    return f"{record_id}--{part}" if record_id else f"-{part}"


# --- the printing press: one per process -----------------------------------------


class _Press:
    """WeasyPrint with one FontConfiguration and one parsed stylesheet, shared by every PDF of the process
    (and by the printing workers, which fork from it)."""

    _shared: _Press | None = None

    def __init__(self):
        from weasyprint import CSS, HTML  # noqa: PLC0415 - slow import, only when printing
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415
        from weasyprint.urls import URLFetcher  # noqa: PLC0415

        self._html = HTML
        self.no_network = URLFetcher(allowed_protocols={"data"})  # a handout loads nothing from anywhere
        self.font_config = FontConfiguration()
        self.stylesheet_mtime = _stylesheet_time()
        stylesheet = STYLESHEET.read_text(encoding="utf-8") + component_css("paper")
        self.stylesheet = CSS(string=stylesheet, base_url=str(HANDOUT_TEMPLATES) + "/", font_config=self.font_config)
        # Measuring: the same width, so every line wraps as on A4, but one page tall enough for everything.
        self.tall = CSS(string=f"@page {{ size: 210mm {TALL_MM}mm; }}", font_config=self.font_config)

    @classmethod
    def shared(cls) -> _Press:
        if cls._shared is None or cls._shared.stylesheet_mtime != _stylesheet_time():
            cls._shared = cls()
        return cls._shared

    def layout(self, html: str, name: str, guard: FontGuard, *, tall: bool = False):
        stylesheets = [self.stylesheet, self.tall] if tall else [self.stylesheet]
        with guard.watching(name):
            return self._html(string=html, base_url=str(HANDOUT_TEMPLATES) + "/", url_fetcher=self.no_network).render(
                font_config=self.font_config, stylesheets=stylesheets
            )

    def pdf(self, document, name: str, guard: FontGuard) -> bytes:
        with guard.watching(name):  # missing glyphs are only noticed while drawing
            pdf = document.write_pdf(pdf_tags=True)  # tagged: screen readers get the reading order
        guard.check_embedded(document, name)
        return pdf

    def write(self, document, target: Path, name: str, guard: FontGuard) -> None:
        _write_file(target, self.pdf(document, name, guard))


def _stylesheet_time() -> float:
    return max(path.stat().st_mtime for path in [STYLESHEET, *component_stylesheets("paper")])


def _write_file(target: Path, data: bytes) -> None:
    """Write whole or not at all: a reader never finds half a PDF."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(data)
    partial.replace(target)


@dataclass
class _Measured:
    """One tall layout of a sheet: the height its content needs, split into its entries and the rest."""

    capacity: float  # the height an A4 page of this sheet has for its content (CSS px)
    entries: list[float]  # each entry's height, in order
    rest: float  # everything else: header, hub agency, headings, notes
    note: float  # the tallest note (p.more), an estimate for a note the layout did not have

    @classmethod
    def of(cls, document) -> _Measured:
        page = document.pages[0]._page_box
        capacity = A4_HEIGHT_PX - page.margin_top - page.margin_bottom - page.padding_top - page.padding_bottom
        root = next(box for box in page.children if box.element_tag == "html")
        tops, notes, seen = [], [], set()
        for box in _descendants(root):
            if box.element is None or box.element_tag not in ("div", "p"):
                continue
            classes = (box.element.get("class") or "").split()
            if "entry" in classes and id(box.element) not in seen:
                seen.add(id(box.element))
                tops.append((box.position_y, box.margin_height()))
            elif "more" in classes and id(box.element) not in seen:
                seen.add(id(box.element))
                notes.append(box.margin_height())
        entries = [next_top - top for (top, _), (next_top, _) in zip(tops, tops[1:])] + [tops[-1][1]] if tops else []
        return cls(capacity, entries, root.margin_height() - sum(entries), max(notes, default=0.0))


def _descendants(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


# --- presenting the model on paper -------------------------------------------------


class _Handouts:
    """The sheets of one edition: the presenter's helpers plus what paper needs (QR codes, what fits)."""

    def __init__(self, root: Path, guide: Guide, lang: str, *, today: date, site_url: str | None):
        self.guide, self.lang, self.today = guide, lang, today
        catalog = translations(root, lang)
        prefix = "" if lang == default_language(guide.site) else f"{lang}/"
        self.present = Presenter(guide, lang, catalog, today, site_url=site_url, prefix=prefix)
        self.gettext = self.present.gettext
        self._html: dict[tuple[str, int], str] = {}
        self.env = template_environment(catalog)
        self.env.globals.update(
            self.present.template_globals(),
            url_for=url_for,
            handout_file=handout_file,
            font_family=FAMILY,
            phones_of=self.phones_of,
            hours_of=self.hours_of,
            qr=lambda url: QR_MARK if self.present.scannable(url) else None,  # drawn in by printable()
            audience_name=lambda aid: self.present.texts.html(next(a.name for a in guide.taxonomy.audiences if a.id == aid)),
        )

    # helpers for the templates

    @staticmethod
    def phones_of(agency: Agency, services: list[Service]) -> list[Phone]:
        """A service's own numbers when it has them (as on the web page's cards), else the agency's."""
        own = [phone for service in services for phone in service.phones]
        return own or list(agency.phones)

    @staticmethod
    def hours_of(agency: Agency, services: list[Service]) -> Hours | None:
        own = [service.hours for service in services if service.hours]
        if own and len(own) == len(services) and all(hours == own[0] for hours in own):
            return own[0]
        return agency.hours

    # the sheets

    def sheets(self) -> list[Sheet]:
        g, t = self.guide, self.present.texts.plain
        result = self.agency_lists()
        for category in g.taxonomy.categories:
            hub_entries, others = self.category_entries(category, [(a, s, None) for a, s in self.present.agencies_in(category.id)])
            agencies = [a for a, _, _ in hub_entries + others]
            result += normal_and_large(
                "category",
                category.id,
                template="category.html",
                title=t(category.name),
                kind=self.gettext("Where to consult: by concern"),
                path=url_for("category", category.id),
                context={"category": category, "hub_entries": hub_entries, "others": others, "area": None},
                verified=agencies,
                levels=category_levels(len(others)),
                one_page=True,
            )
        for area in g.areas.leaves():
            result += self.area_sheets(area)
        for program in g.programs:
            contact_id = program.contact or program.organiser
            contact = self.present.agencies.get(contact_id) if contact_id else None
            kind = next(k for k in g.taxonomy.program_kinds if k.id == program.kind)
            result.append(
                Sheet(
                    handout_file("program", program.id),
                    "program.html",
                    t(program.name),
                    self.gettext("Programs you can join"),
                    url_for("program", program.id),
                    {"program": program, "contact": contact, "kind": kind, "sheet_class": "flyer"},
                    [program] + ([contact] if contact else []),
                    [{}, {"compact": True}],
                    one_page=True,
                )
            )
        return result

    def category_entries(self, category, entries: list[tuple]) -> tuple[list, list]:
        """The hub agency's entries, and the others in their order but those with a phone number first:
        when a sheet must list fewer of them, the ones a resident can call stay.
        An entry is (agency, its services in the concern, the branch (an office for an area) or None)."""
        hub = [entry for entry in entries if category.hub and entry[0].id == category.hub]
        others = [entry for entry in entries if not (category.hub and entry[0].id == category.hub)]
        return hub, sorted(others, key=lambda entry: not ((entry[2] and entry[2].phones) or self.phones_of(entry[0], entry[1])))

    def area_sheets(self, area) -> list[Sheet]:
        """An area's sheet (normal and large print) or, when it lists more than AREA_ENTRIES places, the
        contents and its parts: per concern, a one-page sheet like the concern's of the places for this area
        (measured like it: "n more places: see the web page"), and its programs, as long as they need."""
        t = self.present.texts.plain
        context = self.area_context(area)
        offices, located, programs = context["offices"], context["located"], context["programs"]
        sheet = {"template": "area.html", "kind": self.gettext("Where to consult: by area"), "path": url_for("area", area.id)}
        if len(offices) + len(located) <= AREA_ENTRIES:
            records = [a for a, _ in offices] + [a for a, _ in located] + programs
            return normal_and_large("area", area.id, title=t(area.name), context=context, verified=records, levels=AREA_LEVELS, **sheet)
        parts: list[tuple[str, list[Sheet]]] = []
        for category in self.guide.taxonomy.categories:
            entries = [(a, [s for s in a.services if category.id in s.categories], b) for a, b in offices]
            entries += [(a, [s for s in services if category.id in s.categories], None) for a, services in located]
            entries = [entry for entry in entries if entry[1]]
            if entries:  # the concern's one-page sheet, of the places for this area only
                hub_entries, others = self.category_entries(category, entries)
                part = {"category": category, "hub_entries": hub_entries, "others": others, "area": area}
                parts.append((t(category.name), normal_and_large(
                    "area", part_id(area.id, category.id), template="category.html",
                    title=self.gettext("%(whole)s: %(part)s", whole=t(area.name), part=t(category.name)), kind=sheet["kind"], path=sheet["path"],
                    context=part, verified=[a for a, _, _ in entries], levels=category_levels(len(others)), one_page=True,
                )))
        if programs:
            part = {**context, "offices": [], "located": [], "part": True}
            parts.append((self.gettext("Programs"), normal_and_large(
                "area", part_id(area.id, "programs"), title=self.gettext("%(whole)s: %(part)s", whole=t(area.name), part=self.gettext("Programs")),
                context=part, verified=programs, levels=AREA_LEVELS, flowing=True, **sheet,
            )))
        return self.contents(handout_file("area", area.id), t(area.name), sheet, parts, large=True)

    def contents(self, filename: str, title: str, sheet: dict, parts: list[tuple[str, list[Sheet]]], *, large: bool) -> list[Sheet]:
        """The sheet of a list printed in parts (`filename`, and with `large` its large-print twin):
        what each part lists, how many places or programs, and its file; then the parts themselves."""
        rows = [(label, len({id(r) for r in part[0].verified}), part[0].filename) for label, part in parts]
        records = [r for _, part in parts for r in part[0].verified]
        contents = Sheet(filename, "contents.html", title, sheet["kind"], sheet["path"], {"rows": rows}, records, flowing=True)
        first = [contents]
        if large:
            first.append(replace(contents, filename=handout_file(filename.removesuffix(".pdf"), large=True), large=True, smaller=contents))
        return first + [s for _, part in parts for s in part]

    def area_context(self, area) -> dict:
        offices = self.present.offices_in(area.id)
        with_office = {agency.id for agency, _ in offices}
        located = [(agency, list(agency.services)) for agency in self.present.agencies_located_in(area.id) if agency.id not in with_office]
        return {
            "area": area,
            "ancestors": self.guide.areas.ancestors(area.id),
            "offices": offices,
            "located": located,
            "programs": self.present.programs_for(area=area.id),
        }

    def table(self, staff: PrivateOverlay | None = None) -> list[tuple]:
        """Rows of the list of agencies by concern: one per service, hubs first, then by the list's number and reading."""
        contacts = _StaffIndex(staff) if staff else None
        table = []
        for category in self.guide.taxonomy.categories:
            rows = []
            for agency, services in self.present.agencies_in(category.id):
                hub_service = any(s.hub for s in services)
                for service in services:
                    star = agency.id == category.hub and (service.hub or not hub_service)
                    contact = contacts.find(agency.id, service.id) if contacts else None
                    rows.append({"agency": agency, "service": service, "star": star, "contact": contact})
            rows.sort(key=lambda row: (not row["star"], row["service"].list_number is None, row["service"].list_number or 0, row["agency"].reading))
            table.append((category, rows))
        return table

    def agency_list(self, staff: PrivateOverlay | None = None) -> Sheet:
        return Sheet(
            STAFF_SHEET if staff else handout_file("agency-list"),
            "agency_list.html",
            self.gettext("All agencies"),
            self.gettext("For staff only") if staff else self.gettext("Where to consult: all agencies"),
            url_for("agencies"),
            {"table": self.table(staff), "staff": staff is not None, "sheet_class": "list" + (" staff" if staff else "")},
            list(self.guide.agencies),
            flowing=True,
        )

    def agency_lists(self) -> list[Sheet]:
        """The list of all agencies, or, above LIST_ROWS rows, its contents and one list per concern."""
        table = self.table()
        if sum(len(rows) for _, rows in table) <= LIST_ROWS:
            return [self.agency_list()]
        t = self.present.texts.plain
        sheet = {"kind": self.gettext("Where to consult: all agencies"), "path": url_for("agencies")}
        parts = [
            (t(category.name), [Sheet(
                handout_file("agency-list", part_id(None, category.id)),
                "agency_list.html",
                self.gettext("%(whole)s: %(part)s", whole=self.gettext("All agencies"), part=t(category.name)),
                sheet["kind"],
                url_for("category", category.id),
                {"table": [(category, rows)], "staff": False, "sheet_class": "list"},
                list({id(row["agency"]): row["agency"] for row in rows}.values()),
                flowing=True,
            )])
            for category, rows in table
            if rows
        ]
        return self.contents(handout_file("agency-list"), self.gettext("All agencies"), sheet, parts, large=False)

    # printing

    def html(self, sheet: Sheet, index: int, *, paged: bool = False, made: str | None = None) -> str:
        """The sheet's HTML at level `index`, made once (`made`: made elsewhere, by a worker)."""
        paged = paged or sheet.flowing  # a flowing sheet has one HTML: for its cache key and for printing
        key = (sheet.filename, index, paged)
        if key not in self._html:
            self._html[key] = made if made is not None else self._make_html(sheet, sheet.levels[index], paged=paged)
        return self._html[key]

    def _make_html(self, sheet: Sheet, level: dict, *, paged: bool = False) -> str:
        url = self.present.address_of(sheet.path)
        info = {
            "title": sheet.title,
            "kind": sheet.kind,
            "url": url,
            "generated": self.today,
            "verified": min(r.last_verified for r in sheet.verified) if sheet.verified else self.today,
            "several": len(sheet.verified) > 1,
            # the date shown is the documents' unless someone checked the oldest record with its counter
            "checked": bool(sheet.verified) and min(sheet.verified, key=lambda r: r.last_verified).checked_with_counter,
        }
        template = self.env.get_template(f"handouts/{sheet.template}")
        context = {"sheet_class": "", **sheet.context}
        if level.get("compact"):
            context["sheet_class"] += " compact"
        if paged and "list" not in context["sheet_class"]:  # a list's pages are always numbered (handouts.css)
            context["sheet_class"] += " paged"
        return template.render(sheet=info, large=sheet.large, level=level, **context)

    def records(self, staff: PrivateOverlay | None = None) -> list[tuple[str, object]]:
        """Every record with a label, to say where a character that cannot be printed comes from."""
        g = self.guide
        records: list[tuple[str, object]] = [("data/site.yaml", g.site)]
        records += [(f'data/categories.yaml: category "{c.id}"', c) for c in g.taxonomy.categories]
        records += [(f'data/categories.yaml: audience "{a.id}"', a) for a in g.taxonomy.audiences]
        records += [(f'data/categories.yaml: program kind "{k.id}"', k) for k in g.taxonomy.program_kinds]
        records += [(f'data/areas.yaml: area "{a.id}"', a) for a in g.areas.areas]
        records += [(f'data/areas.yaml: area kind "{k.id}"', k) for k in g.areas.kinds]
        records += [(f'data/agencies.yaml: agency "{a.id}"', a) for a in g.agencies]
        records += [(f'data/programs.yaml: program "{p.id}"', p) for p in g.programs]
        if staff:
            records += [
                (f'data/private.yaml: contact "{c.agency}"' + (f' / "{c.service}"' if c.service else ""), c) for c in staff.contacts
            ]
        return records

    def fit(self, sheet: Sheet, press: _Press, guard: FontGuard):
        """Lay the sheet out at the most detailed level that fits on one page; return the document.

        A few layouts whatever the size of the data: a concern's level is computed from its
        entries' measured heights (_first_fit), the few levels of other sheets are bisected.
        A sheet that fits on no page even with the least detail takes the level with the fewest
        pages (the most detail among equals), and then says "n / m" on each page.
        A flowing sheet (a list in parts) is laid out once, in full, numbered "n / m"."""
        if sheet.flowing:
            document = self._layout(sheet, 0, press, guard, paged=True)
            sheet.chosen, sheet.pages = 0, len(document.pages)
            return document
        # Large print needs at least the level its normal-print sheet needed (everything is bigger).
        low = sheet.smaller.chosen if sheet.smaller and sheet.smaller.chosen else 0
        if isinstance(sheet.levels, EntryLevels):
            sheet.chosen, document = self._first_fit(sheet, low, press, guard)
        else:
            sheet.chosen, document = self._fewest_pages(sheet, low, press, guard)
        sheet.pages = len(document.pages)
        if document.paged != (sheet.pages > 1):  # "n / m" only on a sheet of several pages
            document = self._layout(sheet, sheet.chosen, press, guard, paged=sheet.pages > 1)
        return document

    def printable(self, sheet: Sheet, html: str) -> str:
        """The sheet's HTML with its QR code drawn in."""
        return html.replace(QR_MARK, self.present.qr(self.present.address_of(sheet.path)) or "", 1)

    def _layout(self, sheet: Sheet, index: int, press: _Press, guard: FontGuard, *, paged: bool = False):
        html = self.html(sheet, index, paged=paged)
        if index:  # a shorter level prints notes level 0 does not: check their characters too
            guard.check_documents([(sheet.filename, html)], self.records())
        document = press.layout(self.printable(sheet, html), sheet.filename, guard)
        document.paged = paged  # noqa: B010 - remembered: a numbered layout need not be made again
        return document

    def _fewest_pages(self, sheet: Sheet, low: int, press: _Press, guard: FontGuard) -> tuple[int, object]:
        """The first of a few levels that fits on one page, by bisection (at most four layouts for five
        levels), or, when none does, the one with the fewest pages.  The least detailed level is laid
        out with its pages numbered: when even it takes several, it is the one printed, as it is."""
        tried: dict[int, object] = {}

        def pages(index: int, *, paged: bool = False) -> int:
            if index not in tried:
                tried[index] = self._layout(sheet, index, press, guard, paged=paged)
            return len(tried[index].pages)

        last = len(sheet.levels) - 1
        if pages(low) == 1 or low == last:
            return low, tried[low]
        if pages(last, paged=True) > 1:
            best = min(tried, key=lambda i: (pages(i), i))
            return best, tried[best]
        low, high = low + 1, last  # pages(low - 1) > 1 and pages(high) == 1
        while low < high:
            middle = (low + high) // 2
            if pages(middle) == 1:
                high = middle
            else:
                low = middle + 1
        return high, tried[high]

    def _first_fit(self, sheet: Sheet, low: int, press: _Press, guard: FontGuard) -> tuple[int, object]:
        """The first level of a concern's sheet that fits on one page: the whole sheet when it fits as
        it is (one layout), else the level its measured entries predict, checked by laying it out."""
        last = len(sheet.levels) - 1
        if low == 0 and sheet.levels.count <= MEASURED_ENTRIES:
            document = self._layout(sheet, 0, press, guard)
            if len(document.pages) == 1:
                return 0, document
        index = self._predict(sheet, max(low, 1), press, guard)
        while True:  # the prediction adds up measured boxes; where it is a hair off, the next level is shorter
            document = self._layout(sheet, index, press, guard)
            if len(document.pages) == 1 or index == last:
                return index, document
            index += 1

    def _predict(self, sheet: Sheet, start: int, press: _Press, guard: FontGuard) -> int:
        """The first level from `start` whose content, added up from two tall layouts, fits the page.

        The layouts print the entries without addresses, once without and once with their services
        and hours, so the height of any level is the rest of the sheet plus the right entry heights.
        Only as many entries are measured as could possibly fit: the others are never printed."""
        levels, count = sheet.levels, sheet.levels.count
        measured = MEASURED_ENTRIES
        while True:
            shown = min(count, measured)
            short = self._measure(sheet, {"address": False, "full": 0, "limit": shown, "hub_services": True}, press, guard)
            if shown == count or short.rest + sum(short.entries) > short.capacity:
                break
            measured *= 2  # very short entries: more of them might fit
        long = None
        if shown == count:
            long = self._measure(sheet, {"address": False, "full": count, "limit": count, "hub_services": True}, press, guard)
        if long is not None and len(long.entries) != len(short.entries):
            return start  # not measurable (a changed template?): the layouts that follow will find the level
        # "n more places: see the web page" is in neither layout when every entry was measured: as tall as a note.
        note = short.note if long is not None else 0.0
        short_sum = [0.0, *accumulate(short.entries)]
        long_sum = [0.0, *accumulate(long.entries)] if long is not None else []
        for index in range(start, len(levels) - 1):
            level = levels[index]
            if level["address"]:
                continue  # only level 0 prints the addresses: it was tried, or it is out of reach
            if level["limit"] is None:
                if long is None:
                    continue  # every entry: more than can fit
                need = short.rest + long_sum[level["full"]] + short_sum[-1] - short_sum[level["full"]]
            elif level["limit"] > shown:
                continue
            else:
                need = short.rest + short_sum[level["limit"]] + note
                if not level["limit"]:
                    need -= short.note  # no entries listed: no note that their details were left out
            if need <= short.capacity:
                return index
        return len(levels) - 1

    def _measure(self, sheet: Sheet, level: dict, press: _Press, guard: FontGuard) -> _Measured:
        return _Measured.of(press.layout(self._make_html(sheet, level), sheet.filename, guard, tall=True))


# --- printing in parallel, and the cache of unchanged sheets ---------------------------------

@dataclass
class _Batch:
    """One language's sheets to print, each to its target, with that language's cache."""

    handouts: _Handouts
    jobs: list[tuple[Sheet, Path]]
    store: _Cache
    cached: dict[int, bytes] = field(default_factory=dict)  # job number -> PDF printed before

    def todo(self) -> list[int]:
        return [number for number in range(len(self.jobs)) if number not in self.cached]


def _print_batches(batches: list[_Batch], guard: FontGuard, staff: PrivateOverlay | None) -> None:
    """Print every sheet of every batch to its target: those whose inputs did not change from
    their cache are copied, the others printed in parallel, every language's sheets together
    (so the longest sheets of two languages are printed side by side, not one after the other)."""
    # A cache key needs the sheet's HTML: the normal-print sheets' are made in parallel, a part per
    # core; the HTML of a sheet that is not in its cache comes back, to be checked and printed.
    normal = [(b, n) for b, batch in enumerate(batches) for n, (sheet, _) in enumerate(batch.jobs) if _cacheable(sheet) and not sheet.smaller]
    for b, number, key, html in forked_parts(_cache_keys, (batches,), normal, fork_above=8):
        sheet = batches[b].jobs[number][0]
        batches[b].store.keys[id(sheet)] = key
        if html is not None:
            batches[b].handouts.html(sheet, 0, made=html)
    for batch in batches:
        for number, (sheet, _) in enumerate(batch.jobs):
            pdf = batch.store.fetch(sheet) if _cacheable(sheet) else None
            if pdf is not None:
                batch.cached[number] = pdf
    # (b) first, for every sheet to print at once: one error lists every character that cannot be printed.
    # A cached sheet passed this check when it was printed, with the same font (its key holds the font files).
    guard.check_documents(
        ((b.jobs[n][0].filename, b.handouts.html(b.jobs[n][0], 0)) for b in batches for n in b.todo()), batches[0].handouts.records(staff)
    )
    for batch in batches:
        for number, pdf in batch.cached.items():
            _write_file(batch.jobs[number][1], pdf)
    for b, number, pdf in _print_in_parallel([(b, n) for b, batch in enumerate(batches) for n in batch.todo()], batches, guard):
        sheet, target = batches[b].jobs[number]
        _write_file(target, pdf)
        if _cacheable(sheet):
            batches[b].store.keep(sheet, pdf)
    for batch in batches:
        batch.store.prune()


def _cacheable(sheet: Sheet) -> bool:
    return not sheet.context.get("staff")  # staff-only facts are kept nowhere else


def _cache_keys(batches: list[_Batch], sheets: list[tuple[int, int]]) -> list[tuple[int, int, str, str | None]]:
    """(batch, job number, cache key, the HTML if the cache does not have the sheet) of each sheet."""
    keys = []
    for b, number in sheets:
        batch = batches[b]
        sheet = batch.jobs[number][0]
        key = batch.store.key(sheet)
        keys.append((b, number, key, None if batch.store.has(key) else batch.handouts.html(sheet, 0)))
    return keys


_RUN: tuple | None = None  # (batches, guard) being printed: forked workers inherit it
_WARNINGS: list[tuple[int, str]] = []  # a worker's WeasyPrint warnings, sent back with its sheets


def _print_in_parallel(sheets: list[tuple[int, int]], batches: list[_Batch], guard: FontGuard) -> Iterator[tuple[int, int, bytes]]:
    """(batch, job number, PDF) of every sheet (batch, job number), printed by one forked worker per core.

    A large-print sheet goes to the worker of its normal-print twin, after it (it needs the
    level the twin chose); the longest sheets go first, so the workers finish together."""
    global _RUN  # noqa: PLW0603 - what the forked workers inherit
    if not sheets:
        return
    groups: list[list[tuple[int, int]]] = []
    group_of: dict[int, int] = {}
    for b, number in sheets:
        sheet = batches[b].jobs[number][0]
        twin = group_of.get(id(sheet.smaller)) if sheet.smaller else None
        if twin is None:
            group_of[id(sheet)] = len(groups)
            groups.append([(b, number)])
        else:
            groups[twin].append((b, number))
    groups.sort(key=lambda group: -sum(len(batches[b].handouts.html(batches[b].jobs[n][0], 0)) for b, n in group))
    _Press.shared()  # made once here: the workers inherit its fonts and parsed stylesheet
    _RUN = (batches, guard)
    try:
        workers = min(len(groups), len(os.sched_getaffinity(0)))
        if workers < 2:
            yield from _results(map(_print_group, groups))
            return
        with forked_pool(workers, _forward_warnings) as pool:
            yield from _results(pool.imap_unordered(_print_group, groups))
    finally:
        _RUN = None


def _print_group(group: list[tuple[int, int]]) -> tuple[list[tuple], list[tuple[int, str]], tuple[str, str] | None]:
    """Print sheets of _RUN (a normal-print sheet, then its large twin): (PDFs, warnings, error)."""
    batches, guard = _RUN
    press = _Press.shared()
    printed, error = [], None
    try:
        for b, number in group:
            sheet = batches[b].jobs[number][0]
            document = batches[b].handouts.fit(sheet, press, guard)
            printed.append((b, number, sheet.chosen, sheet.pages, press.pdf(document, sheet.filename, guard)))
    except HandoutError as err:
        error = (err.msgid, err.params)  # plain values: they cross back from the worker
    warnings = list(_WARNINGS)
    _WARNINGS.clear()
    return printed, warnings, error


def _results(groups) -> Iterator[tuple[int, int, bytes]]:
    """The PDFs of printed groups; the level and pages each sheet took are copied to the parent's sheet."""
    batches, _guard = _RUN
    logger = logging.getLogger("weasyprint")
    for printed, warnings, error in groups:
        for level, message in warnings:  # as if WeasyPrint had run here
            logger.log(level, "%s", message)
        if error:
            raise HandoutError(error[0], **error[1])
        for b, number, chosen, pages, pdf in printed:
            sheet = batches[b].jobs[number][0]
            sheet.chosen, sheet.pages = chosen, pages
            yield b, number, pdf


def _forward_warnings() -> None:
    """In a worker: keep WeasyPrint's warnings to send back, instead of printing them here."""

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            _WARNINGS.append((record.levelno, record.getMessage()))

    logger = logging.getLogger("weasyprint")
    logger.handlers = [Keep(logging.WARNING)]
    logger.propagate = False


MADE_ON = re.compile(r'<p class="print-head__date">.*?</p>', re.DOTALL)  # components/print_head


class _Cache:
    """Sheets printed before, by a hash of everything that decides them, in build/handouts-cache/<lang>/.

    The hash leaves out the line "Made on <date>": a sheet whose content did not change keeps the
    PDF, and the date, of the day it was made (the footer says "Made on", not "printed on").  The
    hash does cover everything else printed, so a date-dependent fact (an exception to the hours
    that has passed) makes a new sheet with a new date.

    A large-print sheet is its normal-print twin (`smaller`) in larger type, made from the same
    fields: the twin's key and `large` decide it, so its HTML is not made only to be hashed
    (that was half the time of a build whose sheets were all cached)."""

    def __init__(self, folder: Path, guard: FontGuard, html: Callable[[Sheet], str]):
        self.folder, self.html = folder, html
        self.salt = _printing_fingerprint(tuple((str(face.file), face.file.stat().st_mtime_ns) for face in guard.faces))
        self.keys: dict[int, str] = {}

    def key(self, sheet: Sheet) -> str:
        if id(sheet) not in self.keys:
            digest = hashlib.sha256(self.salt)
            content = self.key(sheet.smaller) if sheet.smaller else MADE_ON.sub("", self.html(sheet))
            for part in (sheet.filename, str(sheet.large), json.dumps(list(sheet.levels), sort_keys=True), content):
                digest.update(part.encode("utf-8") + b"\0")
            self.keys[id(sheet)] = digest.hexdigest()
        return self.keys[id(sheet)]

    def has(self, key: str) -> bool:
        return (self.folder / f"{key}.json").is_file()

    def fetch(self, sheet: Sheet) -> bytes | None:
        """The PDF printed before from the same inputs (its level and pages set on `sheet`), or None."""
        key = self.key(sheet)
        try:
            info = json.loads((self.folder / f"{key}.json").read_text(encoding="utf-8"))
            pdf = (self.folder / f"{key}.pdf").read_bytes()
        except (OSError, ValueError):
            return None
        sheet.chosen, sheet.pages = info["chosen"], info["pages"]
        return pdf

    def keep(self, sheet: Sheet, pdf: bytes) -> None:
        key = self.keys[id(sheet)]
        _write_file(self.folder / f"{key}.pdf", pdf)  # the PDF first: an entry without its .json is a miss
        info = {"file": sheet.filename, "chosen": sheet.chosen, "pages": sheet.pages}
        _write_file(self.folder / f"{key}.json", json.dumps(info).encode("utf-8"))

    def prune(self) -> None:
        """Forget the sheets this run did not print: the cache holds one edition's current sheets."""
        current = set(self.keys.values())
        for path in self.folder.glob("*"):
            if path.stem not in current:
                path.unlink(missing_ok=True)


@lru_cache(maxsize=4)
def _printing_fingerprint(fonts: tuple) -> bytes:
    """What decides a sheet besides its HTML: this code, the templates and stylesheet, WeasyPrint, the fonts."""
    digest = hashlib.sha256(importlib.metadata.version("weasyprint").encode() + repr(fonts).encode())
    for path in [Path(__file__), *sorted(HANDOUT_TEMPLATES.rglob("*")), *component_stylesheets("paper")]:
        if path.is_file():
            digest.update(path.name.encode() + path.read_bytes())
    return digest.digest()


class _StaffIndex:
    """内線 and 担当者名 by (agency, service); an entry without a service applies to every service of its agency."""

    def __init__(self, private: PrivateOverlay):
        self.by_service = {(c.agency, c.service): c for c in private.contacts if c.service}
        self.by_agency = {c.agency: c for c in private.contacts if not c.service}

    def find(self, agency: str, service: str) -> StaffContact | None:
        return self.by_service.get((agency, service)) or self.by_agency.get(agency)


# --- the public interface ----------------------------------------------------------


def staff_sheet_path(root: Path, lang: str) -> Path:
    """Where `guide handouts --staff` writes the staff sheet: <root>/staff/<lang>/ (git-ignored)."""
    return root / STAFF_DIR / lang / STAFF_SHEET


@dataclass
class HandoutSet:
    """One language's public handouts, printed into `out_dir`; `overflows` is filled in by the printing."""

    lang: str
    out_dir: Path
    site_url: str | None  # the edition's public address including its prefix ("https://…/en/"); None: paths, no QR codes
    overflows: list[Overflow] = field(default_factory=list)


def render_handout_sets(root: Path, guide: Guide, sets: list[HandoutSet], *, today: date, staff: PrivateOverlay | None = None) -> list[Path]:
    """Write every public handout of each set into its out_dir, all languages printed together; return the files written.

    With `staff` (the private overlay), each language's staff sheet is also written, to
    staff_sheet_path(root, lang) (never into out_dir), after that language's public sheets.
    Sheets whose inputs did not change are copied from build/handouts-cache/<lang>/ (never the
    staff sheet).  A sheet that promises one page but takes more is added to its set's `overflows`.
    Raises HandoutError (font missing, character not in the font).
    """
    guard = FontGuard()
    batches = []
    for one in sets:
        handouts = _Handouts(root, guide, one.lang, today=today, site_url=one.site_url)
        jobs = [(sheet, Path(one.out_dir) / sheet.filename) for sheet in handouts.sheets()]
        if staff is not None:
            target = staff_sheet_path(root, one.lang)
            _refuse_public(root, target)
            jobs.append((handouts.agency_list(staff), target))
        batches.append(_Batch(handouts, jobs, _Cache(root / CACHE_DIR / one.lang, guard, lambda sheet, h=handouts: h.html(sheet, 0))))
    _print_batches(batches, guard, staff)
    for one, batch in zip(sets, batches):
        one.overflows += [Overflow(sheet.filename, sheet.pages) for sheet, _ in batch.jobs if sheet.one_page and sheet.pages > 1]
    return [target for batch in batches for _, target in batch.jobs]


def render_handouts(
    root: Path,
    guide: Guide,
    lang: str,
    out_dir: Path,
    *,
    today: date,
    site_url: str | None,
    staff: PrivateOverlay | None = None,
    overflows: list[Overflow] | None = None,
) -> list[Path]:
    """Write every public handout of the `lang` edition into out_dir (see render_handout_sets); the
    staff sheet, with `staff`, is the last path returned."""
    one = HandoutSet(lang, Path(out_dir), site_url)
    written = render_handout_sets(root, guide, [one], today=today, staff=staff)
    if overflows is not None:
        overflows += one.overflows
    return written


def _refuse_public(root: Path, target: Path) -> None:
    public = (root / PUBLIC_DIR).resolve()
    if target.resolve().is_relative_to(public):
        raise HandoutError(
            "handouts: the staff sheet contains extensions and staff names and may not be written under {public} (published): {target}",
            public=public, target=target,
        )


# --- command line: `guide handouts` -------------------------------------------------


def register(sub, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add `guide handouts` to the subcommands of the `guide` parser."""
    handouts = sub.add_parser("handouts", parents=[common], help="print the A4 PDF handouts of every language edition")
    handouts.add_argument("--out", type=Path, default=None, help="folder for the PDFs (default: build/handouts; English in en/)")
    handouts.add_argument("--site-url", default=None, help="public address for the printed URLs and QR codes (default: url in data/site.yaml)")
    handouts.add_argument(
        "--staff", action="store_true", help="also print the staff-only agency list with 内線 and 担当者名 into staff/<lang>/ (never published)"
    )
    handouts.set_defaults(func=cmd_handouts)
    return handouts


def cmd_handouts(args: argparse.Namespace) -> int:
    from .load import city_today, load_guide  # noqa: PLC0415
    from .messages import format_problem, word  # noqa: PLC0415

    lang = getattr(args, "lang", "ja")
    w = words(lang)
    today = args.today or city_today(args.root)
    loaded = load_guide(args.root, today=today, with_private=args.staff)
    if loaded.guide is None:
        for problem in loaded.problems:
            print(format_problem(problem, lang), file=sys.stderr)
        print(w("The data has errors: no handouts were printed."), file=sys.stderr)
        return 1
    guide = loaded.guide
    if args.staff and loaded.private is None:
        print(w("No data/private.yaml: cannot print the staff sheet."), file=sys.stderr)
        return 1
    if args.site_url:
        os.environ[SITE_URL_VARIABLE] = args.site_url
    if not public_url(guide):
        print(
            w("warning: data/site.yaml has no url: the handouts print page paths and no QR codes."),
            file=sys.stderr,
        )
    out = args.out or args.root / DEFAULT_OUT
    started = time.perf_counter()
    written: list[Path] = []
    editions = Edition.all_for(guide)
    sets = [HandoutSet(edition.lang, out / edition.prefix, edition.url(guide)) for edition in editions]
    try:
        written += render_handout_sets(args.root, guide, sets, today=today, staff=loaded.private if args.staff else None)
        for one in sets:
            for overflow in one.overflows:
                print(f"{one.out_dir / overflow.filename}: {word('handout_overflow', lang, pages=overflow.pages)}", file=sys.stderr)
    except HandoutError as err:
        print(err.in_language(lang), file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    staff = [p for p in written if args.staff and p.resolve() == staff_sheet_path(args.root, p.parent.name).resolve()]
    print(
        w("printed {n} handouts into {out} ({seconds:.1f} s)", n=len(written) - len(staff), out=out, seconds=seconds),
        file=sys.stderr,
    )
    for path in staff:
        print(w("staff only (never publish): {path}", path=path), file=sys.stderr)
    return 0

