"""The contributor guide stays true: its walkthroughs are carried out on a copy of the guide's data.

The contributor guide is part of a guide's content (content/<lang>/contributing.md, written
for its city's staff, with examples from its data): these tests belong to that guide and
run when it has one.

content/ja/contributing.md (the one city staff read) marks each YAML snippet with
`<!-- walkthrough: NAME before|after data/FILE.yaml -->`.  Each `before` is text that
is in the real data file now; the `after` that follows replaces it.  Every walkthrough
first registers the example source document (walkthrough "source"), as the guide says.
The table of `guide check` messages quotes only messages the broken-file corpus specifies.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml

from guide.cli import main
from guide.load import load_guide as _load_guide

from conftest import MINIMAL, REPO, TODAY, copy_guide

TESTS = Path(__file__).parent
BROKEN = TESTS / "broken"
GUIDE_JA = REPO / "content" / "ja" / "contributing.md"
GUIDE_EN = REPO / "content" / "en" / "contributing.md"
CONTRIBUTING = REPO / "CONTRIBUTING.md"
PR_TEMPLATE = REPO / ".github" / "pull_request_template.md"
CHECKS = REPO / "data" / "checks.yaml"

SOURCE = "source"  # the walkthrough that registers the example document, done before each of the others
# walkthrough -> ("agency" | "program", id of the one record it changes or adds): the guide's own
# examples, so they are kept beside its data (data/checks.yaml, `walkthroughs`).
WALKTHROUGHS = {
    name: next(iter(record.items()))
    for name, record in (yaml.safe_load(CHECKS.read_text(encoding="utf-8")) if CHECKS.exists() else {}).get("walkthroughs", {}).items()
}

pytestmark = pytest.mark.skipif(not GUIDE_JA.exists(), reason="the guide in content/ has no contributor guide")

MARKER = re.compile(r"^<!-- walkthrough: (?P<name>[a-z-]+) (?P<kind>before|after) (?P<file>data/[a-z.]+\.yaml) -->$")


@dataclass(frozen=True)
class Snippet:
    name: str
    kind: str
    file: str
    text: str


def snippets(path: Path) -> list[Snippet]:
    """Every marked snippet of a guide, in order: the fenced ```yaml block right after its marker."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for number, line in enumerate(lines):
        match = MARKER.match(line.strip())
        if not match:
            continue
        assert lines[number + 1].strip() == "```yaml", f"{path.name}:{number + 2}: a ```yaml block must follow the marker"
        end = lines.index("```", number + 2)
        text = "\n".join(lines[number + 2 : end]) + "\n"
        found.append(Snippet(match["name"], match["kind"], match["file"], text))
    return found


def edits(path: Path) -> dict[str, list[tuple[str, str, str]]]:
    """walkthrough -> [(file, before, after), ...]: each `before` is followed by its `after`."""
    result: dict[str, list[tuple[str, str, str]]] = {}
    pending: dict[str, Snippet] = {}
    for snippet in snippets(path):
        if snippet.kind == "before":
            assert snippet.name not in pending, f"{snippet.name}: two 'before' snippets in a row"
            pending[snippet.name] = snippet
            continue
        before = pending.pop(snippet.name, None)
        assert before is not None, f"{snippet.name}: an 'after' snippet without its 'before'"
        assert before.file == snippet.file, f"{snippet.name}: before and after name different files"
        result.setdefault(snippet.name, []).append((snippet.file, before.text, snippet.text))
    assert not pending, f"'before' snippets without an 'after': {sorted(pending)}"
    return result


def apply(root: Path, steps: list[tuple[str, str, str]]) -> None:
    for file, before, after in steps:
        path = root / file
        text = path.read_text(encoding="utf-8")
        assert text.count(before) == 1, f"{file}: this 'before' snippet must appear exactly once:\n{before}"
        path.write_text(text.replace(before, after), encoding="utf-8")


def load_guide(root: Path, **_):
    return _load_guide(root, today=date.fromisoformat(TODAY))


