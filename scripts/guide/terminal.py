"""What the tool prints: text from data files and spreadsheets is shown, never obeyed by the terminal.

A cell can hold ESC sequences (colours, a new window title, a cleared screen, OSC 8 links), a bell,
a carriage return that overwrites the line before it, or bidirectional controls that reorder what is
read.  Every such character is printed as its code point ([U+001B], [U+202E]), so the line says what
the cell holds.  Line breaks and tabs stay, except in a one-line message (`guide check`'s).  `shown` is for one text; `safe_output` wraps a command's stdout
and stderr, so every message it prints is covered, whatever it quotes.
"""

from __future__ import annotations

import functools
import re
import sys

from .model import BIDI_CONTROLS, CONTROL_IN_LINES

# C0 controls but tab and line feed, DEL, C1 controls, and the bidi and invisible direction marks.
_CONTROLS = CONTROL_IN_LINES.pattern[1:-1] + "\u061c\u200e\u200f" + "".join(sorted(BIDI_CONTROLS))
CONTROL_CHARACTERS = re.compile(f"[{_CONTROLS}]")  # also what guide import takes out of a cell
_IN_LINE = re.compile(f"[{_CONTROLS}\t\n\u2028\u2029]")  # a one-line message keeps its place: line breaks shown too


def shown(text: str, *, one_line: bool = False) -> str:
    """`text` with each control character written as its code point: [U+001B]; with `one_line`, line breaks and tabs too."""
    return (_IN_LINE if one_line else CONTROL_CHARACTERS).sub(lambda ch: f"[U+{ord(ch[0]):04X}]", text)


class _ShownStream:
    """A text stream whose writes go through `shown`; everything else is the wrapped stream's."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(shown(text))

    def __getattr__(self, name):
        return getattr(self._stream, name)


def safe_output(command):
    """Decorate a command (args -> exit code) so that all it prints is `shown`."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        out, err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _ShownStream(out), _ShownStream(err)
        try:
            return command(*args, **kwargs)
        finally:
            sys.stdout, sys.stderr = out, err

    return run
