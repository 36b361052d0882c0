"""`guide serve`: the preview rebuilds what an edit touches, shows it in the open page, and survives broken edits."""

from __future__ import annotations

import contextlib
import filecmp
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest

from conftest import TODAY, copy_guide, phone_page
from guide.build import BuildError
from guide.preview import Preview
from guide.problems import DataError

pytestmark = pytest.mark.slow  # every test here builds a site, a preview or handouts

DAY = date.fromisoformat(TODAY)
AGENCY = "kakuu-soudan-center"  # in the minimal fixture, with the phone below
OLD_PHONE, NEW_PHONE = "086-900-0001", "086-900-0099"


def edit(root: Path, old: str, new: str, file: str = "data/agencies.yaml") -> None:
    path = root / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def html(site: Path, page: str) -> str:
    return (site / page / "index.html").read_text(encoding="utf-8")


class Shown:
    """What the preview said it had rebuilt, in order: (edition prefix, site paths or None for all)."""

    def __init__(self):
        self.calls: list[tuple[str, set[str] | None]] = []

    def __call__(self, prefix: str, paths: set[str] | None) -> None:
        self.calls.append((prefix, paths))


@pytest.fixture
def previewed(tmp_path) -> Preview:
    preview = Preview(copy_guide(tmp_path / "guide"))
    preview.rebuild(DAY, Shown())
    return preview


def test_a_phone_edit_shows_on_its_records_pages_first_then_everywhere_as_a_full_build_would(previewed, tmp_path):
    root = previewed.root
    edit(root, OLD_PHONE, NEW_PHONE)
    shown = Shown()
    rebuilt = previewed.rebuild(DAY, shown)

    assert not rebuilt.clean
    # First the pages that show the edited record (its own, the listings with its card), the
    # default edition first; then the rest, edition by edition.
    assert [prefix for prefix, _ in shown.calls] == ["", "en/", "", "en/"]
    every_page = {p.parent.relative_to(previewed.site).as_posix() for p in previewed.site.rglob("index.html")}
    for prefix, first_pages in shown.calls[:2]:
        assert f"/{prefix}agencies/{AGENCY}/" in first_pages
        assert len(first_pages) < len(every_page) / 4, first_pages
        for page in first_pages:
            assert NEW_PHONE in html(previewed.site, page.strip("/")), page
    for page in (f"agencies/{AGENCY}", f"en/agencies/{AGENCY}", "agencies"):
        assert NEW_PHONE in html(previewed.site, page)
        assert OLD_PHONE not in html(previewed.site, page)

    # Page for page, the result is what a preview built from nothing makes of the edited data.
    fresh = Preview(tmp_path / "fresh")
    for name in ("data", "content", "locale", "overrides", "mkdocs.yml"):
        (shutil.copytree if (root / name).is_dir() else shutil.copy)(root / name, fresh.root / name)
    assert fresh.rebuild(DAY, Shown()).clean
    built_pages = sorted(p.relative_to(fresh.site) for p in fresh.site.rglob("*.html"))
    assert built_pages == sorted(p.relative_to(previewed.site) for p in previewed.site.rglob("*.html"))
    _, differing, errors = filecmp.cmpfiles(fresh.site, previewed.site, [str(p) for p in built_pages], shallow=False)
    assert (differing, errors) == ([], [])


def test_a_record_taken_out_leaves_the_preview(previewed):
    root = previewed.root
    assert (previewed.site / "programs").is_dir()
    programs = root / "data" / "programs.yaml"
    first_program = next(p for p in (previewed.site / "programs").iterdir() if p.is_dir())
    text = programs.read_text(encoding="utf-8")
    programs.write_text(text.replace(f"id: {first_program.name}\n", f"id: {first_program.name}-renamed\n", 1), encoding="utf-8")

    previewed.rebuild(DAY, Shown())

    assert not (first_program / "index.html").exists()
    assert (previewed.site / "programs" / f"{first_program.name}-renamed" / "index.html").is_file()


def test_a_hand_written_page_edit_rebuilds_every_page_of_every_edition(previewed):
    about = previewed.root / "content" / "ja" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n追記のテスト段落。\n", encoding="utf-8")
    shown = Shown()

    assert previewed.rebuild(DAY, shown).clean
    assert shown.calls == [("", None), ("en/", None)]
    assert "追記のテスト段落" in html(previewed.site, "about")


