"""`guide import agencies|programs FILE`: a city's spreadsheet (.xlsx or .csv) into the guide's records.

Each row becomes a record or is reported by sheet and row with the reason: nothing is dropped
silently.  Rows of one agency under several 相談項目 become one agency with several services.
A cell that reads as export writes the record's current value keeps that value whole (with its
translations, exceptions and everything the table has no column for); a changed cell is read
anew.  So importing an export changes nothing, and an edited export changes exactly the edits,
worded as `guide diff` words them.  Staff-only columns (内線, 担当者, 主/副) go to
data/private.yaml, which git ignores, and never to a tracked file.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import PydanticCustomError
from slugify import slugify

from . import workingcopies
from . import spreadsheet as sp
from .formulas import restored
from .i18n import translations
from .load import load_guide
from .messages import format_problem
from .model import (
    Agency,
    Guide,
    Hours,
    Phone,
    PrivateOverlay,
    Program,
    Service,
    SourceRef,
    StaffContact,
    Text,
)
from .phones import parse_phone
from .problems import Problem
from .terminal import CONTROL_CHARACTERS
from .yamlfile import cannot_write, merged, read_yaml, rewrite, styled

# --- ids from names: python-slugify on the Hepburn reading (pykakasi) ---------------------------

_kakasi = None


def romanise(text: str) -> str:
    """地域ケア総合推進センター → chiiki kea sougou suishin sentaa."""
    global _kakasi  # noqa: PLW0603 - the dictionary is loaded once, on first use
    if _kakasi is None:
        import pykakasi  # noqa: PLC0415 - loads its dictionary: only when ids are made

        _kakasi = pykakasi.kakasi()
    return " ".join(part["hepburn"] for part in _kakasi.convert(text))


def reading(text: str) -> str:
    """The hiragana reading pykakasi gives, for the `kana` field while the model requires one."""
    romanise("")  # loads the dictionary
    return "".join(part["hira"] for part in _kakasi.convert(text))


def make_id(name: str, taken: set[str], fallback: str) -> str:
    """A stable id from a name: the same name always gives the same id, "-2" … only on a clash."""
    base = slugify(romanise(name), max_length=48, word_boundary=True) or fallback
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


# --- reading cells ----------------------------------------------------------------------------

# 「（詳細別紙）」「別紙参照」: the fact is in another document, not in this cell.
ELSEWHERE = re.compile(r"[(（][^()（）]*(?:別紙|別添|別表)[^()（）]*[)）]|^(?:詳細は)?(?:別紙|別添|別表)(?:参照|のとおり)?$")
NOT_CLEANED = ("id", "service_id", "source", "last_verified", *sp.STAFF_ONLY)
FAILED = object()  # a cell that could not be read (already reported)


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

    def where(self, name: str | None = None) -> str:
        return self.sheet.where(self.number, self.columns[name] + 1 if name in self.columns else None)


def hub_mark_pattern(guide: Guide) -> re.Pattern | None:
    """The guide's declared hub mark with the number that may follow it (a sheet's 「◎1」), or None."""
    hubs = guide.taxonomy.hubs
    return re.compile(re.escape(hubs.mark) + r"\s*\d*") if hubs and hubs.mark else None


def _label_key(text: str, mark: re.Pattern | None = None) -> str:
    text = unicodedata.normalize("NFKC", mark.sub("", text) if mark else text)
    text = re.sub(r"[\s「」『』()（）]", "", text)
    return re.sub(r"(について|のこと|に関すること)$", "", text).lower()


def _same(cell: str | None, current: str) -> bool:
    """The cell says what the record already says (or the table has no such column)."""
    return cell is None or cell == current


def _name_key(text: str | None) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text or ""))


class Importer:
    """Turns the rows of one sheet into records, merged with the guide's current ones.

    Each cell that still reads as the current value keeps it (with everything the table has no column for)."""

    def __init__(self, guide: Guide, sheet: sp.Sheet, columns: sp.Columns, *, document: str, verified: date,
                 assume_closed: bool, remove_missing: bool = False, gettext, lang: str):
        self.guide, self.sheet, self.columns = guide, sheet, columns
        self.document, self.verified, self.assume_closed = document, verified, assume_closed
        self._, self.lang = gettext, lang
        self.messages = Messages()
        self.hub_mark = hub_mark_pattern(guide)
        self.context = {"phone_region": guide.site.city.country, "area_code": guide.site.city.phone_area_code}
        self.not_structured: list[str] = []
        self.remove_missing = remove_missing
        self.missing: list[str] = []  # records the guide has and the sheet does not

    # --- rows

    def rows(self, spec: dict[str, list[str]]) -> list[Row]:
        """The data rows below the header; blank rows skipped, heading rows noted, section categories carried."""
        _ = self._
        last_header = self.columns.header_rows[-1]
        by_field: dict[str, int] = {}
        for column, name in self.columns.fields.items():
            by_field.setdefault(name, column)
        rows, heading = [], None
        for number, cells in self.sheet.rows:
            if number <= last_header:
                continue
            values = {c for c in cells if c}
            if not values:
                continue
            name_cell = cells[by_field["name"]] if "name" in by_field and by_field["name"] < len(cells) else ""
            if len(values) == 1 and (not name_cell or name_cell in values) and "categories" not in by_field:
                heading = next(iter(values))  # a section heading such as 「病気・医療について」
                if self.category_ids(heading) is None:
                    self.messages.add(self.sheet.where(number), _("read as a heading, not a record: {text}").format(text=heading))
                    heading = None
                continue
            texts = {name: (restored(cells[column]) if column < len(cells) else "") for name, column in by_field.items()}
            for name in spec:
                texts.setdefault(name, None)
            if heading and texts.get("categories") is None:
                texts["categories"] = heading
            staff = [cells[c] for c in self.columns.columns_of("staff") if c < len(cells) and cells[c]]
            row = Row(self.sheet, number, texts, by_field, staff)
            self.clean(row)
            rows.append(row)
        return rows

    def clean(self, row: Row) -> None:
        """Strip the guide's hub marks and 「（詳細別紙）」 notes; a cell that only points elsewhere counts as not given."""
        _ = self._
        self.move_extensions(row)
        for name, text in row.cells.items():
            if text and CONTROL_CHARACTERS.search(text):  # pasted escape codes or bidi marks: never published
                self.messages.add(row.where(name), _("control characters were taken out of 「{text}」 (check the cell)").format(text=text))
                row.cells[name] = text = CONTROL_CHARACTERS.sub("", text)
            if not text or name in NOT_CLEANED:
                continue
            mark = self.hub_mark.search(text) if self.hub_mark else None
            if mark:
                self.messages.add(row.where(name), _("the hub mark {mark} is not read from the sheet (name the hub agency of the category in categories.yaml)").format(mark=self.guide.taxonomy.hubs.mark))
                # A number after the mark is the hub's own; in the No. column the number is the row's.
                text = (text.replace(self.guide.taxonomy.hubs.mark, "") if name == "list_number" else self.hub_mark.sub("", text)).strip()
            elsewhere = ELSEWHERE.search(text)
            if elsewhere:
                text = (text[: elsewhere.start()] + text[elsewhere.end() :]).strip()
                self.messages.add(row.where(name), _("「{note}」: the fact is in another document, so it is left out (write it in the sheet)").format(note=elsewhere[0].strip()))
                if not text:
                    text = None  # treated like a missing column: the current value stays
            row.cells[name] = text

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

    def category_ids(self, text: str) -> list[str] | None:
        """Category ids for 「病気・医療」「病気・医療について」「medical」; None if one is unknown."""
        table = {}
        for category in self.guide.taxonomy.categories:
            for label in (category.id, *category.name.root.values(), *(category.sheet_label.root.values() if category.sheet_label else ())):
                if isinstance(label, str):
                    table[_label_key(label, self.hub_mark)] = category.id
        ids = []
        for part in re.split(r"[、,\n]", text):
            if part.strip():
                found = table.get(_label_key(part, self.hub_mark))
                if found is None:
                    return None
                ids.append(found)
        return ids or None

    def phones(self, row: Row, name: str, kind: str, text: str | None) -> list[Phone] | None:
        if not text:
            return []
        result = []
        for part in re.split(r"[、,，/／\n]", text):
            part = sp.folded(part).strip()
            if not part:
                continue
            label = re.search(r"[(（]([^)）]+)[)）]", part)
            number = re.sub(r"[(（][^)）]*[)）]", "", part).strip()
            number = re.sub(r"^(?:TEL|FAX|電話|℡)[:：]?\s*", "", number, flags=re.I)
            try:
                parse_phone(number, self.context["phone_region"], self.context["area_code"])
            except PydanticCustomError as err:
                problem = Problem(self.sheet.where(row.number).rsplit(":", 1)[0], row.number, row.columns.get(name, 0) + 1, err.type, err.context or {})
                self.messages.lines.append(format_problem(problem, self.lang))
                self.messages.errors += 1
                return None
            result.append(Phone(number=number, kind=kind, label=Text({"ja": label[1]}) if label else None))
        return result

    def hours(self, row: Row, text: str) -> Hours:
        parsed, reason = sp.parse_hours(text, self.assume_closed)
        if parsed is not None:
            return parsed
        self.not_structured.append(f"{row.where('hours')}: {text} — {self._(reason)}")
        return Hours(status="not_published", note=Text({"ja": text}))

    def verified_date(self, row: Row) -> date | None:
        text = row.cells.get("last_verified")
        if not text:
            return None
        try:
            return date.fromisoformat(sp.folded(text).replace("/", "-"))
        except ValueError:
            self.messages.add(row.where("last_verified"), self._("{value} is not a date (write it as 2026-04-01)").format(value=text), error=True)
            return None

    def sources(self, row: Row, current: list[SourceRef] | None) -> list[SourceRef]:
        """The 出典 cell when it names known documents; else the current sources plus this sheet's row."""
        text = row.cells.get("source")
        if current and text is not None and text == sp.sources_cell(current):
            return list(current)
        documents = {d.id for d in self.guide.sources.sources}
        if text:
            refs = []
            for part in text.split(";"):
                document, _, section = part.strip().partition(" ")
                if document in documents and section.strip():
                    refs.append(SourceRef(document=document, section=section.strip()))
            if refs:
                return refs
        here = SourceRef(document=self.document, section=self.section(row))
        return [*(current or []), here]

    def section(self, row: Row) -> str:
        return f"{self.sheet.name} {row.number}行目" if self.sheet.name else f"{row.number}行目"



    def text(self, cell: str | None, current: Text | None) -> Text | None:
        if _same(cell, sp.text_cell(current)):
            return current
        return Text({"ja": cell}) if cell else None

    def validated(self, model, data: dict, row: Row):
        try:
            return model.model_validate(data, context=self.context)
        except ValidationError as err:
            for detail in err.errors(include_url=False):
                where = ".".join(str(step) for step in detail["loc"])
                self.messages.add(row.where(), self._("cannot be imported: {field}: {detail}").format(field=where, detail=detail["msg"]), error=True)
            return None

    def stamped(self, data: dict, row: Row, current) -> dict:
        """source and last_verified: kept when nothing changed, else from the sheet."""
        verified = self.verified_date(row)
        unchanged = current is not None and {k: v for k, v in data.items() if k not in ("source", "last_verified")} == {
            k: v for k, v in current.model_dump(exclude_defaults=True).items() if k not in ("source", "last_verified")
        }
        refs = current.source if unchanged and row.cells.get("source") is None else self.sources(row, current.source if current else None)
        data["source"] = [ref.model_dump(exclude_defaults=True) for ref in refs]
        data["last_verified"] = verified or (current.last_verified if unchanged else self.verified)
        return data

    # --- agencies

    def agencies(self, rows: list[Row]) -> tuple[list[Agency], list[StaffContact]]:
        _ = self._
        current = {a.id: a for a in self.guide.agencies}
        by_name = {_name_key(a.name.get("ja")): a for a in self.guide.agencies}
        groups: dict[str, list[Row]] = {}
        for row in rows:
            if not row.cells.get("name") and not row.cells.get("id"):
                self.messages.add(row.where("name"), _("no agency name: the row is not imported (write the name; every row of an agency repeats it)"), error=True)
                continue
            groups.setdefault(row.cells.get("id") or _name_key(row.cells["name"]), []).append(row)
        result = dict(current)
        contacts: list[StaffContact] = []
        taken = set(current)
        seen = set()
        for group in groups.values():
            existing = current.get(group[0].cells.get("id") or "") or by_name.get(_name_key(group[0].cells.get("name")))
            seen.add(existing.id if existing else None)
            built = self.agency(group, existing, taken)
            if built is None:
                continue
            agency, rows_services = built
            result[agency.id] = agency
            for row, service_id in rows_services:
                extension = sp.folded(row.cells.get("extension") or "").strip() or None
                if extension or row.staff:
                    contacts.append(StaffContact(agency=agency.id, service=service_id, extension=extension, staff=row.staff))
        for agency in current.values():
            if agency.id not in seen:
                self.missing.append(sp.text_cell(agency.name))
                if self.remove_missing:
                    del result[agency.id]
        return list(result.values()), contacts

    def agency(self, group: list[Row], existing: Agency | None, taken: set[str]):
        _ = self._
        first = group[0]
        name_cell = first.cells.get("name")
        agency_id = existing.id if existing else (first.cells.get("id") or make_id(name_cell, taken, "agency"))
        data = existing.model_dump(exclude_defaults=True) if existing else {}
        data["id"] = agency_id
        name = self.text(name_cell, existing.name if existing else None)
        data["name"] = name.root if name else None
        kana_cell = first.cells.get("kana")
        if kana_cell is not None and not _same(kana_cell, existing.kana if existing and existing.kana else ""):
            data["kana"] = kana_cell or None
        if not data.get("kana") and Agency.model_fields["kana"].is_required() and name:
            data["kana"] = reading(name.get("ja"))
            self.messages.add(first.where("name"), _("reading {kana} made from the name: check it").format(kana=data["kana"]))
        data["address"] = self.address(first, existing.address if existing else None)
        for key in ("email", "url"):
            cell = first.cells.get(key)
            if not _same(cell, getattr(existing, key) or "" if existing else ""):
                data[key] = cell or None
        services = {s.id: s for s in existing.services} if existing else {}
        matched = [self.match_service(row, existing) for row in group]
        phones = self.inherited("phones", group, matched, existing)
        hours = self.inherited("hours", group, matched, existing)
        if phones is None or hours is None:
            return None
        data["phones"] = [p.model_dump(exclude_defaults=True) for p in phones[0] or []]
        data["hours"] = hours[0].model_dump(exclude_defaults=True) if hours[0] else None
        taken_services = set(services)
        rows_services, new_services = [], dict(services)
        for index, (row, service) in enumerate(zip(group, matched, strict=True)):
            built = self.service(row, service, name, taken_services, phones[1][index], hours[1][index])
            if built is None:
                continue
            new_services[built.id] = built
            rows_services.append((row, built.id))
        in_sheet = {s.id for s in matched if s}
        for service in services.values():
            if service.id not in in_sheet:
                self.missing.append(f"{sp.text_cell(name)}: {sp.text_cell(service.description)}")
                if self.remove_missing and len(new_services) > 1:
                    del new_services[service.id]
        data["services"] = [s.model_dump(exclude_defaults=True) for s in new_services.values()]
        data = {k: v for k, v in data.items() if v not in (None, [], {})}
        agency = self.validated(Agency, self.stamped(data, first, existing), first)
        if agency is None:
            return None
        taken.add(agency.id)
        return agency, rows_services

    def address(self, row: Row, current):
        cells = {k: row.cells.get(k) for k in ("postal_code", "street", "building")}
        rendered = {"postal_code": (current.postal_code or "") if current else "", "street": sp.text_cell(current.street) if current else "",
                    "building": sp.text_cell(current.building) if current else ""}
        if all(_same(cells[k], rendered[k]) for k in cells):
            return current.model_dump(exclude_defaults=True) if current else None
        street = self.text(cells["street"], current.street if current else None)
        if street is None:
            return None
        postal = sp.folded(cells["postal_code"]).lstrip("〒").strip() if cells["postal_code"] else None
        building = self.text(cells["building"], current.building if current else None)
        ward = current.ward if current and _same(cells["street"], rendered["street"]) else None
        return {k: v for k, v in {"postal_code": postal, "ward": ward, "street": street.root,
                                  "building": building.root if building else None}.items() if v}

    def match_service(self, row: Row, agency: Agency | None) -> Service | None:
        """The agency's service a row is about: by 相談内容ID, else by No., else by the same 相談項目."""
        if agency is None:
            return None
        if row.cells.get("service_id"):
            return next((s for s in agency.services if s.id == row.cells["service_id"]), None)
        number = sp.folded(row.cells.get("list_number") or "").strip()
        by_number = next((s for s in agency.services if number.isdigit() and s.list_number == int(number)), None)
        return by_number or next((s for s in agency.services if row.cells.get("description") == sp.text_cell(s.description)), None)

    # Phones (voice and fax together) and hours: an agency's for all its services unless one has its own.

    def phones_rendered(self, phones: list[Phone] | None) -> tuple[str, str]:
        return sp.phones_cell(phones or [], "voice"), sp.phones_cell(phones or [], "fax")

    def phones_cell(self, row: Row, current: tuple[str, str]) -> tuple[str, str]:
        """The row's 電話 and FAX cells; a missing column (or a 別紙 note) reads as the current value."""
        given = (row.cells.get("phone"), row.cells.get("fax"))
        return tuple(g if g is not None else c for g, c in zip(given, current, strict=True))

    def phones_parsed(self, row: Row, cells: tuple[str, str]):
        voice, fax = self.phones(row, "phone", "voice", cells[0]), self.phones(row, "fax", "fax", cells[1])
        return FAILED if voice is None or fax is None else voice + fax

    def hours_cell(self, row: Row, current: str) -> str:
        given = row.cells.get("hours")
        return current if given is None else given

    def hours_parsed(self, row: Row, cell: str) -> Hours | None:
        return self.hours(row, cell) if cell else None

    def inherited(self, name: str, group: list[Row], matched: list[Service | None], agency: Agency | None):
        """(the agency's value, each row's own value) for phones or hours; None when a cell is wrong.

        The agency's value is what most rows of services without their own say; a row that says
        something else gives its service its own."""
        render, cell_of, parse = {
            "phones": (self.phones_rendered, self.phones_cell, self.phones_parsed),
            "hours": (sp.hours_cell, self.hours_cell, self.hours_parsed),
        }[name]
        current = getattr(agency, name) if agency else None
        owns = [getattr(s, name) if s else None for s in matched]
        cells = [cell_of(row, render(own or current)) for row, own in zip(group, owns, strict=True)]
        shared = [cell for cell, own in zip(cells, owns, strict=True) if not own]
        value, agency_cell = current, render(current)
        if shared and Counter(shared).most_common(1)[0][0] != agency_cell:
            agency_cell = Counter(shared).most_common(1)[0][0]
            value = parse(group[cells.index(agency_cell)], agency_cell)
            if value is FAILED:
                return None
        own_values = []
        for row, own, cell in zip(group, owns, cells, strict=True):
            if own and render(own) == cell:
                own_values.append(own)
            elif cell in (agency_cell, render(value)):
                own_values.append(None)
            else:
                parsed = parse(row, cell)
                if parsed is FAILED:
                    return None
                own_values.append(parsed)
        return value, own_values

    def service(self, row: Row, current: Service | None, agency_name: Text | None, taken: set[str], phones, hours) -> Service | None:
        _ = self._
        data = current.model_dump(exclude_defaults=True) if current else {}
        description = self.text(row.cells.get("description"), current.description if current else None) or agency_name
        data["description"] = description.root if description else None
        categories_cell = row.cells.get("categories")
        names = {c.id: c.name for c in self.guide.taxonomy.categories}
        if not (current and _same(categories_cell, sp.SEPARATOR.join(sp.text_cell(names.get(c)) or c for c in current.categories))):
            ids = self.category_ids(categories_cell) if categories_cell else None
            if ids is None:
                self.messages.add(row.where("categories"), _("category 「{value}」 is not in categories.yaml (write a category's name, or add the category there)").format(value=categories_cell or ""), error=True)
                return None
            data["categories"] = ids
        if row.cells.get("list_number") is not None:
            data["list_number"] = self.whole_number(row, "list_number")
        data["phones"] = [p.model_dump(exclude_defaults=True) for p in phones or []]
        data["hours"] = hours.model_dump(exclude_defaults=True) if hours else None
        if current is None:
            wanted = row.cells.get("service_id")
            data["id"] = wanted if wanted and wanted not in taken else make_id(sp.text_cell(description), taken, "service")
            taken.add(data["id"])
        return self.validated(Service, {k: v for k, v in data.items() if v not in (None, [], {})}, row)

    # --- programs

    def programs(self, rows: list[Row]) -> list[Program]:
        _ = self._
        current = {p.id: p for p in self.guide.programs}
        by_name = {_name_key(p.name.get("ja")): p for p in self.guide.programs}
        result, taken, seen = dict(current), set(current), set()
        for row in rows:
            if not row.cells.get("name") and not row.cells.get("id"):
                self.messages.add(row.where("name"), _("no program name: the row is not imported (write the name)"), error=True)
                continue
            existing = current.get(row.cells.get("id") or "") or by_name.get(_name_key(row.cells.get("name")))
            seen.add(existing.id if existing else None)
            program = self.program(row, existing, taken)
            if program is not None:
                result[program.id] = program
                taken.add(program.id)
        for program in current.values():
            if program.id not in seen:
                self.missing.append(sp.text_cell(program.name))
                if self.remove_missing:
                    del result[program.id]
        return list(result.values())

    def program(self, row: Row, existing: Program | None, taken: set[str]) -> Program | None:
        _, cells, taxonomy = self._, row.cells, self.guide.taxonomy
        data = existing.model_dump(exclude_defaults=True) if existing else {}
        data["id"] = existing.id if existing else (cells.get("id") or make_id(cells["name"], taken, "program"))
        for key in ("name", "venue", "audience", "cost", "how_to_apply"):
            value = self.text(cells.get(key), getattr(existing, key) if existing else None)
            data[key] = value.root if value else None
        if cells.get("kana") is not None and not _same(cells["kana"], (existing.kana or "") if existing else ""):
            data["kana"] = cells["kana"] or None
        kinds = {_label_key(label, self.hub_mark): k.id for k in taxonomy.program_kinds for label in (k.id, *k.name.root.values()) if isinstance(label, str)}
        kind_name = sp.text_cell(next((k.name for k in taxonomy.program_kinds if existing and k.id == existing.kind), None))
        if not (existing and _same(cells.get("kind"), kind_name)):
            data["kind"] = kinds.get(_label_key(cells.get("kind") or ""))
            if data["kind"] is None:
                self.messages.add(row.where("kind"), _("kind 「{value}」 is not a program kind in categories.yaml (write one of its names)").format(value=cells.get("kind") or ""), error=True)
                return None
        category_names = {c.id: sp.text_cell(c.name) for c in taxonomy.categories}
        if not (existing and _same(cells.get("categories"), sp.SEPARATOR.join(category_names.get(c, c) for c in existing.categories))):
            ids = self.category_ids(cells["categories"]) if cells.get("categories") else []
            if ids is None:
                self.messages.add(row.where("categories"), _("category 「{value}」 is not in categories.yaml (write a category's name, or add the category there)").format(value=cells["categories"]), error=True)
                return None
            data["categories"] = ids
        if not (existing and _same(cells.get("schedule"), sp.schedule_cell(existing.schedule))):
            data["schedule"] = sp.parse_schedule(cells["schedule"]).model_dump(exclude_defaults=True) if cells.get("schedule") else {}
        if not (existing and _same(cells.get("capacity"), str(existing.capacity or ""))):
            data["capacity"] = self.whole_number(row, "capacity", suffixes=("名", "人"))
        self.program_agencies(row, existing, data)
        if cells.get("url") is not None and not _same(cells["url"], (existing.url or "") if existing else ""):
            data["url"] = cells["url"] or None
        data = {k: v for k, v in data.items() if v not in (None, [], {})}
        return self.validated(Program, self.stamped(data, row, existing), row)

    def program_agencies(self, row: Row, existing: Program | None, data: dict) -> None:
        """主催 and 問い合わせ先: an agency of the guide by its name; an organiser that is not one, by name only."""
        ids = {_name_key(a.name.get("ja")): a.id for a in self.guide.agencies}
        names = {a.id: sp.text_cell(a.name) for a in self.guide.agencies}
        for key, fallback in (("organiser", "organiser_name"), ("contact", None)):
            cell = row.cells.get(key)
            shown = (names.get(getattr(existing, key)) or (sp.text_cell(existing.organiser_name) if fallback else "")) if existing else ""
            if existing and _same(cell, shown):
                continue
            data[key] = ids.get(_name_key(cell)) if cell else None
            if fallback:
                data[fallback] = {"ja": cell} if cell and data[key] is None else None
            elif cell and data[key] is None:
                self.messages.add(row.where(key), self._("「{value}」 is not an agency in this guide: left out").format(value=cell))

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


