"""`guide check` catches what would break a command, and no command ends in a traceback (issue 24).

Each part answers one finding of the second security review: a line break or control character
that passed `guide check` and ended the build in the iCalendar writer or made sitemap.xml
invalid, a mail link that copied residents' mail elsewhere, a mkdocs.yml that ran or loaded
code (or broke the build and the preview), `guide diff` reading a huge file into memory,
`guide new` writing outside its folder or where a build deletes, a build message that said
nothing changed when something had, and a preview that answered any host name.
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml
from icalendar import Calendar

from guide.exports import calendar_feed, sitemap
from guide.exports.common import Language
from guide.i18n import translations
from guide.load import load_guide
from guide.model import Text
from guide.preview import host_allowed, reachable_from_others
from guide.yamlfile import MAX_FILE_BYTES, read_yaml

from conftest import MINIMAL, TODAY, copy_guide

TOKEN = "PAYLOAD-TOKEN"


def put(root: Path, file: str, path: tuple, value: str) -> tuple[int, str]:
    """Write `value` at `path` of a data file as a double-quoted YAML string (so that every control
    character arrives as written); returns the line it is on and that line's text."""
    target = root / file
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    node = data
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = TOKEN
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    text = text.replace(TOKEN, json.dumps(value))  # a JSON string is a double-quoted YAML scalar
    target.write_text(text, encoding="utf-8")
    number = next(i for i, line in enumerate(text.splitlines(), 1) if json.dumps(value) in line)
    return number, text.splitlines()[number - 1]


def check(run_guide, root: Path, lang: str = "en"):
    return run_guide("check", "--root", root, "--lang", lang, "--today", TODAY)


# --- 1. one-line fields hold no line break, no field a control character -----------------------------

# (file, path to the value, whether the value is one language of a text: then the `ja:` key is named)
ONE_LINE_FIELDS = [
    ("data/programs.yaml", ("programs", 0, "name", "ja"), True),
    ("data/programs.yaml", ("programs", 0, "venue", "ja"), True),
    ("data/site.yaml", ("title", "ja"), True),
    ("data/site.yaml", ("city", "name", "ja"), True),
    ("data/agencies.yaml", ("agencies", 0, "address", "street", "ja"), True),
    ("data/agencies.yaml", ("agencies", 0, "phones", 1, "label", "ja"), True),
    ("data/agencies.yaml", ("agencies", 0, "services", 0, "keywords", "ja", 0), False),
    ("data/agencies.yaml", ("agencies", 0, "source", 0, "section"), False),
    ("data/categories.yaml", ("categories", 0, "name", "ja"), True),
    ("data/areas.yaml", ("areas", 0, "name", "ja"), True),
    ("data/sources.yaml", ("sources", 0, "title", "ja"), True),
]
LINE_BREAKS = {"\n": "U+000A", "\u2028": "U+2028", "\u2029": "U+2029", "\n\n": "U+000A"}
# C0 (SOH, ESC, BEL, CR, VT), DEL and C1 (NEL, CSI): each shows nothing and breaks XML or a terminal.
CONTROLS = {"\x01": "U+0001", "\x1b[31m": "U+001B", "\x07": "U+0007", "\r": "U+000D", "\x0b": "U+000B", "\x7f": "U+007F",
            "\x85": "U+0085", "\x9b": "U+009B"}


def problems_at_the_value(root: Path, run_guide, file: str, path: tuple, is_text: bool, value: str) -> list[str]:
    """Put `value` in, run `guide check` (which must fail) and keep the problems located where it stands:
    at the `ja:` key of a text, at the value itself otherwise."""
    number, line = put(root, file, path, value)
    run = check(run_guide, root)
    assert run.code == 1
    column = (line.index("ja:") if is_text else line.index(json.dumps(value))) + 1
    return [p.removeprefix(f"{file}:{number}:{column}: ") for p in run.problem_lines if p.startswith(f"{file}:{number}:{column}: ")]


