"""Shared helpers: where things are, scratch copies of a guide, running `guide` in-process, and a real browser."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from guide.cli import main
from guide.exports import page_globals
from guide.pages import Renderer

FIXTURES = Path(__file__).parent / "fixtures"
MINIMAL = FIXTURES / "minimal"
REPO = Path(__file__).resolve().parents[1]
TODAY = "2026-11-23"  # a Monday and a public holiday (勤労感謝の日)
# Staff-only values planted in a private overlay: no public output may contain them.
STAFF_EXTENSION = "内線9876-STAFF-ONLY"
STAFF_NAME = "職員架空太郎"
STAFF_AGENCY = "kakuu-soudan-center"  # in the minimal fixture
# The guides a guide's own tests (test_guide, test_search_cases, test_contributing) run on: the one in
# data/ and content/, and the fixture guides, as a second city that put them there would run them.
GUIDES = {"guide": REPO, "minimal": MINIMAL, "small": FIXTURES / "small"}


def pytest_configure(config):
    """pytest run in a guide's own folder (its pytest.ini, written by guide new) tests that guide only."""
    here = config.rootpath.resolve()
    if here != REPO and (here / "data" / "site.yaml").is_file():
        GUIDES.clear()
        GUIDES["guide"] = here


# --- the quick tier: `./dev test --quick` runs every test but these (pytest -m "not browser and not slow")

# Fixtures that build a whole site: a test that asks for one is a `slow` test, wherever it is.
BUILDING_FIXTURES = {"built", "small_built", "poisoned", "fixture_site", "built_guide", "minimal_built", "variant_built", "printed", "big", "previewed", "original", "english_output", "hostile_but_allowed", "hostile_site"}


def pytest_collection_modifyitems(items):
    for item in items:
        if BUILDING_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)


def page_renderer(guide, lang: str, catalog, today, **kwargs) -> Renderer:
    """The pages of an edition as the build composes them: with what the exports give the pages."""
    return Renderer(guide, lang, catalog, today, open_data=page_globals(guide, lang, catalog, today), **kwargs)


def run_node(harness: str, script: Path, payload: dict, *, timezone: str = "Asia/Tokyo") -> dict:
    """Run a browser script in Node: `harness` reads JSON on stdin and writes JSON to stdout.

    `timezone` is the visitor's: the scripts must answer in Tokyo time whatever it is.
    """
    done = subprocess.run(
        ["node", "-e", harness, str(script)],
        input=json.dumps(payload),  # ASCII: the harness may split input chunks inside a character
        env={**os.environ, "TZ": timezone},
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        timeout=120,
    )
    return json.loads(done.stdout)


@dataclass
class Run:
    """What one `guide` invocation did."""

    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()

    @property
    def problem_lines(self) -> list[str]:
        """Every stderr line except the closing "エラー N 件、警告 N 件" / "OK（警告 N 件）" summary."""
        return self.err.splitlines()[:-1]

    @property
    def summary_line(self) -> str:
        return self.err.splitlines()[-1]


@pytest.fixture
def run_guide(capsys):
    """Call `guide` with `argv` as the command line would, returning its exit code and output."""

    def run(*argv: str) -> Run:
        capsys.readouterr()  # drop anything printed before
        try:
            code = main([str(arg) for arg in argv])
        except SystemExit as exit_:  # argparse leaves this way on usage errors
            code = exit_.code
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def minimal_copy(tmp_path) -> Path:
    """A scratch copy of tests/fixtures/minimal that a test may change freely."""
    root = tmp_path / "guide"
    shutil.copytree(MINIMAL, root)
    return root


def copy_guide(target: Path, guide: Path = MINIMAL) -> Path:
    """A throw-away copy of a guide (data/ and content/ of `guide`: a fixture, or REPO for the
    guide in data/) with the generator's files, without built output or private data."""
    for name in ("data", "content"):
        shutil.copytree(guide / name, target / name, ignore=shutil.ignore_patterns("private.yaml"))
    for name in ("locale", "overrides", "schema"):
        shutil.copytree(REPO / name, target / name)
    shutil.copy(REPO / "mkdocs.yml", target / "mkdocs.yml")
    return target


def edit_data(root: Path, edits: dict[str, list[tuple[str, str]]]) -> Path:
    """Replace texts in a guide's data files: {file name: [(old, new), …]}, each old text present."""
    for name, replacements in edits.items():
        path = root / "data" / name
        text = path.read_text(encoding="utf-8")
        for old, new in replacements:
            assert old in text, (name, old)
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")
    return root


