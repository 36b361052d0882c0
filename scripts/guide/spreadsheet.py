"""The spreadsheet form of agencies and programs: its columns, how each value is written in a cell
and read back from one (hours, schedules, full-width digits), and the files.

`guide import` and `guide export` share this module, so what export writes is exactly what import
reads back.  Columns are found by their Japanese headers, with the variants cities use
(機関名/名称/窓口名, 電話/電話番号/TEL …), or by a mapping file.  `.xlsx` goes through openpyxl;
`.csv` is read as UTF-8 or Shift_JIS (cities send both) and written as UTF-8 with a BOM, which Excel opens.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from itertools import groupby
from datetime import date, datetime, time
from pathlib import Path

from pydantic import ValidationError

from . import sheetguard as guard
from .i18n import N_
from .model import WEEKDAYS, Hours, Phone, Recurrence, Schedule, Session, Text, time_range_minutes
from .sheetguard import SheetError  # noqa: F401 - read_sheet raises it: callers catch it from here
from .yamlfile import write_atomically

# field -> header variants; the first is what export writes.  Staff-only fields are never exported.
AGENCY_COLUMNS: dict[str, list[str]] = {
    "id": ["ID", "機関ID"],
    "service_id": ["相談内容ID"],
    "list_number": ["No.", "No", "NO", "番号", "№"],
    # 相談項目 is the concern and 相談内容 the service, as in the city's list; a sheet with a 分野 column
    # for the concern uses 相談項目 for the service (a header may name either: see find_columns).
    "categories": ["相談項目", "分野", "相談分野", "相談項目の分野", "カテゴリ"],
    "description": ["相談内容", "内容", "相談項目"],
    "audiences": ["対象", "対象者"],
    "name": ["機関名", "名称", "窓口名", "相談機関名", "相談機関", "相談窓口", "窓口", "担当課", "担当窓口"],
    "kana": ["よみ", "読み", "ふりがな", "フリガナ", "よみがな"],
    "postal_code": ["郵便番号", "〒"],
    "street": ["所在地", "住所"],
    "building": ["建物", "建物名"],
    "phone": ["電話", "電話番号", "TEL", "連絡先"],
    "fax": ["FAX", "ファックス", "FAX番号"],
    "hours": ["受付時間", "開庁時間", "相談時間", "開所時間", "受付日時"],
    "email": ["メール", "メールアドレス", "E-mail", "Email"],
    "url": ["ウェブサイト", "ホームページ", "URL", "HP"],
    "areas_served": ["担当地区", "担当区域", "担当地域", "地区", "区域", "圏域"],
    "owner": ["担当部署", "所管課", "担当課"],
    "source": ["出典"],
    "last_verified": ["最終確認日"],
    "extension": ["内線", "内線番号"],
    "staff": ["担当者", "担当者名", "担当", "主", "副", "主担当", "副担当", "主/副"],
}
PROGRAM_COLUMNS: dict[str, list[str]] = {
    "id": ["ID", "プログラムID"],
    "name": ["名称", "プログラム名", "教室名", "事業名", "名前"],
    "kana": ["よみ", "読み", "ふりがな", "フリガナ"],
    "kind": ["種類", "種別"],
    "categories": ["分野"],
    "venue": ["会場", "場所", "開催場所"],
    "schedule": ["日程", "開催日", "日時", "開催日時"],
    "audience": ["対象", "参加できる方", "対象者"],
    "cost": ["費用", "参加費", "料金"],
    "capacity": ["定員"],
    "how_to_apply": ["申込方法", "申込み", "申し込み"],
    "organiser": ["主催", "実施主体", "主催者"],
    "contact": ["問い合わせ先", "問合せ先", "問い合わせ", "連絡先"],
    "url": ["ウェブサイト", "ホームページ", "URL"],
    "source": ["出典"],
    "last_verified": ["最終確認日"],
}
STAFF_ONLY = ("extension", "staff")
# A header that mentions an extension (連絡先（内線）, Ext.) is staff-only whatever else it says.
EXTENSION_HEADER = re.compile(r"内線|\bext(?:ension)?\b", re.I)
# Fields one column may not carry alone: several columns add up (担当者（主）, 担当者（副）).
MULTI_COLUMN = ("staff",)

DAY_NAMES = dict(zip(WEEKDAYS, "月火水木金土日", strict=True))
SEPARATOR = "、"
# The language of the city's spreadsheet: its cells are Japanese, whatever languages the guide has.
SHEET_LANGUAGE = "ja"


# --- reading ---------------------------------------------------------------------------


@dataclass
class Sheet:
    """A table as read: its cells (row-major, 1-based row numbers kept), where it came from."""

    file: str  # as shown in messages
    name: str | None  # the worksheet, for .xlsx
    encoding: str | None  # for .csv: UTF-8 or Shift_JIS
    rows: list[tuple[int, list[str]]] = field(default_factory=list)

    def where(self, row: int, column: int | None = None) -> str:
        return guard.place(self.file, self.name, row, column)


def read_sheet(path: Path, display: str, sheet_name: str | None = None, messages=lambda s: s) -> Sheet:
    _ = messages
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path, display, _)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, display, sheet_name, _)
    raise SheetError(_("{file}: cannot read {suffix} files (save the table as .xlsx or .csv)").format(file=display, suffix=suffix or "?"))


def _read_csv(path: Path, display: str, _) -> Sheet:
    guard.check_file(path, display, _)
    for encoding, name in (("utf-8-sig", "UTF-8"), ("cp932", "Shift_JIS")):  # cp932: Shift_JIS as Windows writes it (①, ㈱ …)
        try:
            return _read_csv_as(path, display, encoding, name, _)
        except UnicodeDecodeError:
            continue
    line = _first_line_not_utf8(path)  # where it stops being UTF-8, the encoding asked for
    raise SheetError(_("{file}:{line}: neither UTF-8 nor Shift_JIS (save the CSV as UTF-8)").format(file=display, line=line))


def _read_csv_as(path: Path, display: str, encoding: str, name: str, _) -> Sheet:
    """Row by row, so a long file is refused at the limit, not read whole; CRLF and CR read as LF."""
    sheet = Sheet(display, None, name)
    with path.open(encoding=encoding, newline=None) as text:
        reader = csv.reader(text)
        start = 1
        try:
            for cells in reader:
                guard.check_csv_row(display, start, len(sheet.rows) + 1, cells, _)
                sheet.rows.append((start, [c.strip() for c in cells]))
                start = reader.line_num + 1
        except csv.Error as err:
            raise SheetError(f"{display}:{start}: " + _("cannot be read as CSV ({detail}) (save the table again as CSV)").format(detail=err)) from None
    return sheet


def _first_line_not_utf8(path: Path) -> int:
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    with path.open("rb") as raw:
        for chunk in iter(lambda: raw.read(1 << 16), b""):
            pending = decoder.getstate()[0]
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                return line + (pending + chunk)[: err.start].count(b"\n")
            line += chunk.count(b"\n")
    return line


def _read_xlsx(path: Path, display: str, sheet_name: str | None, _) -> Sheet:
    extents = guard.check_workbook(path, display, _)
    from openpyxl import load_workbook  # noqa: PLC0415 - only when reading a workbook

    try:
        book = load_workbook(path, data_only=True)
    except Exception as err:  # noqa: BLE001 - a file from outside through openpyxl: whatever fails is the file's
        raise SheetError(_("{file}: not a readable .xlsx workbook ({detail})").format(file=display, detail=err)) from None
    if sheet_name and sheet_name not in book.sheetnames:
        raise SheetError(_("{file}: no sheet named {sheet} (sheets: {sheets})").format(file=display, sheet=sheet_name, sheets=", ".join(book.sheetnames)))
    ws = book[sheet_name] if sheet_name else book.worksheets[0]
    rows, columns = extents.get(ws.title, (0, 0))
    merged = [m for m in ws.merged_cells.ranges if m.min_row <= rows and m.min_col <= columns]
    rows, columns = max([rows, *(m.max_row for m in merged)]), max([columns, *(m.max_col for m in merged)])
    guard.check_table(display, ws.title, rows, columns, _)
    grid = [[cell_text(c) for c in row] for row in ws.iter_rows(max_row=rows, max_col=columns, values_only=True)] if rows else []
    # A merged cell holds its value in the top-left cell only: every cell it covers means the same.
    for cells in merged:
        value = grid[cells.min_row - 1][cells.min_col - 1]
        for r in range(cells.min_row - 1, cells.max_row):
            for c in range(cells.min_col - 1, cells.max_col):
                grid[r][c] = value
    return Sheet(display, ws.title, None, [(number, cells) for number, cells in enumerate(grid, start=1)])


def cell_text(value: object) -> str:
    """A cell's value as text: whole numbers without ".0", dates as 2026-04-01, times as 8:30."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return f"{value.hour}:{value.minute:02d}"
    return str(value).strip()


