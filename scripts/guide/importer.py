"""`guide import agencies|programs FILE`: a city's spreadsheet (.xlsx or .csv) into the guide's records.

Each row becomes a record, a service of one, or a line of the summary naming its cell and why:
nothing is dropped silently.  The work is in three steps: the sheet's layout (spreadsheet:
where the header is, which column holds what, the sheet's own title and date), each row's
cells (cells), the rows merged into records (records).  This module is the command: it reads
the options, prints what it found and writes the files.  Staff-only columns (内線, 担当者,
主/副) go to data/private.yaml, which git ignores, and never to a tracked file.  A --columns
mapping, once given, is kept in data/import-columns.yaml, so next year's sheet imports with
the same command.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from slugify import slugify

from . import spreadsheet as sp
from . import workingcopies
from .cells import CellReader
from .i18n import default_language, translations
from .load import load_guide
from .messages import format_problem
from .model import Guide, PrivateOverlay, StaffContact
from .records import Importer, make_id, romanise
from .yamlfile import cannot_write, merged, read_yaml, rewrite, styled

COLUMNS_FILE = "import-columns.yaml"  # in data/: the --columns mappings given, by kind

# --- writing the files: round trips (yamlfile.rewrite), so the files' comments stay ------------


def dump_records(path: Path, key: str, records: list, current: list) -> None:
    """Write the records into the file; a record the import left as it was keeps its text exactly."""
    before = {r.id: r for r in current}

    def update(document) -> None:
        nodes = {item.get("id"): item for item in document.get(key) or [] if hasattr(item, "get")}
        items = [nodes[r.id] if r.id in nodes and before.get(r.id) == r else r.model_dump(exclude_defaults=True) for r in records]
        document[key] = merged(document.get(key), items)

    rewrite(path, update, f"{key}: []\n")


def add_source(path: Path, document: str, title: str, file_name: str, published: date | None) -> None:
    """Add the spreadsheet to sources.yaml as a document: its own title and date, and the file it came in."""
    entry = {"id": document, "title": {sp.SHEET_LANGUAGE: title}, "published": published, "file": file_name}
    rewrite(path, lambda sources: sources["sources"].append(styled({k: v for k, v in entry.items() if v})), "sources: []\n")


def write_taxonomy(path: Path, builder: Importer, new: Guide, catalog) -> None:
    """categories.yaml: the sheet's new categories and audiences, the hubs it marks; guide new's examples no record uses are gone."""
    used = {c for a in new.agencies for s in a.services for c in s.categories} | {c for p in new.programs for c in p.categories}
    used_audiences = {x for a in new.agencies for s in a.services for x in s.audiences} | {x for p in new.programs for x in p.audiences}

    def entries(current: list, vocabulary, in_use: set[str], hubs: dict) -> list[dict]:
        replaced = bool(vocabulary.added)  # guide new's examples give way to the sheet's own list, if it brings one
        kept = [e.model_dump(exclude_defaults=True) for e in current if not (replaced and e.example and e.id not in in_use)]
        for entry in [*kept, *vocabulary.added.values()]:
            if entry["id"] in hubs and not entry.get("hub"):
                entry["hub"], entry["hub_source"] = hubs[entry["id"]][0], hubs[entry["id"]][1].model_dump(exclude_defaults=True)
        return [*kept, *vocabulary.added.values()]

    def update(document) -> None:
        taxonomy = new.taxonomy
        document["categories"] = merged(document.get("categories"), entries(taxonomy.categories, builder.categories, used, builder.hubs))
        audiences = entries(taxonomy.audiences, builder.audiences, used_audiences, {})
        if audiences or document.get("audiences") is not None:
            document["audiences"] = merged(document.get("audiences"), audiences)
        if builder.hubs and not taxonomy.hubs:
            first = next(iter(builder.hubs.values()))[1]
            document.insert(0, "hubs", styled({"mark": builder.hub_mark, "label": {sp.SHEET_LANGUAGE: catalog.gettext("the counter marked {mark} in the list").format(mark=builder.hub_mark)},
                                               "source": [first.model_dump(exclude_defaults=True)]}))

    rewrite(path, update, "categories: []\n")


def write_areas(path: Path, builder: Importer, kind: dict | None) -> None:
    """areas.yaml: the districts the sheet names (担当地区), of a kind of their own."""
    def update(document) -> None:
        if kind and not any(k.get("id") == kind["id"] for k in document["kinds"]):
            document["kinds"].append(styled(kind))
        for area in builder.areas.added.values():
            document["areas"].append(styled(area))

    rewrite(path, update, "kinds: []\nareas: []\n")


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


# --- the --columns mapping: given, printed, remembered -----------------------------------------------

_PLAIN_HEADER = re.compile(r"^[^\s,:{}\[\]#&*!|>'\"%@`?-][^,:{}\[\]#]*$")


def mapping_text(mapping: dict[str, str]) -> str:
    """{相談項目: categories, 相談内容: description}: a mapping as the --columns file may write it."""
    def key(header: str) -> str:
        return header if _PLAIN_HEADER.match(header) and header == header.strip() else json.dumps(header, ensure_ascii=False)

    return "{" + ", ".join(f"{key(h)}: {f}" for h, f in mapping.items()) + "}"


def likely_field(header: str, spec: dict[str, list[str]]) -> str:
    """The field whose headers are nearest to `header` (相談窓口名 → name), for the line a message offers; else the first."""
    variants = {sp.header_key(v): name for name, vs in spec.items() for v in vs if name not in sp.STAFF_ONLY}
    close = difflib.get_close_matches(sp.header_key(header), list(variants), n=1, cutoff=0.4)
    return variants[close[0]] if close else next(iter(spec))


def read_mapping(path: Path, lang: str) -> dict[str, str] | None:
    """A --columns file, read as a data file is: bounded, every problem located; None when it is wrong (printed)."""
    parsed = read_yaml(path, str(path))
    for problem in parsed.problems:
        print(format_problem(problem, lang), file=sys.stderr)
    if parsed.problems or not isinstance(parsed.data, dict):
        return None
    return {str(k): str(v) for k, v in parsed.data.items()}


def remembered(root: Path, kind: str) -> dict[str, str]:
    """The mapping kept for this kind of sheet by an earlier import with --columns."""
    path = root / "data" / COLUMNS_FILE
    if not path.is_file():
        return {}
    parsed = read_yaml(path, f"data/{COLUMNS_FILE}")
    kept = parsed.data.get(kind) if isinstance(parsed.data, dict) and not parsed.problems else None
    return {str(k): str(v) for k, v in kept.items()} if isinstance(kept, dict) else {}


def remember(root: Path, kind: str, mapping: dict[str, str]) -> None:
    head = ("# The --columns mappings of guide import, by kind of sheet: the city's headers → the guide's fields.\n"
            "# guide import reads them each time, so next year's sheet imports with the same command.\n")

    def update(document) -> None:
        document[kind] = merged(document.get(kind), dict(mapping))

    rewrite(root / "data" / COLUMNS_FILE, update, head + "{}\n")


# --- the command ------------------------------------------------------------------------------------


def write_files(args: argparse.Namespace, guide: Guide, new: Guide | None, builder: Importer, source: dict,
                private: PrivateOverlay | None, contacts: list[StaffContact], _, data) -> None:
    """The changed records (`new`, None when nothing changed), the sheet as a source, the staff-only entries."""
    out, folder = sys.stderr, args.root / "data"
    if new is not None:
        if source["new"]:
            add_source(folder / "sources.yaml", source["id"], source["title"], args.file.name, source["published"])
            print(_("Added document {id} to data/sources.yaml: 「{title}」").format(id=source["id"], title=source["title"]), file=out)
        write_taxonomy(folder / "categories.yaml", builder, new, data)
        if builder.areas.added:
            write_areas(folder / "areas.yaml", builder, source["area_kind"])
        dump_records(folder / f"{args.kind}.yaml", args.kind, getattr(new, args.kind), getattr(guide, args.kind))
    if contacts:
        write_private(folder / "private.yaml", private, contacts)
        print(_("Wrote {n} staff-only entries (内線, 担当者) to data/private.yaml").format(n=len(contacts)), file=out)
        if is_ignored_by_git(args.root, "data/private.yaml") is False:
            print(_("warning: git does not ignore data/private.yaml: add /data/private.yaml to .gitignore before committing"), file=out)


# What changed between the guide and the imported one: (nothing changed, the change in plain words).
# `guide diff`'s words, given by the command line that composes the two (outputs do not import each other).
Changes = Callable[[Guide, Guide, str], tuple[bool, str]]


def area_kind(guide: Guide, columns: sp.Columns) -> tuple[dict | None, dict]:
    """The kind of area a 担当地区 column names ({id, name}), and what every new area of it has (kind, parent)."""
    column = next(iter(columns.columns_of("areas_served")), None)
    if column is None:
        return None, {}
    name = re.sub(r"^担当", "", columns.headers[column]) or columns.headers[column]
    same = next((k for k in guide.areas.kinds if sp.text_cell(k.name) == name), None)
    kind = {"id": same.id if same else make_id(name, {k.id for k in guide.areas.kinds}, "district"), "name": {sp.SHEET_LANGUAGE: name}}
    tops = [a.id for a in guide.areas.areas if a.parent is None]
    return kind, {"kind": kind["id"], **({"parent": tops[0]} if len(tops) == 1 and not same else {})}


class Stop(Exception):
    """The import cannot go on: the message says why and what to do; `code` is the exit status."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.message, self.code = message, code


