"""What a spreadsheet from outside may make `guide import` build: bounded, or refused with a located message.

A .xlsx is a zip of XML parts that openpyxl reads whole into memory, so a 1.7 KB file with one cell
at XFD1048576 asks for billions of cells, and a 1.5 MB zip of zeros unpacks to gigabytes.  Before
openpyxl opens a workbook, its zip directory is checked (number of parts, the sizes they declare:
zipfile never unpacks more than a part declares) and every XML part is read once as a stream by
expat with defusedxml's refusals: no DTD, so no entities and no external references (billion laughs, XXE); the
stream counts the cells, their row and column, and the length of each text.  A CSV is read row by
row under the same limits.  Real tables stay far below each (a city's list: ~200 rows, 20 columns).
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from xml.parsers import expat

import defusedxml

from .yamlfile import MAX_TEXT_CHARS


@dataclass(frozen=True)
class Limits:
    file_bytes: int = 20 * 2**20  # the file as given; a 200-row sheet is ~30 KB
    unpacked_bytes: int = 64 * 2**20  # all parts of a workbook, as their sizes are declared
    parts: int = 1_000  # files in the workbook's zip
    rows: int = 20_000  # each row is a record to build and compare: 20,000 take ~25 s and ~300 MB
    columns: int = 1_000
    cells: int = 200_000  # cells written in the workbook, and the rows × columns of the table read
    cell_chars: int = MAX_TEXT_CHARS  # as a data file's text
    part_elements: int = 100_000  # besides cells, rows and texts, in one part (styles: ~1,000); four times that in all


LIMITS = Limits()  # tests give smaller ones
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an .xls, or a .xlsx locked with a password (Excel wraps it so)
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d{1,12})$")  # more digits: not a place (openpyxl refuses it)
_ROW = re.compile(r"^\d{1,12}$")


class SheetError(Exception):
    """The file cannot be read as a table: the message says why and what to do."""


def place(file: str, sheet: str | None, row: int | None = None, column: int | None = None) -> str:
    """`file[sheet]:row:column`: the location in messages, as `guide check` gives `file:line:column`."""
    where = f"{file}[{sheet}]" if sheet else file
    return where + (f":{row}" if row else "") + (f":{column}" if row and column else "")


def check_file(path: Path, display: str, _) -> None:
    """Any spreadsheet: not empty, not too large."""
    size = path.stat().st_size
    if size == 0:
        raise SheetError(display + ": " + _("the file is empty (save the table into it again)"))
    if size > LIMITS.file_bytes:
        raise SheetError(display + ": " + _("the file is too large ({size}; the limit is {limit}: split the table or remove what is not needed)").format(
            size=_size(size), limit=_size(LIMITS.file_bytes)))


def _size(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 else f"{size // 1024} KB"


def check_workbook(path: Path, display: str, _) -> dict[str, tuple[int, int]]:
    """Check a .xlsx before openpyxl reads it; the last row and column holding a value, by sheet name."""
    check_file(path, display, _)
    with path.open("rb") as start:
        if start.read(len(_OLE2)) == _OLE2:
            raise SheetError(display + ": " + _("this is an old Excel .xls workbook, or one locked with a password (save it as .xlsx without a password, or as .csv)"))
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as err:
        raise _damaged(display, err, _) from None
    with archive:
        parts = archive.infolist()
        unpacked = sum(p.file_size for p in parts)
        if len(parts) > LIMITS.parts or unpacked > LIMITS.unpacked_bytes:
            raise SheetError(display + ": " + _("the workbook unpacks to {parts} files of {size}; the limit is {limit_parts} files of {limit} (copy the table alone into a new workbook)").format(
                parts=len(parts), size=_size(unpacked), limit_parts=LIMITS.parts, limit=_size(LIMITS.unpacked_bytes)))
        if any(p.flag_bits & 0x1 for p in parts):
            raise SheetError(display + ": " + _("the workbook is encrypted (save it without a password)"))
        scan = _Scan(display, _, _sheet_names(archive, display, _))
        for part in parts:
            if _is_xml(archive, part):  # by what it holds, not its name: openpyxl follows [Content_Types].xml
                scan.part(archive, part)
    return scan.extents


def _is_xml(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    """The part begins as XML does (a byte-order mark, blanks, then "<"); images and other binaries do not."""
    try:
        with archive.open(part) as stream:
            start = stream.read(64)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError):
        return True  # reading it as XML says what is wrong with it
    return start.startswith((b"\xff\xfe", b"\xfe\xff")) or start.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")


def _damaged(display: str, detail: object, _) -> SheetError:
    return SheetError(display + ": " + _("not a .xlsx workbook, or an incomplete one ({detail}) (save the table again as .xlsx or .csv)").format(detail=detail))


def _sheet_names(archive: zipfile.ZipFile, display: str, _) -> dict[str, str]:
    """Worksheet part → the sheet's name, for messages (workbook.xml names sheets, its rels their parts)."""
    names, targets = {}, {}

    def collect(part: str, tag: str, attributes: dict) -> None:
        if tag == "sheet":
            names[next((v for k, v in attributes.items() if k.endswith("}id")), "")] = attributes.get("name", "")
        elif tag == "Relationship":
            target = attributes.get("Target", "")
            targets[attributes.get("Id", "")] = target.lstrip("/") if target.startswith("/") else "xl/" + target

    for part in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
        if part in archive.NameToInfo:
            _elements(archive, archive.getinfo(part), display, _, collect)
    return {targets[rid]: name for rid, name in names.items() if rid in targets}


