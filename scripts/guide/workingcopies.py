"""The spreadsheets `guide export` wrote, by file (build/exports.json): a working copy that no longer
matches what export wrote holds edits, which export does not overwrite until `guide import` has read
them all.  A file export did not write is not overwritten either."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Literal

from .load import BUILD_DIR
from .yamlfile import write_atomically

WRITTEN = Path(BUILD_DIR) / "exports.json"


def state(root: Path, sheet: Path) -> Literal["absent", "ours", "edited", "foreign"]:
    """`ours`: as export wrote it; `edited` since; `foreign`: a file export never wrote."""
    if not sheet.exists():
        return "absent"
    written = _written(root)
    if _key(sheet) not in written:
        return "foreign"
    return "ours" if written[_key(sheet)] == _digest(sheet) else "edited"


def remember(root: Path, sheet: Path) -> None:
    """Export wrote `sheet` (as it is now)."""
    written = _written(root)
    (root / WRITTEN).parent.mkdir(parents=True, exist_ok=True)
    written[_key(sheet)] = _digest(sheet)
    write_atomically(root / WRITTEN, json.dumps(written, ensure_ascii=False, indent=1, sort_keys=True).encode())


def taken_in(root: Path, sheet: Path) -> None:
    """`guide import` read every edit of a file export wrote: the file is as good as written by export."""
    if _key(sheet) in _written(root):
        with contextlib.suppress(OSError):  # then export asks for --force: nothing is lost
            remember(root, sheet)


def _key(path: Path) -> str:
    return os.path.realpath(path)


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _written(root: Path) -> dict[str, str]:
    try:
        record = json.loads((root / WRITTEN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # no export yet, or a damaged record: every existing file counts as not ours
    return record if isinstance(record, dict) else {}