# --- columns -------------------------------------------------------------------------


def header_key(text: str) -> str:
    """A header as compared: width-folded, without spaces, line breaks and ※ marks."""
    return re.sub(r"[\s※*＊]", "", unicodedata.normalize("NFKC", text))


@dataclass
class Columns:
    """Which column holds which field, found on the header row(s)."""

    header_rows: list[int]
    fields: dict[int, str]  # column index (0-based) -> field
    ignored: list[tuple[int, str]]  # (column index, header) matched to nothing
    headers: dict[int, str] = field(default_factory=dict)  # column index -> its header as written
    area_codes: dict[int, str] = field(default_factory=dict)  # 「電話番号 (012)」: the area code of the column's local numbers

    def columns_of(self, name: str) -> list[int]:
        return [c for c, f in self.fields.items() if f == name]

    def mapping(self) -> dict[str, str]:
        """The columns as a --columns mapping: {header: field}."""
        return {self.headers[c]: f for c, f in sorted(self.fields.items())}


# 「電話番号 (012)」「TEL(012)」: the area code printed once in the header.
_HEADER_AREA_CODE = re.compile(r"[(（]\s*(0\d{1,4})\s*[)）]\s*$")


def find_columns(sheet: Sheet, spec: dict[str, list[str]], mapping: dict[str, str] | None = None, search_rows: int = 10) -> Columns | None:
    """The header row (the one of the first rows naming most known fields) and each column's field.

    A two-row header (a merged 連絡先 over 電話 and 内線) is read from both rows.  A header that
    may name two fields (相談項目: the concern, or the service beside a 分野 column) names the
    first that no other header of the row names."""
    variants: dict[str, list[str]] = {}
    for name, vs in spec.items():
        for v in vs:
            variants.setdefault(header_key(v), []).append(name)
    variants.update({header_key(k): [v] for k, v in (mapping or {}).items()})

    def fields_of(text: str) -> list[str]:
        key = header_key(text)
        bare = re.sub(r"[(（][^)）]*[)）]$", "", key)  # 電話番号（代表） → 電話番号
        names = variants.get(key) or variants.get(bare) or []
        if names and not set(names) & set(STAFF_ONLY) and EXTENSION_HEADER.search(unicodedata.normalize("NFKC", text)):
            return ["extension"] if "extension" in spec else []  # never a public field
        return names

    def score(cells: list[str]) -> int:
        return len({header_key(c) for c in cells if c and fields_of(c)})  # the known headers a row holds

    best, best_score = None, 1
    for index, (_, cells) in enumerate(sheet.rows[:search_rows]):
        if score(cells) > best_score:
            best, best_score = index, score(cells)
    if best is None:
        return None
    if best > 0 and score(sheet.rows[best - 1][1]) >= 2:
        best -= 1  # the upper row of a two-row header
    header_rows = [best]
    cells = sheet.rows[best][1]
    below = sheet.rows[best + 1][1] if best + 1 < len(sheet.rows) else []
    if any(c and fields_of(c) and c != (cells[i] if i < len(cells) else "") for i, c in enumerate(below)):
        header_rows.append(best + 1)
    labels = {}
    for column, text in enumerate(cells):
        lower = below[column] if len(header_rows) > 1 and column < len(below) else ""
        labels[column] = lower if lower and fields_of(lower) else text
    candidates = {c: fields_of(label) for c, label in labels.items() if label}
    claimed = {names[0] for names in candidates.values() if len(names) == 1}
    fields: dict[int, str] = {}
    ignored: list[tuple[int, str]] = []
    for column in sorted(candidates, key=lambda c: (len(candidates[c]) > 1, c)):  # the headers that name one field first
        names = candidates[column]
        free = [n for n in names if n in MULTI_COLUMN or (n not in fields.values() and (len(names) == 1 or n not in claimed))]
        if free:
            fields[column] = free[0]
        else:
            ignored.append((column, labels[column]))
    area_codes = {c: m[1] for c in fields if (m := _HEADER_AREA_CODE.search(unicodedata.normalize("NFKC", labels[c])))}
    return Columns([sheet.rows[r][0] for r in header_rows], dict(sorted(fields.items())), sorted(ignored), {c: labels[c] for c in fields}, area_codes)


