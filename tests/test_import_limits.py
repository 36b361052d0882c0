"""`guide import` on hostile spreadsheets: each is refused with a located message, in bounded time and memory.

Every file is made here with zipfile: a huge declared or real sheet size, a zip bomb of zeros, XML
with entities (billion laughs, an external file), files that are not workbooks, a million-row CSV.
Most tests use small limits, so they stay quick; the last runs the real defaults in a subprocess
and measures its memory and time."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile

import defusedxml
import pytest
from openpyxl import Workbook

from guide import sheetguard
from guide.sheetguard import Limits

from conftest import REPO, copy_guide

SHEET_XML = "xl/worksheets/sheet1.xml"
STRINGS_XML = "xl/sharedStrings.xml"
BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
    + ']><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1"><si><t>&lol9;</t></si></sst>'
)


@pytest.fixture
def root(tmp_path):
    return copy_guide(tmp_path / "guide")


@pytest.fixture
def small_limits(monkeypatch):
    limits = Limits(file_bytes=64 * 1024, unpacked_bytes=512 * 1024, parts=30, rows=50, columns=20, cells=200, cell_chars=100, part_elements=500)
    monkeypatch.setattr(sheetguard, "LIMITS", limits)
    return limits


def workbook(path, parts: dict[str, bytes | str] | None = None):
    """A real one-sheet workbook as openpyxl saves it, with some of its XML parts replaced or added."""
    book = Workbook()
    book.active.title = "一覧"
    book.active.append(["機関名", "分野", "相談項目"])
    book.active.append(["架空介護課", "健康", "介護保険の申請"])
    saved = io.BytesIO()
    book.save(saved)
    parts = dict(parts or {})
    with zipfile.ZipFile(saved) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, parts.pop(info.filename, None) or source.read(info))
        for name, data in parts.items():
            target.writestr(name, data)
    return path


def sheet_xml(dimension: str, cells: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{cells}</sheetData></worksheet>')


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = '<row r="1">' + cell("A1", "機関名") + cell("B1", "分野") + cell("C1", "相談項目") + "</row>"


def imported(run_guide, root, sheet):
    result = run_guide("import", "agencies", sheet, "--root", root, "--lang", "en", "--dry-run")
    assert "Traceback" not in result.err
    return result


def test_a_sheet_that_declares_a_huge_size_is_refused_before_it_is_read(root, tmp_path, run_guide):
    sheet = workbook(tmp_path / "huge.xlsx", {SHEET_XML: sheet_xml("A1:XFD1048576", HEADER_ROW + '<row r="1048576">' + cell("XFD1048576", "x") + "</row>")})
    result = imported(run_guide, root, sheet)
    assert result.code == 1
    assert "huge.xlsx[一覧]: the sheet says it spans A1:XFD1048576; the limit is 20000 rows and 1000 columns" in result.err


def test_a_part_is_checked_by_what_it_holds_not_by_its_name(root, tmp_path, run_guide):
    hidden = sheet_xml("A1:B2", '<row r="1048576">' + cell("XFD1048576", "x") + "</row>").replace("UTF-8", "UTF-16").encode("utf-16")  # as XML may be
    result = imported(run_guide, root, workbook(tmp_path / "hidden.xlsx", {"xl/media/image1.png": hidden}))
    assert result.code == 1 and "hidden.xlsx[xl/media/image1.png]:1048576: a cell beyond the limit" in result.err


def test_a_cell_far_beyond_a_small_declared_size_is_refused_where_it_is(root, tmp_path, run_guide):
    sheet = workbook(tmp_path / "far.xlsx", {SHEET_XML: sheet_xml("A1:C2", HEADER_ROW + '<row r="2">' + cell("XFD2", "x") + "</row>")})
    result = imported(run_guide, root, sheet)
    assert result.code == 1
    assert "far.xlsx[一覧]:2:16384: a cell beyond the limit of 20000 rows and 1000 columns" in result.err


def test_more_cells_than_the_limit_are_refused(root, tmp_path, run_guide, small_limits):
    rows = "".join(f'<row r="{r}">' + "".join(cell(f"{c}{r}", "架空") for c in "ABCDEFGHIJ") + "</row>" for r in range(2, 30))
    sheet = workbook(tmp_path / "many.xlsx", {SHEET_XML: sheet_xml("A1:J29", HEADER_ROW + rows)})
    result = imported(run_guide, root, sheet)
    assert result.code == 1 and "many.xlsx[一覧]:21:" in result.err and "the workbook has more than 200 cells" in result.err


def test_a_table_whose_rows_and_columns_span_too_many_cells_is_refused(root, tmp_path, run_guide, small_limits):
    corner = '<row r="40">' + cell("T40", "架空") + "</row>"  # within 50 rows and 20 columns, but 40 × 20 = 800 cells
    sheet = workbook(tmp_path / "wide.xlsx", {SHEET_XML: sheet_xml("A1:T40", HEADER_ROW + corner)})
    result = imported(run_guide, root, sheet)
    assert result.code == 1 and "wide.xlsx[一覧]:40:20: the table spans 40 rows and 20 columns, more than 200 cells" in result.err


def test_merged_cells_that_overlap_many_times_are_refused(root, tmp_path, run_guide, small_limits):
    merges = '<mergeCells count="3"><mergeCell ref="A2:J10"/><mergeCell ref="A2:J9"/><mergeCell ref="A2:I10"/></mergeCells>'  # 90 + 80 + 81 cells
    xml = sheet_xml("A1:J10", HEADER_ROW + '<row r="10">' + cell("J10", "架空") + "</row>").replace("</sheetData>", "</sheetData>" + merges)
    result = imported(run_guide, root, workbook(tmp_path / "merged.xlsx", {SHEET_XML: xml}))
    assert result.code == 1 and "merged.xlsx[一覧]: merged cells cover 251 cells, more than 200" in result.err


def test_a_long_cell_is_refused_where_it_is(root, tmp_path, run_guide, small_limits):
    sheet = workbook(tmp_path / "long.xlsx", {SHEET_XML: sheet_xml("A1:C2", HEADER_ROW + '<row r="2">' + cell("B2", "架" * 101) + "</row>")})
    result = imported(run_guide, root, sheet)
    assert result.code == 1 and "long.xlsx[一覧]:2:2: a cell holds 101 characters; the limit is 100 (shorten it)" in result.err


def test_a_zip_bomb_is_refused_by_the_sizes_it_declares(root, tmp_path, run_guide, small_limits):
    bomb = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>' + "0" * 1_000_000 + "</t></si></sst>"
    sheet = workbook(tmp_path / "bomb.xlsx", {STRINGS_XML: bomb})
    assert sheet.stat().st_size < 10_000  # a million zeros pack into a few kilobytes
    result = imported(run_guide, root, sheet)
    assert result.code == 1 and "bomb.xlsx: the workbook unpacks to" in result.err and "the limit is 30 files of 512 KB" in result.err


def test_a_zip_bomb_that_declares_a_small_size_unpacks_no_more_than_it_declares(root, tmp_path, run_guide, small_limits):
    bomb = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>' + "0" * 1_000_000 + "</t></si></sst>"
    sheet = workbook(tmp_path / "liar.xlsx", {STRINGS_XML: bomb})
    data = bytearray(sheet.read_bytes())
    size_field = central_entry(data, STRINGS_XML) + 24
    data[size_field : size_field + 4] = (1000).to_bytes(4, "little")  # "1000 bytes", of a megabyte
    sheet.write_bytes(bytes(data))
    result = imported(run_guide, root, sheet)
    assert result.code == 1 and "liar.xlsx: not a .xlsx workbook, or an incomplete one" in result.err


def test_a_style_part_of_countless_elements_is_refused(root, tmp_path, run_guide, small_limits):
    styles = '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs>' + "<xf/>" * 600 + "</cellXfs></styleSheet>"
    result = imported(run_guide, root, workbook(tmp_path / "styles.xlsx", {"xl/styles.xml": styles}))
    assert result.code == 1 and "styles.xlsx[xl/styles.xml]: the part holds more than 500 elements" in result.err


def test_a_sheet_of_countless_empty_rows_or_links_is_refused(root, tmp_path, run_guide, small_limits):
    rows = workbook(tmp_path / "rows.xlsx", {SHEET_XML: sheet_xml("A1:C2", HEADER_ROW + "<row/>" * 60)})
    assert "rows.xlsx[一覧]:51: a cell beyond the limit of 50 rows" in imported(run_guide, root, rows).err
    links = sheet_xml("A1:C2", HEADER_ROW).replace("</sheetData>", "</sheetData><hyperlinks>" + '<hyperlink ref="A1"/>' * 800 + "</hyperlinks>")
    assert "links.xlsx[一覧]: the part holds more than 500 elements" in imported(run_guide, root, workbook(tmp_path / "links.xlsx", {SHEET_XML: links})).err


def test_too_many_parts_are_refused(root, tmp_path, run_guide, small_limits):
    sheet = workbook(tmp_path / "parts.xlsx", {f"xl/media/extra{n}.bin": b"" for n in range(40)})
    result = imported(run_guide, root, sheet)
    assert result.code == 1 and "parts.xlsx: the workbook unpacks to 49 files" in result.err and "the limit is 30 files" in result.err


@pytest.mark.parametrize("part", [STRINGS_XML, SHEET_XML, "xl/workbook.xml"])
def test_xml_with_entities_is_refused(root, tmp_path, run_guide, part):
    result = imported(run_guide, root, workbook(tmp_path / "laughs.xlsx", {part: BILLION_LAUGHS}))
    assert result.code == 1 and f"laughs.xlsx: {part} declares a DTD or entities, which a workbook never has" in result.err


def test_an_external_entity_is_never_read(root, tmp_path, run_guide):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-架空-0000", encoding="utf-8")
    xxe = (f'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
           '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&xxe;</t></si></sst>')
    result = imported(run_guide, root, workbook(tmp_path / "xxe.xlsx", {STRINGS_XML: xxe}))
    assert result.code == 1 and "declares a DTD or entities" in result.err
    assert "SECRET" not in result.out + result.err


def test_openpyxl_itself_parses_with_defusedxml():
    """The second line of defence: were a part not scanned first, openpyxl would still refuse entities."""
    from openpyxl.xml import DEFUSEDXML
    from openpyxl.xml.functions import fromstring

    assert DEFUSEDXML is True
    with pytest.raises(defusedxml.DefusedXmlException):
        fromstring(BILLION_LAUGHS)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.xlsx", b"", "empty.xlsx: the file is empty"),
        ("empty.csv", b"", "empty.csv: the file is empty"),
        ("text.xlsx", "機関名,分野\n".encode(), "text.xlsx: not a .xlsx workbook, or an incomplete one"),
        ("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "old.xlsx: this is an old Excel .xls workbook, or one locked with a password"),
    ],
    ids=["empty-xlsx", "empty-csv", "not-a-zip", "xls-or-password"],
)
def test_files_that_are_not_workbooks_are_a_message(root, tmp_path, run_guide, name, content, message):
    sheet = tmp_path / name
    sheet.write_bytes(content)
    result = imported(run_guide, root, sheet)
    assert result.code == 1 and message in result.err


def test_a_truncated_workbook_is_a_message(root, tmp_path, run_guide):
    whole = workbook(tmp_path / "whole.xlsx").read_bytes()
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(whole[: len(whole) // 2])
    result = imported(run_guide, root, cut)
    assert result.code == 1 and "cut.xlsx: not a .xlsx workbook, or an incomplete one" in result.err


def central_entry(data: bytearray, part: str) -> int:
    """Where `part`'s entry in the zip's central directory starts."""
    entry = data.find(b"PK\x01\x02")
    while data[entry + 46 : entry + 46 + int.from_bytes(data[entry + 28 : entry + 30], "little")] != part.encode():
        entry = data.find(b"PK\x01\x02", entry + 1)
    return entry


def marked_encrypted(path, part: str):
    """Set the 'encrypted' flag of `part` in the zip's central directory, as a zip locked with a password has."""
    data = bytearray(path.read_bytes())
    data[central_entry(data, part) + 8] |= 0x1
    path.write_bytes(bytes(data))
    return path