# --- writing the files: round trips (yamlfile.rewrite), so the files' comments stay ------------


def dump_records(path: Path, key: str, records: list, current: list) -> None:
    """Write the records into the file; a record the import left as it was keeps its text exactly."""
    before = {r.id: r for r in current}

    def update(document) -> None:
        nodes = {item.get("id"): item for item in document.get(key) or [] if hasattr(item, "get")}
        items = [nodes[r.id] if r.id in nodes and before.get(r.id) == r else r.model_dump(exclude_defaults=True) for r in records]
        document[key] = merged(document.get(key), items)

    rewrite(path, update, f"{key}: []\n")


def add_source(path: Path, document: str, title: str, file_name: str) -> None:
    """Add the spreadsheet to sources.yaml as a document."""
    rewrite(path, lambda sources: sources["sources"].append(styled({"id": document, "title": {"ja": title}, "file": file_name})), "sources: []\n")


PRIVATE_HEAD = ("# yaml-language-server: $schema=../schema/private.schema.json\n"
                "# Staff-only (内線, 担当者名): never committed, never published.  Written by guide import.\n")


def write_private(path: Path, current: PrivateOverlay | None, contacts: list[StaffContact]) -> None:
    """Staff-only facts: the sheet's rows replace the same agency and service's entries; others stay."""
    keys = {(c.agency, c.service) for c in contacts}
    kept = [c for c in (current.contacts if current else []) if (c.agency, c.service) not in keys]
    entries = [c.model_dump(exclude_defaults=True) for c in PrivateOverlay(contacts=kept + contacts).contacts]

    def update(document) -> None:
        document["contacts"] = merged(document.get("contacts"), entries)

    rewrite(path, update, PRIVATE_HEAD + "contacts: []\n")