def guide_to_import_into(args: argparse.Namespace, _):
    """The guide as it is, with its private overlay; its errors stop the import."""
    loaded = load_guide(args.root, today=args.today, with_private=True)
    if loaded.guide is None:
        for problem in loaded.errors:
            print(format_problem(problem, args.lang), file=sys.stderr)
        raise Stop("guide import: " + _("the data has errors: fix them first (guide check)"), 1)
    if not args.file.is_file():
        raise Stop("guide import: " + _("{file}: no such file").format(file=args.file), 2)
    return loaded


def columns_mapping(args: argparse.Namespace, spec: dict[str, list[str]], _) -> dict[str, str]:
    """The mapping kept from earlier imports, with the --columns file's over it."""
    mapping = remembered(args.root, args.kind)
    if args.columns:
        given = read_mapping(args.columns, args.lang)
        if given is None:
            raise Stop("guide import: " + _("{file}: not a mapping of headers to fields ({detail})").format(file=args.columns, detail="{相談窓口: name}"), 2)
        mapping.update(given)
    unknown = sorted(set(mapping.values()) - set(spec))
    if unknown:
        raise Stop("guide import: " + _("{file}: unknown fields {fields} (use: {allowed})").format(
            file=args.columns or f"data/{COLUMNS_FILE}", fields=", ".join(unknown), allowed=", ".join(spec)), 2)
    return mapping


