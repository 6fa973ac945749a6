"""The catalogue that tests the checks: realistic bugs they must catch, correct alternatives they must accept.

Each assignment's catalogue is its own folder ``autograde/assignments/<assignment>/catalogue/``, which, like
its hidden checks, never goes into a release or a student's wheel.

Bugs are data, one TOML file per assignment (``catalogue/bugs.toml``): each
``[[bug]]`` has a short ``name``, a one-sentence ``description`` of what the student did wrong,
``edits`` (``file``, ``old``, ``new``) that turn a copy of ``solutions/<assignment>/`` into that
submission, ``caught_by`` (the checks that must fail, by function name) and, when the checks
name the mistake, ``hint`` (words their hint must contain). ``example = true`` makes the bug one of
the example submissions ``dlkit demo`` grades, under its name.

Alternatives are folders ``catalogue/alternatives/<name>/`` of student files
that differ from the reference but are correct; a student file an alternative does not hold is
the reference's. Each file's module docstring says how it differs.

Real-code patterns (``catalogue/patterns.toml``) are what real students' files
hold around correct functions: each ``[[pattern]]`` has a ``name``, a ``description``, ``edits``
(``old``/``new`` as a bug's, or ``prepend`` or ``append`` a text to the file) and what grading must
make of it, ``expect``: ``full marks`` (top-level imports of the packages the release offers, prints,
a ``main()`` under ``__main__``, extra keyword parameters, Python lists), ``full marks or too slow``
(a correct loop over examples: it passes, or fails only saying it was too slow), ``did not import``
(a package the grader lacks, work at import time, a SyntaxError: one finding, whose text holds
``message``) or ``loses points`` (a signature the grader's call does not fit: a failing check's
message or hint holds ``message``).

``dlkit selftest`` (``autograde.authoring.selftest``) grades every entry through the trusted pipeline;
the tests of each assignment's checks run the same entries in-process.
"""
from __future__ import annotations

import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path

from autograde import kit
from autograde.student import registry

#: Where the assignments' folders are, each with its ``catalogue/`` (``folder_of``).
ASSIGNMENTS = kit.ASSIGNMENTS
CATALOGUE = "catalogue"
BUGS, PATTERNS, ALTERNATIVES = "bugs.toml", "patterns.toml", "alternatives"
#: What grading must make of a real-code pattern (``Pattern.expect``).
FULL_MARKS, FULL_MARKS_OR_TOO_SLOW, DID_NOT_IMPORT, LOSES_POINTS = (
    "full marks", "full marks or too slow", "did not import", "loses points")
EXPECTATIONS = (FULL_MARKS, FULL_MARKS_OR_TOO_SLOW, DID_NOT_IMPORT, LOSES_POINTS)


class CatalogueError(Exception):
    """A catalogue entry that cannot be built: the message names the entry, the file and what is wrong."""


@dataclass(frozen=True)
class Edit:
    file: str  # relative to solutions/<assignment>/, a student file
    old: str   # text that occurs exactly once in that file ("" with ``at`` prepend or append)
    new: str
    #: ``replace`` ``old`` with ``new``, or ``prepend`` or ``append`` ``new`` to the file.
    at: str = "replace"


@dataclass(frozen=True)
class Bug:
    assignment: str
    name: str
    description: str
    edits: tuple[Edit, ...]
    caught_by: tuple[str, ...]
    hint: str | None
    #: One of the demo's example submissions.
    example: bool = False

    @property
    def label(self) -> str:
        return f"{self.assignment}/{self.name}"


@dataclass(frozen=True)
class Alternative:
    assignment: str
    name: str
    folder: Path

    @property
    def label(self) -> str:
        return f"{self.assignment}/{self.name}"

    @property
    def files(self) -> tuple[str, ...]:
        """The student files this alternative replaces, relative to its folder."""
        return tuple(sorted(p.relative_to(self.folder).as_posix() for p in self.folder.rglob("*.py")))


@dataclass(frozen=True)
class Pattern:
    """What a real student's file holds around correct (or almost correct) functions, and what grading must
    make of it (``expect``, one of EXPECTATIONS; ``message``: words the finding or the failure must hold)."""

    assignment: str
    name: str
    description: str
    edits: tuple[Edit, ...]
    expect: str
    message: str | None = None

    @property
    def label(self) -> str:
        return f"{self.assignment}/{self.name}"