@pytest.mark.parametrize("brk", LINE_BREAKS)
@pytest.mark.parametrize(("file", "path", "is_text"), ONE_LINE_FIELDS)
def test_a_line_break_in_a_one_line_field_is_a_located_error(minimal_copy, run_guide, file, path, is_text, brk):
    assert problems_at_the_value(minimal_copy, run_guide, file, path, is_text, f"架空{brk}体操") == [
        f"the value holds a line break ({LINE_BREAKS[brk]}), which a name, title, label, address or phone label cannot hold "
        "(write it on one line: only descriptions and notes may have several lines)"]


@pytest.mark.parametrize("control", CONTROLS)
@pytest.mark.parametrize(("file", "path", "is_text"), [
    *ONE_LINE_FIELDS[:2],
    ("data/programs.yaml", ("programs", 0, "description", "ja"), True),  # multi-line, but no control character either
    ("data/agencies.yaml", ("agencies", 0, "hours", "exceptions", 0, "note", "ja"), True),
])
def test_a_control_character_in_any_field_is_a_located_error(minimal_copy, run_guide, file, path, is_text, control):
    assert problems_at_the_value(minimal_copy, run_guide, file, path, is_text, f"架空{control}体操") == [
        f"the value holds control characters ({CONTROLS[control]}), which show nothing and break the calendar "
        "and XML files (remove them; retype the text if it was pasted)"]


def test_control_characters_written_into_the_file_itself_are_each_located(tmp_path):
    path = tmp_path / "agencies.yaml"
    path.write_text("agencies:\n  - id: a\x08b\n    # a comment with a bell \x07\n    name: {ja: x\x1by}\n", encoding="utf-8")
    found = [(p.line, p.column, p.code, p.params["chars"]) for p in read_yaml(path, "data/agencies.yaml").problems]
    assert found == [(2, 10, "control_char", "U+0008"), (3, 29, "control_char", "U+0007"), (4, 17, "control_char", "U+001B")]


def test_the_message_is_in_japanese_too_and_shows_the_character_by_its_code(minimal_copy, run_guide):
    number, line = put(minimal_copy, "data/programs.yaml", ("programs", 0, "name", "ja"), "架空\x1b[2J体操")
    run = check(run_guide, minimal_copy, "ja")
    assert run.problem_lines == [
        f"data/programs.yaml:{number}:{line.index('ja:') + 1}: 値に制御文字（U+001B）があります。"
        "制御文字は表示されず、カレンダーや XML のファイルを壊します（削除してください。貼り付けた文字なら打ち直してください）"]
    assert "\x1b" not in run.err  # a message never passes an escape code to the terminal


@pytest.mark.parametrize("path", [("programs", 0, "description", "ja"), ("programs", 0, "how_to_apply", "ja"),
                                  ("programs", 1, "schedule", "recurrence", 1, "note", "ja")])
def test_descriptions_and_notes_may_have_several_lines_and_tabs(minimal_copy, run_guide, path):
    put(minimal_copy, "data/programs.yaml", path, "一行目\n\t二行目")
    assert check(run_guide, minimal_copy).code == 0


@pytest.mark.parametrize("url", ["https://example.jp/a\x01b", "https://example.jp/\x7f", "https://example.jp/\x85x",
                                 "https://exa\x00mple.jp/", "https://example.jp/\u2028"])
@pytest.mark.parametrize(("file", "path"), [("data/site.yaml", ("url",)), ("data/agencies.yaml", ("agencies", 0, "url")),
                                            ("data/site.yaml", ("data_licence",))])
def test_an_address_with_a_control_character_is_refused(minimal_copy, run_guide, file, path, url):
    if path == ("data_licence",):  # the licence's address follows the one address rule too
        target = minimal_copy / file
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
        data["data_licence"] = {"name": "CC BY 4.0", "url": TOKEN}
        target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False).replace(TOKEN, json.dumps(url)), encoding="utf-8")
    else:
        put(minimal_copy, file, path, url)
    run = check(run_guide, minimal_copy)
    assert run.code == 1
    wrong = [p for p in run.problem_lines if "write an address starting with https://" in p]
    assert len(wrong) == 1 and wrong[0].startswith(f"{file}:"), run.err
    assert not re.search(r"[\x00-\x1f\x7f-\x9f]", "".join(run.problem_lines))


