"""The one presenter: how the model is shown in one language, for every output.

Pages, handouts, `guide diff` and `guide report` all word a record's facts here: a data
text in the reader's language with its fallback marker, dates, weekday ranges (月〜金),
hours in one line or as a table, addresses, phone numbers and links, repeating schedules.
Words come from the gettext catalogs (i18n); no output reaches into another.
"""

from __future__ import annotations

import json
import urllib.parse
from datetime import date

from markupsafe import Markup, escape

from .i18n import Texts, Words
from .model import WEEKDAYS, Agency, Branch, Guide, Hours, Program, time_range_minutes
from .phones import tel_uri, voice_phones
from .queries import WaysOn

# Weekday ids of the data -> English message ids of their names.
WEEKDAY_IDS = {"mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat", "sun": "Sun"}


def clock_range(time_range: str) -> str:
    """"08:30-17:15" as people read it: 8:30–17:15."""
    start, end = time_range_minutes(time_range)
    return f"{start // 60}:{start % 60:02d}–{end // 60}:{end % 60:02d}"


def weekday_runs(days: list[str]) -> list[list[str]]:
    """Weekday ids in week order, in runs of consecutive days: [mon, tue, wed], [fri]."""
    runs: list[list[str]] = []
    for day in (d for d in WEEKDAYS if d in days):
        if runs and WEEKDAYS.index(day) == WEEKDAYS.index(runs[-1][-1]) + 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


QR_BORDER = 4  # modules of quiet zone, as the QR standard asks
# The language whose addresses are written big to small, as a Japanese document writes them (〒, prefecture … building).
JAPANESE = "ja"


