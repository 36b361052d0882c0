"""Printed handouts: A4 PDFs in the BIZ UD font, one page per concern (also in large print), QR codes
that lead back to the page, staff-only values only on the staff sheet, and loud errors instead of
empty boxes when the font or a character is missing.

The minimal fixture guide (two area levels, hubs, two languages) is printed once per session
(both editions and the staff sheet); the guide in data/ is printed by tests/test_guide.py.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from conftest import STAFF_EXTENSION, STAFF_NAME, TODAY, copy_guide, plant_staff_only_facts
from guide.cli import main as guide_command
from guide import queries
from guide.handouts.press import Press
from guide.handouts.sheets import AREA_LEVELS
from guide.fontguard import FontGuard, HandoutError, printed_text
from guide.handouts import (
    register,
    render_handouts,
    staff_sheet_path,
)
from guide.load import load_guide
from pypdf import PdfReader

pytestmark = pytest.mark.slow  # every test here builds a site, a preview or handouts

SITE = "https://guide.example.jp/"
DAY = date.fromisoformat(TODAY)
A4 = (595.28, 841.89)
SUBSET_BIZUD = re.compile(r"^/[A-Z]{6}\+BIZ-?UDP?Gothic(-Bold)?$")
LARGE_BOTTOM_MARGIN_PT = 47 * 72 / 25.4  # templates/handouts/handouts.css, @page large: the footer lives below it
INSTALL = "apt-get install fonts-morisawa-bizud-gothic"


@dataclass
class Printed:
    root: Path
    guide: object
    ja: list[Path]
    en: list[Path]
    staff: Path
    seconds: float
    warnings: list[str]

    def pdf(self, name: str, lang: str = "ja") -> Path:
        return self.root / "handouts" / ("en/" if lang == "en" else "") / name


class _Warnings(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@pytest.fixture(scope="session")
def printed(tmp_path_factory) -> Printed:
    """Every handout of both editions of the minimal fixture, and the staff sheet, printed in one process."""
    root = plant_staff_only_facts(copy_guide(tmp_path_factory.mktemp("guide")))
    loaded = load_guide(root, today=DAY, with_private=True)
    assert loaded.guide is not None and loaded.private is not None
    collect = _Warnings()
    logging.getLogger("weasyprint").addHandler(collect)
    try:
        started = time.perf_counter()
        ja = render_handouts(root, loaded.guide, "ja", root / "handouts", today=DAY, site_url=SITE, staff=loaded.private)
        en = render_handouts(root, loaded.guide, "en", root / "handouts" / "en", today=DAY, site_url=SITE + "en/")
        seconds = time.perf_counter() - started
    finally:
        logging.getLogger("weasyprint").removeHandler(collect)
    print(f"\nhandouts: {len(ja) + len(en)} PDFs in {seconds:.1f} s")
    return Printed(root, loaded.guide, ja, en, staff_sheet_path(root, "ja"), seconds, collect.messages)


def text_of(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def public_pdfs(printed: Printed) -> list[Path]:
    return [p for p in printed.ja + printed.en if p != printed.staff]


# --- what is printed ----------------------------------------------------------------


def test_every_handout_of_both_editions_is_printed(printed):
    guide = printed.guide
    expected = {"agency-list.pdf"}
    expected |= {f"category-{c.id}{suffix}.pdf" for c in guide.taxonomy.categories for suffix in ("", "-large")}
    expected |= {f"area-{a.id}{suffix}.pdf" for a in guide.areas.leaves() for suffix in ("", "-large")}
    expected |= {f"program-{p.id}.pdf" for p in guide.programs}
    for lang in ("ja", "en"):
        folder = printed.pdf("", lang)
        assert {p.name for p in folder.glob("*.pdf")} == expected, lang
    assert printed.ja[-1] == printed.staff  # the staff sheet is last, and not among the public files
    assert printed.staff == printed.root / "staff" / "ja" / "agency-list-staff.pdf"
    assert not list((printed.root / "handouts").rglob("*staff*"))
    assert not list((printed.root / "handouts").rglob("*.part"))
    assert printed.warnings == [], printed.warnings  # the stylesheet and the fonts are clean


def test_every_page_is_a4(printed):
    for pdf in printed.ja + printed.en:
        for page in PdfReader(pdf).pages:
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            assert abs(width - A4[0]) <= 1 and abs(height - A4[1]) <= 1, (pdf.name, width, height)


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("suffix", ["", "-large"])
def test_each_concern_is_exactly_one_page(printed, lang, suffix):
    for category in printed.guide.taxonomy.categories:
        pdf = printed.pdf(f"category-{category.id}{suffix}.pdf", lang)
        assert len(PdfReader(pdf).pages) == 1, pdf


def test_program_flyers_are_one_page(printed):
    for program in printed.guide.programs:
        assert len(PdfReader(printed.pdf(f"program-{program.id}.pdf")).pages) == 1, program.id


def test_agency_list_is_a_few_pages_of_every_agency(printed):
    pdf = printed.pdf("agency-list.pdf")
    pages = len(PdfReader(pdf).pages)
    assert 1 <= pages <= 6, pages
    text = flat(text_of(pdf))
    for agency in printed.guide.agencies:
        assert flat(agency.name.get("ja")) in text, agency.id
    for category in printed.guide.taxonomy.categories:
        assert flat(category.name.get("ja")) in text
    assert "◎1" in text and "086-900-0001" in text  # the fixture's own hub mark


def test_only_the_bizud_font_is_embedded_and_always_as_a_subset(printed):
    for pdf in printed.ja + printed.en:
        for page in PdfReader(pdf).pages:
            fonts = page["/Resources"]["/Font"]
            assert fonts, pdf.name
            for font in fonts.values():
                font = font.get_object()
                assert SUBSET_BIZUD.match(font["/BaseFont"]), (pdf.name, font["/BaseFont"])
                for descendant in font.get("/DescendantFonts", []):
                    descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                    assert "/FontFile2" in descriptor, (pdf.name, font["/BaseFont"])  # embedded TrueType


def test_a_concern_names_its_hub_phone_and_dates(printed):
    text = text_of(printed.pdf("category-soudan.pdf"))
    assert "生活の困りごと" in text
    assert "架空相談センター" in text and "086-900-0001" in text  # the hub agency and its phone
    assert "◎迷ったときの相談先" in flat(text)  # the hub's mark and words, as the data declares them
    assert "最終確認" in text and "2026年10月1日" in text  # the last_verified of the sheet
    assert "2026年11月23日" in text  # the day it was printed
    assert "https://guide.example.jp/categories/soudan/" in text
    # each sheet prints the dates of its own entries: the debt counter was verified on 2026-11-20
    assert "2026年11月20日" in text_of(printed.pdf("category-debt.pdf"))


def test_unknown_facts_say_not_listed_and_a_missing_number_says_why(printed):
    # The agency for health: the documents give no phone, address or hours of its own.
    text = text_of(printed.pdf("category-health.pdf"))
    assert "架空健康窓口" in text and "記載なし" in text
    assert flat("市の資料に番号の記載がありません") in flat(text)  # never a bare "not listed" for a way to contact
    english = flat(text_of(printed.pdf("category-health.pdf", "en")))
    assert flat("Opening hours not listed") in english and flat("Phone the city’s documents give no number") in english


ANNEXED_COUNTER = """
  - id: example-annexed
    name: {ja: 架空の別紙の窓口}
    annex: {document: test-list-2026, section: 相談機関一覧 No.9}
    services:
      - id: only
        list_number: 9
        description: {ja: 架空の別紙の相談}
        categories: [soudan]
    source: [{document: test-list-2026, section: 例}]
    last_verified: 2026-09-15
