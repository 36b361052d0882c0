"""One row of a city's sheet, its cells interpreted: what each says, and what it only points to.

The rows below the header are read as `Row`s: a grouping cell written once (相談項目, 対象) is
carried down to the rows below it, a name broken over lines in its cell (Alt+Enter) is joined,
the hub mark in the No. column (the guide's own, or a sign printed before the number) marks the hub, an extension written
in a phone cell moves to the staff-only 内線, and a cell that points to another document
(<別紙>, （詳細別紙）, ※別表) is left empty with a note of where it pointed, which the record keeps
as `to_confirm`.  Every message names the sheet, row and column, and says what to do.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from pydantic_core import PydanticCustomError

from . import spreadsheet as sp
from .formulas import restored
from .messages import format_problem
from .model import Guide, Hours, Phone, Text
from .phones import parse_phone
from .problems import Problem
from .terminal import CONTROL_CHARACTERS

# 「（詳細別紙）」「<別紙>」「※別表」「別紙参照」: the fact is in another document, not in this cell.
ELSEWHERE = re.compile(
    r"[(（<＜〈][^()（）<>＜＞〈〉]*(?:別紙|別添|別表)[^()（）<>＜＞〈〉]*[)）>＞〉]"
    r"|※\s*(?:別紙|別添|別表)\S*"
    r"|^(?:詳細は)?(?:別紙|別添|別表)(?:参照|のとおり)?$"
)
NOT_CLEANED = ("id", "service_id", "source", "last_verified", *sp.STAFF_ONLY)
# Fields of one line: a line break typed into the cell (Alt+Enter, to fit the column) is joined.
ONE_LINE = ("name", "kana", "street", "building", "postal_code", "owner", "venue", "organiser", "contact", "kind")
# Fields written once for a group of rows (a merged or blank cell below) in a list of agencies:
# carried down.  The concern, which every service has (so a blank cannot mean "none"); 対象 too
# where it is what the list is grouped by (no concern column).  A program may have no category.
CARRIED = {"agencies": ("categories",), "programs": ()}
GROUPING_INSTEAD = ("audiences",)
# A guide without a hub mark of its own: a sign printed before the No. (a geometric shape or another
# symbol, U+25A0–U+26FF) marks the row of its category's hub, whichever sign the city uses.
PRINTED_MARK = "[\u25a0-\u25ff\u2600-\u26ff]"
NOT_LISTED = ("-", "ー", "―", "—", "なし", "無")
# 「【担当部署】〇〇市 福祉部 福祉課」「担当課：…」「問い合わせ先: …」: a box beside the table naming who keeps it.
OWNER_BOX = re.compile(r"^\s*[【\[［(（<＜]?\s*(?:担当部署|担当課|所管課|問い?合わ?せ先)\s*[】\]］)）>＞]?\s*[:：]?\s*(?P<owner>\S.*)$", re.S)


@dataclass
class Messages:
    """What the import found, each located: file[sheet]:row:column: what (how to fix)."""

    lines: list[str] = field(default_factory=list)
    errors: int = 0

    def add(self, where: str, text: str, *, error: bool = False) -> None:
        self.lines.append(f"{where}: {text}")
        self.errors += error


@dataclass
class Row:
    """One data row: its number and the text of each field's cell (None: the table has no such column)."""

    sheet: sp.Sheet
    number: int
    cells: dict[str, str | None]
    columns: dict[str, int]
    staff: list[str]
    hub: str = ""  # the mark of its category's hub, as printed in the No. column, or ""
    doubts: list[str] = field(default_factory=list)  # what to confirm with the city, in the guide's language

    def where(self, name: str | None = None) -> str:
        return self.sheet.where(self.number, self.columns[name] + 1 if name in self.columns else None)


def label_key(text: str, mark: re.Pattern | None = None) -> str:
    """A category or kind as compared: width-folded, without brackets, spaces and 「について」."""
    text = unicodedata.normalize("NFKC", mark.sub("", text) if mark else text)
    text = re.sub(r"[\s「」『』()（）]", "", text)
    return re.sub(r"(について|のこと|に関すること)$", "", text).lower()


