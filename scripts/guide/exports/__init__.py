"""Open data from the same source: every export `guide build` writes beside each edition's pages.

Under `<edition>/data/`: the whole dataset as JSON with its JSON Schema, Open Referral
HSDS 3.0, the 推奨データセット (v1) CSVs and iCalendar feeds; `sitemap.xml` at
the edition's root; JSON-LD goes into the pages themselves (`jsonld.py`).  Each module
reads the typed model only.  CATALOGUE is what the オープンデータ page lists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..editions import Edition
from ..i18n import N_, default_language, translations
from ..model import Guide
from ..urls import url_for
from . import calendar_feed, dataset, hsds, hsds_tabular, sitemap, standard_csv
from .calendar_feed import has_feed
from .common import Language
from .jsonld import StructuredData

DATA_DIR = "data"
CALENDAR_DIR = "calendar"
ALL_PROGRAMS_FEED = "all.ics"


@dataclass(frozen=True)
class ExportFile:
    path: str  # relative to the edition's root
    format: str  # English message id of the format's name
    description: str  # English message id
    parts: tuple[str, ...] = ()  # files the description's file names (a data package's tables)



CATALOGUE = [
    ExportFile(f"{DATA_DIR}/guide.json", "JSON", N_("The whole public dataset: agencies, programs, categories, areas and sources, in every language.")),
    ExportFile(f"{DATA_DIR}/{dataset.SCHEMA_FILE}", "JSON Schema", N_("The format of guide.json, generated from the guide's data model.")),
    ExportFile(f"{DATA_DIR}/hsds/organizations.json", "Open Referral HSDS 3.0", N_("Organizations with their locations, addresses, phones and opening hours.")),
    ExportFile(f"{DATA_DIR}/hsds/services.json", "Open Referral HSDS 3.0", N_("Services and programs with schedules, categories and languages.")),
    ExportFile(f"{DATA_DIR}/hsds/taxonomies.json", "Open Referral HSDS 3.0", N_("The taxonomies: categories, audiences, program kinds and this guide's extension terms.")),
    ExportFile(f"{DATA_DIR}/hsds/taxonomy_terms.json", "Open Referral HSDS 3.0", N_("The terms of those taxonomies.")),
    ExportFile(f"{DATA_DIR}/hsds/{hsds_tabular.DESCRIPTOR}", N_("Open Referral HSDS 3.0 (tabular data package)"),
               N_("The same HSDS records as one CSV per HSDS table, described by datapackage.json, for HSDS validators and aggregators."),
               tuple(f"{DATA_DIR}/hsds/{hsds_tabular.path_of(table)}" for table in hsds.TABLES)),
    ExportFile(f"{DATA_DIR}/{standard_csv.FACILITIES}.csv", N_("CSV (recommended municipal open data set, v1)"), N_("公共施設一覧: agencies and their offices, UTF-8 with BOM.")),
    ExportFile(f"{DATA_DIR}/{standard_csv.EVENTS}.csv", N_("CSV (recommended municipal open data set, v1)"), N_("イベント一覧: program sessions and the coming meetings of regular groups, UTF-8 with BOM.")),
    ExportFile(f"{DATA_DIR}/{CALENDAR_DIR}/{ALL_PROGRAMS_FEED}", "iCalendar", N_("Upcoming program dates for calendar apps; each program page has its own feed.")),
]


def calendar_href(program_id: str) -> str:
    return f"{DATA_DIR}/{CALENDAR_DIR}/{calendar_feed.feed_file(program_id)}"


def _language(root: Path, guide: Guide, code: str) -> Language | None:
    if code not in {lang.code for lang in guide.site.languages}:
        return None
    return Language(guide, code, translations(root, code))


def _write(path: Path, content: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"  # compact: the C encoder


# The files under DATA_DIR that are the same in every edition (the dataset holds every language; the standard
# datasets are Japanese by definition): made once (write_shared_exports), copied into each edition.
SHARED_FILES = ("guide.json", dataset.SCHEMA_FILE, f"{standard_csv.FACILITIES}.csv", f"{standard_csv.EVENTS}.csv")


def write_shared_exports(root: Path, guide: Guide, out: Path, today: date) -> None:
    """Write SHARED_FILES under `out`/DATA_DIR (a folder beside the editions')."""
    # A guide without Japanese: its texts in the guide's default language.
    japanese = _language(root, guide, standard_csv.DATASET_LANGUAGE) or _language(root, guide, default_language(guide.site))
    english = _language(root, guide, standard_csv.SECOND_LANGUAGE)
    contents = (
        _json(dataset.dataset(guide, today)),
        _json(dataset.dataset_schema()),
        standard_csv.write_csv(standard_csv.FACILITIES, standard_csv.facility_rows(guide, japanese)),
        standard_csv.write_csv(standard_csv.EVENTS, standard_csv.event_rows(guide, japanese, english, today)),
    )
    for name, content in zip(SHARED_FILES, contents, strict=True):
        _write(out / DATA_DIR / name, content)


def write_exports(root: Path, guide: Guide, edition: Edition, out: Path, today: date) -> None:
    """Write the exports of one edition but SHARED_FILES under `out` (its DATA_DIR folder; `out` is the edition's
    folder in the new site, or a folder beside it, as they need nothing of the pages)."""
    words = _language(root, guide, edition.lang)
    base = edition.url(guide)

    def page_url(path: str) -> str | None:
        return base + path if base else None

    files: dict[str, bytes | str] = {}
    export = hsds.build_hsds(guide, words, today)
    for name, records in export.files().items():
        files[f"{DATA_DIR}/hsds/{name}"] = _json(records)
    for name, content in hsds_tabular.package_files(guide, words, export).items():
        files[f"{DATA_DIR}/hsds/{name}"] = content
    per_program, everything = calendar_feed.program_feeds(guide, words, today, lambda pid: page_url(url_for("program", pid)))
    files[f"{DATA_DIR}/{CALENDAR_DIR}/{ALL_PROGRAMS_FEED}"] = everything
    files |= {f"{DATA_DIR}/{CALENDAR_DIR}/{name}": feed for name, feed in per_program.items()}
    for path, content in files.items():
        _write(out / path, content)


def write_sitemap(guide: Guide, edition: Edition, editions: list[Edition], out: Path) -> Path | None:
    """sitemap.xml of one edition's pages, in its folder `out` of the new site (once its pages are there)."""
    base = edition.url(guide)
    target = out / "sitemap.xml"
    for stale in (target, out / "sitemap.xml.gz"):  # MkDocs's, dated by the build
        stale.unlink(missing_ok=True)
    if not base:  # a sitemap needs absolute addresses: none without the site's public URL
        return None
    others = [e.prefix for e in editions if e.prefix and e != edition]
    alternates = [(e.lang, e.url(guide)) for e in editions] + [("x-default", e.url(guide)) for e in editions if not e.prefix]
    _write(target, sitemap.sitemap(guide, base, sitemap.public_pages(out, others), alternates))
    return target


def page_globals(guide: Guide, lang: str, translations, today: date) -> dict:
    """What the オープンデータ page and the pages' JSON-LD and calendar links need from the exports."""
    base = Edition.of(guide, lang).url(guide)
    data = StructuredData(guide, Language(guide, lang, translations), today, lambda path: base + path if base else None)
    return {
        "structured_data": data.for_page,
        "has_feed": lambda program: has_feed(program, today),
        "calendar_href": calendar_href,
        "open_data_files": CATALOGUE,
    }


__all__ = ["CATALOGUE", "SHARED_FILES", "calendar_href", "page_globals", "write_exports", "write_shared_exports", "write_sitemap"]