# --- what the sheet says about itself: its title and its date ---------------------------------

_ERAS = {"令和": 2018, "平成": 1988, "R": 2018, "H": 1988}
_SHEET_DATE = re.compile(
    r"(?:ver\.?\s*|版\s*)?(?P<era>令和|平成|R|H)?\s*(?P<year>\d{1,4}|元)\s*[年./\-]\s*(?P<month>\d{1,2})\s*[月./\-]\s*(?P<day>\d{1,2})\s*日?", re.I)


def date_in(text: str) -> date | None:
    """「ver.2018.11.1」「令和4年4月1日現在」「R4.4.1」「2026/4/1」 as a date; None when the text holds none."""
    match = _SHEET_DATE.search(folded(text))
    if not match:
        return None
    year = 1 if match["year"] == "元" else int(match["year"])
    era = match["era"].upper() if match["era"] and match["era"] in "rRhH" else match["era"]
    if era:
        year += _ERAS[era]
    elif year < 1900:
        return None
    try:
        return date(year, int(match["month"]), int(match["day"]))
    except ValueError:
        return None


def outside_table(sheet: Sheet, columns: Columns) -> list[tuple[int, str]]:
    """(row, text) of the lines around the table: above its header, and rows of a single cell (a box below it)."""
    lines = []
    for number, cells in sheet.rows:
        values = list(dict.fromkeys(c for c in cells if c))  # a merged box repeats its text in every cell
        if number < columns.header_rows[0] or (number > columns.header_rows[-1] and len(values) == 1):
            lines += [(number, v) for v in values]
    return lines