def test_a_link_to_nowhere_in_a_hand_written_page_is_refused_naming_the_page(previewed):
    about = previewed.root / "content" / "ja" / "about.md"
    about.write_text(about.read_text(encoding="utf-8") + "\n[どこにもない](nowhere.md)\n", encoding="utf-8")

    with pytest.raises(BuildError, match=r"content/ja/about\.md: the link 'nowhere\.md' leads nowhere"):
        previewed.rebuild(DAY, Shown())


def test_an_editors_swap_file_rebuilds_nothing(previewed):
    (previewed.root / "data" / ".agencies.yaml.swp").write_bytes(b"\0vim swap")
    shown = Shown()

    assert previewed.rebuild(DAY, shown) is None
    assert shown.calls == []


def test_data_with_errors_raises_before_anything_is_written(previewed):
    before = {p: p.stat().st_mtime_ns for p in previewed.site.rglob("*") if p.is_file()}
    edit(previewed.root, OLD_PHONE, "not a phone")

    with pytest.raises(DataError):
        previewed.rebuild(DAY, Shown())

    assert {p: p.stat().st_mtime_ns for p in previewed.site.rglob("*") if p.is_file()} == before


# --- the command: a real server on localhost -------------------------------------------------------


class Served:
    """A `guide serve` process: its address and what it printed so far."""

    def __init__(self, process: subprocess.Popen, url: str):
        self.process, self.url, self.lines = process, url, []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line)

    def wait_for_output(self, text: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert self.process.poll() is None, "".join(self.lines)
            assert time.monotonic() < deadline, f"no {text!r} in:\n{''.join(self.lines)}"
            time.sleep(0.1)

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=120) as response:
            return response.read().decode("utf-8")


@contextlib.contextmanager
def guide_serve(root: Path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "guide.cli", "serve", "--root", str(root), "--port", str(port), "--lang", "en", "--today", TODAY]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, encoding="utf-8")
    served = Served(process, f"http://127.0.0.1:{port}/")
    try:
        served.wait_for_output("Preview on")
        yield served
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_says_where_a_broken_edit_is_keeps_the_last_good_page_and_takes_the_fix(tmp_path):
    root = copy_guide(tmp_path / "guide")
    with guide_serve(root) as served:
        page = served.get(f"agencies/{AGENCY}/")
        assert OLD_PHONE in page
        assert "leaves out the handouts" in "".join(served.lines)
        # The live-reload script is a file of the preview (the pages' CSP forbids inline scripts).
        assert '<script src="/livereload/script/' in page
        assert "<script>" not in page

        edit(root, OLD_PHONE, "not a phone")
        served.wait_for_output("the preview still shows the last good version")
        said = served.lines[served.lines.index(next(line for line in served.lines if "Preview on" in line)):]
        located = [line for line in said if line.startswith("data/agencies.yaml:")]
        assert len(located) == 1 and located[0].split(":")[1].isdigit(), said  # the error, not the warnings again
        assert "not a phone" in located[0]
        assert OLD_PHONE in served.get(f"agencies/{AGENCY}/")

        edit(root, "not a phone", NEW_PHONE)
        served.wait_for_output("preview updated")
        assert NEW_PHONE in served.get(f"agencies/{AGENCY}/")
        assert not any("Traceback" in line for line in served.lines), "".join(served.lines)


def test_serve_says_when_its_port_is_taken_before_building_anything(tmp_path, run_guide):
    root = copy_guide(tmp_path / "guide")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = run_guide("serve", "--root", root, "--port", port, "--lang", "en")

    assert done.code == 1
    assert done.err.splitlines() == [f"cannot serve on 127.0.0.1:{port}: Address already in use"]
    assert not (root / "build" / "preview" / "site").exists()


@pytest.mark.browser
def test_the_open_page_reloads_itself_with_the_edit(tmp_path, browser):
    from playwright.sync_api import expect

    root = copy_guide(tmp_path / "guide")
    with guide_serve(root) as served, phone_page(browser, served.url) as page:
        refused = []  # what the pages' Content-Security-Policy blocked (MkDocs' own live reload would be)
        page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(served.url + f"agencies/{AGENCY}/")
        assert OLD_PHONE in page.inner_text("main")

        edit(root, OLD_PHONE, NEW_PHONE)
        expect(page.locator("main")).to_contain_text(NEW_PHONE, timeout=120000)  # nobody reloaded it but the preview
        assert refused == []
