"""`guide export agencies|programs --format xlsx|csv`: the records as the table a city keeps in Excel.

One row per service of an agency (as in a 相談機関一覧) or per program.  `guide import` reads the
file back: export → edit in Excel → import, and `guide diff` shows exactly the edits.  Staff-only
facts (内線, 担当者) are never written: they stay in data/private.yaml.  No cell runs as a formula
(`formulas.neutralised`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import spreadsheet as sp
from . import workingcopies
from .formulas import neutralised
from .i18n import translations
from .load import load_guide
from .messages import format_problem
from .model import Agency, Guide, Program, Service
from .yamlfile import cannot_write

def agency_cells(guide: Guide, agency: Agency, service: Service) -> dict[str, str]:
    """One row of the agency table: the service, with its agency's facts (its own phones and hours when it has them)."""
    categories = {c.id: c for c in guide.taxonomy.categories}
    audiences = {a.id: a for a in guide.taxonomy.audiences}
    areas = {a.id: a for a in guide.areas.areas}
    address = agency.address
    phones = service.phones or agency.phones
    return {
        "id": agency.id,
        "service_id": service.id,
        "list_number": "" if service.list_number is None else str(service.list_number),
        "categories": names_cell(categories, service.categories),
        "description": sp.text_cell(service.description),
        "audiences": names_cell(audiences, service.audiences),
        "name": sp.text_cell(agency.name),
        "kana": agency.kana or "",
        "postal_code": (address.postal_code or "") if address else "",
        "street": sp.text_cell(address.street) if address else "",
        "building": sp.text_cell(address.building) if address else "",
        "phone": sp.phones_cell(phones, "voice"),
        "fax": sp.phones_cell(phones, "fax"),
        "hours": sp.hours_cell(service.hours or agency.hours),
        "email": agency.email or "",
        "url": agency.url or "",
        "areas_served": names_cell(areas, agency.areas_served),
        "owner": sp.text_cell(agency.owner),
        "source": sp.sources_cell(agency.source),
        "last_verified": agency.last_verified.isoformat(),
    }


def names_cell(entries: dict, ids: list[str]) -> str:
    """Categories, audiences or areas as the sheet writes them: their names (an unknown id as it is), joined."""
    return sp.SEPARATOR.join(sp.text_cell(entries[i].name) if i in entries else i for i in ids)


def agency_name(guide: Guide, agency_id: str | None) -> str:
    agency = next((a for a in guide.agencies if a.id == agency_id), None)
    return sp.text_cell(agency.name) if agency else ""


def program_cells(guide: Guide, program: Program) -> dict[str, str]:
    kinds = {k.id: k for k in guide.taxonomy.program_kinds}
    categories = {c.id: c for c in guide.taxonomy.categories}
    return {
        "id": program.id,
        "name": sp.text_cell(program.name),
        "kana": program.kana or "",
        "kind": sp.text_cell(kinds[program.kind].name) if program.kind in kinds else program.kind,
        "categories": names_cell(categories, program.categories),
        "venue": sp.text_cell(program.venue),
        "schedule": sp.schedule_cell(program.schedule),
        "audience": sp.text_cell(program.audience),
        "cost": sp.text_cell(program.cost),
        "capacity": "" if program.capacity is None else str(program.capacity),
        "how_to_apply": sp.text_cell(program.how_to_apply),
        "organiser": agency_name(guide, program.organiser) or sp.text_cell(program.organiser_name),
        "contact": agency_name(guide, program.contact),
        "url": program.url or "",
        "source": sp.sources_cell(program.source),
        "last_verified": program.last_verified.isoformat(),
    }


def table(guide: Guide, kind: str) -> tuple[list[str], list[list[str]]]:
    """Headers and rows of the agency or program table."""
    if kind == "agencies":
        spec = sp.AGENCY_COLUMNS
        records = [agency_cells(guide, a, s) for a in guide.agencies for s in a.services]
    else:
        spec = sp.PROGRAM_COLUMNS
        records = [program_cells(guide, p) for p in guide.programs]
    fields = [f for f in spec if f not in sp.STAFF_ONLY]
    return [spec[f][0] for f in fields], [[neutralised(r[f]) for f in fields] for r in records]


def cmd_export(args: argparse.Namespace) -> int:
    _ = translations(args.root, args.lang).gettext
    loaded = load_guide(args.root, today=args.today)
    if loaded.guide is None:
        for problem in loaded.errors:
            print(format_problem(problem, args.lang), file=sys.stderr)
        print("guide export: " + _("the data has errors: fix them first (guide check)"), file=sys.stderr)
        return 1
    output = args.output or args.root / f"{args.kind}.{args.format}"
    if output.suffix.lower() != f".{args.format}":
        print("guide export: " + _("{file} does not end in .{format}").format(file=output, format=args.format), file=sys.stderr)
        return 2
    state = workingcopies.state(args.root, output)
    if state in ("edited", "foreign") and not args.force:
        print(f"{output}: " + (_("changed since guide export wrote it (import the edits with guide import first, or give --force to overwrite them)") if state == "edited"
                               else _("the file exists and was not written by guide export (choose another --output, or give --force to overwrite it)")), file=sys.stderr)
        return 1
    headers, rows = table(loaded.guide, args.kind)
    encoding = "cp932" if args.encoding == "shift_jis" else "utf-8-sig"
    try:
        sp.write_sheet(output, _("Agencies") if args.kind == "agencies" else _("Programs"), headers, rows, encoding)
        workingcopies.remember(args.root, output)
    except UnicodeEncodeError as err:
        print("guide export: " + _("{char} cannot be written in Shift_JIS (export as UTF-8 instead)").format(char=err.object[err.start : err.end]), file=sys.stderr)
        return 1
    except OSError as err:
        print(cannot_write(err, output, _), file=sys.stderr)
        return 1
    print(_("Wrote {n} rows to {file}").format(n=len(rows), file=output), file=sys.stderr)
    return 0


def register(sub, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add `guide export agencies|programs` to the subcommands."""
    parser = sub.add_parser("export", parents=[common], help="write agencies or programs as a spreadsheet (.xlsx or .csv)")
    parser.add_argument("kind", choices=["agencies", "programs"])
    parser.add_argument("--format", choices=["xlsx", "csv"], default="xlsx")
    parser.add_argument("--output", "-o", type=Path, help="file to write (default: agencies.xlsx or programs.xlsx in the guide's folder)")
    parser.add_argument("--encoding", choices=["utf-8", "shift_jis"], default="utf-8", help="for CSV (default: UTF-8 with BOM, which Excel opens)")
    parser.add_argument("--force", action="store_true", help="overwrite the file even if it was edited since export wrote it")
    parser.set_defaults(func=cmd_export)
    return parser
