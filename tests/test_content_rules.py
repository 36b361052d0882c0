"""content/ is as untrusted as data/ (issue 24): what a hand-written page and the folder may hold.

MkDocs and Material print a page's front matter without escaping, take `template:` as a theme
template, pass raw HTML through and copy every other file into the site.  Each probe of the
review is a class of payloads here, refused by `guide check` (and `guide build`) at
file:line:column, or built inert; and what is allowed is printed escaped exactly once.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from guide.content import content_problems

from conftest import FIXTURES, REPO, STAFF_NAME, TODAY, copy_guide, plant_staff_only_facts
from hostile_content import DESCRIPTION_ESCAPED_ONCE, build_hostile_but_allowed


def probe_page(root: Path, body: str) -> None:
    """A page whose Markdown starts on line 5, after three lines of front matter and a blank one."""
    (root / "content" / "en" / "probe.md").write_text(f"---\ntitle: Probe\n---\n\n{body}\n", encoding="utf-8")


def front_matter_page(root: Path, front: str) -> None:
    (root / "content" / "en" / "probe.md").write_text(f"---\n{front}---\n\nBody.\n", encoding="utf-8")


@pytest.fixture
def guide(tmp_path) -> Path:
    return copy_guide(tmp_path / "guide")


@pytest.fixture
def check(run_guide):
    """`guide check` in English on a guide: exit code and problem lines."""

    def run(root: Path):
        return run_guide("check", "--root", root, "--lang", "en", "--today", TODAY)

    return run


def assert_refused(run, *expected: str) -> None:
    assert run.code == 1, run.err
    for line in expected:
        assert any(problem.startswith(line) for problem in run.problem_lines), f"{line!r} not in\n{run.err}"


# --- the front matter: a real YAML reader, an allow-list of keys, one line of plain text ----

NOT_A_TITLE = "which site titles, descriptions, language names and page titles cannot hold"


@pytest.mark.parametrize(
    ("front", "where", "chars"),
    [
        ("title: <script>x</script>\n", "2:8", "<>"),
        ("title: |-\n  <script>x</script>\n", "2:8", "<>"),  # a block scalar
        ('title: "\\x3cscript\\x3e"\n', "2:8", "<>"),  # escapes in a double-quoted string
        ('"title": "<b>x</b>"\n', "2:10", "<>"),  # a quoted key
        ('{title: "<b>x</b>"}\n', "2:9", "<>"),  # a flow mapping
        ("title: 'a \"quoted\" word'\n", "2:8", '"'),
        ("title: Tom &amp; Jerry\n", "2:8", "&"),
    ],
)
def test_markup_in_the_title_is_refused_however_the_yaml_is_written(guide, check, front, where, chars):
    front_matter_page(guide, front)
    assert_refused(check(guide), f"content/en/probe.md:{where}: ")
    assert f"contains {chars}, {NOT_A_TITLE}" in check(guide).err


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ("# <b>Bold</b> title", "1:3"),
        ("# Tom &amp; Jerry", "1:3"),
        ("# \\<script\\>", "1:3"),  # escaped for Markdown, still < > in the title MkDocs takes
        ("<b>Bold</b> title\n=================", "1:1"),  # a setext heading
        ("---\nin_nav: false\n---\n\n# <i>x</i>", "5:3"),  # front matter without a title
    ],
)
def test_the_first_heading_mkdocs_takes_as_title_follows_the_title_rule(guide, check, body, where):
    (guide / "content" / "en" / "probe.md").write_text(body + "\n\nText.\n", encoding="utf-8")
    run = check(guide)
    assert_refused(run, f"content/en/probe.md:{where}: ")
    assert NOT_A_TITLE in run.err


def test_a_later_heading_is_not_the_title(guide, check):
    # MkDocs takes a heading as title only when it is the page's first element.
    (guide / "content" / "en" / "probe.md").write_text("Intro.\n\n# Later <b>bold</b> heading\n", encoding="utf-8")
    assert check(guide).code == 0


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ('template: redirect.html\nlocation: "javascript:alert(1)"\n',
         ["2:1: 'template' cannot be set in a page's front matter (allowed: title, description, in_nav)",
          "3:1: 'location' cannot be set"]),
        ("template: redirect.html\nlocation: https://evil.example/\n", ["2:1: 'template' cannot be set", "3:1: 'location' cannot be set"]),
        ("template: main.html\n", ["2:1: 'template' cannot be set"]),
        ("author: '\"><script>alert(1)</script>'\n", ["2:1: 'author' cannot be set"]),
        ("hide: [navigation, toc]\n", ["2:1: 'hide' cannot be set"]),
        ("Title: Probe\n", ["2:1: 'Title' cannot be set"]),
    ],
)
def test_only_the_allowed_keys_may_be_set(guide, check, front, expected):
    front_matter_page(guide, front)
    assert_refused(check(guide), *(f"content/en/probe.md:{line}" for line in expected))


# Each allowed key is one line of plain text within its limit.
FRONT_MATTER_VALUES = [
    ("description: |\n  two\n  lines\n", "2:14: 'description' must be one line of plain text"),
    ('description: "a\\ttab"\n', "2:14: 'description' must be one line of plain text"),
    ('title: "a\\u2028line separator"\n', "2:8: 'title' must be one line of plain text"),
    ("description: " + "x" * 301 + "\n", "2:14: the value is too long (301 characters; the limit is 300"),
    ("title: " + "x" * 101 + "\n", "2:8: the value is too long (101 characters; the limit is 100"),
    ('title: ""\n', "2:8: must not be empty"),
    ("title: [a, b]\n", "2:8: expected text, got […]"),
    ("in_nav: no\n", "2:9: expected true or false, got no"),  # YAML 1.2: `no` is text
    ("- title: x\n", "2:1: the front matter between the --- lines is not a list of 'key: value' lines"),
    ('title: "unclosed\n', "3:1: YAML syntax error"),
    ("title: A\ntitle: B\n", "3:1: key 'title' appears twice"),
    ("title: a\u202eb\n", "2:8: the text contains bidirectional control characters"),
]


# --- the Markdown: only plain HTML, only safe addresses ----------------------------------------

TAG = "cannot be used in a page (write it in Markdown"
ATTRIBUTE = "cannot be used in a page (remove it: event handlers"
ADDRESS = "cannot be used in a page (link to a page of the guide"


# Markup that can run, load or redirect: elements, attributes (raw or from attr_list), addresses, ids, comments.
MARKUP = [
    ("<script>alert(1)</script>", f"5:1: <script> {TAG}"),
    ('Text <SCRIPT SRC="x.js"></SCRIPT>', f"5:6: <script> {TAG}"),
    ('<iframe src="https://evil.example/"></iframe>', f"5:1: <iframe> {TAG}"),
    ('<object data="x.swf"></object>', f"5:1: <object> {TAG}"),
    ('<embed src="x.swf">', f"5:1: <embed> {TAG}"),
    ('<base href="https://evil.example/">', f"5:1: <base> {TAG}"),
    ('<form action="https://evil.example/"><input name="q"></form>', f"5:1: <form> {TAG}"),
    ("<style>body { display: none }</style>", f"5:1: <style> {TAG}"),
    ('<meta http-equiv="refresh" content="0; url=https://evil.example/">', f"5:1: <meta> {TAG}"),
    ('<link rel="stylesheet" href="https://evil.example/x.css">', f"5:1: <link> {TAG}"),
    ('<svg onload="alert(1)"></svg>', f"5:1: <svg> {TAG}"),
    ('A <span onclick="alert(1)">word</span>', f"5:9: the attribute onclick {ATTRIBUTE}"),
    ('<img src="x.png" onerror="alert(1)">', f"5:18: the attribute onerror {ATTRIBUTE}"),
    ("<p ONMOUSEOVER=alert(1)>x</p>", f"5:4: the attribute onmouseover {ATTRIBUTE}"),
    ('<span style="color: red">x</span>', f"5:7: the attribute style {ATTRIBUTE}"),
    ('## Heading {onclick="alert(1)"}', f"5:13: the attribute onclick {ATTRIBUTE}"),  # attr_list
    ('[x](about.md){: href="javascript:alert(1)" }', f"5:23: the address 'javascript:alert(1)' {ADDRESS}"),  # attr_list over a link
    ("[x](javascript:alert(1))", f"5:5: the address 'javascript:alert(1)' {ADDRESS}"),
    ("[x](JaVaScRiPt:alert(1))", f"5:5: the address 'JaVaScRiPt:alert(1)' {ADDRESS}"),
    ('<a href="java&#x09;script&colon;alert(1)">x</a>', "5:4: the address 'java[U+0009]script:alert(1)'"),
    ("[x][evil]\n\n[evil]: vbscript:msgbox(1)", f"7:9: the address 'vbscript:msgbox(1)' {ADDRESS}"),
    ("![x](data:image/png;base64,AAAA)", f"5:6: the address 'data:image/png;base64,AAAA' {ADDRESS}"),
    ("![x](https://example.com/a.png)", f"5:6: the address 'https://example.com/a.png' {ADDRESS}"),
    ("[x](//evil.example/)", f"5:5: the address '//evil.example/' {ADDRESS}"),
    ('[x](https://example.jp/"onmouseover="alert(1))', "5:5: the address 'https://example.jp/\"onmouseover=\"alert(1'"),
    ('<span id="__md_scope">x</span>', "5:11: the id '__md_scope' cannot be used in a page"),
    ("## Help {#guide-main}", "5:11: the id 'guide-main' cannot be used in a page"),
    ("<!--><script>alert(1)</script>-->", "5:1: '<!--><script>alert(1)</script>-->' cannot be used in a page"),
    ("<?php echo 1; ?>", "5:1: '<?php echo 1; ?>' cannot be used in a page"),
]


@pytest.mark.parametrize(
    ("write", "text", "expected"),
    [(front_matter_page, *case) for case in FRONT_MATTER_VALUES] + [(probe_page, *case) for case in MARKUP],
)
def test_a_page_that_breaks_a_rule_is_refused_where_it_is_written(guide, check, write, text, expected):
    write(guide, text)
    assert_refused(check(guide), f"content/en/probe.md:{expected}")


def test_the_place_given_is_the_markup_not_the_same_text_in_code(guide, check):
    probe_page(guide, "`<script>` is how it is written:\n\n```html\n<script>x</script>\n```\n\nbut here <script>alert(1)</script>")
    run = check(guide)
    assert run.problem_lines == [f"content/en/probe.md:11:10: <script> {TAG}; the HTML a page may hold is plain formatting such as <span>, <br> or <details>)"]


def test_plain_html_links_and_code_are_fine(guide, check):
    probe_page(guide, """Plain **Markdown** with <span class="note">a span</span>, a line<br>break, <kbd>Ctrl</kbd>,
