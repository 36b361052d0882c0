"""Listing the trees a build makes and reads (a site of 17,000 folders at ×100, the generated Markdown).

Names are '/'-separated strings relative to the tree's top, from os.walk (one directory listing per
folder): a Path object and a stat per entry were most of the time of comparing two sites."""

from __future__ import annotations

import os
from pathlib import Path


def listed(folder: Path, skip: frozenset[str] = frozenset()) -> tuple[set[str], set[str]]:
    """(files, folders) under `folder`, relative to it; top-level names in `skip` are left out.
    A folder that does not exist has neither."""
    files: set[str] = set()
    folders: set[str] = set()
    top = len(str(folder)) + 1
    for parent, dirs, names in os.walk(folder):
        if len(parent) < top:  # the top itself
            dirs[:] = [name for name in dirs if name not in skip]
            names = [name for name in names if name not in skip]
            prefix = ""
        else:
            prefix = parent[top:].replace(os.sep, "/") + "/"
        folders.update(prefix + name for name in dirs)
        files.update(prefix + name for name in names)
    return files, folders
