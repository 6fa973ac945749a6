"""Text that reaches the instructor's terminal or spreadsheet: what a student wrote can neither steer the
terminal nor run as a formula. A leaf: it imports nothing of the kit.

Student ids, check messages (which quote the student's exceptions), findings and warnings flow into
``dlkit``'s output and into CSV files. ``terminal`` escapes every control and format character (an escape
sequence would clear the screen and print a fake "ALL CHECKS PASSED"; a bidi override would reverse a
line); ``cell`` neutralizes a CSV cell that a spreadsheet would read as a formula, as OWASP's CSV
injection guidance recommends.
"""
from __future__ import annotations

import re
import unicodedata

#: Characters a line of text keeps as they are: newline and tab (every other control character is escaped).
KEPT = "\n\t"
_SUSPECT = re.compile(r"[^\x20-\x7e\n\t]")
#: What a spreadsheet takes for the start of a formula (OWASP: =, +, -, @, tab, carriage return).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _escaped(match: re.Match) -> str:
    character = match.group()
    if unicodedata.category(character) not in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
        return character  # a letter, a mark, a symbol of another script: printable
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def terminal(text: str) -> str:
    """``text`` with every control or format character but newline and tab written as an escape (``\\x1b``)."""
    return _SUSPECT.sub(_escaped, text)


def name(text: str) -> str:
    """A file's or a student's name on one line: like ``terminal``, with newline and tab escaped as well, and
    the bytes of a name that is not UTF-8 (which Python reads as surrogate escapes) shown as ``\\xff``."""
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return terminal(text).replace("\n", "\\n").replace("\t", "\\t")


def cell(value):
    """A CSV cell as a spreadsheet shows it and never runs it: text that starts like a formula gets a leading
    apostrophe (OWASP), and control characters are escaped; numbers and empty cells stay as they are."""
    if not isinstance(value, str) or not value:
        return value
    value = terminal(value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


class Terminal:
    """A text stream that writes ``terminal(text)`` to ``stream``: everything printed through it is escaped."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(terminal(text))
        return len(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)
