"""`guide build`: data → pages and assets for every language → MkDocs → site/, atomically.

Page generation is a standalone step: MkDocs (or Zensical, which reads the same
mkdocs.yml but has no hooks) only wraps generated Markdown in the theme.  The
new site is assembled in build/site.new/ and swapped in at the end, so a
failed build leaves the previous site/ untouched.  One build runs at a time in
a checkout (build/build.lock), the swap exchanges the two folders in one step,
and a stopped build removes what it had started.

Where escaping is held (read this before printing a new value in a theme template):
- The guide's own templates (scripts/guide/templates/) autoescape every value, UI
  strings from locale/ included (pages.template_environment).
- MkDocs and Material render mkdocs.yml values and page front matter WITHOUT
  escaping (and sometimes with `| e`).  So:
  * what goes into the generated config (site_name, site_description, the language
    switcher's names in extra.alternate) is refused by `guide check` when it holds
    < > & " (model.check_theme_text): those values need no escaping, so raw and `| e`
    both print them once.  Addresses follow the one URL rule (model.URL_PATTERN).
  * page titles in generated front matter are HTML-escaped once by the page
    templates (`| e | tojson`): MkDocs treats a page title as HTML, as it does a title
    taken from the page's <h1>, and Material prints page.meta.title as is.
  * a content/ page's own front-matter title is refused like config values
    (load.content_title_problems).
- overrides/ print config values as they are, for the same reason, and every page
  carries a Content-Security-Policy (overrides/main.html) as a second line.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import logging
import os
import re
import shutil
import signal
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from . import finder, report
from .editions import SITE_URL_VARIABLE, Edition, public_url
from .hours import Calendar, calendar_table
from .i18n import translations
from .load import load_or_raise
from .messages import word
from .model import Guide
from .pages import Renderer, plan_pages, url_for
from .problems import Problem
from .workers import forked_pool

BUILD_DIR = "build"
SITE_DIR = "site"
REPORT_FILE = "report.md"
LOCK_FILE = "build.lock"
EDITIONS_DIR = "site.new.editions"  # the other editions while MkDocs builds them beside the default one
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
    "menu": "Menu",
    **{day: day.capitalize() for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
}


class BuildError(Exception):
    """The build could not finish; the previous site/ is untouched."""


@dataclass(frozen=True)
class BuildReport:
    editions: list[Edition]
    problems: list  # warnings only: errors stop the build


def build(root: Path, *, today: date, handouts: bool = True, lang: str = "ja") -> BuildReport:
    """Build every edition into site/ (with its PDF handouts unless `handouts` is False).

    Raises DataError (bad data) or BuildError (worded in `lang`)."""
    work = root / BUILD_DIR
    try:
        with _one_build_at_a_time(work, lang), _removed_when_stopped(work / "site.new", work / EDITIONS_DIR):
            _recover(root / SITE_DIR)
            return _build(root, today=today, handouts=handouts)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (see _stop): what was started is removed
        raise BuildError(word("build_stopped", lang)) from None
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


def _build(root: Path, *, today: date, handouts: bool) -> BuildReport:
    loaded = load_or_raise(root, today=today)
    guide = loaded.guide
    warnings = list(loaded.problems)
    calendar = Calendar.for_site(guide.site)
    if today.year + HOLIDAY_YEARS > calendar.last_holiday_year:
        warnings.append(Problem("data/site.yaml", 1, 1, "holidays_run_out", {"year": calendar.last_holiday_year}, "warning"))
    editions = Edition.all_for(guide)
    work = root / BUILD_DIR
    staging = work / "site.new"
    # Each edition's MkDocs writes a folder of its own (it empties it first), the editions side by side.
    outputs = [staging if not e.prefix else work / EDITIONS_DIR / e.lang for e in editions]
    configs = []
    for edition, out in zip(editions, outputs):
        docs = generate(root, guide, edition, editions, today)
        configs.append(write_mkdocs_config(root, guide, edition, editions, docs, out))
    run_mkdocs_all(configs)
    for edition, out in zip(editions, outputs):
        if out != staging:
            out.rename(staging / edition.prefix)
        if handouts:
            warnings += print_handouts(root, guide, edition, staging / edition.prefix / "handouts", today)
        write_open_data(root, guide, edition, editions, staging / edition.prefix, today)
    if handouts and not public_url(guide):
        warnings.append(Problem("data/site.yaml", 1, 1, "no_site_url", {"variable": SITE_URL_VARIABLE}, "warning"))
    # The maintenance report (freshness, missing facts, translations, dead links) of the new
    # site, kept beside it for the pull-request preview; it is not published.
    checked = report.build_report(root, guide, today=today, site_dir=staging)
    (work / REPORT_FILE).write_text(report.render_report(checked, editions[0].lang, "markdown"), encoding="utf-8")
    _swap_in(staging, root / SITE_DIR)
    return BuildReport(editions, warnings)


def generate(root: Path, guide: Guide, edition: Edition, editions: list[Edition], today: date, docs: Path | None = None) -> Path:
    """Write the Markdown pages and the generated assets of one edition to `docs` (build/docs/<lang>/)."""
    docs = docs or root / BUILD_DIR / "docs" / edition.lang
    shutil.rmtree(docs, ignore_errors=True)
    # A page not written in this language yet is shown in the default one (so every page of
    # an edition exists in the others, and the language switcher never leads nowhere).
    shutil.copytree(root / CONTENT_DIR / editions[0].lang, docs)
    if (root / CONTENT_DIR / edition.lang).is_dir():
        shutil.copytree(root / CONTENT_DIR / edition.lang, docs, dirs_exist_ok=True)
    catalog = translations(root, edition.lang)
    calendar = Calendar.for_site(guide.site)
    renderer = Renderer(guide, edition.lang, catalog, today, site_url=edition.url(guide), prefix=edition.prefix)
    for page in plan_pages(guide):
        target = docs / page.source_file
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(renderer.render(page), encoding="utf-8")
    assets = docs / "assets" / "guide"
    assets.mkdir(parents=True, exist_ok=True)
    table = calendar_table(calendar, today, HOLIDAY_YEARS)
    _write_js(assets / "calendar.js", "GUIDE_CALENDAR", table)
    _write_js(assets / "strings.js", "GUIDE_STRINGS", {key: catalog.gettext(msgid) for key, msgid in JS_STRINGS.items()})
    for name, text in finder.index_files(finder.build_index(guide, edition.lang, url_for)):
        (assets / name).write_text(text, encoding="utf-8")
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


def write_open_data(root: Path, guide: Guide, edition: Edition, editions: list[Edition], out: Path, today: date) -> None:
    from .exports import write_exports  # noqa: PLC0415 - imports the page module

    write_exports(root, guide, edition, editions, out, today)


def _write_js(path: Path, name: str, value: object) -> None:
    path.write_text(f"window.{name} = {json.dumps(value, ensure_ascii=False)};\n", encoding="utf-8")


def write_mkdocs_config(
    root: Path, guide: Guide, edition: Edition, editions: list[Edition], docs: Path, out: Path, path: Path | None = None
) -> Path:
    """A per-edition config inheriting the committed mkdocs.yml (written to `path`): only language-specific settings."""
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
    config["nav"] = _navigation(root, docs)
    path = path or root / BUILD_DIR / f"mkdocs.{edition.lang}.yml"
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
    with forked_pool(workers) as pool:
        pool.map(run_mkdocs, config_files, chunksize=1)


def _navigation(root: Path, docs: Path) -> list:
    """The generated listings (mkdocs.yml `nav`), then the hand-written pages this edition has.

    A page in content/<lang>/ is discovered, not listed by hand; `in_nav: false` in its
    front matter keeps it out of the navigation (it is still built and can be linked to)."""
    listings = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8")).get("nav") or []
    pages = []
    for page in sorted(docs.glob("*.md")):
        head = page.read_text(encoding="utf-8").split("---", 2)
        meta = yaml.safe_load(head[1]) if len(head) == 3 and not head[0].strip() else None
        if page.name != "index.md" and page.name not in listings and (meta or {}).get("in_nav", True) is not False:
            pages.append(page.name)
    return listings + pages


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


def run_mkdocs(config_file: Path, *, dirty: bool = False) -> None:
    """MkDocs for one edition; `dirty` rebuilds only the pages whose Markdown is newer than their HTML (the preview)."""
    from mkdocs.commands.build import build as mkdocs_build  # noqa: PLC0415 - slow import, only when building
    from mkdocs.config import load_config  # noqa: PLC0415
    from mkdocs.exceptions import Abort  # noqa: PLC0415

    logger = logging.getLogger("mkdocs")
    logger.setLevel(logging.WARNING)
    warnings = _Warnings()
    logger.addHandler(warnings)
    try:
        config = load_config(config_file=str(config_file))
        mkdocs_build(config, dirty=dirty)
    except Abort as err:  # strict mode: every warning is a mistake in the pages
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
        shutil.rmtree(staging)  # now the previous site
        return
    # No atomic exchange on this file system: two renames; a build killed between them leaves
    # site.old/, which the next build puts back before it starts (_recover).
    old = site.with_name(site.name + ".old")
    site.rename(old)
    staging.rename(site)
    shutil.rmtree(old)


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