# What turns a mail link into more than a mail to the counter: a query (?cc=, ?bcc=, &body=),
# %-escapes, a second address, a display name, spaces, a fragment.
MAILTO_TRICKS = {
    "x@city.jp?bcc=y%40evil.example": "? = %",
    "x@city.jp?cc=y@evil.example": "? =",
    "x@city.jp&body=hello": "& =",
    "x%40city.jp@evil.example": "%",
    "x@city.jp,y@evil.example": ",",
    "x@city.jp;y@evil.example": ";",
    "Soudan <x@city.jp>": "U+0020 < >",
    "x @city.jp": "U+0020",
    "x@city.jp#top": "#",
    "x@city.jp\u3000": "U+3000",
}


@pytest.mark.parametrize("email", MAILTO_TRICKS)
def test_an_email_that_would_do_more_than_write_to_the_counter_is_refused(minimal_copy, run_guide, email):
    number, line = put(minimal_copy, "data/agencies.yaml", ("agencies", 0, "email"), email)
    run = check(run_guide, minimal_copy)
    assert run.code == 1
    where = f"data/agencies.yaml:{number}:{line.index(json.dumps(email)) + 1}: "
    assert run.problem_lines == [f"{where}e-mail address '{email}' contains {MAILTO_TRICKS[email]}, with which the mail link "
                                 "would do more than write to that address (write one plain address, like soudan@example.jp)"]


@pytest.mark.parametrize("email", ["x@y@city.jp", "x@city", "@city.jp", "x@.jp", "x@city-.jp"])
def test_an_email_of_the_wrong_shape_is_refused(minimal_copy, run_guide, email):
    put(minimal_copy, "data/agencies.yaml", ("agencies", 0, "email"), email)
    run = check(run_guide, minimal_copy)
    assert run.code == 1
    assert len(run.problem_lines) == 1 and "(write it like soudan@example.jp)" in run.problem_lines[0], run.err


@pytest.mark.parametrize("email", ["soudan@example.jp", "fukushi.kikaku+madoguchi@city.example.lg.jp", "a_b-c@example-city.jp"])
def test_plain_addresses_are_accepted(minimal_copy, run_guide, email):
    put(minimal_copy, "data/agencies.yaml", ("agencies", 0, "email"), email)
    assert check(run_guide, minimal_copy).code == 0


# --- 2. the iCalendar writer makes what it is given safe, and never asserts ------------------------------

ICAL_PAYLOADS = ["架空\n体操", "架空\r\n体操", "架空\r体操", "架空\x01\x1b\x7f\x85体操", "架空\u2028体操", "架空\t体操",
                 "体操😀👨‍👩‍👧", "長" * 20_000]


def _feeds(guide, lang: str = "ja"):
    words = Language(guide, lang, translations(MINIMAL, lang))
    return calendar_feed.program_feeds(guide, words, date.fromisoformat(TODAY), lambda pid: f"https://guide.example.jp/programs/{pid}/")


def _poisoned(value: str):
    """The minimal guide with `value` in the first program's name, venue, description and in the site's title:
    as if `guide check` had let it through (the writer must not rely on it)."""
    guide = load_guide(MINIMAL, today=date.fromisoformat(TODAY)).guide
    text = Text.model_construct(root={"ja": value})
    program = guide.programs[0].model_copy(update={"name": text, "venue": text, "description": text})
    site = guide.site.model_copy(update={"title": text})
    return guide.model_copy(update={"programs": [program, *guide.programs[1:]], "site": site})