def test_an_encrypted_zip_part_is_a_message(root, tmp_path, run_guide):
    sheet = marked_encrypted(workbook(tmp_path / "locked.xlsx"), SHEET_XML)
    result = imported(run_guide, root, sheet)
    assert result.code == 1 and "locked.xlsx: the workbook is encrypted (save it without a password)" in result.err


def million_rows(path):
    path.write_bytes("機関名,分野,相談項目\n".encode() + b"x,y,z\n" * 1_000_000)  # 6 MB: within the file size limit
    return path


def test_a_csv_with_too_many_rows_is_refused_while_it_is_read(root, tmp_path, run_guide):
    sheet = tmp_path / "million.csv"
    result = imported(run_guide, root, million_rows(sheet))  # the real limits
    assert result.code == 1 and "million.csv:20001: a cell beyond the limit of 20000 rows and 1000 columns" in result.err


def test_a_large_csv_or_a_long_csv_cell_is_refused(root, tmp_path, run_guide, small_limits):
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" * 20_000)
    assert "big.csv: the file is too large (78 KB; the limit is 64 KB" in imported(run_guide, root, big).err
    long = tmp_path / "long.csv"
    long.write_text("機関名,分野,相談項目\n架空," + "架" * 101 + ",相談\n", encoding="utf-8")
    assert "long.csv:2:2: a cell holds 101 characters; the limit is 100" in imported(run_guide, root, long).err


