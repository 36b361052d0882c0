"""`guide build`: data → pages and assets for every language → MkDocs → site/, atomically.

Page generation is a standalone step: MkDocs (or Zensical, which reads the same
mkdocs.yml but has no hooks) only wraps generated Markdown in the theme.  The
new site is assembled in build/site.new/ and swapped in at the end, so a
failed build leaves the previous site/ untouched.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from . import finder, report
from .editions import SITE_URL_VARIABLE, Edition, public_url
from .hours import Calendar, calendar_table
from .i18n import translations
from .load import load_or_raise
from .model import Guide
from .pages import Renderer, plan_pages, url_for
from .problems import Problem

BUILD_DIR = "build"
SITE_DIR = "site"
REPORT_FILE = "report.md"
CONTENT_DIR = "content"
HOLIDAY_YEARS = 2

# UI strings the browser scripts need (window.GUIDE_STRINGS), by key: English message id.
# "{name}" placeholders are filled in by the scripts.
JS_STRINGS: dict[str, str] = {
    "open_now": "Open now",
    "closes_at": "until {time}",
    "closed_now": "Closed now",
    "opens_today_at": "opens today at {time}",
    "closed_today": "Closed for today",
    "closed_all_day": "Closed today",
    "next_open": "Next open: {day} {time}",
    "tomorrow": "tomorrow",
    "on_weekday": "{weekday}",
    "on_date": "{weekday} {month}/{date}",
    "unknown": "Hours not listed — please call",
    **{day: day.capitalize() for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


class BuildError(Exception):
    """The build could not finish; the previous site/ is untouched."""


@dataclass(frozen=True)
class BuildReport:
    editions: list[Edition]
    problems: list  # warnings only: errors stop the build


def build(root: Path, *, today: date, handouts: bool = True) -> BuildReport:
    """Build every edition into site/ (with its PDF handouts unless `handouts` is False).

    Raises DataError (bad data) or BuildError."""
    loaded = load_or_raise(root, today=today)
    guide = loaded.guide
    warnings = list(loaded.problems)
    calendar = Calendar.for_site(guide.site)
    if today.year + HOLIDAY_YEARS > calendar.last_holiday_year:
        warnings.append(Problem("data/site.yaml", 1, 1, "holidays_run_out", {"year": calendar.last_holiday_year}, "warning"))
    editions = Edition.all_for(guide)
    work = root / BUILD_DIR
    staging = work / "site.new"
    shutil.rmtree(staging, ignore_errors=True)
    # Each edition's MkDocs writes a folder of its own (it empties it first), the editions side by side.
    outputs = [staging if not e.prefix else work / f"site.new.{e.lang}" for e in editions]
    configs = []
    for edition, out in zip(editions, outputs):
        shutil.rmtree(out, ignore_errors=True)
        docs = generate(root, guide, edition, editions, today)
        configs.append(write_mkdocs_config(root, guide, edition, editions, docs, out))
    run_mkdocs_all(configs)
    for edition, out in zip(editions, outputs):
        if out != staging:
            out.rename(staging / edition.prefix)
        if handouts:
            warnings += print_handouts(root, guide, edition, staging / edition.prefix / "handouts", today)
    if handouts and not public_url(guide):
        warnings.append(Problem("data/site.yaml", 1, 1, "no_site_url", {"variable": SITE_URL_VARIABLE}, "warning"))
    # The maintenance report (freshness, missing facts, translations, dead links) of the new
    # site, kept beside it for the pull-request preview; it is not published.
    checked = report.build_report(root, guide, today=today, site_dir=staging)
    (work / REPORT_FILE).write_text(report.render_report(checked, editions[0].lang, "markdown"), encoding="utf-8")
    _swap_in(staging, root / SITE_DIR)
    return BuildReport(editions, warnings)


def generate(root: Path, guide: Guide, edition: Edition, editions: list[Edition], today: date) -> Path:
    """Write the Markdown pages and the generated assets of one edition to build/docs/<lang>/."""
    docs = root / BUILD_DIR / "docs" / edition.lang
    shutil.rmtree(docs, ignore_errors=True)
    content = root / CONTENT_DIR / edition.lang
    if not content.is_dir():  # a new language without its own prose pages shows the default ones
        content = root / CONTENT_DIR / editions[0].lang
    shutil.copytree(content, docs)
    catalog = translations(root, edition.lang)
    calendar = Calendar.for_site(guide.site)
    renderer = Renderer(guide, edition.lang, catalog, today)
    for page in plan_pages(guide):
        target = docs / page.source_file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(renderer.render(page), encoding="utf-8")
    assets = docs / "assets" / "guide"
    assets.mkdir(parents=True, exist_ok=True)
    table = calendar_table(calendar, today, HOLIDAY_YEARS)
    _write_js(assets / "calendar.js", "GUIDE_CALENDAR", table)
    _write_js(assets / "strings.js", "GUIDE_STRINGS", {key: catalog.gettext(msgid) for key, msgid in JS_STRINGS.items()})
    index = finder.build_index(guide, edition.lang, url_for)
    (assets / "finder-index.json").write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return docs


def print_handouts(root: Path, guide: Guide, edition: Edition, out: Path, today: date) -> list[Problem]:
    """Print the edition's handouts into `out`; warnings for the sheets that overflow their one page."""
    from .handouts import HandoutError, render_handouts  # noqa: PLC0415 - WeasyPrint is slow to import

    overflows = []
    try:
        render_handouts(root, guide, edition.lang, out, today=today, site_url=edition.url(guide), overflows=overflows)
    except HandoutError as err:
        raise BuildError(err.in_language(edition.lang)) from None
    site_path = f"{SITE_DIR}/{edition.prefix}handouts"
    return [Problem(f"{site_path}/{o.filename}", 1, 1, "handout_overflow", {"pages": o.pages}, "warning") for o in overflows]