class Presenter:
    """The model as one language edition shows it: words, texts, dates, hours, addresses, phones,
    and the shared queries (agencies of a concern, programs of an area) the pages and handouts list."""

    def __init__(self, guide: Guide, lang: str, translations, today: date, *, site_url: str | None = None, prefix: str = ""):
        self.guide, self.lang, self.today = guide, lang, today
        self.site_url, self.prefix = site_url, prefix  # the edition's public address (if known) and its folder
        self._qr: dict[str, Markup] = {}
        self._tel: dict[str, Markup] = {}  # a number's link
        self._dates: dict[tuple[date, bool], str] = {}
        self._hours: dict[int, list[Markup]] = {}  # id(hours) -> hours_lines: a counter is on many sheets and pages
        self.catalog = translations
        self.words = Words(lang, translations)
        self.texts = Texts(guide.site, lang, self.gettext)
        self.areas = {a.id: a for a in guide.areas.areas}
        self.categories = {c.id: c for c in guide.taxonomy.categories}
        self.agencies = {a.id: a for a in guide.agencies}
        self._by_reading = sorted(guide.agencies, key=lambda a: a.reading)
        # The shared queries' indexes, made once: a page asks about one record, not about all of them.
        self.way_on = WaysOn(guide)  # the way on from each counter (queries); a counter without a number is on many pages
        self._services_in: dict[str, list[tuple[Agency, list]]] = {}  # category id -> agencies with services in it
        for agency in guide.agencies:
            for category_id in dict.fromkeys(c for s in agency.services for c in s.categories):
                services = [s for s in agency.services if category_id in s.categories]
                self._services_in.setdefault(category_id, []).append((agency, services))
        self._programs_of: dict[str, dict[str, list[int]]] = {"agency": {}, "area": {}, "kind": {}}  # id -> positions
        for position, program in enumerate(guide.programs):
            for key, ids in (("agency", (program.organiser, program.contact)), ("area", program.areas), ("kind", (program.kind,))):
                for record_id in dict.fromkeys(i for i in ids if i):
                    self._programs_of[key].setdefault(record_id, []).append(position)

    def template_globals(self) -> dict:
        """The names templates call (pages and handouts alike)."""
        return dict(
            guide=self.guide,
            lang=self.lang,
            t=self.texts.html,
            plain=self.texts.plain,
            today=self.today,
            phone_link=self.phone_link,
            address_of=self.address_of,
            qr=self.qr,
            voice_phones=voice_phones,
            way_on=self.way_on,
            address_text=self.address_text,
            language_names=self.language_names,
            map_url=self.map_url,
            hours_rows=self.hours_rows,
            hours_lines=self.hours_lines,
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
            sorted_by_kana=lambda agencies: sorted(agencies, key=lambda a: a.reading),
            source_title=lambda doc_id: self.texts.html(next(s.title for s in self.guide.sources.sources if s.id == doc_id)),
        )

    # --- words, texts, dates

    def gettext(self, msgid: str, **params) -> str:
        """A UI string from the catalog, with %(name)s parameters filled in."""
        text = self.catalog.gettext(msgid)
        return text % params if params else text

    def line(self, text) -> str:
        """A data text as one line of plain text in the reader's language ("" when there is none)."""
        return " ".join(self.texts.plain(text).split())

    def with_note(self, value: str, note) -> str:
        """"value (note)" when there is a note, in the reader's language."""
        return self.words("{value} ({note})", value=value, note=self.line(note)) if note else value

    def format_date(self, day: date, with_weekday: bool = False) -> str:
        from babel.dates import format_date  # noqa: PLC0415

        if (day, with_weekday) not in self._dates:  # the same few dates are on thousands of pages
            pattern = self.gettext("d MMM yyyy") if not with_weekday else self.gettext("EEE d MMM yyyy")
            self._dates[day, with_weekday] = format_date(day, pattern, locale=self.lang.replace("-", "_"))
        return self._dates[day, with_weekday]

    def weekdays(self, days: list[str], *, short: bool = False) -> list[str]:
        """Day names in week order, runs of three or more as one range: 月曜～金曜, Mon–Fri (short: 月〜金)."""

        def name(day: str) -> str:
            return self.words.of("short weekday", WEEKDAY_IDS[day]) if short else self.gettext(WEEKDAY_IDS[day])

        def span(first: str, last: str) -> str:
            if short:
                return self.words.of("short weekday", "{first}–{last}", first=first, last=last)
            return self.gettext("%(first)s–%(last)s", first=first, last=last)

        parts = []
        for run in weekday_runs(days):
            parts += [span(name(run[0]), name(run[-1]))] if len(run) >= 3 else [name(day) for day in run]
        return parts

    def short_days(self, days: list[str]) -> str:
        """Short day names in one run of text: 月〜金, 火・金."""
        return self.words(", ").join(self.weekdays(days, short=True))

    # --- contact facts

    def address_of(self, path: str) -> str:
        """A page's address as printed on paper: the full URL when the public address is known, else the path."""
        if self.site_url:
            return self.site_url.rstrip("/") + "/" + path
        return "/" + self.prefix + path

    @staticmethod
    def scannable(url: str) -> bool:
        """Whether an address gets a QR code: a full web address; a bare path would lead nowhere."""
        return url.startswith(("https://", "http://"))

    def qr(self, url: str) -> Markup | None:
        """The QR code of an address as inline SVG; None when it is not scannable."""
        if not self.scannable(url):
            return None
        import segno  # noqa: PLC0415 - only when printing with a known address

        if url not in self._qr:
            code = segno.make(url, error="m", micro=False)
            self._qr[url] = Markup(code.svg_inline(scale=1, border=QR_BORDER, omitsize=True, svgclass="qr-code", lineclass=None))
        return self._qr[url]

    def phone_link(self, phone) -> Markup:
        if phone.number not in self._tel:  # made once per number: pages show the same numbers many times
            tel = tel_uri(phone.number, self.guide.site.city.country)
            self._tel[phone.number] = Markup('<a class="phone" href="{}">{}</a>').format(tel, phone.number)
        return self._tel[phone.number]

    def language_names(self, codes: list[str]) -> str:
        """Counter languages named in the reader's language (英語, ベトナム語), from CLDR."""
        from babel import Locale  # noqa: PLC0415 - CLDR data loads on first use
        from babel.lists import format_list  # noqa: PLC0415

        reader = Locale.parse(self.lang, sep="-")
        return format_list([Locale.parse(code, sep="-").get_display_name(reader) or code for code in codes], locale=reader)

    def address_text(self, address, *, with_city: bool = True) -> str:
        """The postal address in the edition's order: Japanese big-to-small, others small-to-big.
        Without the city (a change summary of one guide): 〒postal ward street building."""
        city = self.texts.plain(self.guide.site.city.name) if with_city else ""
        prefecture = self.texts.plain(self.guide.site.city.prefecture) if with_city else ""
        in_address = self.guide.areas.in_address(address.ward)
        ward = self.texts.plain(in_address.name) if in_address else ""
        street, building = self.texts.plain(address.street), self.texts.plain(address.building)
        postal = address.postal_code or ""
        if self.lang == JAPANESE:
            return " ".join(p for p in (f"〒{postal}" if postal else "", f"{prefecture}{city}{ward}{street}", building) if p)
        parts = [building, street, ward, city, prefecture]
        return ", ".join(p for p in parts if p) + (f" {postal}" if postal else "")

    def map_url(self, address) -> str:
        # A link to OpenStreetMap: no embedded third-party map, no request until the resident taps it.
        query = "".join(
            p
            for p in (
                self.guide.site.city.prefecture.get(self.texts.default),
                self.guide.site.city.name.get(self.texts.default),
                self.guide.areas.in_address(address.ward).name.get(self.texts.default) if self.guide.areas.in_address(address.ward) else "",
                address.street.get(self.texts.default),
            )
            if p
        )
        return "https://www.openstreetmap.org/search?query=" + urllib.parse.quote(query)

    def branch_title(self, agency: Agency, branch: Branch, html: bool = True) -> Markup | str:
        """A branch's official name, or "agency (area)" when the documents give none."""
        pick = self.texts.html if html else self.texts.plain
        if branch.name:
            return pick(branch.name)
        if html:
            return Markup("{} ({})").format(pick(agency.name), pick(self.areas[branch.area].name))
        return f"{pick(agency.name)} ({pick(self.areas[branch.area].name)})"

    # --- hours and schedules

    def hours_rows(self, hours: Hours | None) -> list[tuple[str, str]]:
        """One row per weekday, then holiday rules: what the hours table shows."""
        if hours is None or hours.status != "published":
            return []
        rows = []
        for day in WEEKDAYS:
            times = [t for rule in hours.weekly if day in rule.days for t in rule.times]
            label = self.gettext(WEEKDAY_IDS[day])
            rows.append((label, ", ".join(clock_range(t) for t in sorted(times)) if times else self.gettext("Closed")))
        # A flag left out: the documents do not say, and the table says so rather than guess.
        unstated = self.gettext("not stated in the city’s documents — check before you go")
        if hours.closed_on_public_holidays is not False:
            rows.append((self.gettext("Public holidays"), self.gettext("Closed") if hours.closed_on_public_holidays else unstated))
        closure = self.guide.site.city.year_end_closure
        if hours.closed_year_end is not False and closure:
            (m1, d1), (m2, d2) = closure.start.month_day, closure.end.month_day
            label = self.gettext("Year-end holidays (%(start)s–%(end)s)", start=f"{m1}/{d1}", end=f"{m2}/{d2}")
            rows.append((label, self.gettext("Closed") if hours.closed_year_end else unstated))
        return rows

    def hours_lines(self, hours: Hours | None) -> list[Markup]:
        """The hours table (hours_rows) in two or three short lines:
        "月曜～金曜 8:30–17:15", "休み: 土曜・日曜・祝日・休日・年末年始（12/29～1/3）", then coming exceptions.
        Each day label and each time stays on one line when the line wraps."""
        if id(hours) not in self._hours:
            self._hours[id(hours)] = self._hours_lines(hours)
        return self._hours[id(hours)]

    def _hours_lines(self, hours: Hours | None) -> list[Markup]:
        rows = self.hours_rows(hours)
        if not rows:
            return []
        closed = self.gettext("Closed")
        comma = self.gettext(", ")
        weekly, rules = rows[:7], rows[7:]
        by_value: dict[str, list[int]] = {}
        for i, (_label, value) in enumerate(weekly):
            if value != closed:
                by_value.setdefault(value, []).append(i)
        lines = [
            Markup("{} {}").format(_nowrap_join(self.weekdays([WEEKDAYS[i] for i in days]), comma), _nowrap_join(value.split(", "), ", "))
            for value, days in by_value.items()
        ]
        closed_labels = [label for label, value in weekly + rules if value == closed]
        if closed_labels:
            lines.append(Markup("{}: {}").format(closed, _nowrap_join(closed_labels, comma)))
        unstated = [(label, value) for label, value in rules if value != closed]
        if unstated:
            lines.append(Markup("{}: {}").format(_nowrap_join([label for label, _value in unstated], comma), unstated[0][1]))
        for period in hours.closed_periods:
            if period.end >= self.today:
                text = self.gettext("Closed from %(start)s to %(end)s", start=self.format_date(period.start), end=self.format_date(period.end))
                lines.append(Markup("{}").format(text + (f": {self.texts.plain(period.note)}" if period.note else "")))
        for exception in hours.exceptions:
            if exception.date >= self.today:
                value = closed if exception.closed else ", ".join(exception.times)
                note = f" ({self.texts.plain(exception.note)})" if exception.note else ""
                lines.append(Markup("{}").format(f"{self.format_date(exception.date, True)}: {value}{note}"))
        return lines

    def hours_line(self, hours: Hours) -> str:
        """The hours in one line, as a change summary shows them: 月〜金 8:30–17:15, 祝日休み, 年末年始休み."""
        w = self.words
        if hours.status != "published":
            return w("not published")
        parts = [f"{self.short_days(rule.days)} {' / '.join(clock_range(t) for t in rule.times)}" for rule in hours.weekly]
        if hours.closed_on_public_holidays is not None:
            parts.append(w("closed on public holidays" if hours.closed_on_public_holidays else "open on public holidays"))
        if hours.closed_year_end is not None:
            parts.append(w("closed over the year-end holidays" if hours.closed_year_end else "open over the year-end holidays"))
        for exception in hours.exceptions:
            day = exception.date.isoformat()
            value = w("{date} closed", date=day) if exception.closed else f"{day} {' / '.join(clock_range(t) for t in exception.times)}"
            parts.append(self.with_note(value, exception.note))
        for period in hours.closed_periods:
            value = w("closed {start} to {end}", start=period.start.isoformat(), end=period.end.isoformat())
            parts.append(self.with_note(value, period.note))
        return ", ".join(parts)

    def hours_json(self, hours: Hours | None) -> str:
        return json.dumps(hours.model_dump(mode="json", exclude_defaults=True) if hours else {"status": "not_published"}, ensure_ascii=False, separators=(",", ":"))

    def recurrence_text(self, rule, *, short: bool = False) -> str:
        """E.g. "Every week on Tue 10:00–11:00", "Every month: #2 Tue", "2 times a year", in the edition's words.
        Short, as a change summary says it: day ranges (毎週 月〜水 10:00–11:00) and the rule's note."""
        comma = self.gettext(", ")
        days = self.short_days(rule.days) if short else comma.join(self.gettext(WEEKDAY_IDS[d]) for d in rule.days)
        if rule.frequency == "weekly":
            text = self.gettext("Every week on %(days)s", days=days) if days else self.gettext("Every week")
        elif rule.frequency == "monthly":
            nth = comma.join(self.gettext("#%(n)s", n=n) for n in rule.nth)
            text = self.gettext("Every month: %(nth)s %(days)s", nth=nth, days=days)
        else:
            text = self.catalog.ngettext("Once a year", "%(count)s times a year", rule.times_per_year) % {
                "count": rule.times_per_year
            }
        if rule.times:
            text += " " + (" / " if short else ", ").join(clock_range(t) for t in rule.times)
        return self.with_note(text, rule.note) if short else text

    def finder_choices(self) -> dict[str, list[tuple[str, str]]]:
        """Options of the finder form's selects, as (id, label) lists: categories, areas, audiences, program_kinds.

        Areas come as a tree: each ward, then the districts inside it, indented with "– ".
        """
        guide = self.guide
        known = {a.id for a in guide.areas.areas}
        areas: list[tuple[str, str]] = []

        def add(parent: str | None, depth: int) -> None:
            for area in guide.areas.areas:
                if area.parent == parent or (parent is None and area.parent not in known):
                    areas.append((area.id, "– " * depth + self.line(area.name)))
                    add(area.id, depth + 1)

        add(None, 0)
        return {
            "categories": [(c.id, self.line(c.name)) for c in guide.taxonomy.categories],
            "areas": areas,
            "audiences": [(a.id, self.line(a.name)) for a in guide.taxonomy.audiences],
            "program_kinds": [(k.id, self.line(k.name)) for k in guide.taxonomy.program_kinds],
        }

    # --- shared queries: what the pages and the handouts list

    def agencies_in(self, category_id: str) -> list[tuple[Agency, list]]:
        """Agencies with a service in the category, the hub first, those taking no residents directly last, then by reading."""
        found = self._services_in.get(category_id, [])
        hub = self.categories[category_id].hub
        return sorted(
            found,
            key=lambda pair: (pair[0].id != hub, not any(s.hub for s in pair[1]), not any(s.from_residents for s in pair[1]), pair[0].reading),
        )

    def offices_in(self, area_id: str) -> list[tuple[Agency, Branch]]:
        """The branches in the area or an area inside it, with their agency, by the agency's reading."""
        inside = set(self.guide.areas.descendants(area_id))
        return [(a, b) for a in self._by_reading for b in a.branches if b.area in inside]

    def agencies_located_in(self, area_id: str) -> list[Agency]:
        """Agencies whose address is in the area, inside it or around it, or that serve it, by reading."""
        around = set(self.guide.areas.descendants(area_id)) | {a.id for a in self.guide.areas.ancestors(area_id)}
        return [a for a in self._by_reading if (a.address and a.address.ward in around) or area_id in a.areas_served]

    def programs_for(self, *, agency: str | None = None, area: str | None = None, kind: str | None = None) -> list[Program]:
        """Programs run or answered for by `agency`, held in `area` or in an area around it, of `kind`: all that
        are given, in file order."""
        index = self._programs_of
        around = [area, *(a.id for a in self.guide.areas.ancestors(area))] if area else []
        matches = [
            set(index["agency"].get(agency, ())) if agency else None,
            {p for a in around for p in index["area"].get(a, ())} if area else None,
            set(index["kind"].get(kind, ())) if kind else None,
        ]
        wanted = [m for m in matches if m is not None]
        positions = set.intersection(*wanted) if wanted else range(len(self.guide.programs))
        return [self.guide.programs[p] for p in sorted(positions)]

    def sessions(self, program: Program) -> tuple[list, list]:
        """(upcoming, past) sessions; past ones stay on the page, marked as past."""
        upcoming = [s for s in program.schedule.sessions if s.date >= self.today]
        past = [s for s in program.schedule.sessions if s.date < self.today]
        return sorted(upcoming, key=lambda s: s.date), sorted(past, key=lambda s: s.date, reverse=True)

def _nowrap_join(items: list[str], separator: str) -> Markup:
    """Items kept whole on paper (年末年始（12/29～1/3）), the line free to wrap after each separator.
    An item with spaces (Year-end holidays (12/29–1/3)) may still wrap at them: a narrow column has room."""
    return escape(separator).join(
        Markup('<span class="nb">{}</span>').format(item) if not any(c.isspace() for c in item) else escape(item) for item in items
    )
