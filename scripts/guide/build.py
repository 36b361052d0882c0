"""`guide build`: data → pages and assets for every language → MkDocs → site/, atomically.

Page generation is a standalone step: MkDocs (or Zensical, which reads the same
mkdocs.yml but has no hooks) only wraps generated Markdown in the theme.  The
new site is assembled in build/site.new/ and swapped in at the end, so a
failed build leaves the previous site/ untouched.  One build runs at a time in
a checkout (build/build.lock), the swap exchanges the two folders in one step,
and a stopped build removes what it had started.

Each edition's site (generate its Markdown, then MkDocs, then compare its pages with the
previous site), each edition's open data, the open data that is the same in every edition
(made once, copied into each), the report's facts and the comparison of each edition's open
data with the previous site are jobs for the workers, one per core, each job to the first
worker free (workers.forked_jobs).  A build starts from the last good one when it can: the
Markdown is kept in build/docs/<lang>/ and only pages whose text changed are written, the
new site starts as a copy of site/, and MkDocs renders only those pages (its dirty mode).
It starts clean instead when anything a page's frame is made of differs from the last good
build (the generated config with its navigation and titles, mkdocs.yml, overrides/, the
theme's version), when a page was taken out, when site/ is not what that build left
(build/last-build.json), or with `guide build --clean`.

Where escaping is held (read this before printing a new value in a theme template):
- The guide's own templates (scripts/guide/templates/) autoescape every value, UI
  strings from locale/ included (templating.template_environment).
- MkDocs and Material render mkdocs.yml values and page front matter WITHOUT
  escaping (and sometimes with `| e`).  So:
  * what goes into the generated config (site_name, site_description, the language
    switcher's names in extra.editions) is refused by `guide check` when it holds
    < > & " (model.check_theme_text): those values need no escaping, so raw and `| e`
    both print them once.  Addresses follow the one URL rule (model.URL_PATTERN).
  * page titles in generated front matter are HTML-escaped once by the page
    templates (`| e | tojson`): MkDocs treats a page title as HTML, as it does a title
    taken from the page's <h1>, and Material prints page.meta.title as is.
  * a content/ page's own front matter may hold only title, description and in_nav,
    as one line of plain text each; its title (or the first heading MkDocs takes
    instead) is refused like config values, and `generate` hands MkDocs every
    content/ page again with those keys only, each text escaped once
    (content.publishable_page).  Its Markdown may hold only plain HTML (content.py).
- overrides/ print config values as they are, for the same reason, and every page
  carries a Content-Security-Policy as the first element of its <head>
  (overrides/main.html, from CONTENT_SECURITY_POLICY here; the same policy goes
  into site/_headers for hosts that send headers) as a second line.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import filecmp
import gc
import hashlib
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from importlib import metadata
from pathlib import Path

import jinja2
import yaml

from . import exports, finder, report, slip
from .content import page_text, publishable_page
from .editions import SITE_URL_VARIABLE, Edition, public_url
from .exports.calendar_feed import FeedError
from .hours import Calendar, calendar_table
from .i18n import TOOL_LANGUAGE, default_language, translations
from .load import BUILD_DIR, SITE_DIR, load_or_raise
from .messages import word
from .model import Guide
from .normalize import readings_kept
from .pages import Renderer, plan_pages
from .urls import url_for
from .templating import CompiledTemplates, component_css
from .trees import listed
from .problems import Problem
from .workers import forked_jobs

REPORT_FILE = "report.md"
LOCK_FILE = "build.lock"
STATE_FILE = "last-build.json"  # what the site/ of the last good build was made from
READINGS_CACHE = "readings-cache.json"  # the finder's readings of the texts (normalize.readings_kept)
TEMPLATE_CACHE = "templates-cache"  # compiled Jinja templates (the pages' and the theme's), checked against their source
DOCS_DIR = "docs"
EDITIONS_DIR = "site.new.editions"  # the other editions while MkDocs builds them beside the default one
OPEN_DATA_DIR = "site.new.data"  # each edition's open data while the pages are made
SHARED_DATA = "shared"  # in OPEN_DATA_DIR: the open data that is the same in every edition
HANDOUTS_DIR = "handouts"
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
    "maybe_closed_holiday": "May be closed today (public holiday)",
    "maybe_closed_year_end": "May be closed today (year-end)",
    "unstated_check": "the documents do not say — please check before you go",
    "menu": "Menu",
    **{day: day.capitalize() for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


class BuildError(Exception):
    """The build could not finish; the previous site/ is untouched."""


@dataclass(frozen=True)
class BuildReport:
    editions: list[Edition]
    problems: list  # warnings only: errors stop the build
    pages: int = 0  # pages whose HTML was made, every edition
    kept: list[str] = field(default_factory=list)  # the editions that started from the last good build's site
    changed: SiteChanges | None = None  # what differs from the previous site/ (None: there was none)


@dataclass(frozen=True)
class SiteChanges:
    """Files of the new site/ that differ from the previous one (added, changed or taken out)."""

    pages: int  # HTML pages
    files: int  # everything else: scripts, the finder index, open data, handouts

    @property
    def none(self) -> bool:
        return not self.pages and not self.files


    @classmethod
    def of(cls, names: list[str]) -> SiteChanges:
        pages = sum(1 for name in names if name.endswith(".html"))
        return cls(pages, len(names) - pages)


def part_changes(old: Path, new: Path, prefix: str = "", skip: frozenset[str] = frozenset(), same: frozenset[str] = frozenset()) -> list[str]:
    """Files of the folder `new` that differ from those of `old` (added, changed or taken out; either
    folder may be missing), named from the site's root as `prefix` + their path; top-level names in
    `skip` are another part's, and files named in `same` are known to be the same.  A file a kept build
    copied keeps its size and time and is taken as the same unread (filecmp's shallow rule); any other
    is compared byte for byte."""
    before, after = listed(old, skip)[0], listed(new, skip)[0]
    differ = (before ^ after) | {name for name in (before & after) - same if not filecmp.cmp(f"{old}/{name}", f"{new}/{name}", shallow=True)}
    return sorted(prefix + name for name in differ)


def build(root: Path, *, today: date, handouts: bool = True, lang: str = TOOL_LANGUAGE, clean: bool = False) -> BuildReport:
    """Build every edition into site/ (with its PDF handouts unless `handouts` is False).

    `clean` renders every page again even where the last good build's pages could be kept.
    Raises DataError (bad data) or BuildError (worded in `lang`)."""
    work = root / BUILD_DIR
    try:
        with _one_build_at_a_time(work, lang), _removed_when_stopped(work / "site.new", work / EDITIONS_DIR, work / OPEN_DATA_DIR):
            _recover(root / SITE_DIR)
            return _build(root, today=today, handouts=handouts, clean=clean)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (see _stop): what was started is removed
        raise BuildError(word("build_stopped", lang)) from None
    except FeedError as err:
        where, detail = err.args
        raise BuildError(word("ical_refused", lang, where=where, detail=detail)) from None
    except OSError as err:  # a read-only folder, a full disk: said plainly, site/ untouched
        where = Path(err.filename).relative_to(root) if err.filename and Path(err.filename).is_relative_to(root) else err.filename
        raise BuildError(word("build_no_write", lang, path=where or root, reason=err.strerror or err)) from None


@contextlib.contextmanager
def _one_build_at_a_time(work: Path, lang: str):
    """Hold build/build.lock; a second build in the same checkout stops with a clear message.

    The lock is the kernel's (flock): it goes with the process, so a killed build leaves none."""
    work.mkdir(exist_ok=True)
    with open(work / LOCK_FILE, "a+", encoding="utf-8") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.seek(0)
            raise BuildError(word("build_locked", lang, pid=lock.read().strip() or "?")) from None
        lock.truncate(0)
        lock.write(str(os.getpid()))
        lock.flush()
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def _removed_when_stopped(*leftovers: Path):
    """Remove the staging folders before and after the build, also when it is stopped (SIGTERM, Ctrl-C).

    A SIGKILL cannot be caught: the next build removes what that one left."""
    for path in leftovers:
        shutil.rmtree(path, ignore_errors=True)
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        for path in leftovers:
            shutil.rmtree(path, ignore_errors=True)


def _recover(site: Path) -> None:
    """Put back the previous site/ if a build was killed between the two renames of _swap_in."""
    old = site.with_name(site.name + ".old")
    if old.is_dir() and not site.exists():
        old.rename(site)
    shutil.rmtree(old, ignore_errors=True)


def _stop(signum, frame):
    raise KeyboardInterrupt


def _build(root: Path, *, today: date, handouts: bool, clean: bool) -> BuildReport:
    loaded = load_or_raise(root, today=today, keep_parsed=True)
    # The guide lives until the build ends, and the workers fork from here: the cyclic collector
    # need not go through it again (it was built while the collector was paused, so its first
    # collections would go through all of it), nor touch its memory in every worker.
    gc.freeze()
    guide = loaded.guide
    warnings = list(loaded.problems)
    calendar = Calendar.for_site(guide.site)
    if today.year + HOLIDAY_YEARS > calendar.last_holiday_year:
        warnings.append(Problem("data/site.yaml", 1, 1, "holidays_run_out", {"year": calendar.last_holiday_year}, "warning"))
    editions = Edition.all_for(guide)
    work = root / BUILD_DIR
    staging = work / "site.new"
    previous = root / SITE_DIR if (root / SITE_DIR).is_dir() else None
    # Each edition's MkDocs writes a folder of its own (it empties it first), the editions side by side;
    # the open data needs nothing of the pages and is written beside them, moved in at the end.
    outputs = [staging if not e.prefix else work / EDITIONS_DIR / e.lang for e in editions]
    open_data = [work / OPEN_DATA_DIR / e.lang for e in editions]
    shared_data = work / OPEN_DATA_DIR / SHARED_DATA  # the open data that is the same in every edition, copied into each
    last = _last_build(root, editions)
    (work / STATE_FILE).unlink(missing_ok=True)  # from here on the kept Markdown may be ahead of site/
    compiled = CompiledTemplates(_folder(work / TEMPLATE_CACHE))
    sites = [(_edition_site, (root, guide, edition, editions, today, out, last.get(edition.lang), clean, previous is not None, compiled))
             for edition, out in zip(editions, outputs)]
    data = [(write_open_data, (root, guide, edition, folder, today)) for edition, folder in zip(editions, open_data)]
    jobs = [*sites, *data, (write_shared_open_data, (root, guide, shared_data, today)), (report.data_report, (guide, today))]
    # What differs from the previous site/: an edition's pages are compared by its own job (it knows
    # which pages it made of changed Markdown), its open data as soon as it is made, by whichever worker is free.
    after = {}
    shared = frozenset(exports.SHARED_FILES)
    if previous is not None:
        for number, (edition, folder) in enumerate(zip(editions, open_data)):
            after[len(jobs)] = len(sites) + number
            jobs.append((part_changes, (previous / edition.prefix / exports.DATA_DIR, folder / exports.DATA_DIR, f"{edition.prefix}{exports.DATA_DIR}/", shared)))
    done = forked_jobs(jobs, after)
    built, facts = done[: len(sites)], done[len(sites) + len(data) + 1]
    differ = [name for made in built for name in made.differ] + [name for names in done[len(jobs) - len(after):] for name in names]
    for edition, out, folder in zip(editions, outputs, open_data):
        if out != staging:
            out.rename(staging / edition.prefix)
        data_dir = staging / edition.prefix / exports.DATA_DIR
        (folder / exports.DATA_DIR).rename(data_dir)
        for name in exports.SHARED_FILES:
            shutil.copyfile(shared_data / exports.DATA_DIR / name, data_dir / name)
            if previous is not None and not _same_file(previous / edition.prefix / exports.DATA_DIR / name, data_dir / name):
                differ.append(f"{edition.prefix}{exports.DATA_DIR}/{name}")
    if handouts:
        warnings += print_handouts(root, guide, editions, staging, today)
    if handouts and not public_url(guide):
        warnings.append(Problem("data/site.yaml", 1, 1, "no_site_url", {"variable": SITE_URL_VARIABLE}, "warning"))
    if previous is not None:
        for edition in editions:  # printed now, or taken out by a build without them
            printed = f"{edition.prefix}{HANDOUTS_DIR}"
            differ += part_changes(previous / printed, staging / printed, f"{printed}/")
    # The maintenance report (freshness, missing facts, translations, dead links) of the new
    # site, kept beside it for the pull-request preview; it is not published.
    # Its dead links: the generated pages' from the links the generator made (their HTML is not read),
    # the other pages' (content/, the theme's 404) from their HTML.
    links = {name: page_links for made in built for name, page_links in made.links.items()}
    checked = report.build_report(root, guide, today=today, site_dir=staging, cache=work / report.LINKS_CACHE, links=links, facts=facts)
    (work / REPORT_FILE).write_text(report.render_report(checked, default_language(guide.site), "markdown"), encoding="utf-8")
    _swap_in(staging, root / SITE_DIR)
    # From here site/ is the new one: a failure to note what it was made from is no failed build
    # (nor one that "left site/ unchanged"); the next build, finding no note, makes every page.
    with contextlib.suppress(OSError):
        _remember_build(root, editions, built)
    kept = [e.lang for e, made in zip(editions, built) if made.kept]
    changed = SiteChanges.of(differ) if previous is not None else None
    return BuildReport(editions, warnings, sum(made.pages for made in built), kept, changed)


@dataclass(frozen=True)
class EditionSite:
    """What building one edition's site did."""

    frame: str  # a hash of everything around the pages' own Markdown (see _frame)
    pages: int  # pages whose HTML was made
    kept: bool  # whether it started from the last good build's site
    links: dict[str, list[str]]  # its generated pages' internal links, by HTML file in the site (see generate)
    differ: list[str]  # its files that differ from the previous site/'s (part_changes)


def _edition_site(
    root: Path, guide: Guide, edition: Edition, editions: list[Edition], today: date, out: Path, last_frame: str | None, clean: bool,
    compare: bool, compiled: jinja2.BytecodeCache,
) -> EditionSite:
    """Generate one edition's Markdown and make its site in `out` (from the last good build's site when it can, unless `clean`),
    with its sitemap; `last_frame`: the last good build's frame of it, where site/ is still what that build made;
    `compare`: whether to compare it with the previous site/."""
    docs = root / BUILD_DIR / DOCS_DIR / edition.lang
    links: dict[str, list[str]] = {}
    sources, changed, removed = regenerate(root, guide, edition, editions, today, docs, compiled, links)
    config = write_mkdocs_config(root, guide, edition, editions, docs, out)
    frame = _frame(root, config)
    site = root / SITE_DIR / edition.prefix
    # Not the other editions (each has its own), nor what is made after MkDocs (handouts, open data).
    not_mkdocs = frozenset(e.prefix.rstrip("/") for e in editions if e.prefix and e != edition) | {HANDOUTS_DIR, exports.DATA_DIR}
    kept = not clean and last_frame == frame and not removed
    if kept:
        shutil.copytree(site, out, ignore=lambda folder, names: not_mkdocs.intersection(names) if Path(folder) == site else ())
    run_mkdocs(config, dirty=kept, compiled=compiled)
    exports.write_sitemap(guide, edition, editions, out)
    if not edition.prefix:
        write_host_headers(out)
    made = sum(1 for name in (changed if kept else sources) if name.endswith(".md"))
    # What MkDocs made of an unchanged docs file in the same frame is what the last build made of it (the
    # rule of MkDocs' dirty mode, see above): only the others are read.
    same = frozenset()
    if last_frame == frame:
        same = frozenset(map(_site_file, sources - changed)) - set(map(_site_file, changed))
    differ = part_changes(site, out, edition.prefix, not_mkdocs, same) if compare else []
    return EditionSite(frame, made, kept, links, differ)


def _site_file(name: str) -> str:
    """The file MkDocs makes of a file of the docs folder: a Markdown page's HTML (use_directory_urls); any other, a copy."""
    if not name.endswith(".md"):
        return name
    if name == "index.md" or name.endswith("/index.md"):  # every generated page: its rule, without a File per page
        return name[:-2] + "html"
    from mkdocs.structure.files import File  # noqa: PLC0415 - as run_mkdocs, MkDocs only when it runs

    return File(name, src_dir=None, dest_dir="", use_directory_urls=True).dest_uri


def _frame(root: Path, config: Path) -> str:
    """A hash of what every page's HTML is made of besides its own Markdown: when it changes, every page is made again."""
    digest = hashlib.sha256()
    for name in ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "jinja2"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            digest.update(f"{name}={metadata.version(name)}\n".encode())
    files = [config, root / "mkdocs.yml", *sorted(p for p in (root / "overrides").rglob("*") if p.is_file())]
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _site_identity(folder: Path) -> list[int]:
    """An edition's folder in site/ as the last build left it: a plain `mkdocs build` into it, a file
    added or taken out by hand, or the folder replaced, changes this."""
    stat = folder.stat()
    return [stat.st_ino, stat.st_mtime_ns]


def _remember_build(root: Path, editions: list[Edition], built: list[EditionSite]) -> None:
    state = {e.lang: {"site": _site_identity(root / SITE_DIR / e.prefix), "frame": made.frame} for e, made in zip(editions, built)}
    (root / BUILD_DIR / STATE_FILE).write_text(json.dumps(state), encoding="utf-8")


def _last_build(root: Path, editions: list[Edition]) -> dict[str, str]:
    """Each edition's frame in the last good build, where its folder in site/ is still what that build made."""
    try:
        state = json.loads((root / BUILD_DIR / STATE_FILE).read_text(encoding="utf-8"))
        return {e.lang: state[e.lang]["frame"] for e in editions
                if e.lang in state and state[e.lang]["site"] == _site_identity(root / SITE_DIR / e.prefix)}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _folder(path: Path) -> str:
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


class _CompiledThemeTemplates:
    """A plugin given to one MkDocs run (not named in any mkdocs.yml): its theme's compiled templates
    are kept in `cache`, as the guide's own are (templating.template_environment).  MkDocs makes a fresh
    Jinja environment per run and hands it to plugins before it loads a template."""

    def __init__(self, cache: jinja2.BytecodeCache):
        self.cache = cache

    def on_env(self, env: jinja2.Environment, /, *, config, files) -> jinja2.Environment:
        env.bytecode_cache = self.cache
        return env


def generate(
    root: Path, guide: Guide, edition: Edition, editions: list[Edition], today: date, compiled: jinja2.BytecodeCache | None = None,
    links: dict[str, list[str]] | None = None,
) -> dict[str, bytes]:
    """The Markdown pages and the generated assets of one edition, by their names in its docs folder (build/docs/<lang>/).

    `links`, when given, receives the link graph of its generated pages: {HTML file in the site: its internal links}."""
    files: dict[str, bytes] = {}
    # A page not written in this language yet is shown in the default one (so every page of
    # an edition exists in the others, and the language switcher never leads nowhere).
    for lang in dict.fromkeys([default_language(guide.site), edition.lang]):
        folder = root / CONTENT_DIR / lang
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file():
                data = path.read_bytes()
                files[path.relative_to(folder).as_posix()] = publishable_page(page_text(data)).encode() if path.suffix == ".md" else data
    catalog = translations(root, edition.lang)
    calendar = Calendar.for_site(guide.site)
    renderer = edition_renderer(guide, edition, catalog, today, compiled)
    for page in plan_pages(guide):
        files[page.source_file] = renderer.render(page).encode()
    slip_files = slip.slip_files(guide, renderer.env)
    for name, text in slip_files.items():
        files[name] = text.encode()
    if links is not None:
        links.update((f"{edition.prefix}{path}index.html", page_links) for path, page_links in renderer.links.items())
        # The slip's entry files link nowhere within the site (test_slip_pages): the report need not read them.
        links.update((f"{edition.prefix}{name}", []) for name in slip_files if name.endswith(".html"))
    assets = "assets/guide/"
    table = calendar_table(calendar, today, HOLIDAY_YEARS)
    files[assets + "calendar.js"] = _js("GUIDE_CALENDAR", table)
    files[assets + "strings.js"] = _js("GUIDE_STRINGS", {key: catalog.gettext(msgid) for key, msgid in {**JS_STRINGS, **slip.JS_STRINGS}.items()})
    files[assets + "components.css"] = component_css("web").encode()
    # The readings of the texts, kept from the last build: the default edition's build keeps them for the next.
    with readings_kept(root / BUILD_DIR / READINGS_CACHE, write=edition.lang == default_language(guide.site)):
        index = finder.build_index(guide, edition.lang, url_for)
    for name, text in finder.index_files(index):
        files[assets + name] = text.encode()
    return files


def edition_renderer(guide: Guide, edition: Edition, catalog, today: date, compiled: jinja2.BytecodeCache | None = None) -> Renderer:
    """The pages of one edition, composed with what they print of the open data (JSON-LD, calendar links);
    `compiled`: where the compiled page templates are kept."""
    open_data = exports.page_globals(guide, edition.lang, catalog, today)
    return Renderer(
        guide, edition.lang, catalog, today, open_data=open_data, site_url=edition.url(guide), prefix=edition.prefix, bytecode_cache=compiled
    )


def regenerate(
    root: Path, guide: Guide, edition: Edition, editions: list[Edition], today: date, docs: Path, compiled: jinja2.BytecodeCache | None = None,
    links: dict[str, list[str]] | None = None,
) -> tuple[set[str], set[str], set[str]]:
    """Generate the edition and write to `docs` only what changed; (every, changed, removed) names; `links` as for generate.

    An untouched file keeps its time, so MkDocs' dirty mode leaves its page alone."""
    new = generate(root, guide, edition, editions, today, compiled, links)
    old = listed(docs)[0]
    changed = set()
    for name, data in sorted(new.items()):
        target = f"{docs}/{name}"
        if name in old and os.stat(target).st_size == len(data):
            with open(target, "rb") as kept:
                if kept.read() == data:
                    continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as made:
            made.write(data)
        changed.add(name)
    for name in old - set(new):
        os.unlink(f"{docs}/{name}")
    return set(new), changed, old - set(new)


def print_handouts(root: Path, guide: Guide, editions: list[Edition], site: Path, today: date) -> list[Problem]:
    """Print every edition's handouts into its handouts/ in `site`; warnings for the sheets that overflow their one page."""
    from .handouts import HandoutError, HandoutSet, render_handout_sets  # noqa: PLC0415 - WeasyPrint is slow to import

    sets = [HandoutSet(edition.lang, site / edition.prefix / HANDOUTS_DIR, edition.url(guide)) for edition in editions]
    try:
        render_handout_sets(root, guide, sets, today=today)
    except HandoutError as err:
        raise BuildError(err.in_language(default_language(guide.site))) from None
    return [
        Problem(f"{SITE_DIR}/{edition.prefix}handouts/{o.filename}", 1, 1, "handout_overflow", {"pages": o.pages}, "warning")
        for edition, one in zip(editions, sets)
        for o in one.overflows
    ]


def write_open_data(root: Path, guide: Guide, edition: Edition, out: Path, today: date) -> None:
    exports.write_exports(root, guide, edition, out, today)


def write_shared_open_data(root: Path, guide: Guide, out: Path, today: date) -> None:
    exports.write_shared_exports(root, guide, out, today)


def _same_file(old: Path, new: Path) -> bool:
    return old.is_file() and filecmp.cmp(old, new, shallow=False)


# The Content-Security-Policy of every page: the generated config gives it to the theme
# (overrides/main.html prints it as the first element of <head>), and site/_headers to hosts.
# It is the generator's, not a setting of mkdocs.yml, so that no guide's config can loosen it.
# What the theme needs, and nothing more:
# - script-src 'self': Material's bundle and the guide's scripts are files; Material's two
#   inline scripts are replaced (overrides/partials/javascripts/) and its __config block is JSON, not run.
# - style-src 'self': stylesheets are files; scripts change styles only through the CSSOM.
# - img-src 'self' data: Material draws icons from data: SVGs in its stylesheet.
# - connect-src 'self': the finder fetches its index (finder-index.json).
# - form-action 'self': the home page's search form goes to the finder.
# - everything else 'none' (no fonts from elsewhere, no frames, no plugins, no <base>).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
HEADERS_FILE = "_headers"
# Response headers a <meta> cannot give: who may frame the site, no content-type guessing
# (a picture is never read as a page), and no page address sent to other sites.
HOST_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def write_host_headers(site: Path) -> None:
    """site/_headers, in the format Netlify and Cloudflare Pages read: the policy as a header
    (with frame-ancestors, which a <meta> cannot set) and HOST_HEADERS, for every address."""
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY + "; frame-ancestors 'none'", **HOST_HEADERS}
    lines = ["# Response headers for every page and file, written by `guide build` (see README: Headers for hosts).", "/*"]
    (site / HEADERS_FILE).write_text("\n".join([*lines, *(f"  {name}: {value}" for name, value in headers.items())]) + "\n", encoding="utf-8")


