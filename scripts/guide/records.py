"""Rows of a city's sheet merged into the guide's records: agencies with their services, programs,
and the categories, audiences and areas the sheet names.

Rows of one agency under several 相談項目 become one agency with several services.  A cell that
reads as export writes the record's current value keeps that value whole (with its translations,
exceptions and everything the table has no column for); a changed cell is read anew.  So
importing an export changes nothing.  A 相談項目, 対象 or 担当地区 the guide does not know yet
becomes a category, audience or area of its own (the starting examples of `guide new` are
replaced, not matched); the row marked as a hub is its 相談項目's hub.  What a row leaves in doubt (a cell
pointing to 別紙, hours the model cannot hold, an agency standing for several offices) is the
record's `to_confirm`: the row is imported all the same.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from pydantic import ValidationError
from slugify import slugify

from . import spreadsheet as sp
from .cells import CellReader, Row, label_key, name_key
from .model import Agency, Guide, Hours, Phone, Program, Service, SourceRef, StaffContact, Text

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


def _same(cell: str | None, current: str) -> bool:
    """The cell says what the record already says (or the table has no such column)."""
    return cell is None or cell == current


# 「各架空センター」 (each … centre): one name for an office in every area.
BRANCH_FAMILY = re.compile(r"^各")


class Vocabulary:
    """Categories, audiences or areas by the names a sheet writes; a name the guide lacks makes a new one.

    When every entry the guide has is one of guide new's examples, the sheet's names are not
    matched to them: the examples are what the sheet's own list replaces."""

    def __init__(self, entries: list, fallback: str, hub_mark: re.Pattern | None = None, extra: dict | None = None, labelled: bool = True):
        self.entries, self.fallback, self.hub_mark, self.labelled = entries, fallback, hub_mark, labelled
        self.examples_only = bool(entries) and all(getattr(e, "example", False) for e in entries)
        self.table: dict[str, str] = {}
        for entry in [] if self.examples_only else entries:
            for label in self.labels(entry):
                self.table.setdefault(label_key(label, hub_mark), entry.id)
        self.names = {e.id: sp.text_cell(e.name) for e in entries}
        self.taken = {e.id for e in entries}
        self.added: dict[str, dict] = {}  # id -> the new entry, as written to its file
        self.matched: dict[str, str] = {}  # as the sheet writes it -> the id of the guide's entry it is
        self.extra = extra or {}  # fields every new entry has (an area's kind and parent)

    @staticmethod
    def labels(entry) -> list[str]:
        keywords = [k for words in (getattr(entry, "keywords", None) or {}).values() for k in words]
        sheet = getattr(entry, "sheet_label", None)
        return [entry.id, *(v for v in entry.name.root.values() if isinstance(v, str)),
                *(v for v in (sheet.root.values() if sheet else ()) if isinstance(v, str)), *keywords]

    def ids(self, text: str) -> list[str]:
        """The ids of 「病気・医療について」「介護、障害」; a part no entry names becomes a new entry."""
        return list(dict.fromkeys(self.id_of(part.strip()) for part in re.split(r"[、,\n]", text) if part.strip()))

    def id_of(self, written: str) -> str:
        key = label_key(written, self.hub_mark)
        if key not in self.table:
            name = re.sub(r"(について|のこと|に関すること)$", "", written.strip()) or written.strip()
            new_id = make_id(name, self.taken, self.fallback)
            entry = {"id": new_id, **self.extra, "name": {sp.SHEET_LANGUAGE: name}}
            if self.labelled and name != written.strip():
                entry["sheet_label"] = {sp.SHEET_LANGUAGE: written.strip()}  # as the city's list writes it
            self.added[new_id] = entry
            self.names[new_id] = name
            self.table[key] = new_id
        elif self.table[key] not in self.added and written.strip() != self.names.get(self.table[key]):
            self.matched[written.strip()] = self.table[key]
        return self.table[key]

    def cell(self, ids: list[str]) -> str:
        """The ids as export writes them: the names, joined."""
        return sp.SEPARATOR.join(self.names.get(i, i) for i in ids)


