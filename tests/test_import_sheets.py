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
from roundtrip import as_repository, assert_export_then_import_changes_nothing

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
    assert "困りごとから探す" in html and "Find by concern" not in html  # the generator's words, though the guide has no locale/


# --- other municipalities' layouts (made-up towns and numbers) ------------------------------------

CITY = ["--city", "架空市", "--prefecture", "架空県", "--web", "https://city.example.jp/", "--code", "999997"]

# 対象 instead of a concern: the list is grouped by who it is for, written once per group.
BY_AUDIENCE = [
    ["架空市 くらしの相談窓口一覧"],
    ["令和8年4月1日現在"],
    ["対象", "窓口", "相談内容", "電話番号", "受付日時"],
    ["高齢者", "架空市地域包括支援センター", "介護や暮らしの相談", "0869-00-2101", "月～金 8:30～17:15（祝日・年末年始休み）"],
    ["", "架空市介護保険課", "介護保険の申請", "0869-00-2102", "平日 8:30～17:15"],
    ["こども・保護者", "架空市こども家庭課", "子育ての相談", "0869-00-2103", "毎週水曜日 10:00～12:00"],
    ["", "架空市発達相談室", "発達の相談", "0869-00-2104", "第2・第4火曜日 13:00～16:00"],
]

# Two departments with their phones in one cell, a name broken over two lines, and a 担当部署 box below.
SHARED_CELLS = [
    ["Example町 相談窓口のご案内"],
    ["相談項目", "相談窓口", "電話", "受付時間"],
    ["介護・福祉", "架空町福祉課\n架空町保険年金課", "福祉課 0869-00-3101\n保険年金課 0869-00-3102", "月～金 8:30～17:15（祝日・年末年始休み）"],
    ["", "架空町社会福祉協議会\nボランティアセンター", "0869-00-3103", "月～金 9:00～16:00（祝日・年末年始休み）"],
    ["子育て", "架空町子育て支援センター", "0869-00-3104／0869-00-3105", "月～土 9:00～12:00（祝日・年末年始休み）"],
    [],
    ["【担当部署】架空町 健康福祉部 福祉課"],
]

# One window per district, the area code once in the header.
BY_DISTRICT = [
    ["架空郡 地域包括支援センター一覧（R8.4.1現在）"],
    ["担当地区", "窓口名", "所在地", "TEL(0869)", "相談項目", "受付時間"],
    ["北地区", "架空北地域包括支援センター", "架空町北1-1", "20-4101", "介護", "月～金 9:00～17:00（祝日・年末年始休み）"],
    ["南地区", "架空南地域包括支援センター", "架空町南2-2", "20-4102", "介護", "月～金 9:00～17:00（祝日・年末年始休み）"],
    ["東地区、西地区", "架空東西地域包括支援センター", "架空町東3-3", "20-4103", "介護", "<別紙>"],
]


def as_sheet(path: Path, table: list[list[str]], fmt: str) -> Path:
    return as_xlsx(path.with_suffix(".xlsx"), table, merged=False) if fmt == "xlsx" else as_csv(path.with_suffix(".csv"), table, "utf-8")


@pytest.fixture
def new_town(tmp_path, run_guide):
    root = tmp_path / "kakuu"
    assert run_guide("new", root, *CITY).code == 0
    return root