def _js(name: str, value: object) -> bytes:
    return f"window.{name} = {json.dumps(value, ensure_ascii=False)};\n".encode()


def write_mkdocs_config(
    root: Path, guide: Guide, edition: Edition, editions: list[Edition], docs: Path, out: Path, path: Path | None = None
) -> Path:
    """A per-edition config inheriting the committed mkdocs.yml (written to `path`): only language-specific settings."""
    default_prefix_depth = edition.prefix.count("/")
    up = "../" * default_prefix_depth
    names = {lang.code: lang.name for lang in guide.site.languages}
    config = {
        "INHERIT": str((root / "mkdocs.yml").resolve()),
        "site_name": guide.site.title.get(edition.lang) or guide.site.title.get(default_language(guide.site)),
        "docs_dir": str(docs.resolve()),
        "site_dir": str(out.resolve()),
        # Paths in the inherited file would resolve against this file's folder: give them whole.
        "theme": {"language": edition.lang, "custom_dir": str((root / "overrides").resolve())},
        "extra": {
            "content_security_policy": CONTENT_SECURITY_POLICY,  # this file's, over anything mkdocs.yml says
            # Material's 404 template has its heading in English only: overrides/404.html prints this one, escaped there.
            "page_not_found": translations(root, edition.lang).gettext("Page not found"),
            # Material prints each extra.alternate itself as a <link rel=alternate> to that edition's home
            # page, and its script fetches a sitemap beside every such link: it gets only `true`, so that
            # its header still includes the switcher (overrides/partials/alternate.html).
            "alternate": True,
            # The editions, for the language switcher, which appends the page's path to `link`
            # (relative to this edition's root).
            "editions": [
                {"name": names[other.lang], "lang": other.lang, "link": up + other.prefix}
                for other in editions
            ],
        },
    }
    if guide.site.description:
        config["site_description"] = guide.site.description.get(edition.lang) or guide.site.description.get(default_language(guide.site))
    if edition.url(guide):
        config["site_url"] = edition.url(guide)
    config["nav"] = _navigation(root, docs)
    path = path or root / BUILD_DIR / f"mkdocs.{edition.lang}.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _navigation(root: Path, docs: Path) -> list:
    """The generated listings (mkdocs.yml `nav`), then the hand-written pages this edition has, each with its title.

    A page in content/<lang>/ is discovered, not listed by hand; `in_nav: false` in its
    front matter keeps it out of the navigation (it is still built and can be linked to).
    The titles are given because a dirty build reads only the pages that changed: the
    others would show untitled in the navigation of the pages it does make."""
    from mkdocs.utils import get_markdown_title  # noqa: PLC0415 - slow import, only when building
    from mkdocs.utils.meta import get_data  # noqa: PLC0415

    listings = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8")).get("nav") or []
    entries = []
    for entry in [*listings, *sorted(p.name for p in docs.glob("*.md") if p.name not in ("index.md", *listings))]:
        page = docs / entry if isinstance(entry, str) else None
        if page is None or not page.is_file():
            entries.append(entry)  # a section, or a page that is not there (MkDocs says so)
            continue
        markdown, meta = get_data(page.read_text(encoding="utf-8"))
        if entry not in listings and meta.get("in_nav", True) is False:
            continue
        title = meta.get("title") or get_markdown_title(markdown)
        entries.append({title: entry} if title else entry)
    return entries