def is_ignored_by_git(root: Path, relative: str) -> bool | None:
    """Whether git ignores the file (None: not a git repository, or no git)."""
    try:
        done = subprocess.run(["git", "-C", str(root), "check-ignore", "-q", relative], capture_output=True, check=False)
    except FileNotFoundError:
        return None
    return {0: True, 1: False}.get(done.returncode)


# --- the command ------------------------------------------------------------------------------------


def write_files(args: argparse.Namespace, guide: Guide, new: Guide | None, document: str, new_document: bool,
                private: PrivateOverlay | None, contacts: list[StaffContact], _) -> None:
    """The changed records (`new`, None when nothing changed), the sheet as a source, the staff-only entries."""
    out, data, path = sys.stderr, args.root / "data", args.file
    if new is not None:
        if new_document:
            add_source(data / "sources.yaml", document, path.stem, path.name)
            print(_("Added document {id} to data/sources.yaml").format(id=document), file=out)
        dump_records(data / f"{args.kind}.yaml", args.kind, getattr(new, args.kind), getattr(guide, args.kind))
    if contacts:
        write_private(data / "private.yaml", private, contacts)
        print(_("Wrote {n} staff-only entries (内線, 担当者) to data/private.yaml").format(n=len(contacts)), file=out)
        if is_ignored_by_git(args.root, "data/private.yaml") is False:
            print(_("warning: git does not ignore data/private.yaml: add /data/private.yaml to .gitignore before committing"), file=out)