@pytest.mark.parametrize("value", ICAL_PAYLOADS, ids=lambda v: repr(v[:12]))
def test_the_calendar_writer_takes_any_text_and_writes_a_feed_the_parser_reads_back(value):
    per_program, everything = _feeds(_poisoned(value))
    one_line = " ".join(re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")).split())
    for feed in [everything, per_program["kakuu-taisou.ics"]]:
        assert all(len(line) <= 75 for line in feed.split(b"\r\n")), "content lines are folded at 75 octets"
        assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", feed)
        calendar = Calendar.from_ical(feed)
        assert str(calendar["x-wr-calname"]) == one_line
        event = next(e for e in calendar.walk("VEVENT") if str(e["summary"]) == one_line)
        assert str(event["location"]) == one_line
        assert str(event["description"]).startswith(re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")))


def test_what_the_writer_still_refuses_is_named_not_a_traceback(monkeypatch):
    def refuse(self, *args, **kwargs):
        raise AssertionError("Content line can not contain unescaped new line characters.")

    monkeypatch.setattr(Calendar, "to_ical", refuse)
    with pytest.raises(calendar_feed.FeedError) as raised:
        _feeds(load_guide(MINIMAL, today=date.fromisoformat(TODAY)).guide)
    assert raised.value.args == ("data/programs.yaml: kakuu-taisou", "Content line can not contain unescaped new line characters.")


@pytest.mark.slow
def test_a_feed_the_writer_refuses_stops_the_build_with_its_words_and_keeps_the_site(tmp_path, run_guide, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise ValueError("a refused value")

    root = copy_guide(tmp_path / "guide")
    monkeypatch.setattr(Calendar, "to_ical", refuse)  # the build's workers are forked: they inherit it
    run = run_guide("build", "--root", root, "--lang", "en", "--today", TODAY, "--skip-handouts")
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err.splitlines() == [
        "data/programs.yaml: kakuu-taisou: the calendar feed could not be written: a refused value "
        "(remove line breaks and control characters from the program's name, venue and notes)",
        "The build failed: site/ was not changed."]
    assert not (root / "site").exists()


# --- 3. sitemap.xml is valid XML whatever its addresses hold ------------------------------------------------


def test_the_sitemap_escapes_what_an_address_cannot_hold():
    guide = load_guide(MINIMAL, today=date.fromisoformat(TODAY)).guide
    xml = sitemap.sitemap(guide, "https://guide.example.jp/a\x01b/", ["", "x y/", "日本/", "a&b/"], [("en", "https://guide.example.jp/a\x01b/en/")])
    locs = [loc.text for loc in ET.fromstring(xml).iter(f"{{{sitemap.NS}}}loc")]
    assert locs == ["https://guide.example.jp/a%01b/", "https://guide.example.jp/a%01b/x%20y/",
                    "https://guide.example.jp/a%01b/%E6%97%A5%E6%9C%AC/", "https://guide.example.jp/a%01b/a&b/"]
    alternates = [link.get("href") for link in ET.fromstring(xml).iter("{http://www.w3.org/1999/xhtml}link")]
    assert alternates[1] == "https://guide.example.jp/a%01b/en/x%20y/"  # the alternates are escaped the same way
    assert b"a&amp;b/" in xml


# --- 4. mkdocs.yml: checked like data, no code and nothing from elsewhere -----------------------------------


def _config(root: Path, change) -> Path:
    path = root / "mkdocs.yml"
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def test_the_shipped_mkdocs_yml_passes(run_guide, tmp_path):
    assert check(run_guide, copy_guide(tmp_path)).code == 0


def test_a_yaml_mistake_in_mkdocs_yml_is_located_by_check_and_build(run_guide, tmp_path):
    root = copy_guide(tmp_path)
    _config(root, lambda text: text.replace("  custom_dir: overrides\n", "  custom_dir: overrides\n   font: [\n"))
    number = (root / "mkdocs.yml").read_text(encoding="utf-8").splitlines().index("   font: [") + 1
    run = check(run_guide, root)
    assert run.code == 1
    assert [p for p in run.problem_lines if p.startswith("mkdocs.yml:")] == [
        f"mkdocs.yml:{number}:8: YAML syntax error: mapping values are not allowed here "
        "(check indentation, the space after each colon and unclosed quotes)"]
    built = run_guide("build", "--root", root, "--lang", "ja", "--today", TODAY, "--skip-handouts")
    assert built.code == 1 and "Traceback" not in built.err
    assert built.err.splitlines() == [
        f"mkdocs.yml:{number}:8: YAML の書き方に誤りがあります: mapping values are not allowed here（字下げ・コロンの後の空白・引用符の閉じ忘れを確認してください）",
        "データに誤りがあるため、サイトは更新していません。"]
    assert not (root / "site").exists()


RUNS_CODE = "it would run code while the site is built"
ELSEWHERE = "it would load a file from outside the site"
FIXED = "guide build relies on it"

# (what is added or changed, the setting named, why it is refused)
REFUSED_SETTINGS = [
    ("hooks:\n  - hooks/evil.py\n", "hooks", RUNS_CODE),
    ("plugins:\n  - search\n", "plugins", RUNS_CODE),
    ("INHERIT: ../other/mkdocs.yml\n", "INHERIT", ELSEWHERE),
    ("extra_javascript:\n  - https://cdn.example/x.js\n", "extra_javascript.0", ELSEWHERE),
    ("extra_javascript:\n  - //cdn.example/x.js\n", "extra_javascript.0", ELSEWHERE),
    ("extra_javascript:\n  - path: ../../x.js\n    type: module\n", "extra_javascript.0", ELSEWHERE),
    ("extra_css:\n  - /etc/x.css\n", "extra_css.0", ELSEWHERE),
    ("extra:\n  analytics: {provider: google, property: G-XXXX}\n", "extra.analytics", ELSEWHERE),
    ("docs_dir: ../elsewhere\n", "docs_dir", FIXED),
    ("site_dir: /var/www\n", "site_dir", FIXED),
    ("use_directory_urls: false\n", "use_directory_urls", FIXED),
]


def _replace_setting(text: str, addition: str) -> str:
    key = addition.split(":", 1)[0]
    kept = re.sub(rf"(?ms)^{re.escape(key)}:.*?(?=^\S|\Z)", "", text)  # the shipped setting of that name, if any
    return kept.rstrip("\n") + "\n" + addition


@pytest.mark.parametrize(("addition", "setting", "why"), REFUSED_SETTINGS, ids=[s[1] + ":" + s[0][:30] for s in REFUSED_SETTINGS])
def test_a_setting_that_runs_or_loads_code_is_refused(run_guide, tmp_path, addition, setting, why):
    root = copy_guide(tmp_path)
    _config(root, lambda text: _replace_setting(text, addition))
    run = check(run_guide, root)
    assert run.code == 1
    refused = [p for p in run.problem_lines if f"'{setting}' is not allowed in mkdocs.yml: {why}" in p]
    assert len(refused) == 1 and re.match(r"mkdocs\.yml:\d+:\d+: ", refused[0]), run.err


# (shipped line, what it becomes, the written line that is named, the message)
THEME_AND_MARKDOWN = [
    ("  custom_dir: overrides", "  custom_dir: /home/x/theme", "custom_dir:", "'theme.custom_dir' is not allowed in mkdocs.yml: guide build relies on it (write overrides"),
    ("  name: material", "  name: readthedocs", "name: readthedocs", "'theme.name' is not allowed in mkdocs.yml: guide build relies on it (write material"),
    ("  font: false", "  font: {text: Roboto}", "font:", "'theme.font' is not allowed in mkdocs.yml: guide build relies on it (write false"),
    ("  - attr_list", "  - pymdownx.snippets", "pymdownx.snippets", "the Markdown extension 'pymdownx.snippets' is not one the guide allows"),
    ("      permalink: false", "      slugify: !!python/name:os.system", "slugify:", "YAML tag !!python/name:os.system is not allowed (remove it)"),
    ("site_name: 相談窓口ガイド", "site_name: !ENV GITHUB_TOKEN", "site_name:", "YAML tag !ENV is not allowed (remove it)"),
    ("strict: true", "strict: true\ncopyright: <script>alert(1)</script>", "copyright:", "'<script>alert(1)</script>' contains <>"),
    ("strict: true", "strcit: true", "strcit:", "unknown field 'strcit' (did you mean 'strict'?)"),
    ("  features:", "  logo: https://cdn.example/logo.png\n  features:", "logo:", "'theme.logo' is not allowed in mkdocs.yml: " + ELSEWHERE),
]


@pytest.mark.parametrize(("old", "new", "named", "expected"), THEME_AND_MARKDOWN, ids=[case[2] for case in THEME_AND_MARKDOWN])
def test_the_theme_and_markdown_settings_are_checked_where_they_are_written(run_guide, tmp_path, old, new, named, expected):
    root = copy_guide(tmp_path)
    path = _config(root, lambda text: text.replace(old, new, 1))
    number = next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if named in line)
    run = check(run_guide, root)
    assert run.code == 1
    found = [p for p in run.problem_lines if expected in p]
    assert len(found) == 1 and found[0].startswith(f"mkdocs.yml:{number}:"), run.err


@pytest.mark.slow
def test_the_preview_keeps_its_last_good_version_when_mkdocs_yml_breaks(tmp_path):
    from guide.preview import Preview
    from guide.problems import DataError

    preview = Preview(copy_guide(tmp_path / "guide"))
    preview.rebuild(date.fromisoformat(TODAY), lambda prefix, paths: None)
    before = {p: p.stat().st_mtime_ns for p in preview.site.rglob("*") if p.is_file()}
    _config(preview.root, lambda text: text + "hooks: [x.py]\n")
    with pytest.raises(DataError) as raised:
        preview.rebuild(date.fromisoformat(TODAY), lambda prefix, paths: None)
    assert [p.code for p in raised.value.problems] == ["mkdocs_refused"]
    assert {p: p.stat().st_mtime_ns for p in preview.site.rglob("*") if p.is_file()} == before


# --- 5. guide serve: only its own address, and a warning when others can reach it ----------------------------


@pytest.mark.parametrize(("host", "bound", "allowed"), [
    ("localhost:8000", "127.0.0.1", True), ("127.0.0.1:8000", "127.0.0.1", True), ("[::1]:8000", "::1", True),
    ("LOCALHOST:8000", "127.0.0.1", True), ("192.168.1.20:8000", "0.0.0.0", True), ("guide-pc:8000", "guide-pc", True),
    ("evil.example:8000", "127.0.0.1", False), ("evil.example:8000", "0.0.0.0", False), ("localhost:8001", "127.0.0.1", False),
    ("localhost", "127.0.0.1", False), ("", "127.0.0.1", False), ("localhost.evil.example:8000", "127.0.0.1", False),
    ("127.0.0.1.nip.io:8000", "127.0.0.1", False),
])
def test_the_preview_answers_only_to_its_own_names(host, bound, allowed):
    assert host_allowed(host, bound, 8000) is allowed


@pytest.mark.parametrize(("host", "others"), [("127.0.0.1", False), ("localhost", False), ("::1", False), ("127.0.0.2", False),
                                              ("0.0.0.0", True), ("::", True), ("192.168.1.20", True), ("guide-pc.local", True)])
def test_which_addresses_let_other_computers_in(host, others):
    assert reachable_from_others(host) is others


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, host_header: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", "/", headers={"Host": host_header})
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


@pytest.mark.slow
def test_serve_on_all_addresses_warns_refuses_other_host_names_and_survives_a_broken_mkdocs_yml(tmp_path):
    root = copy_guide(tmp_path / "guide")
    port = _free_port()
    command = [sys.executable, "-m", "guide.cli", "serve", "--root", str(root), "--host", "0.0.0.0", "--port", str(port), "--lang", "en", "--today", TODAY]
    process = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, encoding="utf-8")
    lines: list[str] = []
    threading.Thread(target=lambda: lines.extend(iter(process.stderr.readline, "")), daemon=True).start()

    def wait_for(text: str) -> None:
        deadline = time.monotonic() + 180
        while not any(text in line for line in lines):
            assert process.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)

    try:
        wait_for("Preview on")
        assert any(line.startswith("warning: the preview is open to other computers on 0.0.0.0 ") for line in lines), lines

        assert _get(port, f"localhost:{port}")[0] == 200
        assert _get(port, f"127.0.0.1:{port}")[0] == 200
        status, text = _get(port, f"rebound.evil.example:{port}")
        assert (status, text) == (403, f"This preview answers only to its own address, such as http://localhost:{port}/.")

        _config(root, lambda text: text.replace("  custom_dir: overrides\n", "  custom_dir: overrides\n   font: [\n"))
        wait_for("the preview still shows the last good version")
        assert any(line.startswith("mkdocs.yml:") and "YAML syntax error" in line for line in lines), lines
        status, page = _get(port, f"localhost:{port}")
        assert status == 200 and "<html" in page  # still answering, with the last good preview

        _config(root, lambda text: text.replace("   font: [\n", ""))
        wait_for("preview rebuilt")
        assert not any("Traceback" in line for line in lines), "".join(lines)
    finally:
        process.terminate()
        process.wait(timeout=30)