class _NotDirty(logging.Filter):
    """MkDocs warns on every dirty build; in strict mode the warning would stop it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


logging.getLogger("mkdocs.commands.build").addFilter(_NotDirty())


class _Warnings(logging.Handler):
    """MkDocs' warnings, kept to say which file is wrong when strict mode aborts the build."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def explain_mkdocs_warning(message: str, docs: Path, root: Path) -> str:
    """One MkDocs warning as `file: what (how to fix it)`, naming the file a person edits."""
    lang = docs.name

    def source(name: str) -> str:
        written = root / CONTENT_DIR / lang / name
        return str(written.relative_to(root)) if written.exists() else f"{BUILD_DIR}/docs/{lang}/{name} (generated)"

    link = re.match(r"Doc file '([^']+)' contains a link '([^']+)', but (.*)", message)
    if link:
        return f"{source(link[1])}: the link '{link[2]}' leads nowhere: {link[3].rstrip('.')} (correct the link, or add the page it points to)"
    nav = re.match(r"A reference to '([^']+)' is included in the 'nav' configuration, which is not found", message)
    if nav:
        return f"mkdocs.yml: the nav names '{nav[1]}', which does not exist (add {CONTENT_DIR}/{lang}/{nav[1]}, or remove it from nav)"
    return f"{BUILD_DIR}/mkdocs.{lang}.yml: {message} (see mkdocs.yml and {CONTENT_DIR}/{lang}/)"