def plant_staff_only_facts(root: Path) -> Path:
    """A private overlay with values that no public output may ever contain."""
    (root / "data" / "private.yaml").write_text(
        "contacts:\n"
        f"  - {{agency: {STAFF_AGENCY}, extension: \"{STAFF_EXTENSION}\", staff: [{STAFF_NAME}]}}\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The minimal fixture guide built once, with a private overlay whose values must never be published."""
    root = plant_staff_only_facts(copy_guide(tmp_path_factory.mktemp("guide")))
    assert main(["build", "--root", str(root), "--today", TODAY]) == 0
    return root


# --- a real browser on the built site: Debian's chromium driven by Playwright, served from localhost

CHROMIUM = "/usr/bin/chromium"
# Without these, chromium tries to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 375, "height": 812}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(site: Path):
    """A built site/ on localhost, for the browser."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="session")
def site_url(built):
    with serve(built / "site") as url:
        yield url


@pytest.fixture(scope="session")
def small_built(tmp_path_factory) -> Path:
    """The small fixture guide (架空市: one area, no hubs, Japanese only) built once."""
    root = copy_guide(tmp_path_factory.mktemp("small"), guide=FIXTURES / "small")
    assert main(["build", "--root", str(root), "--today", TODAY]) == 0
    return root


@pytest.fixture(scope="session")
def small_url(small_built):
    with serve(small_built / "site") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@contextlib.contextmanager
def phone_page(browser, site_url: str, **options):
    """A phone-sized page; any request that leaves the site fails the test.  `options`: more of the
    browser context's, or other values (viewport=DESKTOP, java_script_enabled=False …)."""
    context = browser.new_context(**{"viewport": PHONE, "device_scale_factor": 1, "locale": "ja-JP", "timezone_id": "Asia/Tokyo", **options})
    outside = []

    def guard(route):
        if route.request.url.startswith(site_url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(5000)
    yield page
    context.close()
    assert outside == [], f"third-party requests: {outside}"


# WCAG 2.1 A and AA: JIS X 8341-3 asks for 2.0 AA, the 2.1 rules add reflow and target checks.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page) -> list:
    """axe-core's WCAG violations on the page as it is now: (rule, help, first targets)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    return [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]


def wait_until(page, expression: str, timeout_ms: int = 10000):
    """Poll `expression` in the page until it is truthy.

    Not page.wait_for_function: that re-evaluates its text with eval() when the first try
    fails, which the site's Content-Security-Policy (no 'unsafe-eval') rightly blocks.
    Each page.evaluate here is a fresh DevTools evaluation, which the policy allows.
    """
    waited = 0
    while not page.evaluate(expression):
        if waited >= timeout_ms:
            raise AssertionError(f"still false after {timeout_ms} ms: {expression}")
        page.wait_for_timeout(50)
        waited += 50


@pytest.fixture
def page(browser, site_url):
    with phone_page(browser, site_url) as page:
        yield page


# Collects what the browser reports, from before the page's own scripts run.
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


@pytest.fixture
def watched(browser):
    """A phone-sized page that records dialogs and CSP violations; the test ends by asserting there were none."""
    context = browser.new_context(viewport=PHONE, locale="ja-JP", timezone_id="Asia/Tokyo")
    context.add_init_script(WATCH)
    page = context.new_page()
    page.set_default_timeout(5000)
    dialogs, console = [], []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: console.append(message.text) if "Content Security Policy" in message.text else None)

    def visit(url: str) -> None:
        page.goto(url)
        page.wait_for_load_state("load")
        page.wait_for_timeout(200)  # late scripts (the finder, the badge) get their turn

    yield page, visit
    reported = page.evaluate("window.__violations")
    context.close()
    assert dialogs == [], f"dialogs: {dialogs}"
    assert reported == [] and console == [], f"CSP violations: {reported} {console}"


# --- components (scripts/guide/templates/components/): their examples, rendered as pages and handouts do

@functools.cache
def component_renderer(lang: str, *, paper: bool = False):
    """What renders the minimal fixture guide's `lang` edition: its pages' Renderer, or its handouts' (`paper`)."""
    from datetime import date

    from guide.handouts.sheets import _Handouts
    from guide.i18n import translations
    from guide.load import load_guide

    today = date.fromisoformat(TODAY)
    guide = load_guide(MINIMAL, today=today).guide
    if paper:
        return _Handouts(REPO, guide, lang, today=today, site_url="https://guide.example.jp/")
    return page_renderer(guide, lang, translations(REPO, lang), today)


def component_environment(lang: str, *, paper: bool = False):
    """The template environment of a page (or of a handout) of the minimal fixture guide's `lang` edition."""
    return component_renderer(lang, paper=paper).env


def render_component(lang: str, component, arguments: dict, *, paper: bool = False) -> str:
    """One call of a component's macro, as a template calls it (the environment's global); on the web as on
    a page at the site's root (its links relative to the root)."""
    renderer = component_renderer(lang, paper=paper)
    call = renderer.env.from_string(f"{{{{ {component.name}(**arguments) }}}}")
    if paper:
        return call.render(arguments=arguments).strip()
    with renderer.on_page("") as filled:
        return filled(call.render(arguments=arguments)).strip()
