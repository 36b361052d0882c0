"""No cell we write runs as a formula: every CSV and spreadsheet goes through `neutralised`.

Excel and LibreOffice read a cell that begins with =, +, -, @, a tab or a carriage return as
a formula (CSV injection): 「+81-86-803-1262」 shows as −2070, a name 「=HYPERLINK(…)」 becomes
a live link.  As OWASP advises, such a cell is written with a leading apostrophe, which makes
it text; `guide import` reads it back through `restored`, so export → import changes nothing.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def neutralised(cell: str) -> str:
    """The cell as written: an apostrophe before a formula start, and before a leading apostrophe
    (so that a text which begins with one is read back whole)."""
    return QUOTE + cell if cell.startswith((*FORMULA_STARTS, QUOTE)) else cell


def restored(cell: str) -> str:
    """The cell as `neutralised` was given it."""
    return cell[1:] if cell.startswith(QUOTE) and cell[1:].startswith((*FORMULA_STARTS, QUOTE)) else cell