def _write_js(path: Path, name: str, value: object) -> None:
    path.write_text(f"window.{name} = {json.dumps(value, ensure_ascii=False)};\n", encoding="utf-8")


def write_mkdocs_config(root: Path, guide: Guide, edition: Edition, editions: list[Edition], docs: Path, out: Path) -> Path:
    """A per-edition config inheriting the committed mkdocs.yml: only language-specific settings."""
    default_prefix_depth = edition.prefix.count("/")
    up = "../" * default_prefix_depth
    names = {lang.code: lang.name for lang in guide.site.languages}
    config = {
        "INHERIT": str((root / "mkdocs.yml").resolve()),
        "site_name": guide.site.title.get(edition.lang) or guide.site.title.get(editions[0].lang),
        "docs_dir": str(docs.resolve()),
        "site_dir": str(out.resolve()),
        # Paths in the inherited file would resolve against this file's folder: give them whole.
        "theme": {"language": edition.lang, "custom_dir": str((root / "overrides").resolve())},
        "extra": {
            # Links are relative to this edition's root; the switcher appends the current page's path.
            "alternate": [
                {"name": names[other.lang], "lang": other.lang, "link": up + other.prefix}
                for other in editions
            ],
        },
    }
    if guide.site.description:
        config["site_description"] = guide.site.description.get(edition.lang) or guide.site.description.get(editions[0].lang)
    if edition.url(guide):
        config["site_url"] = edition.url(guide)
    path = root / BUILD_DIR / f"mkdocs.{edition.lang}.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def run_mkdocs_all(config_files: list[Path]) -> None:
    """MkDocs for every edition, in parallel on as many cores as there are (forked after the import)."""
    from mkdocs.commands import build as _imported  # noqa: F401, PLC0415 - imported once, before forking

    workers = min(len(config_files), len(os.sched_getaffinity(0)))
    if workers < 2:
        for config_file in config_files:
            run_mkdocs(config_file)
        return
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(run_mkdocs, config_files, chunksize=1)


def run_mkdocs(config_file: Path) -> None:
    from mkdocs.commands.build import build as mkdocs_build  # noqa: PLC0415 - slow import, only when building
    from mkdocs.config import load_config  # noqa: PLC0415

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        mkdocs_build(load_config(config_file=str(config_file)))
    except Exception as err:  # noqa: BLE001 - a theme or config mistake is reported, never a traceback
        location = f"{err.filename}:{err.lineno}: " if getattr(err, "lineno", None) and getattr(err, "filename", None) else ""
        raise BuildError(f"MkDocs ({config_file.name}): {location}{type(err).__name__}: {err}") from err


def _swap_in(staging: Path, site: Path) -> None:
    """Replace site/ with the finished build in two renames (never half a site)."""
    old = site.with_name(site.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if site.exists():
        site.rename(old)
    staging.rename(site)
    shutil.rmtree(old, ignore_errors=True)