def sheet_title(sheet: Sheet, columns: Columns) -> str | None:
    """The first line above the header that is not only a date: 「相談機関一覧」 (a date in brackets after it left out)."""
    for number, text in outside_table(sheet, columns):
        title = re.sub(r"[(（][^()（）]*[)）]", lambda part: "" if date_in(part[0]) else part[0], text)
        if number < columns.header_rows[0] and re.sub(_SHEET_DATE, "", folded(title)).strip(" .現在版ver"):
            return re.sub(r"\s+", " ", title).strip()
    return None


def sheet_date(sheet: Sheet, columns: Columns) -> tuple[date, int, str] | None:
    """The date the sheet gives for itself (ver.2018.11.1, 令和4年4月1日現在): (date, row, text)."""
    for number, text in outside_table(sheet, columns):
        found = date_in(text)
        if found:
            return found, number, text
    return None


# --- values in cells (export writes these; import compares with them) -----------------------


def text_cell(value: Text | None) -> str:
    return (value.get(SHEET_LANGUAGE) or "") if value is not None else ""


def days_cell(days: list[str]) -> str:
    """mon..fri → 月～金; mon, wed → 月・水 (three or more days in a row as a range)."""
    indexes = sorted({WEEKDAYS.index(d) for d in days})
    runs = [[WEEKDAYS[i] for _, i in run] for _, run in groupby(enumerate(indexes), key=lambda pair: pair[1] - pair[0])]
    return "・".join(DAY_NAMES[r[0]] + "～" + DAY_NAMES[r[-1]] if len(r) >= 3 else "・".join(DAY_NAMES[d] for d in r) for r in runs)


