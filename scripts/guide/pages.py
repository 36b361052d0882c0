"""Generate the Markdown pages of one language edition from the model (a standalone step: no MkDocs hooks).

Each page is a Markdown file with front matter and an HTML body rendered by
Jinja2, so MkDocs (or Zensical) only has to wrap it in the theme.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from .i18n import Texts
from .model import WEEKDAYS, Agency, Branch, Guide, Hours, Program, time_range_minutes
from .phones import tel_uri

TEMPLATES = Path(__file__).parent / "templates"
WEEKDAY_IDS = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}


def url_for(kind: str, *ids: str) -> str:
    """The one URL scheme.  These paths are printed on QR codes: never change them."""
    paths = {
        "home": "",
        "finder": "finder/",
        "categories": "categories/",
        "category": "categories/{}/",
        "agencies": "agencies/",
        "agency": "agencies/{}/",
        "branch": "agencies/{}/{}/",
        "programs": "programs/",
        "program": "programs/{}/",
        "areas": "areas/",
        "area": "areas/{}/",
        "about": "about/",
        "handout": "handouts/{}",
        "opendata": "opendata/",
    }
    return paths[kind].format(*ids)


def handout_file(kind: str, record_id: str | None = None, *, large: bool = False) -> str:
    """A printed handout's file name: agency-list.pdf, category-<id>.pdf, area-<id>-large.pdf …"""
    stem = kind if record_id is None else f"{kind}-{record_id}"
    return f"{stem}{'-large' if large else ''}.pdf"


@dataclass(frozen=True)
class Page:
    path: str  # site-relative URL, e.g. "agencies/hoken-center/"
    template: str
    context: dict

    @property
    def source_file(self) -> str:
        return f"{self.path}index.md"


def plan_pages(guide: Guide) -> Iterator[Page]:
    """Every generated page of an edition: listings, then one page per record."""
    yield Page(url_for("home"), "home.md.j2", {})
    yield Page(url_for("finder"), "finder.md.j2", {})
    yield Page(url_for("categories"), "categories.md.j2", {})
    yield Page(url_for("agencies"), "agencies.md.j2", {})
    yield Page(url_for("programs"), "programs.md.j2", {})
    yield Page(url_for("areas"), "areas.md.j2", {})
    yield Page(url_for("opendata"), "opendata.md.j2", {})
    for category in guide.taxonomy.categories:
        yield Page(url_for("category", category.id), "category.md.j2", {"category": category})
    for area in guide.areas.areas:
        yield Page(url_for("area", area.id), "area.md.j2", {"area": area})
    for agency in guide.agencies:
        yield Page(url_for("agency", agency.id), "agency.md.j2", {"agency": agency, "branch": None})
        for branch in agency.branches:
            yield Page(url_for("branch", agency.id, branch.id), "agency.md.j2", {"agency": agency, "branch": branch})
    for program in guide.programs:
        yield Page(url_for("program", program.id), "program.md.j2", {"program": program})