def check(root: Path, *extra: str) -> tuple[int, list[str]]:
    """`guide check` in-process: the exit code and the problem lines (the closing count line left out)."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["check", "--root", str(root), "--today", TODAY, *extra])
    return code, err.getvalue().splitlines()[:-1]


@pytest.fixture(scope="module")
def walkthroughs() -> dict[str, list[tuple[str, str, str]]]:
    return edits(GUIDE_JA)


@pytest.fixture(scope="module")
def original(tmp_path_factory):
    """The real data, loaded, and how many problems (stale-date warnings) it has before any edit."""
    root = copy_guide(tmp_path_factory.mktemp("original"), guide=REPO)
    code, problems = check(root)
    assert code == 0, problems
    return load_guide(root, today=None).guide, len(problems)


def edited_copy(tmp_path: Path, walkthroughs, name: str) -> Path:
    root = copy_guide(tmp_path / "guide", guide=REPO)
    apply(root, walkthroughs[SOURCE])
    apply(root, walkthroughs[name])
    return root


# --- the walkthroughs ---------------------------------------------------------------------


def test_the_guide_marks_the_source_step_and_the_four_walkthroughs(walkthroughs):
    assert set(walkthroughs) == {SOURCE, *WALKTHROUGHS}
    for name, steps in walkthroughs.items():
        for file, before, after in steps:
            assert before != after, f"{name}: {file}: the 'after' snippet changes nothing"
    # Every walkthrough ends with the record's source and last_verified, as the guide tells staff to.
    for name in WALKTHROUGHS:
        afters = "".join(after for _, _, after in walkthroughs[name])
        assert "last_verified:" in afters and "document: example-2026-11" in afters, name


def test_the_example_source_document_is_registered(tmp_path, walkthroughs):
    root = copy_guide(tmp_path / "guide", guide=REPO)
    apply(root, walkthroughs[SOURCE])
    code, problems = check(root)
    assert code == 0, problems
    guide = load_guide(root).guide
    assert "example-2026-11" in {document.id for document in guide.sources.sources}


@pytest.mark.parametrize("name", sorted(WALKTHROUGHS))
def test_each_walkthrough_passes_guide_check_and_changes_only_its_record(tmp_path, walkthroughs, original, name):
    before_guide, before_problems = original
    root = edited_copy(tmp_path, walkthroughs, name)

    code, problems = check(root)

    assert code == 0, "\n".join(problems)
    assert len(problems) <= before_problems, "the walkthrough adds a warning:\n" + "\n".join(problems)
    after_guide = load_guide(root).guide
    kind, record_id = WALKTHROUGHS[name]
    collection = "agencies" if kind == "agency" else "programs"
    old = {record.id: record for record in getattr(before_guide, collection)}
    new = {record.id: record for record in getattr(after_guide, collection)}
    changed = {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}
    assert changed == {record_id}
    other = "programs" if collection == "agencies" else "agencies"
    assert getattr(before_guide, other) == getattr(after_guide, other)
    record = new[record_id]
    assert "example-2026-11" in [ref.document for ref in record.source]
    if record_id in old:
        assert record.last_verified > old[record_id].last_verified, "the walkthrough must update last_verified"


def test_the_phone_walkthrough_changes_the_number(tmp_path, walkthroughs):
    root = edited_copy(tmp_path, walkthroughs, "phone")
    agency = next(a for a in load_guide(root).guide.agencies if a.id == WALKTHROUGHS["phone"][1])
    assert [phone.number for phone in agency.phones] == ["086-900-1234"]


def test_the_session_walkthrough_adds_one_session(tmp_path, walkthroughs, original):
    root = edited_copy(tmp_path, walkthroughs, "session")
    old = next(p for p in original[0].programs if p.id == WALKTHROUGHS["session"][1])
    new = next(p for p in load_guide(root).guide.programs if p.id == WALKTHROUGHS["session"][1])
    assert new.schedule.sessions[:-1] == old.schedule.sessions
    assert str(new.schedule.sessions[-1].date) == "2026-12-10"


def test_the_closed_period_walkthrough_closes_the_counter(tmp_path, walkthroughs):
    root = edited_copy(tmp_path, walkthroughs, "closed")
    agency = next(a for a in load_guide(root).guide.agencies if a.id == WALKTHROUGHS["closed"][1])
    [period] = agency.hours.closed_periods
    assert (str(period.start), str(period.end)) == ("2026-12-07", "2026-12-09")


@pytest.mark.slow
def test_the_new_agency_gets_its_pages(tmp_path, walkthroughs):
    root = edited_copy(tmp_path, walkthroughs, "agency")

    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0

    page = root / "site" / "agencies" / "kakuu-soudan-madoguchi" / "index.html"
    assert page.is_file()
    html = page.read_text(encoding="utf-8")
    assert "架空相談窓口（記入例）" in html and 'href="tel:+81-86-900-5678"' in html
    assert (root / "site" / "en" / "agencies" / "kakuu-soudan-madoguchi" / "index.html").is_file()


def test_the_example_agency_is_obviously_fictional(walkthroughs):
    [(_, _, after)] = walkthroughs["agency"]
    assert "架空" in after and "記入例" in after and "fictional" in after


# --- the English guides say the same ------------------------------------------------------


@pytest.mark.parametrize("path", [GUIDE_EN, CONTRIBUTING], ids=lambda p: str(p.relative_to(REPO)))
def test_the_english_guides_show_the_same_yaml(path):
    assert snippets(path) == snippets(GUIDE_JA)


def test_front_matter_titles():
    assert GUIDE_JA.read_text(encoding="utf-8").startswith("---\nin_nav: false\ntitle: 編集ガイド\n---\n")
    assert GUIDE_EN.read_text(encoding="utf-8").startswith("---\nin_nav: false\ntitle: Contributor guide\n---\n")


@pytest.mark.slow
def test_the_guide_pages_are_built_with_their_yaml_as_code(tmp_path):
    root = copy_guide(tmp_path / "guide", guide=REPO)
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0
    home = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="contributing/"' not in home  # a page for staff: linked from the about page, not in the residents' menu
    assert 'href="../contributing/"' in (root / "site" / "about" / "index.html").read_text(encoding="utf-8")
    for prefix, title in (("", "編集ガイド"), ("en/", "Contributor guide")):
        html = (root / "site" / prefix / "contributing" / "index.html").read_text(encoding="utf-8")
        assert title in html
        assert "<code" in html and "kakuu-soudan-madoguchi" in html
        assert "```" not in html, "fenced code was not turned into a code block"


# --- the table of messages ---------------------------------------------------------------


def table_messages(path: Path, column: int = 0) -> list[str]:
    """The message in backticks in one column of each row of the guide's error table."""
    text = path.read_text(encoding="utf-8")
    table = text.split("<!-- error-table -->", 1)[1].split("<!-- /error-table -->", 1)[0]
    messages = []
    for row in table.strip().splitlines()[2:]:  # after the header and the --- line
        cell = row.strip().strip("|").split(" | ")[column].strip()
        assert re.fullmatch(r"`[^`]+`", cell), f"{path.name}: the message must be in backticks: {row}"
        messages.append(cell[1:-1])
    return messages


