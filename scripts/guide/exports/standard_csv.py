"""推奨データセット (v1) CSV: 公共施設一覧 (agencies and branches) and イベント一覧 (program dates).

UTF-8 with BOM, the header row of `standards/<name>.csv` in its order, each cell in the
format the v1 共通ルール give (利用可能曜日 「月火水木金」, hh:mm, YYYY-MM-DD, katakana
readings).  The rows say what the data says by column name: a column the list has and the
data cannot fill stays empty (内線番号 always: extensions are staff-only), so a city can
follow another version by replacing the list.  Always in Japanese, the standard's language.
No cell runs as a formula (`formulas.neutralised`).

イベント一覧 lists every dated session, and for a weekly or monthly group with fixed days and
times each meeting within the iCalendar feed's horizon, without the days it skips.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

from ..formulas import neutralised
from ..hours import Calendar
from ..model import WEEKDAYS, Agency, Branch, Guide, Hours, Program, Sourced, branch_kana, time_range_minutes
from ..normalize import reading
from .calendar_feed import HORIZON_DAYS
from .common import Language, katakana, last_meeting_day, meeting_dates

STANDARDS = Path(__file__).resolve().parent.parent / "standards"
FACILITIES = "public_facilities"
EVENTS = "events"
# The 自治体標準オープンデータセット are Japanese documents; a few columns (名称_英語 …) hold English.
DATASET_LANGUAGE, SECOND_LANGUAGE = "ja", "en"
WEEKDAY_KANJI = dict(zip(WEEKDAYS, "月火水木金土日", strict=True))
PUBLIC_HOLIDAY = "祝"  # in 利用可能曜日: open on public holidays too


def columns(standard: str) -> list[str]:
    """The header row of a standard dataset, in order, from standards/<name>.csv."""
    with (STANDARDS / f"{standard}.csv").open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return [row["name"] for row in sorted(rows, key=lambda r: int(r["position"]))]


def write_csv(standard: str, rows: list[dict[str, str]]) -> bytes:
    header = columns(standard)
    out = io.StringIO()
    # A value whose column the list does not have is left out: the list says what is published.
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    for number, row in enumerate(rows, start=1):
        writer.writerow({name: neutralised(value) for name, value in (dict.fromkeys(header, "") | row | {"NO": str(number)}).items()})
    return out.getvalue().encode("utf-8-sig")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _times(times: str | None) -> tuple[str, str]:
    if not times:
        return "", ""
    start, end = time_range_minutes(times)
    return _clock(start), _clock(end)


_KANA_ONLY = re.compile(r"[\u3041-\u30ff\s]+")  # hiragana, katakana, ・ and ー


def _kana(given: str | None, name: str) -> str:
    """A name's reading in katakana: the data's own, else the reading the finder indexes the name by
    (none for a name without kanji: a name written in kana is its own reading, any other stays unread)."""
    return katakana(given or reading(name) or (name if _KANA_ONLY.fullmatch(name) else ""))


def _hours_cells(hours: Hours | None, words: Language) -> dict[str, str]:
    """利用可能曜日, 開始時間, 終了時間 and 利用可能日時特記事項 of published hours."""
    if hours is None or hours.status != "published":
        return {"利用可能日時特記事項": words.text(hours.note) if hours and hours.note else ""}
    days = "".join(WEEKDAY_KANJI[d] for d in WEEKDAYS if any(d in rule.days for rule in hours.weekly))
    if hours.closed_on_public_holidays is False:  # the documents say it opens on public holidays
        days += PUBLIC_HOLIDAY
    ranges = sorted({time_range_minutes(t) for rule in hours.weekly for t in rule.times})
    cells = {"利用可能曜日": days}
    notes = []
    if len(ranges) == 1:
        cells["開始時間"], cells["終了時間"] = _clock(ranges[0][0]), _clock(ranges[0][1])
    else:  # several ranges: the columns hold one, the note says which day has which
        for rule in hours.weekly:
            times = ", ".join(f"{_clock(a)}-{_clock(b)}" for a, b in sorted(time_range_minutes(t) for t in rule.times))
            notes.append(f"{''.join(WEEKDAY_KANJI[d] for d in rule.days)} {times}")
    if hours.closed_on_public_holidays:
        notes.append(words.gettext("Closed on public holidays"))
    if hours.closed_year_end:
        notes.append(words.gettext("Closed over the year-end holidays"))
    if hours.note:
        notes.append(words.text(hours.note))
    cells["利用可能日時特記事項"] = "; ".join(notes)
    return cells


def _first(phones, kind: str) -> str:
    return next((p.number for p in phones if p.kind == kind), "")


class Rows:
    """What every row of both datasets shares: the publishing city, and where a record's facts come from."""

    def __init__(self, guide: Guide, words: Language):
        self.guide, self.words = guide, words
        self.areas = {a.id: a for a in guide.areas.areas}
        self.agencies = {a.id: a for a in guide.agencies}
        self.sources = {s.id: s for s in guide.sources.sources}
        city = guide.site.city
        self.city = {
            "都道府県コード又は市区町村コード": city.local_government_code or "",  # its check digit is checked on load
            "都道府県名": words.text(city.prefecture),
            "市区町村名": words.text(city.name),
        }

    def remarks(self, record: Sourced, *extra: str, sources: list | None = None) -> str:
        """The record's sources (`sources` when a place has its own) and when it was last verified."""
        note = "; ".join(f"{self.words.text(self.sources[ref.document].title)} {ref.section}" for ref in sources or record.source)
        return "; ".join([*extra, self.words.gettext("Source: %(source)s; last verified %(date)s", source=note, date=record.last_verified.isoformat())])

    def facility(self, agency: Agency, branch: Branch | None) -> dict[str, str]:
        words, place = self.words, branch or agency
        area = self.areas.get(branch.area) if branch else None
        name = words.text(branch.name) if branch and branch.name else words.text(agency.name)
        if branch and not branch.name:
            name = f"{name}（{words.text(area.name)}）"
        address = place.address if branch else agency.address
        street = ""
        if address:
            ward = words.text(self.areas[address.ward].name) if address.ward in self.areas else ""
            street = self.city["都道府県名"] + self.city["市区町村名"] + ward + words.text(address.street)
        phones = place.phones or agency.phones
        fax = _first(phones, "fax")
        return self.city | _hours_cells(place.hours or agency.hours, words) | {
            "名称": name,
            "名称_カナ": _kana(branch_kana(agency, area) if branch else agency.kana, name),
            "住所": street,
            "方書": words.text(address.building) if address else "",
            "電話番号": _first(phones, "voice"),
            "団体名": words.text(agency.name) if branch else words.text(agency.parent),
            "説明": words.text(agency.summary) or "、".join(words.text(s.description) for s in agency.services),
            "バリアフリー情報": words.text(place.accessibility or agency.accessibility),
            "URL": place.url or agency.url or "",
            "備考": self.remarks(agency, *([f"FAX {fax}"] if fax else []), sources=branch.source if branch else None),
        }

    def event(self, program: Program, english: Language | None, day: date, times: str | None, venue, note) -> dict[str, str]:
        words = self.words
        contact = self.agencies.get(program.contact or program.organiser or "")
        organiser = words.text(self.agencies[program.organiser].name) if program.organiser else words.text(program.organiser_name)
        start, end = _times(times)
        name = words.text(program.name)
        return self.city | {
            "イベント名": name,
            "イベント名_カナ": _kana(program.kana, name),
            "イベント名_英語": english.official(program.name) if english else "",  # only the city's own English
            "開始日": day.isoformat(),
            "終了日": day.isoformat(),
            "開始時間": start,
            "終了時間": end,
            "開始日時特記事項": words.text(note),
            "説明": words.text(program.description),
            "料金(基本)": words.text(program.cost),
            "連絡先名称": words.text(contact.name) if contact else "",
            "連絡先電話番号": _first(contact.phones, "voice") if contact else "",
            "主催者": organiser,
            "場所名称": words.text(venue or program.venue),
            "定員": str(program.capacity) if program.capacity else "",
            "参加申込終了日": program.deadline.isoformat() if program.deadline else "",
            "参加申込方法": words.text(program.how_to_apply),
            "URL": program.url or "",
            "備考": self.remarks(program),
        }


def facility_rows(guide: Guide, words: Language) -> list[dict[str, str]]:
    rows = Rows(guide, words)
    return [rows.facility(agency, branch) for agency in guide.agencies for branch in (None, *agency.branches)]


def event_rows(guide: Guide, words: Language, english: Language | None, today: date) -> list[dict[str, str]]:
    """Each program's dated sessions and its groups' coming meetings, in date order per program."""
    rows, calendar = Rows(guide, words), Calendar.for_site(guide.site)
    until = today + timedelta(days=HORIZON_DAYS)  # as far ahead as the calendar feeds
    result = []
    for program in guide.programs:
        dates = [(s.date, s.times, s.venue, s.note) for s in program.schedule.sessions]
        if program.phase(today) != "ended":
            last = last_meeting_day(program, until)
            listed = {s.date for s in program.schedule.sessions}  # a session on a meeting day is that meeting
            for rule in program.schedule.recurrence:
                meetings = [day for day in meeting_dates(rule, calendar, today, last) if day not in listed]
                dates += [(day, times, None, rule.note) for times in rule.times for day in meetings]
        result += [rows.event(program, english, *entry) for entry in sorted(dates, key=lambda d: (d[0], d[1] or ""))]
    return result