def template_environment(translations) -> Environment:
    """The Jinja2 environment of every page: escaping on, undefined names are errors, gettext from `translations`."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations, newstyle=True)
    env.tests["contains"] = lambda sequence, item: item in sequence
    return env


class Renderer:
    """Everything templates need to present the model in one language."""

    def __init__(self, guide: Guide, lang: str, translations, today: date):
        self.guide, self.lang, self.today = guide, lang, today
        self.catalog = translations
        self.texts = Texts(guide.site, lang, self.gettext)
        self.areas = {a.id: a for a in guide.areas.areas}
        self.categories = {c.id: c for c in guide.taxonomy.categories}
        self.agencies = {a.id: a for a in guide.agencies}
        self.env = template_environment(translations)
        self.env.globals.update(
            guide=guide,
            lang=lang,
            t=self.texts.html,
            plain=self.texts.plain,
            today=today,
            url_for=url_for,
            handout_file=handout_file,
            phone_link=self.phone_link,
            address_text=self.address_text,
            map_url=self.map_url,
            hours_rows=self.hours_rows,
            hours_json=self.hours_json,
            agencies_in=self.agencies_in,
            programs_for=self.programs_for,
            sessions=self.sessions,
            recurrence_text=self.recurrence_text,
            branch_title=self.branch_title,
            format_date=self.format_date,
            area_name=lambda area_id: self.texts.html(self.areas[area_id].name),
            category_name=lambda cid: self.texts.html(self.categories[cid].name),
            agency_of=self.agencies.get,
            sorted_by_kana=lambda agencies: sorted(agencies, key=lambda a: a.kana),
            source_title=lambda doc_id: self.texts.html(next(s.title for s in guide.sources.sources if s.id == doc_id)),
        )
        self.env.globals.update(open_data_globals(guide, lang, translations, today))

    # --- rendering

    def render(self, page: Page) -> str:
        depth = page.path.count("/")
        prefix = "../" * depth

        def rel(url: str) -> str:
            return prefix + url if prefix + url else "./"

        template = self.env.get_template(f"pages/{page.template}")
        body = template.render(page=page, rel=rel, **page.context)
        # Blank lines would end Markdown's raw-HTML block: keep the body one block.
        return "\n".join(line for line in body.splitlines() if line.strip()) + "\n"

    # --- presentation helpers

    def gettext(self, msgid: str, **params) -> str:
        """A UI string from the catalog, with %(name)s parameters filled in."""
        text = self.catalog.gettext(msgid)
        return text % params if params else text

    def format_date(self, day: date, with_weekday: bool = False) -> str:
        from babel.dates import format_date  # noqa: PLC0415

        pattern = self.gettext("d MMM yyyy") if not with_weekday else self.gettext("EEE d MMM yyyy")
        return format_date(day, pattern, locale=self.lang.replace("-", "_") if self.lang != "ja" else "ja")

    def phone_link(self, phone) -> Markup:
        return Markup('<a class="phone" href="{}">{}</a>').format(tel_uri(phone.number, "JP"), phone.number)

    def address_text(self, address) -> str:
        """The postal address in the edition's order: Japanese big-to-small, others small-to-big."""
        city = self.texts.plain(self.guide.site.city.name)
        prefecture = self.texts.plain(self.guide.site.city.prefecture)
        ward = self.texts.plain(self.areas[address.ward].name) if address.ward in self.areas else ""
        street, building = self.texts.plain(address.street), self.texts.plain(address.building)
        postal = address.postal_code or ""
        if self.lang == "ja":
            return " ".join(p for p in (f"〒{postal}" if postal else "", f"{prefecture}{city}{ward}{street}", building) if p)
        parts = [building, street, ward, city, prefecture]
        return ", ".join(p for p in parts if p) + (f" {postal}" if postal else "")

    def map_url(self, address) -> str:
        # A link to OpenStreetMap: no embedded third-party map, no request until the resident taps it.
        query = "".join(
            p
            for p in (
                self.guide.site.city.prefecture.get("ja"),
                self.guide.site.city.name.get("ja"),
                self.areas[address.ward].name.get("ja") if address.ward in self.areas else "",
                address.street.get("ja"),
            )
            if p
        )
        return "https://www.openstreetmap.org/search?query=" + urllib.parse.quote(query)

    def hours_rows(self, hours: Hours | None) -> list[tuple[str, str]]:
        """One row per weekday, then holiday rules: what the hours table shows."""
        if hours is None or hours.status != "published":
            return []
        rows = []
        for day in WEEKDAYS:
            times = [t for rule in hours.weekly if day in rule.days for t in rule.times]
            label = self.gettext(WEEKDAY_IDS[day])
            rows.append((label, ", ".join(clock_range(t) for t in sorted(times)) if times else self.gettext("Closed")))
        if hours.closed_on_public_holidays:
            rows.append((self.gettext("Public holidays"), self.gettext("Closed")))
        if hours.closed_year_end and self.guide.site.city.year_end_closure:
            closure = self.guide.site.city.year_end_closure
            (m1, d1), (m2, d2) = closure.start.month_day, closure.end.month_day
            rows.append((self.gettext("Year-end holidays (%(start)s–%(end)s)", start=f"{m1}/{d1}", end=f"{m2}/{d2}"), self.gettext("Closed")))
        return rows

    def hours_json(self, hours: Hours | None) -> str:
        return json.dumps(hours.model_dump(mode="json", exclude_defaults=True) if hours else {"status": "not_published"}, ensure_ascii=False, separators=(",", ":"))

    def agencies_in(self, category_id: str) -> list[tuple[Agency, list]]:
        """Agencies with a service in the category, ★ hub first, then by reading."""
        found = []
        for agency in self.guide.agencies:
            services = [s for s in agency.services if category_id in s.categories]
            if services:
                found.append((agency, services))
        hub = self.categories[category_id].hub
        return sorted(found, key=lambda pair: (pair[0].id != hub, not any(s.hub for s in pair[1]), pair[0].kana))

    def programs_for(self, *, agency: str | None = None, area: str | None = None, kind: str | None = None) -> list[Program]:
        result = []
        for program in self.guide.programs:
            if agency and agency not in (program.organiser, program.contact):
                continue
            if area and area not in program.areas and self.areas[area].parent not in program.areas:
                continue
            if kind and program.kind != kind:
                continue
            result.append(program)
        return result

    def sessions(self, program: Program) -> tuple[list, list]:
        """(upcoming, past) sessions; past ones stay on the page, marked as past."""
        upcoming = [s for s in program.schedule.sessions if s.date >= self.today]
        past = [s for s in program.schedule.sessions if s.date < self.today]
        return sorted(upcoming, key=lambda s: s.date), sorted(past, key=lambda s: s.date, reverse=True)

    def recurrence_text(self, rule) -> str:
        """E.g. "Every week on Tue", "Every month: #2 Tue", "2 times a year", in the edition's words."""
        days = self.gettext(", ").join(self.gettext(WEEKDAY_IDS[d]) for d in rule.days)
        times = " " + ", ".join(clock_range(t) for t in rule.times) if rule.times else ""
        if rule.frequency == "weekly":
            text = self.gettext("Every week on %(days)s", days=days) if days else self.gettext("Every week")
        elif rule.frequency == "monthly":
            nth = self.gettext(", ").join(self.gettext("#%(n)s", n=n) for n in rule.nth)
            text = self.gettext("Every month: %(nth)s %(days)s", nth=nth, days=days)
        else:
            text = self.catalog.ngettext("Once a year", "%(count)s times a year", rule.times_per_year) % {
                "count": rule.times_per_year
            }
        return text + times

    def branch_title(self, agency: Agency, branch: Branch, html: bool = True) -> Markup | str:
        """A branch's official name, or "agency (area)" when the documents give none."""
        pick = self.texts.html if html else self.texts.plain
        if branch.name:
            return pick(branch.name)
        if html:
            return Markup("{} ({})").format(pick(agency.name), pick(self.areas[branch.area].name))
        return f"{pick(agency.name)} ({pick(self.areas[branch.area].name)})"


def open_data_globals(guide: Guide, lang: str, translations, today: date) -> dict:
    """What the オープンデータ page and the pages' JSON-LD and calendar links need from the exports."""
    from . import exports  # noqa: PLC0415 - the exports use url_for: imported once this module is complete
    from .editions import Edition  # noqa: PLC0415
    from .exports.calendar_feed import has_feed  # noqa: PLC0415
    from .exports.common import Language  # noqa: PLC0415
    from .exports.jsonld import StructuredData  # noqa: PLC0415

    base = Edition.of(guide, lang).url(guide)
    data = StructuredData(guide, Language(guide, lang, translations), today, lambda path: base + path if base else None)
    return {
        "structured_data": data.for_page,
        "has_feed": lambda program: has_feed(program, today),
        "calendar_href": exports.calendar_href,
        "open_data_files": exports.CATALOGUE,
    }


def clock_range(time_range: str) -> str:
    """"08:30-17:15" as people read it: 8:30–17:15."""
    start, end = time_range_minutes(time_range)
    return f"{start // 60}:{start % 60:02d}–{end // 60}:{end % 60:02d}"