def read_table(args: argparse.Namespace, spec: dict[str, list[str]], mapping: dict[str, str], _) -> tuple[sp.Sheet, sp.Columns]:
    """The sheet and its columns, printed as found (and as the --columns mapping that gives them)."""
    try:
        sheet = sp.read_sheet(args.file, args.file.name, args.sheet, _)
    except sp.SheetError as err:
        raise Stop(f"guide import: {err}", 1) from None
    columns = sp.find_columns(sheet, spec, mapping)
    if columns is None or "name" not in columns.fields.values() and "id" not in columns.fields.values():
        example = mapping_text({"相談窓口": "name", "相談項目": "categories", "相談内容": "description"} if args.kind == "agencies" else {"教室名": "name"})
        raise Stop(sheet.where(1) + ": " + _("no header row naming the columns was found (the first rows need headers such as {headers}; or give --columns with a file such as {example})").format(
            headers=", ".join(spec["name"][:3]), example=example), 1)
    out, header = sys.stderr, columns.header_rows[0]
    print(_("Reading {file}").format(file=sheet.where(header).rsplit(":", 1)[0]) + (f" ({sheet.encoding})" if sheet.encoding else "")
          + ": " + _("header on row {rows}").format(rows="–".join(map(str, columns.header_rows))), file=out)
    print(_("Columns: {pairs}").format(pairs=", ".join(f"{columns.headers[c]} → {f}" for c, f in sorted(columns.fields.items()))), file=out)
    print(_("As a --columns mapping (keep it in a file to give these columns again): {mapping}").format(mapping=mapping_text(columns.mapping())), file=out)
    for column, code in sorted(columns.area_codes.items()):
        print(sheet.where(header, column + 1) + ": " + _("area code {code} from the header 「{header}」 is put before every local number of the column").format(code=code, header=columns.headers[column]), file=out)
    for column, label in columns.ignored:
        print(sheet.where(header, column + 1) + ": " + _("column 「{header}」 is not read: to read it, give --columns with a line such as {line} (fields: {fields})").format(
            header=label, line=mapping_text({label: likely_field(label, spec)}), fields=", ".join(spec)), file=out)
    return sheet, columns