"""


def test_the_list_of_all_agencies_says_why_a_number_is_missing_without_naming_the_counters_again(minimal_copy, tmp_path):
    # Its rows print every counter already: naming them again in the narrow phone column made a row a page tall.
    agencies = minimal_copy / "data" / "agencies.yaml"
    agencies.write_text(agencies.read_text(encoding="utf-8") + ANNEXED_COUNTER, encoding="utf-8")
    guide = load_guide(minimal_copy, today=DAY).guide
    render_handouts(minimal_copy, guide, "ja", tmp_path, today=DAY, site_url=SITE)
    way_on = flat("同じ分野で電話番号のわかる窓口")
    assert way_on in flat(text_of(tmp_path / "category-soudan.pdf"))  # the concern's own sheet names them
    listed = flat(text_of(tmp_path / "agency-list.pdf"))
    assert flat("架空の別紙の窓口") in listed and flat("番号は別紙に載っています") in listed
    assert way_on not in listed


def test_an_area_sheet_leaves_out_the_ways_on_first_then_one_detail_after_another():
    first, *shorter = AREA_LEVELS
    assert all(first.values())
    assert shorter[0] == {**first, "ways": False}
    for before, level in zip(AREA_LEVELS, shorter):
        assert set(level) == set(first) and all(before[key] or not shown for key, shown in level.items())
        assert sum(level.values()) == sum(before.values()) - 1


def test_the_verified_date_on_paper_is_labelled_as_the_documents_date(printed):
    # No record of the fixture was checked with its counter: the date is the documents'.
    text = flat(text_of(printed.pdf("category-health.pdf")))
    assert flat("最終確認日: 2026年9月15日 （資料の日付。窓口にはまだ確認していません）") in text


def test_english_edition_uses_english_texts_and_the_en_address(printed):
    text = text_of(printed.pdf("category-soudan.pdf", "en"))
    assert "Everyday troubles" in text and "Example Consultation Center" in text
    assert "086-900-0001" in text and "Last verified" in text
    assert "https://guide.example.jp/en/categories/soudan/" in text


def test_program_flyer_has_what_when_where_for_whom_cost_and_how_to_apply(printed):
    text = flat(text_of(printed.pdf("program-kakuu-taisou.pdf")))
    for words in ("架空いきいき体操", "日時", "場所", "対象", "費用", "申し込み方法", "テスト会館 1F ホール", "65歳以上の方", "無料", "当日、会場へお越しください"):
        assert flat(words) in text, words
    assert "https://guide.example.jp/programs/kakuu-taisou/" in text
    salon = flat(text_of(printed.pdf("program-kakuu-salon.pdf")))
    assert "記載なし" in salon  # no venue, cost or way to apply in the documents


@pytest.mark.parametrize(
    ("name", "lang", "url"),
    [
        ("category-soudan.pdf", "ja", SITE + "categories/soudan/"),
        ("category-health-large.pdf", "ja", SITE + "categories/health/"),
        ("area-higashi-1.pdf", "ja", SITE + "areas/higashi-1/"),
        ("program-kakuu-taisou.pdf", "ja", SITE + "programs/kakuu-taisou/"),
        ("category-soudan.pdf", "en", SITE + "en/categories/soudan/"),
    ],
)
def test_qr_code_leads_to_the_page(printed, tmp_path, name, lang, url):
    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(printed.pdf(name, lang)), str(tmp_path / "page")], check=True)
    image = next(tmp_path.glob("page*.png"))
    done = subprocess.run(["zbarimg", "-q", "--raw", str(image)], check=False, capture_output=True, text=True)
    assert done.stdout.strip() == url, (done.returncode, done.stdout, done.stderr)


# --- large print ------------------------------------------------------------------


def text_runs(pdf: Path) -> list[tuple[float, float, str]]:
    """(font size in pt, baseline height above the page's bottom edge, text) of every text run."""
    runs = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            # the text matrix times the current transformation matrix: WeasyPrint draws in CSS px
            a, b, c, d, e, f = tm
            A, B, C, D, E, F = cm
            m = (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)
            runs.append((size * (m[2] ** 2 + m[3] ** 2) ** 0.5, m[5], text.strip()))

    PdfReader(pdf).pages[0].extract_text(visitor_text=visit)
    return runs


def test_large_print_body_text_is_at_least_18pt(printed):
    for lang in ("ja", "en"):
        for category in printed.guide.taxonomy.categories:
            runs = text_runs(printed.pdf(f"category-{category.id}-large.pdf", lang))
            body = [(size, text) for size, y, text in runs if y > LARGE_BOTTOM_MARGIN_PT]
            assert len(body) >= 5, category.id
            small = [(round(size, 2), text) for size, text in body if size < 18 - 0.01]
            assert not small, (lang, category.id, small)
    runs = text_runs(printed.pdf("category-soudan-large.pdf"))
    assert any(text == "086-900-0001" and size >= 24 for size, _, text in runs)  # the hub's phone, bigger still
    # the normal print is smaller: the measurement does tell the two apart
    assert min(size for size, y, _ in text_runs(printed.pdf("category-soudan.pdf")) if y > LARGE_BOTTOM_MARGIN_PT) < 14


def test_large_print_uses_the_universal_design_font(printed):
    reader = PdfReader(printed.pdf("category-soudan-large.pdf"))
    names = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert names and all("BIZ-UDPGothic" in name or "BIZ-UDGothic" in name for name in names), names


# --- staff-only values ------------------------------------------------------------


def test_staff_sheet_has_extension_and_staff_name(printed):
    text = flat(text_of(printed.staff))  # a narrow column may wrap them
    assert STAFF_EXTENSION in text and STAFF_NAME in text
    assert "架空相談センター" in text


def test_staff_sheet_keeps_the_source_notes_that_residents_see_folded(printed):
    notes = [a.hours.note.get("ja") for a in printed.guide.agencies if a.hours and a.hours.note]
    assert notes
    staff, public = flat(text_of(printed.staff)), flat(text_of(printed.pdf("agency-list.pdf", "ja")))
    assert flat(notes[0]) in staff
    assert flat(notes[0]) not in public


def test_no_public_handout_contains_a_staff_only_value(printed):
    for pdf in public_pdfs(printed):
        text = flat(text_of(pdf))
        assert STAFF_EXTENSION not in text and STAFF_NAME not in text, pdf
        data = pdf.read_bytes()
        assert STAFF_EXTENSION.encode() not in data and STAFF_NAME.encode() not in data, pdf


def test_staff_sheet_is_never_written_under_site(printed, tmp_path):
    # staff/ linked into the published site/: the sheet would be published
    root = tmp_path / "guide"
    (root / "site").mkdir(parents=True)
    (root / "staff").symlink_to(root / "site", target_is_directory=True)
    private = load_guide(printed.root, today=DAY, with_private=True).private
    with pytest.raises(HandoutError, match="site"):
        render_handouts(root, printed.guide, "ja", tmp_path / "out", today=DAY, site_url=SITE, staff=private)
    assert not any((root / "site").rglob("*.pdf"))


# --- fail loudly: the font, a character, a missing glyph ----------------------------


def dejavu_only(tmp_path: Path) -> Path:
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        "  <dir>/usr/share/fonts/truetype/dejavu</dir>\n"
        f"  <cachedir>{tmp_path / 'fc-cache'}</cachedir>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return config


def test_missing_font_is_a_clear_error_in_process(minimal_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("FONTCONFIG_FILE", str(dejavu_only(tmp_path)))
    guide = load_guide(minimal_copy, today=DAY).guide
    with pytest.raises(HandoutError) as caught:
        render_handouts(minimal_copy, guide, "ja", tmp_path / "out", today=DAY, site_url=SITE)
    message = str(caught.value)
    assert "BIZ UDPGothic" in message and INSTALL in message and "DejaVu" in message
    assert "BIZ UDPGothic" in caught.value.in_language("ja") and "入っていません" in caught.value.in_language("ja")
    assert not (tmp_path / "out").exists()


def test_missing_font_on_the_command_line_exits_1_without_traceback(minimal_copy, tmp_path):
    env = {**os.environ, "FONTCONFIG_FILE": str(dejavu_only(tmp_path))}
    done = subprocess.run(
        [sys.executable, "-m", "guide.cli", "handouts", "--root", str(minimal_copy), "--today", TODAY, "--out", str(tmp_path / "out")],
        check=False, capture_output=True, text=True, env=env, timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert "BIZ UDPGothic" in done.stderr and INSTALL in done.stderr
    assert "Traceback" not in done.stderr
    assert not list((tmp_path / "out").rglob("*.pdf")) if (tmp_path / "out").exists() else True


@pytest.mark.parametrize(
    ("file", "old", "new", "char", "record"),
    [
        ("agencies.yaml", "ja: 架空相談センター", "ja: 𠮷野架空相談センター", "𠮷", 'agency "kakuu-soudan-center" → name.ja'),
        ("programs.yaml", "description: {ja: いすに座って", "description: {ja: 😀いすに座って", "😀", 'program "kakuu-taisou" → description.ja'),
    ],
)
def test_a_character_missing_from_the_font_is_named_with_its_record(minimal_copy, tmp_path, file, old, new, char, record):
    path = minimal_copy / "data" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    loaded = load_guide(minimal_copy, today=DAY)
    assert loaded.guide is not None, loaded.problems
    with pytest.raises(HandoutError) as caught:
        render_handouts(minimal_copy, loaded.guide, "ja", tmp_path / "out", today=DAY, site_url=SITE)
    message = str(caught.value)
    assert char in message and f"U+{ord(char):04X}" in message
    assert record in message and f"data/{file}" in message
    assert INSTALL in message
    assert not list((tmp_path / "out").glob("*.pdf")) if (tmp_path / "out").exists() else True  # nothing half printed


def test_a_notdef_glyph_from_weasyprint_is_an_error(tmp_path):
    # A character no installed font has: WeasyPrint logs ".notdef glyph rendered" and draws a box.
    guard = FontGuard()
    press = Press()
    with pytest.raises(HandoutError, match="U\\+0378"):
        document = press.layout("<html><body><p>ab\u0378cd</p></body></html>", "test.pdf", guard)
        press.write(document, tmp_path / "test.pdf", "test.pdf", guard)
    assert not (tmp_path / "test.pdf").exists()


def test_printed_text_leaves_out_markup_styles_and_the_qr_code():
    html = '<html><head><title>T😀</title><style>p{content:"x"}</style></head><body><p>見&amp;る</p><svg><path d="M0"/></svg></body></html>'
    assert printed_text(html) == "見&る"


# --- without a public address, and on the command line ------------------------------


def test_without_site_url_the_footer_says_there_is_no_address_and_no_qr_code(minimal_copy, tmp_path):
    guide = load_guide(minimal_copy, today=DAY).guide
    written = render_handouts(minimal_copy, guide, "en", tmp_path / "en", today=DAY, site_url=None)
    sheet = tmp_path / "en" / "category-soudan.pdf"
    assert sheet in written
    text = text_of(sheet)
    assert "https://" not in text and "Latest information on the web" not in text  # a bare path leads nowhere on paper
    said = "Printed before the guide’s web address was set, so this sheet gives none (its page in the guide: /en/categories/soudan/)."
    assert flat(said) in flat(text)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(sheet), str(tmp_path / "page")], check=True)
    done = subprocess.run(["zbarimg", "-q", "--raw", str(next(tmp_path.glob("page*.png")))], check=False, capture_output=True, text=True)
    assert done.stdout.strip() == ""  # no QR code at all
    # exceptions and closed periods still to come are printed with the hours
    assert "2026" in text and "2027" in text


def test_command_line_prints_both_editions_and_the_staff_sheet(minimal_copy, tmp_path, capsys):
    (minimal_copy / "data" / "private.yaml").write_text(
        f"contacts:\n  - {{agency: kakuu-soudan-center, service: general, extension: \"{STAFF_EXTENSION}\", staff: [{STAFF_NAME}]}}\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert guide_command(["handouts", "--root", str(minimal_copy), "--today", TODAY, "--out", str(out), "--staff"]) == 0
    assert (out / "agency-list.pdf").is_file() and (out / "en" / "agency-list.pdf").is_file()
    staff = minimal_copy / "staff" / "ja" / "agency-list-staff.pdf"
    assert STAFF_EXTENSION in flat(text_of(staff)) and STAFF_NAME in flat(text_of(staff))
    assert (minimal_copy / "staff" / "en" / "agency-list-staff.pdf").is_file()
    for pdf in out.rglob("*.pdf"):
        assert STAFF_EXTENSION not in flat(text_of(pdf)) and STAFF_NAME not in flat(text_of(pdf)), pdf
    err = capsys.readouterr().err
    assert "agency-list-staff.pdf" in err


def test_register_adds_the_subcommand():
    import argparse

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=Path.cwd())
    common.add_argument("--lang", default="ja")
    common.add_argument("--today", type=date.fromisoformat)
    top = argparse.ArgumentParser(prog="guide")
    register(top.add_subparsers(dest="command"), common)
    args = top.parse_args(["handouts", "--staff", "--out", "x", "--lang", "en"])
    assert args.staff and args.out == Path("x") and args.lang == "en" and args.func.__name__ == "cmd_handouts"
    assert top.parse_args(["handouts"]).out is None  # the command defaults to <root>/build/handouts


# --- printing at any scale: levels computed from measured entries, the cache of unchanged sheets ----


def printed_here(monkeypatch) -> Counter:
    """Print in this process (one core), counting WeasyPrint layouts per sheet."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    layouts: Counter = Counter()
    original = Press.layout

    def layout(self, html, name, guard, **kwargs):
        layouts[name] += 1
        return original(self, html, name, guard, **kwargs)

    monkeypatch.setattr(Press, "layout", layout)
    return layouts


def many_agencies(root: Path, count: int) -> Path:
    """`count` more fictional agencies in the concern "soudan", each with a service, a phone and hours (no address: no area lists them)."""
    records = "".join(
        f"""
  - id: kakuu-many-{n}
    name: {{ja: 架空の多数窓口その{n}, en: Example Many Office {n}, unofficial: [en]}}
    kana: かくうのたすうまどぐち{n}
    services:
      - id: s
        description: {{ja: 暮らしの困りごとの相談（架空の窓口その{n}）}}
        categories: [soudan]
        audiences: [everyone]
    phones:
      - number: "086-901-{n:04d}"
    hours:
      weekly:
        - days: [mon, tue, wed, thu, fri]
          times: ["09:00-17:00"]
      closed_on_public_holidays: true
      closed_year_end: true
    source:
      - {{document: test-list-2026, section: 架空の一覧}}
    last_verified: 2026-11-20
"""
        for n in range(count)
    )
    with (root / "data" / "agencies.yaml").open("a", encoding="utf-8") as file:
        file.write(records)
    return root


def test_a_concern_with_many_agencies_takes_a_few_layouts_and_says_how_many_more(minimal_copy, tmp_path, monkeypatch):
    layouts = printed_here(monkeypatch)
    loaded = load_guide(many_agencies(minimal_copy, 150), today=DAY)
    assert loaded.guide is not None, loaded.problems
    render_handouts(minimal_copy, loaded.guide, "ja", tmp_path, today=DAY, site_url=SITE)
    # one measuring layout of the entries that could fit, then the sheet itself: not a search over 300 levels
    assert layouts["category-soudan.pdf"] <= 3, layouts
    assert layouts["category-soudan-large.pdf"] <= 3, layouts
    listed = {}
    for name in ("category-soudan.pdf", "category-soudan-large.pdf"):
        assert len(PdfReader(tmp_path / name).pages) == 1, name
        text = flat(text_of(tmp_path / name))
        listed[name] = len(re.findall("架空の多数窓口その", text))
        # the note says how many the page has (in the generator's Japanese: the guide has no locale/ of its own)
        assert f"ほかに{150 - listed[name]}か所の相談先があります" in text, text[-300:]
        assert "架空相談センター" in text and "086-900-0001" in text  # the ★ agency stays
    assert 5 <= listed["category-soudan.pdf"] < 150, listed
    assert listed["category-soudan-large.pdf"] <= listed["category-soudan.pdf"], listed  # large print: never more


def test_unchanged_sheets_are_copied_from_the_cache_with_the_day_they_were_made(minimal_copy, tmp_path, monkeypatch):
    layouts = printed_here(monkeypatch)
    guide = load_guide(minimal_copy, today=DAY).guide
    first = render_handouts(minimal_copy, guide, "ja", tmp_path / "first", today=DAY, site_url=SITE)
    assert layouts["category-debt.pdf"] >= 1
    made = [line for line in text_of(tmp_path / "first" / "category-soudan.pdf").splitlines() if line.startswith("作成日")]
    assert made and "2026" in made[0]
    # The next day, nothing changed: no sheet is laid out again, every PDF is the same file.
    layouts.clear()
    later = date(2026, 11, 24)
    again = render_handouts(minimal_copy, load_guide(minimal_copy, today=later).guide, "ja", tmp_path / "again", today=later, site_url=SITE)
    assert sum(layouts.values()) == 0, layouts
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in first]
    # One phone number changes: only the sheets that print it are made again, and they say so.
    agencies = minimal_copy / "data" / "agencies.yaml"
    agencies.write_text(agencies.read_text(encoding="utf-8").replace("0120-000-001", "0120-000-009"), encoding="utf-8")
    render_handouts(minimal_copy, load_guide(minimal_copy, today=later).guide, "ja", tmp_path / "edited", today=later, site_url=SITE)
    assert set(layouts) >= {"category-debt.pdf", "category-debt-large.pdf", "agency-list.pdf"}, layouts
    assert "category-soudan.pdf" not in layouts and "program-kakuu-taisou.pdf" not in layouts, layouts
    assert "0120-000-009" in text_of(tmp_path / "edited" / "category-debt.pdf")
    made_again = [line for line in text_of(tmp_path / "edited" / "category-debt.pdf").splitlines() if line.startswith("作成日")]
    assert made_again and made_again != made
    assert (tmp_path / "edited" / "category-soudan.pdf").read_bytes() == (tmp_path / "first" / "category-soudan.pdf").read_bytes()
    # The cache holds the edition's current sheets only: the old debt sheets are gone from it.
    cached = list((minimal_copy / "build" / "handouts-cache" / "ja").glob("*.pdf"))
    assert len(cached) == len(first)


def test_a_sheet_that_cannot_fit_its_page_says_so_and_numbers_its_pages(minimal_copy, tmp_path, capsys):
    categories = minimal_copy / "data" / "categories.yaml"
    long = "長い説明の文です。" * 700
    categories.write_text(
        categories.read_text(encoding="utf-8").replace("    sheet_label: {ja: 生活のこと}\n", f"    sheet_label: {{ja: 生活のこと}}\n    description: {{ja: {long}}}\n", 1),
        encoding="utf-8",
    )
    assert guide_command(["handouts", "--root", str(minimal_copy), "--today", TODAY, "--out", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert f"{tmp_path / 'category-soudan.pdf'}: " in err and "A4 1枚に収まらない" in err, err
    pages = len(PdfReader(tmp_path / "category-soudan.pdf").pages)
    assert pages >= 2
    text = text_of(tmp_path / "category-soudan.pdf")
    assert f"1 / {pages}" in text and f"{pages} / {pages}" in text
    assert len(PdfReader(tmp_path / "category-debt.pdf").pages) == 1 and "1 / 1" not in text_of(tmp_path / "category-debt.pdf")


# --- long lists printed in parts: the cost of a sheet grows with its own content only -----------


def test_a_long_agency_list_is_printed_per_concern_each_numbered_and_laid_out_once(minimal_copy, tmp_path, monkeypatch):
    layouts = printed_here(monkeypatch)
    monkeypatch.setattr(queries, "LIST_ROWS", 40)  # the real threshold, 200 rows, scaled to a small guide
    guide = load_guide(many_agencies(minimal_copy, 60), today=DAY).guide
    written = {p.name for p in render_handouts(minimal_copy, guide, "ja", tmp_path, today=DAY, site_url=SITE)}
    parts = {f"agency-list--{c}.pdf" for c in ("soudan", "health", "debt")}
    assert parts <= written and "agency-list.pdf" in written
    # the list's own file holds the contents: each concern, how many agencies, which file to print
    contents = flat(text_of(tmp_path / "agency-list.pdf"))
    assert "生活の困りごと61agency-list--soudan.pdf" in contents, contents
    assert "健康1agency-list--health.pdf" in contents and "支出・借金1agency-list--debt.pdf" in contents
    assert "架空の多数窓口" not in contents
    # a long part flows over as many pages as it needs, numbered, from one layout
    soudan = tmp_path / "agency-list--soudan.pdf"
    pages = len(PdfReader(soudan).pages)
    assert pages >= 2 and layouts["agency-list--soudan.pdf"] == 1, (pages, layouts)
    text = text_of(soudan)
    assert f"1 / {pages}" in text and f"{pages} / {pages}" in text
    assert all(f"架空の多数窓口その{n}" in flat(text) for n in range(60))
    assert "架空健康窓口" not in flat(text)  # another concern's agency: in its own part
    assert "架空健康窓口" in flat(text_of(tmp_path / "agency-list--health.pdf"))
    subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", str(soudan), str(tmp_path / "page")], check=True)
    done = subprocess.run(["zbarimg", "-q", "--raw", str(next(tmp_path.glob("page*.png")))], check=False, capture_output=True, text=True)
    assert done.stdout.strip() == SITE + "categories/soudan/"  # the concern's web page lists them all


def test_an_area_with_many_places_gets_one_page_per_concern_and_edits_reprint_only_their_sheets(minimal_copy, tmp_path, monkeypatch):
    layouts = printed_here(monkeypatch)
    monkeypatch.setattr(queries, "AREA_ENTRIES", 1)  # higashi-1 has two places: as if it had hundreds
    guide = load_guide(minimal_copy, today=DAY).guide
    written = {p.name for p in render_handouts(minimal_copy, guide, "ja", tmp_path / "first", today=DAY, site_url=SITE)}
    assert {f"area-higashi-1{part}{size}.pdf" for part in ("", "--soudan", "--health", "--programs") for size in ("", "-large")} <= written
    assert not any(name.startswith("area-higashi-1--debt") for name in written)  # no place for that concern here
    first = tmp_path / "first"
    contents = flat(text_of(first / "area-higashi-1.pdf"))
    assert "生活の困りごと1area-higashi-1--soudan.pdf" in contents and "健康1area-higashi-1--health.pdf" in contents, contents
    assert "架空いきいき体操" not in contents  # the programs are in their part
    for size in ("", "-large"):
        health = first / f"area-higashi-1--health{size}.pdf"
        assert len(PdfReader(health).pages) == 1  # a concern's part promises one page, as the concern's sheet
        assert "086-900-0011" in text_of(health) and "東第一分室" in flat(text_of(health))  # this area's office, its own phone
        assert "086-900-0001" not in text_of(health)
    soudan = flat(text_of(first / "area-higashi-1--soudan.pdf"))
    assert "◎迷ったときの相談先" in soudan and "086-900-0001" in soudan  # the concern's hub serves this area
    assert "架空いきいき体操" in flat(text_of(first / "area-higashi-1--programs.pdf"))
    assert "1 / 1" in text_of(first / "area-higashi-1--programs.pdf") and layouts["area-higashi-1--programs.pdf"] == 1
    # The branch's phone changes: only the sheets that print that office are printed again.
    layouts.clear()
    agencies = minimal_copy / "data" / "agencies.yaml"
    agencies.write_text(agencies.read_text(encoding="utf-8").replace("086-900-0011", "086-900-0019"), encoding="utf-8")
    guide = load_guide(minimal_copy, today=DAY).guide
    render_handouts(minimal_copy, guide, "ja", tmp_path / "edited", today=DAY, site_url=SITE)
    assert {"area-higashi-1--health.pdf", "area-higashi-1--health-large.pdf"} <= set(layouts), layouts
    assert not set(layouts) & {"area-higashi-1.pdf", "area-higashi-1--soudan.pdf", "area-higashi-1--programs.pdf", "category-soudan.pdf"}, layouts
    assert "086-900-0019" in text_of(tmp_path / "edited" / "area-higashi-1--health.pdf")
