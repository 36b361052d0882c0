"""The hours engine: is a counter open at a given moment, and when does it open next?

The rules are data (`model.Hours`); the public holidays come from the pinned
`holidays` package and the year-end closure from site.yaml.  The browser's
open-now badge runs the same rules on the same data (`calendar_table()` is
embedded into the pages), and both are tested against the same vectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import holidays

from .model import WEEKDAYS, Hours, Site, time_range_minutes

LOOKAHEAD_DAYS = 400


@lru_cache(maxsize=64)
def _holiday_dates(country: str, year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays(country, years=year))


@dataclass(frozen=True)
class Calendar:
    """The city's calendar: its time zone, public holidays and year-end closure."""

    timezone: str
    country: str
    year_end: tuple[tuple[int, int], tuple[int, int]] | None

    @classmethod
    def for_site(cls, site: Site) -> Calendar:
        closure = site.city.year_end_closure
        year_end = (closure.start.month_day, closure.end.month_day) if closure else None
        return cls(site.city.timezone, site.city.holiday_calendar, year_end)

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def holidays(self, years: range) -> dict[date, str]:
        return dict(holidays.country_holidays(self.country, years=years))

    @property
    def last_holiday_year(self) -> int:
        """The last year the holiday rules cover: after it, holidays would silently be missing."""
        return holidays.country_holidays(self.country).end_year

    def is_public_holiday(self, day: date) -> bool:
        return day in _holiday_dates(self.country, day.year)

    def is_year_end(self, day: date) -> bool:
        if not self.year_end:
            return False
        start, end = self.year_end
        key = (day.month, day.day)
        if start <= end:
            return start <= key <= end
        return key >= start or key <= end  # wraps over New Year


def opening_ranges(hours: Hours | None, day: date, calendar: Calendar) -> list[tuple[int, int]]:
    """The open ranges (minutes after midnight) on `day`; empty when closed or unknown."""
    if hours is None or hours.status != "published":
        return []
    for period in hours.closed_periods:
        if period.start <= day <= period.end:
            return []
    for exception in hours.exceptions:
        if exception.date == day:
            return [] if exception.closed else sorted(time_range_minutes(t) for t in exception.times)
    if hours.closed_on_public_holidays and calendar.is_public_holiday(day):
        return []
    if hours.closed_year_end and calendar.is_year_end(day):
        return []
    weekday = WEEKDAYS[day.weekday()]
    return sorted(time_range_minutes(t) for rule in hours.weekly if weekday in rule.days for t in rule.times)


def unstated_day(hours: Hours, day: date, calendar: Calendar) -> str | None:
    """"holiday" or "year_end" when `day` is one whose rule the documents do not give (the flag left
    out), so the weekly hours may not hold; None when the data says what happens that day."""
    if any(p.start <= day <= p.end for p in hours.closed_periods) or any(e.date == day for e in hours.exceptions):
        return None
    if hours.closed_on_public_holidays is None and calendar.is_public_holiday(day):
        return "holiday"
    if hours.closed_year_end is None and calendar.is_year_end(day):
        return "year_end"
    return None


@dataclass(frozen=True)
class Status:
    """What the open-now badge says."""

    state: str  # "open", "closed", "unknown", "uncertain" (a holiday or year-end day the documents say nothing of)
    closes_at: datetime | None = None
    next_open: datetime | None = None
    reason: str | None = None  # for "uncertain": unstated_day's answer


def status_at(hours: Hours | None, moment: datetime, calendar: Calendar) -> Status:
    if hours is None or hours.status != "published":
        return Status("unknown")
    local = moment.astimezone(calendar.zone)
    minute = local.hour * 60 + local.minute
    today = local.date()
    ranges = opening_ranges(hours, today, calendar)
    if ranges and (reason := unstated_day(hours, today, calendar)):
        return Status("uncertain", reason=reason)  # never "open" on a day the documents say nothing of
    for start, end in ranges:
        if start <= minute < end:
            return Status("open", closes_at=_at(today, end, calendar))
    return Status("closed", next_open=next_opening(hours, local, calendar))


def next_opening(hours: Hours, local: datetime, calendar: Calendar) -> datetime | None:
    minute = local.hour * 60 + local.minute
    for offset in range(LOOKAHEAD_DAYS):
        day = local.date() + timedelta(days=offset)
        ranges = opening_ranges(hours, day, calendar)
        if ranges and offset > 0 and unstated_day(hours, day, calendar):
            return None  # the next weekday may or may not open: no date is claimed
        for start, _end in ranges:
            if offset > 0 or start > minute:
                return _at(day, start, calendar)
    return None


def _at(day: date, minute: int, calendar: Calendar) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=calendar.zone) + timedelta(minutes=minute)


def calendar_table(calendar: Calendar, start: date, years: int = 2) -> dict:
    """Closed days the browser needs: holidays and year-end days from `start` for `years` years (and a bit)."""
    end = date(start.year + years + 1, 1, 31)
    span = range(start.year, end.year + 1)
    holiday_days = sorted(d for d in calendar.holidays(span) if start <= d <= end)
    year_end_days = sorted(
        start + timedelta(days=n) for n in range((end - start).days + 1) if calendar.is_year_end(start + timedelta(days=n))
    )
    return {
        "timezone": calendar.timezone,
        "from": start.isoformat(),
        "until": end.isoformat(),
        "holidays": [d.isoformat() for d in holiday_days],
        "year_end": [d.isoformat() for d in year_end_days],
    }
