"""`guide import` on sheets as cities keep them: every row arrives, in a guide just made by `guide new`.

The first is our own first city's 相談機関一覧 (ver.2018.11.1), its rows copied from the city's
document into tests/fixtures/sheets/ and laid out here as the city keeps the list: a title row,
the header on row 2, 相談項目 written once per group (merged down, or left blank below).  The
others are layouts other municipalities print, with made-up towns (架空市, Example) and numbers.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from guide.load import load_guide

from conftest import FIXTURES, TODAY

SEED = FIXTURES / "sheets" / "okayama-2018-11-1.tsv"
# The city's facts as data/site.yaml of this repository gives them (the list gives no 代表電話).
OKAYAMA = ["--city", "岡山市", "--prefecture", "岡山県", "--web", "https://www.city.okayama.jp/", "--code", "331007"]


def seed_lines() -> tuple[str, str, list[str], list[list[str]]]:
    """The title, the version line, the header and the 19 rows of the vendored table."""
    title, version, header, *rows = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    return title, version, header.split("\t"), [row.split("\t") for row in rows]


def kept_as_the_city_keeps_it() -> list[list[str]]:
    """Row 1: the title, with the version at the right; row 2: the header; 相談項目 only on a group's first row."""
    title, version, header, rows = seed_lines()
    return [[title, *[""] * (len(header) - 2), version], header, *rows]


def as_xlsx(path: Path, table: list[list[str]], *, merged: bool) -> Path:
    """The table as a workbook; `merged`: each group's 相談項目 merged down over its rows, the title over the row."""
    book = Workbook()
    ws = book.active
    ws.title = "相談機関一覧"
    for row in table:
        ws.append([cell or None for cell in row])
    if merged:
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(table[1]) - 1)
        starts = [n for n, row in enumerate(table, start=1) if n > 2 and row[0]] + [len(table) + 1]
        for start, end in zip(starts, starts[1:]):
            ws.merge_cells(start_row=start, start_column=1, end_row=end - 1, end_column=1)
    book.save(path)
    return path


def as_csv(path: Path, table: list[list[str]], encoding: str = "cp932") -> Path:
    """The table as Excel saves a CSV in Japan: Shift_JIS, CRLF."""
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(table)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


SEED_FORMS = {
    "xlsx-merged": lambda path: as_xlsx(path.with_suffix(".xlsx"), kept_as_the_city_keeps_it(), merged=True),
    "xlsx-unmerged": lambda path: as_xlsx(path.with_suffix(".xlsx"), kept_as_the_city_keeps_it(), merged=False),
    "csv-shift_jis": lambda path: as_csv(path.with_suffix(".csv"), kept_as_the_city_keeps_it()),
}


@pytest.fixture
def fresh(tmp_path, run_guide):
    """A guide just made by guide new for the city, with nothing in it yet."""
    root = tmp_path / "okayama"
    assert run_guide("new", root, *OKAYAMA).code == 0
    return root


def test_the_vendored_table_is_the_seeds_19_rows_of_13_agencies_in_4_concerns():
    """What the import must give, counted from the city's text itself (not by the importer)."""
    _, version, header, rows = seed_lines()
    assert version == "ver.2018.11.1"
    assert header == ["相談項目", "No.", "相談内容", "機関名", "所在地", "電話番号 (086)", "内線", "受付時間"]
    assert [row[1].replace("★", "").strip() for row in rows] == [str(n) for n in range(1, 20)]
    assert len({row[3] for row in rows}) == 13
    assert [row[0] for row in rows if row[0]] == ["病気・医療について", "こころの問題(メンタルヘルス)について", "介護について", "障害について"]
    assert [row[1] for row in rows if "★" in row[1]] == ["★ 1", "★ 6", "★ 8", "★ 11"]


@pytest.mark.slow
@pytest.mark.parametrize("form", list(SEED_FORMS))
def test_the_citys_own_list_imports_whole_into_a_new_guide_that_checks_and_builds(fresh, tmp_path, run_guide, form):
    sheet = SEED_FORMS[form](tmp_path / "相談機関一覧")
    result = run_guide("import", "agencies", sheet, "--root", fresh, "--lang", "en")
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    assert "header on row 2" in result.err
    assert "19 rows read → 13 agencies with 19 services" in result.err
    loaded = load_guide(fresh, with_private=True)
    guide = loaded.guide
    agencies = {a.name.get("ja"): a for a in guide.agencies}
    assert len(agencies) == 13 and sum(len(a.services) for a in guide.agencies) == 19
    assert sorted(s.list_number for a in guide.agencies for s in a.services) == list(range(1, 20))
    # 相談項目 is the concern: four categories, the city's, in place of guide new's examples.
    categories = {c.id: c for c in guide.taxonomy.categories}
    assert [c.sheet_label.get("ja") for c in categories.values()] == ["病気・医療について", "こころの問題(メンタルヘルス)について", "介護について", "障害について"]
    assert not any(c.example for c in categories.values())
    # 相談内容 is the service: never the concern, never dropped.
    iryo = agencies["保健所保健課医務係"]
    assert iryo.services[0].description.get("ja") == "医療に関する苦情、心配事の相談"
    assert categories[iryo.services[0].categories[0]].sheet_label.get("ja") == "病気・医療について"
    # The four ★ rows are the hubs of their concerns.
    hubs = sorted((s.list_number, a.name.get("ja")) for a in guide.agencies for s in a.services if s.hub)
    assert hubs == [(1, "地域ケア総合推進センター"), (6, "各保健センター"), (8, "各地域包括支援センター"), (11, "地域活動支援センター I 型")]
    assert {categories[c].hub for c in categories} == {agencies[name].id for _, name in hubs}
    assert guide.taxonomy.hubs.mark == "★"
    # 「電話番号 (086)」: the area code of every number in the column.
    assert [p.number for p in iryo.phones] == ["086-803-1254"]
    assert [p.number for p in agencies["介護保険課"].phones] == ["086-803-1240", "086-803-1241"]
    # <別紙>: the record is there, the fact left empty, and what to ask is written down.
    centres = agencies["各保健センター"]
    assert centres.phones == [] and centres.address is None
    assert "<別紙>" in centres.to_confirm
    assert "「各保健センター」" in centres.to_confirm  # one name for an office in each area: its branches are to be listed
    assert [s.list_number for s in centres.services] == [6, 15]
    # 内線 only in the private overlay.
    extensions = {c.extension for c in loaded.private.contacts}
    assert {"5217", "5246", "5238", "5782", "5443、5444"} <= extensions
    for tracked in (fresh / "data").glob("*.yaml"):
        if tracked.name != "private.yaml":
            text = tracked.read_text(encoding="utf-8")
            assert not any(e in text for e in ("5217", "5782", "5443")), tracked
    # The sheet's own date and title, not the file's.
    assert {a.last_verified.isoformat() for a in guide.agencies} == {"2018-11-01"}
    document = next(d for d in guide.sources.sources if d.id != "city-website")
    assert (document.title.get("ja"), document.published.isoformat()) == ("相談機関一覧", "2018-11-01")

    assert run_guide("check", "--root", fresh, "--today", TODAY).code == 0
    built = run_guide("build", "--root", fresh, "--today", TODAY, "--skip-handouts")
    assert built.code == 0, built.err
    html = "".join(p.read_text(encoding="utf-8") for p in (fresh / "site").rglob("*.html"))
    assert "086-803-1254" in html and "5217" not in html
