"""Printable A4 handouts (PDF) of one language edition, and the staff-only agency list.

    agency-list.pdf              every agency by concern, hubs first, phone, address, hours
    category-<id>.pdf            one concern on exactly one page, with a QR code to its web page
    category-<id>-large.pdf      the same in large print (body text ≥ 18 pt), still one page
    area-<id>.pdf, -large.pdf    one smallest area: the offices and agencies that serve it
    program-<id>.pdf             one flyer per program
    staff/<lang>/agency-list-staff.pdf   (only on request) the list with 内線 and 担当者名

Pages are HTML (Jinja2 templates in templates/handouts/, the web pages' presentation
helpers from present.Presenter) printed by WeasyPrint with the BIZ UD font through
fontconfig.  Everything printed is checked against the font first (fontguard), so a
missing font or character is an error, never a sheet of empty boxes.  One
WeasyPrint FontConfiguration and one parsed stylesheet serve every PDF of the process.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from markupsafe import Markup

from .editions import SITE_URL_VARIABLE, Edition, public_url
from .fontguard import FAMILY, FontGuard, HandoutError
from .i18n import default_language, translations, words
from .model import Agency, Guide, Hours, Phone, PrivateOverlay, Service, StaffContact
from .pages import TEMPLATES, handout_file, template_environment, url_for
from .present import Presenter

__all__ = ["HandoutError", "cmd_handouts", "register", "render_handouts", "staff_sheet_path"]

HANDOUT_TEMPLATES = TEMPLATES / "handouts"
STYLESHEET = HANDOUT_TEMPLATES / "handouts.css"
DEFAULT_OUT = Path("build") / "handouts"
STAFF_DIR = "staff"
STAFF_SHEET = "agency-list-staff.pdf"
PUBLIC_DIR = "site"  # the staff sheet may never be written under it

# Detail levels, most detailed first, each shorter than the one before: a sheet takes the
# first level that fits on one page (found by bisection).  A concern's sheet first leaves out
# the other agencies' addresses, then their services and hours from the last one up (`full`:
# how many keep them), then, as the last resort, lists fewer of them with a note saying how many
# more the web page has (`limit`).  Only then does the hub agency lose its list of services.


def category_levels(count: int) -> list[dict]:
    hub = {"hub_services": True}
    levels = [{"address": True, "full": count, "limit": None, **hub}]
    levels += [{"address": False, "full": full, "limit": None, **hub} for full in range(count, -1, -1)]
    levels += [{"address": False, "full": 0, "limit": limit, **hub} for limit in range(count - 1, -1, -1)]
    levels.append({"address": False, "full": 0, "limit": 0, "hub_services": False})
    return levels


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
    path: str  # the web page's path (pages.url_for), printed and encoded in the QR code
    context: dict
    verified: list  # records whose last_verified the sheet shows (the oldest)
    levels: list[dict] = field(default_factory=lambda: FULL)
    one_page: bool = False  # must fit on one page: an error when even the last level does not
    large: bool = False
    smaller: Sheet | None = None  # the normal-print sheet of a large-print one: it needs at least as little detail
    chosen: int | None = None  # the level it was printed at


def normal_and_large(handout: str, record_id: str, **sheet) -> list[Sheet]:
    """A sheet in normal print and its large-print twin, which may never show more detail."""
    normal = Sheet(handout_file(handout, record_id), **sheet)
    return [normal, Sheet(handout_file(handout, record_id, large=True), **sheet, large=True, smaller=normal)]


# --- the printing press: one per process -----------------------------------------


class _Press:
    """WeasyPrint with one FontConfiguration and one parsed stylesheet, shared by every PDF of the process."""

    _shared: _Press | None = None

    def __init__(self):
        from weasyprint import CSS, HTML  # noqa: PLC0415 - slow import, only when printing
        from weasyprint.text.fonts import FontConfiguration  # noqa: PLC0415
        from weasyprint.urls import URLFetcher  # noqa: PLC0415

        self._html = HTML
        self.no_network = URLFetcher(allowed_protocols={"data"})  # a handout loads nothing from anywhere
        self.font_config = FontConfiguration()
        self.stylesheet_mtime = STYLESHEET.stat().st_mtime
        self.stylesheet = CSS(filename=str(STYLESHEET), font_config=self.font_config)

    @classmethod
    def shared(cls) -> _Press:
        if cls._shared is None or cls._shared.stylesheet_mtime != STYLESHEET.stat().st_mtime:
            cls._shared = cls()
        return cls._shared

    def layout(self, html: str, name: str, guard: FontGuard):
        with guard.watching(name):
            return self._html(string=html, base_url=str(HANDOUT_TEMPLATES) + "/", url_fetcher=self.no_network).render(
                font_config=self.font_config, stylesheets=[self.stylesheet]
            )

    def write(self, document, target: Path, name: str, guard: FontGuard) -> None:
        with guard.watching(name):  # missing glyphs are only noticed while drawing
            pdf = document.write_pdf(pdf_tags=True)  # tagged: screen readers get the reading order
        guard.check_embedded(document, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        partial.write_bytes(pdf)
        partial.replace(target)


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
            hours_lines=self.present.hours_lines,
            phones_of=self.phones_of,
            hours_of=self.hours_of,
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
        result = [self.agency_list()]
        for category in g.taxonomy.categories:
            hub_entries, others = self.category_entries(category)
            agencies = [a for a, _ in hub_entries + others]
            result += normal_and_large(
                "category",
                category.id,
                template="category.html",
                title=t(category.name),
                kind=self.gettext("Where to consult: by concern"),
                path=url_for("category", category.id),
                context={"category": category, "hub_entries": hub_entries, "others": others},
                verified=agencies,
                levels=category_levels(len(others)),
                one_page=True,
            )
        for area in g.areas.leaves():
            context = self.area_context(area)
            records = [a for a, _ in context["offices"]] + [a for a, _ in context["located"]] + context["programs"]
            result += normal_and_large(
                "area",
                area.id,
                template="area.html",
                title=t(area.name),
                kind=self.gettext("Where to consult: by area"),
                path=url_for("area", area.id),
                context=context,
                verified=records,
                levels=AREA_LEVELS,
            )
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
                )
            )
        return result

    def category_entries(self, category) -> tuple[list, list]:
        """The hub agency, and the others as on the web page but those with a phone number first:
        when a sheet must list fewer of them, the ones a resident can call stay."""
        entries = self.present.agencies_in(category.id)
        hub = [(a, s) for a, s in entries if category.hub and a.id == category.hub]
        others = [(a, s) for a, s in entries if not (category.hub and a.id == category.hub)]
        return hub, sorted(others, key=lambda pair: not self.phones_of(*pair))

    def area_context(self, area) -> dict:
        ids = self.guide.areas.descendants(area.id)
        ancestors = self.guide.areas.ancestors(area.id)
        by_kana = sorted(self.guide.agencies, key=lambda a: a.reading)
        offices = [(agency, branch) for agency in by_kana for branch in agency.branches if branch.area in ids]
        with_office = {agency.id for agency, _ in offices}
        located = [
            (agency, list(agency.services))
            for agency in by_kana
            if agency.id not in with_office
            and ((agency.address and agency.address.ward in [*ids, *(a.id for a in ancestors)]) or area.id in agency.areas_served)
        ]
        return {
            "area": area,
            "ancestors": ancestors,
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
        )

    # printing

    def html(self, sheet: Sheet, index: int) -> str:
        key = (sheet.filename, index)
        if key not in self._html:
            self._html[key] = self._make_html(sheet, sheet.levels[index])
        return self._html[key]

    def _make_html(self, sheet: Sheet, level: dict) -> str:
        url = self.present.address_of(sheet.path)
        info = {
            "title": sheet.title,
            "kind": sheet.kind,
            "url": url,
            "qr": self.present.qr(url),
            "generated": self.today,
            "verified": min(r.last_verified for r in sheet.verified) if sheet.verified else self.today,
            "several": len(sheet.verified) > 1,
        }
        template = self.env.get_template(f"handouts/{sheet.template}")
        context = {"sheet_class": "", **sheet.context}
        if level.get("compact"):
            context["sheet_class"] += " compact"
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

    def print_all(self, sheets: list[tuple[Sheet, Path]], guard: FontGuard, staff: PrivateOverlay | None = None) -> list[Path]:
        # (b) first, for every sheet at once: one error lists every character that cannot be printed.
        guard.check_documents(((sheet.filename, self.html(sheet, 0)) for sheet, _ in sheets), self.records(staff))
        press = _Press.shared()
        written = []
        for sheet, target in sheets:
            document = self.fit(sheet, press, guard)
            press.write(document, target, sheet.filename, guard)
            written.append(target)
        return written

    def fit(self, sheet: Sheet, press: _Press, guard: FontGuard):
        """The most detailed level that fits on one page.

        Levels only get shorter, so the first one that fits is found by bisection: a handful of
        layouts even for a concern with many agencies.  A sheet that may take several pages and
        does not fit on one even with the least detail takes the level with the fewest pages."""
        tried: dict[int, object] = {}

        def pages(index: int) -> int:
            if index not in tried:
                html = self.html(sheet, index)
                if index:
                    guard.check_documents([(sheet.filename, html)], self.records())
                tried[index] = press.layout(html, sheet.filename, guard)
            return len(tried[index].pages)

        last = len(sheet.levels) - 1
        # Large print needs at least the level its normal-print sheet needed (everything is bigger).
        low = sheet.smaller.chosen if sheet.smaller and sheet.smaller.chosen else 0
        if low == 0:
            if pages(0) == 1:
                sheet.chosen = 0
                return tried[0]
            low = 1
        if pages(last) > 1:
            if not sheet.one_page:  # several pages anyway: the fewest, with the most detail among equals
                pages(0)
                sheet.chosen = min(tried, key=lambda i: (pages(i), i))
                return tried[sheet.chosen]
            raise HandoutError(
                "handouts: {file} does not fit on one A4 page even with the least detail ({pages} pages). "
                "Shorten the texts it prints or the sizes in templates/handouts/handouts.css.",
                file=sheet.filename, pages=pages(last),
            )
        high = last  # pages(low - 1) > 1 and pages(high) == 1
        while low < high:
            middle = (low + high) // 2
            if pages(middle) == 1:
                high = middle
            else:
                low = middle + 1
        sheet.chosen = high
        return tried[high]


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


def render_handouts(
    root: Path,
    guide: Guide,
    lang: str,
    out_dir: Path,
    *,
    today: date,
    site_url: str | None,
    staff: PrivateOverlay | None = None,
) -> list[Path]:
    """Write every public handout of the `lang` edition into out_dir; return the files written.

    site_url is the edition's public address including its prefix ("https://…/en/"); None prints
    page paths and no QR codes.  With `staff` (the private overlay), the staff sheet is also
    written, to staff_sheet_path(root, lang) (never into out_dir), and is the last path returned.
    Raises HandoutError (font missing, character not in the font, sheet does not fit).
    """
    guard = FontGuard()
    handouts = _Handouts(root, guide, lang, today=today, site_url=site_url)
    out_dir = Path(out_dir)
    jobs = [(sheet, out_dir / sheet.filename) for sheet in handouts.sheets()]
    if staff is not None:
        target = staff_sheet_path(root, lang)
        _refuse_public(root, target)
        jobs.append((handouts.agency_list(staff), target))
    return handouts.print_all(jobs, guard, staff)


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
    from .messages import format_problem  # noqa: PLC0415

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
    try:
        for edition in Edition.all_for(guide):
            written += render_handouts(
                args.root, guide, edition.lang, out / edition.prefix, today=today, site_url=edition.url(guide),
                staff=loaded.private if args.staff else None,
            )
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