def corpus_messages(expected_name: str) -> set[str]:
    lines = set()
    for path in BROKEN.glob(f"*/{expected_name}"):
        for line in path.read_text(encoding="utf-8").splitlines():
            lines.add(line.split(": ", 1)[1])  # drop "data/file.yaml:line:column"
    return lines


@pytest.fixture(scope="module")
def english_output(tmp_path_factory) -> set[str]:
    """What `guide check --lang en` says for every case of the corpus (most have no expected.en.txt)."""
    messages = set()
    for case in sorted(path for path in BROKEN.iterdir() if path.is_dir()):
        root = tmp_path_factory.mktemp(case.name) / "guide"
        shutil.copytree(MINIMAL, root)
        for path in case.iterdir():
            if not path.name.startswith("expected"):
                shutil.copyfile(path, root / "data" / path.name)
        _, problems = check(root, "--lang", "en")
        messages |= {line.split(": ", 1)[1] for line in problems}
    return messages


def test_every_message_in_the_japanese_table_is_specified_by_the_corpus():
    messages = table_messages(GUIDE_JA)
    assert len(messages) >= 30
    assert len(set(messages)) == len(messages)
    specified = corpus_messages("expected.txt")
    assert [m for m in messages if m not in specified] == []


@pytest.mark.parametrize("path", [GUIDE_EN, CONTRIBUTING], ids=lambda p: str(p.relative_to(REPO)))
def test_every_message_in_the_english_tables_is_real(path, english_output):
    # Column 1: the English message (`--lang en`); column 2: the Japanese one the pull-request check prints.
    assert table_messages(path, 1) == table_messages(GUIDE_JA), "the same rows as the Japanese table, in order"
    real = corpus_messages("expected.en.txt") | english_output
    assert [m for m in table_messages(path) if m not in real] == []


# --- the pull request template ---------------------------------------------------------------


def test_the_pull_request_template_asks_for_the_source_and_the_checks():
    text = PR_TEMPLATE.read_text(encoding="utf-8")
    for words in ("出典", "last_verified", "guide check", "プレビュー", "内線", "担当者名", "data/sources.yaml"):
        assert words in text, words
    assert text.count("- [ ]") >= 4