def folder_of(assignment: str) -> Path:
    """The catalogue of ``assignment``: ``autograde/assignments/<assignment>/catalogue/``."""
    return ASSIGNMENTS / assignment / CATALOGUE


def _files(name: str, assignment: str | None) -> list[tuple[str, Path]]:
    """(assignment, path) of the catalogue file ``name`` of ``assignment`` (or of every assignment), where it exists."""
    assignments = registry.ids() if assignment is None else [assignment]
    return [(each, folder_of(each) / name) for each in assignments if (folder_of(each) / name).exists()]


def bugs(assignment: str | None = None) -> list[Bug]:
    """Every catalogued bug (of ``assignment``), assignment by assignment; none for an assignment without
    ``catalogue/bugs.toml``."""
    found = []
    for owner, path in _files(BUGS, assignment):
        found += _read_bugs(owner, path)
    return found


def _entries(assignment: str, path: Path, kind: str, required: set[str], optional: set[str]):
    """(assignment, where, entry) for each ``[[kind]]`` entry of ``assignment``'s catalogue file ``path``, once its
    keys and its name are checked; ``where`` names it in errors."""
    try:
        entries = tomllib.loads(path.read_text())[kind]
    except (tomllib.TOMLDecodeError, KeyError) as error:
        raise CatalogueError(f"{path} is not a list of [[{kind}]] entries: {error}") from None
    names = set()
    for index, entry in enumerate(entries):
        where = f"{assignment}'s {path.name}, {kind} {entry.get('name', f'number {index + 1}')!r}"
        missing, unknown = required - set(entry), set(entry) - required - optional
        if missing or unknown:
            raise CatalogueError(f"{where}: " + "; ".join(
                ([f"missing {', '.join(sorted(missing))}"] if missing else [])
                + ([f"unknown keys {', '.join(sorted(unknown))}"] if unknown else [])))
        if entry["name"] in names:
            raise CatalogueError(f"{where}: the name is used twice")
        names.add(entry["name"])
        yield assignment, where, entry


def _read_bugs(owner: str, path: Path) -> list[Bug]:
    found = []
    for assignment, where, entry in _entries(owner, path, "bug", {"name", "description", "edits", "caught_by"},
                                             {"hint", "example"}):
        edits = _read_edits(entry["edits"], where, assignment)
        if not edits or not entry["caught_by"]:
            raise CatalogueError(f"{where}: a bug needs at least one edit and one check in caught_by")
        if not isinstance(entry.get("example", False), bool):
            raise CatalogueError(f"{where}: example must be true or false")
        found.append(Bug(assignment, entry["name"], entry["description"], tuple(edits), tuple(entry["caught_by"]),
                         entry.get("hint"), entry.get("example", False)))
    return found


def _read_edits(entries: list[dict], where: str, assignment: str) -> list[Edit]:
    """The edits of a catalogue entry: {file, old, new}, {file, prepend} or {file, append}."""
    spec = registry.get(assignment)
    edits = []
    for edit in entries:
        keys = set(edit)
        if keys not in ({"file", "old", "new"}, {"file", "prepend"}, {"file", "append"}):
            raise CatalogueError(f"{where}: an edit needs file with old and new, prepend or append, got "
                                 f"{', '.join(sorted(edit))}")
        if edit["file"] not in spec.student_files:
            raise CatalogueError(f"{where}: {edit['file']} is not a student file of {assignment} "
                                 f"({', '.join(spec.student_files)})")
        if "old" in edit:
            edits.append(Edit(edit["file"], edit["old"], edit["new"]))
        else:
            at = "prepend" if "prepend" in edit else "append"
            edits.append(Edit(edit["file"], "", edit[at], at))
    return edits


def patterns(assignment: str | None = None) -> list[Pattern]:
    """Every catalogued real-code pattern (of ``assignment``), assignment by assignment."""
    found = []
    for owner, path in _files(PATTERNS, assignment):
        found += _read_patterns(owner, path)
    return found


