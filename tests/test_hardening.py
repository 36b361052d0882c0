"""Nothing a data file or a pull request holds can run script, publish a private file or break the site.

Each part answers one finding of the security review (issue 9): markup through the theme,
`javascript:` addresses, symlinks out of the project, two builds at once and killed builds,
resource exhaustion, tracebacks instead of located errors, text that looks right but is not.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import bench  # scripts/bench.py: the benchmark's synthetic guides
import pytest
import yaml

from guide import build as build_module
from guide.yamlfile import MAX_ALIAS_VALUES, MAX_DEPTH, MAX_FILE_BYTES, MAX_TEXT_CHARS, read_yaml

from conftest import MINIMAL, TODAY, copy_guide
from hostile import ESCAPED_ONCE, PAYLOAD, build_poisoned

HOSTILE_ADDRESSES = ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>",
                     "vbscript:msgbox(1)", 'https://example.jp/" onmouseover="alert(1)', "//evil.example/", "https://"]


def set_in(root: Path, file: str, path: tuple, value) -> None:
    """Change one value of a data file (comments are lost: positions are asserted per key below)."""
    target = root / "data" / file
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")



# --- 1. markup reaches the pages exactly once escaped ----------------------------------


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory) -> Path:
    return build_poisoned(tmp_path_factory.mktemp("poisoned"))


def test_payload_in_every_text_is_printed_escaped_once_on_every_page(poisoned):
    pages = list((poisoned / "site").rglob("*.html"))
    assert len(pages) > 40  # every page type of both editions
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "<script>alert" not in html and "<img src=x" not in html, page
        assert "&amp;lt;" not in html, f"escaped twice: {page}"
    record = (poisoned / "site" / "agencies" / "kakuu-soudan-center" / "index.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", record, re.S)[1]
    assert ESCAPED_ONCE in title  # Material prints the front-matter title unescaped: we hand it over escaped
    header = record[record.index('class="md-header__topic"') :][:2000]
    assert ESCAPED_ONCE in header


def test_finder_index_keeps_the_payload_as_data(poisoned):
    index = (poisoned / "site" / "assets" / "guide" / "finder-index.json").read_text(encoding="utf-8")
    labels = json.loads(index)["labels"]["c"]
    assert all(label.endswith(PAYLOAD) for label in labels.values())  # plain text, shown through textContent
    finder_js = (poisoned / "site" / "assets" / "guide" / "finder.js").read_text(encoding="utf-8")
    assert "innerHTML" not in finder_js and "insertAdjacentHTML" not in finder_js


@pytest.mark.parametrize(
    ("path", "value"),
    [(("title", "ja"), "<b>市</b>"), (("description", "en"), 'a "quoted" word'), (("languages", 1, "name"), "Eng&lish")],
)
def test_markup_in_what_goes_into_mkdocs_config_is_a_located_error(minimal_copy, run_guide, path, value):
    set_in(minimal_copy, "site.yaml", path, value)
    run = run_guide("check", "--root", minimal_copy, "--lang", "en", "--today", TODAY)
    assert run.code == 1
    assert any(line.startswith("data/site.yaml:") and "cannot hold" in line for line in run.problem_lines), run.err


def test_markup_in_a_content_page_title_is_a_located_error(run_guide, tmp_path):
    root = copy_guide(tmp_path)
    page = root / "content" / "en" / "about.md"
    page.write_text(page.read_text(encoding="utf-8").replace("title: About this guide", "title: <script>x</script>"), encoding="utf-8")
    run = run_guide("check", "--root", root, "--lang", "en", "--today", TODAY)
    assert run.code == 1
    assert "content/en/about.md:2:8: '<script>x</script>' contains <>" in run.err


# --- 2. one address rule ---------------------------------------------------------------


@pytest.mark.parametrize("address", HOSTILE_ADDRESSES)
@pytest.mark.parametrize(
    ("file", "path"),
    [("site.yaml", ("url",)), ("site.yaml", ("report_error_url",)), ("agencies.yaml", ("agencies", 0, "url")),
     ("programs.yaml", ("programs", 0, "url"))],
)
def test_every_address_field_takes_only_http_and_https(minimal_copy, run_guide, file, path, address):
    set_in(minimal_copy, file, path, address)
    run = run_guide("check", "--root", minimal_copy, "--lang", "en", "--today", TODAY)
    assert run.code == 1
    wrong = [line for line in run.problem_lines if "write an address starting with https://" in line]
    assert len(wrong) == 1 and wrong[0].startswith(f"data/{file}:"), run.err


def test_email_cannot_break_out_of_its_mailto_link(minimal_copy, run_guide):
    set_in(minimal_copy, "agencies.yaml", ("agencies", 0, "email"), 'a"onmouseover=alert(1)@example.jp')
    assert run_guide("check", "--root", minimal_copy, "--today", TODAY).code == 1


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_bad_site_url_variable_stops_at_start_up(minimal_copy, run_guide, monkeypatch, command):
    monkeypatch.setenv("GUIDE_SITE_URL", "javascript:alert(1)")
    run = run_guide(command, "--root", minimal_copy, "--lang", "en")
    assert run.code == 2
    assert "GUIDE_SITE_URL" in run.err and "https://" in run.err
    assert not (minimal_copy / "site").exists()


# --- 3. symlinks ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "target"),
    [("content/en/leak.md", "../../data/private.yaml"), ("overrides/passwd.txt", "/etc/passwd"),
     ("overrides/assets/environ", "/proc/self/environ"), ("locale/fr.po", "/etc/passwd"), ("content/ja/gone", "/nowhere")],
)
def test_a_symlink_out_of_its_folder_is_named_and_nothing_is_published(run_guide, tmp_path, link, target):
    root = copy_guide(tmp_path)
    (root / "data" / "private.yaml").write_text("contacts: []\n", encoding="utf-8")
    (root / link).symlink_to(target)
    run = run_guide("check", "--root", root, "--lang", "en", "--today", TODAY)
    assert run.code == 1
    assert f"{link}:1:1: this symbolic link leads out of {link.split('/')[0]}/" in run.err
    build = run_guide("build", "--root", root, "--skip-handouts", "--today", TODAY)
    assert build.code == 1 and not (root / "site").exists()


def test_a_data_file_that_is_a_symlink_out_is_not_read(minimal_copy, run_guide):
    (minimal_copy / "data" / "agencies.yaml").unlink()
    (minimal_copy / "data" / "agencies.yaml").symlink_to("/etc/passwd")
    run = run_guide("check", "--root", minimal_copy, "--lang", "en", "--today", TODAY)
    assert run.code == 1
    assert run.problem_lines == ["data/agencies.yaml:1:1: this symbolic link leads out of data/ (or to the private file) "
                                 "(replace the link with the file itself)"]
    assert "root:" not in run.err


@pytest.mark.parametrize(("folder", "target"), [("content", "data"), ("data", "/etc")])
def test_a_project_folder_that_is_a_symlink_is_refused(run_guide, tmp_path, folder, target):
    root = copy_guide(tmp_path)
    shutil.rmtree(root / folder)
    (root / folder).symlink_to(root / target if not target.startswith("/") else target)
    run = run_guide("check", "--root", root, "--lang", "en", "--today", TODAY)
    assert run.code == 1
    assert f"{folder}:1:1: this symbolic link leads out of {folder}/" in run.err
    assert "root:" not in run.err and "Traceback" not in run.err


def test_a_symlink_to_the_private_overlay_is_refused_even_inside_data(minimal_copy, run_guide):
    (minimal_copy / "data" / "private.yaml").write_text("contacts: []\n", encoding="utf-8")
    (minimal_copy / "data" / "extra.yaml").symlink_to("private.yaml")
    run = run_guide("check", "--root", minimal_copy, "--today", TODAY)
    assert run.code == 1 and "data/extra.yaml:1:1:" in run.err


def test_a_symlink_inside_its_own_folder_is_fine(run_guide, tmp_path):
    root = copy_guide(tmp_path)
    (root / "content" / "en" / "about-again.md").symlink_to("about.md")
    assert run_guide("check", "--root", root, "--today", TODAY).code == 0


def test_diff_against_a_revision_whose_data_has_a_symlink_out(minimal_copy, run_guide):
    def git(*argv):
        subprocess.run(["git", "-C", str(minimal_copy), "-c", "user.name=t", "-c", "user.email=t@t", *argv], check=True, capture_output=True)

    git("init", "-q")
    (minimal_copy / "data" / "sources.yaml").rename(minimal_copy / "sources.real")
    (minimal_copy / "data" / "sources.yaml").symlink_to("/etc/passwd")
    git("add", "-A")
    git("commit", "-qm", "link")
    (minimal_copy / "data" / "sources.yaml").unlink()
    (minimal_copy / "sources.real").rename(minimal_copy / "data" / "sources.yaml")
    run = run_guide("diff", "HEAD", "--root", minimal_copy, "--lang", "en", "--today", TODAY)
    assert run.code == 1
    assert "data/sources.yaml:1:1: this symbolic link leads out of data/" in run.err
    assert "root:" not in run.err and "Traceback" not in run.err


# --- 4. one build at a time, a whole site/ always, nothing left behind ------------------


def test_a_second_build_in_the_same_checkout_is_refused_clearly(minimal_copy, run_guide, tmp_path):
    root = copy_guide(tmp_path / "g")
    (root / "build").mkdir()
    with open(root / "build" / "build.lock", "a+") as lock:  # another build holds the lock
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write("4242")
        lock.flush()
        run = run_guide("build", "--root", root, "--skip-handouts", "--lang", "en", "--today", TODAY)
    assert run.code == 1
    assert "another guide build (process 4242) is running in this folder" in run.err
    assert not (root / "site").exists()


def _start_build(root: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "guide.cli", "build", "--root", str(root), "--skip-handouts", "--today", TODAY],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def _wait_for(path: Path, process: subprocess.Popen) -> None:
    for _ in range(600):
        if path.exists():
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError(f"{path} never appeared")


@pytest.mark.slow
def test_two_builds_started_together_leave_one_whole_site(tmp_path):
    root = copy_guide(tmp_path)
    first = _start_build(root)
    _wait_for(root / "build" / "build.lock", first)
    second = _start_build(root)
    results = [first.wait(timeout=300), second.wait(timeout=300)]
    assert sorted(results) == [0, 1]
    loser = (first if results[0] else second).stderr.read().decode()
    assert "guide build" in loser and "Traceback" not in loser
    assert (root / "site" / "agencies" / "kakuu-soudan-center" / "index.html").is_file()
    assert (root / "site" / "en" / "agencies" / "kakuu-soudan-center" / "index.html").is_file()


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_build_keeps_the_old_site_and_leaves_nothing_behind(tmp_path, how):
    root = copy_guide(tmp_path)
    (root / "site").mkdir()
    (root / "site" / "previous.html").write_text("the good site", encoding="utf-8")
    process = _start_build(root)
    _wait_for(root / "build" / "site.new", process)
    process.send_signal(how)
    assert process.wait(timeout=120) != 0
    assert not (root / "build" / "site.new").exists()
    assert (root / "site" / "previous.html").read_text(encoding="utf-8") == "the good site"
    assert "Traceback" not in process.stderr.read().decode()


@pytest.mark.slow
def test_after_a_killed_build_the_next_one_cleans_up_and_succeeds(tmp_path):
    root = copy_guide(tmp_path)
    process = _start_build(root)
    _wait_for(root / "build" / "site.new", process)
    process.kill()  # SIGKILL: nothing can be cleaned up now; the lock goes with the process
    process.wait()
    again = _start_build(root)
    assert again.wait(timeout=300) == 0, again.stderr.read().decode()
    assert not (root / "build" / "site.new").exists() and (root / "site" / "index.html").is_file()


def test_the_swap_exchanges_the_folders_in_one_step(tmp_path):
    staging, site = tmp_path / "new", tmp_path / "site"
    staging.mkdir(), site.mkdir()
    (staging / "index.html").write_text("new")
    (site / "index.html").write_text("old")
    build_module._swap_in(staging, site)
    assert (site / "index.html").read_text() == "new" and not staging.exists()


def test_a_site_left_half_swapped_is_put_back(tmp_path):
    site = tmp_path / "site"
    (tmp_path / "site.old").mkdir()
    (tmp_path / "site.old" / "index.html").write_text("old")
    build_module._recover(site)
    assert (site / "index.html").read_text() == "old" and not (tmp_path / "site.old").exists()


@pytest.mark.slow
def test_an_unwritable_folder_is_a_message_not_a_traceback(run_guide, tmp_path, monkeypatch):
    root = copy_guide(tmp_path)

    def refuse(self, target):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "rename", refuse)
    monkeypatch.setattr(build_module, "_exchange", lambda a, b: False)
    (root / "site").mkdir()
    run = run_guide("build", "--root", root, "--skip-handouts", "--lang", "en", "--today", TODAY)
    assert run.code == 1
    assert "cannot write to " in run.err and "Permission denied" in run.err and "site/ was not changed" in run.err
    assert "Traceback" not in run.err


# --- 5. limits -----------------------------------------------------------------------------


def read(tmp_path, text: str):
    path = tmp_path / "data.yaml"
    path.write_text(text, encoding="utf-8")
    return read_yaml(path, "data/data.yaml")


def codes(parsed) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.code) for p in parsed.problems]


def test_an_alias_bomb_is_stopped_with_a_located_error(tmp_path):
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    parsed = read(tmp_path, "\n".join(lines) + "\n")
    assert parsed.data is None
    assert [code for *_, code in codes(parsed)] == ["yaml_aliases"]
    # at the list holding the alias whose copying crossed the limit, not at the anchor
    assert (parsed.problems[0].line, parsed.problems[0].column) == (5, 5)  # a4: 90 + 819 + 7,380 + 66,429 copies
    assert parsed.problems[0].params == {"limit": MAX_ALIAS_VALUES}


def test_a_few_aliases_are_fine(tmp_path):
    parsed = read(tmp_path, "a: &x {k: v}\nb: *x\n")
    assert parsed.data == {"a": {"k": "v"}, "b": {"k": "v"}} and parsed.problems == []


def test_an_alias_to_itself_is_too_deep_not_a_recursion_error(tmp_path):
    parsed = read(tmp_path, "a: &x {k: *x}\n")
    assert [code for *_, code in codes(parsed)] in (["yaml_too_deep"], ["yaml_aliases"])


@pytest.mark.parametrize("text", ["x: " + "[" * 5000 + "]" * 5000 + "\n", "".join(f"{'  ' * n}k{n}:\n" for n in range(MAX_DEPTH + 2)) + "  " * (MAX_DEPTH + 2) + "v\n"])
def test_deep_nesting_is_a_located_error(tmp_path, text):
    parsed = read(tmp_path, text)
    assert [code for *_, code in codes(parsed)] == ["yaml_too_deep"] and parsed.data is None


def test_a_file_over_the_size_limit_is_not_read(tmp_path):
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:  # sparse: takes no disk space
        handle.truncate(MAX_FILE_BYTES + 1)
    parsed = read_yaml(path, "data/big.yaml")
    assert codes(parsed) == [(1, 1, "file_too_large")]


def test_a_very_long_text_is_a_located_error(tmp_path):
    parsed = read(tmp_path, "a: ok\nb: " + "x" * (MAX_TEXT_CHARS + 1) + "\n")
    assert codes(parsed) == [(2, 4, "text_too_long")]


def test_the_shipped_data_is_far_below_every_limit():
    repo = Path(__file__).resolve().parents[1]
    for path in (repo / "data").glob("*.yaml"):
        assert path.stat().st_size < MAX_FILE_BYTES / 100
        parsed = read_yaml(path, path.name)
        assert parsed.problems == [] and parsed.alias_values == 0
        assert max(map(len, parsed.values)) < MAX_DEPTH / 4


def test_a_data_path_that_is_a_folder_is_a_located_error(minimal_copy, run_guide):
    (minimal_copy / "data" / "areas.yaml").unlink()
    (minimal_copy / "data" / "areas.yaml").mkdir()
    run = run_guide("check", "--root", minimal_copy, "--lang", "en", "--today", TODAY)
    assert run.code == 1
    assert "data/areas.yaml:1:1: data/areas.yaml is not a file" in run.err


# --- 7. text that looks right but is not -----------------------------------------------------


@pytest.mark.parametrize(("number", "letters"), [("086-ABC-1254", "ABC"), ("086-8O3-I2S4", "OIS"), ("086-803-1254 内線12", "内線")])
def test_phone_numbers_with_letters_are_refused(minimal_copy, run_guide, number, letters):
    set_in(minimal_copy, "agencies.yaml", ("agencies", 0, "phones", 0, "number"), number)
    run = run_guide("check", "--root", minimal_copy, "--lang", "en", "--today", TODAY)
    assert run.code == 1
    assert f"phone number {number} contains letters ({letters})" in run.err


@pytest.mark.parametrize("number", ["086-803-1254", "(086)803-1254", "０８６－８０３－１２５４", "086 803 1254"])
def test_the_forms_the_city_publishes_are_accepted(minimal_copy, run_guide, number):
    set_in(minimal_copy, "agencies.yaml", ("agencies", 0, "phones", 0, "number"), number)
    assert run_guide("check", "--root", minimal_copy, "--today", TODAY).code == 0


@pytest.mark.parametrize("name", ["\u200b\u200b", "\u200d\ufeff", " \u3164 ", "\u2060"])
def test_a_name_of_invisible_characters_is_refused(minimal_copy, run_guide, name):
    set_in(minimal_copy, "agencies.yaml", ("agencies", 0, "name", "ja"), name)
    run = run_guide("check", "--root", minimal_copy, "--lang", "en", "--today", TODAY)
    assert run.code == 1 and "the 'ja' text has no visible characters" in run.err


@pytest.mark.parametrize("control", ["\u202e", "\u202a", "\u2066", "\u2069"])
@pytest.mark.parametrize("path", [("agencies", 0, "name", "ja"), ("agencies", 0, "services", 0, "keywords", "ja", 0), ("agencies", 0, "source", 0, "section")])
def test_bidi_controls_are_refused_in_any_text(minimal_copy, run_guide, control, path):
    set_in(minimal_copy, "agencies.yaml", path, f"架空{control}ータンセ")
    run = run_guide("check", "--root", minimal_copy, "--lang", "en", "--today", TODAY)
    assert run.code == 1
    assert f"bidirectional control characters (U+{ord(control):04X})" in run.err


def test_every_handout_gets_the_payload_as_text(poisoned):
    # What WeasyPrint lays out, sheet by sheet: the payload is text there too (PDFs run no script,
    # and their links follow the one address rule).
    from guide.handouts import _Handouts
    from guide.load import load_guide

    guide = load_guide(poisoned, today=date.fromisoformat(TODAY)).guide
    press = _Handouts(poisoned, guide, "ja", today=date.fromisoformat(TODAY), site_url="https://guide.example.jp/")
    sheets = press.sheets()
    assert len(sheets) > 10  # every kind of sheet of the minimal guide, normal and large print
    for sheet in sheets:
        html = press.html(sheet, 0)
        assert "<script>alert" not in html and "<img src=x" not in html, sheet.filename
        assert "&amp;lt;" not in html, f"escaped twice: {sheet.filename}"
    assert any(ESCAPED_ONCE in press.html(sheet, 0) for sheet in sheets)


def _processes_building(root: Path) -> list[int]:
    """The processes whose command line names this guide (a build and its forked workers)."""
    found = []
    for proc in Path("/proc").iterdir():
        with contextlib.suppress(OSError):
            if proc.name.isdigit() and str(root).encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
    return found


@pytest.mark.slow
def test_a_killed_build_takes_its_workers_with_it(tmp_path):
    # An orphaned worker would hold the build's lock and write into the next build's folders.
    # The minimal fixture ×20 (two editions, whatever guide is in data/): each edition's worker has seconds of work.
    root = copy_guide(tmp_path / "guide", bench.synthetic_guide(MINIMAL, tmp_path / "x20", 20))
    process = _start_build(root)
    _wait_for(root / "build" / "site.new", process)  # made by a worker: the editions are being built
    assert len(_processes_building(root)) >= 2, "the build has no workers"
    process.kill()
    process.wait()
    deadline = time.monotonic() + 0.3  # a worker left alive would go on with its edition for a second or more
    while _processes_building(root) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert _processes_building(root) == []
