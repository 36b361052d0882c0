"""What the open-data exports share: stable ids, texts in one language, holidays to skip.

Every export reads the typed model (`model.Guide`) and nothing else: no rendered page,
no private overlay.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule, weekdays

from ..hours import Calendar
from ..i18n import Texts, default_language
from ..model import WEEKDAYS, Guide, Program, Recurrence, Text

RRULE_WEEKDAYS = dict(zip(WEEKDAYS, weekdays, strict=True))


@lru_cache(maxsize=8)
def _namespace(key: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, key)


def namespace(guide: Guide) -> uuid.UUID:
    """The UUID namespace of one guide: the same city gives the same ids in every build."""
    # From the city's names, not its code or address: those may be added or change later.
    city, lang = guide.site.city, default_language(guide.site)
    return _namespace(f"urn:resource-guide:{city.country}:{city.prefecture.get(lang)}:{city.name.get(lang)}")


def stable_id(guide: Guide, kind: str, *ids: str) -> str:
    """A UUID (version 5) derived from a record's kind and ids: stable from build to build."""
    return _uuid5(namespace(guide).bytes, "/".join((kind, *ids)))


class StableIds:
    """stable_id of one guide for an export that makes ids by the hundred thousand, each several times:
    its namespace found once, each id made once."""

    def __init__(self, guide: Guide):
        self._namespace = namespace(guide).bytes
        self._made: dict[str, str] = {}

    def __call__(self, kind: str, *ids: str) -> str:
        name = "/".join((kind, *ids))
        made = self._made.get(name)
        if made is None:
            made = self._made[name] = _uuid5(self._namespace, name)
        return made


def _uuid5(namespace: bytes, name: str) -> str:
    """str(uuid.uuid5(namespace, name)) without the UUID object: an export makes ids by the ten thousand."""
    digest = bytearray(hashlib.sha1(namespace + name.encode("utf-8")).digest()[:16])
    digest[6] = digest[6] & 0x0F | 0x50  # version 5
    digest[8] = digest[8] & 0x3F | 0x80  # the RFC 4122 variant
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"



def utc_offset(timezone: str, day: date) -> str:
    """The city's UTC offset on `day` as ISO 8601 writes it: +09:00 for Asia/Tokyo."""
    minutes = int(ZoneInfo(timezone).utcoffset(datetime.combine(day, time(12))).total_seconds() // 60)
    return f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def katakana(text: str | None) -> str:
    """A reading in full-width katakana, as the 自治体標準オープンデータセット asks for _カナ columns."""
    if not text:
        return ""
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


class Language:
    """Texts of the data and words of the tool in one language, for exports that speak one."""

    def __init__(self, guide: Guide, lang: str, catalog):
        self.lang = lang
        self.catalog = catalog
        self.texts = Texts(guide.site, lang, catalog.gettext)

    def text(self, value: Text | None) -> str:
        return self.texts.plain(value)

    def official(self, value: Text | None) -> str:
        """The text in this language only when the city gave it (no fallback, no unofficial translation)."""
        if value is None or value.get(self.lang) is None or value.is_unofficial(self.lang):
            return ""
        return value.get(self.lang)

    def gettext(self, msgid: str, **params) -> str:
        text = self.catalog.gettext(msgid)
        return text % params if params else text


@lru_cache(maxsize=16)
def closed_days(calendar: Calendar, start: date, end: date, *, holidays: bool, year_end: bool) -> tuple[date, ...]:
    """The days from `start` to `end` a rule skips for public holidays and the year-end closure."""
    days = []
    day = start
    while day <= end:
        if (holidays and calendar.is_public_holiday(day)) or (year_end and calendar.is_year_end(day)):
            days.append(day)
        day += timedelta(days=1)
    return tuple(days)


def rule_dates(rule: Recurrence, start: date, end: date) -> list[date]:
    """The days from `start` to `end` a weekly or monthly rule falls on (empty for other rules)."""
    if rule.frequency not in ("weekly", "monthly") or not rule.days:
        return []
    if rule.frequency == "weekly":
        days = [RRULE_WEEKDAYS[d] for d in rule.days]
    else:
        days = [RRULE_WEEKDAYS[d](n) for d in rule.days for n in rule.nth]
    freq = WEEKLY if rule.frequency == "weekly" else MONTHLY
    found = rrule(freq, byweekday=days, dtstart=datetime.combine(start, time(0)), until=datetime.combine(end, time(0)))
    return [moment.date() for moment in found]


def skipped_dates(rule: Recurrence, calendar: Calendar, start: date, end: date) -> list[date]:
    """The days a rule would fall on but does not meet: public holidays and year-end days it observes."""
    closed = set(closed_days(calendar, start, end, holidays=bool(rule.closed_on_public_holidays), year_end=bool(rule.closed_year_end)))
    return [day for day in rule_dates(rule, start, end) if day in closed]


def last_meeting_day(program: Program, horizon: date) -> date:
    """The last day a program's rules are followed to: the horizon, or its planned period's end if sooner."""
    return min(horizon, program.period.end) if program.period else horizon


def meeting_dates(rule: Recurrence, calendar: Calendar, start: date, end: date) -> list[date]:
    """The days from `start` to `end` a weekly or monthly rule meets: its days less those it skips."""
    skipped = set(skipped_dates(rule, calendar, start, end))
    return [day for day in rule_dates(rule, start, end) if day not in skipped]


def rrule_byday(rule: Recurrence) -> list[str]:
    """BYDAY parts as RFC 5545 (and HSDS) write them: TU, FR; 2WE for the second Wednesday."""
    return [f"{n}{d[:2].upper()}" for d in rule.days for n in (rule.nth if rule.frequency == "monthly" else [""])]