def times_cell(times: list[str]) -> str:
    def clock(minutes: int) -> str:
        return f"{minutes // 60}:{minutes % 60:02d}"

    return "／".join(f"{clock(s)}～{clock(e)}" for s, e in map(time_range_minutes, times))


def hours_cell(hours: Hours | None) -> str:
    """月～金 8:30～17:15（祝日・年末年始休み）; the note when no hours are published."""
    if hours is None:
        return ""
    if hours.status != "published":
        return text_cell(hours.note)
    rules = SEPARATOR.join(f"{days_cell(r.days)} {times_cell(r.times)}" for r in hours.weekly)
    closed = [word for word, flag in (("祝日", hours.closed_on_public_holidays), ("年末年始", hours.closed_year_end)) if flag]
    opened = [word for word, flag in (("祝日", hours.closed_on_public_holidays), ("年末年始", hours.closed_year_end)) if flag is False]
    notes = ([("・".join(closed)) + "休み"] if closed else []) + ([("・".join(opened)) + "も受付"] if opened else [])
    return rules + (f"（{SEPARATOR.join(notes)}）" if notes else "")


def phones_cell(phones: list[Phone], kind: str) -> str:
    return SEPARATOR.join(p.number + (f"（{text_cell(p.label)}）" if p.label else "") for p in phones if p.kind == kind)


def schedule_cell(schedule: Schedule) -> str:
    """毎週水 10:00～11:30、毎月第2・第4火 13:30～15:00、年4回、2026-12-01 10:00～12:00、日程は後日お知らせ."""
    parts = []
    for rule in schedule.recurrence:
        if rule.frequency == "weekly":
            text = "毎週" + days_cell(rule.days)
        elif rule.frequency == "monthly":
            text = "毎月" + "・".join(f"第{n}" for n in rule.nth) + days_cell(rule.days)
        else:
            text = f"年{rule.times_per_year}回"
        parts.append(" ".join(p for p in (text, times_cell(rule.times)) if p))
    parts += [" ".join(p for p in (s.date.isoformat(), times_cell([s.times]) if s.times else "") if p) for s in schedule.sessions]
    if schedule.dates_announced_later:
        parts.append("日程は後日お知らせ")
    if schedule.note:
        parts.append(text_cell(schedule.note))
    return SEPARATOR.join(parts)


def sources_cell(refs) -> str:
    return "; ".join(f"{r.document} {r.section}" for r in refs)


# --- cells read back: written forms into values ---------------------------------------------

# An extension written in a phone cell: 「（内線7291）」「内線 7291」「ext. 12」「内 1234」 (after folding).
_EXTENSION = re.compile(r"[(（][^()（）]*(?:内線|内\s*\d|\bext\b|\bextension\b)[^()（）]*[)）]"
                        r"|(?:内線|\bext\b\.?|\bextension\b|(?<![一-龥])内)\s*[:：.]?\s*\d[\d\-]*", re.I)  # not the 内 of 市内, 館内