def test_a_columns_mapping_file_is_read_as_boundedly_as_a_data_file(root, tmp_path, run_guide):
    sheet = tmp_path / "t.csv"
    sheet.write_text("機関名,分野\n架空,健康\n", encoding="utf-8")
    mapping = tmp_path / "columns.yaml"
    mapping.write_text("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                                                                          for p, c in zip("abcdefgh", "bcdefghi")), encoding="utf-8")
    result = run_guide("import", "agencies", sheet, "--root", root, "--columns", mapping, "--lang", "en")
    assert result.code == 2 and "Traceback" not in result.err
    assert "aliases (*name) copy too many values" in result.err and "not a mapping of headers to fields" in result.err


def test_a_cell_reference_with_thousands_of_digits_is_a_message(root, tmp_path, run_guide):
    row = '<row r="' + "9" * 5000 + '">' + cell("A" + "9" * 5000, "x") + "</row>"
    result = imported(run_guide, root, workbook(tmp_path / "digits.xlsx", {SHEET_XML: sheet_xml("A1:C2", HEADER_ROW + row)}))
    assert result.code == 1 and "digits.xlsx: not a readable .xlsx workbook" in result.err


# --- at the real limits, in a process of its own: memory and time measured --------------------

# A small process runs `guide` as its child and reads the child's peak memory with getrusage
# (RUSAGE_CHILDREN): Linux carries a process's peak over into what it starts, so the child is started
# from a process that stays small, not from pytest.
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run([sys.executable, "-m", "guide.cli", *sys.argv[1:]], stdout=subprocess.DEVNULL)
print(json.dumps({"code": done.returncode, "seconds": time.perf_counter() - start,
                  "max_rss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def zip_bomb(path, unpacked_mb: int):
    """A workbook whose shared strings are `unpacked_mb` megabytes of zeros, written in chunks."""
    workbook(path)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive, archive.open("xl/bomb.xml", "w", force_zip64=True) as part:
        chunk = b"0" * 2**20
        for _ in range(unpacked_mb):
            part.write(chunk)
    return path


def long_cell(path, chars: int):
    return workbook(path, {SHEET_XML: sheet_xml("A1:C2", HEADER_ROW + '<row r="2">' + cell("B2", "0" * chars) + "</row>")})


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: workbook(tmp / "huge.xlsx", {SHEET_XML: sheet_xml("A1:B2", HEADER_ROW + '<row r="1048576">' + cell("XFD1048576", "x") + "</row>")}), "a cell beyond the limit"),
        (lambda tmp: zip_bomb(tmp / "bomb.xlsx", 200), "the workbook unpacks to"),
        (lambda tmp: long_cell(tmp / "cell.xlsx", 60 * 2**20), "a cell holds 62914560 characters"),
        (lambda tmp: million_rows(tmp / "million.csv"), "a cell beyond the limit"),
        (lambda tmp: workbook(tmp / "merged.xlsx", {SHEET_XML: sheet_xml("A1:C2", HEADER_ROW).replace("</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="A1:ALL20000"/></mergeCells>')}),
         "merged cells cover 20000000 cells"),
        (lambda tmp: workbook(tmp / "styles.xlsx", {"xl/styles.xml": "<styleSheet><cellXfs>" + "<xf/>" * 10_000_000 + "</cellXfs></styleSheet>"}), "elements"),
    ],
    ids=["huge-sheet", "zip-bomb", "cell-60mb", "csv-million-rows", "merged-20-million-cells", "styles-10-million-elements"],
)
@pytest.mark.slow
def test_at_the_real_limits_memory_stays_under_1_gb_and_time_under_30_s(root, tmp_path, make, message):
    sheet = make(tmp_path)
    done = subprocess.run([sys.executable, "-c", MEASURE, "import", "agencies", str(sheet), "--root", str(root), "--lang", "en", "--dry-run"],
                          capture_output=True, text=True, timeout=120, cwd=REPO)
    assert "Traceback" not in done.stderr and message in done.stderr, done.stderr
    measured = json.loads(done.stdout.splitlines()[-1])
    assert measured["code"] == 1
    assert measured["max_rss_kb"] < 1024 * 1024, measured
    assert measured["seconds"] < 30, measured

