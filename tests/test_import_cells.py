"""What one cell of a city's sheet says, rule by rule: each row of these tables is a cell as a city
writes it and what `guide import` reads in it.  (The small fixture guide: no hub mark of its own,
no area code.)"""

from __future__ import annotations

from datetime import date

import pytest
from babel.support import NullTranslations

from guide import spreadsheet as sp
from guide.cells import CellReader
from guide.load import load_guide

from conftest import FIXTURES

SMALL = load_guide(FIXTURES / "small").guide


def read_row(header: list[str], cells: list[str]):
    """The sheet [header, cells] as guide import reads it: (its reader, its one row)."""
    sheet = sp.Sheet("t.csv", None, None, [(1, header), (2, cells)])
    columns = sp.find_columns(sheet, sp.AGENCY_COLUMNS)
    reader = CellReader(SMALL, sheet, columns, gettext=lambda text: text, data=NullTranslations(), lang="en")
    (row,) = reader.rows("agencies", sp.AGENCY_COLUMNS, lambda text: True)
    return reader, row


@pytest.mark.parametrize(
    ("header", "cell", "phones"),
    [
        ("電話番号 (086)", "803-1254", [("086-803-1254", None)]),  # the area code printed once, in the header
        ("TEL(0869)", "20-4101", [("0869-20-4101", None)]),
        ("電話番号 (086)", "803-1240 803-1241", [("086-803-1240", None), ("086-803-1241", None)]),  # two numbers, a space between
        ("電話", "0869-00-1111／0869-00-1112", [("0869-00-1111", None), ("0869-00-1112", None)]),
        ("電話", "0869-00-1111、0869-00-1112", [("0869-00-1111", None), ("0869-00-1112", None)]),
        ("電話", "0869-00-1111\n0869-00-1112", [("0869-00-1111", None), ("0869-00-1112", None)]),
        ("電話", "福祉課 0869-00-3101", [("0869-00-3101", "福祉課")]),  # a label before the number
        ("電話", "0869-00-5001（代表）", [("0869-00-5001", "代表")]),
        ("電話", "TEL 0869-00-5001", [("0869-00-5001", None)]),
        ("電話", "０８６９－００－５００１", [("0869-00-5001", None)]),  # full-width
        ("電話番号 (086)", "-", []),  # not listed
        ("電話", "", []),
    ],
)
def test_a_phone_cell_gives_each_number_it_holds(header, cell, phones):
    reader, row = read_row(["機関名", "相談項目", header], ["架空窓口", "架空の相談", cell])
    read = reader.phones(row, "phone", "voice", row.cells["phone"])
    assert [(p.number, p.label.get("ja") if p.label else None) for p in read] == phones


@pytest.mark.parametrize(
    ("cell", "left", "note"),
    [
        ("<別紙>", None, "<別紙>"),
        ("＜別紙＞", None, "＜別紙＞"),
        ("平日 8:30~17:15 (詳細別紙)", "平日 8:30~17:15", "(詳細別紙)"),
        ("月～金 9時～16時（詳細別紙）", "月～金 9時～16時", "（詳細別紙）"),
        ("※別表参照", None, "※別表参照"),
        ("別紙参照", None, "別紙参照"),
        ("平日 8:30~17:15", "平日 8:30~17:15", None),
    ],
)
def test_a_cell_that_points_to_another_document_is_left_empty_and_to_be_confirmed(cell, left, note):
    _, row = read_row(["機関名", "相談項目", "受付時間"], ["架空窓口", "架空の相談", cell])
    assert row.cells["hours"] == left
    assert [note in doubt for doubt in row.doubts] == ([True] if note else [])


@pytest.mark.parametrize(
    ("cell", "name"),
    [
        ("架空市役所\n架空介護課", "架空市役所架空介護課"),  # Alt+Enter to fit the column
        ("Example\nCounselling Centre", "Example Counselling Centre"),
        ("架空窓口\n（北）", "架空窓口（北）"),
        ("架空窓口", "架空窓口"),
    ],
)
def test_a_name_broken_over_lines_in_its_cell_is_joined(cell, name):
    assert read_row(["機関名", "相談項目"], [cell, "架空の相談"])[1].cells["name"] == name


@pytest.mark.parametrize(
    ("cell", "hub", "number"),
    [("★ 1", "★", "1"), ("★１", "★", "１"), ("◎2", "◎", "2"), ("3", "", "3")],
)
def test_the_hub_mark_in_the_no_column_marks_the_hub_and_keeps_the_number(cell, hub, number):
    _, row = read_row(["No.", "機関名", "相談項目"], [cell, "架空窓口", "架空の相談"])
    assert (row.hub, row.cells["list_number"]) == (hub, number)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("ver.2018.11.1", date(2018, 11, 1)),
        ("令和4年4月1日現在", date(2022, 4, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("平成31年4月1日", date(2019, 4, 1)),
        ("（R8.4.1現在）", date(2026, 4, 1)),
        ("2026/4/1", date(2026, 4, 1)),
        ("803-1254", None),
        ("0869-00-1000", None),
        ("平日 8:30~17:15", None),
        ("相談機関一覧", None),
    ],
)
def test_the_sheets_own_date_is_read_from_how_cities_write_it(text, day):
    assert sp.date_in(text) == day


@pytest.mark.parametrize(
    ("headers", "fields"),
    [
        (["相談項目", "相談内容", "機関名"], ["categories", "description", "name"]),  # the city's list
        (["分野", "相談項目", "機関名"], ["categories", "description", "name"]),  # 相談項目 beside a concern column
        (["相談項目", "機関名"], ["categories", "name"]),
        (["対象", "窓口", "相談内容"], ["audiences", "name", "description"]),
        (["担当地区", "窓口名"], ["areas_served", "name"]),
        (["機関名", "担当課"], ["name", "owner"]),  # 担当課 is the owner when the counter has a name of its own
        (["担当課", "相談項目"], ["name", "categories"]),  # and the counter when it has none
        (["機関名", "電話番号 (086)", "内線"], ["name", "phone", "extension"]),
        (["機関名", "連絡先（内線）"], ["name", "extension"]),  # never a public field
    ],
)
def test_each_header_names_one_field(headers, fields):
    columns = sp.find_columns(sp.Sheet("t.csv", None, None, [(1, headers)]), sp.AGENCY_COLUMNS)
    assert [columns.fields.get(c) for c in range(len(headers))] == fields


def test_a_second_header_row_names_the_staff_columns_under_one_header():
    """担当者名 merged over 主 and 副: both are staff-only, the title row above is no header."""
    sheet = sp.Sheet("t.csv", None, None, [
        (1, ["架空市 相談機関一覧", "", "", "", ""]),
        (2, ["相談項目", "機関名", "電話", "担当者名", "担当者名"]),
        (3, ["", "", "", "主", "副"]),
    ])
    columns = sp.find_columns(sheet, sp.AGENCY_COLUMNS)
    assert columns.header_rows == [2, 3]
    assert list(columns.fields.values()) == ["categories", "name", "phone", "staff", "staff"]
