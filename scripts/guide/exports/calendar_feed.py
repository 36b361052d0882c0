"""iCalendar feeds (RFC 5545): one .ics per program and one for all, for residents' calendar apps.

A recurring group is one VEVENT per time slot with an RRULE bounded to the coming
year, and an EXDATE for each public holiday or year-end day it does not meet on
(when the data says so); a dated session is a VEVENT of its own.  Only what is still
to come is in a feed: a program whose sessions are all past has no entry, and a rule
with no fixed days or times ("N times a year") cannot be put in a calendar.

Every text is made safe for iCalendar before it is added (`one_line`, `lines`): `guide check`
refuses control characters and line breaks in names already, and the writer does not rely on
it (the icalendar package asserts on a line break in a property it does not know as text).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from ..hours import Calendar as CityCalendar
from ..model import CONTROL_IN_LINES, Guide, Program, Recurrence, time_range_minutes
from .common import Language, last_meeting_day, rrule_byday, rule_dates, skipped_dates, stable_id

HORIZON_DAYS = 365
# RFC 5545 TEXT holds no control character but HTAB and the line breaks it escapes.
_LINE_BREAK = re.compile(r"\r\n?|[\u2028\u2029]")


class FeedError(Exception):
    """A feed could not be written: FeedError(what it is of, what the writer refused), worded by the build."""


def lines(text: str) -> str:
    """A text for a property that may have several lines (DESCRIPTION): line breaks as \\n, no control characters."""
    return CONTROL_IN_LINES.sub("", _LINE_BREAK.sub("\n", text))


def one_line(text: str) -> str:
    """A text for a one-line property (SUMMARY, LOCATION, X-WR-CALNAME): its lines joined by spaces."""
    return " ".join(lines(text).replace("\t", " ").split())


def feed_file(program_id: str) -> str:
    return f"{program_id}.ics"


class Feeds:
    def __init__(self, guide: Guide, words: Language, today: date, page_url):
        self.guide, self.words, self.today = guide, words, today
        self.page_url = page_url  # program id -> absolute URL of its page, or None
        self.city = CityCalendar.for_site(guide.site)
        self.zone = ZoneInfo(guide.site.city.timezone)
        self.until = today + timedelta(days=HORIZON_DAYS)
        self.stamp = datetime.combine(today, time(0), UTC)

    def calendar(self, name: str) -> Calendar:
        cal = Calendar()
        cal.add("prodid", f"-//resource-guide//open data//{self.words.lang.upper()}")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("x-wr-calname", one_line(name))
        cal.add("x-wr-timezone", self.guide.site.city.timezone)
        return cal

    def events(self, program: Program) -> list[Event]:
        if program.phase(self.today) == "ended":  # its planned period is over: nothing is to come
            return []
        events = []
        for i, rule in enumerate(program.schedule.recurrence):
            for j, times in enumerate(rule.times):
                event = self.recurring(program, rule, times, f"rule-{i}-{j}")
                if event:
                    events.append(event)
        for session in program.schedule.sessions:
            if session.date >= self.today:
                events.append(self.session(program, session))
        return events

    def base(self, program: Program, key: str) -> Event:
        event = Event()
        event.add("uid", f"{stable_id(self.guide, 'ics', program.id, key)}@resource-guide")
        event.add("dtstamp", self.stamp)
        event.add("summary", one_line(self.words.text(program.name)))
        description = self.words.text(program.description)
        url = self.page_url(program.id)
        if url:
            event.add("url", url)
            description = "\n".join(p for p in (description, url) if p)
        if description:
            event.add("description", lines(description))
        if program.venue:
            event.add("location", one_line(self.words.text(program.venue)))
        return event

    def at(self, day: date, minutes: int) -> datetime:
        return datetime.combine(day, time(0), self.zone) + timedelta(minutes=minutes)

    def recurring(self, program: Program, rule: Recurrence, times: str, key: str) -> Event | None:
        last = last_meeting_day(program, self.until)
        occurrences = rule_dates(rule, self.today, last)
        if not occurrences:
            return None
        start, end = time_range_minutes(times)
        event = self.base(program, key)
        event.add("dtstart", self.at(occurrences[0], start))
        event.add("dtend", self.at(occurrences[0], end))
        until = self.at(last, 24 * 60 - 1).astimezone(UTC)
        event.add("rrule", {"freq": rule.frequency.upper(), "byday": rrule_byday(rule), "until": until})
        exdates = [self.at(day, start) for day in skipped_dates(rule, self.city, self.today, last)]
        if exdates:
            event.add("exdate", exdates)
        if rule.note:
            event["description"] = "\n".join(p for p in (str(event.get("description", "")), lines(self.words.text(rule.note))) if p)
        return event

    def session(self, program: Program, session) -> Event:
        event = self.base(program, f"session-{session.date.isoformat()}")
        if session.times:
            start, end = time_range_minutes(session.times)
            event.add("dtstart", self.at(session.date, start))
            event.add("dtend", self.at(session.date, end))
        else:  # the time is not given: an all-day entry, not an invented hour
            event.add("dtstart", session.date)
            event.add("dtend", session.date + timedelta(days=1))
        if session.venue:
            event["location"] = one_line(self.words.text(session.venue))
        if session.note:
            event["description"] = "\n".join(p for p in (str(event.get("description", "")), lines(self.words.text(session.note))) if p)
        return event

    def write(self, name: str, events: list[Event], where: str) -> bytes:
        """The feed called `name`; `where` says in words what it is of, should the writer refuse it."""
        cal = self.calendar(name)
        for event in events:
            cal.add_component(event)
        try:
            cal.add_missing_timezones()
            return cal.to_ical()
        except (AssertionError, ValueError, TypeError) as err:  # the package's own checks: said, not a traceback
            raise FeedError(where, str(err) or type(err).__name__) from None


def program_feeds(guide: Guide, words: Language, today: date, page_url) -> tuple[dict[str, bytes], bytes]:
    """({file name: .ics} for each program with something to come, the feed of all programs)."""
    feeds = Feeds(guide, words, today, page_url)
    per_program, everything = {}, []
    for program in guide.programs:
        events = feeds.events(program)
        if events:
            per_program[feed_file(program.id)] = feeds.write(words.text(program.name), events, f"data/programs.yaml: {program.id}")
            everything += events
    return per_program, feeds.write(words.text(guide.site.title), everything, "data/site.yaml: title")


def has_feed(program: Program, today: date) -> bool:
    """Whether the program page offers 「カレンダーに追加」: a rule with days and times, or a session to come."""
    rules = any(r.frequency in ("weekly", "monthly") and r.days and r.times for r in program.schedule.recurrence)
    return program.phase(today) != "ended" and (rules or any(s.date >= today for s in program.schedule.sessions))