def _read_patterns(owner: str, path: Path) -> list[Pattern]:
    found = []
    for assignment, where, entry in _entries(owner, path, "pattern", {"name", "description", "edits", "expect"},
                                             {"message"}):
        if entry["expect"] not in EXPECTATIONS:
            raise CatalogueError(f"{where}: expect must be one of {', '.join(EXPECTATIONS)}, got {entry['expect']!r}")
        if entry["expect"] in (DID_NOT_IMPORT, LOSES_POINTS) and not entry.get("message"):
            raise CatalogueError(f"{where}: a pattern expected to {entry['expect'].replace('loses', 'lose')} needs "
                                 "the message that must say why")
        edits = _read_edits(entry["edits"], where, assignment)
        if not edits:
            raise CatalogueError(f"{where}: a pattern needs at least one edit")
        found.append(Pattern(assignment, entry["name"], entry["description"], tuple(edits), entry["expect"],
                             entry.get("message")))
    return found


def pattern(assignment: str, name: str) -> Pattern:
    """The catalogued real-code pattern ``name`` of ``assignment``."""
    found = {entry.name: entry for entry in patterns(assignment)}
    if name not in found:
        raise CatalogueError(f"{assignment} has no catalogued real-code pattern {name!r}")
    return found[name]


def bug(assignment: str, name: str) -> Bug:
    """The catalogued bug ``name`` of ``assignment``."""
    found = {entry.name: entry for entry in bugs(assignment)}
    if name not in found:
        raise CatalogueError(f"{assignment} has no catalogued bug {name!r}")
    return found[name]


def examples(assignment: str) -> list[Bug]:
    """The bugs of ``assignment`` that are example submissions of the demo (``example = true``)."""
    return [entry for entry in bugs(assignment) if entry.example]


def alternatives(assignment: str | None = None) -> list[Alternative]:
    """Every catalogued alternative (of ``assignment``), by assignment and name."""
    found = []
    for owner, parent in _files(ALTERNATIVES, assignment):
        for path in sorted(p for p in parent.iterdir() if p.is_dir() and p.name != "__pycache__"):
            found.append(_alternative(owner, path))
    return found


def _alternative(assignment: str, path: Path) -> Alternative:
    alternative = Alternative(assignment, path.name, path)
    spec = registry.get(assignment)
    strangers = sorted(set(alternative.files) - set(spec.student_files))
    if strangers or not alternative.files:
        raise CatalogueError(f"alternative {alternative.label} must hold student files of {assignment} "
                             f"({', '.join(spec.student_files)}) and nothing else; it holds "
                             f"{', '.join(alternative.files) or 'none'}")
    return alternative


def apply(entry: Bug | Pattern, folder: Path) -> None:
    """Apply the edits of ``entry`` (a bug or a real-code pattern) to the copy of the reference in ``folder``."""
    kind = "bug" if isinstance(entry, Bug) else "pattern"
    for edit in entry.edits:
        path = folder / edit.file
        text = path.read_text()
        if edit.at != "replace":
            path.write_text(edit.new + text if edit.at == "prepend" else text + edit.new)
            continue
        count = text.count(edit.old)
        if count != 1:
            found = "is not found" if count == 0 else f"occurs {count} times (an edit must be unambiguous)"
            raise CatalogueError(f"{kind} {entry.label}: the text to replace in solutions/{entry.assignment}/"
                                 f"{edit.file} {found}:\n{edit.old}")
        path.write_text(text.replace(edit.old, edit.new))


def submission(entry: Bug | Alternative | Pattern, folder: Path) -> Path:
    """Write ``entry`` as a complete submission into the new folder ``folder``, and return it.

    The folder holds the assignment's student files (the reference's, with the bug's edits or
    the alternative's files) and its provided files, so the submission can be graded by the
    runner or loaded in-process with ``autograde.student.modules.student_code``.
    """
    spec = registry.get(entry.assignment)
    reference = kit.solutions(entry.assignment)
    for relative in spec.files:
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(reference / relative, target)
    if isinstance(entry, (Bug, Pattern)):
        apply(entry, folder)
    else:
        for relative in entry.files:
            shutil.copyfile(entry.folder / relative, folder / relative)
    return folder
