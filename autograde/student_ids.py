"""One rule for student ids, wherever a name becomes a student: a ``--submissions`` folder or archive,
a folder of nbgrader's ``submitted/``, an entry of the exchange.

An id names a folder, a gradebook row, a CSV cell, a line on the terminal and a platform's student:
it is refused, with a one-line reason, unless it is

- valid UTF-8 text in Unicode's composed form (NFC: ``José`` typed on a Mac and on Linux is one student);
- letters and digits of any script, and ``.``, ``_``, ``-``, ``@`` after the first character, which is a
  letter or a digit (no ``..``, no hidden name, nothing a shell or a spreadsheet reads as an option or
  a formula, no space, bracket, ``+`` (nbgrader's exchange separator), control or format character);
- at most ``MAX_LENGTH`` characters;
- not the same student as another id once case is folded (``Alice`` and ``alice``).

A refused id is never staged, graded or recorded: its submission is listed as refused by name
(``shown``, escaped for the terminal) and the rest of the class is graded.
"""
from __future__ import annotations

import unicodedata

from autograde import printable

MAX_LENGTH = 64
#: The characters an id may hold after its first, besides letters and digits.
PUNCTUATION = "._-@"


def normalized(name: str) -> str:
    """``name`` in NFC, as an id is compared and staged (a non-UTF-8 name is returned unchanged)."""
    try:
        return unicodedata.normalize("NFC", name)
    except UnicodeError:
        return name


def problem(name: str) -> str | None:
    """Why ``name`` cannot be a student id (one line), or None when it can. ``name`` is taken as it is:
    normalize it first (``normalized``) where the kit names the folder itself."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # a file name that is not UTF-8 arrives with surrogate escapes
        return "the name is not valid UTF-8 text"
    if not name:
        return "the name is empty"
    if len(name) > MAX_LENGTH:
        return f"the name has {len(name)} characters, more than {MAX_LENGTH}"
    if unicodedata.normalize("NFC", name) != name:
        return "the name is not in Unicode's composed form (NFC): rename it " + shown(unicodedata.normalize("NFC", name))
    if not name[0].isalnum():
        return "a student id starts with a letter or a digit"
    odd = sorted({c for c in name if not (c.isalnum() or c in PUNCTUATION)})
    if odd:
        return ("a student id holds letters, digits and " + " ".join(PUNCTUATION) + " only, not "
                + " ".join(_character(c) for c in odd))
    return None


def collisions(names) -> dict[str, str]:
    """name -> why, for every name that is the same student as another of ``names`` once case is folded."""
    by_key: dict[str, list[str]] = {}
    for name in names:
        by_key.setdefault(normalized(name).casefold(), []).append(name)
    clashes = {}
    for same in by_key.values():
        if len(same) > 1:
            for name in same:
                others = " and ".join(shown(other) for other in sorted(same) if other != name)
                clashes[name] = f"{shown(name)} and {others} are the same student once case is folded: keep one"
    return clashes


def shown(name: str) -> str:
    """``name`` as the terminal and a report show it: every control, format and undecodable character escaped."""
    return printable.name(name)


def _character(c: str) -> str:
    if c == " ":
        return "a space"
    if c.isprintable():
        return repr(c)
    return f"U+{ord(c):04X}" + (f" ({unicodedata.name(c)})" if unicodedata.name(c, "") else "")
