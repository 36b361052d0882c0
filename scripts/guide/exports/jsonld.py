"""schema.org JSON-LD for agency, branch and program pages, so search engines can show hours and dates.

An agency or branch is a GovernmentOffice with `openingHoursSpecification` (weekly hours)
and `specialOpeningHoursSpecification` for the coming year (public holidays, the
year-end closure, dated exceptions and closed periods, as the data states them); a branch
names its agency as `parentOrganization`, an agency its branches as `subOrganization`.  A
program with dates to come is an Event (an EventSeries when a rule recurs) with an
`eventSchedule` and `startDate`/`endDate` in the city's UTC offset; one without is a Service.
The JSON is escaped for an HTML <script>.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

from markupsafe import Markup

from ..hours import Calendar, opening_ranges
from ..model import WEEKDAYS, Agency, Branch, Guide, Hours, Program, time_range_minutes
from ..urls import url_for
from .common import Language, closed_days, last_meeting_day, meeting_dates, skipped_dates, utc_offset

HORIZON_DAYS = 365
SCHEMA_DAYS = {day: f"https://schema.org/{name}" for day, name in zip(WEEKDAYS, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"), strict=True)}


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def script_json(data: dict) -> Markup:
    """JSON safe inside <script>: no "</script>", no HTML comment, nothing the parser acts on."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