# --- 6. guide diff reads no data file over the limit -----------------------------------------------------------


def _git(root: Path, *argv: str) -> None:
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.jp", *argv], check=True, capture_output=True)


def test_diff_names_a_file_over_the_limit_in_a_revision_without_reading_it(minimal_copy, run_guide):
    _git(minimal_copy, "init", "-q")
    _git(minimal_copy, "add", "data")
    _git(minimal_copy, "commit", "-qm", "good")
    agencies = minimal_copy / "data" / "agencies.yaml"
    good = agencies.read_bytes()
    with open(agencies, "wb") as zeros:  # a file of zeros just over the limit, made without writing them
        zeros.truncate(MAX_FILE_BYTES + 1)
    _git(minimal_copy, "commit", "-qam", "a huge file")
    agencies.write_bytes(good)

    run = run_guide("diff", "HEAD", "--root", minimal_copy, "--lang", "en", "--today", TODAY)
    assert run.code == 1 and "Traceback" not in run.err
    assert run.err.splitlines()[1:] == [
        "  data/agencies.yaml:1:1: the file is too large (16.0 MB; the limit is 16 MB: split it or remove what is not needed)"]


def test_diff_still_compares_revisions_whose_files_are_within_the_limit(minimal_copy, run_guide):
    _git(minimal_copy, "init", "-q")
    _git(minimal_copy, "add", "data")
    _git(minimal_copy, "commit", "-qm", "good")
    agencies = minimal_copy / "data" / "agencies.yaml"
    agencies.write_text(agencies.read_text(encoding="utf-8").replace('"086-900-0001"', '"086-900-0009"'), encoding="utf-8")
    run = run_guide("diff", "HEAD", "--root", minimal_copy, "--lang", "en", "--today", TODAY)
    assert run.code == 0 and "086-900-0001 → 086-900-0009" in run.out