def name_key(text: str | None) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text or ""))


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as the spreadsheet shows it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def joined_lines(text: str) -> str:
    """「〇〇市役所⏎介護保険課」 → 「〇〇市役所介護保険課」; Latin words keep a space between them."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    out = lines[0] if lines else ""
    for line in lines[1:]:
        out += (" " if out[-1].isascii() and out[-1].isalnum() and line[0].isascii() and line[0].isalnum() else "") + line
    return out


class CellReader:
    """Reads the rows of one sheet, cell by cell, with the guide's words for what the cells mean."""

    def __init__(self, guide: Guide, sheet: sp.Sheet, columns: sp.Columns, *, gettext, data, lang: str):
        self.guide, self.sheet, self.columns = guide, sheet, columns
        self._, self.data, self.lang = gettext, data, lang  # data: the catalog of the guide's own language, for what is written into the data
        self.messages = Messages()
        hubs = guide.taxonomy.hubs
        declared = hubs.mark if hubs and hubs.mark else None
        self.mark_in_number = re.compile(rf"^\s*({re.escape(declared) if declared else PRINTED_MARK})\s*")
        # Elsewhere only the guide's own mark is one, with the number that may follow it (a sheet's 「◎1」).
        self.hub_mark = re.compile(re.escape(declared) + r"\s*\d*") if declared else None
        self.context = {"phone_region": guide.site.city.country, "area_code": guide.site.city.phone_area_code or ""}
        self.not_structured: list[str] = []
        self.holidays_unstated = 0
        self.owner, self.owner_row = None, None  # the 担当部署 box: the section that keeps every record of the sheet
        for number, text in sp.outside_table(sheet, columns):
            box = OWNER_BOX.match(text)
            if box and self.owner is None:
                self.owner, self.owner_row = joined_lines(box["owner"]), number
                self.messages.add(sheet.where(number), gettext("「{text}」 is read as the section in charge (担当部署) of every record of the sheet (owner)").format(text=self.owner))

    # --- rows

    def rows(self, kind: str, spec: dict[str, list[str]], is_category) -> list[Row]:
        """The data rows below the header; blank rows skipped, heading rows noted, grouping cells carried down."""
        last_header = self.columns.header_rows[-1]
        by_field: dict[str, int] = {}
        for column, name in self.columns.fields.items():
            by_field.setdefault(name, column)
        rows, heading, above = [], None, {}
        for number, cells in self.sheet.rows:
            if number <= last_header:
                continue
            values = {c for c in cells if c}
            if not values or number == self.owner_row:
                continue
            name_cell = cells[by_field["name"]] if "name" in by_field and by_field["name"] < len(cells) else ""
            if len(values) == 1 and (not name_cell or name_cell in values) and "categories" not in by_field:
                heading = self.heading(number, next(iter(values)), is_category)
                continue
            if len(values) == 1 and not name_cell:
                self.messages.add(self.sheet.where(number), self._("read as a note below the table, not a record: {text}").format(text=next(iter(values))))
                continue
            texts = {name: (restored(cells[column]) if column < len(cells) else "") for name, column in by_field.items()}
            for name in spec:
                texts.setdefault(name, None)
            if heading and texts.get("categories") is None:
                texts["categories"] = heading
            for name in CARRIED[kind] + (GROUPING_INSTEAD if kind == "agencies" and "categories" not in by_field else ()):  # 相談項目 written once for its group: the rows below it are in it too
                if texts.get(name) == "" and above.get(name):
                    texts[name] = above[name]
            above = texts
            staff = [cells[c] for c in self.columns.columns_of("staff") if c < len(cells) and cells[c]]
            for one in self.departments(number, texts, by_field):
                row = Row(self.sheet, number, one, by_field, staff)
                self.clean(row)
                rows.append(row)
        return rows

    def departments(self, number: int, texts: dict, by_field: dict[str, int]) -> list[dict]:
        """Two departments written in one row, each on its line with its phone on the same line of the
        phone cell, are two records; a name merely broken over lines (Alt+Enter) is one."""
        names = (texts.get("name") or "").splitlines()
        phones = (texts.get("phone") or "").splitlines()
        if len(names) < 2 or len(phones) != len(names):
            return [texts]
        self.messages.add(self.sheet.where(number, by_field["name"] + 1), self._("{n} departments in one cell, each with its phone: read as {n} records (check that they are separate counters)").format(n=len(names)))
        return [{**texts, "name": name, "phone": phone} for name, phone in zip(names, phones, strict=True)]

    def heading(self, number: int, text: str, is_category) -> str | None:
        """A row of one cell above records: a section heading such as 「病気・医療について」, or a note."""
        if is_category(text):
            return text
        self.messages.add(self.sheet.where(number), self._("read as a heading, not a record: {text}").format(text=text))
        return None

    def clean(self, row: Row) -> None:
        """Read the hub mark, join lines of one-line cells, and leave out what only points to another document."""
        _ = self._
        self.move_extensions(row)
        for name, text in row.cells.items():
            if text and CONTROL_CHARACTERS.search(text):  # pasted escape codes or bidi marks: never published
                self.messages.add(row.where(name), _("control characters were taken out of 「{text}」 (check the cell)").format(text=text))
                row.cells[name] = text = CONTROL_CHARACTERS.sub("", text)
            if not text or name in NOT_CLEANED:
                continue
            if name in ONE_LINE and "\n" in text:
                text = joined_lines(text)
            text = self.without_hub_mark(row, name, text)
            text = self.without_references(row, name, text)
            row.cells[name] = text

    def without_hub_mark(self, row: Row, name: str, text: str) -> str:
        """The cell without the hub mark, which marks the row's service as its category's hub (in the No. or name column)."""
        if name == "list_number":
            mark = self.mark_in_number.match(text)
            if mark:
                row.hub = mark[1]
                return text[mark.end() :].strip()  # the number after the mark is the row's
            return text
        mark = self.hub_mark.search(text) if self.hub_mark else None
        if not mark:
            return text
        if name == "name":
            row.hub = self.guide.taxonomy.hubs.mark
        else:
            self.messages.add(row.where(name), self._("the hub mark {mark} was taken out of this cell (mark a hub in the No. column)").format(mark=mark[0].strip()))
        return self.hub_mark.sub("", text).strip()  # a number after the mark is the hub's own, not the cell's

    def without_references(self, row: Row, name: str, text: str) -> str | None:
        """The cell without 「<別紙>」「（詳細別紙）」; one that only points elsewhere reads as not given."""
        elsewhere = ELSEWHERE.search(text)
        if not elsewhere:
            return text
        rest = (text[: elsewhere.start()] + text[elsewhere.end() :]).strip()
        note = elsewhere[0].strip()
        self.messages.add(row.where(name), self._("「{note}」: the fact is in another document, so it is left out (write it in the sheet)").format(note=note))
        row.doubts.append(self.data.gettext("「{header}」 (row {row}, column {column}) says 「{note}」: the fact is in another document; write it here").format(
            header=self.columns.headers.get(row.columns.get(name), name), row=row.number, column=column_letter(row.columns.get(name, 0)), note=note))
        return rest or None  # treated like a missing column: the current value stays

    def move_extensions(self, row: Row) -> None:
        """An extension written in the phone or FAX cell is staff-only: it joins the 内線 column, not a public label."""
        for name in ("phone", "fax"):
            if not row.cells.get(name):
                continue
            phone, extensions = sp.split_extension(row.cells[name])
            if extensions:
                row.cells[name] = phone
                given = [e for e in sp.folded(row.cells.get("extension") or "").split(sp.SEPARATOR) if e.strip()]
                row.cells["extension"] = sp.SEPARATOR.join(dict.fromkeys([*given, *extensions]))
                self.messages.add(row.where(name), self._("an extension (内線) in the phone cell is staff-only: it goes to data/private.yaml, not to the published number"))

    # --- values

    def phones(self, row: Row, name: str, kind: str, text: str | None) -> list[Phone]:
        """「345-6789 345-6790」「福祉課 012-345-6789⏎保険年金課 012-345-6790」「-」 as phones.

        A number that cannot be dialled is reported as `guide check` words it and left out; the
        record is imported all the same, with what to confirm."""
        if not text:
            return []
        area_code = self.columns.area_codes.get(row.columns.get(name))
        result = []
        for part in re.split(r"[、,，/／\n]|(?<=\d)\s+(?=[+0-9(（])", sp.folded(text)):
            part = part.strip()
            if not part or part in NOT_LISTED:
                continue
            written = PHONE_WRITTEN.fullmatch(part)
            number = written["number"].strip() if written else part
            label = (written["paren"] or written["label"].strip(" :：")) if written else None
            if area_code and not number.startswith(("0", "+")):
                number = f"{area_code}-{number}"  # 「電話番号 (012)」 over 「345-6789」
            try:
                parse_phone(number, self.context["phone_region"], self.context["area_code"])
            except PydanticCustomError as err:
                problem = Problem(self.sheet.where(row.number).rsplit(":", 1)[0], row.number, row.columns.get(name, 0) + 1, err.type, err.context or {})
                self.messages.lines.append(format_problem(problem, self.lang) + " — " + self._("the record is imported without it"))
                row.doubts.append(self.data.gettext("「{header}」 (row {row}, column {column}): 「{number}」 is not a phone number; confirm it and write it with its area code").format(
                    header=self.columns.headers.get(row.columns.get(name), name), row=row.number, column=column_letter(row.columns.get(name, 0)), number=part))
                continue
            result.append(Phone(number=number, kind=kind, label=Text({sp.SHEET_LANGUAGE: label}) if label else None))
        return result

    def hours(self, row: Row, text: str) -> Hours:
        """Hours the model can hold, structured; any other stays the note, with what to confirm."""
        parsed, reason = sp.parse_hours(text, self.assume_closed)
        if reason == sp.HOLIDAYS_UNSTATED:
            self.holidays_unstated += 1  # said once in the summary, not for every row
        if parsed is not None:
            return parsed
        if reason != sp.HOLIDAYS_UNSTATED:
            self.not_structured.append(f"{row.where('hours')}: {text} — {self._(reason)}")
        row.doubts.append(self.data.gettext("hours 「{text}」: {reason}; confirm them and write them as 月～金 8:30～17:15（祝日・年末年始休み）").format(
            text=text, reason=self.data.gettext(reason)))
        return Hours(status="not_published", note=Text({sp.SHEET_LANGUAGE: text}))

    assume_closed = False  # set by the command line: the table's hours exclude holidays and the year-end closure

    def verified_date(self, row: Row) -> date | None:
        text = row.cells.get("last_verified")
        if not text:
            return None
        try:
            return date.fromisoformat(sp.folded(text).replace("/", "-"))
        except ValueError:
            self.messages.add(row.where("last_verified"), self._("{value} is not a date (write it as 2026-04-01)").format(value=text), error=True)
            return None

    def whole_number(self, row: Row, name: str, suffixes: tuple[str, ...] = ()) -> int | None:
        """A count or a No. written with full-width digits or a unit (２０名); anything else is reported and left out."""
        text = sp.folded(row.cells.get(name) or "").strip().rstrip(".")
        for suffix in suffixes:
            text = text.removesuffix(suffix)
        if text.isdigit():
            return int(text)
        if text:
            self.messages.add(row.where(name), self._("{value} is not a whole number: left out").format(value=row.cells[name]))
        return None


# 「福祉課 012-345-6789」「012-345-6789（代表）」「TEL: 012-345-6789」: a label, the number, a label in brackets.
PHONE_WRITTEN = re.compile(
    r"(?P<label>(?:(?!TEL|FAX|電話|℡)[^0-9+(（])*?)\s*(?:TEL|FAX|電話|℡)?\s*[:：]?\s*"
    r"(?P<number>[+(（]?\d[\d\-()（） .]*\d)\s*(?:[(（](?P<paren>[^)）]+)[)）])?",
    re.I,
)