def run_mkdocs(config_file: Path, *, dirty: bool = False, compiled: jinja2.BytecodeCache | None = None) -> None:
    """MkDocs for one edition; `dirty` makes only the pages whose Markdown is newer than their HTML;
    `compiled`: where the theme's compiled templates are kept."""
    from mkdocs.commands.build import build as mkdocs_build  # noqa: PLC0415 - slow import, only when building
    from mkdocs.config import load_config  # noqa: PLC0415
    from mkdocs.exceptions import Abort  # noqa: PLC0415

    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.WARNING)
    warnings = _Warnings()
    logger.addHandler(warnings)
    config = None
    try:
        config = load_config(config_file=str(config_file))
        if compiled is not None:
            config.plugins["guide-compiled-templates"] = _CompiledThemeTemplates(compiled)
        mkdocs_build(config, dirty=dirty)
    except Abort as err:  # strict mode: every warning is a mistake in the pages
        if config is None:  # the configuration itself (theme folder, settings) was refused
            raise BuildError(f"MkDocs ({config_file.name}): " + "; ".join(warnings.messages or [str(err)])) from None
        docs, root = Path(config["docs_dir"]), config_file.parent.parent
        lines = [explain_mkdocs_warning(m, docs, root) for m in warnings.messages] or [str(err)]
        raise BuildError("\n".join(lines)) from None
    except Exception as err:  # noqa: BLE001 - a theme or config mistake is reported, never a traceback
        location = f"{err.filename}:{err.lineno}: " if getattr(err, "lineno", None) and getattr(err, "filename", None) else ""
        raise BuildError(f"MkDocs ({config_file.name}): {location}{type(err).__name__}: {err}") from err
    finally:
        logger.removeHandler(warnings)