# --- 7. guide new: language codes that are codes, and never inside what a build replaces -------------------------

CITY = ["--city", "架空市", "--prefecture", "架空県", "--phone", "0869-00-1000", "--web", "https://city.example.jp/", "--code", "999997"]


@pytest.mark.parametrize("code", ["../../x", "en/../../x", "/tmp/x", "xx", "e n", "ja;en", "e\x1bn", ".."])
def test_new_refuses_a_language_that_is_not_a_code_and_writes_nothing(tmp_path, run_guide, code):
    target = tmp_path / "a" / "b" / "guide"
    run = run_guide("new", target, *CITY, "--languages", f"ja,{code}", "--lang", "en")
    assert run.code == 2
    shown = code.strip().replace("\x1b", "[U+001B]")  # no escape code reaches the terminal
    assert run.err.splitlines() == [f"guide new: '{shown}' is not a language code (use codes such as ja or en)"]
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == []


@pytest.mark.parametrize("inside", ["site/x", "site", "build/x", "build/preview/y", "site.old/x"])
def test_new_refuses_a_folder_that_a_build_of_the_guide_around_it_replaces(tmp_path, run_guide, inside):
    guide = copy_guide(tmp_path / "guide")
    run = run_guide("new", guide / inside, *CITY, "--lang", "en")
    assert run.code == 2
    folder = inside.split("/")[0]
    assert run.err.splitlines() == [f"guide new: {guide / inside} is inside {folder}/ of the guide in {guide.resolve()}, "
                                    "which its next build replaces or empties (choose a folder outside it)"]
    assert not (guide / inside).exists()