def import_check_and_build(run_guide, root, sheet, *options) -> str:
    """Import, then guide check and guide build pass: what the import printed."""
    result = run_guide("import", "agencies", sheet, "--root", root, "--lang", "en", *options)
    assert result.code == 0, result.err
    assert run_guide("check", "--root", root, "--today", TODAY).code == 0
    built = run_guide("build", "--root", root, "--today", TODAY, "--skip-handouts")
    assert built.code == 0, built.err
    return result.err


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_list_grouped_by_who_it_is_for_gives_audiences(new_town, tmp_path, run_guide, fmt):
    printed = import_check_and_build(run_guide, new_town, as_sheet(tmp_path / "対象別", BY_AUDIENCE, fmt))
    assert "header on row 3" in printed and "4 rows read → 4 agencies with 4 services" in printed
    guide = load_guide(new_town).guide
    audiences = {a.id: a.name.get("ja") for a in guide.taxonomy.audiences}
    assert sorted(audiences.values()) == ["こども・保護者", "高齢者"]  # 「こども・保護者」 stays one
    services = {a.name.get("ja"): a.services[0] for a in guide.agencies}
    assert [audiences[x] for x in services["架空市発達相談室"].audiences] == ["こども・保護者"]  # carried down from the row above
    assert {a.last_verified.isoformat() for a in guide.agencies} == {"2026-04-01"}  # 令和8年4月1日現在
    hattatsu = next(a for a in guide.agencies if a.name.get("ja") == "架空市発達相談室")
    assert hattatsu.hours.status == "not_published" and hattatsu.hours.note.get("ja") == "第2・第4火曜日 13:00～16:00"
    assert "第2・第4火曜日" in hattatsu.to_confirm
    assert next(a for a in guide.agencies if a.name.get("ja") == "架空市地域包括支援センター").hours.weekly[0].times == ["08:30-17:15"]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_two_departments_in_one_cell_are_two_records_and_a_broken_name_is_joined(new_town, tmp_path, run_guide, fmt):
    printed = import_check_and_build(run_guide, new_town, as_sheet(tmp_path / "窓口", SHARED_CELLS, fmt), "--verified", "2026-11-01")
    assert "2 departments in one cell, each with its phone: read as 2 records" in printed
    assert "「架空町 健康福祉部 福祉課」 is read as the section in charge (担当部署)" in printed
    agencies = {a.name.get("ja"): a for a in load_guide(new_town).guide.agencies}
    assert sorted(agencies) == sorted(["架空町福祉課", "架空町保険年金課", "架空町社会福祉協議会ボランティアセンター", "架空町子育て支援センター"])
    assert [(p.number, p.label.get("ja")) for p in agencies["架空町保険年金課"].phones] == [("0869-00-3102", "保険年金課")]
    assert [p.number for p in agencies["架空町子育て支援センター"].phones] == ["0869-00-3104", "0869-00-3105"]
    assert {a.owner.get("ja") for a in agencies.values()} == {"架空町 健康福祉部 福祉課"}
    assert [s.categories for s in agencies["架空町保険年金課"].services] == [agencies["架空町福祉課"].services[0].categories]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_one_window_per_district_serves_its_districts(new_town, tmp_path, run_guide, fmt):
    printed = import_check_and_build(run_guide, new_town, as_sheet(tmp_path / "地区別", BY_DISTRICT, fmt))
    assert "New areas from the sheet: 北地区、南地区、東地区、西地区" in printed
    guide = load_guide(new_town).guide
    areas = {a.id: a for a in guide.areas.areas}
    names = {a.name.get("ja"): a for a in guide.agencies}
    served = [areas[x].name.get("ja") for x in names["架空東西地域包括支援センター"].areas_served]
    assert served == ["東地区", "西地区"]
    assert {areas[x].parent for x in names["架空北地域包括支援センター"].areas_served} == {"whole-city"}
    assert [p.number for p in names["架空南地域包括支援センター"].phones] == ["0869-20-4102"]  # 「TEL(0869)」
    assert names["架空東西地域包括支援センター"].hours is None and "<別紙>" in names["架空東西地域包括支援センター"].to_confirm
    assert {a.last_verified.isoformat() for a in guide.agencies} == {"2026-04-01"}  # （R8.4.1現在）
    assert next(d.title.get("ja") for d in guide.sources.sources if d.id != "city-website") == "架空郡 地域包括支援センター一覧"


# --- and back: what was imported, exported and imported unedited, changes nothing -----------------

# Values beginning with = + - @ in every column the layouts above brought (audiences, areas, owner),
# as a city's CSV may hold them: text, which export writes so that no spreadsheet runs it.
FORMULA_LIKE = [
    ["相談項目", "相談内容", "対象", "機関名", "担当地区", "担当部署", "電話", "受付時間"],
    ["+介護", "-介護の相談", "@高齢者", "=架空窓口", "@北地区", "=架空町福祉課", "+81-869-20-5101", "月～金 9:00～17:00（祝日・年末年始休み）"],
]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_seeds_guide_exported_and_imported_unedited_changes_nothing(fresh, tmp_path, run_guide, fmt):
    assert run_guide("import", "agencies", SEED_FORMS["xlsx-merged"](tmp_path / "一覧"), "--root", fresh).code == 0
    assert_export_then_import_changes_nothing(run_guide, as_repository(fresh), tmp_path / f"export.{fmt}", "agencies", fmt)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_formula_like_values_of_a_citys_sheet_come_back_unchanged(new_town, tmp_path, run_guide, fmt):
    sheet = as_csv(tmp_path / "formulas.csv", FORMULA_LIKE, "utf-8")
    assert run_guide("import", "agencies", sheet, "--root", new_town, "--verified", "2026-11-01").code == 0
    agency = load_guide(new_town).guide.agencies[0]
    assert (agency.name.get("ja"), agency.owner.get("ja"), agency.phones[0].number) == ("=架空窓口", "=架空町福祉課", "+81-869-20-5101")
    assert_export_then_import_changes_nothing(run_guide, as_repository(new_town), tmp_path / f"export.{fmt}", "agencies", fmt)
