"""自治体標準オープンデータセット CSV: 公共施設一覧 (agencies and branches) and イベント一覧 (dated sessions).

UTF-8 with BOM, the standard's Japanese header row in the standard's order; the column
lists are data (`standards/*.csv`, with where each was read).  Always in Japanese, the
standard's language; 名称_英語 only when the city gave the English name.  A cell the
documents say nothing about stays empty; 内線番号 is always empty (extensions are
staff-only).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from ..model import WEEKDAYS, Agency, Branch, Guide, Hours, Program, time_range_minutes
from .common import Language, katakana

STANDARDS = Path(__file__).resolve().parent.parent / "standards"
FACILITIES = "public_facilities"
EVENTS = "events"
WEEKDAY_KANJI = dict(zip(WEEKDAYS, "月火水木金土日", strict=True))


def columns(standard: str) -> list[str]:
    """The header row of a standard dataset, in order, from standards/<name>.csv."""
    with (STANDARDS / f"{standard}.csv").open(encoding="utf-8") as handle:
        rows = csv.DictReader(line for line in handle if not line.startswith("#"))
        return [row["name"] for row in sorted(rows, key=lambda r: int(r["position"]))]


def write_csv(standard: str, rows: list[dict[str, str]]) -> bytes:
    header = columns(standard)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\r\n", extrasaction="raise")
    writer.writeheader()
    for row in rows:  # a key the standard's list does not have is an error (extrasaction="raise")
        writer.writerow(dict.fromkeys(header, "") | row)
    return out.getvalue().encode("utf-8-sig")


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _hours_cells(hours: Hours | None, words: Language) -> dict[str, str]:
    """利用可能曜日, 開始時間, 終了時間 and 利用可能日時特記事項 of published hours."""
    if hours is None or hours.status != "published":
        return {"利用可能日時特記事項": words.text(hours.note) if hours and hours.note else ""}
    days = [d for d in WEEKDAYS if any(d in rule.days for rule in hours.weekly)]
    ranges = sorted({time_range_minutes(t) for rule in hours.weekly for t in rule.times})
    cells = {"利用可能曜日": ",".join(WEEKDAY_KANJI[d] for d in days)}
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


def facility_rows(guide: Guide, words: Language, english: Language | None) -> list[dict[str, str]]:
    code = guide.site.city.local_government_code or ""  # its check digit is checked on load
    city = words.text(guide.site.city.prefecture) + words.text(guide.site.city.name)
    areas = {a.id: a for a in guide.areas.areas}
    sources = {s.id: s for s in guide.sources.sources}
    rows = []

    def row(agency: Agency, branch: Branch | None) -> dict[str, str]:
        place = branch or agency
        name = words.text(branch.name) if branch and branch.name else words.text(agency.name)
        if branch and not branch.name:
            name = f"{name}（{words.text(areas[branch.area].name)}）"
        address = place.address if branch else agency.address
        location = ""
        if address:
            ward = words.text(areas[address.ward].name) if address.ward in areas else ""
            location = " ".join(p for p in (city + ward + words.text(address.street), words.text(address.building)) if p)
        phones = place.phones or agency.phones
        note = "; ".join(f"{words.text(sources[ref.document].title)} {ref.section}" for ref in (place.source or agency.source))
        return {
            "全国地方公共団体コード": code,
            "ID": f"{agency.id}/{branch.id}" if branch else agency.id,
            "地方公共団体名": city,
            "名称": name,
            "名称_カナ": katakana(agency.kana) if not branch else "",
            "名称_英語": english.official(branch.name if branch else agency.name) if english else "",
            "所在地_連結表記": location,
            "電話番号": _first(phones, "voice"),
            "内線番号": "",
            "FAX番号": _first(phones, "fax"),
            **_hours_cells(place.hours or agency.hours, words),
            "説明": words.text(agency.summary) or "、".join(words.text(s.description) for s in agency.services),
            "URL": place.url or agency.url or "",
            "備考": words.gettext("Source: %(source)s; last verified %(date)s", source=note, date=agency.last_verified.isoformat()),
        }

    for agency in guide.agencies:
        rows.append(row(agency, None))
        rows += [row(agency, branch) for branch in agency.branches]
    return rows


def event_rows(guide: Guide, words: Language, english: Language | None) -> list[dict[str, str]]:
    code = guide.site.city.local_government_code or ""  # its check digit is checked on load
    city = words.text(guide.site.city.prefecture) + words.text(guide.site.city.name)
    agencies = {a.id: a for a in guide.agencies}
    rows = []
    for program in guide.programs:
        rows += [_event_row(program, session, code, city, agencies, words, english) for session in program.schedule.sessions]
    return rows


def _event_row(program: Program, session, code: str, city: str, agencies: dict, words: Language, english: Language | None) -> dict[str, str]:
    contact = agencies.get(program.contact or program.organiser or "")
    organiser = words.text(agencies[program.organiser].name) if program.organiser else words.text(program.organiser_name)
    start = end = ""
    if session.times:
        a, b = time_range_minutes(session.times)
        start, end = _clock(a), _clock(b)
    description = " ".join(words.text(t) for t in (program.description, session.note) if t)
    return {
        "全国地方公共団体コード": code,
        "ID": f"{program.id}/{session.date.isoformat()}",
        "地方公共団体名": city,
        "イベント名": words.text(program.name),
        "イベント名_カナ": katakana(program.kana),
        "イベント名_英語": english.official(program.name) if english else "",
        "開始日": session.date.isoformat(),
        "終了日": session.date.isoformat(),
        "開始時間": start,
        "終了時間": end,
        "説明": description,
        "料金(基本)": words.text(program.cost),
        "場所名称": words.text(session.venue or program.venue),
        "住所": "",
        "連絡先名称": words.text(contact.name) if contact else "",
        "連絡先電話番号": _first(contact.phones, "voice") if contact else "",
        "主催者": organiser,
        "定員": str(program.capacity) if program.capacity else "",
        "参加申込方法": words.text(program.how_to_apply),
        "URL": program.url or "",
    }