class Importer:
    """Turns the rows of one sheet into records, merged with the guide's current ones."""

    def __init__(self, guide: Guide, cells: CellReader, *, document: str, verified: date | None, remove_missing: bool = False,
                 area_kind: dict | None = None):
        self.guide, self.cells = guide, cells
        self.sheet, self._, self.messages = cells.sheet, cells._, cells.messages
        self.document, self.verified = document, verified
        self.context = cells.context
        taxonomy = guide.taxonomy
        self.categories = Vocabulary(taxonomy.categories, "category", cells.hub_mark)
        self.audiences = Vocabulary(taxonomy.audiences, "audience")
        self.areas = Vocabulary(guide.areas.areas, "area", extra=area_kind or {}, labelled=False)
        self.hubs: dict[str, tuple[str, SourceRef]] = {}  # category -> (hub agency, the row that marks it)
        self.hub_mark = ""  # the mark the sheet gives its hubs
        self.remove_missing = remove_missing
        self.missing: list[str] = []  # records the guide has and the sheet does not

    def is_category(self, text: str) -> bool:
        return bool(self.categories.examples_only or label_key(text, self.cells.hub_mark) in self.categories.table)

    # --- values

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
        return [*(current or []), self.here(row)]

    def here(self, row: Row) -> SourceRef:
        section = f"{self.sheet.name} {row.number}行目" if self.sheet.name else f"{row.number}行目"
        return SourceRef(document=self.document, section=section)

    def text(self, cell: str | None, current: Text | None) -> Text | None:
        if _same(cell, sp.text_cell(current)):
            return current
        return Text({sp.SHEET_LANGUAGE: cell}) if cell else None

    def validated(self, model, data: dict, row: Row):
        try:
            return model.model_validate(data, context=self.context)
        except ValidationError as err:
            for detail in err.errors(include_url=False):
                where = ".".join(str(step) for step in detail["loc"])
                self.messages.add(row.where(), self._("cannot be imported: {field}: {detail} (correct the cell)").format(field=where, detail=detail["msg"]), error=True)
            return None

    def stamped(self, data: dict, row: Row, current) -> dict:
        """source and last_verified: kept when nothing changed, else from the sheet."""
        verified = self.cells.verified_date(row)
        unchanged = current is not None and {k: v for k, v in data.items() if k not in ("source", "last_verified")} == {
            k: v for k, v in current.model_dump(exclude_defaults=True).items() if k not in ("source", "last_verified")
        }
        refs = current.source if unchanged and row.cells.get("source") is None else self.sources(row, current.source if current else None)
        data["source"] = [ref.model_dump(exclude_defaults=True) for ref in refs]
        data["last_verified"] = verified or (current.last_verified if unchanged else self.verified)
        return data

    def doubts(self, data: dict, rows: list[Row]) -> None:
        """What the rows leave in doubt joins the record's to_confirm (each line once)."""
        lines = [line for line in (data.get("to_confirm") or "").splitlines() if line]
        lines += [d for row in rows for d in row.doubts if d not in lines]
        data["to_confirm"] = "\n".join(dict.fromkeys(lines)) or None

    # --- agencies

    def in_sheet_order(self, rows: list[Row]) -> None:
        """New categories and audiences in the order the sheet first names them (not the order agencies group them)."""
        for row in rows:
            for name, vocabulary in (("categories", self.categories), ("audiences", self.audiences)):
                if row.cells.get(name):
                    vocabulary.ids(row.cells[name])

    def agencies(self, rows: list[Row]) -> tuple[list[Agency], list[StaffContact]]:
        _ = self._
        self.in_sheet_order(rows)
        current = {a.id: a for a in self.guide.agencies}
        by_name = {name_key(a.name.get(sp.SHEET_LANGUAGE)): a for a in self.guide.agencies}
        groups: dict[str, list[Row]] = {}
        for row in rows:
            if not row.cells.get("name") and not row.cells.get("id"):
                self.messages.add(row.where("name"), _("no agency name: the row is not imported (write the name; every row of an agency repeats it)"), error=True)
                continue
            groups.setdefault(row.cells.get("id") or name_key(row.cells["name"]), []).append(row)
        result = dict(current)
        contacts: list[StaffContact] = []
        taken = set(current)
        seen = set()
        for group in groups.values():
            existing = current.get(group[0].cells.get("id") or "") or by_name.get(name_key(group[0].cells.get("name")))
            seen.add(existing.id if existing else None)
            built = self.agency(group, existing, taken)
            if built is None:
                continue
            agency, rows_services = built
            result[agency.id] = agency
            for row, service_id in rows_services:
                extension = sp.folded(row.cells.get("extension") or "").strip() or None
                if extension in ("-", "ー"):
                    extension = None
                if extension or row.staff:
                    contacts.append(StaffContact(agency=agency.id, service=service_id, extension=extension, staff=row.staff))
                if row.hub:
                    self.hub(row, agency, service_id)
        for agency in current.values():
            if agency.id not in seen:
                self.missing.append(sp.text_cell(agency.name))
                if self.remove_missing:
                    del result[agency.id]
        return list(result.values()), contacts

    def hub(self, row: Row, agency: Agency, service_id: str) -> None:
        """The marked row: its agency is the hub of the row's categories (the first marked row of each)."""
        service = next(s for s in agency.services if s.id == service_id)
        for category in service.categories:
            if category in self.hubs and self.hubs[category][0] != agency.id:
                self.messages.add(row.where("list_number"), self._("a second hub mark in 「{category}」: the first one's agency stays its hub (keep one mark per category)").format(
                    category=self.categories.names.get(category, category)))
                continue
            self.hubs.setdefault(category, (agency.id, self.here(row)))
            self.hub_mark = row.hub

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
            data["kana"] = reading(name.get(sp.SHEET_LANGUAGE))
            self.messages.add(first.where("name"), _("reading {kana} made from the name: check it").format(kana=data["kana"]))
        data["address"] = self.address(first, existing.address if existing else None)
        for key in ("email", "url"):
            cell = first.cells.get(key)
            if not _same(cell, getattr(existing, key) or "" if existing else ""):
                data[key] = cell or None
        owner = first.cells.get("owner") if first.cells.get("owner") is not None else self.cells.owner
        if not _same(owner, sp.text_cell(existing.owner) if existing else ""):
            data["owner"] = {sp.SHEET_LANGUAGE: owner} if owner else None
        served = first.cells.get("areas_served")
        if not (existing and _same(served, self.areas.cell(existing.areas_served))):
            data["areas_served"] = self.areas.ids(served) if served else []
        if existing is None and name and BRANCH_FAMILY.match(name.get(sp.SHEET_LANGUAGE) or ""):
            first.doubts.append(self.cells.data.gettext("「{name}」 stands for an office in each area: list them as its branches (branches:, each with its area)").format(name=name.get(sp.SHEET_LANGUAGE)))
        services = {s.id: s for s in existing.services} if existing else {}
        matched = [self.match_service(row, existing) for row in group]
        phones = self.inherited("phones", group, matched, existing)
        hours = self.inherited("hours", group, matched, existing)
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
        self.doubts(data, group)
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
        """The agency's service a row is about: by 相談内容ID, else by No., else by the same 相談内容."""
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

    def phones_parsed(self, row: Row, cells: tuple[str, str]) -> list[Phone]:
        return self.cells.phones(row, "phone", "voice", cells[0]) + self.cells.phones(row, "fax", "fax", cells[1])

    def hours_cell(self, row: Row, current: str) -> str:
        given = row.cells.get("hours")
        return current if given is None else given

    def hours_parsed(self, row: Row, cell: str) -> Hours | None:
        return self.cells.hours(row, cell) if cell else None

    def inherited(self, name: str, group: list[Row], matched: list[Service | None], agency: Agency | None):
        """(the agency's value, each row's own value) for phones or hours.

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
        own_values = []
        for row, own, cell in zip(group, owns, cells, strict=True):
            if own and render(own) == cell:
                own_values.append(own)
            elif cell in (agency_cell, render(value)):
                own_values.append(None)
            else:
                own_values.append(parse(row, cell))
        return value, own_values

    def service(self, row: Row, current: Service | None, agency_name: Text | None, taken: set[str], phones, hours) -> Service | None:
        _ = self._
        data = current.model_dump(exclude_defaults=True) if current else {}
        description = self.text(row.cells.get("description"), current.description if current else None) or agency_name
        data["description"] = description.root if description else None
        categories_cell = row.cells.get("categories")
        if categories_cell is None and current is None:
            categories_cell = row.cells.get("audiences")  # a list grouped by 対象: who it is for is its concern too
        if not (current and _same(categories_cell, self.categories.cell(current.categories))):
            if not categories_cell:
                self.messages.add(row.where("categories"), _("no 相談項目 (category): the row is not imported (write the category, or the one above it is carried down)"), error=True)
                return None
            data["categories"] = self.categories.ids(categories_cell)
        audiences_cell = row.cells.get("audiences")
        if not (current and _same(audiences_cell, self.audiences.cell(current.audiences))):
            data["audiences"] = self.audiences.ids(audiences_cell) if audiences_cell else []
        if row.cells.get("list_number") is not None:
            data["list_number"] = self.cells.whole_number(row, "list_number")
        if row.hub:
            data["hub"] = True
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
        by_name = {name_key(p.name.get(sp.SHEET_LANGUAGE)): p for p in self.guide.programs}
        result, taken, seen = dict(current), set(current), set()
        for row in rows:
            if not row.cells.get("name") and not row.cells.get("id"):
                self.messages.add(row.where("name"), _("no program name: the row is not imported (write the name)"), error=True)
                continue
            existing = current.get(row.cells.get("id") or "") or by_name.get(name_key(row.cells.get("name")))
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
        kinds = {label_key(label): k.id for k in taxonomy.program_kinds for label in (k.id, *k.name.root.values()) if isinstance(label, str)}
        kind_name = sp.text_cell(next((k.name for k in taxonomy.program_kinds if existing and k.id == existing.kind), None))
        if not (existing and _same(cells.get("kind"), kind_name)):
            data["kind"] = kinds.get(label_key(cells.get("kind") or ""))
            if data["kind"] is None:
                self.messages.add(row.where("kind"), _("kind 「{value}」 is not a program kind in categories.yaml (write one of its names)").format(value=cells.get("kind") or ""), error=True)
                return None
        if not (existing and _same(cells.get("categories"), self.categories.cell(existing.categories))):
            data["categories"] = self.categories.ids(cells["categories"]) if cells.get("categories") else []
        if not (existing and _same(cells.get("schedule"), sp.schedule_cell(existing.schedule))):
            data["schedule"] = sp.parse_schedule(cells["schedule"]).model_dump(exclude_defaults=True) if cells.get("schedule") else {}
        if not (existing and _same(cells.get("capacity"), str(existing.capacity or ""))):
            data["capacity"] = self.cells.whole_number(row, "capacity", suffixes=("名", "人"))
        self.program_agencies(row, existing, data)
        if cells.get("url") is not None and not _same(cells["url"], (existing.url or "") if existing else ""):
            data["url"] = cells["url"] or None
        self.doubts(data, [row])
        data = {k: v for k, v in data.items() if v not in (None, [], {})}
        return self.validated(Program, self.stamped(data, row, existing), row)

    def program_agencies(self, row: Row, existing: Program | None, data: dict) -> None:
        """主催 and 問い合わせ先: an agency of the guide by its name; an organiser that is not one, by name only."""
        ids = {name_key(a.name.get(sp.SHEET_LANGUAGE)): a.id for a in self.guide.agencies}
        names = {a.id: sp.text_cell(a.name) for a in self.guide.agencies}
        for key, fallback in (("organiser", "organiser_name"), ("contact", None)):
            cell = row.cells.get(key)
            shown = (names.get(getattr(existing, key)) or (sp.text_cell(existing.organiser_name) if fallback else "")) if existing else ""
            if existing and _same(cell, shown):
                continue
            data[key] = ids.get(name_key(cell)) if cell else None
            if fallback:
                data[fallback] = {sp.SHEET_LANGUAGE: cell} if cell and data[key] is None else None
            elif cell and data[key] is None:
                self.messages.add(row.where(key), self._("「{value}」 is not an agency in this guide: left out (write an agency's name as the guide has it)").format(value=cell))