class StructuredData:
    def __init__(self, guide: Guide, words: Language, today: date, page_url):
        self.guide, self.words, self.today = guide, words, today
        self.page_url = page_url  # site-relative path -> absolute URL or None
        self.calendar = Calendar.for_site(guide.site)
        self.areas = {a.id: a for a in guide.areas.areas}
        self.agencies = {a.id: a for a in guide.agencies}
        self.until = today + timedelta(days=HORIZON_DAYS)

    def address(self, address) -> dict:
        city = self.guide.site.city
        ward = self.words.text(self.areas[address.ward].name) if address.ward in self.areas else ""
        entry = {
            "@type": "PostalAddress",
            "addressCountry": city.country,
            "addressRegion": self.words.text(city.prefecture),
            "addressLocality": self.words.text(city.name) + ward,
            "streetAddress": " ".join(p for p in (self.words.text(address.street), self.words.text(address.building)) if p),
        }
        if address.postal_code:
            entry["postalCode"] = address.postal_code
        return entry

    def opening_hours(self, hours: Hours) -> list[dict]:
        return [
            {"@type": "OpeningHoursSpecification", "dayOfWeek": [SCHEMA_DAYS[d] for d in rule.days], "opens": _clock(a), "closes": _clock(b)}
            for rule in hours.weekly
            for a, b in sorted(time_range_minutes(t) for t in rule.times)
        ]

    def special_hours(self, hours: Hours) -> list[dict]:
        """Each day of the coming year whose hours differ from the weekly rule, closed days merged into spans."""
        result, span = [], None
        for day in self.unusual_days(hours):
            usual = sorted(time_range_minutes(t) for rule in hours.weekly if WEEKDAYS[day.weekday()] in rule.days for t in rule.times)
            actual = opening_ranges(hours, day, self.calendar)
            if actual == usual:
                continue
            if not actual and span and span["validThrough"] == (day - timedelta(days=1)).isoformat():
                span["validThrough"] = day.isoformat()
            elif not actual:
                span = {"@type": "OpeningHoursSpecification", "opens": "00:00", "closes": "00:00",
                        "validFrom": day.isoformat(), "validThrough": day.isoformat()}
                result.append(span)
            else:
                result += [{"@type": "OpeningHoursSpecification", "opens": _clock(a), "closes": _clock(b),
                            "validFrom": day.isoformat(), "validThrough": day.isoformat()} for a, b in actual]
        return result

    def unusual_days(self, hours: Hours) -> list[date]:
        """The days of the coming year that a rule beyond the weekly hours may touch, in order."""
        days = {e.date for e in hours.exceptions}
        for period in hours.closed_periods:
            days |= {period.start + timedelta(days=n) for n in range((period.end - period.start).days + 1)}
        if hours.closed_on_public_holidays or hours.closed_year_end:
            days |= set(closed_days(self.calendar, self.today, self.until,
                                    holidays=bool(hours.closed_on_public_holidays), year_end=bool(hours.closed_year_end)))
        return sorted(d for d in days if self.today <= d <= self.until)

    def office(self, agency: Agency, branch: Branch | None, path: str) -> dict:
        place = branch or agency
        name = self.branch_name(agency, branch) if branch else self.words.text(agency.name)
        data = {"@context": "https://schema.org", "@type": "GovernmentOffice", "name": name}
        url = self.page_url(path)
        if url:
            data["url"] = url
        phones = place.phones or agency.phones
        voice = [p.number for p in phones if p.kind == "voice"]
        fax = [p.number for p in phones if p.kind == "fax"]
        if voice:
            data["telephone"] = voice[0]
        if fax:
            data["faxNumber"] = fax[0]
        if place.email or agency.email:
            data["email"] = place.email or agency.email
        address = place.address if branch else agency.address
        if address:
            data["address"] = self.address(address)
        hours = place.hours or agency.hours
        if hours and hours.status == "published":
            data["openingHoursSpecification"] = self.opening_hours(hours)
            special = self.special_hours(hours)
            if special:
                data["specialOpeningHoursSpecification"] = special
        if agency.summary:
            data["description"] = self.words.text(agency.summary)
        if branch:  # schema.org's branchOf is superseded by parentOrganization / subOrganization
            data["parentOrganization"] = self.named("GovernmentOffice", self.words.text(agency.name), url_for("agency", agency.id))
        elif agency.parent:
            data["parentOrganization"] = {"@type": "GovernmentOrganization", "name": self.words.text(agency.parent)}
        if not branch and agency.branches:
            data["subOrganization"] = [
                self.named("GovernmentOffice", self.branch_name(agency, b), url_for("branch", agency.id, b.id)) for b in agency.branches
            ]
        return data

    def named(self, kind: str, name: str, path: str) -> dict:
        data = {"@type": kind, "name": name}
        url = self.page_url(path)
        if url:
            data["url"] = url
        return data

    def branch_name(self, agency: Agency, branch: Branch) -> str:
        if branch.name:
            return self.words.text(branch.name)
        return f"{self.words.text(agency.name)} ({self.words.text(self.areas[branch.area].name)})"

    def moment(self, day: date, minutes: int | None = None) -> str:
        """A date, or a date and time with the city's UTC offset on that day (2026-12-09T14:00+09:00)."""
        if minutes is None:
            return day.isoformat()
        return f"{day.isoformat()}T{_clock(minutes)}{utc_offset(self.guide.site.city.timezone, day)}"

    def schedules(self, program: Program) -> tuple[list[dict], list[tuple[str, str]], bool]:
        """The coming dates as schema.org Schedules, the (start, end) of each, and whether a rule recurs."""
        zone = self.guide.site.city.timezone
        schedules, spans, recurs = [], [], False
        last = last_meeting_day(program, self.until)
        for rule in program.schedule.recurrence:
            dates = meeting_dates(rule, self.calendar, self.today, last)
            for times in rule.times if dates else []:
                a, b = time_range_minutes(times)
                schedule = {"@type": "Schedule", "repeatFrequency": "P1W" if rule.frequency == "weekly" else "P1M",
                            "byDay": [SCHEMA_DAYS[d] for d in rule.days], "startTime": _clock(a), "endTime": _clock(b),
                            "startDate": dates[0].isoformat(), "endDate": last.isoformat(), "scheduleTimezone": zone}
                if rule.frequency == "monthly":
                    schedule["byMonthWeek"] = rule.nth
                skipped = skipped_dates(rule, self.calendar, self.today, last)
                if skipped:
                    schedule["exceptDate"] = [d.isoformat() for d in skipped]
                schedules.append(schedule)
                spans.append((self.moment(dates[0], a), self.moment(dates[0], b)))
                recurs = True
        for session in sorted(program.schedule.sessions, key=lambda s: s.date):
            if session.date < self.today:
                continue
            schedule = {"@type": "Schedule", "startDate": session.date.isoformat(), "endDate": session.date.isoformat(), "scheduleTimezone": zone}
            span = (self.moment(session.date), self.moment(session.date))
            if session.times:
                a, b = time_range_minutes(session.times)
                schedule.update(startTime=_clock(a), endTime=_clock(b))
                span = (self.moment(session.date, a), self.moment(session.date, b))
            schedules.append(schedule)
            spans.append(span)
        return schedules, spans, recurs

    def program(self, program: Program, path: str) -> dict:
        """An Event (EventSeries when a rule recurs) only when dates are to come; else a Service."""
        schedules, spans, recurs = self.schedules(program) if program.phase(self.today) != "ended" else ([], [], False)
        kind = ("EventSeries" if recurs else "Event") if schedules else "Service"
        data = {"@context": "https://schema.org", "@type": kind, "name": self.words.text(program.name)}
        url = self.page_url(path)
        if url:
            data["url"] = url
        if program.description:
            data["description"] = self.words.text(program.description)
        organiser = self.agencies.get(program.organiser)
        organiser_name = self.words.text(organiser.name if organiser else program.organiser_name)
        if schedules:
            data["eventSchedule"] = schedules
            data["startDate"], data["endDate"] = min(spans)
            if program.venue:
                data["location"] = {"@type": "Place", "name": self.words.text(program.venue)}
            if organiser_name:
                data["organizer"] = {"@type": "Organization", "name": organiser_name}
            if program.capacity:
                data["maximumAttendeeCapacity"] = program.capacity
        elif organiser_name:
            data["provider"] = {"@type": "Organization", "name": organiser_name}
        return data

    def for_page(self, path: str, context: dict) -> Markup:
        """The JSON-LD of a generated page, from the page's own context (agency/branch or program)."""
        if "program" in context:
            return script_json(self.program(context["program"], path))
        return script_json(self.office(context["agency"], context.get("branch"), path))