def split_extension(cell: str) -> tuple[str, list[str]]:
    """A phone cell without the extensions written in it, and those extensions (staff-only)."""
    found = [m[0] for m in _EXTENSION.finditer(folded(cell))]
    if not found:
        return cell, []
    rest = _EXTENSION.sub("", folded(cell))
    numbers = [re.search(r"\d[\d\-]*", f) for f in found]
    words = [re.sub(r"^[(（]|[)）]$", "", f).strip() for f in found]
    return re.sub(r"[ \t]+(?=[、,，/／\n]|$)", "", rest).strip(), [n[0] if n else w for n, w in zip(numbers, words, strict=True)]


def folded(text: str) -> str:
    """Full-width digits and letters to ASCII, one kind of dash and tilde: for numbers, times, dates."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[‐‑‒–—―−ｰ－ー](?=\d)|(?<=\d)[‐‑‒–—―−ｰ－ー]", "-", text)
    return text.replace("〜", "~").replace("～", "~")



# --- hours and schedules in words -------------------------------------------------------------------

_DAY = "[月火水木金土日]"
_DAYS = rf"(?:平日|毎日|{_DAY}(?:曜日?)?(?:[~\-・,、]?{_DAY}(?:曜日?)?)*)"
_CLOCK = r"(\d{1,2})(?::|時)(\d{2})?分?"
_TIME = rf"{_CLOCK}\s*(?:~|-|から)\s*{_CLOCK}"
# 「土日祝休み」「祝日・年末年始を除く」「年末年始は休館」: what is closed.
_CLOSED = re.compile(r"((?:[月火水木金土日祝]|曜日?|祝日|休日|年末年始|振替休日|・|、|及び|および)+)(?:は|を)?(?:休み|休館|休所|休業|閉庁|閉所|除く|休)")
_OPEN = re.compile(r"(祝日|休日|年末年始)(?:も|を含む)(?:受付|開庁|開所|開館|相談)?")


def _days(spec: str) -> list[str]:
    if spec == "平日":
        return list(WEEKDAYS[:5])
    if spec == "毎日":
        return list(WEEKDAYS)
    spec = re.sub(r"曜日?", "", spec)
    days: list[str] = []
    for run in re.split(r"[・,、]", spec):
        ends = re.split(r"[~\-]", run)
        if len(ends) == 2 and ends[0] and ends[1]:
            a, b = "月火水木金土日".index(ends[0]), "月火水木金土日".index(ends[1])
            days += list(WEEKDAYS[a : b + 1])
        else:
            days += [WEEKDAYS["月火水木金土日".index(ch)] for ch in run]
    return days


def _clock(hours: str, minutes: str | None) -> str:
    return f"{int(hours):02d}:{int(minutes or 0):02d}"


HOLIDAYS_UNSTATED = N_("public holidays and the year-end closure are not stated")


def parse_hours(text: str, assume_closed: bool) -> tuple[Hours | None, str]:
    """平日 8:30~17:15, 月~金 9時～16時（土日祝休み）… as structured hours, or (None, why not); the reason
    is HOLIDAYS_UNSTATED with the hours, too, when they leave holidays or the year-end unsaid."""
    t = re.sub(r"\s+", " ", folded(text))
    holidays = year_end = None
    for match in _CLOSED.finditer(t):
        holidays = True if ("祝" in match[1] or "休日" in match[1]) else holidays
        year_end = True if "年末年始" in match[1] else year_end
    for match in _OPEN.finditer(t):
        holidays = False if match[1] in ("祝日", "休日") else holidays
        year_end = False if match[1] == "年末年始" else year_end
    t = _OPEN.sub(" ", _CLOSED.sub(" ", t))
    rules: list[tuple[list[str], list[str]]] = []
    pos = 0
    token = re.compile(rf"(?P<days>{_DAYS})|(?P<time>{_TIME})|(?P<sep>[\s、,/／()（）・。]+|毎週)")
    while pos < len(t):
        match = token.match(t, pos)
        if not match:
            return None, N_("words other than days and times")
        if match["days"]:
            if match["days"] == "平日" and holidays is None:
                holidays = True  # 平日: public holidays are not weekdays
            rules.append((_days(match["days"]), []))
        elif match["time"]:
            if not rules:
                return None, N_("times without days")
            start, end = _clock(match[3], match[4]), _clock(match[5], match[6])
            rules[-1][1].append(f"{start}-{end}")
        pos = match.end()
    rules = [r for r in rules if r[1]]
    if not rules:
        return None, N_("no days and times")
    if assume_closed:
        holidays = True if holidays is None else holidays
        year_end = True if year_end is None else year_end
    unstated = HOLIDAYS_UNSTATED if holidays is None or year_end is None else ""  # never guessed: left unsaid
    try:
        return Hours(weekly=[{"days": d, "times": ts} for d, ts in rules], closed_on_public_holidays=holidays, closed_year_end=year_end), unstated
    except ValidationError as err:
        if unstated and any(e["type"] == "hours_flags_missing" for e in err.errors()):
            return None, unstated  # a model whose published hours must say both
        return None, N_("a time that does not exist or closes before it opens")


def parse_schedule(text: str) -> Schedule:
    """毎週水 10:00～11:30、毎月第2・第4火 …、年4回、2026-12-01 10:00～12:00: parts not understood stay as the note."""
    recurrence, sessions, later, rest = [], [], False, []
    for written in re.split(r"[、\n]", text):
        part = folded(written).strip()
        times = [f"{_clock(m[1], m[2])}-{_clock(m[3], m[4])}" for m in re.finditer(_TIME, part)]
        bare = re.sub(_TIME, "", part).replace("/", "").strip()
        weekly = re.fullmatch(rf"毎週({_DAYS})?", bare)
        monthly = re.fullmatch(rf"毎月((?:第[1-5]・?)+)({_DAYS})", bare)
        yearly = re.fullmatch(r"年(\d+)回", bare)
        session = re.fullmatch(r"(\d{4}-\d{2}-\d{2})", bare)
        try:
            if weekly:
                recurrence.append(Recurrence(frequency="weekly", days=_days(weekly[1]) if weekly[1] else [], times=times))
            elif monthly:
                nth = [int(n) for n in re.findall(r"第([1-5])", monthly[1])]
                recurrence.append(Recurrence(frequency="monthly", nth=nth, days=_days(monthly[2]), times=times))
            elif yearly and not times:
                recurrence.append(Recurrence(frequency="yearly", times_per_year=int(yearly[1])))
            elif session and len(times) <= 1:
                sessions.append(Session(date=date.fromisoformat(session[1]), times=times[0] if times else None))
            elif bare == "日程は後日お知らせ" and not times:
                later = True
            elif part:
                rest.append(written.strip())
        except (ValidationError, ValueError):
            rest.append(written.strip())
    note = Text({SHEET_LANGUAGE: SEPARATOR.join(rest)}) if rest else None
    return Schedule(recurrence=recurrence, sessions=sessions, dates_announced_later=later, note=note)


# --- writing -------------------------------------------------------------------------


def write_sheet(path: Path, title: str, headers: list[str], rows: list[list[str]], encoding: str = "utf-8-sig") -> None:
    """Write the table as .xlsx (every cell text, so Excel keeps leading zeros, for example 012-…) or .csv."""
    if path.suffix.lower() == ".csv":
        out = io.StringIO(newline="")
        csv.writer(out, lineterminator="\r\n").writerows([headers, *rows])
        write_atomically(path, out.getvalue().encode(encoding))
        return
    from openpyxl import Workbook  # noqa: PLC0415
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    book = Workbook()
    ws = book.active
    ws.title = title
    for values in [headers, *rows]:
        ws.append(values)
    for row in ws.iter_rows():
        for cell in row:
            cell.number_format = "@"
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        longest = max([len(header), *(len(r[index - 1]) for r in rows)] if rows else [len(header)])
        ws.column_dimensions[get_column_letter(index)].width = min(60, 4 + longest * 2)
    saved = io.BytesIO()
    book.save(saved)
    write_atomically(path, saved.getvalue())
