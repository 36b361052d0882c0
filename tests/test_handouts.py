"""Printed handouts: A4 PDFs in the BIZ UD font, one page per concern (also in large print), QR codes
that lead back to the page, staff-only values only on the staff sheet, and loud errors instead of
empty boxes when the font or a character is missing.

The real data is printed once per session (both editions and the staff sheet); the error cases
use the small fixture guide, which prints in a few seconds.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from conftest import STAFF_EXTENSION, STAFF_NAME, TODAY, copy_guide, plant_staff_only_facts
from guide.fontguard import FontGuard, HandoutError, printed_text
from guide.handouts import (
    _Press,
    main,
    register,
    render_handouts,
    render_staff_sheet,
    staff_sheet_path,
)
from guide.load import load_guide
from pypdf import PdfReader

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
    """Every handout of both editions of the real data, and the staff sheet, printed in one process."""
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
    expected |= {f"area-{a.id}{suffix}.pdf" for a in guide.areas.areas if a.kind == "welfare-district" for suffix in ("", "-large")}
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
    assert "★1" in text and "086-242-3135" in text


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
    text = text_of(printed.pdf("category-medical.pdf"))
    assert "病気・医療" in text
    assert "地域ケア総合推進センター" in text and "086-242-3135" in text  # the ★ agency and its phone
    assert "★" in text
    assert "最終確認" in text and "2022年4月1日" in text  # the oldest last_verified of the sheet
    assert "2026年11月23日" in text  # the day it was printed
    assert "https://guide.example.jp/categories/medical/" in text
    # mental health: a listed agency was last verified in 2018: the oldest date is printed
    assert "2018年11月1日" in text_of(printed.pdf("category-mental-health.pdf"))


def test_unknown_facts_say_not_listed(printed):
    # The ★ agency for disability: the documents give no phone, address or hours.
    text = text_of(printed.pdf("category-disability.pdf"))
    assert "相談支援機能強化事業所" in text and "記載なし" in text
    assert "not listed" in text_of(printed.pdf("category-disability.pdf", "en"))


def test_english_edition_uses_english_texts_and_the_en_address(printed):
    text = text_of(printed.pdf("category-medical.pdf", "en"))
    assert "Illness and medical care" in text and "Community Care Promotion Center" in text
    assert "086-242-3135" in text and "Last verified" in text
    assert "https://guide.example.jp/en/categories/medical/" in text


def test_program_flyer_has_what_when_where_for_whom_cost_and_how_to_apply(printed):
    text = flat(text_of(printed.pdf("program-momotaro-taiso.pdf")))
    for words in ("あっ晴れ！もも太郎体操", "日時", "場所", "対象", "費用", "申し込み方法", "5名以上の仲間で", "介護予防センター", "記載なし"):
        assert flat(words) in text, words
    assert "https://guide.example.jp/programs/momotaro-taiso/" in text


@pytest.mark.parametrize(
    ("name", "lang", "url"),
    [
        ("category-medical.pdf", "ja", SITE + "categories/medical/"),
        ("category-disability-large.pdf", "ja", SITE + "categories/disability/"),
        ("area-kita-chuo.pdf", "ja", SITE + "areas/kita-chuo/"),
        ("program-momotaro-taiso.pdf", "ja", SITE + "programs/momotaro-taiso/"),
        ("category-medical.pdf", "en", SITE + "en/categories/medical/"),
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
    runs = text_runs(printed.pdf("category-medical-large.pdf"))
    assert any(text == "086-242-3135" and size >= 24 for size, _, text in runs)  # the ★ phone, bigger still
    # the normal print is smaller: the measurement does tell the two apart
    assert min(size for size, y, _ in text_runs(printed.pdf("category-medical.pdf")) if y > LARGE_BOTTOM_MARGIN_PT) < 14


def test_large_print_uses_the_universal_design_font(printed):
    reader = PdfReader(printed.pdf("category-medical-large.pdf"))
    names = {str(f.get_object()["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert names and all("BIZ-UDPGothic" in name or "BIZ-UDGothic" in name for name in names), names


# --- staff-only values ------------------------------------------------------------


def test_staff_sheet_has_extension_and_staff_name(printed):
    text = flat(text_of(printed.staff))  # a narrow column may wrap them
    assert STAFF_EXTENSION in text and STAFF_NAME in text
    assert "地域ケア総合推進センター" in text


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


def test_staff_sheet_is_never_written_under_site(printed):
    with pytest.raises(HandoutError, match="site"):
        render_staff_sheet(printed.root, printed.guide, load_guide(printed.root, today=DAY, with_private=True).private, "ja",
                           printed.root / "site" / "staff.pdf", today=DAY)
    assert not (printed.root / "site" / "staff.pdf").exists()


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
        [sys.executable, "-m", "guide.handouts", "--root", str(minimal_copy), "--today", TODAY, "--out", str(tmp_path / "out")],
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
    press = _Press.shared()
    with pytest.raises(HandoutError, match="U\\+0378"):
        document = press.layout("<html><body><p>ab\u0378cd</p></body></html>", "test.pdf", guard)
        press.write(document, tmp_path / "test.pdf", "test.pdf", guard)
    assert not (tmp_path / "test.pdf").exists()


def test_printed_text_leaves_out_markup_styles_and_the_qr_code():
    html = '<html><head><title>T😀</title><style>p{content:"x"}</style></head><body><p>見&amp;る</p><svg><path d="M0"/></svg></body></html>'
    assert printed_text(html) == "見&る"


# --- without a public address, and on the command line ------------------------------


def test_without_site_url_the_path_is_printed_and_no_qr_code(minimal_copy, tmp_path):
    guide = load_guide(minimal_copy, today=DAY).guide
    written = render_handouts(minimal_copy, guide, "en", tmp_path / "en", today=DAY, site_url=None)
    sheet = tmp_path / "en" / "category-soudan.pdf"
    assert sheet in written
    text = text_of(sheet)
    assert "/en/categories/soudan/" in text and "https://" not in text
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
    assert main(["--root", str(minimal_copy), "--today", TODAY, "--out", str(out), "--staff"]) == 0
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