a [link](https://example.jp/a?b=c#d), [mail](mailto:info@example.jp), [call](tel:012-345-6789),
[a page](about.md) and [a section](#part).

<details><summary>More</summary>Hidden text.</details>

## Part {#part .wide}

`<script>alert(1)</script>` in code is text, as is:

```html
<script>alert(1)</script>
```

<!-- a note for editors -->

| a | b |
| --- | --- |
| 1 | 2 |""")
    run = check(guide)
    assert run.code == 0, run.err


def test_a_page_that_is_not_utf8_is_a_located_error(guide, check):
    (guide / "content" / "en" / "probe.md").write_bytes("---\ntitle: Probe\n---\n\nCaf\u00e9 ".encode() + b"\xff\n")
    assert_refused(check(guide), "content/en/probe.md:5:6: this is not valid UTF-8")  # after the five characters of "Café "


@pytest.mark.parametrize("name", ["en/long.md", "en/long.svg"])
def test_a_page_or_svg_over_the_size_limit_is_not_read(guide, check, name):
    # Python-Markdown is slow on some long runs of brackets or backticks: a page is bounded like a data file.
    (guide / "content" / name).write_text("[" * (600 * 1024), encoding="utf-8")
    assert_refused(check(guide), f"content/{name}:1:1: the file is too large (0.6 MB; the limit is 0.5 MB")


def test_what_the_markdown_extensions_make_is_not_refused(guide, check):
    # A guide may list more extensions in mkdocs.yml: a permalink, footnotes and admonitions are plain HTML too.
    config = yaml.safe_load((guide / "mkdocs.yml").read_text(encoding="utf-8"))
    config["markdown_extensions"] = [
        "abbr", "admonition", "attr_list", "def_list", "footnotes", "md_in_html", "sane_lists", "smarty", "tables",
        {"toc": {"permalink": True}}, "pymdownx.caret", "pymdownx.details", "pymdownx.mark", "pymdownx.tilde",
    ]
    (guide / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    (guide / "content" / "en" / "probe.md").write_text("""# A title[^1]

An *HTML* abbr, "smart" quotes -- dashes, ^^inserted^^ ~~deleted~~ ==marked== H~2~O.

*[HTML]: Hyper Text Markup Language

!!! note "A note"
    Inside.

??? tip "Open me"
    Hidden.

Term
:   Definition

<div markdown>
**bold** inside
</div>

[^1]: The footnote.
""", encoding="utf-8")
    run = check(guide)
    assert run.code == 0, run.err


# --- files: Markdown and pictures only ---------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
SVG_OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
NOT_HERE = "this kind of file cannot be in content/: only Markdown pages and pictures (.md, .png, .jpg, .jpeg, .gif, .webp, .avif, .svg)"


# page.MD and page.markdown too: MkDocs renders only .md pages, and would publish these as they are.
NOT_PAGES_OR_PICTURES = ["en/app.js", "ja/page.html", "en/page.htm", "en/extra.css", "en/notes.txt", "en/.htaccess", "top.js",
                         "en/page.MD", "en/page.markdown"]


@pytest.mark.parametrize("name", NOT_PAGES_OR_PICTURES)
def test_files_that_are_not_pages_or_pictures_are_refused(guide, check, name):
    (guide / "content" / name).write_text("alert(document.domain)\n", encoding="utf-8")
    assert_refused(check(guide), f"content/{name}:1:1: {NOT_HERE}")


@pytest.mark.parametrize(("name", "data"), [("en/x.png", b"<script>alert(1)</script>"), ("en/x.jpg", PNG), ("en/x.gif", b"")])
def test_a_picture_must_be_what_its_name_says(guide, check, name, data):
    (guide / "content" / name).write_bytes(data)
    assert_refused(check(guide), f"content/{name}:1:1: the file is not a {Path(name).suffix} picture, though its name says so")


@pytest.mark.parametrize(
    ("svg", "expected"),
    [
        (SVG_OPEN + "<script>alert(1)</script>\n</svg>", "2:1: the SVG picture contains <script>"),
        (SVG_OPEN + '<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">x</p></foreignObject>\n</svg>',
         "2:1: the SVG picture contains <foreignObject>"),
        (SVG_OPEN.replace(">", ' onload="alert(1)">', 1) + "</svg>", "1:1: the SVG picture has the attribute onload"),
        (SVG_OPEN + '<rect width="1" height="1" onmouseover="alert(1)"/>\n</svg>', "2:1: the SVG picture has the attribute onmouseover"),
        (SVG_OPEN + '<image href="https://evil.example/x.png"/>\n</svg>', "2:1: the SVG picture refers to something outside itself ('https://evil.example/x.png')"),
        (SVG_OPEN + '<a xlink:href="javascript:alert(1)"><text>x</text></a>\n</svg>', "2:1: the SVG picture refers to something outside itself ('javascript:alert(1)')"),
        (SVG_OPEN + '<use href="other.svg#a"/>\n</svg>', "2:1: the SVG picture refers to something outside itself"),
        (SVG_OPEN + '<a href="#x"><animate attributeName="href" to="javascript:alert(1)"/></a>\n</svg>', "2:14: the SVG picture refers to something outside itself ('href')"),
        (SVG_OPEN + "<style>@import url(https://evil.example/x.css);</style>\n</svg>", "2:8: the SVG picture refers to something outside itself"),
        (SVG_OPEN + '<rect style="fill: url(https://evil.example/x)"/>\n</svg>', "2:1: the SVG picture refers to something outside itself"),
        ('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n' + SVG_OPEN + "<text>&b;</text></svg>",
         "2:15: the SVG picture has a DOCTYPE or entity declarations"),  # where its declarations begin
        (SVG_OPEN + "<rect>\n</svg>", "3:3: the SVG picture is not well-formed XML (mismatched tag)"),
    ],
)
def test_an_svg_that_could_run_or_load_something_is_refused(guide, check, svg, expected):
    (guide / "content" / "en" / "picture.svg").write_text(svg, encoding="utf-8")
    assert_refused(check(guide), f"content/en/picture.svg:{expected}")


def test_pictures_of_the_allowed_types_are_fine(guide, check):
    pictures = {
        "a.png": PNG, "b.PNG": PNG, "c.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF", "d.jpeg": b"\xff\xd8\xff\xdb", "e.gif": b"GIF89a\x01\x00",
        "f.webp": b"RIFF\x24\x00\x00\x00WEBPVP8 ", "g.avif": b"\x00\x00\x00\x1cftypavif\x00\x00",
        "h.svg": (SVG_OPEN + '<defs><linearGradient id="g"/></defs><a href="#g"><rect width="1" height="1" fill="url(#g)"/></a>\n</svg>').encode(),
    }
    for name, data in pictures.items():
        (guide / "content" / "en" / name).write_bytes(data)
    assert check(guide).code == 0, check(guide).err


# --- hard links: a second name for a file, anywhere in the inputs ----------------------------


@pytest.mark.parametrize("second_name", ["content/en/staff.md", "content/ja/staff.png", "overrides/assets/staff.txt", "locale/fr.po",
                                         "data/copy.yaml", "data/sources.yaml"])
def test_a_hard_link_is_refused_and_nothing_is_published(guide, check, run_guide, second_name):
    plant_staff_only_facts(guide)
    (guide / second_name).unlink(missing_ok=True)  # data/sources.yaml: a data file that is the private one (never read, so never quoted)
    os.link(guide / "data" / "private.yaml", guide / second_name)
    run = check(guide)
    assert_refused(run, "data/private.yaml:1:1: this file is a hard link")
    assert [line for line in run.problem_lines if line.startswith(f"{second_name}:")] == [  # and nothing else: it was not read
        f"{second_name}:1:1: this file is a hard link: it shares its contents with another file (perhaps data/private.yaml), "
        "which would be read or published with it (replace it with a copy of the file)"]
    assert STAFF_NAME not in run.err
    build = run_guide("build", "--root", guide, "--skip-handouts", "--today", TODAY)
    assert build.code == 1 and not (guide / "site").exists()
    assert not any(STAFF_NAME.encode() in p.read_bytes() for p in (guide / "build").rglob("*") if p.is_file())


# --- guide build refuses what guide check refuses ------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("en/app.js", "alert(1)\n", f"content/en/app.js:1:1: {NOT_HERE}"),
        ("en/probe.md", '---\ntemplate: redirect.html\nlocation: "javascript:alert(1)"\n---\n\nx\n', "content/en/probe.md:2:1: 'template' cannot be set"),
        ("en/probe.md", "---\ntitle: |-\n  <script>x</script>\n---\n\nx\n", "content/en/probe.md:2:8: '<script>x</script>' contains <>"),
        ("ja/probe.md", '<meta http-equiv="refresh" content="0; url=https://evil.example/">\n', f"content/ja/probe.md:1:1: <meta> {TAG}"),
        ("ja/picture.svg", SVG_OPEN + "<script>alert(1)</script></svg>", "content/ja/picture.svg:2:1: the SVG picture contains <script>"),
    ],
)
def test_the_build_refuses_what_the_check_refuses(guide, run_guide, name, text, expected):
    (guide / "content" / name).write_text(text, encoding="utf-8")
    run = run_guide("build", "--root", guide, "--lang", "en", "--skip-handouts", "--today", TODAY)
    assert run.code == 1 and not (guide / "site").exists()
    assert expected in run.err and "Traceback" not in run.err


# --- what is allowed is built inert, escaped exactly once --------------------------------------

@pytest.fixture(scope="module")
def hostile_but_allowed(tmp_path_factory) -> Path:
    return build_hostile_but_allowed(tmp_path_factory.mktemp("allowed"))


@pytest.mark.parametrize(("edition", "title"), [("", "このガイドについて"), ("en/", "About this guide")])
def test_a_description_with_markup_characters_is_printed_escaped_once(hostile_but_allowed, edition, title):
    html = (hostile_but_allowed / "site" / edition / "about" / "index.html").read_text(encoding="utf-8")
    assert f'<meta name="description" content="{DESCRIPTION_ESCAPED_ONCE}">' in html
    assert "&amp;quot;" not in html and "&amp;lt;" not in html
    assert f"<title>{title}&#x27;s test - " in html


def test_multimarkdown_style_lines_are_text_not_a_template(hostile_but_allowed):
    html = (hostile_but_allowed / "site" / "en" / "plain" / "index.html").read_text(encoding="utf-8")
    head = html[: html.index("</head>")]
    assert "evil.example" not in head and 'http-equiv="refresh"' not in head and 'name="author"' not in head
    assert "template: redirect.html" in html[html.index("<article"):]  # shown as the page's text


def test_the_policy_is_the_first_element_of_every_head(hostile_but_allowed):
    """Every HTML file, the slip's entry files too (their policy is default-src 'none' alone: they run and load nothing)."""
    pages = list((hostile_but_allowed / "site").rglob("*.html"))
    assert len(pages) > 40 and any("/slip/entries/" in page.as_posix() for page in pages)
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert re.search(r"<head>\s*<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'[;\"]", html), page


def test_the_host_headers_carry_the_same_policy_with_frame_ancestors(hostile_but_allowed):
    headers = (hostile_but_allowed / "site" / "_headers").read_text(encoding="utf-8").splitlines()
    page = (hostile_but_allowed / "site" / "index.html").read_text(encoding="utf-8")
    policy = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', page)[1]
    assert "script-src 'self'" in policy and "unsafe" not in policy
    assert [line for line in headers if not line.startswith("#")] == [
        "/*",
        f"  Content-Security-Policy: {policy}; frame-ancestors 'none'",
        "  X-Content-Type-Options: nosniff",
        "  Referrer-Policy: strict-origin-when-cross-origin",
    ]


def test_the_policy_is_written_in_one_place():
    # The generator's (scripts/guide/build.py), not a setting a guide's mkdocs.yml could loosen.
    places = [p for p in [REPO / "mkdocs.yml", *(REPO / "scripts").rglob("*.py"), *(REPO / "overrides").rglob("*.html")]
              if "script-src 'self'; style-src" in p.read_text(encoding="utf-8")]
    assert places == [REPO / "scripts" / "guide" / "build.py"]


def test_mkdocs_on_its_own_gets_a_policy_that_allows_nothing(hostile_but_allowed, tmp_path):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    build(load_config(config_file=str(hostile_but_allowed / "mkdocs.yml"), site_dir=str(tmp_path / "site")))
    html = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert re.search(r"<head>\s*<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">", html)


# --- the guides that ship pass ------------------------------------------------------------------


@pytest.mark.parametrize("guide_root", [REPO, *sorted(p for p in FIXTURES.iterdir() if (p / "content").is_dir())], ids=lambda p: p.name)
def test_the_shipped_content_and_the_fixture_guides_pass(guide_root):
    assert content_problems(guide_root) == []


@pytest.mark.parametrize("extension", ["this", "nosuch_ext"])
def test_an_extension_mkdocs_yml_may_not_list_is_never_imported_to_check_the_pages(tmp_path, run_guide, extension):
    """The pages are rendered to be checked as MkDocs would, but only with extensions the guide allows:
    `this` would run the module's code (it prints the Zen of Python), `nosuch_ext` would be a traceback."""
    root = copy_guide(tmp_path / "guide")
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("markdown_extensions:\n", f"markdown_extensions:\n  - {extension}\n"), encoding="utf-8")
    result = run_guide("check", "--root", root, "--lang", "en", "--today", TODAY)
    assert result.code == 1 and "Traceback" not in result.err
    assert f"the Markdown extension '{extension}' is not one the guide allows" in result.err
    assert "Beautiful is better than ugly" not in result.out + result.err