# --- 8. the build says truly whether site/ changed ---------------------------------------------------------------


@pytest.mark.slow
def test_the_build_says_site_is_unchanged_only_when_it_is(tmp_path, run_guide):
    root = copy_guide(tmp_path / "guide")

    def build() -> list[str]:
        run = run_guide("build", "--root", root, "--lang", "en", "--today", TODAY, "--skip-handouts")
        assert run.code == 0, run.err
        return run.err.splitlines()

    first = build()
    assert not any("site/ is unchanged" in line or "site/ changed" in line for line in first)  # there was none before
    assert "site/ is unchanged: this build made the same files as the last one" in build()

    # A search keyword is on no page: only the finder index (and the open data) change.
    finder_before = (root / "site" / "assets" / "guide" / "finder-index.json").read_bytes()
    agencies = root / "data" / "agencies.yaml"
    agencies.write_text(agencies.read_text(encoding="utf-8").replace("[よろず相談]", "[よろず相談, 架空の困りごと]"), encoding="utf-8")
    said = build()
    changed = next(line for line in said if line.startswith("site/ changed: "))
    pages, files = map(int, re.fullmatch(r"site/ changed: (\d+) pages and (\d+) other files \(added, changed or taken out\)", changed).groups())
    assert pages == 0 and files >= 2  # the finder index of each edition
    assert (root / "site" / "assets" / "guide" / "finder-index.json").read_bytes() != finder_before
    assert not any("unchanged" in line for line in said)