def verified_date(args: argparse.Namespace, sheet: sp.Sheet, columns: sp.Columns, dated, _) -> date | None:
    """last_verified of new and changed records: the user's date, else the sheet's own, else each row's 最終確認日."""
    if args.verified:
        verified, said = args.verified, _("given on the command line")
    elif dated:
        verified, said = dated[0], _("the sheet's own date 「{text}」, {where}").format(text=dated[2], where=sheet.where(dated[1]))
    elif "last_verified" in columns.fields.values():
        verified, said = None, _("each row's 最終確認日")
    else:
        raise Stop(sheet.where(1) + ": " + _("the sheet gives no date of its own (such as 令和8年4月1日現在 above the table): give the date its facts were confirmed with --verified YYYY-MM-DD"), 2)
    print(_("last_verified of new and changed records: {date} ({how})").format(date=verified or "—", how=said), file=sys.stderr)
    return verified


def document_id(args: argparse.Namespace, guide: Guide, _) -> str:
    """The sheet's document in sources.yaml: --source, else one named after the file."""
    if args.source and args.source not in {d.id for d in guide.sources.sources}:
        raise Stop("guide import: " + _("no document {id} in data/sources.yaml").format(id=args.source), 2)
    return args.source or slugify(romanise(args.file.stem), max_length=48) or "spreadsheet"


def run_import(args: argparse.Namespace, changes_between: Changes) -> int:
    _ = translations(args.root, args.lang).gettext
    try:
        return imported(args, changes_between, _)
    except Stop as stop:
        print(stop.message, file=sys.stderr)
        return stop.code


def imported(args: argparse.Namespace, changes_between: Changes, _) -> int:
    out = sys.stderr
    loaded = guide_to_import_into(args, _)
    guide = loaded.guide
    data = translations(args.root, default_language(guide.site))  # the words the import writes into the data files
    spec = sp.AGENCY_COLUMNS if args.kind == "agencies" else sp.PROGRAM_COLUMNS
    mapping = columns_mapping(args, spec, _)
    sheet, columns = read_table(args, spec, mapping, _)
    dated = sp.sheet_date(sheet, columns)
    document = document_id(args, guide, _)
    verified = verified_date(args, sheet, columns, dated, _)
    cells = CellReader(guide, sheet, columns, gettext=_, data=data, lang=args.lang)
    cells.assume_closed = args.closed_on_holidays
    kind, area_defaults = area_kind(guide, columns)
    builder = Importer(guide, cells, document=document, verified=verified, remove_missing=args.remove_missing, area_kind=area_defaults)
    rows = cells.rows(args.kind, spec, builder.is_category)
    if args.kind == "agencies":
        agencies, contacts = builder.agencies(rows)
        new = guide.model_copy(update={"agencies": agencies})
    else:
        new, contacts = guide.model_copy(update={"programs": builder.programs(rows)}), []
    for line in cells.messages.lines:
        print(line, file=out)
    summarise(builder, rows, new, args, _)
    unchanged, described = changes_between(guide, new, args.lang)
    sys.stdout.write(described)
    if args.dry_run:
        print(_("Nothing written (--dry-run)."), file=out)
        return 1 if cells.messages.errors else 0
    source = {"new": document not in {d.id for d in guide.sources.sources}, "id": document, "title": sp.sheet_title(sheet, columns) or args.file.stem,
              "published": dated[0] if dated else None, "area_kind": kind}
    try:
        write_files(args, guide, None if unchanged else new, builder, source, loaded.private, contacts, _, data)
        if args.columns:
            remember(args.root, args.kind, mapping)
            print(_("The --columns mapping is kept in data/{file}: the next import of such a sheet uses it without --columns").format(file=COLUMNS_FILE), file=out)
    except OSError as err:  # a full disk, a read-only folder: each file is whole, the old one or the new
        print(cannot_write(err, args.root / "data", _), file=out)
        return 1
    recheck = load_guide(args.root, today=args.today, with_private=True)
    for problem in recheck.errors:  # warnings (such as old last_verified dates) are guide check's to list
        print(format_problem(problem, args.lang), file=out)
    errors = cells.messages.errors + len(recheck.errors)
    if not errors:
        workingcopies.taken_in(args.root, args.file)  # an export's working copy, all imported: export may write over it again
    print(_("{errors} errors: the rows named above were not imported").format(errors=errors) if errors else _("Imported: now run guide check and guide build"), file=out)
    return 1 if errors else 0