# What changed between the guide and the imported one: (nothing changed, the change in plain words).
# `guide diff`'s words, given by the command line that composes the two (outputs do not import each other).
Changes = Callable[[Guide, Guide, str], tuple[bool, str]]


def run_import(args: argparse.Namespace, changes_between: Changes) -> int:
    _ = translations(args.root, args.lang).gettext
    loaded = load_guide(args.root, today=args.today, with_private=True)
    if loaded.guide is None:
        for problem in loaded.errors:
            print(format_problem(problem, args.lang), file=sys.stderr)
        print("guide import: " + _("the data has errors: fix them first (guide check)"), file=sys.stderr)
        return 1
    guide = loaded.guide
    path: Path = args.file
    if not path.is_file():
        print("guide import: " + _("{file}: no such file").format(file=path), file=sys.stderr)
        return 2
    mapping = {}
    if args.columns:  # read as a data file is: bounded, every problem located
        parsed = read_yaml(args.columns, str(args.columns))
        for problem in parsed.problems:
            print(format_problem(problem, args.lang), file=sys.stderr)
        if parsed.problems or not isinstance(parsed.data, dict):
            print("guide import: " + _("{file}: not a mapping of headers to fields ({detail})").format(file=args.columns, detail="{相談窓口: name}"), file=sys.stderr)
            return 2
        mapping = {str(k): str(v) for k, v in parsed.data.items()}
    spec = sp.AGENCY_COLUMNS if args.kind == "agencies" else sp.PROGRAM_COLUMNS
    unknown = sorted(set(mapping.values()) - set(spec))
    if unknown:
        print("guide import: " + _("{file}: unknown fields {fields} (use: {allowed})").format(file=args.columns, fields=", ".join(unknown), allowed=", ".join(spec)), file=sys.stderr)
        return 2
    try:
        sheet = sp.read_sheet(path, path.name, args.sheet, _)
    except sp.SheetError as err:
        print(f"guide import: {err}", file=sys.stderr)
        return 1
    columns = sp.find_columns(sheet, spec, mapping)
    if columns is None or "name" not in columns.fields.values() and "id" not in columns.fields.values():
        print(sheet.where(1) + ": " + _("no header row naming the columns was found (the first rows need headers such as {headers})").format(headers=", ".join(spec["name"][:3])), file=sys.stderr)
        return 1
    out = sys.stderr
    print(_("Reading {file}").format(file=sheet.where(columns.header_rows[0]).rsplit(":", 1)[0])
          + (f" ({sheet.encoding})" if sheet.encoding else "")
          + ": " + _("header on row {rows}").format(rows="–".join(map(str, columns.header_rows))), file=out)
    headers = {c: (sheet.rows[columns.header_rows[-1] - 1][1][c] or sheet.rows[columns.header_rows[0] - 1][1][c]) for c in columns.fields}
    print(_("Columns: {pairs}").format(pairs=", ".join(f"{headers[c]} → {f}" for c, f in sorted(columns.fields.items()))), file=out)
    for column, header in columns.ignored:
        print(sheet.where(columns.header_rows[0], column + 1) + ": " + _("column 「{header}」 is not read (name it in a --columns mapping file if it should be)").format(header=header), file=out)
    documents = {d.id for d in guide.sources.sources}
    document = args.source or slugify(romanise(path.stem), max_length=48) or "spreadsheet"
    if args.source and args.source not in documents:
        print("guide import: " + _("no document {id} in data/sources.yaml").format(id=args.source), file=sys.stderr)
        return 2
    if args.verified:
        verified, said = args.verified, _("given on the command line")
    else:
        verified, said = date.fromtimestamp(path.stat().st_mtime), _("the file's date")
    print(_("last_verified of new and changed records: {date} ({how})").format(date=verified, how=said), file=out)
    builder = Importer(guide, sheet, columns, document=document, verified=verified, assume_closed=args.closed_on_holidays,
                       remove_missing=args.remove_missing, gettext=_, lang=args.lang)
    rows = builder.rows(spec)
    if args.kind == "agencies":
        agencies, contacts = builder.agencies(rows)
        new = guide.model_copy(update={"agencies": agencies})
    else:
        new, contacts = guide.model_copy(update={"programs": builder.programs(rows)}), []
    for line in builder.messages.lines:
        print(line, file=out)
    if builder.not_structured:
        print(_("Hours kept as a note with status: not_published ({n}); write them as 月～金 8:30～17:15（祝日・年末年始休み） to structure them:").format(n=len(builder.not_structured)), file=out)
        for line in builder.not_structured:
            print("  " + line, file=out)
    if builder.missing:
        kept = _("removed (--remove-missing)") if args.remove_missing else _("kept; --remove-missing removes them")
        print(_("In the guide but not in the sheet ({how}): {records}").format(how=kept, records=sp.SEPARATOR.join(builder.missing)), file=out)
    unchanged, described = changes_between(guide, new, args.lang)
    sys.stdout.write(described)
    if args.dry_run:
        print(_("Nothing written (--dry-run)."), file=out)
        return 1 if builder.messages.errors else 0
    try:
        write_files(args, guide, None if unchanged else new, document, document not in documents, loaded.private, contacts, _)
    except OSError as err:  # a full disk, a read-only folder: each file is whole, the old one or the new
        print(cannot_write(err, args.root / "data", _), file=out)
        return 1
    recheck = load_guide(args.root, today=args.today, with_private=True)
    for problem in recheck.errors:  # warnings (such as old last_verified dates) are guide check's to list
        print(format_problem(problem, args.lang), file=out)
    errors = builder.messages.errors + len(recheck.errors)
    if not errors:
        workingcopies.taken_in(args.root, path)  # an export's working copy, all imported: export may write over it again
    print(_("{errors} errors: the rows named above were not imported").format(errors=errors) if errors else _("Imported: now run guide check and guide build"), file=out)
    return 1 if errors else 0


def register(sub, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add `guide import agencies|programs FILE` to the subcommands."""
    parser = sub.add_parser("import", parents=[common], help="read agencies or programs from a spreadsheet (.xlsx or .csv)")
    parser.add_argument("kind", choices=["agencies", "programs"])
    parser.add_argument("file", type=Path, help="the table: .xlsx, or .csv in UTF-8 or Shift_JIS")
    parser.add_argument("--sheet", help="the worksheet to read (default: the first)")
    parser.add_argument("--columns", type=Path, help="YAML mapping of the table's headers to fields, e.g. {相談窓口: name}")
    parser.add_argument("--source", help="id of the document in data/sources.yaml (default: one made from the file's name, added if new)")
    parser.add_argument("--verified", type=date.fromisoformat, help="last_verified of new and changed records (default: the file's date)")
    parser.add_argument("--closed-on-holidays", action="store_true",
                        help="the table's hours exclude public holidays and the year-end closure unless a row says otherwise")
    parser.add_argument("--remove-missing", action="store_true",
                        help="remove the records (and services) the sheet no longer has; without it they are kept and listed")
    parser.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    return parser
