"""No cell we write runs as a spreadsheet formula, and `guide import` reads such a cell back whole.

A cell beginning with =, +, -, @, a tab or a carriage return is written with a leading apostrophe
(OWASP's advice against CSV injection): 「+81-86-900-0001」 stays a phone number instead of the sum
−0833 and a name 「=HYPERLINK(…)」 stays text.  Export → import of such values changes nothing.
"""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from conftest import TODAY, copy_guide, edit_data
from guide.exports import standard_csv
from guide.exports.common import Language
from guide.formulas import neutralised, restored
from guide.i18n import translations
from guide.load import load_guide
from roundtrip import as_repository, assert_export_then_import_changes_nothing

HYPERLINK = '=HYPERLINK("https://example.jp/","架空")'
# Values that begin with each formula start, in fields `guide export` writes.
FORMULA_LIKE = {
    "agencies.yaml": [
        ("      ja: 架空相談センター\n", f"      ja: '{HYPERLINK}'\n"),
        ('      - number: "086-900-0001"', '      - number: "+81-86-900-0001"'),
        ("building: {ja: テスト会館 2F,", "building: {ja: \"@テスト会館 2F\","),
        ("description: {ja: 家計と借金の相談}", "description: {ja: \"-家計と借金の相談\"}"),
    ],
    "programs.yaml": [("name: {ja: 架空家計講座}", "name: {ja: \"+架空家計講座\"}")],
}


@pytest.fixture
def formula_guide(tmp_path):
    return as_repository(edit_data(copy_guide(tmp_path / "guide"), FORMULA_LIKE))


@pytest.mark.parametrize("text", [HYPERLINK, "+81-86-900-0001", "-1", "@SUM(A1)", "\tx", "\rx", "'quoted", "''", "plain", ""])
def test_restored_undoes_neutralised(text):
    assert restored(neutralised(text)) == text


def test_a_formula_start_gets_an_apostrophe_and_nothing_else_changes():
    assert neutralised("+81-86-900-0001") == "'+81-86-900-0001"
    assert neutralised(HYPERLINK) == "'" + HYPERLINK
    assert neutralised("086-900-0001") == "086-900-0001"
    assert neutralised("架空相談センター") == "架空相談センター"
    assert restored("'a city's own apostrophe") == "'a city's own apostrophe"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("kind", ["agencies", "programs"])
def test_export_then_import_of_formula_like_values_changes_nothing(formula_guide, run_guide, tmp_path, fmt, kind):
    assert_export_then_import_changes_nothing(run_guide, formula_guide, tmp_path / f"{kind}.{fmt}", kind, fmt)


def test_the_xlsx_holds_text_where_the_data_looks_like_a_formula(formula_guide, run_guide, tmp_path):
    sheet = tmp_path / "agencies.xlsx"
    run_guide("export", "agencies", "--output", sheet, "--root", formula_guide)
    cells = [c for row in load_workbook(sheet).active.iter_rows(min_row=2) for c in row if c.value]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    values = {c.value for c in cells}
    assert "'" + HYPERLINK in values and "'+81-86-900-0001" in values and "'@テスト会館 2F" in values


def test_the_csv_export_starts_no_cell_with_a_formula_character(formula_guide, run_guide, tmp_path):
    sheet = tmp_path / "agencies.csv"
    run_guide("export", "agencies", "--format", "csv", "--output", sheet, "--root", formula_guide)
    rows = list(csv.reader(io.StringIO(sheet.read_text(encoding="utf-8-sig"))))
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'-家計と借金の相談" in {cell for row in rows for cell in row}


def test_a_phone_number_in_the_standard_csv_stays_text(formula_guide):
    loaded = load_guide(formula_guide, today=date.fromisoformat(TODAY))
    japanese = Language(loaded.guide, "ja", translations(formula_guide, "ja"))
    written = standard_csv.write_csv(standard_csv.FACILITIES, standard_csv.facility_rows(loaded.guide, japanese))
    header, *rows = csv.reader(io.StringIO(written.decode("utf-8-sig")))
    phones = [row[header.index("電話番号")] for row in rows]
    assert "'+81-86-900-0001" in phones
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@")]