def summarise(builder: Importer, rows: list, new: Guide, args: argparse.Namespace, _) -> None:
    """Rows read → records made; what waits for confirmation; categories made or matched; hours left as notes."""
    out, cells = sys.stderr, builder.cells
    records = getattr(new, args.kind)
    doubts = sum(1 for r in records if r.to_confirm)
    if args.kind == "agencies":
        print(_("{rows} rows read → {records} agencies with {services} services; {doubts} wait for confirmation (to_confirm)").format(
            rows=len(rows), records=len(records), services=sum(len(a.services) for a in records), doubts=doubts), file=out)
    else:
        print(_("{rows} rows read → {records} programs; {doubts} wait for confirmation (to_confirm)").format(rows=len(rows), records=len(records), doubts=doubts), file=out)
    if builder.categories.added:
        how = _("the guide's categories were guide new's examples, replaced by the sheet's") if builder.categories.examples_only else _("not among the guide's categories")
        print(_("New categories from the sheet ({how}): {names}").format(how=how, names=sp.SEPARATOR.join(c["name"][sp.SHEET_LANGUAGE] for c in builder.categories.added.values())), file=out)
    if builder.categories.matched:
        print(_("Categories of the sheet found in the guide: {pairs}").format(pairs=sp.SEPARATOR.join(
            f"「{written}」 → {category}" for written, category in builder.categories.matched.items())), file=out)
    for vocabulary, label in ((builder.audiences, _("New audiences from the sheet: {names}")), (builder.areas, _("New areas from the sheet: {names}"))):
        if vocabulary.added:
            print(label.format(names=sp.SEPARATOR.join(e["name"][sp.SHEET_LANGUAGE] for e in vocabulary.added.values())), file=out)
    if builder.hubs:
        print(_("Hubs marked {mark} in the sheet: {names}").format(mark=builder.hub_mark, names=sp.SEPARATOR.join(
            builder.categories.names.get(c, c) for c in builder.hubs)), file=out)
        if not builder.guide.taxonomy.hubs:
            print(_("categories.yaml now declares the hub mark {mark}: write its label and explanation in the words of the city's documents").format(mark=builder.hub_mark), file=out)
    if cells.holidays_unstated:
        print(_("The sheet does not say whether the counters close on public holidays and over the year-end ({n} cells): the guide does not say it either (hours that must say it stay notes with to_confirm); give --closed-on-holidays if the city closes them then").format(
            n=cells.holidays_unstated), file=out)
    if cells.not_structured:
        print(_("Hours kept as a note with status: not_published ({n}); write them as 月～金 8:30～17:15（祝日・年末年始休み） to structure them:").format(n=len(cells.not_structured)), file=out)
        for line in cells.not_structured:
            print("  " + line, file=out)
    if builder.missing:
        kept = _("removed (--remove-missing)") if args.remove_missing else _("kept; --remove-missing removes them")
        print(_("In the guide but not in the sheet ({how}): {records}").format(how=kept, records=sp.SEPARATOR.join(builder.missing)), file=out)


def register(sub, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add `guide import agencies|programs FILE` to the subcommands."""
    parser = sub.add_parser("import", parents=[common], help="read agencies or programs from a spreadsheet (.xlsx or .csv)")
    parser.add_argument("kind", choices=["agencies", "programs"])
    parser.add_argument("file", type=Path, help="the table: .xlsx, or .csv in UTF-8 or Shift_JIS")
    parser.add_argument("--sheet", help="the worksheet to read (default: the first)")
    parser.add_argument("--columns", type=Path, help="YAML mapping of the table's headers to fields, e.g. {相談窓口: name}; kept in data/import-columns.yaml for the next import")
    parser.add_argument("--source", help="id of the document in data/sources.yaml (default: one made from the file's name, added if new)")
    parser.add_argument("--verified", type=date.fromisoformat, help="last_verified of new and changed records (default: the sheet's own date, such as ver.2018.11.1)")
    parser.add_argument("--closed-on-holidays", action="store_true",
                        help="the table's hours exclude public holidays and the year-end closure unless a row says otherwise")
    parser.add_argument("--remove-missing", action="store_true",
                        help="remove the records (and services) the sheet no longer has; without it they are kept and listed")
    parser.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
    return parser