def _swap_in(staging: Path, site: Path) -> None:
    """Replace site/ with the finished build: one atomic exchange, so there is always a whole site/."""
    if not site.exists():
        staging.rename(site)
        return
    if _exchange(staging, site):
        _discard(staging, staging.parent)  # now the previous site
        return
    # No atomic exchange on this file system: two renames; a build killed between them leaves
    # site.old/, which the next build puts back before it starts (_recover).
    old = site.with_name(site.name + ".old")
    site.rename(old)
    staging.rename(site)
    _discard(old, staging.parent)


DISCARDED_DIR = "discarded"  # in build/: previous sites on their way out


def _discard(folder: Path, work: Path) -> None:
    """Remove `folder` (the previous site: 577 MB at ×100) without the build waiting for it.

    It is moved into build/discarded/ at once, and a process of its own empties that folder
    (also of what a stopped one left there) while the build returns."""
    trash = work / DISCARDED_DIR
    trash.mkdir(exist_ok=True)
    folder.rename(trash / f"{os.getpid()}-{time.monotonic_ns()}")
    remove_all = "import pathlib, shutil, sys; [shutil.rmtree(p, ignore_errors=True) for p in pathlib.Path(sys.argv[1]).iterdir()]"
    subprocess.Popen(  # noqa: S603 - this interpreter, a fixed script, a folder of our own
        [sys.executable, "-c", remove_all, str(trash)],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )


_RENAME_EXCHANGE = 2  # linux/fs.h


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    at_cwd = -100  # AT_FDCWD
    if renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (38, 22, 95):  # ENOSYS, EINVAL, EOPNOTSUPP: fall back to two renames
        return False
    raise OSError(errno, os.strerror(errno), str(b))