@pytest.mark.slow
def test_a_clean_build_counts_the_pages_that_changed_and_only_those(tmp_path, run_guide):
    """A page made again of the same Markdown in the same frame is taken as the same unread: the count
    must still see a record's edit, and a change of the frame (the theme) on every page."""
    root = copy_guide(tmp_path / "guide")

    def built() -> list[str]:
        run = run_guide("build", "--root", root, "--lang", "en", "--today", TODAY, "--skip-handouts", "--clean")
        assert run.code == 0, run.err
        return run.err.splitlines()

    def changed_pages() -> int:
        said = built()
        line = next(line for line in said if line.startswith("site/ changed: "))
        return int(re.match(r"site/ changed: (\d+) pages", line).group(1))

    built()
    assert "site/ is unchanged: this build made the same files as the last one" in built()
    agencies = root / "data" / "agencies.yaml"
    agency = yaml.safe_load(agencies.read_text(encoding="utf-8"))["agencies"][0]
    agencies.write_text(agencies.read_text(encoding="utf-8").replace(agency["name"]["ja"], agency["name"]["ja"] + "（架空の改名）", 1), encoding="utf-8")
    renamed = changed_pages()
    pages = sorted(p.relative_to(root / "site").as_posix() for p in (root / "site").rglob("*.html"))
    with_new_name = [p for p in pages if "（架空の改名）" in (root / "site" / p).read_text(encoding="utf-8")]
    assert len(with_new_name) <= renamed < len(pages)  # its pages (and their neighbours in a list), not every page
    main_html = root / "overrides" / "main.html"
    main_html.write_text(main_html.read_text(encoding="utf-8").replace("{% block header %}", "{% block header %}<!-- the frame changed -->", 1), encoding="utf-8")
    framed = changed_pages()
    assert framed == sum("<!-- the frame changed -->" in p.read_text(encoding="utf-8") for p in (root / "site").rglob("*.html")) > renamed


@pytest.mark.slow
def test_a_build_that_cannot_note_what_site_was_made_from_still_says_it_built_it(tmp_path, run_guide, monkeypatch):
    from guide import build as build_module

    def unwritable(*args):
        raise PermissionError(13, "Permission denied", "build/last-build.json")

    root = copy_guide(tmp_path / "guide")
    monkeypatch.setattr(build_module, "_remember_build", unwritable)
    run = run_guide("build", "--root", root, "--lang", "en", "--today", TODAY, "--skip-handouts")
    assert run.code == 0 and "site/ was not changed" not in run.err, run.err
    assert (root / "site" / "index.html").is_file()
    monkeypatch.undo()
    again = run_guide("build", "--root", root, "--lang", "en", "--today", TODAY, "--skip-handouts")
    assert "pages made again" not in again.err  # with no note, every page is made again
