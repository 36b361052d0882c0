"""HSDS 3.0 as a tabular data package: datapackage.json and one CSV per HSDS table.

The form HSDS validators and aggregators read (Frictionless Data Package): every column HSDS
defines for a table, in its order, with the field definitions of HSDS's own
`compiled/tabular.json` (vendored in standards/hsds-3.0/, CC BY-SA 4.0).  The rows are the
records of the JSON export (`hsds.HsdsExport.tables`).  UTF-8 without BOM, as the Data
Package standard reads; a text cell that begins like a formula gets the apostrophe every CSV
of the guide gets (`formulas.neutralised`).
"""

from __future__ import annotations

import csv
import io
import json
from functools import lru_cache

from ..formulas import neutralised
from ..model import Guide
from .common import Language
from .hsds import TABLES, HsdsExport
from .standard_csv import STANDARDS

DESCRIPTOR = "datapackage.json"
TABULAR = STANDARDS / "hsds-3.0" / "compiled" / "tabular.json"


@lru_cache(maxsize=1)
def hsds_tables() -> dict[str, dict]:
    """HSDS's definition of each table: its file name, description, required fields and columns."""
    return {name: entry["items"] for name, entry in json.loads(TABULAR.read_text(encoding="utf-8"))["properties"].items()}


def columns(table: str) -> list[tuple[str, dict]]:
    """The table's columns: every field HSDS defines for it that is a value, not a list of other records."""
    return [(name, field) for name, field in hsds_tables()[table]["properties"].items() if field["type"] not in ("array", "object")]


def field_schema(table: str, name: str, field: dict) -> dict:
    definition = hsds_tables()[table]
    required = name in definition.get("required", []) or name in definition.get("tabular_required", [])
    schema = {"name": name, "type": field.get("datapackage_type", field["type"]), "description": field.get("description", "")}
    if "format" in field and schema["type"] == "string":
        schema["format"] = field["format"]
    schema["constraints"] = {"required": required, "unique": bool(field.get("constraints", {}).get("unique"))}
    return schema


def path_of(table: str) -> str:
    return hsds_tables()[table]["path"]


def table_csv(table: str, rows: list[dict]) -> bytes:
    fields = columns(table)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _ in fields])
    kinds = [(name, field["type"] == "string") for name, field in fields]
    for row in rows:
        cells = []
        for name, string in kinds:
            value = row.get(name)
            if value is None or value == "":  # most cells of a table are empty
                cells.append("")
                continue
            text = str(value).lower() if isinstance(value, bool) else str(value)
            cells.append(neutralised(text) if string else text)
        writer.writerow(cells)
    return out.getvalue().encode("utf-8")


def descriptor(guide: Guide, words: Language) -> dict:
    licence = guide.site.data_licence
    package = {
        "profile": "tabular-data-package",
        "name": f"resource-guide-hsds-{words.lang}".lower(),
        "title": words.text(guide.site.title),
        "description": words.gettext("Open Referral HSDS 3.0 in its tabular form: one CSV per HSDS table."),
    }
    if licence.url:
        package["licenses"] = [{"title": licence.name, "path": licence.url}]
    package["resources"] = [
        {
            "name": table,
            "path": path_of(table),
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "description": hsds_tables()[table].get("description", ""),
            "schema": {"fields": [field_schema(table, name, field) for name, field in columns(table)], "primaryKey": ["id"]},
        }
        for table in TABLES
    ]
    return package


def package_files(guide: Guide, words: Language, export: HsdsExport) -> dict[str, bytes | str]:
    """{file name: content}: datapackage.json and each table's CSV."""
    files: dict[str, bytes | str] = {path_of(table): table_csv(table, rows) for table, rows in export.tables().items()}
    files[DESCRIPTOR] = json.dumps(descriptor(guide, words), ensure_ascii=False, indent=1) + "\n"
    return files
