"""Which sheets an edition has, and each sheet's HTML at a level of detail (the presenter's words, on paper)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from markupsafe import Markup

from ..fontguard import FAMILY
from ..editions import Edition
from ..i18n import translations
from ..model import Agency, Guide, Hours, Phone, PrivateOverlay, Service, StaffContact
from ..present import Presenter
from ..templating import install_components, template_environment
from ..queries import PROGRAMS_PART, agency_list_parts, area_handout_parts
from ..urls import handout_file, part_id, url_for

STAFF_SHEET = "agency-list-staff.pdf"
# Where a sheet's QR code goes.  Drawing one costs more than the rest of the HTML, so the code is
# made only for a sheet that is laid out for printing (_Handouts.printable): the cache key, the
# font check and the measuring layouts (the code's box has a fixed size) do without it.
QR_MARK = Markup("<!-- qr -->")

# Detail levels, most detailed first, each shorter than the one before: a sheet takes the
# first level that fits on one page.  A concern's sheet first leaves out the other agencies'
# addresses, then their services and hours from the last one up (`full`: how many keep them),
# then, as the last resort, lists fewer of them with a note saying how many more the web page
# has (`limit`).  Only then does the hub agency lose its list of services.  Its level is not
# found by trial layouts but computed from the measured heights of its entries (fitting.Fitting.fit).


class EntryLevels(list):
    """The levels of a sheet over `count` entries (category_levels): fitting computes which one fits."""

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


# An area's sheet leaves out first the counters named as the way on from a place without a number
# (`ways`: three such places in a narrow column took three pages; the concern's sheet and web page
# name them), then services, addresses and hours.
AREA_LEVELS = [
    {"office_services": True, "located_services": True, "located_address": True, "located_hours": True, "ways": True},
    {"office_services": True, "located_services": True, "located_address": True, "located_hours": True, "ways": False},
    {"office_services": True, "located_services": False, "located_address": True, "located_hours": True, "ways": False},
    {"office_services": True, "located_services": False, "located_address": False, "located_hours": True, "ways": False},
    {"office_services": False, "located_services": False, "located_address": False, "located_hours": True, "ways": False},
    {"office_services": False, "located_services": False, "located_address": False, "located_hours": False, "ways": False},
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


# --- presenting the model on paper -------------------------------------------------


class _Handouts:
    """The sheets of one edition: the presenter's helpers plus what paper needs (QR codes, what fits)."""

    def __init__(self, root: Path, guide: Guide, lang: str, *, today: date, site_url: str | None):
        self.guide, self.lang, self.today = guide, lang, today
        catalog = translations(root, lang)
        self.present = Presenter(guide, lang, catalog, today, site_url=site_url, prefix=Edition.of(guide, lang).prefix)
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
            rel=self.present.address_of,  # a link within the site, on paper: its printed address
            qr=lambda url: QR_MARK if self.present.scannable(url) else None,  # drawn in by printable()
            audience_name=lambda aid: self.present.texts.html(next(a.name for a in guide.taxonomy.audiences if a.id == aid)),
        )
        install_components(self.env)

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
        """An area's sheet (normal and large print) or, when it is printed in parts (queries.area_handout_parts), the
        contents and its parts: per concern, a one-page sheet like the concern's of the places for this area
        (measured like it: "n more places: see the web page"), and its programs, as long as they need."""
        t = self.present.texts.plain
        context = self.area_context(area)
        offices, located, programs = context["offices"], context["located"], context["programs"]
        sheet = {"template": "area.html", "kind": self.gettext("Where to consult: by area"), "path": url_for("area", area.id)}
        split = area_handout_parts(self.guide, offices, [agency for agency, _ in located], programs)
        if not split:
            records = [a for a, _ in offices] + [a for a, _ in located] + programs
            return normal_and_large("area", area.id, title=t(area.name), context=context, verified=records, levels=AREA_LEVELS, **sheet)
        parts: list[tuple[str, list[Sheet]]] = []
        for category in (c for c in self.guide.taxonomy.categories if c.id in split):
            entries = [(a, [s for s in a.services if category.id in s.categories], b) for a, b in offices]
            entries += [(a, [s for s in services if category.id in s.categories], None) for a, services in located]
            entries = [entry for entry in entries if entry[1]]
            # the concern's one-page sheet, of the places for this area only
            hub_entries, others = self.category_entries(category, entries)
            part = {"category": category, "hub_entries": hub_entries, "others": others, "area": area}
            parts.append((t(category.name), normal_and_large(
                "area", part_id(area.id, category.id), template="category.html",
                title=self.gettext("%(whole)s: %(part)s", whole=t(area.name), part=t(category.name)), kind=sheet["kind"], path=sheet["path"],
                context=part, verified=[a for a, _, _ in entries], levels=category_levels(len(others)), one_page=True,
            )))
        if PROGRAMS_PART in split:
            part = {**context, "offices": [], "located": [], "part": True}
            parts.append((self.gettext("Programs"), normal_and_large(
                "area", part_id(area.id, PROGRAMS_PART), title=self.gettext("%(whole)s: %(part)s", whole=t(area.name), part=self.gettext("Programs")),
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
        """The list of all agencies, or, when it is printed in parts (queries.agency_list_parts), its contents and one list per concern."""
        split = agency_list_parts(self.guide)
        if not split:
            return [self.agency_list()]
        table = self.table()
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
            if category.id in split
        ]
        return self.contents(handout_file("agency-list"), self.gettext("All agencies"), sheet, parts, large=False)

    # printing

    def html(self, sheet: Sheet, index: int, *, paged: bool = False, made: str | None = None) -> str:
        """The sheet's HTML at level `index`, made once (`made`: made elsewhere, by a worker)."""
        paged = paged or sheet.flowing  # a flowing sheet has one HTML: for its cache key and for printing
        key = (sheet.filename, index, paged)
        if key not in self._html:
            self._html[key] = made if made is not None else self.make_html(sheet, sheet.levels[index], paged=paged)
        return self._html[key]

    def make_html(self, sheet: Sheet, level: dict, *, paged: bool = False) -> str:
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

    def printable(self, sheet: Sheet, html: str) -> str:
        """The sheet's HTML with its QR code drawn in."""
        return html.replace(QR_MARK, self.present.qr(self.present.address_of(sheet.path)) or "", 1)


class _StaffIndex:
    """内線 and 担当者名 by (agency, service); an entry without a service applies to every service of its agency."""

    def __init__(self, private: PrivateOverlay):
        self.by_service = {(c.agency, c.service): c for c in private.contacts if c.service}
        self.by_agency = {c.agency: c for c in private.contacts if not c.service}

    def find(self, agency: str, service: str) -> StaffContact | None:
        return self.by_service.get((agency, service)) or self.by_agency.get(agency)