def _elements(archive: zipfile.ZipFile, part: zipfile.ZipInfo, display: str, _, on_start, on_end=None) -> None:
    """Stream one XML part through expat: on_start(part, tag, attributes) and on_end(part, tag, characters) per element.

    Only the length of each text is kept, never a tree, so memory stays flat.  A DTD is refused as
    defusedxml refuses it (forbid_dtd): without one there are no entities, internal or external."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    length = 0

    def refuse_dtd(name, system_id, public_id, _internal):
        raise defusedxml.DTDForbidden(name, system_id, public_id)

    def refuse_external(_context, base, system_id, public_id):
        raise defusedxml.ExternalReferenceForbidden(_context, base, system_id, public_id)

    def start(name: str, attributes: dict) -> None:
        nonlocal length
        length = 0
        on_start(part.filename, name.rpartition("}")[2], attributes)

    def characters(data: str) -> None:
        nonlocal length
        length += len(data)

    def end(name: str) -> None:
        nonlocal length
        if on_end:
            on_end(part.filename, name.rpartition("}")[2], length)
        length = 0

    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.ExternalEntityRefHandler = refuse_external
    parser.StartElementHandler, parser.CharacterDataHandler, parser.EndElementHandler = start, characters, end
    try:
        with archive.open(part) as stream:
            parser.ParseFile(stream)
    except defusedxml.DefusedXmlException:
        raise SheetError(display + ": " + _("{part} declares a DTD or entities, which a workbook never has (save the table again from Excel; the file may be made to attack)").format(part=part.filename)) from None
    except (expat.ExpatError, zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as err:
        raise _damaged(display, f"{part.filename}: {err}", _) from None


def _beyond_limits(where: str, _) -> SheetError:
    return SheetError(where + ": " + _("a cell beyond the limit of {rows} rows and {columns} columns (delete what is below or right of the table)").format(
        rows=LIMITS.rows, columns=LIMITS.columns))


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


class _Scan:
    """Counts cells and measures texts through every part, refusing the first that passes a limit."""

    def __init__(self, display: str, gettext, names: dict[str, str]):
        self.display, self._, self.names = display, gettext, names
        self.cells = 0
        self.row = self.column = 0
        self.text = 0  # characters of the shared text being read
        self.extents: dict[str, tuple[int, int]] = {}
        self.merged = 0  # cells that merged ranges cover: openpyxl makes one object for each
        self.elements = 0  # in the part being read
        self.all_elements = 0
        self.root: str | None = None  # of the part being read: worksheet, sst (the shared texts), styleSheet …
        self.in_cell = False

    def part(self, archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
        self.row = self.column = self.elements = 0
        self.root = None
        _elements(archive, part, self.display, self._, self.start, self.end)

    def where(self, part: str, row: int | None = None, column: int | None = None) -> str:
        return place(self.display, self.names.get(part, part), row, column)

    @staticmethod
    def beyond(row: int, column: int) -> bool:
        return row > LIMITS.rows or column > LIMITS.columns

    def refuse(self, where: str, text: str) -> None:
        raise SheetError(where + ": " + text)

    def start(self, part: str, tag: str, attributes: dict) -> None:
        _ = self._
        if self.root is None:
            self.root = tag
        self.in_cell = self.in_cell or tag == "c"
        # openpyxl makes an object of nearly every element (a link, a style, a format): those besides cells,
        # rows and shared texts (each counted by its own limit) are limited here, in a part and in all.
        if not (self.in_cell or tag == "row" or self.root == "sst"):
            self.elements += 1
            self.all_elements += 1
            if self.elements > LIMITS.part_elements or self.all_elements > 4 * LIMITS.part_elements:
                self.refuse(self.where(part), _("the part holds more than {limit} elements (copy the table alone into a new workbook)").format(limit=LIMITS.part_elements))
        if tag == "dimension":
            last = _REF.match(attributes.get("ref", "").rpartition(":")[2])
            if last and self.beyond(int(last[2]), column_number(last[1])):
                self.refuse(self.where(part), _("the sheet says it spans {ref}; the limit is {rows} rows and {columns} columns (delete the rows and columns below and right of the table)").format(
                    ref=attributes["ref"], rows=LIMITS.rows, columns=LIMITS.columns))
        elif tag == "mergeCell":
            self.merge(part, attributes.get("ref", ""))
        elif tag == "row":
            self.row = int(attributes["r"]) if _ROW.match(attributes.get("r", "")) else self.row + 1
            self.column = 0
            if self.row > LIMITS.rows:  # even without cells: openpyxl keeps each row's size
                raise _beyond_limits(self.where(part, self.row), _)
        elif tag == "c":
            self.cells += 1
            ref = _REF.match(attributes.get("r", ""))
            self.row, self.column = (int(ref[2]), column_number(ref[1])) if ref else (self.row, self.column + 1)
            if self.beyond(self.row, self.column):
                raise _beyond_limits(self.where(part, self.row, self.column), _)
            if self.cells > LIMITS.cells:
                self.refuse(self.where(part, self.row, self.column), _("the workbook has more than {limit} cells (copy the table alone into a new workbook)").format(limit=LIMITS.cells))
        elif tag == "si":
            self.cells += 1  # one shared text: as many as cells at most
            if self.cells > LIMITS.cells:
                self.refuse(self.where(part), _("the workbook has more than {limit} cells (copy the table alone into a new workbook)").format(limit=LIMITS.cells))

    def merge(self, part: str, ref: str) -> None:
        corners = [_REF.match(corner) for corner in ref.split(":")]
        if len(corners) != 2 or not all(corners):
            return  # openpyxl refuses a range it cannot read
        (top, left), (bottom, right) = ((int(c[2]), column_number(c[1])) for c in corners)
        if self.beyond(bottom, right):
            raise _beyond_limits(self.where(part, bottom, right), self._)
        self.merged += max(0, bottom - top + 1) * max(0, right - left + 1)
        if self.merged > LIMITS.cells:
            self.refuse(self.where(part), self._("merged cells cover {covered} cells, more than {limit} (unmerge the cells below or right of the table)").format(covered=self.merged, limit=LIMITS.cells))

    def end(self, part: str, tag: str, length: int) -> None:
        if tag in ("v", "t") and length:
            self.text += length  # a cell's or a shared text's runs add up
            if self.text > LIMITS.cell_chars:
                where = self.where(part, self.row, self.column) if self.column else self.where(part)
                self.refuse(where, self._("a cell holds {length} characters; the limit is {limit} (shorten it)").format(length=self.text, limit=LIMITS.cell_chars))
        if tag in ("v", "is") and self.column:  # the cell has a value: the table reaches it
            sheet = self.names.get(part, part)
            last_row, last_column = self.extents.get(sheet, (0, 0))
            self.extents[sheet] = (max(last_row, self.row), max(last_column, self.column))
        if tag in ("c", "si"):
            self.text = 0
            self.in_cell = False


def check_table(display: str, sheet: str | None, rows: int, columns: int, _) -> None:
    """The rows × columns a table is read into (with the cells merged cells cover) stay within the limit of cells."""
    if rows * columns > LIMITS.cells:
        raise SheetError(place(display, sheet, rows, columns) + ": " + _("the table spans {rows} rows and {columns} columns, more than {limit} cells (delete what is below or right of the table)").format(
            rows=rows, columns=columns, limit=LIMITS.cells))


def check_csv_row(display: str, line: int, index: int, cells: list[str], _) -> None:
    """The `index`-th row of a CSV (1-based), which starts on `line`."""
    if index > LIMITS.rows or len(cells) > LIMITS.columns:
        column = LIMITS.columns + 1 if len(cells) > LIMITS.columns else None
        raise _beyond_limits(place(display, None, line, column), _)
    for column, cell in enumerate(cells, start=1):
        if len(cell) > LIMITS.cell_chars:
            raise SheetError(place(display, None, line, column) + ": " + _("a cell holds {length} characters; the limit is {limit} (shorten it)").format(length=len(cell), limit=LIMITS.cell_chars))
